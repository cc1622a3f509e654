//! What the layer and the middleware place in a request's extensions, and
//! how the extractors behind them use it: they read the claims the layer
//! verified and never verify again. To prove it, the layer holds verifier A
//! (which accepts the token) while the router's state or the app data holds
//! verifier B (another secret, which would refuse it).

use actix_web::{App, HttpResponse, test, web};
use axum::routing::get;
use axum::{Extension, Json, Router};
use jwtguard::actix::AuthMiddleware;
use jwtguard::tower::AuthLayer;
use jwtguard::{Claims, Clock, Verifier};
use serde_json::json;

use crate::common::call;
use crate::common::{NOW, OTHER_SECRET, minter, verifier};
use crate::{MyClaims, bearer};

/// Verifier B: another secret, so it refuses every token of the tests.
fn other_verifier() -> Verifier {
    Verifier::builder()
        .hs256_secret(OTHER_SECRET)
        .clock(Clock::fixed_unix(NOW))
        .build()
        .unwrap()
}

fn token() -> String {
    minter().claim("email", "ada@example.com").sign()
}

/// Each extractor's route, and what it answers for [`token`].
fn expected() -> Vec<(&'static str, serde_json::Value)> {
    vec![
        ("/auth", json!({"sub": "user-1"})),
        ("/user-id", json!({"user_id": "user-1"})),
        ("/api/user-1/tasks", json!({"owner": "user-1"})),
        (
            "/typed",
            json!({"sub": "user-1", "email": "ada@example.com"}),
        ),
        ("/optional", json!({"sub": "user-1"})),
    ]
}

fn axum_extractors(state: Verifier) -> Router {
    use jwtguard::axum::{Auth, OwnerOf, UserId};
    Router::new()
        .route(
            "/auth",
            get(|Auth(c): Auth| async move { Json(json!({"sub": c.sub()})) }),
        )
        .route(
            "/user-id",
            get(|UserId(id): UserId| async move { Json(json!({"user_id": id})) }),
        )
        .route(
            "/api/{user_id}/tasks",
            get(|o: OwnerOf| async move { Json(json!({"owner": o.user_id()})) }),
        )
        .route(
            "/typed",
            get(|Auth(c): Auth<MyClaims>| async move {
                Json(json!({"sub": c.sub, "email": c.email}))
            }),
        )
        .route(
            "/optional",
            get(|a: Option<Auth>| async move {
                Json(json!({"sub": a.map(|Auth(c)| c.sub().to_owned())}))
            }),
        )
        .with_state(state)
}

fn actix_extractors(cfg: &mut web::ServiceConfig) {
    use jwtguard::actix::{Auth, OptionalAuth, OwnerOf, UserId};
    cfg.route(
        "/auth",
        web::get()
            .to(|Auth(c): Auth| async move { HttpResponse::Ok().json(json!({"sub": c.sub()})) }),
    )
    .route(
        "/user-id",
        web::get().to(|UserId(id): UserId| async move {
            HttpResponse::Ok().json(json!({"user_id": id}))
        }),
    )
    .route(
        "/api/{user_id}/tasks",
        web::get()
            .to(|o: OwnerOf| async move { HttpResponse::Ok().json(json!({"owner": o.user_id()})) }),
    )
    .route(
        "/typed",
        web::get().to(|Auth(c): Auth<MyClaims>| async move {
            HttpResponse::Ok().json(json!({"sub": c.sub, "email": c.email}))
        }),
    )
    .route(
        "/optional",
        web::get().to(|OptionalAuth(c): OptionalAuth| async move {
            HttpResponse::Ok().json(json!({"sub": c.map(|c| c.sub().to_owned())}))
        }),
    );
}

#[tokio::test]
async fn axum_extractors_read_the_claims_the_layer_verified() {
    let app = axum_extractors(other_verifier()).layer(AuthLayer::new(verifier()));
    for (path, body) in expected() {
        let answer = call::axum(app.clone(), "GET", path, &[bearer(&token())]).await;
        assert_eq!((answer.status, &answer.body), (200, &body), "{path}");
    }
}

#[tokio::test]
async fn without_the_layer_the_axum_extractors_verifier_refuses_that_token() {
    let app = axum_extractors(other_verifier());
    for (path, _) in expected() {
        let answer = call::axum(app.clone(), "GET", path, &[bearer(&token())]).await;
        assert_eq!(
            (answer.status, answer.code()),
            (401, Some("invalid_signature")),
            "{path}"
        );
    }
}

#[actix_web::test]
async fn actix_extractors_read_the_claims_the_middleware_verified() {
    let app = test::init_service(
        App::new()
            .app_data(web::Data::new(other_verifier()))
            .wrap(AuthMiddleware::new(verifier()))
            .configure(actix_extractors),
    )
    .await;
    for (path, body) in expected() {
        let answer = call::actix(&app, "GET", path, &[bearer(&token())]).await;
        assert_eq!((answer.status, &answer.body), (200, &body), "{path}");
    }
}

#[actix_web::test]
async fn without_the_middleware_the_actix_extractors_verifier_refuses_that_token() {
    let app = test::init_service(
        App::new()
            .app_data(web::Data::new(other_verifier()))
            .configure(actix_extractors),
    )
    .await;
    for (path, _) in expected() {
        let answer = call::actix(&app, "GET", path, &[bearer(&token())]).await;
        assert_eq!(
            (answer.status, answer.code()),
            (401, Some("invalid_signature")),
            "{path}"
        );
    }
}

#[tokio::test]
async fn the_layer_places_the_typed_claims_next_to_the_claims() {
    let app = Router::new()
        .route(
            "/",
            get(
                |Extension(typed): Extension<MyClaims>, Extension(claims): Extension<Claims>| async move {
                    Json(json!({"email": typed.email, "sub": typed.sub, "claims_sub": claims.sub()}))
                },
            ),
        )
        .layer(AuthLayer::new(verifier()).claims::<MyClaims>());
    let answer = call::axum(app, "GET", "/", &[bearer(&token())]).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(
        answer.body,
        json!({"email": "ada@example.com", "sub": "user-1", "claims_sub": "user-1"})
    );
}

#[actix_web::test]
async fn the_middleware_places_the_typed_claims_next_to_the_claims() {
    let app = test::init_service(
        App::new()
            .wrap(AuthMiddleware::new(verifier()).claims::<MyClaims>())
            .route(
                "/",
                web::get().to(
                    |typed: web::ReqData<MyClaims>, claims: web::ReqData<Claims>| async move {
                        HttpResponse::Ok().json(json!({
                            "email": typed.email,
                            "sub": typed.sub,
                            "claims_sub": claims.sub(),
                        }))
                    },
                ),
            ),
    )
    .await;
    let answer = call::actix(&app, "GET", "/", &[bearer(&token())]).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(
        answer.body,
        json!({"email": "ada@example.com", "sub": "user-1", "claims_sub": "user-1"})
    );
}

const INVALID_CLAIMS: &str = r#"Bearer error="invalid_token", error_description="Token claims do not have the expected shape""#;

#[tokio::test]
async fn the_layer_refuses_claims_that_do_not_fit_the_typed_claims() {
    let app = Router::new()
        .route(
            "/",
            get(|Extension(typed): Extension<MyClaims>| async move { typed.email }),
        )
        .layer(AuthLayer::new(verifier()).claims::<MyClaims>());
    let without_email = minter().sign();
    let answer = call::axum(app, "GET", "/", &[bearer(&without_email)]).await;
    assert_eq!(answer.status, 401);
    assert_eq!(
        answer.body,
        json!({"detail": "Token claims do not have the expected shape", "code": "invalid_claims"})
    );
    assert_eq!(answer.header("www-authenticate"), Some(INVALID_CLAIMS));
}

#[actix_web::test]
async fn the_middleware_refuses_claims_that_do_not_fit_the_typed_claims() {
    let app = test::init_service(
        App::new()
            .wrap(AuthMiddleware::new(verifier()).claims::<MyClaims>())
            .route(
                "/",
                web::get().to(|typed: web::ReqData<MyClaims>| async move {
                    HttpResponse::Ok().body(typed.email.clone())
                }),
            ),
    )
    .await;
    let without_email = minter().sign();
    let answer = call::actix(&app, "GET", "/", &[bearer(&without_email)]).await;
    assert_eq!(answer.status, 401);
    assert_eq!(
        answer.body,
        json!({"detail": "Token claims do not have the expected shape", "code": "invalid_claims"})
    );
    assert_eq!(answer.header("www-authenticate"), Some(INVALID_CLAIMS));
}
