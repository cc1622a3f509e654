//! Better Auth's session settings from the environment:
//! `BETTER_AUTH_COOKIE_CACHE`, `BETTER_AUTH_SESSION_URL` (feature
//! `session-http`), `BETTER_AUTH_REDIS_URL` and `BETTER_AUTH_REDIS_PREFIX`
//! (feature `session-redis`), `BETTER_AUTH_COOKIE_PREFIX`,
//! `BETTER_AUTH_SECURE_COOKIES` and `BETTER_AUTH_BEARER` (the secrets are
//! read with the HS256 ones).

use crate::environment::flag;
use crate::environment::vars as env;
use crate::error::config::ConfigError;
use crate::session::settings::{SecureCookies, SessionSettings};

/// Better Auth session credentials: accepted only when
/// `BETTER_AUTH_COOKIE_CACHE`, `BETTER_AUTH_SESSION_URL` or
/// `BETTER_AUTH_REDIS_URL` says how to resolve them.
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
    if let Some(url) = read(env::REDIS_URL) {
        if read(env::SESSION_URL).is_some() {
            return Err(ConfigError::InvalidEnv {
                var: env::REDIS_URL,
                expected: "unset while BETTER_AUTH_SESSION_URL is set: one store resolves \
                           session tokens (Redis, or the app's get-session)",
            });
        }
        sessions = redis_url_from_env(sessions, url.trim(), read(env::REDIS_PREFIX))?;
    }
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

/// `BETTER_AUTH_REDIS_URL`: the Redis session store, with the app's
/// `keyPrefix` (`BETTER_AUTH_REDIS_PREFIX`, default `better-auth:`).
/// Nothing connects yet: the first lookup does.
#[cfg(feature = "session-redis")]
fn redis_url_from_env(
    sessions: SessionSettings,
    url: &str,
    prefix: Option<String>,
) -> Result<SessionSettings, ConfigError> {
    let mut store = crate::session::redis_store::RedisSessionStore::new(url).map_err(|_| {
        ConfigError::InvalidEnv {
            var: env::REDIS_URL,
            expected: "a redis://[user][:password@]host[:port][/db] or redis+unix:///path URL \
                       (rediss:// is not supported)",
        }
    })?;
    if let Some(prefix) = prefix {
        store = store.key_prefix(prefix);
    }
    Ok(sessions.store(store))
}

#[cfg(not(feature = "session-redis"))]
fn redis_url_from_env(
    _: SessionSettings,
    _: &str,
    _: Option<String>,
) -> Result<SessionSettings, ConfigError> {
    Err(ConfigError::FeatureDisabled {
        var: env::REDIS_URL,
        feature: "session-redis",
    })
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

#[cfg(test)]
mod tests {
    use super::*;

    fn read<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            vars.iter()
                .find(|(var, _)| *var == name)
                .map(|(_, value)| (*value).to_owned())
        }
    }

    #[test]
    fn redis_and_get_session_are_never_both_the_store() {
        let vars = [
            (env::REDIS_URL, "redis://127.0.0.1:6379"),
            (env::SESSION_URL, "http://127.0.0.1:3000"),
        ];
        let err = from_env(SessionSettings::default(), &read(&vars)).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("BETTER_AUTH_REDIS_URL must be unset while"),
            "{err}"
        );
    }

    #[cfg(feature = "session-redis")]
    #[test]
    fn a_redis_url_is_the_store_and_a_bad_one_is_never_repeated() {
        let vars = [(env::REDIS_URL, "redis://:hunter2@127.0.0.1:6379")];
        let sessions = from_env(SessionSettings::default(), &read(&vars)).unwrap();
        assert!(
            format!("{sessions:?}").contains("store: true"),
            "{sessions:?}"
        );
        for bad in ["rediss://:hunter2@10.0.0.1", "http://:hunter2@10.0.0.1"] {
            let vars = [(env::REDIS_URL, bad)];
            let err = from_env(SessionSettings::default(), &read(&vars)).unwrap_err();
            assert!(
                err.to_string()
                    .starts_with("BETTER_AUTH_REDIS_URL must be a redis://")
            );
            assert!(!err.to_string().contains("hunter2"), "{err}");
        }
    }

    #[cfg(not(feature = "session-redis"))]
    #[test]
    fn a_redis_url_needs_the_feature() {
        let vars = [(env::REDIS_URL, "redis://127.0.0.1:6379")];
        let err = from_env(SessionSettings::default(), &read(&vars)).unwrap_err();
        assert_eq!(
            err,
            ConfigError::FeatureDisabled {
                var: env::REDIS_URL,
                feature: "session-redis"
            }
        );
    }
}
