//! Better Auth's JWT plugin keys: every algorithm, key binding, rotation over
//! a loopback JWKS, reload limits, maximum age, cache, background start, and
//! both adapters.

#[path = "../common/jwks.rs"]
mod support;

#[path = "../common/call.rs"]
mod call;

#[cfg(all(feature = "axum", feature = "actix"))]
mod adapters;
mod background;
mod keys;
