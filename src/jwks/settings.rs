//! The builder's settings for Better Auth's JWT plugin (feature `jwks`):
//! where the JWKS comes from, whether it is first fetched when the verifier
//! is built or in the background, how often it is reloaded, how long it
//! stays trusted, the `iss`/`aud` checks of its tokens and the
//! verified-token cache; and loading it when the verifier is built.

use std::time::Duration;

use crate::error::config::ConfigError;
use crate::jwks::cache::TokenCache;
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
            Self::Json(_) => "jwks_json(..)".to_owned(),
            Self::Fetch(_) => "jwks_fetcher(..)".to_owned(),
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

/// The JWKS settings collected by the builder.
pub(crate) struct JwksSettings {
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

impl JwksSettings {
    pub(crate) fn is_set(&self) -> bool {
        self.source.is_some()
    }

    /// The claim policy for public-key tokens: `policy` with the `iss` and
    /// `aud` checks [`public_key_claim_check`](VerifierBuilder::public_key_claim_check) chose.
    pub(crate) fn public_key_policy(&self, policy: &Policy) -> Result<Policy, ConfigError> {
        let mut public = policy.clone();
        if let Some(check) = self.claim_check {
            public.issuer_check = check;
            public.audience_check = check;
            public.check_values()?;
        }
        Ok(public)
    }

    /// Loads the keys: fetching them once for a URL or fetch function, or,
    /// with a background start, leaving that to the refresh thread.
    pub(crate) fn build(self) -> Result<Option<Jwks>, ConfigError> {
        if self.schedule.interval.is_zero() {
            return Err(ConfigError::InvalidJwksSetting(
                "jwks_refresh_interval must be greater than zero",
            ));
        }
        if self.schedule.first_retry.is_zero() {
            return Err(ConfigError::InvalidJwksSetting(
                "jwks_background_retry must be greater than zero",
            ));
        }
        if self.background_start && !matches!(self.source, Some(ref source) if source.is_fetched())
        {
            return Err(ConfigError::InvalidJwksSetting(
                "jwks_background_start needs a JWKS to fetch: call .jwks_url(..) or \
                 .jwks_fetcher(..) (a jwks_json(..) document is loaded when the verifier is built)",
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
