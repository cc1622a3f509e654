//! The slow path: a Better Auth session cookie is resolved by a session
//! store, so the layer and the middleware must wait before they let the
//! request in or refuse it. They answer as on the fast path, the extractors
//! behind them do not look the session up again, and a fresh cookie cache
//! needs no lookup at all.

use actix_web::{App, HttpResponse, test, web};
use axum::routing::get;
use axum::{Json, Router};
use jwtguard::actix::AuthMiddleware;
use jwtguard::tower::AuthLayer;
use jwtguard::{ClaimGuard, Claims, CookieCacheStrategy, Verifier};
use serde_json::{Value, json};

use crate::common::SECRET;
use crate::common::call::{self, Answer};
use crate::{MemoryStore, session, session_cookie, session_verifier, through_layer_and_middleware};

fn describe(claims: &Claims) -> Value {
    json!({
        "sub": claims.sub(),
        "sid": claims.sid(),
        "credential": format!("{:?}", claims.credential()),
        "email": claims.get("email"),
    })
}

/// `headers` sent through the layer and the middleware of `verifier` (with
/// `guard`, if any).
async fn both(
    verifier: &Verifier,
    guard: Option<ClaimGuard>,
    headers: &[(&str, String)],
) -> [(&'static str, Answer); 2] {
    let mut layer = AuthLayer::new(verifier.clone());
    let mut middleware = AuthMiddleware::new(verifier.clone());
    if let Some(guard) = guard {
        layer = layer.require(guard.clone());
        middleware = middleware.require(guard);
    }
    through_layer_and_middleware(layer, middleware, describe, "GET", "/me", headers).await
}

#[actix_web::test]
async fn a_session_found_in_the_store_is_let_in_with_its_claims() {
    let store = MemoryStore::with(&[&session()]);
    for (name, answer) in both(
        &session_verifier(&store),
        None,
        &[session_cookie(&session())],
    )
    .await
    {
        assert_eq!(answer.status, 200, "{name}: {answer:?}");
        assert_eq!(
            answer.body,
            json!({
                "sub": "user-1",
                "sid": "session-1",
                "credential": "SessionToken",
                "email": "ada@example.com",
            }),
            "{name}"
        );
    }
    assert_eq!(store.lookups(), 2, "one lookup per request");
}

#[actix_web::test]
async fn a_session_missing_from_the_store_is_401_session_not_found() {
    let store = MemoryStore::with(&[&session()]);
    let signed_out = session().token("signedOutSessionToken0123456789ab");
    for (name, answer) in both(
        &session_verifier(&store),
        None,
        &[session_cookie(&signed_out)],
    )
    .await
    {
        assert_eq!(answer.status, 401, "{name}: {answer:?}");
        assert_eq!(
            answer.body,
            json!({"detail": "Session is not valid", "code": "session_not_found"}),
            "{name}"
        );
        let challenge = answer.header("www-authenticate").unwrap_or_default();
        assert!(
            challenge.starts_with(r#"Bearer error="invalid_token""#),
            "{name}: {challenge}"
        );
    }
}

#[actix_web::test]
async fn a_store_that_cannot_answer_is_503_with_retry_after() {
    let store = MemoryStore::with(&[&session()]);
    store.set_down(true);
    for (name, answer) in both(
        &session_verifier(&store),
        None,
        &[session_cookie(&session())],
    )
    .await
    {
        assert_eq!(answer.status, 503, "{name}: {answer:?}");
        assert_eq!(
            answer.body,
            json!({"detail": "Sessions are temporarily unavailable", "code": "temporarily_unavailable"}),
            "{name}"
        );
        assert_eq!(answer.header("retry-after"), Some("10"), "{name}");
    }
}

#[actix_web::test]
async fn a_guard_applies_to_the_claims_of_a_session() {
    let admin = ClaimGuard::role("admin");
    let user_session = session().user_field("role", "user");
    let store = MemoryStore::with(&[&user_session]);
    for (name, answer) in both(
        &session_verifier(&store),
        Some(admin.clone()),
        &[session_cookie(&user_session)],
    )
    .await
    {
        assert_eq!(
            (answer.status, answer.code()),
            (403, Some("insufficient_scope")),
            "{name}"
        );
    }
    let admin_session = session().user_field("role", "admin");
    let store = MemoryStore::with(&[&admin_session]);
    for (name, answer) in both(
        &session_verifier(&store),
        Some(admin),
        &[session_cookie(&admin_session)],
    )
    .await
    {
        assert_eq!(answer.status, 200, "{name}: {answer:?}");
    }
}

#[tokio::test]
async fn behind_the_layer_the_axum_extractor_does_not_look_the_session_up_again() {
    let store = MemoryStore::with(&[&session()]);
    let app = Router::new()
        .route(
            "/me",
            get(
                |jwtguard::axum::Auth(claims): jwtguard::axum::Auth| async move {
                    Json(describe(&claims))
                },
            ),
        )
        .with_state(session_verifier(&store))
        .layer(AuthLayer::new(session_verifier(&store)));
    let answer = call::axum(app, "GET", "/me", &[session_cookie(&session())]).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(store.lookups(), 1);
}

#[actix_web::test]
async fn behind_the_middleware_the_actix_extractor_does_not_look_the_session_up_again() {
    let store = MemoryStore::with(&[&session()]);
    let app = test::init_service(
        App::new()
            .app_data(web::Data::new(session_verifier(&store)))
            .wrap(AuthMiddleware::new(session_verifier(&store)))
            .route(
                "/me",
                web::get().to(
                    |jwtguard::actix::Auth(claims): jwtguard::actix::Auth| async move {
                        HttpResponse::Ok().json(describe(&claims))
                    },
                ),
            ),
    )
    .await;
    let answer = call::actix(&app, "GET", "/me", &[session_cookie(&session())]).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(store.lookups(), 1);
}

#[actix_web::test]
async fn a_fresh_cookie_cache_is_let_in_without_asking_the_store() {
    let store = MemoryStore::with(&[&session()]);
    let verifier = crate::common::builder()
        .sessions(|sessions| {
            sessions
                .secret(SECRET)
                .cookie_cache(CookieCacheStrategy::Compact)
                .store(store.clone())
        })
        .build()
        .unwrap();
    let cookies = (
        "cookie",
        format!(
            "better-auth.session_token={}; better-auth.session_data={}",
            session().cookie_value(),
            session().cookie_cache(CookieCacheStrategy::Compact),
        ),
    );
    for (name, answer) in both(&verifier, None, &[cookies]).await {
        assert_eq!(answer.status, 200, "{name}: {answer:?}");
        assert_eq!(answer.body["credential"], "CookieCache", "{name}");
        assert_eq!(answer.body["sub"], "user-1", "{name}");
    }
    assert_eq!(store.lookups(), 0);
}
