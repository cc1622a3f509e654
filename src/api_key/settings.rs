//! [`ApiKeySettings`]: which headers carry an API key, where keys are
//! found, and whether using one counts, checked at `build()`.

use crate::api_key::keys::ApiKeys;
use crate::api_key::store::ApiKeyStore;
use crate::error::config::ConfigError;
use crate::token::policy::{ClaimCheck, Policy};

/// The header the plugin reads a key from by default (`apiKeyHeaders`).
const DEFAULT_HEADER: &str = "x-api-key";

/// API keys of Better Auth's `@better-auth/api-key` plugin (feature
/// `api-key`), set through
/// [`VerifierBuilder::api_keys`](crate::VerifierBuilder::api_keys).
///
/// A key is read from `x-api-key` (or the [`header`](Self::header)s set
/// here), hashed as the plugin hashes it (SHA-256, base64url without
/// padding; not keyed by the app's secret) and looked up by that hash in
/// the plugin's `apikey` table ([`SqlApiKeyStore`](crate::SqlApiKeyStore)),
/// or, when the plugin keeps keys in Redis only (`storage:
/// "secondary-storage"`), in Redis (`RedisApiKeyStore`, with feature
/// `session-redis` too). It is refused when unknown
/// ([`InvalidApiKey`](crate::ErrorKind::InvalidApiKey)), disabled
/// ([`ApiKeyDisabled`](crate::ErrorKind::ApiKeyDisabled)), past its
/// `expiresAt` ([`ApiKeyExpired`](crate::ErrorKind::ApiKeyExpired)) or out
/// of uses ([`ApiKeyExhausted`](crate::ErrorKind::ApiKeyExhausted)). Each
/// accepted request with a key that has `remaining` uses one, as the
/// plugin's `verifyApiKey` does (with its refills), unless the keys are
/// [`read_only`](Self::read_only).
///
/// The claims: `sub` is the key's owner (`referenceId`: a user, or an
/// organization when the plugin's `references` is `"organization"`),
/// `apiKeyId` the key's id, `configId` its configuration, `permissions`
/// its permissions object (for
/// [`ClaimGuard::permission`](crate::ClaimGuard::permission)) and `exp`
/// its `expiresAt`, when it has one; [`Claims::credential`](crate::Claims::credential)
/// is [`Credential::ApiKey`](crate::Credential::ApiKey).
///
/// **What is checked is the key, as the plugin's `verifyApiKey` does, not
/// its owner.** Better Auth deletes a user's sessions but not their keys,
/// and the plugin's own key-to-session hook (not `verifyApiKey`) is what
/// refuses a key whose user is gone or whose configuration references
/// organizations. Here such a key still verifies, with its `referenceId`
/// as `sub`: delete a user's keys with the user, and where organization
/// keys exist and organization and user ids can coincide (serial ids),
/// check `configId` before treating `sub` as a user
/// (`OwnerOf` compares `sub` with the path's user id).
///
/// **Rate limits are not applied.** The key's `rateLimitEnabled`,
/// `rateLimitMax` and `rateLimitTimeWindow` are the plugin's to enforce:
/// counted per instance here, N instances would let a key through N times
/// its limit, and counting them in the database would write on every
/// request. Enforce them in the app or at a gateway.
///
/// ```no_run
/// # async fn f() -> Result<(), Box<dyn std::error::Error>> {
/// let pool = sqlx::PgPool::connect("postgres://app@localhost/app").await?;
/// let verifier = jwtguard::Verifier::builder()
///     .api_keys(|keys| keys.store(jwtguard::SqlApiKeyStore::postgres(pool)))
///     .build()?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct ApiKeySettings {
    store: Option<ApiKeyStore>,
    headers: Vec<&'static str>,
    read_only: bool,
}

impl ApiKeySettings {
    /// Where keys are found: the plugin's `apikey` table
    /// ([`SqlApiKeyStore`](crate::SqlApiKeyStore)) or, with feature
    /// `session-redis` too, its keys in Redis (`RedisApiKeyStore`): any
    /// [`ApiKeyStore`]. Required.
    ///
    /// ```no_run
    /// # async fn f(pool: sqlx::SqlitePool) -> Result<(), jwtguard::ConfigError> {
    /// let verifier = jwtguard::Verifier::builder()
    ///     .api_keys(|keys| keys.store(jwtguard::SqlApiKeyStore::sqlite(pool)))
    ///     .build()?;
    /// # Ok(()) }
    /// ```
    pub fn store(mut self, store: impl Into<ApiKeyStore>) -> Self {
        self.store = Some(store.into());
        self
    }

    /// A header that carries the key, as the plugin's `apiKeyHeaders`
    /// (lower case letters, digits and `-`; not `authorization` nor
    /// `cookie`). Call again for several; the first call replaces the
    /// default `x-api-key`. A request that sends a key in two of them, or
    /// twice in one, is refused ([`MultipleCredentials`](crate::ErrorKind::MultipleCredentials)),
    /// where the plugin would take the first.
    ///
    /// ```no_run
    /// # async fn f(pool: sqlx::PgPool) -> Result<(), jwtguard::ConfigError> {
    /// let verifier = jwtguard::Verifier::builder()
    ///     .api_keys(|keys| {
    ///         keys.store(jwtguard::SqlApiKeyStore::postgres(pool))
    ///             .header("x-api-key")
    ///             .header("x-service-key")
    ///     })
    ///     .build()?;
    /// # Ok(()) }
    /// ```
    pub fn header(mut self, name: &'static str) -> Self {
        self.headers.push(name);
        self
    }

    /// Checks keys without counting their uses: `remaining` is read, never
    /// written (a key at 0 with no refill due is still refused), so the
    /// database needs only `SELECT`, and a key with `remaining` can be used
    /// here any number of times. Leave it off when `remaining` is meant to
    /// limit this service's requests.
    ///
    /// ```no_run
    /// # async fn f(pool: sqlx::PgPool) -> Result<(), jwtguard::ConfigError> {
    /// let verifier = jwtguard::Verifier::builder()
    ///     .api_keys(|keys| keys.store(jwtguard::SqlApiKeyStore::postgres(pool)).read_only())
    ///     .build()?;
    /// # Ok(()) }
    /// ```
    pub fn read_only(mut self) -> Self {
        self.read_only = true;
        self
    }

    /// Whether anything was set: API keys are accepted only then.
    pub(crate) fn is_set(&self) -> bool {
        self.store.is_some() || !self.headers.is_empty() || self.read_only
    }

    /// Checks the settings. `None` when no API key is accepted. `policy` is
    /// the verifier's; keys carry no `iss` or `aud`, and their expiry is
    /// checked before the claims are made.
    pub(crate) fn build(self, policy: &Policy) -> Result<Option<ApiKeys>, ConfigError> {
        if !self.is_set() {
            return Ok(None);
        }
        let Some(store) = self.store else {
            return Err(ConfigError::InvalidApiKeySetting(
                "ApiKeySettings::store is required: keys are found in Better Auth's database",
            ));
        };
        let mut headers = self.headers;
        if headers.is_empty() {
            headers.push(DEFAULT_HEADER);
        }
        let valid = |name: &str| {
            !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !matches!(name, "authorization" | "cookie")
        };
        if !headers.iter().all(|name| valid(name)) {
            return Err(ConfigError::InvalidApiKeySetting(
                "an API key header name is lower case letters, digits and '-', \
                 and not authorization or cookie",
            ));
        }
        for (i, name) in headers.iter().enumerate() {
            if headers[..i].contains(name) {
                return Err(ConfigError::InvalidApiKeySetting(
                    "an API key header is named twice",
                ));
            }
        }
        Ok(Some(ApiKeys {
            headers,
            store,
            counting: !self.read_only,
            policy: Policy {
                issuer_check: ClaimCheck::Skip,
                audience_check: ClaimCheck::Skip,
                require_exp: false,
                ..policy.clone()
            },
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SqlApiKeyStore;
    use crate::token::clock::Clock;
    use crate::token::rules::ClaimRules;

    fn store() -> SqlApiKeyStore {
        let pool = sqlx::sqlite::SqlitePoolOptions::new()
            .connect_lazy("sqlite::memory:")
            .unwrap();
        SqlApiKeyStore::sqlite(pool)
    }

    fn build(settings: ApiKeySettings) -> Result<Option<ApiKeys>, ConfigError> {
        let policy = ClaimRules::default().policy(Clock::system()).unwrap();
        settings.build(&policy)
    }

    #[tokio::test]
    async fn nothing_set_accepts_no_keys_and_a_store_is_required() {
        assert!(build(ApiKeySettings::default()).unwrap().is_none());
        assert!(matches!(
            build(ApiKeySettings::default().read_only()),
            Err(ConfigError::InvalidApiKeySetting(_))
        ));
        let keys = build(ApiKeySettings::default().store(store()))
            .unwrap()
            .unwrap();
        assert_eq!(keys.headers, ["x-api-key"]);
        assert!(keys.counting);
    }

    #[tokio::test]
    async fn header_names_are_checked() {
        for bad in [
            "",
            "X-Api-Key",
            "authorization",
            "cookie",
            "x api key",
            "x_key",
        ] {
            let settings = ApiKeySettings::default().store(store()).header(bad);
            assert!(build(settings).is_err(), "{bad:?}");
        }
        let twice = ApiKeySettings::default()
            .store(store())
            .header("a")
            .header("a");
        assert!(build(twice).is_err());
        let keys = build(
            ApiKeySettings::default()
                .store(store())
                .header("x-key")
                .read_only(),
        )
        .unwrap()
        .unwrap();
        assert_eq!(keys.headers, ["x-key"]);
        assert!(!keys.counting);
    }
}
