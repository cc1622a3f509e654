//! The [`VerifierBuilder`] settings for Better Auth's JWT plugin (feature
//! `jwks`): where the JWKS comes from, how often it is reloaded, and the
//! verified-token cache.

use std::time::Duration;

use crate::jwks_keys::{Fetch, JwksKeys};
use crate::refresh::Schedule;
use crate::token_cache::TokenCache;
use crate::validation::Policy;
use crate::{ClaimCheck, ConfigError, VerifierBuilder};

/// How often a fetched JWKS is reloaded by default.
pub const DEFAULT_JWKS_REFRESH_INTERVAL: Duration = Duration::from_secs(300);

/// How soon after a reload an unknown `kid` may cause another, by default.
pub const DEFAULT_JWKS_REFRESH_COOLDOWN: Duration = Duration::from_secs(10);

/// How long a fetched key set is trusted, by default, when every reload
/// since it was loaded has failed.
pub const DEFAULT_JWKS_MAX_AGE: Duration = Duration::from_secs(24 * 60 * 60);

/// Where the public keys come from.
pub(crate) enum JwksSource {
    Json(String),
    Fetch(Fetch),
    #[cfg(feature = "jwks-fetch")]
    Url(String),
}

/// The JWKS settings collected by the builder.
pub(crate) struct JwksConfig {
    source: Option<JwksSource>,
    schedule: Schedule,
    max_age: Duration,
    cache_entries: Option<usize>,
    claim_check: Option<ClaimCheck>,
}

impl Default for JwksConfig {
    fn default() -> Self {
        Self {
            source: None,
            schedule: Schedule {
                interval: DEFAULT_JWKS_REFRESH_INTERVAL,
                cooldown: DEFAULT_JWKS_REFRESH_COOLDOWN,
            },
            max_age: DEFAULT_JWKS_MAX_AGE,
            cache_entries: None,
            claim_check: None,
        }
    }
}

impl JwksConfig {
    pub(crate) fn is_set(&self) -> bool {
        self.source.is_some()
    }

    /// The claim policy for public-key tokens: `policy` with the `iss` and
    /// `aud` checks [`public_key_claim_check`](VerifierBuilder::public_key_claim_check) chose.
    pub(crate) fn public_key_policy(&self, policy: &Policy) -> Result<Policy, ConfigError> {
        let mut public = policy.clone();
        if let Some(check) = self.claim_check {
            if check != ClaimCheck::Skip && public.issuers.is_empty() {
                return Err(ConfigError::CheckWithoutValues {
                    claim: "iss",
                    setter: "issuer",
                });
            }
            if check != ClaimCheck::Skip && public.audiences.is_empty() {
                return Err(ConfigError::CheckWithoutValues {
                    claim: "aud",
                    setter: "audience",
                });
            }
            public.issuer_check = check;
            public.audience_check = check;
        }
        Ok(public)
    }

    /// Loads the keys (fetching them once for a URL or fetch function).
    pub(crate) fn build(self) -> Result<Option<JwksKeys>, ConfigError> {
        if self.schedule.interval.is_zero() {
            return Err(ConfigError::InvalidJwksSetting(
                "jwks_refresh_interval must be greater than zero",
            ));
        }
        if self.max_age.is_zero() {
            return Err(ConfigError::InvalidJwksSetting(
                "jwks_max_age must be greater than zero",
            ));
        }
        if self.cache_entries == Some(0) {
            return Err(ConfigError::InvalidJwksSetting(
                "token_cache needs room for at least one token",
            ));
        }
        let cache = self.cache_entries.map(TokenCache::new);
        let keys = match self.source {
            None if cache.is_some() => return Err(ConfigError::CacheWithoutJwks),
            None => return Ok(None),
            Some(JwksSource::Json(json)) => JwksKeys::fixed(&json, cache)?,
            Some(JwksSource::Fetch(fetch)) => {
                JwksKeys::fetched(fetch, self.schedule, self.max_age, cache)?
            }
            #[cfg(feature = "jwks-fetch")]
            Some(JwksSource::Url(url)) => JwksKeys::fetched(
                crate::fetch::http_fetch(&url)?,
                self.schedule,
                self.max_age,
                cache,
            )?,
        };
        Ok(Some(keys))
    }
}

impl VerifierBuilder {
    /// Accepts tokens signed by the keys of a JWKS document that does not
    /// change (EdDSA, ES256, ES512, RS256, PS256). Each key is used only with
    /// its own `alg` and key type.
    ///
    /// ```
    /// let jwks = r#"{"keys":[{"kty":"OKP","crv":"Ed25519","alg":"EdDSA","kid":"k1",
    ///     "x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}"#;
    /// let verifier = jwtguard::Verifier::builder().jwks_json(jwks).build()?;
    /// # Ok::<(), jwtguard::ConfigError>(())
    /// ```
    pub fn jwks_json(mut self, json: impl Into<String>) -> Self {
        self.jwks.source = Some(JwksSource::Json(json.into()));
        self
    }

    /// Accepts tokens signed by the keys of Better Auth's JWKS endpoint,
    /// usually `{BETTER_AUTH_URL}/api/auth/jwks`. The URL must be `https://`,
    /// or `http://` to a loopback host.
    ///
    /// [`build`](Self::build) fetches it once and fails if it cannot. It is
    /// then reloaded in the background every
    /// [`jwks_refresh_interval`](Self::jwks_refresh_interval), and at once
    /// when a token names an unknown `kid` (at most once per
    /// [`jwks_refresh_cooldown`](Self::jwks_refresh_cooldown)). A failed
    /// reload keeps the keys already loaded.
    ///
    /// ```no_run
    /// let verifier = jwtguard::Verifier::builder()
    ///     .jwks_url("https://app.example.com/api/auth/jwks")
    ///     .issuer("https://app.example.com")
    ///     .audience("https://app.example.com")
    ///     .build()?;
    /// # Ok::<(), jwtguard::ConfigError>(())
    /// ```
    #[cfg(feature = "jwks-fetch")]
    #[cfg_attr(docsrs, doc(cfg(feature = "jwks-fetch")))]
    pub fn jwks_url(mut self, url: impl Into<String>) -> Self {
        self.jwks.source = Some(JwksSource::Url(url.into()));
        self
    }

    /// Like [`jwks_url`](Self::jwks_url), with your own (blocking) fetch:
    /// the function returns the JWKS document. It runs on jwtguard's
    /// background thread, never on a request, and should time out by itself.
    ///
    /// ```
    /// # let jwks = r#"{"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}"#;
    /// let verifier = jwtguard::Verifier::builder()
    ///     .jwks_fetcher(move || Ok(jwks.to_owned()))
    ///     .build()?;
    /// # Ok::<(), jwtguard::ConfigError>(())
    /// ```
    pub fn jwks_fetcher(
        mut self,
        fetch: impl Fn() -> Result<String, Box<dyn std::error::Error + Send + Sync>>
        + Send
        + Sync
        + 'static,
    ) -> Self {
        self.jwks.source = Some(JwksSource::Fetch(std::sync::Arc::new(fetch)));
        self
    }

    /// How often a fetched JWKS is reloaded (default 5 minutes; zero is refused).
    ///
    /// ```
    /// # let jwks = r#"{"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}"#;
    /// let verifier = jwtguard::Verifier::builder()
    ///     .jwks_fetcher(move || Ok(jwks.to_owned()))
    ///     .jwks_refresh_interval(std::time::Duration::from_secs(60))
    ///     .build()?;
    /// # Ok::<(), jwtguard::ConfigError>(())
    /// ```
    pub fn jwks_refresh_interval(mut self, interval: Duration) -> Self {
        self.jwks.schedule.interval = interval;
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
    ///     .jwks_fetcher(move || Ok(jwks.to_owned()))
    ///     .jwks_refresh_cooldown(std::time::Duration::from_secs(30))
    ///     .build()?;
    /// # Ok::<(), jwtguard::ConfigError>(())
    /// ```
    pub fn jwks_refresh_cooldown(mut self, cooldown: Duration) -> Self {
        self.jwks.schedule.cooldown = cooldown;
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
    /// reached. A static [`jwks_json`](Self::jwks_json) never ages.
    ///
    /// ```
    /// # let jwks = r#"{"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}"#;
    /// let verifier = jwtguard::Verifier::builder()
    ///     .jwks_fetcher(move || Ok(jwks.to_owned()))
    ///     .jwks_max_age(std::time::Duration::from_secs(6 * 3600))
    ///     .build()?;
    /// # Ok::<(), jwtguard::ConfigError>(())
    /// ```
    pub fn jwks_max_age(mut self, max_age: Duration) -> Self {
        self.jwks.max_age = max_age;
        self
    }

    /// How `iss` and `aud` are checked on tokens signed by a JWKS key,
    /// overriding [`issuer_check`](Self::issuer_check) and
    /// [`audience_check`](Self::audience_check) for them only (HS256 tokens
    /// keep those). Better Auth's own `verifyJWT` requires both to be the
    /// app's base URL, so [`from_env`](Self::from_env) with
    /// `BETTER_AUTH_URL` sets [`ClaimCheck::Required`]; call this with
    /// [`ClaimCheck::IfPresent`] after it to go back to checking them only
    /// when present.
    ///
    /// ```
    /// # let jwks = r#"{"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}"#;
    /// use jwtguard::ClaimCheck;
    /// let verifier = jwtguard::Verifier::builder()
    ///     .jwks_json(jwks)
    ///     .issuer("https://app.example.com")
    ///     .audience("https://app.example.com")
    ///     .public_key_claim_check(ClaimCheck::Required)
    ///     .build()?;
    /// # Ok::<(), jwtguard::ConfigError>(())
    /// ```
    pub fn public_key_claim_check(mut self, check: ClaimCheck) -> Self {
        self.jwks.claim_check = Some(check);
        self
    }

    /// Remembers up to `max_entries` tokens whose signature was checked
    /// against a JWKS key, so that the next request with the same token
    /// skips the signature check (tens of microseconds for Ed25519, more for
    /// RSA). `exp`, `nbf` and `iat` are checked again on every hit; `iss`,
    /// `aud` and `sub` cannot change for a given token and verifier (a claims
    /// type other than [`Claims`](crate::Claims) is filled and checked again
    /// in full). Tokens longer than
    /// [`CACHE_MAX_TOKEN_LEN`](crate::CACHE_MAX_TOKEN_LEN) or without `exp`
    /// are not cached; the cache is emptied whenever the keys change. An
    /// entry holds the token, its payload and its claims: about 2 KB for a
    /// Better Auth token. Off by default; HS256 tokens are never cached
    /// (checking them is cheaper than a lookup would save).
    ///
    /// ```
    /// # let jwks = r#"{"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}"#;
    /// let verifier = jwtguard::Verifier::builder()
    ///     .jwks_json(jwks)
    ///     .token_cache(10_000)
    ///     .build()?;
    /// # Ok::<(), jwtguard::ConfigError>(())
    /// ```
    pub fn token_cache(mut self, max_entries: usize) -> Self {
        self.jwks.cache_entries = Some(max_entries);
        self
    }
}
