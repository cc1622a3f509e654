//! The builder's session settings: Better Auth's secrets, its cookie names,
//! which session credentials are accepted, and the store; turned into
//! [`Sessions`] when the verifier is built.

use std::sync::Arc;
use std::time::Duration;

use zeroize::Zeroizing;

use crate::error::config::ConfigError;
use crate::keys::hmac::{HmacKey, MAX_KEYS};
use crate::session::Sessions;
use crate::session::cookie_cache::{CacheKeys, CookieCacheStrategy};
use crate::session::store::{
    DEFAULT_SESSION_CACHE_ENTRIES, DEFAULT_SESSION_CACHE_TTL, SessionStore, StoreCache,
};
use crate::token::clock::Clock;

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
    /// Better Auth's secrets, the current first.
    pub(crate) secrets: Vec<Zeroizing<Vec<u8>>>,
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
    pub(crate) fn build(
        self,
        clock: &Clock,
        leeway: Duration,
    ) -> Result<Option<Sessions>, ConfigError> {
        if !self.is_set() {
            return Ok(None);
        }
        let Some(current) = self.secrets.first() else {
            return Err(ConfigError::SessionsWithoutSecret);
        };
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
                    self.secrets.iter().map(|s| s.as_slice()),
                ),
            },
            token_cookies,
            data_cookies,
            cookie_cache: self.cookie_cache,
            cache_version: self.cache_version,
            bearer: self.bearer,
            store: self.store,
            store_cache: StoreCache::new(self.store_cache_ttl, self.store_cache_entries),
            clock: clock.clone(),
            leeway_secs: leeway.as_secs_f64(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
