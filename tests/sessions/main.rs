//! Better Auth session credentials through both adapters: the signed
//! session cookie and bearer token resolved by a store, the cookie cache,
//! and every way they are refused.

#[path = "../common/mod.rs"]
mod common;

mod config;
mod memo;
mod requests;
mod store;

use jwtguard::{Clock, Verifier, VerifierBuilder};
use serde_json::{Value, json};

use common::{NOW, SECRET};

pub use common::sessions::{MemoryStore, session};

/// A verifier accepting HS256 JWTs and the given session settings, at [`NOW`].
pub fn builder() -> VerifierBuilder {
    common::builder().sessions(|sessions| sessions.secret(SECRET))
}

pub fn fixed_clock() -> Clock {
    Clock::fixed_unix(NOW)
}

pub use common::call::Answer;

/// The routes both frameworks serve: `/me` (claims, their kind and `sid`),
/// `/api/{user_id}/tasks` (the owner check) and `/typed` (a custom type).
pub async fn send_axum(
    verifier: &Verifier,
    method: &str,
    path: &str,
    headers: &[(&str, String)],
) -> Answer {
    use axum::routing::any;
    use axum::{Json, Router};
    use jwtguard::axum::{Auth, OwnerOf};

    let app = Router::new()
        .route(
            "/me",
            any(|Auth(c): Auth| async move { Json(describe(&c)) }),
        )
        .route(
            "/api/{user_id}/tasks",
            any(|owner: OwnerOf| async move { Json(json!({"owner": owner.user_id()})) }),
        )
        .route(
            "/typed",
            any(
                |Auth(t): Auth<Typed>| async move { Json(json!({"sub": t.sub, "email": t.email})) },
            ),
        )
        .with_state(verifier.clone());
    common::call::axum(app, method, path, headers).await
}

pub async fn send_actix(
    verifier: &Verifier,
    method: &str,
    path: &str,
    headers: &[(&str, String)],
) -> Answer {
    use actix_web::{App, HttpResponse, test, web};
    use jwtguard::actix::{Auth, OwnerOf};

    let service = test::init_service(
        App::new()
            .app_data(web::Data::new(verifier.clone()))
            .route(
                "/me",
                web::route()
                    .to(|Auth(c): Auth| async move { HttpResponse::Ok().json(describe(&c)) }),
            )
            .route(
                "/api/{user_id}/tasks",
                web::route().to(|owner: OwnerOf| async move {
                    HttpResponse::Ok().json(json!({"owner": owner.user_id()}))
                }),
            )
            .route(
                "/typed",
                web::route().to(|Auth(t): Auth<Typed>| async move {
                    HttpResponse::Ok().json(json!({"sub": t.sub, "email": t.email}))
                }),
            ),
    )
    .await;
    common::call::actix(&service, method, path, headers).await
}

/// Sends the same request through axum and actix-web, checks that both
/// answer alike, and returns the answer.
pub async fn send(
    verifier: &Verifier,
    method: &str,
    path: &str,
    headers: &[(&str, String)],
) -> Answer {
    let answers = [
        ("axum", send_axum(verifier, method, path, headers).await),
        ("actix", send_actix(verifier, method, path, headers).await),
    ];
    common::parity::assert_same_answers(&format!("{method} {path}"), &answers);
    let [(_, axum), _] = answers;
    axum
}

#[derive(serde::Deserialize)]
pub struct Typed {
    pub sub: String,
    pub email: String,
}

fn describe(claims: &jwtguard::Claims) -> Value {
    json!({
        "sub": claims.sub(),
        "sid": claims.sid(),
        "credential": format!("{:?}", claims.credential()),
        "email": claims.get("email"),
        "exp": claims.exp().map(|exp| exp.unix_timestamp()),
    })
}

/// `Cookie: better-auth.session_token=...` (and more pairs).
pub fn cookies(pairs: &[(&str, String)]) -> (&'static str, String) {
    let value: Vec<String> = pairs
        .iter()
        .map(|(name, value)| format!("{name}={value}"))
        .collect();
    ("cookie", value.join("; "))
}

pub const TOKEN_COOKIE: &str = "better-auth.session_token";
pub const DATA_COOKIE: &str = "better-auth.session_data";
