//! What can be wrong with a verifier's configuration.

use std::fmt;

use thiserror::Error as ThisError;

#[cfg(feature = "jwks")]
use crate::error::jwks::JwksError;

/// A verifier could not be built. Messages name the setting and what to do;
/// they never contain a secret. `Debug` prints the same message, so that
/// `fn main() -> Result<(), Box<dyn Error>>` shows it as it is.
///
/// ```
/// use jwtguard::{ConfigError, Verifier};
///
/// let err = Verifier::builder().hs256_secret("short").build().unwrap_err();
/// assert!(matches!(err, ConfigError::SecretTooShort { .. }));
/// assert!(err.to_string().contains("at least 32 bytes"));
/// ```
#[non_exhaustive]
#[derive(Clone, PartialEq, Eq, ThisError)]
pub enum ConfigError {
    /// No key was configured.
    #[error(
        "no verification key configured: call .hs256_secret(..) (or set BETTER_AUTH_SECRET), \
         or .jwks(|keys| keys.url(..)) / .jwks(|keys| keys.json(..)) for Better Auth's JWT plugin"
    )]
    NoKeys,
    /// A secret is shorter than [`MIN_SECRET_LEN`](crate::limits::MIN_SECRET_LEN).
    #[error(
        "{origin} is too short ({len} bytes); HS256 needs at least 32 bytes (RFC 7518 3.2). \
         Use the same long random value as the Next.js app, e.g. `openssl rand -base64 32`"
    )]
    SecretTooShort {
        /// Where the secret came from (an environment variable or the builder call).
        origin: String,
        /// Its length in bytes.
        len: usize,
    },
    /// A secret is Better Auth's public default,
    /// `better-auth-secret-12345678901234567890`, which Better Auth uses
    /// when the app sets none: anyone can sign credentials with it.
    #[error(
        "{origin} is Better Auth's public default secret: anyone can sign tokens and session \
         cookies with it. Set BETTER_AUTH_SECRET in the Next.js app and here to the same long \
         random value, e.g. `openssl rand -base64 32`"
    )]
    PublicDefaultSecret {
        /// Where the secret came from (an environment variable or the builder call).
        origin: String,
    },
    /// A session secret is empty: anyone could sign a session cookie.
    #[error("{origin} is empty: set it to the Better Auth app's BETTER_AUTH_SECRET")]
    EmptySecret {
        /// Where the secret came from.
        origin: String,
    },
    /// A session secret is shorter than [`MIN_SECRET_LEN`](crate::limits::MIN_SECRET_LEN)
    /// bytes, and short secrets were not explicitly allowed.
    #[error(
        "{origin} is too short ({len} bytes): session cookies signed with it can be forged by \
         guessing it. Rotate the Better Auth app's secret to at least 32 random bytes \
         (`openssl rand -base64 32`); until then, .sessions(|sessions| sessions.allow_short_secret()) or \
         BETTER_AUTH_ALLOW_SHORT_SECRET=true accepts it"
    )]
    SessionSecretTooShort {
        /// Where the secret came from.
        origin: String,
        /// Its length in bytes.
        len: usize,
    },
    /// More keys than [`MAX_KEYS`](crate::limits::MAX_KEYS) were configured.
    #[error("at most {max} keys may be active at once")]
    TooManyKeys {
        /// The limit.
        max: usize,
    },
    /// A key id was empty or given to two keys.
    #[error("every key id must be non-empty and unique")]
    InvalidKeyId,
    /// A claim check was enabled without any accepted value.
    #[error("the {claim} check is enabled but no accepted {claim} was given: call .{setter}(..)")]
    CheckWithoutValues {
        /// `iss` or `aud`.
        claim: &'static str,
        /// The builder method that adds accepted values.
        setter: &'static str,
    },
    /// `CredentialSources::cookie_origins` was set, but no credential is
    /// read from a cookie.
    #[error(
        "cookie_origins guards cookie credentials: add .credential_sources(|sources| sources.token_cookie(..)) or accept \
         Better Auth's session cookies (.sessions(|sessions| sessions.store(..)) or .sessions(|sessions| sessions.cookie_cache(..))) too"
    )]
    OriginsWithoutCookie,
    /// Session credentials are accepted, but no Better Auth secret was given.
    #[error(
        "session credentials are signed with Better Auth's secret: call .sessions(|sessions| sessions.secret(..)) \
         (or set BETTER_AUTH_SECRET or BETTER_AUTH_SECRETS)"
    )]
    SessionsWithoutSecret,
    /// Session tokens are accepted with nothing to resolve them: no store
    /// and no cookie cache.
    #[error(
        "a session token names a session that must be looked up: call .sessions(|sessions| sessions.store(..)) \
         or .sessions(|sessions| sessions.cookie_cache(..))"
    )]
    SessionsWithoutResolver,
    /// A cookie name is empty or holds a character a cookie name cannot.
    #[error("a cookie name must be non-empty visible ASCII without '=', ';' or ','")]
    InvalidCookieName,
    /// The WebSocket token's query parameter name is empty or holds a
    /// character other than ASCII letters, digits, `-`, `_` and `.`.
    #[error("a query parameter name must be non-empty ASCII letters, digits, '-', '_' or '.'")]
    InvalidQueryParameter,
    /// A session setting is out of range; the text says which.
    #[error("{0}")]
    InvalidSessionSetting(&'static str),
    /// An API key setting is out of range; the text says which.
    #[error("{0}")]
    InvalidApiKeySetting(&'static str),
    /// An allowed origin is empty or `null`.
    #[error(
        "an allowed origin must be a scheme, host and optional port, such as \
         https://app.example.com (never empty or \"null\")"
    )]
    InvalidOrigin,
    /// The maximum token length is zero.
    #[error("the maximum token length must be greater than zero")]
    InvalidMaxTokenLength,
    /// The JWKS could not be loaded or used (feature `jwks`).
    #[cfg(feature = "jwks")]
    #[error("JWKS from {origin}: {error}")]
    Jwks {
        /// Where it came from: the URL (and the variable that named it), or
        /// the builder call.
        origin: String,
        /// What went wrong.
        error: JwksError,
    },
    /// A token cache was asked for without a JWKS (feature `jwks`): HS256
    /// tokens are cheaper to check than to look up.
    #[cfg(feature = "jwks")]
    #[error(
        "the token cache holds JWKS-verified tokens: configure .jwks(|keys| keys.url(..)) or .jwks(|keys| keys.json(..))"
    )]
    CacheWithoutJwks,
    /// A JWKS setting is out of range (feature `jwks`); the text says which.
    #[cfg(feature = "jwks")]
    #[error("{0}")]
    InvalidJwksSetting(&'static str),
    /// The JWKS URL is not `https://`, or `http://` to a loopback host
    /// (feature `jwks-fetch`).
    #[cfg(feature = "jwks-fetch")]
    #[error(
        "the JWKS URL must be https:// (or http:// to localhost); \
         fetch other URLs yourself with .jwks(|keys| keys.fetcher(..))"
    )]
    InvalidJwksUrl,
    /// A required environment variable is not set.
    #[error("{var} is not set: {hint}")]
    MissingEnv {
        /// The variable.
        var: &'static str,
        /// What to set it to.
        hint: &'static str,
    },
    /// A variable is set whose feature this build lacks: for example
    /// `BETTER_AUTH_URL` without the `jwks-fetch` feature.
    #[error(
        "{var} is set, but this build of jwtguard lacks the `{feature}` feature: enable it, or unset {var}"
    )]
    FeatureDisabled {
        /// The variable.
        var: &'static str,
        /// The cargo feature that reads it.
        feature: &'static str,
    },
    /// An OAuth resource-server setting cannot be used (feature `oauth`):
    /// no or an invalid `resource`, no issuer, an unknown DPoP algorithm.
    #[error("OAuth {setting}: {problem}")]
    InvalidOAuth {
        /// The setting (`OAuthSettings` method or environment variable).
        setting: &'static str,
        /// What is wrong, and what to do.
        problem: &'static str,
    },
    /// An access-control definition is not `{"roles": {"<role>": {"<resource>":
    /// ["<action>", ...]}}}`.
    #[error(
        "the access-control JSON must be {{\"roles\": {{\"<role>\": {{\"<resource>\": [\"<action>\", ...]}}}}}}"
    )]
    InvalidAccessControl,
    /// An environment variable holds a value that cannot be used.
    #[error("{var} must be {expected}")]
    InvalidEnv {
        /// The variable.
        var: &'static str,
        /// What it must hold.
        expected: &'static str,
    },
}

impl fmt::Debug for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_reads_as_the_message() {
        let err = ConfigError::SecretTooShort {
            origin: "BETTER_AUTH_SECRET".into(),
            len: 10,
        };
        assert_eq!(format!("{err:?}"), err.to_string());
        assert!(format!("{err:?}").starts_with("BETTER_AUTH_SECRET is too short (10 bytes)"));
    }
}
