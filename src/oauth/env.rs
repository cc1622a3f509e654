//! OAuth access tokens from the environment: `OAUTH_RESOURCE`, with
//! `OAUTH_ISSUER` (default `<BETTER_AUTH_URL>/api/auth`, what Better Auth's
//! provider writes), `OAUTH_SCOPES` and `OAUTH_PUBLIC_URL` (feature
//! `oauth`), and `OAUTH_CLIENT_ID`, `OAUTH_CLIENT_SECRET`,
//! `OAUTH_INTROSPECTION_URL` for opaque tokens (feature
//! `oauth-introspection`). Without the feature, setting them is an error
//! rather than ignored. With `BETTER_AUTH_REDIS_URL` (feature
//! `session-redis`), used DPoP proofs are kept in that Redis.

use crate::environment::vars as env;
use crate::error::config::ConfigError;
use crate::oauth::OAuthSettings;

/// The variables this module reads.
const VARS: [&str; 7] = [
    env::OAUTH_RESOURCE,
    env::OAUTH_ISSUER,
    env::OAUTH_SCOPES,
    env::OAUTH_PUBLIC_URL,
    env::OAUTH_CLIENT_ID,
    env::OAUTH_CLIENT_SECRET,
    env::OAUTH_INTROSPECTION_URL,
];

/// The introspection variables.
#[cfg(all(feature = "oauth", not(feature = "oauth-introspection")))]
const INTROSPECTION_VARS: [&str; 3] = [
    env::OAUTH_CLIENT_ID,
    env::OAUTH_CLIENT_SECRET,
    env::OAUTH_INTROSPECTION_URL,
];

/// The OAuth settings the environment asks for; `base_url` is
/// `BETTER_AUTH_URL`, trimmed of its trailing `/`.
#[cfg(feature = "oauth")]
pub(crate) fn from_env(
    mut settings: OAuthSettings,
    base_url: Option<&str>,
    read: &impl Fn(&str) -> Option<String>,
) -> Result<OAuthSettings, ConfigError> {
    let Some(resource) = read(env::OAUTH_RESOURCE) else {
        if let Some(var) = VARS.into_iter().find(|var| read(var).is_some()) {
            return Err(ConfigError::InvalidEnv {
                var,
                expected: "unset when OAUTH_RESOURCE is not set (it configures access tokens)",
            });
        }
        return Ok(settings);
    };
    settings = settings.resource(resource.trim());
    let issuer = read(env::OAUTH_ISSUER)
        .map(|issuer| issuer.trim().to_owned())
        .or_else(|| base_url.map(|base| format!("{base}/api/auth")))
        .ok_or(ConfigError::MissingEnv {
            var: env::OAUTH_ISSUER,
            hint: "the provider's issuer; or set BETTER_AUTH_URL, whose /api/auth it is",
        })?;
    settings = settings.issuer(issuer.clone());
    settings = introspection_from_env(settings, &issuer, read)?;
    if let Some(scopes) = read(env::OAUTH_SCOPES) {
        settings = settings.scopes_supported(scopes.split_whitespace());
    }
    if let Some(url) = read(env::OAUTH_PUBLIC_URL) {
        settings = settings.public_url(url.trim());
    }
    replay_store_from_env(settings, read)
}

/// With `BETTER_AUTH_REDIS_URL`, DPoP proofs are remembered in the same
/// Redis, so that every instance refuses a proof another one accepted.
#[cfg(all(feature = "oauth", feature = "session-redis"))]
fn replay_store_from_env(
    settings: OAuthSettings,
    read: &impl Fn(&str) -> Option<String>,
) -> Result<OAuthSettings, ConfigError> {
    let Some(url) = read(env::REDIS_URL) else {
        return Ok(settings);
    };
    // The URL was checked as the session store's; a second check says the same.
    let store =
        crate::oauth::RedisReplayStore::new(url.trim()).map_err(|_| ConfigError::InvalidEnv {
            var: env::REDIS_URL,
            expected: "a redis://[user][:password@]host[:port][/db] or redis+unix:///path URL",
        })?;
    Ok(settings.replay_store(store))
}

/// Without `session-redis`, `BETTER_AUTH_REDIS_URL` is the session
/// settings' to refuse; proofs stay in this process.
#[cfg(all(feature = "oauth", not(feature = "session-redis")))]
fn replay_store_from_env(
    settings: OAuthSettings,
    _: &impl Fn(&str) -> Option<String>,
) -> Result<OAuthSettings, ConfigError> {
    Ok(settings)
}

/// `OAUTH_CLIENT_ID` and `OAUTH_CLIENT_SECRET` (both or neither), and the
/// endpoint: `OAUTH_INTROSPECTION_URL` or the issuer's.
#[cfg(feature = "oauth-introspection")]
fn introspection_from_env(
    settings: OAuthSettings,
    issuer: &str,
    read: &impl Fn(&str) -> Option<String>,
) -> Result<OAuthSettings, ConfigError> {
    match (read(env::OAUTH_CLIENT_ID), read(env::OAUTH_CLIENT_SECRET)) {
        (None, None) => match read(env::OAUTH_INTROSPECTION_URL) {
            None => Ok(settings),
            Some(_) => Err(ConfigError::MissingEnv {
                var: env::OAUTH_CLIENT_ID,
                hint: "introspection needs this service's client id and OAUTH_CLIENT_SECRET",
            }),
        },
        (Some(id), Some(secret)) => {
            let endpoint = read(env::OAUTH_INTROSPECTION_URL)
                .map(|url| url.trim().to_owned())
                .unwrap_or_else(|| format!("{}/oauth2/introspect", issuer.trim_end_matches('/')));
            Ok(settings.introspection(endpoint, id.trim(), secret.trim()))
        }
        (None, Some(_)) => Err(ConfigError::MissingEnv {
            var: env::OAUTH_CLIENT_ID,
            hint: "set it with OAUTH_CLIENT_SECRET: the client this service introspects as",
        }),
        (Some(_), None) => Err(ConfigError::MissingEnv {
            var: env::OAUTH_CLIENT_SECRET,
            hint: "set it with OAUTH_CLIENT_ID: the client this service introspects as",
        }),
    }
}

/// Without the `oauth-introspection` feature its variables cannot be
/// honoured: say so.
#[cfg(all(feature = "oauth", not(feature = "oauth-introspection")))]
fn introspection_from_env(
    settings: OAuthSettings,
    _: &str,
    read: &impl Fn(&str) -> Option<String>,
) -> Result<OAuthSettings, ConfigError> {
    match INTROSPECTION_VARS
        .into_iter()
        .find(|var| read(var).is_some())
    {
        Some(var) => Err(ConfigError::FeatureDisabled {
            var,
            feature: "oauth-introspection",
        }),
        None => Ok(settings),
    }
}

/// Without the `oauth` feature the variables cannot be honoured: say so.
#[cfg(not(feature = "oauth"))]
pub(crate) fn from_env(
    settings: OAuthSettings,
    _: Option<&str>,
    read: &impl Fn(&str) -> Option<String>,
) -> Result<OAuthSettings, ConfigError> {
    match VARS.into_iter().find(|var| read(var).is_some()) {
        Some(var) => Err(ConfigError::FeatureDisabled {
            var,
            feature: "oauth",
        }),
        None => Ok(settings),
    }
}

#[cfg(all(test, feature = "oauth"))]
mod tests {
    use super::*;
    use jwtguard_test_support::env as lookup;

    #[test]
    fn the_issuer_defaults_to_what_better_auths_provider_writes() {
        let read = lookup(&[(env::OAUTH_RESOURCE, "https://api.example.com")]);
        let settings = from_env(
            OAuthSettings::default(),
            Some("https://app.example.com"),
            &read,
        );
        let debug = format!("{:?}", settings.unwrap());
        assert!(
            debug.contains(r#"issuer: Some("https://app.example.com/api/auth")"#),
            "{debug}"
        );
    }

    #[cfg(feature = "session-redis")]
    #[test]
    fn with_redis_every_instance_shares_the_replay_store() {
        let read = lookup(&[
            (env::OAUTH_RESOURCE, "https://api.example.com"),
            (env::REDIS_URL, "redis://:hunter2@127.0.0.1:6379"),
        ]);
        let settings = from_env(
            OAuthSettings::default(),
            Some("https://app.example.com"),
            &read,
        );
        let debug = format!("{:?}", settings.unwrap());
        assert!(debug.contains("custom_replay_store: true"), "{debug}");
        assert!(!debug.contains("hunter2"), "{debug}");
    }

    #[test]
    fn oauth_variables_without_a_resource_are_refused() {
        let read = lookup(&[(env::OAUTH_SCOPES, "a b")]);
        let err = from_env(OAuthSettings::default(), None, &read).unwrap_err();
        assert!(
            err.to_string().starts_with("OAUTH_SCOPES must be unset"),
            "{err}"
        );
        let read = lookup(&[(env::OAUTH_RESOURCE, "https://api.example.com")]);
        let err = from_env(OAuthSettings::default(), None, &read).unwrap_err();
        assert!(
            err.to_string().starts_with("OAUTH_ISSUER is not set"),
            "{err}"
        );
    }
}
