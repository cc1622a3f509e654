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
use crate::session::verified::{VERIFIED_CACHE_ENTRIES, VerifiedCaches};
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
    /// `better-auth.session_token`; a request sending both is read by its
    /// `__Secure-` cookie (a plain one is what a sibling subdomain or a
    /// plain-HTTP page could plant). An `https://` app should say
    /// [`Only`](Self::Only).
    #[default]
    Either,
    /// Only the `__Secure-` names: what an `https://` deployment sets.
    Only,
    /// Only the names without the prefix (plain-HTTP development).
    Never,
}

/// Better Auth's session credentials: the signed session cookie, the bearer
/// plugin's token and the cookie cache. Set with
/// [`VerifierBuilder::sessions`](crate::VerifierBuilder::sessions); nothing
/// here is accepted unless [`store`](Self::store) or
/// [`cookie_cache`](Self::cookie_cache) is set. `Debug` never shows a secret.
///
/// ```
/// use jwtguard::CookieCacheStrategy;
///
/// let verifier = jwtguard::Verifier::builder()
///     .sessions(|sessions| {
///         sessions
///             .secret("better-auth-secret-0123456789abcdefghij")
///             .cookie_cache(CookieCacheStrategy::Compact)
///     })
///     .build()?;
/// # Ok::<(), jwtguard::ConfigError>(())
/// ```
#[must_use]
pub struct SessionSettings {
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

impl std::fmt::Debug for SessionSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionSettings")
            .field(
                "secrets",
                &format_args!("<{} redacted>", self.secrets.len()),
            )
            .field("allow_short_secret", &self.allow_short_secret)
            .field("cookie_prefix", &self.cookie_prefix)
            .field("token_cookie_name", &self.token_cookie_name)
            .field("data_cookie_name", &self.data_cookie_name)
            .field("secure", &self.secure)
            .field("cookie_cache", &self.cookie_cache)
            .field("cache_version", &self.cache_version)
            .field("bearer", &self.bearer)
            .field("store", &self.store.is_some())
            .field("store_cache_ttl", &self.store_cache_ttl)
            .field("store_cache_entries", &self.store_cache_entries)
            .finish()
    }
}

/// Better Auth's settings, in the words of its configuration.
impl SessionSettings {
    /// Adds Better Auth's secret (`BETTER_AUTH_SECRET`). Call it first with
    /// the current secret; during a rotation call it again for each older
    /// one, in `BETTER_AUTH_SECRETS` order. Better Auth signs session
    /// cookies and the `compact` and `jwt` caches with the current secret
    /// alone, so only that one checks them; every one decrypts a `jwe`
    /// cache. (HS256 JWT secrets are
    /// [`VerifierBuilder::hs256_secret`](crate::VerifierBuilder::hs256_secret);
    /// [`Verifier::from_env`](crate::Verifier::from_env) sets both.)
    ///
    /// The verifier refuses to build with an empty secret, Better Auth's
    /// public default one, and (unless
    /// [`allow_short_secret`](Self::allow_short_secret)) one shorter than
    /// 32 bytes.
    ///
    /// ```
    /// let verifier = jwtguard::Verifier::builder()
    ///     .sessions(|sessions| {
    ///         sessions
    ///             .secret("better-auth-secret-0123456789abcdefghij")
    ///             .cookie_cache(jwtguard::CookieCacheStrategy::Compact)
    ///     })
    ///     .build()?;
    /// # Ok::<(), jwtguard::ConfigError>(())
    /// ```
    pub fn secret(self, secret: impl AsRef<[u8]>) -> Self {
        let origin = format!("session secret #{}", self.secrets.len() + 1);
        self.named_secret(origin, secret.as_ref())
    }

    /// Adds a secret whose errors name `origin` (an environment variable).
    pub(crate) fn named_secret(mut self, origin: String, secret: &[u8]) -> Self {
        self.secrets.push((origin, Zeroizing::new(secret.to_vec())));
        self
    }

    /// Accepts secrets shorter than 32 bytes (never an empty one): only for
    /// an app that cannot rotate its secret yet. Better Auth itself only
    /// warns about a short secret, but anyone who guesses it can sign a
    /// session cookie and a `compact` cookie cache for any user, which is
    /// then accepted without a lookup. Rotate the secret (Better Auth's
    /// `BETTER_AUTH_SECRETS` keeps old sessions valid meanwhile) and remove
    /// this call.
    ///
    /// ```
    /// let verifier = jwtguard::Verifier::builder()
    ///     .sessions(|sessions| {
    ///         sessions
    ///             .secret("legacy-16-bytes!")
    ///             .allow_short_secret()
    ///             .cookie_cache(jwtguard::CookieCacheStrategy::Compact)
    ///     })
    ///     .build()?;
    /// # Ok::<(), jwtguard::ConfigError>(())
    /// ```
    pub fn allow_short_secret(mut self) -> Self {
        self.allow_short_secret = true;
        self
    }

    /// Better Auth's `advanced.cookiePrefix` (default `better-auth`): the
    /// cookies are `<prefix>.session_token` and `<prefix>.session_data`.
    ///
    /// ```
    /// let verifier = jwtguard::Verifier::builder()
    ///     .sessions(|sessions| {
    ///         sessions
    ///             .secret("better-auth-secret-0123456789abcdefghij")
    ///             .cookie_prefix("myapp")
    ///             .cookie_cache(jwtguard::CookieCacheStrategy::Compact)
    ///     })
    ///     .build()?;
    /// # Ok::<(), jwtguard::ConfigError>(())
    /// ```
    pub fn cookie_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.cookie_prefix = prefix.into();
        self
    }

    /// Better Auth's `advanced.cookies.session_token.name` and
    /// `advanced.cookies.session_data.name`, when the app renames them
    /// (`None`: the prefix's name).
    ///
    /// ```
    /// let verifier = jwtguard::Verifier::builder()
    ///     .sessions(|sessions| {
    ///         sessions
    ///             .secret("better-auth-secret-0123456789abcdefghij")
    ///             .cookie_names(Some("sid"), None)
    ///             .cookie_cache(jwtguard::CookieCacheStrategy::Compact)
    ///     })
    ///     .build()?;
    /// # Ok::<(), jwtguard::ConfigError>(())
    /// ```
    pub fn cookie_names(mut self, session_token: Option<&str>, session_data: Option<&str>) -> Self {
        self.token_cookie_name = session_token.map(str::to_owned);
        self.data_cookie_name = session_data.map(str::to_owned);
        self
    }

    /// Which of the `__Secure-` names and the plain ones are read (default:
    /// either, the `__Secure-` one winning when both are sent; set
    /// [`SecureCookies::Only`] for an `https://` deployment, whose cookies
    /// all have the prefix).
    ///
    /// ```
    /// let verifier = jwtguard::Verifier::builder()
    ///     .sessions(|sessions| {
    ///         sessions
    ///             .secret("better-auth-secret-0123456789abcdefghij")
    ///             .secure_cookies(jwtguard::SecureCookies::Only)
    ///             .cookie_cache(jwtguard::CookieCacheStrategy::Compact)
    ///     })
    ///     .build()?;
    /// # Ok::<(), jwtguard::ConfigError>(())
    /// ```
    pub fn secure_cookies(mut self, secure: SecureCookies) -> Self {
        self.secure = secure;
        self
    }

    /// Accepts Better Auth's cookie cache (`session.cookieCache` with this
    /// `strategy`): a request with a valid session cookie and a fresh cache
    /// for it is authenticated without any lookup. A missing, stale or
    /// invalid cache falls back to the [`store`](Self::store), or is refused
    /// when there is none (the front end renews the cache on its next
    /// `getSession`).
    ///
    /// ```
    /// let verifier = jwtguard::Verifier::builder()
    ///     .sessions(|sessions| {
    ///         sessions
    ///             .secret("better-auth-secret-0123456789abcdefghij")
    ///             .cookie_cache(jwtguard::CookieCacheStrategy::Jwt)
    ///     })
    ///     .build()?;
    /// # Ok::<(), jwtguard::ConfigError>(())
    /// ```
    pub fn cookie_cache(mut self, strategy: CookieCacheStrategy) -> Self {
        self.cookie_cache = Some(strategy);
        self
    }

    /// Better Auth's `session.cookieCache.version` when set to a string
    /// (default `"1"`): a cache of another version is not used.
    ///
    /// ```
    /// let verifier = jwtguard::Verifier::builder()
    ///     .sessions(|sessions| {
    ///         sessions
    ///             .secret("better-auth-secret-0123456789abcdefghij")
    ///             .cookie_cache(jwtguard::CookieCacheStrategy::Compact)
    ///             .cookie_cache_version("2")
    ///     })
    ///     .build()?;
    /// # Ok::<(), jwtguard::ConfigError>(())
    /// ```
    pub fn cookie_cache_version(mut self, version: impl Into<String>) -> Self {
        self.cache_version = version.into();
        self
    }

    /// Also accepts the bearer plugin's `Authorization: Bearer
    /// <token>.<signature>` (its `set-auth-token` header's value, URL-encoded
    /// or not). Only the signed form is accepted, as with the plugin's
    /// `requireSignature: true`, so that forgeries cost no lookup.
    ///
    /// ```
    /// # struct Nobody;
    /// # impl jwtguard::SessionStore for Nobody {
    /// #     fn find_session<'a>(&'a self, _: &'a jwtguard::SessionToken<'a>) -> jwtguard::SessionLookup<'a> {
    /// #         Box::pin(async { Ok(None) })
    /// #     }
    /// # }
    /// let verifier = jwtguard::Verifier::builder()
    ///     .sessions(|sessions| {
    ///         sessions
    ///             .secret("better-auth-secret-0123456789abcdefghij")
    ///             .store(Nobody)
    ///             .bearer_tokens(true)
    ///     })
    ///     .build()?;
    /// # Ok::<(), jwtguard::ConfigError>(())
    /// ```
    pub fn bearer_tokens(mut self, accept: bool) -> Self {
        self.bearer = accept;
        self
    }

    /// Resolves signed session tokens through `store`: Better Auth's
    /// `get-session` ([`HttpSessionStore`](crate::HttpSessionStore)), its
    /// database ([`SqlSessionStore`](crate::SqlSessionStore)) or your own.
    /// Answers are reused for [`store_cache`](Self::store_cache)'s time to
    /// live, and one lookup per token runs at a time.
    ///
    /// ```
    /// # struct Nobody;
    /// # impl jwtguard::SessionStore for Nobody {
    /// #     fn find_session<'a>(&'a self, _: &'a jwtguard::SessionToken<'a>) -> jwtguard::SessionLookup<'a> {
    /// #         Box::pin(async { Ok(None) })
    /// #     }
    /// # }
    /// let verifier = jwtguard::Verifier::builder()
    ///     .sessions(|sessions| sessions.secret("better-auth-secret-0123456789abcdefghij").store(Nobody))
    ///     .build()?;
    /// # Ok::<(), jwtguard::ConfigError>(())
    /// ```
    pub fn store(mut self, store: impl SessionStore) -> Self {
        self.store = Some(Arc::new(store));
        self
    }

    /// How long a store's answer is reused, and how many are kept (defaults
    /// [`DEFAULT_SESSION_CACHE_TTL`](crate::limits::DEFAULT_SESSION_CACHE_TTL),
    /// 30 s, and 10,000). A session revoked in Better Auth keeps working
    /// here for at most `ttl`; zero asks the store for every request (one
    /// lookup still serves the requests that arrive while it runs).
    ///
    /// ```
    /// # struct Nobody;
    /// # impl jwtguard::SessionStore for Nobody {
    /// #     fn find_session<'a>(&'a self, _: &'a jwtguard::SessionToken<'a>) -> jwtguard::SessionLookup<'a> {
    /// #         Box::pin(async { Ok(None) })
    /// #     }
    /// # }
    /// let verifier = jwtguard::Verifier::builder()
    ///     .sessions(|sessions| {
    ///         sessions
    ///             .secret("better-auth-secret-0123456789abcdefghij")
    ///             .store(Nobody)
    ///             .store_cache(std::time::Duration::from_secs(5), 1_000)
    ///     })
    ///     .build()?;
    /// # Ok::<(), jwtguard::ConfigError>(())
    /// ```
    pub fn store_cache(mut self, ttl: Duration, max_entries: usize) -> Self {
        self.store_cache_ttl = ttl;
        self.store_cache_entries = max_entries;
        self
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
                "SessionSettings::store_cache needs room for at least one session",
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
            verified_caches: VerifiedCaches::new(VERIFIED_CACHE_ENTRIES),
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
