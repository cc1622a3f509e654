//! # jwtguard
//!
//! Accept the JWTs a Better Auth (Next.js) front end issues, in any Rust web
//! service, and keep every user's data to that user.
//!
//! Build one [`Verifier`] at start-up (from code, or from `BETTER_AUTH_SECRET`
//! with [`Verifier::from_env`]), share it, and turn a token, an
//! `Authorization` value or a request's headers into verified [`Claims`] or
//! an [`Error`] that knows its HTTP status, `WWW-Authenticate` challenge and
//! JSON body.
//!
//! ```
//! use jwtguard::Verifier;
//!
//! let secret = "a-shared-secret-of-at-least-32-bytes!";
//! let verifier = Verifier::builder()
//!     .hs256_secret(secret)
//!     .issuer("nextjs-frontend")
//!     .audience("fastapi-backend")
//!     .build()?;
//! # let token = jwtguard::testing::TokenMinter::new(secret).subject("user-1").sign();
//!
//! match verifier.verify_authorization(format!("Bearer {token}")) {
//!     Ok(claims) => println!("user {}", claims.sub()),
//!     Err(err) => println!("{} {}", err.status(), err.body_json()),
//! }
//! # Ok::<(), jwtguard::ConfigError>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod bearer;
mod builder;
#[cfg(feature = "jwks")]
mod builder_jwks;
mod claims;
mod clock;
mod compact;
mod config;
mod error;
mod events;
mod extractors;
#[cfg(feature = "jwks-fetch")]
mod fetch;
mod header;
mod hs256;
#[cfg(feature = "jwks")]
mod jwks;
#[cfg(feature = "jwks")]
mod jwks_keys;
mod keys;
mod owner;
#[cfg(feature = "jwks")]
mod public_key;
#[cfg(feature = "jwks")]
mod refresh;
mod rejection;
mod strict_de;
mod strict_json;
#[cfg(feature = "jwks")]
mod token_cache;
mod validation;
mod verifier;
#[cfg(feature = "jwks")]
mod verifier_jwks;

#[cfg(feature = "axum")]
#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
pub mod axum;

#[cfg(feature = "actix")]
#[cfg_attr(docsrs, doc(cfg(feature = "actix")))]
pub mod actix;

#[cfg(feature = "test-util")]
#[cfg_attr(docsrs, doc(cfg(feature = "test-util")))]
pub mod testing;

pub use bearer::HeaderSource;
pub use builder::{DEFAULT_MAX_TOKEN_LEN, VerifierBuilder};
#[cfg(feature = "jwks")]
#[cfg_attr(docsrs, doc(cfg(feature = "jwks")))]
pub use builder_jwks::{
    DEFAULT_JWKS_MAX_AGE, DEFAULT_JWKS_REFRESH_COOLDOWN, DEFAULT_JWKS_REFRESH_INTERVAL,
};
pub use claims::{Claims, NumericDate};
pub use clock::Clock;
pub use config::{ConfigError, MIN_SECRET_LEN, env};
pub use error::{Error, ErrorKind};
pub use extractors::{Auth, OwnerOf, UserId};
#[cfg(feature = "jwks-fetch")]
#[cfg_attr(docsrs, doc(cfg(feature = "jwks-fetch")))]
pub use fetch::{JWKS_CONNECT_TIMEOUT, JWKS_FETCH_TIMEOUT};
#[cfg(feature = "jwks")]
#[cfg_attr(docsrs, doc(cfg(feature = "jwks")))]
pub use jwks::{JwksError, MAX_JWKS_KEYS, MAX_JWKS_LEN, SkippedKey};
pub use keys::MAX_KEYS;
pub use owner::{PathParam, UserIdParam, check_owner};
pub use rejection::{ErrorBody, RETRY_AFTER_SECS, Rejection};
#[cfg(feature = "jwks")]
#[cfg_attr(docsrs, doc(cfg(feature = "jwks")))]
pub use token_cache::CACHE_MAX_TOKEN_LEN;
#[cfg(feature = "jwks")]
#[doc(hidden)]
pub use token_cache::CachedToken;
pub use validation::ClaimCheck;
pub use verifier::{DecodeClaims, Verifier};
