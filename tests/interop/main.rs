//! Tokens from the real issuers our users have: python-jose and PyJWT
//! (recorded fixtures) and the `better-auth` package itself (minted by
//! Node.js when the test runs).

#[path = "../common/jwks.rs"]
mod support;

#[path = "../common/call.rs"]
mod call;

mod better_auth;
mod oauth;
mod permissions;
mod python;
mod sessions;
mod sessions_production;
