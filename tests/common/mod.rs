//! Shared values for the integration tests.
#![allow(dead_code)]

pub mod call;
pub mod parity;
pub mod sessions;

use jwtguard::testing::TokenMinter;
use jwtguard::{Claims, Clock, Error, Verifier, VerifierBuilder};

pub const SECRET: &str = "test-secret-that-is-at-least-32-bytes-long";
pub const OTHER_SECRET: &str = "another-secret-that-is-at-least-32-bytes!";
/// A fixed "now" for tests that reason about time.
pub const NOW: i64 = 1_764_000_000;

pub fn builder() -> VerifierBuilder {
    Verifier::builder()
        .hs256_secret(SECRET)
        .clock(Clock::fixed_unix(NOW))
}

pub fn verifier() -> Verifier {
    builder().build().expect("test configuration is valid")
}

/// A minter with the test secret, "now" at [`NOW`], and `sub` = "user-1".
pub fn minter() -> TokenMinter {
    TokenMinter::new(SECRET).at(NOW).subject("user-1")
}

/// Signs raw JSON with the test secret.
pub fn raw(header: &str, payload: &str) -> String {
    jwtguard::testing::sign_raw(SECRET.as_bytes(), header, payload)
}

pub const HS256: &str = r#"{"alg":"HS256","typ":"JWT"}"#;

/// The claims of the credentials a `GET` request's headers carry: what a
/// framework without an adapter does with `verify_request_now`.
pub fn verify_headers(verifier: &Verifier, headers: &http::HeaderMap) -> Result<Claims, Error> {
    verifier
        .verify_request_now(&jwtguard::RequestParts::new("GET", None, headers))
        .expect("a JWT verifies without waiting")
}

/// The claims of the JWT in an `Authorization` value.
pub fn verify_authorization(verifier: &Verifier, value: impl AsRef<[u8]>) -> Result<Claims, Error> {
    verifier.verify(jwtguard::low_level::bearer_token(value.as_ref())?)
}
