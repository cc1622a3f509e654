//! Authenticating whole services: the tower `AuthLayer` (axum routers, plain
//! tower services, gRPC) and the actix-web `AuthMiddleware`. They answer as
//! the extractors do, hand the claims to the handlers and to the extractors
//! behind them, apply claim guards, wait for session stores, answer gRPC
//! calls with gRPC statuses, and leave preflights to a CORS layer outside.

#[path = "../common/mod.rs"]
mod common;

mod cors;
mod extensions;
mod grpc_answers;
mod guards;
mod optional;
mod parity;
mod waiting;

use jwtguard::testing::SessionMinter;
use jwtguard::{Claims, actix::AuthMiddleware, tower::AuthLayer};
use serde_json::Value;

use common::call::Answer;

/// `Authorization: Bearer <token>`.
pub fn bearer(token: &str) -> (&'static str, String) {
    ("authorization", format!("Bearer {token}"))
}

/// A claims type of the application's own: `sub` and a required `email`.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct MyClaims {
    pub sub: String,
    pub email: String,
}

pub use common::sessions::{MemoryStore, session};

/// A verifier that resolves session cookies through `store`, asking it on
/// every request (no cache), at `NOW`.
pub fn session_verifier(store: &MemoryStore) -> jwtguard::Verifier {
    common::builder()
        .sessions(|sessions| {
            sessions
                .secret(common::SECRET)
                .store(store.clone())
                .store_cache(std::time::Duration::ZERO, 100)
        })
        .build()
        .unwrap()
}

/// `Cookie: better-auth.session_token=<the session's signed token>`.
pub fn session_cookie(session: &SessionMinter) -> (&'static str, String) {
    (
        "cookie",
        format!("better-auth.session_token={}", session.cookie_value()),
    )
}

/// `method path` with `headers` through the two whole-app entry points: an
/// axum router behind `layer` and an actix-web app wrapped in `middleware`,
/// each serving `/me` (any method) with the JSON `answer` makes of the
/// claims it was handed.
pub async fn through_layer_and_middleware(
    layer: AuthLayer,
    middleware: AuthMiddleware,
    answer: fn(&Claims) -> Value,
    method: &str,
    path: &str,
    headers: &[(&str, String)],
) -> [(&'static str, Answer); 2] {
    use actix_web::{App, HttpResponse, web};
    use axum::{Extension, Json, Router, routing::any};
    let axum_app = Router::new()
        .route(
            "/me",
            any(move |Extension(claims): Extension<Claims>| async move { Json(answer(&claims)) }),
        )
        .layer(layer);
    let actix_app = App::new().wrap(middleware).route(
        "/me",
        web::route().to(move |claims: web::ReqData<Claims>| async move {
            HttpResponse::Ok().json(answer(&claims))
        }),
    );
    common::parity::both(
        ["axum AuthLayer", "actix AuthMiddleware"],
        axum_app,
        actix_app,
        method,
        path,
        headers,
    )
    .await
}
