//! Where the `jti`s of DPoP proofs already used are kept, so that a proof
//! is accepted once: [`ReplayStore`], and the bounded in-memory
//! [`MemoryReplayStore`] used by default. Instances behind one load
//! balancer share a store of their own (Redis's `SET NX`, for example)
//! through the same trait.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest as _, Sha256};

/// The answer of a [`ReplayStore`]: `Ok(true)` the first time a key is
/// seen, `Ok(false)` for a replay, `Err` when the store could not tell.
pub type ReplayCheck<'a> =
    Pin<Box<dyn Future<Output = Result<bool, ReplayStoreError>> + Send + 'a>>;

/// Remembers the DPoP proofs already used (their key thumbprint and `jti`,
/// hashed: [`first_use`](Self::first_use) gets 43 base64url characters),
/// each until its proof would be refused as stale anyway.
///
/// ```
/// use jwtguard::oauth::{ReplayCheck, ReplayStore};
/// use std::collections::HashSet;
/// use std::sync::Mutex;
///
/// /// Never forgets (a sketch: keep the expiry in real stores).
/// #[derive(Default)]
/// struct Remember(Mutex<HashSet<String>>);
///
/// impl ReplayStore for Remember {
///     fn first_use<'a>(&'a self, key: &'a str, _expires_at_unix: u64) -> ReplayCheck<'a> {
///         let first = self.0.lock().unwrap().insert(key.to_owned());
///         Box::pin(async move { Ok(first) })
///     }
/// }
/// ```
pub trait ReplayStore: Send + Sync + 'static {
    /// Records `key` until `expires_at_unix` (seconds since the epoch), and
    /// answers whether it was new. Must be atomic: of two requests with
    /// the same key, at most one gets `Ok(true)`.
    fn first_use<'a>(&'a self, key: &'a str, expires_at_unix: u64) -> ReplayCheck<'a>;
}

/// A [`ReplayStore`] that could not answer: the request is answered 503
/// with `Retry-After`, never accepted.
///
/// ```
/// let error = jwtguard::oauth::ReplayStoreError::new("redis did not answer");
/// assert_eq!(error.to_string(), "DPoP replay store unavailable: redis did not answer");
/// ```
#[derive(Debug)]
pub struct ReplayStoreError(Box<dyn std::error::Error + Send + Sync>);

impl ReplayStoreError {
    /// Wraps the cause.
    ///
    /// ```
    /// let error = jwtguard::oauth::ReplayStoreError::new("timeout");
    /// ```
    pub fn new(cause: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self(cause.into())
    }
}

impl fmt::Display for ReplayStoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DPoP replay store unavailable: {}", self.0)
    }
}

impl std::error::Error for ReplayStoreError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.0)
    }
}

/// The replay key of a proof: the SHA-256 of its key's thumbprint and its
/// `jti`, so that one client's `jti`s never collide with another's, and a
/// store keeps nothing the client chose.
pub(crate) fn replay_key(thumbprint: &str, jti: &str) -> String {
    let mut hash = Sha256::new();
    hash.update(thumbprint.as_bytes());
    hash.update([0]);
    hash.update(jti.as_bytes());
    URL_SAFE_NO_PAD.encode(hash.finalize())
}

/// The default [`ReplayStore`]: in this process, bounded. Each entry is
/// dropped when its proof expires. When `capacity` live entries are held,
/// a new proof is refused (503) rather than an unexpired `jti` forgotten:
/// with Better Auth's 305-second window, the default 100,000 entries hold
/// about 330 DPoP requests a second, from all clients together. One
/// client with a valid DPoP-bound token that sends more fills it, and
/// every DPoP request gets 503 until its proofs expire: rate-limit DPoP
/// requests per client in front of the service, size the store for its
/// peak, or share a store without this bound (Redis).
///
/// Instances behind one load balancer each keep their own: a proof
/// replayed to another instance is not caught. Share one store (Redis
/// `SET key 1 NX EXAT expires`) through [`ReplayStore`] for that.
///
/// ```
/// let store = jwtguard::oauth::MemoryReplayStore::new(10_000);
/// ```
pub struct MemoryReplayStore {
    capacity: usize,
    entries: Mutex<Entries>,
}

#[derive(Default)]
struct Entries {
    by_key: std::collections::HashMap<[u8; 32], u64>,
    /// The earliest expiry held, so that expired entries are swept only
    /// when one may have expired.
    next_expiry: u64,
}

/// The default capacity of [`MemoryReplayStore`].
pub const DEFAULT_REPLAY_CAPACITY: usize = 100_000;

impl Default for MemoryReplayStore {
    fn default() -> Self {
        Self::new(DEFAULT_REPLAY_CAPACITY)
    }
}

impl fmt::Debug for MemoryReplayStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryReplayStore")
            .field("capacity", &self.capacity)
            .finish_non_exhaustive()
    }
}

impl MemoryReplayStore {
    /// A store holding at most `capacity` unexpired proofs.
    ///
    /// ```
    /// let store = jwtguard::oauth::MemoryReplayStore::new(1_000);
    /// ```
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            entries: Mutex::new(Entries::default()),
        }
    }

    fn record(&self, key: &str, expires_at: u64, now: u64) -> Result<bool, ReplayStoreError> {
        let hashed: [u8; 32] = Sha256::digest(key.as_bytes()).into();
        // A poisoned lock only means another request panicked mid-insert;
        // the map itself is still whole.
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.next_expiry <= now && !entries.by_key.is_empty() {
            entries.by_key.retain(|_, expiry| *expiry > now);
            entries.next_expiry = entries.by_key.values().copied().min().unwrap_or(u64::MAX);
        }
        if let Some(expiry) = entries.by_key.get(&hashed) {
            if *expiry > now {
                return Ok(false);
            }
        }
        if entries.by_key.len() >= self.capacity {
            return Err(ReplayStoreError::new(
                "the in-memory DPoP replay store is full",
            ));
        }
        entries.by_key.insert(hashed, expires_at);
        entries.next_expiry = entries.next_expiry.min(expires_at);
        Ok(true)
    }
}

impl ReplayStore for MemoryReplayStore {
    fn first_use<'a>(&'a self, key: &'a str, expires_at_unix: u64) -> ReplayCheck<'a> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_secs());
        let answer = self.record(key, expires_at_unix, now);
        Box::pin(async move { answer })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_new_once_until_it_expires() {
        let store = MemoryReplayStore::new(10);
        assert!(store.record("a", 100, 50).unwrap());
        assert!(!store.record("a", 100, 60).unwrap());
        assert!(store.record("b", 100, 60).unwrap());
        // Expired: the proof would be stale anyway, so the key may return.
        assert!(store.record("a", 200, 150).unwrap());
    }

    #[test]
    fn a_full_store_refuses_rather_than_forgets() {
        let store = MemoryReplayStore::new(2);
        assert!(store.record("a", 100, 0).unwrap());
        assert!(store.record("b", 100, 0).unwrap());
        assert!(store.record("c", 100, 0).is_err());
        assert!(!store.record("a", 100, 0).unwrap());
        // Once they expire, room comes back.
        assert!(store.record("c", 300, 100).unwrap());
    }

    #[test]
    fn replay_keys_depend_on_the_key_and_the_jti() {
        assert_ne!(replay_key("k1", "j"), replay_key("k2", "j"));
        assert_ne!(replay_key("k", "j1"), replay_key("k", "j2"));
        assert_eq!(replay_key("k", "j").len(), 43);
    }
}
