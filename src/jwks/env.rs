//! Better Auth's JWT plugin from the environment: `BETTER_AUTH_JWKS_URL`
//! or `BETTER_AUTH_URL`, and `JWKS_BACKGROUND_START` (feature `jwks-fetch`;
//! without it, setting them is an error rather than ignored).

use crate::environment::flag;
use crate::environment::vars as env;
use crate::error::config::ConfigError;
use crate::jwks::JwksSettings;
#[cfg(feature = "jwks-fetch")]
use crate::token::policy::ClaimCheck;

/// What the environment says of the JWT plugin.
pub(crate) struct FromEnv {
    pub(crate) settings: JwksSettings,
    /// The app's base URL, which its tokens carry as `iss` and `aud`.
    pub(crate) base_url: Option<String>,
    /// A JWKS was configured.
    pub(crate) configured: bool,
}

/// The JWT plugin's settings from `BETTER_AUTH_JWKS_URL` or `BETTER_AUTH_URL`;
/// `true` when a JWKS was configured.
#[cfg(feature = "jwks-fetch")]
pub(crate) fn from_env(
    mut settings: JwksSettings,
    read: &impl Fn(&str) -> Option<String>,
) -> Result<FromEnv, ConfigError> {
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
        return Ok(FromEnv {
            settings,
            base_url: None,
            configured: false,
        });
    };
    if let Some(background) = background {
        settings = settings.background_start(background);
    }
    let var = if read(env::JWKS_URL).is_some() {
        env::JWKS_URL
    } else {
        env::BASE_URL
    };
    settings = settings.url_from(var, jwks_url);
    // The plugin's tokens carry the base URL as `iss` and `aud`; it is
    // accepted next to JWT_ISSUER / JWT_AUDIENCE (the shared-secret tokens'
    // values, during a migration).
    // Better Auth's own `verifyJWT` requires both: so do we, for its tokens.
    if base.is_some() {
        settings = settings.claim_check(ClaimCheck::Required);
    }
    Ok(FromEnv {
        settings,
        base_url: base,
        configured: true,
    })
}

/// Without the `jwks-fetch` feature the JWKS variables cannot be honoured:
/// say so rather than ignore them.
#[cfg(not(feature = "jwks-fetch"))]
pub(crate) fn from_env(
    settings: JwksSettings,
    read: &impl Fn(&str) -> Option<String>,
) -> Result<FromEnv, ConfigError> {
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
    Ok(FromEnv {
        settings,
        base_url: None,
        configured: false,
    })
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
    fn background_start_without_a_jwks_variable_is_refused() {
        let err = from_env(
            JwksSettings::default(),
            &lookup(&[("JWKS_BACKGROUND_START", "true")]),
        )
        .err()
        .expect("refused");
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
        let off = from_env(
            JwksSettings::default(),
            &lookup(&[("JWKS_BACKGROUND_START", "0")]),
        );
        assert!(off.is_ok_and(|found| !found.configured));
    }
}
