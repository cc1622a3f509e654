//! The protected resource metadata (RFC 9728) and the challenges that lead
//! to it, through the tower layer, the actix-web middleware and the axum
//! and actix-web handlers.

use actix_web::{App, test, web};
use axum::routing::get;
use jwtguard::ClaimGuard;
use jwtguard::actix::AuthMiddleware;
use jwtguard::tower::AuthLayer;

use super::*;
use call::Answer;

const METADATA: &str = "/.well-known/oauth-protected-resource/mcp";
const METADATA_URL: &str = "https://api.example.com/.well-known/oauth-protected-resource/mcp";

fn layered(verifier: Verifier, guard: Option<ClaimGuard>) -> axum::Router {
    let mut layer = AuthLayer::new(verifier);
    if let Some(guard) = guard {
        layer = layer.require(guard);
    }
    axum::Router::new()
        .route("/mcp", get(|| async { "ok" }).post(|| async { "ok" }))
        .layer(layer)
}

async fn through_layer(method: &str, path: &str, headers: &[(&str, String)]) -> Answer {
    call::axum(layered(verifier(), None), method, path, headers).await
}

fn challenges(answer: &Answer) -> Vec<String> {
    answer
        .headers
        .get_all("www-authenticate")
        .iter()
        .map(|value| value.to_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn the_layer_serves_the_document_at_both_well_known_paths() {
    for path in [METADATA, "/.well-known/oauth-protected-resource"] {
        let answer = through_layer("GET", path, &[]).await;
        assert_eq!(answer.status, 200, "{path}");
        assert_eq!(answer.header("content-type"), Some("application/json"));
        assert_eq!(answer.header("access-control-allow-origin"), Some("*"));
        assert_eq!(
            answer.body,
            json!({
                "resource": RESOURCE,
                "authorization_servers": [ISSUER],
                "scopes_supported": ["tasks:read", "tasks:write"],
                "bearer_methods_supported": ["header"],
                "dpop_signing_alg_values_supported": ["ES256", "EdDSA", "PS256", "RS256", "ES512"],
            })
        );
    }
    // Only GET (and HEAD) reads it; anything else is authenticated.
    assert_eq!(through_layer("POST", METADATA, &[]).await.status, 401);
}

#[tokio::test]
async fn a_401_points_to_the_document_and_offers_dpop() {
    let answer = through_layer("GET", "/mcp", &[]).await;
    assert_eq!(answer.status, 401);
    assert_eq!(
        challenges(&answer),
        [
            format!(r#"Bearer resource_metadata="{METADATA_URL}""#),
            r#"DPoP algs="ES256 EdDSA PS256 RS256 ES512""#.to_owned(),
        ]
    );
    let expired = {
        let mut claims = access_claims();
        claims["exp"] = json!(now() - 600);
        access_token(&claims)
    };
    let answer = through_layer("GET", "/mcp", &[bearer(&expired)]).await;
    assert_eq!(answer.code(), Some("token_expired"));
    assert_eq!(
        challenges(&answer)[0],
        format!(
            r#"Bearer error="invalid_token", error_description="Token has expired", resource_metadata="{METADATA_URL}""#
        )
    );
}

#[tokio::test]
async fn a_refused_proof_is_a_dpop_challenge() {
    let key = TestKey::p256();
    let token = bound_token(&key);
    let stale = proof_with(
        &key,
        "GET",
        "https://api.example.com/mcp",
        &token,
        |_, c| c["iat"] = json!(now() - 1000),
    );
    let answer = through_layer("GET", "/mcp", &dpop(&token, &stale)).await;
    assert_eq!(answer.status, 401);
    assert_eq!(answer.code(), Some("invalid_dpop_proof"));
    assert_eq!(
        challenges(&answer),
        [
            format!(r#"Bearer resource_metadata="{METADATA_URL}""#),
            r#"DPoP error="invalid_dpop_proof", error_description="DPoP proof is invalid", algs="ES256 EdDSA PS256 RS256 ES512""#.to_owned(),
        ]
    );
    // And a good one passes the layer.
    let good = proof(&key, "GET", "https://api.example.com/mcp", &token);
    assert_eq!(
        through_layer("GET", "/mcp", &dpop(&token, &good))
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn too_few_scopes_is_a_403_naming_every_missing_scope() {
    let guard = ClaimGuard::scope("tasks:read")
        .and(ClaimGuard::scope("tasks:write"))
        .and(ClaimGuard::scope("admin"));
    let app = layered(verifier(), Some(guard));
    let token = access_token(&access_claims());
    let answer = call::axum(app, "GET", "/mcp", &[bearer(&token)]).await;
    assert_eq!(answer.status, 403);
    assert_eq!(
        challenges(&answer),
        [format!(
            r#"Bearer error="insufficient_scope", error_description="Insufficient permissions for this resource", scope="tasks:write admin", resource_metadata="{METADATA_URL}""#
        )]
    );
}

#[tokio::test]
async fn a_configured_challenge_scope_is_asked_for() {
    let verifier = builder(|oauth| {
        oauth
            .challenge_scope("tasks:read")
            .dpop_algorithms(Vec::<String>::new())
    })
    .build()
    .unwrap();
    let answer = call::axum(layered(verifier, None), "GET", "/mcp", &[]).await;
    assert_eq!(
        challenges(&answer),
        [format!(
            r#"Bearer resource_metadata="{METADATA_URL}", scope="tasks:read""#
        )]
    );
}

#[tokio::test]
async fn the_axum_handler_serves_the_same_document() {
    let app = axum::Router::new()
        .route(METADATA, get(jwtguard::axum::resource_metadata))
        .route("/other", get(jwtguard::axum::resource_metadata))
        .with_state(verifier());
    let answer = call::axum(app.clone(), "GET", METADATA, &[]).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body["resource"], RESOURCE);
    assert_eq!(call::axum(app, "GET", "/other", &[]).await.status, 404);
}

#[actix_web::test]
async fn the_actix_middleware_and_handler_serve_it_and_challenge_alike() {
    let app = test::init_service(
        App::new()
            .app_data(web::Data::new(verifier()))
            .route("/doc", web::get().to(jwtguard::actix::resource_metadata))
            .service(
                web::scope("")
                    .wrap(AuthMiddleware::new(verifier()))
                    .route("/mcp", web::get().to(|| async { "ok" })),
            ),
    )
    .await;
    let answer = call::actix(&app, "GET", METADATA, &[]).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body["authorization_servers"], json!([ISSUER]));
    let refused = call::actix(&app, "GET", "/mcp", &[]).await;
    let layer = through_layer("GET", "/mcp", &[]).await;
    assert_eq!(refused.status, 401);
    assert_eq!(challenges(&refused), challenges(&layer));
    assert_eq!(call::actix(&app, "GET", "/doc", &[]).await.status, 404);
}
