//! Claim guards: `.require(ClaimGuard)` on the layer and the middleware, and
//! the `Require<G>` extractor in both frameworks. A verified user the guard
//! refuses gets 403 `insufficient_scope` with the RFC 6750 challenge; a
//! request without valid credentials still gets 401. `OwnerOf` with a typed
//! claims type keeps its own 403 `forbidden`.

use actix_web::{App, HttpResponse, web};
use axum::routing::get;
use axum::{Json, Router};
use jwtguard::actix::AuthMiddleware;
use jwtguard::tower::AuthLayer;
use jwtguard::{ClaimGuard, Claims, Guard, UserIdParam};
use serde_json::{Value, json};

use crate::common::call::Answer;
use crate::common::parity;
use crate::common::{minter, verifier};
use crate::{MyClaims, bearer, through_layer_and_middleware};

const INSUFFICIENT: &str = r#"Bearer error="insufficient_scope", error_description="Insufficient permissions for this resource""#;

/// The 403 of a guard that refuses, in every entry point.
fn assert_insufficient(answer: &Answer, context: &str) {
    assert_eq!(answer.status, 403, "{context}: {answer:?}");
    assert_eq!(
        answer.body,
        json!({"detail": "Insufficient permissions for this resource", "code": "insufficient_scope"}),
        "{context}"
    );
    // A scope guard also names the missing scopes (`, scope="…"`).
    let challenge = answer.header("www-authenticate").unwrap_or_default();
    assert!(
        challenge.starts_with(INSUFFICIENT),
        "{context}: {challenge}"
    );
    assert_eq!(
        answer.header("content-type"),
        Some("application/json"),
        "{context}"
    );
}

fn sub_of(claims: &Claims) -> Value {
    json!({"sub": claims.sub()})
}

/// `GET /me` behind the layer and wrapped in the middleware, both guarded
/// by `guard`: their answers.
async fn guarded(guard: ClaimGuard, headers: &[(&str, String)]) -> [(&'static str, Answer); 2] {
    through_layer_and_middleware(
        AuthLayer::new(verifier()).require(guard.clone()),
        AuthMiddleware::new(verifier()).require(guard),
        sub_of,
        "GET",
        "/me",
        headers,
    )
    .await
}

fn with_role(role: &str) -> Vec<(&'static str, String)> {
    vec![bearer(&minter().claim("role", role).sign())]
}

#[actix_web::test]
async fn a_verified_user_without_the_role_is_refused_with_403_insufficient_scope() {
    for (name, answer) in guarded(ClaimGuard::role("admin"), &with_role("user")).await {
        assert_insufficient(&answer, name);
    }
}

#[actix_web::test]
async fn a_user_with_the_role_is_let_in() {
    for role in ["admin", "user,admin"] {
        for (name, answer) in guarded(ClaimGuard::role("admin"), &with_role(role)).await {
            assert_eq!(
                (answer.status, &answer.body),
                (200, &json!({"sub": "user-1"})),
                "{name}: {role}"
            );
        }
    }
}

#[actix_web::test]
async fn a_request_without_valid_credentials_is_401_not_403() {
    let expired = vec![bearer(&minter().claim("role", "user").expired().sign())];
    for headers in [vec![], expired] {
        for (name, answer) in guarded(ClaimGuard::role("admin"), &headers).await {
            assert_eq!(answer.status, 401, "{name}: {answer:?}");
            assert_ne!(answer.code(), Some("insufficient_scope"), "{name}");
        }
    }
}

#[actix_web::test]
async fn scopes_are_read_from_a_space_separated_string_or_an_array() {
    let guard = ClaimGuard::scope("tasks:write");
    let token = |name: &str, value: Value| vec![bearer(&minter().claim(name, value).sign())];
    for headers in [
        token("scope", json!("tasks:read tasks:write")),
        token("scope", json!(["tasks:read", "tasks:write"])),
        token("scp", json!(["tasks:write"])),
    ] {
        for (name, answer) in guarded(guard.clone(), &headers).await {
            assert_eq!(answer.status, 200, "{name}: {answer:?}");
        }
    }
    for headers in [
        token("scope", json!("tasks:read")),
        token("scope", json!("tasks:read,tasks:write")),
        token("scope", json!(["tasks:read"])),
    ] {
        for (name, answer) in guarded(guard.clone(), &headers).await {
            assert_insufficient(&answer, name);
        }
    }
}

#[actix_web::test]
async fn a_banned_user_is_refused() {
    let banned = vec![bearer(&minter().claim("banned", true).sign())];
    for (name, answer) in guarded(ClaimGuard::not_banned(), &banned).await {
        assert_insufficient(&answer, name);
    }
    let not_banned = vec![bearer(&minter().claim("banned", false).sign())];
    for (name, answer) in guarded(ClaimGuard::not_banned(), &not_banned).await {
        assert_eq!(answer.status, 200, "{name}: {answer:?}");
    }
}

#[actix_web::test]
async fn two_required_guards_must_both_hold() {
    let both_guards = |headers: Vec<(&'static str, String)>| async move {
        through_layer_and_middleware(
            AuthLayer::new(verifier())
                .require(ClaimGuard::role("admin"))
                .require(ClaimGuard::email_verified()),
            AuthMiddleware::new(verifier())
                .require(ClaimGuard::role("admin"))
                .require(ClaimGuard::email_verified()),
            sub_of,
            "GET",
            "/me",
            &headers,
        )
        .await
    };
    let token = |role: &str, verified: bool| {
        vec![bearer(
            &minter()
                .claim("role", role)
                .claim("emailVerified", verified)
                .sign(),
        )]
    };
    for (role, verified, status) in [
        ("admin", true, 200),
        ("admin", false, 403),
        ("user", true, 403),
    ] {
        for (name, answer) in both_guards(token(role, verified)).await {
            assert_eq!(
                answer.status, status,
                "{name}: {role} {verified}: {answer:?}"
            );
        }
    }
}

/// The `Require<G>` extractor's guard.
struct Admin;

impl Guard for Admin {
    fn allows(claims: &Claims) -> bool {
        ClaimGuard::role("admin").allows(claims)
    }
}

/// `GET /` taking `Require<Admin>` in both frameworks, with no layer.
async fn require_extractor(headers: &[(&str, String)]) -> [(&'static str, Answer); 2] {
    let axum_app = Router::new()
        .route(
            "/",
            get(
                |jwtguard::axum::Require(claims, _): jwtguard::axum::Require<Admin>| async move {
                    Json(sub_of(&claims))
                },
            ),
        )
        .with_state(verifier());
    let actix_app = App::new().app_data(web::Data::new(verifier())).route(
        "/",
        web::get().to(
            |jwtguard::actix::Require(claims, _): jwtguard::actix::Require<Admin>| async move {
                HttpResponse::Ok().json(sub_of(&claims))
            },
        ),
    );
    parity::both(
        ["axum Require", "actix Require"],
        axum_app,
        actix_app,
        "GET",
        "/",
        headers,
    )
    .await
}

#[actix_web::test]
async fn the_require_extractor_refuses_a_user_without_the_role_with_403() {
    for (name, answer) in require_extractor(&with_role("user")).await {
        assert_insufficient(&answer, name);
    }
}

#[actix_web::test]
async fn the_require_extractor_lets_a_user_with_the_role_in() {
    for (name, answer) in require_extractor(&with_role("admin")).await {
        assert_eq!(
            (answer.status, &answer.body),
            (200, &json!({"sub": "user-1"})),
            "{name}"
        );
    }
}

#[actix_web::test]
async fn the_require_extractor_answers_401_without_credentials() {
    for (name, answer) in require_extractor(&[]).await {
        assert_eq!(
            (answer.status, answer.code()),
            (401, Some("missing_token")),
            "{name}"
        );
    }
}

#[actix_web::test]
async fn the_require_extractor_answers_as_the_guarded_layer_does() {
    for headers in [with_role("user"), with_role("admin"), vec![]] {
        let [layer, _] = guarded(ClaimGuard::role("admin"), &headers).await;
        let [axum, actix] = require_extractor(&headers).await;
        parity::assert_same_answers(&format!("{headers:?}"), &[layer, axum, actix]);
    }
}

/// `/api/{user_id}/tasks` taking `OwnerOf<UserIdParam, MyClaims>`, in axum.
fn axum_typed_owner() -> Router {
    Router::new()
        .route(
            "/api/{user_id}/tasks",
            get(
                |owner: jwtguard::axum::OwnerOf<UserIdParam, MyClaims>| async move {
                    Json(json!({"owner": owner.user_id(), "email": owner.claims().email}))
                },
            ),
        )
        .with_state(verifier())
}

/// The same route in actix-web.
fn actix_typed_owner(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/api/{user_id}/tasks",
        web::get().to(
            |owner: jwtguard::actix::OwnerOf<UserIdParam, MyClaims>| async move {
                let email = owner.claims().email.clone();
                HttpResponse::Ok().json(json!({"owner": owner.user_id(), "email": email}))
            },
        ),
    );
}

/// `GET path` with `headers` through the typed owner route, in both
/// frameworks, with no layer.
async fn typed_owner(path: &str, headers: &[(&str, String)]) -> [(&'static str, Answer); 2] {
    let actix_app = App::new()
        .app_data(web::Data::new(verifier()))
        .configure(actix_typed_owner);
    parity::both(
        ["axum OwnerOf", "actix OwnerOf"],
        axum_typed_owner(),
        actix_app,
        "GET",
        path,
        headers,
    )
    .await
}

#[actix_web::test]
async fn a_typed_owner_on_their_own_path_gets_their_typed_claims() {
    let token = minter().claim("email", "ada@example.com").sign();
    for (name, answer) in typed_owner("/api/user-1/tasks", &[bearer(&token)]).await {
        assert_eq!(answer.status, 200, "{name}: {answer:?}");
        assert_eq!(
            answer.body,
            json!({"owner": "user-1", "email": "ada@example.com"}),
            "{name}"
        );
    }
}

#[actix_web::test]
async fn a_typed_owner_on_another_users_path_is_403_forbidden() {
    let token = minter().claim("email", "ada@example.com").sign();
    for (name, answer) in typed_owner("/api/user-2/tasks", &[bearer(&token)]).await {
        assert_eq!(answer.status, 403, "{name}: {answer:?}");
        assert_eq!(
            answer.body,
            json!({"detail": "Not authorized to access this resource", "code": "forbidden"}),
            "{name}"
        );
        assert_eq!(answer.header("www-authenticate"), None, "{name}");
    }
}

/// The same route behind the layer and the middleware; the actix app
/// registers no verifier, so the extractor's 403 uses the default rendering.
async fn typed_owner_behind_the_layer(
    path: &str,
    headers: &[(&str, String)],
) -> [(&'static str, Answer); 2] {
    let actix_app = App::new()
        .wrap(AuthMiddleware::new(verifier()))
        .configure(actix_typed_owner);
    parity::both(
        ["axum AuthLayer + OwnerOf", "actix AuthMiddleware + OwnerOf"],
        axum_typed_owner().layer(AuthLayer::new(verifier())),
        actix_app,
        "GET",
        path,
        headers,
    )
    .await
}

#[actix_web::test]
async fn behind_the_layer_a_typed_owner_answers_as_without_it() {
    let token = minter().claim("email", "ada@example.com").sign();
    for path in ["/api/user-1/tasks", "/api/user-2/tasks"] {
        let [without, _] = typed_owner(path, &[bearer(&token)]).await;
        let [axum, actix] = typed_owner_behind_the_layer(path, &[bearer(&token)]).await;
        parity::assert_same_answers(path, &[without, axum, actix]);
    }
}
