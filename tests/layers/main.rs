//! Authenticating whole services: the tower `AuthLayer` (axum routers, plain
//! tower services, gRPC) and the actix-web `AuthMiddleware`. They answer as
//! the extractors do, hand the claims to the handlers and to the extractors
//! behind them, apply claim guards, wait for session stores, answer gRPC
//! calls with gRPC statuses, and leave preflights to a CORS layer outside.

#[path = "../common/mod.rs"]
mod common;

mod extensions;
mod guards;
mod optional;
mod parity;

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
