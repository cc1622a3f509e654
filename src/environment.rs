//! The environment variables a Better Auth deployment already has, read by
//! [`Verifier::from_env`](crate::Verifier::from_env), and how a yes-or-no
//! variable is read. Each settings type reads its own (`verifier/env.rs`,
//! `session/env.rs`, `jwks/env.rs`).

use crate::error::config::ConfigError;

/// Environment variables read by [`Verifier::from_env`](crate::Verifier::from_env).
pub mod vars {
    /// The shared HS256 secret; the same value as the Next.js app's.
    pub const SECRET: &str = "BETTER_AUTH_SECRET";
    /// A second active secret during rotation (optional).
    pub const PREVIOUS_SECRET: &str = "BETTER_AUTH_SECRET_PREVIOUS";
    /// An accepted issuer, checked when a token has `iss` (optional).
    pub const ISSUER: &str = "JWT_ISSUER";
    /// An accepted audience, checked when a token has `aud` (optional).
    pub const AUDIENCE: &str = "JWT_AUDIENCE";
    /// Clock-skew leeway in whole seconds (default 0).
    pub const LEEWAY_SECONDS: &str = "JWT_LEEWAY_SECONDS";
    /// Better Auth's JWKS endpoint, for its JWT plugin's tokens (feature `jwks-fetch`).
    pub const JWKS_URL: &str = "BETTER_AUTH_JWKS_URL";
    /// The Better Auth app's base URL (feature `jwks-fetch`): its JWKS is at
    /// `{url}/api/auth/jwks`, and the plugin's tokens carry it as `iss` and `aud`.
    pub const BASE_URL: &str = "BETTER_AUTH_URL";
    /// Better Auth's rotation format, `"2:new,1:old"`, the current first
    /// (instead of `BETTER_AUTH_SECRET`, which then counts as the legacy secret).
    pub const SECRETS: &str = "BETTER_AUTH_SECRETS";
    /// Accept Better Auth's cookie cache: `compact`, `jwt` or `jwe`, as its
    /// `session.cookieCache.strategy`.
    pub const COOKIE_CACHE: &str = "BETTER_AUTH_COOKIE_CACHE";
    /// Resolve session tokens with the Better Auth app at this base URL
    /// (`{url}/api/auth/get-session`; feature `session-http`).
    pub const SESSION_URL: &str = "BETTER_AUTH_SESSION_URL";
    /// Resolve session tokens in Better Auth's `secondaryStorage` in the
    /// Redis at this URL (`redis://[user][:password@]host[:port][/db]`;
    /// feature `session-redis`). Never with [`SESSION_URL`].
    pub const REDIS_URL: &str = "BETTER_AUTH_REDIS_URL";
    /// The `keyPrefix` of the app's `redisStorage` (default `better-auth:`).
    /// An empty variable counts as unset, as every variable here: for an
    /// app with no prefix at all, build the store in code
    /// (`RedisSessionStore::key_prefix("")`).
    pub const REDIS_PREFIX: &str = "BETTER_AUTH_REDIS_PREFIX";
    /// `true`: also accept the bearer plugin's signed session tokens.
    pub const BEARER: &str = "BETTER_AUTH_BEARER";
    /// Better Auth's `advanced.cookiePrefix` (default `better-auth`).
    pub const COOKIE_PREFIX: &str = "BETTER_AUTH_COOKIE_PREFIX";
    /// `true`: read only the `__Secure-` cookie names (an `https://` app);
    /// `false`: only the plain ones; unset: only the `__Secure-` ones when
    /// `BETTER_AUTH_SESSION_URL` or `BETTER_AUTH_URL` is `https://`, else
    /// either (the `__Secure-` one winning).
    pub const SECURE_COOKIES: &str = "BETTER_AUTH_SECURE_COOKIES";
    /// `true`: accept a session secret shorter than 32 bytes (never an
    /// empty one), for an app that cannot rotate its secret yet; it is then
    /// not used for HS256 tokens. See `SessionSettings::allow_short_secret`.
    pub const ALLOW_SHORT_SECRET: &str = "BETTER_AUTH_ALLOW_SHORT_SECRET";
    /// `1` or `true`: fetch the JWKS of [`JWKS_URL`] or [`BASE_URL`] in the
    /// background, not before `from_env` returns (feature `jwks-fetch`; see
    /// `JwksSettings::background_start`). `0`, `false` or unset: fetch
    /// it first.
    pub const JWKS_BACKGROUND_START: &str = "JWKS_BACKGROUND_START";
    /// This service's OAuth resource identifier (its canonical URI): accept
    /// Better Auth's OAuth access tokens for it (feature `oauth`).
    pub const OAUTH_RESOURCE: &str = "OAUTH_RESOURCE";
    /// The OAuth provider's issuer (default: [`BASE_URL`] + `/api/auth`).
    pub const OAUTH_ISSUER: &str = "OAUTH_ISSUER";
    /// The scopes the metadata document lists, space-separated.
    pub const OAUTH_SCOPES: &str = "OAUTH_SCOPES";
    /// The public origin clients reach this service at, behind a proxy
    /// (default: [`OAUTH_RESOURCE`]'s origin): DPoP's `htu` is checked on it.
    pub const OAUTH_PUBLIC_URL: &str = "OAUTH_PUBLIC_URL";
    /// This service's OAuth client id: with [`OAUTH_CLIENT_SECRET`], opaque
    /// access tokens are introspected (feature `oauth-introspection`).
    pub const OAUTH_CLIENT_ID: &str = "OAUTH_CLIENT_ID";
    /// This service's OAuth client secret (never logged).
    pub const OAUTH_CLIENT_SECRET: &str = "OAUTH_CLIENT_SECRET";
    /// The introspection endpoint (default: [`OAUTH_ISSUER`] + `/oauth2/introspect`,
    /// where Better Auth's provider serves it).
    pub const OAUTH_INTROSPECTION_URL: &str = "OAUTH_INTROSPECTION_URL";
}

/// A yes-or-no variable: `1`/`true` or `0`/`false` (in any case); `None`
/// when unset.
pub(crate) fn flag(
    read: &impl Fn(&str) -> Option<String>,
    var: &'static str,
) -> Result<Option<bool>, ConfigError> {
    let Some(value) = read(var) else {
        return Ok(None);
    };
    match value.trim().to_ascii_lowercase().as_str() {
        "1" | "true" => Ok(Some(true)),
        "0" | "false" => Ok(Some(false)),
        _ => Err(ConfigError::InvalidEnv {
            var,
            expected: "1, true, 0 or false",
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flag_is_one_true_zero_or_false_and_nothing_else() {
        for (value, expected) in [
            ("1", true),
            ("true", true),
            (" TRUE ", true),
            ("0", false),
            ("false", false),
            ("False", false),
        ] {
            let read = |_: &str| Some(value.to_owned());
            assert_eq!(flag(&read, "V"), Ok(Some(expected)), "{value}");
        }
        for value in ["yes", "on", "2", "tru", "\u{0}"] {
            let read = |_: &str| Some(value.to_owned());
            let err = flag(&read, vars::JWKS_BACKGROUND_START).unwrap_err();
            assert_eq!(
                err,
                ConfigError::InvalidEnv {
                    var: vars::JWKS_BACKGROUND_START,
                    expected: "1, true, 0 or false"
                },
                "{value}"
            );
            assert!(err.to_string().starts_with("JWKS_BACKGROUND_START must be"));
        }
        assert_eq!(flag(&|_: &str| None, "V"), Ok(None));
    }
}
