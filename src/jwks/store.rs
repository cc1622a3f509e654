//! The public keys a verifier holds (feature `jwks`): loaded once from a
//! static JWKS, or fetched (when built, or in the background) and kept
//! fresh, with the optional cache of verified tokens emptied whenever they
//! change.

use crate::error::jwks::JwksError;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, Instant};

use crate::error::ErrorKind;
use crate::jwks::cache::TokenCache;
use crate::jwks::document::{JwkSet, LoadedKeys};
use crate::jwks::refresh::{FirstLoad, KeysRefreshed, Refresh, RefreshHandle, Schedule};
use crate::token::header::Algorithm;
use crate::trace;

/// Fetches a JWKS document; run on jwtguard's background thread.
pub(crate) type Fetch =
    Arc<dyn Fn() -> Result<String, Box<dyn std::error::Error + Send + Sync>> + Send + Sync>;

/// The keys in use and the verified tokens that depend on them.
pub(crate) struct LiveKeys {
    current: RwLock<Arc<JwkSet>>,
    cache: Option<TokenCache>,
    /// When the keys were last loaded successfully (`None`: not yet, with
    /// a background start), and how long they are trusted after that while
    /// reloads fail (`None`: a static JWKS).
    loaded_at: Mutex<Option<Instant>>,
    max_age: Option<Duration>,
}

/// The public keys of one verifier, and the thread that keeps them fresh.
pub(crate) struct Jwks {
    store: Arc<LiveKeys>,
    refresh: Option<RefreshHandle>,
}

impl fmt::Debug for Jwks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Jwks")
            .field("keys", &self.store.keys().len())
            .field("refreshed", &self.refresh.is_some())
            .field("ready", &self.store.ready())
            .field("cache", &self.store.cache)
            .finish()
    }
}

impl LiveKeys {
    fn keys(&self) -> Arc<JwkSet> {
        Arc::clone(&self.current.read().unwrap_or_else(PoisonError::into_inner))
    }

    fn loaded_at(&self) -> Option<Instant> {
        *self
            .loaded_at
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether keys were ever loaded (only a background start begins without).
    fn loaded(&self) -> bool {
        self.loaded_at().is_some()
    }

    /// Whether the keys are past their maximum age: every reload since the
    /// last successful one failed for longer than it.
    fn expired(&self) -> bool {
        match (self.max_age, self.loaded_at()) {
            (Some(max_age), Some(loaded_at)) => loaded_at.elapsed() > max_age,
            _ => false,
        }
    }

    /// Whether tokens can be checked: keys were loaded and are within their
    /// maximum age. (At most one lock, as `expired` alone took before.)
    fn ready(&self) -> bool {
        match self.max_age {
            // A static JWKS: loaded when built, never ages.
            None => true,
            Some(max_age) => self
                .loaded_at()
                .is_some_and(|loaded_at| loaded_at.elapsed() <= max_age),
        }
    }

    /// The keys, unless none were loaded yet or they are past their maximum age.
    fn trusted_keys(&self) -> Result<Arc<JwkSet>, ErrorKind> {
        if !self.ready() {
            return Err(ErrorKind::KeysUnavailable);
        }
        Ok(self.keys())
    }

    /// Installs freshly loaded keys; verified tokens are forgotten when the
    /// keys changed, since a removed key must stop vouching for them.
    fn replace(&self, keys: JwkSet) -> bool {
        let mut current = self.current.write().unwrap_or_else(PoisonError::into_inner);
        if current.same_as(&keys) {
            return false;
        }
        *current = Arc::new(keys);
        if let Some(cache) = &self.cache {
            cache.clear();
        }
        true
    }

    /// Keys loaded just now, or (`None`) none yet: a background start.
    fn new(
        keys: Option<JwkSet>,
        cache: Option<TokenCache>,
        max_age: Option<Duration>,
    ) -> Arc<Self> {
        let loaded_at = keys.as_ref().map(|_| Instant::now());
        Arc::new(Self {
            current: RwLock::new(Arc::new(keys.unwrap_or_default())),
            cache,
            loaded_at: Mutex::new(loaded_at),
            max_age,
        })
    }

    /// Fetches the keys again; `true` when usable keys were loaded.
    fn reload(&self, fetch: &Fetch) -> bool {
        match load(fetch) {
            Ok(keys) => {
                let count = keys.len();
                *self
                    .loaded_at
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner) = Some(Instant::now());
                let changed = self.replace(keys);
                trace::jwks_loaded(count, changed);
                true
            }
            Err(error) => {
                trace::jwks_reload_failed(&error, self.keys().len() > 0);
                // Past the maximum age, the keys go: a removed key must not
                // stay trusted for as long as the JWKS is unreachable.
                if self.expired() && self.keys().len() > 0 {
                    self.replace(JwkSet::default());
                    trace::jwks_expired();
                }
                false
            }
        }
    }
}

/// Fetches and parses a JWKS document.
fn load(fetch: &Fetch) -> Result<JwkSet, JwksError> {
    let json = fetch().map_err(|error| JwksError::Fetch(error.to_string()))?;
    parse(&json)
}

/// Parses a JWKS document; the keys it skipped are logged, once per load.
fn parse(json: &str) -> Result<JwkSet, JwksError> {
    let LoadedKeys { keys, skipped } = JwkSet::parse(json)?;
    for key in &skipped {
        trace::jwks_key_skipped(key);
    }
    Ok(keys)
}

impl Jwks {
    /// Keys from a JWKS document that never changes.
    pub(crate) fn fixed(json: &str, cache: Option<TokenCache>) -> Result<Self, JwksError> {
        Ok(Self {
            store: LiveKeys::new(Some(parse(json)?), cache, None),
            refresh: None,
        })
    }

    /// Keys fetched now (an error if that fails) and then on `schedule`, and
    /// whenever a token names an unknown `kid`.
    pub(crate) fn fetched(
        fetch: Fetch,
        schedule: Schedule,
        max_age: Duration,
        cache: Option<TokenCache>,
    ) -> Result<Self, JwksError> {
        let store = LiveKeys::new(Some(load(&fetch)?), cache, Some(max_age));
        Self::refreshed(store, fetch, schedule, FirstLoad::Done)
    }

    /// No keys yet: the background thread fetches them at once, and while
    /// that fails, again with a backoff (see [`Schedule::first_retry`]);
    /// then as [`fetched`](Self::fetched) keys are.
    pub(crate) fn fetched_in_background(
        fetch: Fetch,
        schedule: Schedule,
        max_age: Duration,
        cache: Option<TokenCache>,
    ) -> Result<Self, JwksError> {
        let store = LiveKeys::new(None, cache, Some(max_age));
        Self::refreshed(store, fetch, schedule, FirstLoad::Pending)
    }

    fn refreshed(
        store: Arc<LiveKeys>,
        fetch: Fetch,
        schedule: Schedule,
        first: FirstLoad,
    ) -> Result<Self, JwksError> {
        let worker = Arc::clone(&store);
        let refresh = Refresh::start(schedule, first, Box::new(move || worker.reload(&fetch)))
            .map_err(|error| {
                JwksError::Fetch(format!("cannot start the refresh thread: {error}"))
            })?;
        Ok(Self {
            store,
            refresh: Some(refresh),
        })
    }

    /// Whether any loaded key has this id (to tell an HS256 token that
    /// names a public key from one that names nothing).
    pub(crate) fn has_kid(&self, kid: &str) -> bool {
        self.store.keys().has_kid(kid)
    }

    /// Checks a token's signature with the one key its `alg` and `kid`
    /// select. Returns the cache generation the keys belonged to: read
    /// before the keys, so that a token checked with keys replaced meanwhile
    /// is never cached as valid under the new ones.
    pub(crate) fn verify(
        &self,
        alg: Algorithm,
        kid: Option<&str>,
        signing_input: &[u8],
        signature: &[u8],
    ) -> Result<Option<u64>, ErrorKind> {
        let generation = self.store.cache.as_ref().map(TokenCache::generation);
        self.store
            .trusted_keys()?
            .select(alg, kid)?
            .verify(signing_input, signature)?;
        Ok(generation)
    }

    /// Whether the keys are past their maximum age (then a cached token is
    /// no longer vouched for either).
    pub(crate) fn expired(&self) -> bool {
        self.store.expired()
    }

    /// Whether keys are loaded and within their maximum age.
    pub(crate) fn is_ready(&self) -> bool {
        self.store.ready()
    }

    /// How many reloads have finished; read before a key lookup.
    pub(crate) fn epoch(&self) -> u64 {
        self.refresh.as_ref().map_or(0, RefreshHandle::epoch)
    }

    /// Asks for a reload after a token named a `kid` the keys of `epoch`
    /// lack, or found them past their maximum age; see
    /// [`RefreshHandle::request`]. `None` for a static JWKS, and while a
    /// background start has loaded no keys yet: the thread is already
    /// retrying on its backoff, and a request must not wait for an issuer
    /// that may not answer for a long time (it is refused at once, 503).
    pub(crate) fn refresh_for_unknown_key(&self, epoch: u64) -> Option<KeysRefreshed> {
        let refresh = self.refresh.as_ref()?;
        if !self.store.loaded() {
            return None;
        }
        let wait = refresh.request(epoch);
        trace::jwks_unknown_key(wait.is_some());
        wait
    }

    /// The cache of verified tokens, if enabled.
    pub(crate) fn cache(&self) -> Option<&TokenCache> {
        self.store.cache.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicBool, Ordering};

    const JWKS: &str = r#"{"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}"#;

    fn schedule() -> Schedule {
        Schedule {
            interval: Duration::from_millis(100),
            cooldown: Duration::ZERO,
            first_retry: Duration::from_millis(10),
        }
    }

    #[test]
    fn a_background_start_has_no_keys_and_asks_for_no_reload_until_a_load_succeeds() {
        let up = Arc::new(AtomicBool::new(false));
        let issuer = Arc::clone(&up);
        let fetch: Fetch = Arc::new(move || match issuer.load(Ordering::SeqCst) {
            true => Ok(JWKS.to_owned()),
            false => Err("connection refused".into()),
        });
        let jwks =
            Jwks::fetched_in_background(fetch, schedule(), Duration::from_secs(60), None).unwrap();
        assert!(!jwks.is_ready());
        assert!(!jwks.expired(), "not loaded is not expired");
        assert_eq!(
            jwks.verify(Algorithm::EdDsa, None, b"a.b", &[0; 64]).err(),
            Some(ErrorKind::KeysUnavailable)
        );
        // Requests neither wait nor cause fetches: the thread retries alone.
        assert!(jwks.refresh_for_unknown_key(jwks.epoch()).is_none());

        up.store(true, Ordering::SeqCst);
        let start = Instant::now();
        while !jwks.is_ready() && start.elapsed() < Duration::from_secs(10) {
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(jwks.is_ready());
        assert_eq!(
            jwks.verify(Algorithm::EdDsa, None, b"a.b", &[0; 64]).err(),
            Some(ErrorKind::InvalidSignature)
        );
    }

    #[test]
    fn a_static_or_build_time_jwks_is_ready_at_once() {
        assert!(Jwks::fixed(JWKS, None).unwrap().is_ready());
        let fetch: Fetch = Arc::new(|| Ok(JWKS.to_owned()));
        let jwks = Jwks::fetched(fetch, schedule(), Duration::from_secs(60), None).unwrap();
        assert!(jwks.is_ready());
    }
}
