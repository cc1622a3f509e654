//! The builder's session settings: Better Auth's secrets, its cookie names,
//! which session credentials are accepted, and the store; turned into
//! [`Sessions`] when the verifier is built.

use std::sync::Arc;
use std::time::Duration;

use zeroize::Zeroizing;

use crate::error::config::ConfigError;
use crate::keys::hmac::{HmacKey, MAX_KEYS, MIN_SECRET_LEN, is_public_default_secret};
use crate::session::Sessions;
use crate::session::cookie_cache::{CacheKeys, CookieCacheStrategy};
use crate::session::store::{
    DEFAULT_SESSION_CACHE_ENTRIES, DEFAULT_SESSION_CACHE_TTL, SessionStore, StoreCache,
};
use crate::token::policy::{ClaimCheck, Policy};

/// Better Auth's cookie prefix when `advanced.cookiePrefix` is not set.
pub const DEFAULT_COOKIE_PREFIX: &str = "better-auth";

/// The prefix Better Auth adds to its cookie names when it uses secure
/// cookies (an `https://` base URL, or production).
const SECURE_PREFIX: &str = "__Secure-";

/// Which cookie names to read: Better Auth adds `__Secure-` when its base
/// URL is `https://` (or `advanced.useSecureCookies` is set).
///
/// ```
/// use jwtguard::SecureCookies;
/// assert_eq!(SecureCookies::default(), SecureCookies::Either);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SecureCookies {
    /// Both `__Secure-better-auth.session_token` and
    /// `better-auth.session_token` (a request sending both is refused).
    #[default]
    Either,
    /// Only the `__Secure-` names: what an `https://` deployment sets.
    Only,
    /// Only the names without the prefix (plain-HTTP development).
    Never,
}

/// The session settings a [`VerifierBuilder`](crate::VerifierBuilder) collects.
pub(crate) struct SessionSettings {
    /// Better Auth's secrets, the current first, each with where it came
    /// from (for errors).
    pub(crate) secrets: Vec<(String, Zeroizing<Vec<u8>>)>,
    /// Accept secrets shorter than [`MIN_SECRET_LEN`] (never empty ones).
    pub(crate) allow_short_secret: bool,
    pub(crate) cookie_prefix: String,
    pub(crate) token_cookie_name: Option<String>,
    pub(crate) data_cookie_name: Option<String>,
    pub(crate) secure: SecureCookies,
    pub(crate) cookie_cache: Option<CookieCacheStrategy>,
    pub(crate) cache_version: String,
    pub(crate) bearer: bool,
    pub(crate) store: Option<Arc<dyn SessionStore>>,
    pub(crate) store_cache_ttl: Duration,
    pub(crate) store_cache_entries: usize,
}

impl Default for SessionSettings {
    fn default() -> Self {
        Self {
            secrets: Vec::new(),
            allow_short_secret: false,
            cookie_prefix: DEFAULT_COOKIE_PREFIX.to_owned(),
            token_cookie_name: None,
            data_cookie_name: None,
            secure: SecureCookies::Either,
            cookie_cache: None,
            cache_version: "1".to_owned(),
            bearer: false,
            store: None,
            store_cache_ttl: DEFAULT_SESSION_CACHE_TTL,
            store_cache_entries: DEFAULT_SESSION_CACHE_ENTRIES,
        }
    }
}

impl SessionSettings {
    /// Whether any session credential is to be accepted.
    pub(crate) fn is_set(&self) -> bool {
        self.cookie_cache.is_some() || self.store.is_some() || self.bearer
    }

    /// The cookie names for `cookie` (`session_token` or `session_data`):
    /// `<prefix>.<cookie>` or the configured name, with and without
    /// `__Secure-` as [`SecureCookies`] says.
    fn names(&self, cookie: &str, custom: Option<&String>) -> Vec<String> {
        let name = match custom {
            Some(name) => name.clone(),
            // Better Auth reads `cookiePrefix || "better-auth"`.
            None if self.cookie_prefix.is_empty() => format!("{DEFAULT_COOKIE_PREFIX}.{cookie}"),
            None => format!("{}.{cookie}", self.cookie_prefix),
        };
        match self.secure {
            SecureCookies::Either => vec![format!("{SECURE_PREFIX}{name}"), name],
            SecureCookies::Only => vec![format!("{SECURE_PREFIX}{name}")],
            SecureCookies::Never => vec![name],
        }
    }

    /// Checks the settings and prepares the keys. `None` when no session
    /// credential is accepted.
    /// `policy` is the verifier's; sessions carry no `iss` or `aud`, so
    /// only their expiry is checked, with its leeway.
    pub(crate) fn build(self, policy: &Policy) -> Result<Option<Sessions>, ConfigError> {
        if !self.is_set() {
            return Ok(None);
        }
        let Some((_, current)) = self.secrets.first() else {
            return Err(ConfigError::SessionsWithoutSecret);
        };
        for (origin, secret) in &self.secrets {
            check_session_secret(origin, secret, self.allow_short_secret)?;
        }
        // A `jwe` cache without `kid` is tried against each: bound the work.
        if self.secrets.len() > MAX_KEYS {
            return Err(ConfigError::TooManyKeys { max: MAX_KEYS });
        }
        if self.cookie_cache.is_none() && self.store.is_none() {
            return Err(ConfigError::SessionsWithoutResolver);
        }
        if self.cookie_cache == Some(CookieCacheStrategy::Jwe) && !cfg!(feature = "session-jwe") {
            return Err(ConfigError::FeatureDisabled {
                var: "cookie cache strategy jwe",
                feature: "session-jwe",
            });
        }
        let valid_name = |name: &String| {
            !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_graphic() && !matches!(b, b'=' | b';' | b','))
        };
        let token_cookies = self.names("session_token", self.token_cookie_name.as_ref());
        let data_cookies = self.names("session_data", self.data_cookie_name.as_ref());
        if !token_cookies.iter().chain(&data_cookies).all(valid_name) {
            return Err(ConfigError::InvalidCookieName);
        }
        if self.store_cache_entries == 0 {
            return Err(ConfigError::InvalidSessionSetting(
                "session_store_cache needs room for at least one session",
            ));
        }
        Ok(Some(Sessions {
            keys: CacheKeys {
                current: HmacKey::new(current),
                #[cfg(feature = "session-jwe")]
                jwe: crate::session::jwe::JweKeys::derive(
                    self.secrets.iter().map(|(_, s)| s.as_slice()),
                ),
            },
            token_cookies,
            data_cookies,
            cookie_cache: self.cookie_cache,
            cache_version: self.cache_version,
            bearer: self.bearer,
            store: self.store,
            store_cache: StoreCache::new(self.store_cache_ttl, self.store_cache_entries),
            clock: policy.clock.clone(),
            leeway_secs: policy.leeway_secs,
            policy: Policy {
                issuer_check: ClaimCheck::Skip,
                audience_check: ClaimCheck::Skip,
                require_exp: true,
                ..policy.clone()
            },
        }))
    }
}

/// A session secret signs cookies that stand for any user: refuse one that
/// anyone can know (empty, Better Auth's public default) and, unless the
/// app explicitly cannot rotate yet, one short enough to guess.
fn check_session_secret(origin: &str, secret: &[u8], allow_short: bool) -> Result<(), ConfigError> {
    if secret.is_empty() {
        return Err(ConfigError::EmptySecret {
            origin: origin.to_owned(),
        });
    }
    if is_public_default_secret(secret) {
        return Err(ConfigError::PublicDefaultSecret {
            origin: origin.to_owned(),
        });
    }
    if secret.len() < MIN_SECRET_LEN && !allow_short {
        return Err(ConfigError::SessionSecretTooShort {
            origin: origin.to_owned(),
            len: secret.len(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_secrets_that_anyone_can_know_are_refused() {
        let check =
            |secret: &str, allow_short| check_session_secret("X", secret.as_bytes(), allow_short);
        assert_eq!(
            check("", true),
            Err(ConfigError::EmptySecret { origin: "X".into() })
        );
        assert_eq!(
            check("better-auth-secret-12345678901234567890", true),
            Err(ConfigError::PublicDefaultSecret { origin: "X".into() })
        );
        assert_eq!(
            check("short-secret", false),
            Err(ConfigError::SessionSecretTooShort {
                origin: "X".into(),
                len: 12
            })
        );
        assert_eq!(check("short-secret", true), Ok(()));
        assert_eq!(
            check("better-auth-secret-0123456789abcdefghij", false),
            Ok(())
        );
    }

    #[test]
    fn cookie_names_follow_better_auths_prefix_rules() {
        let mut settings = SessionSettings {
            cookie_prefix: "myapp".into(),
            ..SessionSettings::default()
        };
        assert_eq!(
            settings.names("session_token", None),
            ["__Secure-myapp.session_token", "myapp.session_token"]
        );
        settings.secure = SecureCookies::Only;
        assert_eq!(
            settings.names("session_data", Some(&"custom".to_owned())),
            ["__Secure-custom"]
        );
        settings.secure = SecureCookies::Never;
        assert_eq!(settings.names("session_data", None), ["myapp.session_data"]);
    }
}
