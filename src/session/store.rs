//! Resolving a signed session token to its session: the [`SessionStore`]
//! trait, what a store answers ([`SessionRecord`]), and the bounded,
//! short-lived cache in front of every store.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

/// How long a store's answer is reused by default: a revoked session stops
/// working at most this long after Better Auth deletes it.
pub const DEFAULT_SESSION_CACHE_TTL: Duration = Duration::from_secs(30);

/// How many sessions the cache in front of a store holds by default.
pub const DEFAULT_SESSION_CACHE_ENTRIES: usize = 10_000;

/// A session as Better Auth stores it, as far as a verifier needs it.
///
/// Stores build it; the verifier turns it into [`Claims`](crate::Claims)
/// shaped like the JWT plugin's tokens: the user's fields, `sub` (the user
/// id), `sid` (the session id) and `exp` (when the session expires).
///
/// ```
/// use jwtguard::SessionRecord;
///
/// let record = SessionRecord::new("session-1", "user-1", 1_900_000_000)
///     .user_field("email", "ada@example.com");
/// assert_eq!(record.user_id(), "user-1");
/// ```
#[derive(Clone, PartialEq)]
pub struct SessionRecord {
    session_id: String,
    user_id: String,
    expires_at: i64,
    user: Map<String, Value>,
}

impl fmt::Debug for SessionRecord {
    /// The ids and expiry only: user fields may be personal data.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionRecord")
            .field("session_id", &self.session_id)
            .field("user_id", &self.user_id)
            .field("expires_at", &self.expires_at)
            .field("user_fields", &self.user.len())
            .finish()
    }
}

impl SessionRecord {
    /// A session `session_id` of user `user_id`, valid until
    /// `expires_at_unix` (seconds since the epoch).
    ///
    /// ```
    /// let record = jwtguard::SessionRecord::new("s", "u", 1_900_000_000);
    /// assert_eq!(record.expires_at_unix(), 1_900_000_000);
    /// ```
    pub fn new(
        session_id: impl Into<String>,
        user_id: impl Into<String>,
        expires_at_unix: i64,
    ) -> Self {
        Self {
            session_id: session_id.into(),
            user_id: user_id.into(),
            expires_at: expires_at_unix,
            user: Map::new(),
        }
    }

    /// Adds one of the user's fields (`email`, `name`, `emailVerified`,
    /// `role`...), readable as a claim. `sub`, `sid`, `exp`, `nbf`, `iat`,
    /// `iss` and `aud` are the verifier's and are not taken from the user.
    ///
    /// ```
    /// let record = jwtguard::SessionRecord::new("s", "u", 1_900_000_000)
    ///     .user_field("emailVerified", true);
    /// ```
    #[must_use]
    pub fn user_field(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.user.insert(name.into(), value.into());
        self
    }

    /// Adds every member of a user object (as `get-session` returns it).
    ///
    /// ```
    /// let user = serde_json::json!({"id": "u", "email": "ada@example.com"});
    /// let record = jwtguard::SessionRecord::new("s", "u", 1_900_000_000)
    ///     .user_fields(user.as_object().unwrap().clone());
    /// ```
    #[must_use]
    pub fn user_fields(mut self, fields: Map<String, Value>) -> Self {
        self.user.extend(fields);
        self
    }

    /// The session id (Better Auth's `session.id`).
    ///
    /// ```
    /// assert_eq!(jwtguard::SessionRecord::new("s", "u", 0).session_id(), "s");
    /// ```
    pub fn session_id(&self) -> &str {
        &self.session_id
    }

    /// The user id (`session.userId`).
    ///
    /// ```
    /// assert_eq!(jwtguard::SessionRecord::new("s", "u", 0).user_id(), "u");
    /// ```
    pub fn user_id(&self) -> &str {
        &self.user_id
    }

    /// When the session expires, in seconds since the epoch.
    ///
    /// ```
    /// assert_eq!(jwtguard::SessionRecord::new("s", "u", 7).expires_at_unix(), 7);
    /// ```
    pub fn expires_at_unix(&self) -> i64 {
        self.expires_at
    }

    /// The claims payload: the user's fields, then `sub`, `sid` and `exp`,
    /// which no user field can replace.
    pub(crate) fn to_payload(&self) -> Vec<u8> {
        const RESERVED: [&str; 7] = ["sub", "sid", "exp", "nbf", "iat", "iss", "aud"];
        let mut claims: Map<String, Value> = self
            .user
            .iter()
            .filter(|(name, _)| !RESERVED.contains(&name.as_str()))
            .map(|(name, value)| (name.clone(), value.clone()))
            .collect();
        claims.insert("sub".into(), self.user_id.clone().into());
        claims.insert("sid".into(), self.session_id.clone().into());
        claims.insert("exp".into(), self.expires_at.into());
        // A map of strings and JSON values always serializes.
        serde_json::to_vec(&claims).unwrap_or_default()
    }
}

/// Why a store could not answer (not "no such session", which is `Ok(None)`).
/// The request is refused with 503 `temporarily_unavailable`; the message is
/// logged, never sent to the client.
///
/// ```
/// let err = jwtguard::SessionStoreError::new("database unreachable");
/// assert_eq!(err.to_string(), "database unreachable");
/// ```
#[derive(Debug)]
pub struct SessionStoreError(Box<dyn std::error::Error + Send + Sync>);

impl SessionStoreError {
    /// Wraps any error (or a message).
    ///
    /// ```
    /// let io = std::io::Error::other("timed out");
    /// let err = jwtguard::SessionStoreError::new(io);
    /// ```
    pub fn new(error: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self(error.into())
    }
}

impl fmt::Display for SessionStoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for SessionStoreError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source()
    }
}

/// A session token whose signature the verifier has checked: what a
/// [`SessionStore`] looks up. Never printed.
///
/// ```
/// fn lookup_key<'a>(token: &jwtguard::SessionToken<'a>) -> &'a str {
///     token.token()
/// }
/// ```
pub struct SessionToken<'a> {
    pub(crate) token: &'a str,
    pub(crate) signed: &'a str,
}

impl fmt::Debug for SessionToken<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionToken(<redacted>)")
    }
}

impl<'a> SessionToken<'a> {
    /// A token for the stores' unit tests (the verifier builds them after
    /// checking the signature).
    #[cfg(test)]
    pub(crate) fn for_test(token: &'a str, signed: &'a str) -> Self {
        Self { token, signed }
    }

    /// The token itself, as Better Auth stores it in `session.token`.
    ///
    /// ```
    /// # fn f(token: jwtguard::SessionToken<'_>) {
    /// let key: &str = token.token();
    /// # }
    /// ```
    pub fn token(&self) -> &'a str {
        self.token
    }

    /// The signed form, `<token>.<signature>`, as the browser sends it in the
    /// session cookie (what Better Auth's `get-session` wants back).
    ///
    /// ```
    /// # fn f(token: jwtguard::SessionToken<'_>) {
    /// let cookie_value: &str = token.signed_value();
    /// # }
    /// ```
    pub fn signed_value(&self) -> &'a str {
        self.signed
    }
}

/// The future a [`SessionStore`] returns.
pub type SessionLookup<'a> =
    Pin<Box<dyn Future<Output = Result<Option<SessionRecord>, SessionStoreError>> + Send + 'a>>;

/// Where signed session tokens are resolved to sessions: Better Auth's own
/// `get-session` endpoint ([`HttpSessionStore`](crate::HttpSessionStore),
/// feature `session-http`), its database
/// ([`SqlSessionStore`](crate::SqlSessionStore), feature `session-sql`), or
/// your own. Only tokens whose signature is valid reach the store, and its
/// answers are cached ([`VerifierBuilder::session_store_cache`](crate::VerifierBuilder::session_store_cache)).
///
/// Answer `Ok(None)` for a token that names no session, and an error only
/// when the store could not tell. An expired session may be returned: the
/// verifier checks `expires_at`.
///
/// ```
/// use jwtguard::{SessionLookup, SessionRecord, SessionStore, SessionToken};
///
/// struct OneSession;
///
/// impl SessionStore for OneSession {
///     fn find_session<'a>(&'a self, token: &'a SessionToken<'a>) -> SessionLookup<'a> {
///         Box::pin(async move {
///             Ok((token.token() == "known").then(|| SessionRecord::new("s1", "user-1", 1_900_000_000)))
///         })
///     }
/// }
/// ```
pub trait SessionStore: Send + Sync + 'static {
    /// The live session `token` names, if any.
    fn find_session<'a>(&'a self, token: &'a SessionToken<'a>) -> SessionLookup<'a>;
}

/// A store's answer, kept for a short time.
#[derive(Clone)]
pub(crate) struct Resolved {
    /// The claims payload, or `None`: no such session.
    pub(crate) payload: Option<Arc<[u8]>>,
}

struct Entry {
    resolved: Resolved,
    at: Instant,
}

/// The cache in front of a store: answers (found and not found) keyed by a
/// SHA-256 of the token, so the tokens themselves are not kept.
pub(crate) struct StoreCache {
    ttl: Duration,
    max_entries: usize,
    entries: Mutex<HashMap<[u8; 32], Entry>>,
}

impl fmt::Debug for StoreCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoreCache")
            .field("ttl", &self.ttl)
            .field("max_entries", &self.max_entries)
            .finish()
    }
}

pub(crate) type CacheKey = [u8; 32];

impl StoreCache {
    pub(crate) fn new(ttl: Duration, max_entries: usize) -> Self {
        Self {
            ttl,
            max_entries,
            entries: Mutex::new(HashMap::new()),
        }
    }

    pub(crate) fn key(token: &str) -> CacheKey {
        Sha256::digest(token.as_bytes()).into()
    }

    /// A fresh answer for `key`, if there is one.
    pub(crate) fn get(&self, key: &CacheKey) -> Option<Resolved> {
        if self.ttl.is_zero() {
            return None;
        }
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries
            .get(key)
            .filter(|entry| entry.at.elapsed() < self.ttl)
            .map(|entry| entry.resolved.clone())
    }

    /// Keeps an answer. When full, stale entries go first; if all are
    /// fresh, an arbitrary one makes room (the cache only saves lookups).
    pub(crate) fn put(&self, key: CacheKey, resolved: Resolved) {
        if self.ttl.is_zero() {
            return;
        }
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if entries.len() >= self.max_entries && !entries.contains_key(&key) {
            let ttl = self.ttl;
            entries.retain(|_, entry| entry.at.elapsed() < ttl);
            if entries.len() >= self.max_entries {
                if let Some(victim) = entries.keys().next().copied() {
                    entries.remove(&victim);
                }
            }
        }
        entries.insert(
            key,
            Entry {
                resolved,
                at: Instant::now(),
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_fields_cannot_replace_the_registered_claims() {
        let record = SessionRecord::new("s", "u", 100)
            .user_field("sub", "someone-else")
            .user_field("exp", 9_999_999_999_i64)
            .user_field("email", "a@example.com");
        let payload: Value = serde_json::from_slice(&record.to_payload()).unwrap();
        assert_eq!(payload["sub"], "u");
        assert_eq!(payload["sid"], "s");
        assert_eq!(payload["exp"], 100);
        assert_eq!(payload["email"], "a@example.com");
    }

    #[test]
    fn debug_shows_no_user_fields() {
        let record = SessionRecord::new("s", "u", 1).user_field("email", "a@example.com");
        assert!(!format!("{record:?}").contains("a@example.com"));
    }

    #[test]
    fn the_cache_forgets_after_its_ttl_and_stays_bounded() {
        let found = Resolved {
            payload: Some(Arc::from(&b"{}"[..])),
        };
        let cache = StoreCache::new(Duration::from_secs(600), 2);
        cache.put(StoreCache::key("a"), found.clone());
        assert!(cache.get(&StoreCache::key("a")).is_some());
        assert!(cache.get(&StoreCache::key("b")).is_none());
        cache.put(StoreCache::key("b"), found.clone());
        cache.put(StoreCache::key("c"), found.clone());
        assert_eq!(cache.entries.lock().unwrap().len(), 2);
        assert!(cache.get(&StoreCache::key("c")).is_some());

        let short = StoreCache::new(Duration::from_millis(1), 2);
        short.put(StoreCache::key("a"), found);
        std::thread::sleep(Duration::from_millis(5));
        assert!(short.get(&StoreCache::key("a")).is_none());

        let off = StoreCache::new(Duration::ZERO, 2);
        off.put(StoreCache::key("a"), Resolved { payload: None });
        assert!(off.get(&StoreCache::key("a")).is_none());
    }
}
