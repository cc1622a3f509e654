//! # jwtguard
//!
//! Accept the credentials a Better Auth (Next.js) front end issues (its
//! JWTs, and its session cookies), in any Rust web service, and keep every
//! user's data to that user.
//!
//! Build one [`Verifier`] at start-up (from code, or from `BETTER_AUTH_SECRET`
//! with [`Verifier::from_env`]), share it, and turn a token, an
//! `Authorization` value or a request's headers into verified [`Claims`] or
//! an [`Error`] that knows its HTTP status, `WWW-Authenticate` challenge and
//! JSON body.
//!
//! The [`guide`] explains the rest: coming from FastAPI + python-jose,
//! the entry points (extractors, tower layer, actix-web middleware, tonic),
//! configuration, what is refused and why, Better Auth's JWT plugin,
//! sessions, WebSockets, OpenAPI and hardening.
//!
//! # Features
//!
//! | feature | what it adds |
//! |---|---|
//! | `simd` (default) | base64url segments decoded with SIMD (`base64-simd`), as strictly as without it; `default-features = false` decodes with the `base64` crate |
//! | `axum` | [`axum`]: `Auth`, `UserId`, `OwnerOf` as axum 0.8 extractors |
//! | `actix` | [`actix`]: the same as actix-web 4 extractors, plus `OptionalAuth` |
//! | `jwks` | Better Auth's JWT plugin: EdDSA, ES256, ES512, RS256, PS256 keys from a JWKS (`JwksSettings::json`, `fetcher`), the token cache |
//! | `jwks-fetch` | `JwksSettings::url` and `BETTER_AUTH_URL`: the JWKS fetched over HTTPS (ureq, rustls) |
//! | `session-jwe` | Better Auth's `jwe` cookie cache (AES-256-CBC + HMAC-SHA-512, HKDF keys); the `compact` and `jwt` caches and the signed session token need no feature |
//! | `session-http` | [`HttpSessionStore`]: session tokens resolved by Better Auth's `get-session` (ureq, rustls) |
//! | `session-sql` | [`SqlSessionStore`]: session tokens resolved in Better Auth's database (sqlx: PostgreSQL, SQLite) |
//! | `api-key` | [`ApiKeySettings`], [`SqlApiKeyStore`]: API keys of Better Auth's `@better-auth/api-key`, verified and counted in its database (sqlx: PostgreSQL, SQLite) |
//! | `session-redis` | [`RedisSessionStore`]: session tokens resolved in Better Auth's `secondaryStorage` in Redis (redis-rs, tokio); with `oauth`, [`oauth::RedisReplayStore`]; with `api-key`, `RedisApiKeyStore` (the plugin's keys kept in Redis) |
//! | `tower` | [`tower`]: `AuthLayer`, for a whole axum router, hyper service or tonic gRPC server |
//! | `tracing` | security events: refusals at DEBUG, misconfiguration and JWKS trouble at WARN; never a token |
//! | `test-util` | [`testing`]: mint tokens in your own tests |
//! | `utoipa` | [`openapi`]: the bearer security scheme, the 401/403 responses and the [`ErrorBody`] schema for utoipa 5 documents |
//!
//! # Example
//!
//! ```
//! use jwtguard::Verifier;
//!
//! let secret = "a-shared-secret-of-at-least-32-bytes!";
//! let verifier = Verifier::builder()
//!     .hs256_secret(secret)
//!     .claim_rules(|rules| rules.issuer("nextjs-frontend").audience("fastapi-backend"))
//!     .build()?;
//! # let token = jwtguard::testing::TokenMinter::new(secret).subject("user-1").sign();
//!
//! match verifier.verify(&token) {
//!     Ok(claims) => println!("user {}", claims.sub()),
//!     Err(err) => println!("{} {}", err.status(), err.body_json()),
//! }
//! # Ok::<(), jwtguard::ConfigError>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

// Dependencies run one way: the faces (axum, actix, tower, testing, openapi) -> verifier ->
// jwks, session -> keys, http -> token -> error. Modules import from the module that
// defines a thing, never from the re-exports below.
#[cfg(any(feature = "tower", feature = "actix"))]
mod admission;
mod api_key;
mod credential;
mod environment;
mod error;
mod http;
mod jwks;
mod keys;
pub mod oauth;
#[cfg(any(feature = "session-http", feature = "oauth-introspection"))]
mod offload;
mod session;
mod token;
mod trace;
mod verifier;

pub mod low_level;

#[cfg(feature = "axum")]
#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
pub mod axum;

#[cfg(feature = "actix")]
#[cfg_attr(docsrs, doc(cfg(feature = "actix")))]
pub mod actix;

#[cfg(feature = "test-util")]
#[cfg_attr(docsrs, doc(cfg(feature = "test-util")))]
pub mod testing;

#[cfg(feature = "tower")]
#[cfg_attr(docsrs, doc(cfg(feature = "tower")))]
pub mod tower;

#[cfg(feature = "utoipa")]
#[cfg_attr(docsrs, doc(cfg(feature = "utoipa")))]
pub mod openapi;

pub mod guide;

#[cfg(all(feature = "api-key", feature = "session-redis"))]
#[cfg_attr(docsrs, doc(cfg(all(feature = "api-key", feature = "session-redis"))))]
pub use api_key::RedisApiKeyStore;
#[cfg(feature = "api-key")]
#[cfg_attr(docsrs, doc(cfg(feature = "api-key")))]
pub use api_key::{ApiKeySettings, ApiKeyStore, SqlApiKeyStore};
pub use credential::{CredentialSources, RequestParts};
pub use environment::vars as env;
pub use error::config::ConfigError;
#[cfg(feature = "jwks")]
#[cfg_attr(docsrs, doc(cfg(feature = "jwks")))]
pub use error::jwks::{JwksError, SkippedKey};
pub use error::{Error, ErrorKind};
pub use http::credentials::HeaderSource;
pub use http::extractors::{Auth, OwnerOf, Require, UserId};
pub use http::owner::{PathParam, UserIdParam};
pub use http::response::{ErrorBody, Rejection};
#[cfg(feature = "jwks")]
#[cfg_attr(docsrs, doc(cfg(feature = "jwks")))]
pub use jwks::settings::JwksSettings;
#[cfg(feature = "oauth")]
#[cfg_attr(docsrs, doc(cfg(feature = "oauth")))]
pub use oauth::OAuthSettings;
pub use session::cookie_cache::CookieCacheStrategy;
#[cfg(feature = "session-http")]
#[cfg_attr(docsrs, doc(cfg(feature = "session-http")))]
pub use session::http_store::HttpSessionStore;
#[cfg(feature = "session-redis")]
#[cfg_attr(docsrs, doc(cfg(feature = "session-redis")))]
pub use session::redis_store::RedisSessionStore;
pub use session::settings::{SecureCookies, SessionSettings};
#[cfg(feature = "session-sql")]
#[cfg_attr(docsrs, doc(cfg(feature = "session-sql")))]
pub use session::sql_store::SqlSessionStore;
pub use session::store::{
    SessionLookup, SessionRecord, SessionStore, SessionStoreError, SessionToken,
};
pub use token::access_control::AccessControl;
pub use token::claims::{Claims, Credential, NumericDate};
pub use token::clock::Clock;
pub use token::decode::DecodeClaims;
pub use token::guard::{ClaimGuard, Guard};
pub use token::policy::ClaimCheck;
pub use token::rules::ClaimRules;
pub use verifier::builder::VerifierBuilder;
pub use verifier::{Verifier, optional};

// The README's Rust snippet compiles as a doctest (the guide's are in `guide`).
#[cfg(all(doctest, feature = "axum"))]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

/// The bounds jwtguard works within, and its defaults.
///
/// ```
/// assert_eq!(jwtguard::limits::MIN_SECRET_LEN, 32);
/// assert_eq!(jwtguard::limits::DEFAULT_MAX_TOKEN_LEN, 8 * 1024);
/// ```
pub mod limits {
    pub use crate::error::table::RETRY_AFTER_SECS;
    pub use crate::http::credentials::MAX_CHUNKED_COOKIE_LEN;
    #[cfg(feature = "jwks")]
    #[cfg_attr(docsrs, doc(cfg(feature = "jwks")))]
    pub use crate::jwks::cache::CACHE_MAX_TOKEN_LEN;
    #[cfg(feature = "jwks")]
    #[cfg_attr(docsrs, doc(cfg(feature = "jwks")))]
    pub use crate::jwks::document::{MAX_JWKS_KEYS, MAX_JWKS_LEN};
    #[cfg(feature = "jwks-fetch")]
    #[cfg_attr(docsrs, doc(cfg(feature = "jwks-fetch")))]
    pub use crate::jwks::fetch::{JWKS_CONNECT_TIMEOUT, JWKS_FETCH_TIMEOUT};
    #[cfg(feature = "jwks")]
    #[cfg_attr(docsrs, doc(cfg(feature = "jwks")))]
    pub use crate::jwks::settings::{
        DEFAULT_JWKS_BACKGROUND_RETRY, DEFAULT_JWKS_MAX_AGE, DEFAULT_JWKS_REFRESH_COOLDOWN,
        DEFAULT_JWKS_REFRESH_INTERVAL,
    };
    pub use crate::keys::hmac::{MAX_KEYS, MIN_SECRET_LEN};
    #[cfg(feature = "session-http")]
    #[cfg_attr(docsrs, doc(cfg(feature = "session-http")))]
    pub use crate::session::http_store::{
        DEFAULT_MAX_GET_SESSION_LEN, DEFAULT_MAX_SESSION_LOOKUPS, DEFAULT_SESSION_COOKIE_NAME,
        SESSION_HTTP_CONNECT_TIMEOUT, SESSION_HTTP_TIMEOUT,
    };
    #[cfg(feature = "session-redis")]
    #[cfg_attr(docsrs, doc(cfg(feature = "session-redis")))]
    pub use crate::session::redis_store::{
        DEFAULT_REDIS_CONNECTIONS, DEFAULT_REDIS_KEY_PREFIX, REDIS_CONNECT_TIMEOUT,
        REDIS_RESPONSE_TIMEOUT,
    };
    pub use crate::session::settings::DEFAULT_COOKIE_PREFIX;
    #[cfg(feature = "session-sql")]
    #[cfg_attr(docsrs, doc(cfg(feature = "session-sql")))]
    pub use crate::session::sql_store::BAN_COLUMNS_RECHECK;
    pub use crate::session::store::{
        DEFAULT_SESSION_CACHE_ENTRIES, DEFAULT_SESSION_CACHE_TTL, SESSION_CLAIMS,
    };
    pub use crate::verifier::builder::DEFAULT_MAX_TOKEN_LEN;
}
