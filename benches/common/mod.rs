//! What the benches share: the HS256 secret, the Better Auth-style token
//! (its claims, issuer and audience), the verifier that accepts it and
//! jsonwebtoken's matching validation, the claims types both read, a
//! forged copy of a token, and criterion's timing.
// Each bench uses a part.
#![allow(dead_code)]

use std::time::Duration;

use criterion::Criterion;
use jsonwebtoken::{Algorithm, Validation};
use jwtguard::Verifier;
use serde::Deserialize;

pub const SECRET: &str = "bench-secret-of-at-least-32-bytes-long!!";
pub const ISSUER: &str = "nextjs-frontend";
pub const AUDIENCE: &str = "fastapi-backend";
pub const IAT: i64 = 1_700_000_000;
pub const EXP: i64 = 4_000_000_000;
/// A Better Auth user id.
pub const SUB: &str = "Xk9mP2vL7qR4tW8yB3nF6hJ1cD5gS0aE";

/// The claims a Better Auth `jwt()` plugin token carries, for [`SECRET`].
#[cfg(feature = "test-util")]
pub fn minter() -> jwtguard::testing::TokenMinter {
    jwtguard::testing::TokenMinter::new(SECRET)
        .subject(SUB)
        .claim("email", "ada.lovelace@example.com")
        .claim("name", "Ada Lovelace")
        .issuer(ISSUER)
        .audience(AUDIENCE)
        .issued_at(IAT)
        .expires_at(EXP)
}

/// The verifier of [`minter`]'s tokens: [`SECRET`], [`ISSUER`], [`AUDIENCE`].
pub fn verifier() -> Verifier {
    Verifier::builder()
        .hs256_secret(SECRET)
        .claim_rules(|rules| rules.issuer(ISSUER).audience(AUDIENCE))
        .build()
        .expect("bench verifier config is valid")
}

/// jsonwebtoken's settings for what jwtguard checks: `alg`, the issuer and
/// audience, and `exp` and `sub` required.
pub fn jsonwebtoken_validation(alg: Algorithm, issuer: &str, audience: &str) -> Validation {
    let mut validation = Validation::new(alg);
    validation.set_issuer(&[issuer]);
    validation.set_audience(&[audience]);
    validation.set_required_spec_claims(&["exp", "sub"]);
    validation
}

/// `token` with its last two characters replaced: a signature that does
/// not match.
pub fn forged(token: &str) -> String {
    let mut forged = token.to_owned();
    forged.replace_range(forged.len() - 2.., "AA");
    forged
}

/// The claims of [`minter`]'s token, with owned fields.
#[derive(Debug, PartialEq, Deserialize)]
pub struct SmallClaims {
    pub sub: String,
    pub email: String,
    pub name: String,
    pub iat: u64,
    pub exp: u64,
    pub iss: String,
    pub aud: String,
}

/// The same claims borrowed from the decoded payload (`verify_borrowed`).
#[derive(Debug, Deserialize)]
pub struct SmallBorrowed<'a> {
    pub sub: &'a str,
    pub email: &'a str,
    pub name: &'a str,
    pub iat: u64,
    pub exp: u64,
    pub iss: &'a str,
    pub aud: &'a str,
}

/// Criterion's timing for the criterion benches: one second of warm-up,
/// three of measurement.
pub fn criterion() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
}
