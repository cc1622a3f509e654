//! Configuration from the environment: the variables a Better Auth
//! deployment already has.

use std::time::Duration;

use zeroize::Zeroizing;

use crate::error::config::ConfigError;
use crate::keys::hmac::MIN_SECRET_LEN;
use crate::session::secrets::parse_secrets;
use crate::session::settings::{SecureCookies, SessionSettings};
#[cfg(feature = "jwks-fetch")]
use crate::token::policy::ClaimCheck;
use crate::verifier::Verifier;
use crate::verifier::builder::VerifierBuilder;
use vars as env;

/// Environment variables read by [`Verifier::from_env`].
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
}

impl Verifier {
    /// Builds a verifier from the process environment:
    ///
    /// | variable | meaning |
    /// |---|---|
    /// | `BETTER_AUTH_SECRET` | required (unless one of the next or a JWKS variable is set); the shared secret, at least 32 bytes: HS256 tokens and session credentials |
    /// | `BETTER_AUTH_SECRETS` | optional; Better Auth's rotation format `2:new,1:old`, the current first: every entry is an HS256 secret, the first signs session credentials, all decrypt a `jwe` cache (a different `BETTER_AUTH_SECRET` too, as Better Auth's legacy secret) |
    /// | `BETTER_AUTH_SECRET_PREVIOUS` | optional, without `BETTER_AUTH_SECRETS`; a second active secret for rotation |
    /// | `JWT_ISSUER` | optional; checked when a token has `iss` |
    /// | `JWT_AUDIENCE` | optional; checked when a token has `aud` |
    /// | `JWT_LEEWAY_SECONDS` | optional; default 0 |
    /// | `BETTER_AUTH_JWKS_URL` | feature `jwks-fetch`: accept the JWT plugin's tokens, keys from this JWKS |
    /// | `BETTER_AUTH_URL` | feature `jwks-fetch`: the same with `{url}/api/auth/jwks`; the plugin's tokens must carry the URL as `iss` and `aud` (as Better Auth's own `verifyJWT` requires), and HS256 tokens may carry it next to `JWT_ISSUER`/`JWT_AUDIENCE` |
    /// | `JWKS_BACKGROUND_START` | feature `jwks-fetch`, optional: `1`/`true` fetches that JWKS in the background (`JwksSettings::background_start`); `0`/`false` (the default) fetches it here |
    /// | `BETTER_AUTH_COOKIE_CACHE` | optional: accept Better Auth's session cookie with its cookie cache of this strategy, `compact`, `jwt` or `jwe` (feature `session-jwe`) |
    /// | `BETTER_AUTH_SESSION_URL` | feature `session-http`, optional: accept Better Auth's session cookie, resolved by `{url}/api/auth/get-session` |
    /// | `BETTER_AUTH_BEARER` | optional, `true`/`false`: with one of the two above, also accept the bearer plugin's signed session tokens |
    /// | `BETTER_AUTH_COOKIE_PREFIX` | optional: Better Auth's `advanced.cookiePrefix` (default `better-auth`), for the cookies read and the one `get-session` is asked with |
    /// | `BETTER_AUTH_SECURE_COOKIES` | optional: `true` reads only the `__Secure-` cookie names, `false` only the plain ones; unset, only the `__Secure-` ones when `BETTER_AUTH_SESSION_URL` or `BETTER_AUTH_URL` is `https://` (as Better Auth decides from its `baseURL`), else either, the `__Secure-` one winning |
    /// | `BETTER_AUTH_ALLOW_SHORT_SECRET` | optional, `true`/`false`: accept a session secret under 32 bytes (never an empty one or Better Auth's public default), for an app that cannot rotate yet; such a secret is not used for HS256 |
    ///
    /// Session credentials are accepted only when `BETTER_AUTH_COOKIE_CACHE`
    /// or `BETTER_AUTH_SESSION_URL` is set (a database store is added with
    /// [`SessionSettings::store`](crate::SessionSettings::store)).
    ///
    /// With either JWKS variable the secret is optional; with both a secret
    /// and a JWKS, either kind of token is accepted (a migration). The JWKS
    /// is fetched here, so this blocks for up to 10 seconds and fails when
    /// the Better Auth app does not answer (call it before serving, or from
    /// `spawn_blocking`), unless `JWKS_BACKGROUND_START` is set: then this
    /// returns at once and [`is_ready`](Self::is_ready) says when the keys
    /// are in. Empty variables count as unset. Fails with a [`ConfigError`] naming the
    /// variable and what to do; never panics.
    ///
    /// ```
    /// match jwtguard::Verifier::from_env() {
    ///     Ok(verifier) => println!("ready: {verifier:?}"),
    ///     // e.g. "BETTER_AUTH_SECRET is not set: set it to the same value as ..."
    ///     Err(err) => eprintln!("{err}"),
    /// }
    /// ```
    pub fn from_env() -> Result<Self, ConfigError> {
        VerifierBuilder::from_env()?.build()
    }

    /// Like [`from_env`](Self::from_env), reading variables through `lookup`
    /// (for tests, or configuration that is not in the process environment).
    ///
    /// ```
    /// let verifier = jwtguard::Verifier::from_env_with(|name| match name {
    ///     "BETTER_AUTH_SECRET" => Some("a-shared-secret-of-at-least-32-bytes!".into()),
    ///     _ => None,
    /// })?;
    /// # Ok::<(), jwtguard::ConfigError>(())
    /// ```
    pub fn from_env_with(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        VerifierBuilder::from_env_with(lookup)?.build()
    }
}

impl VerifierBuilder {
    /// A builder holding the settings [`Verifier::from_env`] reads, to
    /// customise before [`build`](Self::build): variables that are set
    /// come first, and later calls add to them or override them.
    ///
    /// ```
    /// fn verifier() -> Result<jwtguard::Verifier, jwtguard::ConfigError> {
    ///     jwtguard::VerifierBuilder::from_env()?
    ///         .token_cookie("auth_token")
    ///         .build()
    /// }
    /// ```
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_env_with(|name| std::env::var(name).ok())
    }

    /// Like [`from_env`](Self::from_env), reading variables through `lookup`.
    ///
    /// ```
    /// let builder = jwtguard::VerifierBuilder::from_env_with(|name| match name {
    ///     "BETTER_AUTH_SECRET" => Some("a-shared-secret-of-at-least-32-bytes!".into()),
    ///     _ => None,
    /// })?;
    /// let verifier = builder.claim_rules(|rules| rules.leeway(std::time::Duration::from_secs(5))).build()?;
    /// # Ok::<(), jwtguard::ConfigError>(())
    /// ```
    pub fn from_env_with(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        builder_from_env(|name: &str| lookup(name).filter(|value| !value.trim().is_empty()))
    }
}

fn builder_from_env(read: impl Fn(&str) -> Option<String>) -> Result<VerifierBuilder, ConfigError> {
    let (builder, has_jwks) = jwks_from_env(Verifier::builder(), &read)?;
    let (mut builder, has_secret) = secrets_from_env(builder, &read)?;
    if !has_secret && !has_jwks {
        return Err(ConfigError::MissingEnv {
            var: env::SECRET,
            hint: "set it to the same value as the Next.js app's BETTER_AUTH_SECRET \
                   (at least 32 bytes, e.g. `openssl rand -base64 32`)",
        });
    }
    builder = sessions_from_env(builder, &read)?;
    let leeway = match read(env::LEEWAY_SECONDS) {
        None => None,
        Some(leeway) => Some(leeway.trim().parse().map_err(|_| ConfigError::InvalidEnv {
            var: env::LEEWAY_SECONDS,
            expected: "a whole number of seconds, such as 0 or 30",
        })?),
    };
    Ok(builder.claim_rules(|mut rules| {
        if let Some(issuer) = read(env::ISSUER) {
            rules = rules.issuer(issuer.trim());
        }
        if let Some(audience) = read(env::AUDIENCE) {
            rules = rules.audience(audience.trim());
        }
        if let Some(seconds) = leeway {
            rules = rules.leeway(Duration::from_secs(seconds));
        }
        rules
    }))
}

/// The secrets: `BETTER_AUTH_SECRETS` (every entry, then a different
/// `BETTER_AUTH_SECRET` as the legacy one), or `BETTER_AUTH_SECRET` and
/// `BETTER_AUTH_SECRET_PREVIOUS`. Each is an HS256 secret and a session
/// secret, the current first; `true` when there is one.
fn secrets_from_env(
    mut builder: VerifierBuilder,
    read: &impl Fn(&str) -> Option<String>,
) -> Result<(VerifierBuilder, bool), ConfigError> {
    let secret = read(env::SECRET).map(Zeroizing::new);
    let mut named: Vec<(String, Zeroizing<String>)> = Vec::new();
    if let Some(secrets) = read(env::SECRETS).map(Zeroizing::new) {
        for versioned in parse_secrets(env::SECRETS, &secrets)? {
            named.push((
                format!("{} version {}", env::SECRETS, versioned.version),
                versioned.value,
            ));
        }
        if let Some(legacy) = secret.filter(|legacy| named.iter().all(|(_, s)| s != legacy)) {
            named.push((env::SECRET.to_owned(), legacy));
        }
    } else {
        named.extend(secret.map(|secret| (env::SECRET.to_owned(), secret)));
        if let Some(previous) = read(env::PREVIOUS_SECRET).map(Zeroizing::new) {
            named.push((env::PREVIOUS_SECRET.to_owned(), previous));
        }
    }
    let has_secret = !named.is_empty();
    let allow_short = flag(read, env::ALLOW_SHORT_SECRET)? == Some(true);
    if allow_short {
        builder = builder.sessions(SessionSettings::allow_short_secret);
    }
    for (source, secret) in named {
        // A short secret allowed for sessions is still no HS256 key.
        if !(allow_short && secret.len() < MIN_SECRET_LEN) {
            builder = builder.named_secret(&source, secret.as_bytes());
        }
        builder = builder.sessions(|sessions| sessions.named_secret(source, secret.as_bytes()));
    }
    Ok((builder, has_secret))
}

/// Better Auth session credentials: accepted only when
/// `BETTER_AUTH_COOKIE_CACHE` or `BETTER_AUTH_SESSION_URL` says how to
/// resolve them.
fn sessions_from_env(
    mut builder: VerifierBuilder,
    read: &impl Fn(&str) -> Option<String>,
) -> Result<VerifierBuilder, ConfigError> {
    if let Some(strategy) = read(env::COOKIE_CACHE) {
        let strategy = strategy
            .trim()
            .parse()
            .map_err(|()| ConfigError::InvalidEnv {
                var: env::COOKIE_CACHE,
                expected: "compact, jwt or jwe (Better Auth's session.cookieCache.strategy)",
            })?;
        builder = builder.sessions(|sessions| sessions.cookie_cache(strategy));
    }
    let prefix = read(env::COOKIE_PREFIX).map(|prefix| prefix.trim().to_owned());
    let secure = flag(read, env::SECURE_COOKIES)?;
    if let Some(url) = read(env::SESSION_URL) {
        builder = session_url_from_env(builder, url.trim(), prefix.as_deref(), secure)?;
    }
    if let Some(prefix) = prefix {
        builder = builder.sessions(|sessions| sessions.cookie_prefix(prefix));
    }
    // An https:// app sets only `__Secure-` cookies: a plain one next to
    // them was planted (a sibling subdomain, a plain-HTTP page), never read.
    let https_app = [env::SESSION_URL, env::BASE_URL].into_iter().any(|var| {
        read(var).is_some_and(|url| url.trim().to_ascii_lowercase().starts_with("https://"))
    });
    let secure = match secure {
        Some(true) => SecureCookies::Only,
        Some(false) => SecureCookies::Never,
        None if https_app => SecureCookies::Only,
        None => SecureCookies::Either,
    };
    builder = builder.sessions(|sessions| sessions.secure_cookies(secure));
    if let Some(bearer) = flag(read, env::BEARER)? {
        builder = builder.sessions(|sessions| sessions.bearer_tokens(bearer));
    }
    Ok(builder)
}

/// `BETTER_AUTH_SESSION_URL`: the HTTP session store, asking with the
/// cookie name the app reads (`BETTER_AUTH_COOKIE_PREFIX`,
/// `BETTER_AUTH_SECURE_COOKIES`, else `__Secure-` for an `https://` URL).
#[cfg(feature = "session-http")]
fn session_url_from_env(
    builder: VerifierBuilder,
    url: &str,
    prefix: Option<&str>,
    secure: Option<bool>,
) -> Result<VerifierBuilder, ConfigError> {
    let mut store = crate::session::http_store::HttpSessionStore::new(url).map_err(|_| {
        ConfigError::InvalidEnv {
            var: env::SESSION_URL,
            expected: "the Better Auth app's https:// base URL (or http:// to localhost)",
        }
    })?;
    if let Some(prefix) = prefix {
        store = store
            .cookie_prefix(prefix)
            .map_err(|_| ConfigError::InvalidEnv {
                var: env::COOKIE_PREFIX,
                expected: "a cookie name prefix: visible ASCII without spaces, '=', ';' or ','",
            })?;
    }
    if let Some(secure) = secure {
        store = store.secure_cookies(secure);
    }
    Ok(builder.sessions(|sessions| sessions.store(store)))
}

#[cfg(not(feature = "session-http"))]
fn session_url_from_env(
    _: VerifierBuilder,
    _: &str,
    _: Option<&str>,
    _: Option<bool>,
) -> Result<VerifierBuilder, ConfigError> {
    Err(ConfigError::FeatureDisabled {
        var: env::SESSION_URL,
        feature: "session-http",
    })
}

/// The JWT plugin's settings from `BETTER_AUTH_JWKS_URL` or `BETTER_AUTH_URL`;
/// `true` when a JWKS was configured.
#[cfg(feature = "jwks-fetch")]
fn jwks_from_env(
    mut builder: VerifierBuilder,
    read: &impl Fn(&str) -> Option<String>,
) -> Result<(VerifierBuilder, bool), ConfigError> {
    let base = read(env::BASE_URL).map(|url| url.trim().trim_end_matches('/').to_owned());
    let jwks_url = read(env::JWKS_URL)
        .map(|url| url.trim().to_owned())
        .or_else(|| base.as_ref().map(|base| format!("{base}/api/auth/jwks")));
    let background = flag(read, env::JWKS_BACKGROUND_START)?;
    let Some(jwks_url) = jwks_url else {
        if background == Some(true) {
            return Err(ConfigError::InvalidEnv {
                var: env::JWKS_BACKGROUND_START,
                expected: "0, false or unset when neither BETTER_AUTH_URL nor \
                           BETTER_AUTH_JWKS_URL is set (it defers the fetch of their JWKS)",
            });
        }
        return Ok((builder, false));
    };
    if let Some(background) = background {
        builder = builder.jwks(|keys| keys.background_start(background));
    }
    let var = if read(env::JWKS_URL).is_some() {
        env::JWKS_URL
    } else {
        env::BASE_URL
    };
    builder = builder.jwks(|keys| keys.url_from(var, jwks_url));
    // The plugin's tokens carry the base URL as `iss` and `aud`; it is
    // accepted next to JWT_ISSUER / JWT_AUDIENCE (the shared-secret tokens'
    // values, during a migration).
    // Better Auth's own `verifyJWT` requires both: so do we, for its tokens.
    if let Some(base) = base {
        builder = builder
            .claim_rules(|rules| rules.issuer(base.clone()).audience(base))
            .jwks(|keys| keys.claim_check(ClaimCheck::Required));
    }
    Ok((builder, true))
}

/// Without the `jwks-fetch` feature the JWKS variables cannot be honoured:
/// say so rather than ignore them.
#[cfg(not(feature = "jwks-fetch"))]
fn jwks_from_env(
    builder: VerifierBuilder,
    read: &impl Fn(&str) -> Option<String>,
) -> Result<(VerifierBuilder, bool), ConfigError> {
    for var in [env::JWKS_URL, env::BASE_URL] {
        if read(var).is_some() {
            return Err(ConfigError::FeatureDisabled {
                var,
                feature: "jwks-fetch",
            });
        }
    }
    if flag(read, env::JWKS_BACKGROUND_START)? == Some(true) {
        return Err(ConfigError::FeatureDisabled {
            var: env::JWKS_BACKGROUND_START,
            feature: "jwks-fetch",
        });
    }
    Ok((builder, false))
}

/// A yes-or-no variable: `1`/`true` or `0`/`false` (in any case); `None`
/// when unset.
fn flag(
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

    fn lookup(vars: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        |name| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

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
            let err = flag(&read, env::JWKS_BACKGROUND_START).unwrap_err();
            assert_eq!(
                err,
                ConfigError::InvalidEnv {
                    var: env::JWKS_BACKGROUND_START,
                    expected: "1, true, 0 or false"
                },
                "{value}"
            );
            assert!(err.to_string().starts_with("JWKS_BACKGROUND_START must be"));
        }
        assert_eq!(flag(&|_: &str| None, "V"), Ok(None));
    }

    #[test]
    fn background_start_without_a_jwks_variable_is_refused() {
        let err = builder_from_env(lookup(&[
            (
                "BETTER_AUTH_SECRET",
                "a-shared-secret-of-at-least-32-bytes!",
            ),
            ("JWKS_BACKGROUND_START", "true"),
        ]))
        .unwrap_err();
        #[cfg(feature = "jwks-fetch")]
        assert!(
            matches!(
                err,
                ConfigError::InvalidEnv {
                    var: "JWKS_BACKGROUND_START",
                    ..
                }
            ),
            "{err}"
        );
        #[cfg(not(feature = "jwks-fetch"))]
        assert_eq!(
            err,
            ConfigError::FeatureDisabled {
                var: "JWKS_BACKGROUND_START",
                feature: "jwks-fetch"
            }
        );
        // Off is off, whatever else is set.
        assert!(
            builder_from_env(lookup(&[
                (
                    "BETTER_AUTH_SECRET",
                    "a-shared-secret-of-at-least-32-bytes!"
                ),
                ("JWKS_BACKGROUND_START", "0"),
            ]))
            .is_ok()
        );
    }
}
