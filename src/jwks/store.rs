//! The public keys a verifier holds (feature `jwks`): loaded once from a
//! static JWKS, or fetched and kept fresh, with the optional cache of
//! verified tokens emptied whenever they change.

use crate::error::jwks::JwksError;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, Instant};

use crate::error::ErrorKind;
use crate::jwks::cache::TokenCache;
use crate::jwks::document::{JwkSet, LoadedKeys};
use crate::jwks::refresh::{KeysRefreshed, Refresh, RefreshHandle, Schedule};
use crate::token::header::Algorithm;
use crate::trace;

/// Fetches a JWKS document; run on jwtguard's background thread.
pub(crate) type Fetch =
    Arc<dyn Fn() -> Result<String, Box<dyn std::error::Error + Send + Sync>> + Send + Sync>;

/// The keys in use and the verified tokens that depend on them.
pub(crate) struct LiveKeys {
    current: RwLock<Arc<JwkSet>>,
    cache: Option<TokenCache>,
    /// When the keys were last loaded successfully, and how long they are
    /// trusted after that while reloads fail (`None`: a static JWKS).
    loaded_at: Mutex<Instant>,
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
            .field("cache", &self.store.cache)
            .finish()
    }
}

impl LiveKeys {
    fn keys(&self) -> Arc<JwkSet> {
        Arc::clone(&self.current.read().unwrap_or_else(PoisonError::into_inner))
    }

    fn loaded_at(&self) -> Instant {
        *self
            .loaded_at
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether the keys are past their maximum age: every reload since the
    /// last successful one failed for longer than it.
    fn expired(&self) -> bool {
        self.max_age
            .is_some_and(|max_age| self.loaded_at().elapsed() > max_age)
    }

    /// The keys, unless they are past their maximum age.
    fn trusted_keys(&self) -> Result<Arc<JwkSet>, ErrorKind> {
        if self.expired() {
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

    fn new(keys: JwkSet, cache: Option<TokenCache>, max_age: Option<Duration>) -> Arc<Self> {
        Arc::new(Self {
            current: RwLock::new(Arc::new(keys)),
            cache,
            loaded_at: Mutex::new(Instant::now()),
            max_age,
        })
    }

    fn reload(&self, fetch: &Fetch) {
        match load(fetch) {
            Ok(keys) => {
                let count = keys.len();
                *self
                    .loaded_at
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner) = Instant::now();
                let changed = self.replace(keys);
                trace::jwks_loaded(count, changed);
            }
            Err(error) => {
                trace::jwks_reload_failed(&error);
                // Past the maximum age, the keys go: a removed key must not
                // stay trusted for as long as the JWKS is unreachable.
                if self.expired() && self.keys().len() > 0 {
                    self.replace(JwkSet::default());
                    trace::jwks_expired();
                }
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
            store: LiveKeys::new(parse(json)?, cache, None),
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
        let store = LiveKeys::new(load(&fetch)?, cache, Some(max_age));
        let worker = Arc::clone(&store);
        let refresh =
            Refresh::start(schedule, Box::new(move || worker.reload(&fetch))).map_err(|error| {
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

    /// How many reloads have finished; read before a key lookup.
    pub(crate) fn epoch(&self) -> u64 {
        self.refresh.as_ref().map_or(0, RefreshHandle::epoch)
    }

    /// Asks for a reload after a token named a `kid` the keys of `epoch`
    /// lack; see [`RefreshHandle::request`]. `None` for a static JWKS.
    pub(crate) fn refresh_for_unknown_key(&self, epoch: u64) -> Option<KeysRefreshed> {
        let wait = self.refresh.as_ref()?.request(epoch);
        trace::jwks_unknown_key(wait.is_some());
        wait
    }

    /// The cache of verified tokens, if enabled.
    pub(crate) fn cache(&self) -> Option<&TokenCache> {
        self.store.cache.as_ref()
    }
}
