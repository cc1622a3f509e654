//! Better Auth's session settings from the environment:
//! `BETTER_AUTH_COOKIE_CACHE`, `BETTER_AUTH_SESSION_URL` (feature
//! `session-http`), `BETTER_AUTH_COOKIE_PREFIX`, `BETTER_AUTH_SECURE_COOKIES`
//! and `BETTER_AUTH_BEARER` (the secrets are read with the HS256 ones).

use crate::environment::flag;
use crate::environment::vars as env;
use crate::error::config::ConfigError;
use crate::session::settings::{SecureCookies, SessionSettings};

/// Better Auth session credentials: accepted only when
/// `BETTER_AUTH_COOKIE_CACHE` or `BETTER_AUTH_SESSION_URL` says how to
/// resolve them.
pub(crate) fn from_env(
    mut sessions: SessionSettings,
    read: &impl Fn(&str) -> Option<String>,
) -> Result<SessionSettings, ConfigError> {
    if let Some(strategy) = read(env::COOKIE_CACHE) {
        let strategy = strategy
            .trim()
            .parse()
            .map_err(|()| ConfigError::InvalidEnv {
                var: env::COOKIE_CACHE,
                expected: "compact, jwt or jwe (Better Auth's session.cookieCache.strategy)",
            })?;
        sessions = sessions.cookie_cache(strategy);
    }
    let prefix = read(env::COOKIE_PREFIX).map(|prefix| prefix.trim().to_owned());
    let secure = flag(read, env::SECURE_COOKIES)?;
    if let Some(url) = read(env::SESSION_URL) {
        sessions = session_url_from_env(sessions, url.trim(), prefix.as_deref(), secure)?;
    }
    if let Some(prefix) = prefix {
        sessions = sessions.cookie_prefix(prefix);
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
    sessions = sessions.secure_cookies(secure);
    if let Some(bearer) = flag(read, env::BEARER)? {
        sessions = sessions.bearer_tokens(bearer);
    }
    Ok(sessions)
}

/// `BETTER_AUTH_SESSION_URL`: the HTTP session store, asking with the
/// cookie name the app reads (`BETTER_AUTH_COOKIE_PREFIX`,
/// `BETTER_AUTH_SECURE_COOKIES`, else `__Secure-` for an `https://` URL).
#[cfg(feature = "session-http")]
fn session_url_from_env(
    sessions: SessionSettings,
    url: &str,
    prefix: Option<&str>,
    secure: Option<bool>,
) -> Result<SessionSettings, ConfigError> {
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
    Ok(sessions.store(store))
}

#[cfg(not(feature = "session-http"))]
fn session_url_from_env(
    _: SessionSettings,
    _: &str,
    _: Option<&str>,
    _: Option<bool>,
) -> Result<SessionSettings, ConfigError> {
    Err(ConfigError::FeatureDisabled {
        var: env::SESSION_URL,
        feature: "session-http",
    })
}
