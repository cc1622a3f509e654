//! The builder's settings for Better Auth's JWT plugin (feature `jwks`):
//! where the JWKS comes from, whether it is first fetched when the verifier
//! is built or in the background, how often it is reloaded, how long it
//! stays trusted, the `iss`/`aud` checks of its tokens and the
//! verified-token cache; and loading it when the verifier is built.

use std::time::Duration;

use crate::error::config::ConfigError;
use crate::jwks::cache::TokenCache;
use crate::jwks::public_keys::PublicKeys;
use crate::jwks::refresh::Schedule;
use crate::jwks::store::{Fetch, Jwks};
use crate::token::policy::{ClaimCheck, Policy};

/// How often a fetched JWKS is reloaded by default.
pub const DEFAULT_JWKS_REFRESH_INTERVAL: Duration = Duration::from_secs(300);

/// How soon after a reload an unknown `kid` may cause another, by default.
pub const DEFAULT_JWKS_REFRESH_COOLDOWN: Duration = Duration::from_secs(10);

/// How long a fetched key set is trusted, by default, when every reload
/// since it was loaded has failed.
pub const DEFAULT_JWKS_MAX_AGE: Duration = Duration::from_secs(24 * 60 * 60);

/// With a background start, how long after the first failed fetch the next
/// is made, by default; the wait doubles after each failure, up to the
/// refresh interval.
pub const DEFAULT_JWKS_BACKGROUND_RETRY: Duration = Duration::from_secs(1);

/// Where the public keys come from.
pub(crate) enum JwksSource {
    Json(String),
    Fetch(Fetch),
    /// A URL, and the environment variable that named it, if any.
    #[cfg(feature = "jwks-fetch")]
    Url {
        url: String,
        var: Option<&'static str>,
    },
}

impl JwksSource {
    /// Whether the keys are fetched (and so may be fetched in the background).
    fn is_fetched(&self) -> bool {
        !matches!(self, Self::Json(_))
    }

    /// Where the keys come from, as errors name it.
    fn origin(&self) -> String {
        match self {
            Self::Json(_) => "JwksSettings::json(..)".to_owned(),
            Self::Fetch(_) => "JwksSettings::fetcher(..)".to_owned(),
            #[cfg(feature = "jwks-fetch")]
            Self::Url { url, var: None } => url.clone(),
            #[cfg(feature = "jwks-fetch")]
            Self::Url {
                url,
                var: Some(var),
            } => format!("{url} (from {var})"),
        }
    }
}

/// Better Auth's JWT plugin (feature `jwks`): where the JWKS comes from,
/// how it is kept fresh, how its tokens' `iss` and `aud` are checked, and
/// the verified-token cache. Set with
/// [`VerifierBuilder::jwks`](crate::VerifierBuilder::jwks).
///
/// ```
/// let jwks = r#"{"keys":[{"kty":"OKP","crv":"Ed25519","alg":"EdDSA","kid":"k1",
///     "x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}"#;
/// let verifier = jwtguard::Verifier::builder()
///     .jwks(|keys| keys.json(jwks).token_cache(10_000))
///     .claim_rules(|rules| rules.audience("https://app.example.com"))
///     .build()?;
/// # Ok::<(), jwtguard::ConfigError>(())
/// ```
#[must_use]
pub struct JwksSettings {
    pub(crate) source: Option<JwksSource>,
    /// Fetch the first keys on the background thread, not in `build()`.
    pub(crate) background_start: bool,
    pub(crate) schedule: Schedule,
    pub(crate) max_age: Duration,
    pub(crate) cache_entries: Option<usize>,
    pub(crate) claim_check: Option<ClaimCheck>,
}

impl Default for JwksSettings {
    fn default() -> Self {
        Self {
            source: None,
            background_start: false,
            schedule: Schedule {
                interval: DEFAULT_JWKS_REFRESH_INTERVAL,
                cooldown: DEFAULT_JWKS_REFRESH_COOLDOWN,
                first_retry: DEFAULT_JWKS_BACKGROUND_RETRY,
            },
            max_age: DEFAULT_JWKS_MAX_AGE,
            cache_entries: None,
            claim_check: None,
        }
    }
}

impl std::fmt::Debug for JwksSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwksSettings")
            .field("source", &self.source.as_ref().map(JwksSource::origin))
            .field("background_start", &self.background_start)
            .field("max_age", &self.max_age)
            .field("cache_entries", &self.cache_entries)
            .field("claim_check", &self.claim_check)
            .finish_non_exhaustive()
    }
}

impl JwksSettings {
    /// Accepts tokens signed by the keys of a JWKS document that does not
    /// change (EdDSA, ES256, ES512, RS256, PS256). Each key is used only with
    /// its own `alg` and key type.
    ///
    /// ```
    /// let jwks = r#"{"keys":[{"kty":"OKP","crv":"Ed25519","alg":"EdDSA","kid":"k1",
    ///     "x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}"#;
    /// let verifier = jwtguard::Verifier::builder().jwks(|keys| keys.json(jwks)).claim_rules(|rules| rules.audience("https://app.example.com")).build()?;
    /// # Ok::<(), jwtguard::ConfigError>(())
    /// ```
    pub fn json(mut self, json: impl Into<String>) -> Self {
        self.source = Some(JwksSource::Json(json.into()));
        self
    }

    /// Accepts tokens signed by the keys of Better Auth's JWKS endpoint,
    /// usually `{BETTER_AUTH_URL}/api/auth/jwks`. The URL must be `https://`,
    /// or `http://` to a loopback host.
    ///
    /// [`build`](crate::VerifierBuilder::build) fetches it once and fails if it cannot (or,
    /// with [`background_start`](Self::background_start), returns
    /// at once and leaves the first fetch to the background). It is
    /// then reloaded in the background every
    /// [`refresh_interval`](Self::refresh_interval), and at once
    /// when a token names an unknown `kid` (at most once per
    /// [`refresh_cooldown`](Self::refresh_cooldown)). A failed
    /// reload keeps the keys already loaded.
    ///
    /// ```no_run
    /// let verifier = jwtguard::Verifier::builder()
    ///     .jwks(|keys| keys.url("https://app.example.com/api/auth/jwks"))
    ///     .claim_rules(|rules| rules.audience("https://app.example.com"))
    ///     .claim_rules(|rules| rules.issuer("https://app.example.com").audience("https://app.example.com"))
    ///     .build()?;
    /// # Ok::<(), jwtguard::ConfigError>(())
    /// ```
    #[cfg(feature = "jwks-fetch")]
    #[cfg_attr(docsrs, doc(cfg(feature = "jwks-fetch")))]
    pub fn url(mut self, url: impl Into<String>) -> Self {
        self.source = Some(JwksSource::Url {
            url: url.into(),
            var: None,
        });
        self
    }

    /// [`url`](Self::url), named by the environment variable `var`
    /// (so that errors say where the URL came from).
    #[cfg(feature = "jwks-fetch")]
    pub(crate) fn url_from(mut self, var: &'static str, url: String) -> Self {
        self.source = Some(JwksSource::Url {
            url,
            var: Some(var),
        });
        self
    }

    /// Like [`url`](Self::url), with your own (blocking) fetch:
    /// the function returns the JWKS document. It runs on jwtguard's
    /// background thread, never on a request, and should time out by itself.
    ///
    /// ```
    /// # let jwks = r#"{"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}"#;
    /// let verifier = jwtguard::Verifier::builder()
    ///     .jwks(|keys| keys.fetcher(move || Ok(jwks.to_owned())))
    ///     .claim_rules(|rules| rules.audience("https://app.example.com"))
    ///     .build()?;
    /// # Ok::<(), jwtguard::ConfigError>(())
    /// ```
    pub fn fetcher(
        mut self,
        fetch: impl Fn() -> Result<String, Box<dyn std::error::Error + Send + Sync>>
        + Send
        + Sync
        + 'static,
    ) -> Self {
        self.source = Some(JwksSource::Fetch(std::sync::Arc::new(fetch)));
        self
    }

    /// How often a fetched JWKS is reloaded (default 5 minutes; zero is refused).
    ///
    /// ```
    /// # let jwks = r#"{"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}"#;
    /// let verifier = jwtguard::Verifier::builder()
    ///     .jwks(|keys| keys.fetcher(move || Ok(jwks.to_owned())).refresh_interval(std::time::Duration::from_secs(60)))
    ///     .claim_rules(|rules| rules.audience("https://app.example.com"))
    ///     .build()?;
    /// # Ok::<(), jwtguard::ConfigError>(())
    /// ```
    pub fn refresh_interval(mut self, interval: Duration) -> Self {
        self.schedule.interval = interval;
        self
    }

    /// The least time between the end of one reload and a reload caused by
    /// an unknown `kid` (default 10 seconds), so that tokens with made-up
    /// `kid`s cannot make us hammer the issuer. Within it, such tokens are
    /// refused at once. Zero turns the protection off: only for tests.
    ///
    /// ```
    /// # let jwks = r#"{"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}"#;
    /// let verifier = jwtguard::Verifier::builder()
    ///     .jwks(|keys| keys.fetcher(move || Ok(jwks.to_owned())).refresh_cooldown(std::time::Duration::from_secs(30)))
    ///     .claim_rules(|rules| rules.audience("https://app.example.com"))
    ///     .build()?;
    /// # Ok::<(), jwtguard::ConfigError>(())
    /// ```
    pub fn refresh_cooldown(mut self, cooldown: Duration) -> Self {
        self.schedule.cooldown = cooldown;
        self
    }

    /// How long a fetched JWKS stays trusted while every reload fails
    /// (default 24 hours; zero is refused). A reload that fails keeps the
    /// keys already loaded, but not forever: once the last successful load
    /// is older than this, the keys are dropped (logged at WARN) and tokens
    /// signed by a JWKS key are answered 503
    /// [`KeysUnavailable`](crate::ErrorKind::KeysUnavailable) with
    /// `Retry-After`, until a reload succeeds. HS256 tokens are not
    /// affected. A key the issuer removed therefore stops working at the
    /// latest this long after it was removed, even when the JWKS cannot be
    /// reached. A static [`json`](Self::json) never ages.
    ///
    /// ```
    /// # let jwks = r#"{"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}"#;
    /// let verifier = jwtguard::Verifier::builder()
    ///     .jwks(|keys| keys.fetcher(move || Ok(jwks.to_owned())).max_age(std::time::Duration::from_secs(6 * 3600)))
    ///     .claim_rules(|rules| rules.audience("https://app.example.com"))
    ///     .build()?;
    /// # Ok::<(), jwtguard::ConfigError>(())
    /// ```
    pub fn max_age(mut self, max_age: Duration) -> Self {
        self.max_age = max_age;
        self
    }

    /// Lets [`build`](crate::VerifierBuilder::build) return at once, without fetching the
    /// JWKS of [`url`](Self::url) or
    /// [`fetcher`](Self::fetcher): the background thread fetches
    /// it instead, so the service starts even while Better Auth is down (as
    /// Envoy's `jwt_authn` can). Off by default: `build()` then fetches, and
    /// fails when it cannot.
    ///
    /// The first fetch is made at once; while fetches fail, the next comes
    /// after 1 s, 2 s, 4 s, ... (doubling from
    /// [`background_retry`](Self::background_retry), no jitter),
    /// never more than [`refresh_interval`](Self::refresh_interval)
    /// apart; after the first good load, reloads keep the normal schedule.
    /// Until then:
    ///
    /// - tokens signed by a JWKS key are refused at once with
    ///   [`KeysUnavailable`](crate::ErrorKind::KeysUnavailable) (503
    ///   `temporarily_unavailable`, `Retry-After: 10`) by every method and
    ///   both adapters: none waits for an issuer that may be down, and none
    ///   causes an extra fetch;
    /// - HS256 tokens pass as usual (with a secret configured);
    /// - [`Verifier::is_ready`](crate::Verifier::is_ready) is `false`: answer your readiness probe with it.
    ///
    /// A JWKS-only verifier builds without any key loaded. An invalid URL is
    /// still refused by `build()`; each failed fetch is logged at WARN
    /// (feature `tracing`). With [`json`](Self::json), or without
    /// a JWKS, `build()` fails with
    /// [`ConfigError::InvalidJwksSetting`]. [`from_env`](crate::VerifierBuilder::from_env)
    /// sets it from `JWKS_BACKGROUND_START`.
    ///
    /// ```
    /// let verifier = jwtguard::Verifier::builder()
    ///     .jwks(|keys| keys.fetcher(|| Err("Better Auth is not up yet".into())).background_start(true))
    ///     .claim_rules(|rules| rules.audience("https://app.example.com"))
    ///     .build()?; // at once, without keys
    /// assert!(!verifier.is_ready());
    /// # Ok::<(), jwtguard::ConfigError>(())
    /// ```
    pub fn background_start(mut self, enabled: bool) -> Self {
        self.background_start = enabled;
        self
    }

    /// With [`background_start`](Self::background_start), how long
    /// after the first failed fetch the next is made (default 1 second). The
    /// wait doubles after each further failure, up to
    /// [`refresh_interval`](Self::refresh_interval), until a fetch
    /// succeeds. Zero is refused; without a background start it has no effect.
    ///
    /// ```
    /// let verifier = jwtguard::Verifier::builder()
    ///     .jwks(|keys| keys.fetcher(|| Err("Better Auth is not up yet".into())).background_start(true).background_retry(std::time::Duration::from_millis(250)))
    ///     .claim_rules(|rules| rules.audience("https://app.example.com"))
    ///     .build()?;
    /// # Ok::<(), jwtguard::ConfigError>(())
    /// ```
    pub fn background_retry(mut self, first_delay: Duration) -> Self {
        self.schedule.first_retry = first_delay;
        self
    }

    /// How `iss` and `aud` are checked on tokens signed by a JWKS key,
    /// overriding [`issuer_check`](crate::ClaimRules::issuer_check) and
    /// [`audience_check`](crate::ClaimRules::audience_check) for them only (HS256 tokens
    /// keep those). Better Auth's own `verifyJWT` requires both to be the
    /// app's base URL, so [`from_env`](crate::VerifierBuilder::from_env) with
    /// `BETTER_AUTH_URL` sets [`ClaimCheck::Required`]; call this with
    /// [`ClaimCheck::IfPresent`] after it to go back to checking them only
    /// when present.
    ///
    /// Without this call, JWKS tokens follow the verifier's
    /// [`ClaimRules`](crate::ClaimRules), and `build()` refuses a verifier
    /// whose rules name no audience: Better Auth's OAuth provider signs the
    /// ID tokens it issues to other clients (`aud`: the client) with the
    /// same keys, and an unchecked audience would take them as the user's
    /// own tokens. [`ClaimCheck::Skip`] here says that is intended (no
    /// OAuth provider on the app, say). An OAuth resource server that
    /// refuses the JWT plugin's tokens (`OAuthSettings::jwt_plugin_tokens`,
    /// feature `oauth`) needs no audience here.
    ///
    /// ```
    /// # let jwks = r#"{"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}"#;
    /// use jwtguard::ClaimCheck;
    /// let verifier = jwtguard::Verifier::builder()
    ///     .jwks(|keys| keys.json(jwks).claim_check(ClaimCheck::Required))
    ///     .claim_rules(|rules| rules.issuer("https://app.example.com").audience("https://app.example.com"))
    ///     .build()?;
    /// # Ok::<(), jwtguard::ConfigError>(())
    /// ```
    pub fn claim_check(mut self, check: ClaimCheck) -> Self {
        self.claim_check = Some(check);
        self
    }

    /// Remembers up to `max_entries` tokens whose signature was checked
    /// against a JWKS key, so that the next request with the same token
    /// skips the signature check (tens of microseconds for Ed25519, more for
    /// RSA). `exp`, `nbf` and `iat` are checked again on every hit; `iss`,
    /// `aud` and `sub` cannot change for a given token and verifier (a claims
    /// type other than [`Claims`](crate::Claims) is filled and checked again
    /// in full). Tokens longer than
    /// [`CACHE_MAX_TOKEN_LEN`](crate::limits::CACHE_MAX_TOKEN_LEN) or without `exp`
    /// are not cached; the cache is emptied whenever the keys change. An
    /// entry holds the token, its payload and its claims: about 2 KB for a
    /// Better Auth token. Off by default; HS256 tokens are never cached
    /// (checking them is cheaper than a lookup would save).
    ///
    /// ```
    /// # let jwks = r#"{"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}"#;
    /// let verifier = jwtguard::Verifier::builder()
    ///     .jwks(|keys| keys.json(jwks).token_cache(10_000))
    ///     .claim_rules(|rules| rules.audience("https://app.example.com"))
    ///     .build()?;
    /// # Ok::<(), jwtguard::ConfigError>(())
    /// ```
    pub fn token_cache(mut self, max_entries: usize) -> Self {
        self.cache_entries = Some(max_entries);
        self
    }
}

/// Why a JWKS verifier without an audience is refused.
const NO_AUDIENCE: &str = "tokens signed by a JWKS key need their audience checked: Better Auth's \
     OAuth provider signs ID tokens for other clients with the same keys. Set \
     .claim_rules(|rules| rules.issuer(app_url).audience(app_url)) (the JWT plugin writes the \
     app's baseURL in both; from_env: BETTER_AUTH_URL, or JWT_AUDIENCE), or accept any \
     audience with \
     .jwks(|keys| keys.claim_check(ClaimCheck::Skip))";

impl JwksSettings {
    pub(crate) fn is_set(&self) -> bool {
        self.source.is_some()
    }

    /// The claim policy for public-key tokens: `policy` with the `iss` and
    /// `aud` checks [`claim_check`](Self::claim_check) chose. Unless told
    /// (`claim_check`), tokens accepted as they are (`plain_tokens`) need
    /// an audience: Better Auth signs more than the JWT plugin's tokens
    /// with these keys.
    fn public_key_policy(
        &self,
        policy: &Policy,
        plain_tokens: bool,
    ) -> Result<Policy, ConfigError> {
        let mut public = policy.clone();
        match self.claim_check {
            Some(check) => {
                public.issuer_check = check;
                public.audience_check = check;
                public.check_values()?;
            }
            None if plain_tokens && self.is_set() && public.audience_check == ClaimCheck::Skip => {
                return Err(ConfigError::InvalidJwksSetting(NO_AUDIENCE));
            }
            None => {}
        }
        Ok(public)
    }

    /// The public keys for a verifier whose policy is `policy`: its
    /// `iss`/`aud` checks as [`claim_check`](Self::claim_check) says, then
    /// the keys loaded (last: it may fetch, and every cheaper mistake is
    /// reported first). `plain_tokens`: whether tokens that are not OAuth
    /// access tokens are accepted (an OAuth resource server may refuse
    /// them).
    pub(crate) fn build(
        self,
        policy: &Policy,
        plain_tokens: bool,
    ) -> Result<PublicKeys, ConfigError> {
        let policy = self.public_key_policy(policy, plain_tokens)?;
        Ok(PublicKeys::new(self.load()?, policy, plain_tokens))
    }

    /// Loads the keys: fetching them once for a URL or fetch function, or,
    /// with a background start, leaving that to the refresh thread.
    fn load(self) -> Result<Option<Jwks>, ConfigError> {
        if self.schedule.interval.is_zero() {
            return Err(ConfigError::InvalidJwksSetting(
                "JwksSettings::refresh_interval must be greater than zero",
            ));
        }
        if self.schedule.first_retry.is_zero() {
            return Err(ConfigError::InvalidJwksSetting(
                "JwksSettings::background_retry must be greater than zero",
            ));
        }
        if self.background_start && !matches!(self.source, Some(ref source) if source.is_fetched())
        {
            return Err(ConfigError::InvalidJwksSetting(
                "jwks_background_start needs a JWKS to fetch: call .jwks(|keys| keys.url(..)) or \
                 .jwks(|keys| keys.fetcher(..)) (a jwks_json(..) document is loaded when the verifier is built)",
            ));
        }
        if self.max_age.is_zero() {
            return Err(ConfigError::InvalidJwksSetting(
                "JwksSettings::max_age must be greater than zero",
            ));
        }
        if self.cache_entries == Some(0) {
            return Err(ConfigError::InvalidJwksSetting(
                "JwksSettings::token_cache needs room for at least one token",
            ));
        }
        let cache = self.cache_entries.map(TokenCache::new);
        let Some(source) = self.source else {
            return match cache {
                Some(_) => Err(ConfigError::CacheWithoutJwks),
                None => Ok(None),
            };
        };
        let origin = source.origin();
        let fetched = match self.background_start {
            false => Jwks::fetched,
            true => Jwks::fetched_in_background,
        };
        let keys = match source {
            JwksSource::Json(json) => Jwks::fixed(&json, cache),
            JwksSource::Fetch(fetch) => fetched(fetch, self.schedule, self.max_age, cache),
            #[cfg(feature = "jwks-fetch")]
            JwksSource::Url { url, .. } => fetched(
                crate::jwks::fetch::http_fetch(&url)?,
                self.schedule,
                self.max_age,
                cache,
            ),
        };
        keys.map(Some)
            .map_err(|error| ConfigError::Jwks { origin, error })
    }
}
