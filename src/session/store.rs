//! Resolving a signed session token to its session: the [`SessionStore`]
//! trait, what a store answers ([`SessionRecord`]), and the bounded,
//! short-lived cache in front of every store.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use quick_cache::sync::{Cache, EntryAction, EntryResult};

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::error::table::RETRY_AFTER_SECS;

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
    /// The session's own fields that are claims ([`SESSION_CLAIMS`]).
    session: Map<String, Value>,
}

/// The session fields read as claims: the organization plugin's active
/// organization and team, and the admin plugin's impersonating admin.
pub const SESSION_CLAIMS: [&str; 3] = ["activeOrganizationId", "activeTeamId", "impersonatedBy"];

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
            session: Map::new(),
        }
    }

    /// Keeps the session's own fields that are claims
    /// ([`SESSION_CLAIMS`](crate::limits::SESSION_CLAIMS):
    /// `activeOrganizationId`, `activeTeamId`, `impersonatedBy`) from a
    /// session object as Better Auth stores it; the others are ignored.
    ///
    /// ```
    /// let session = serde_json::json!({"id": "s", "activeOrganizationId": "org-1", "ipAddress": "1.2.3.4"});
    /// let record = jwtguard::SessionRecord::new("s", "u", 1_900_000_000)
    ///     .session_fields(session.as_object().unwrap());
    /// ```
    #[must_use]
    pub fn session_fields(mut self, session: &Map<String, Value>) -> Self {
        for name in SESSION_CLAIMS {
            if let Some(value) = session.get(name).filter(|value| !value.is_null()) {
                self.session.insert(name.to_owned(), value.clone());
            }
        }
        self
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
        // The session's claims over any user field of the same name.
        claims.extend(self.session.clone());
        claims.insert("sub".into(), self.user_id.clone().into());
        claims.insert("sid".into(), self.session_id.clone().into());
        claims.insert("exp".into(), self.expires_at.into());
        // A map of strings and JSON values always serializes.
        serde_json::to_vec(&claims).unwrap_or_default()
    }
}

/// A session as Better Auth hands it out (`get-session`'s answer, a
/// `secondaryStorage` value): `{"session": {..}, "user": {..}}`, its ids
/// read and checked.
#[cfg(any(feature = "session-http", feature = "session-redis"))]
pub(crate) struct StoredSession {
    pub(crate) session: Map<String, Value>,
    pub(crate) user: Map<String, Value>,
    pub(crate) session_id: String,
    pub(crate) user_id: String,
}

#[cfg(any(feature = "session-http", feature = "session-redis"))]
impl StoredSession {
    /// Reads `top` for the session token `token`: both objects, the session's
    /// `id` and `userId` (strings, or numbers with serial ids), the user's
    /// `id` equal to `userId`, and the session's `token`, when present, equal
    /// to `token` (an answer for another token, from a cache in between or
    /// under the wrong key, is refused). The error says what is wrong.
    pub(crate) fn read(mut top: Map<String, Value>, token: &str) -> Result<Self, &'static str> {
        let (Some(Value::Object(session)), Some(Value::Object(user))) =
            (top.remove("session"), top.remove("user"))
        else {
            return Err("no session or user object");
        };
        let session_id = id(session.get("id")).ok_or("no session.id")?;
        let user_id = id(session.get("userId")).ok_or("no session.userId")?;
        if id(user.get("id")).as_deref() != Some(user_id.as_str()) {
            return Err("user.id differs from session.userId");
        }
        match session.get("token") {
            None => {}
            Some(Value::String(sent)) if sent == token => {}
            Some(_) => return Err("it is for another session token"),
        }
        Ok(Self {
            session,
            user,
            session_id,
            user_id,
        })
    }

    /// The record, valid until `expires_at_unix`.
    pub(crate) fn record(self, expires_at_unix: i64) -> SessionRecord {
        SessionRecord::new(self.session_id, self.user_id, expires_at_unix)
            .user_fields(self.user)
            .session_fields(&self.session)
    }
}

/// An id: a string, or a number (Better Auth with serial ids).
#[cfg(any(feature = "session-http", feature = "session-redis"))]
fn id(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) if n.is_u64() || n.is_i64() => Some(n.to_string()),
        _ => None,
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
pub struct SessionStoreError {
    error: Box<dyn std::error::Error + Send + Sync>,
    retry_after: Option<Duration>,
    /// The store answered, and its answer cannot be used (too large, not
    /// what it should be): asking again soon gives the same.
    unusable_answer: bool,
}

impl SessionStoreError {
    /// Wraps any error (or a message).
    ///
    /// ```
    /// let io = std::io::Error::other("timed out");
    /// let err = jwtguard::SessionStoreError::new(io);
    /// ```
    pub fn new(error: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self {
            error: error.into(),
            retry_after: None,
            unusable_answer: false,
        }
    }

    /// Marks the store's answer as read but unusable: it is then kept for
    /// the requests with the same token for up to
    /// [`RETRY_AFTER_SECS`](crate::limits::RETRY_AFTER_SECS), rather than
    /// asked for again on each.
    #[cfg_attr(not(feature = "session-http"), allow(dead_code))]
    pub(crate) fn unusable_answer(mut self) -> Self {
        self.unusable_answer = true;
        self
    }

    pub(crate) fn is_unusable_answer(&self) -> bool {
        self.unusable_answer
    }

    /// Says when the store expects to answer again (for example a rate
    /// limit's `Retry-After`): the 503 then carries it as its `Retry-After`,
    /// in whole seconds (at least 1), instead of
    /// [`RETRY_AFTER_SECS`](crate::limits::RETRY_AFTER_SECS). A store
    /// that says this has already reported why (the refusal itself is
    /// logged at DEBUG, not WARN).
    ///
    /// ```
    /// use std::time::Duration;
    /// let err = jwtguard::SessionStoreError::new("rate limited")
    ///     .retry_after(Duration::from_secs(7));
    /// assert_eq!(err.retry_after_hint(), Some(Duration::from_secs(7)));
    /// ```
    #[must_use]
    pub fn retry_after(mut self, wait: Duration) -> Self {
        self.retry_after = Some(wait);
        self
    }

    /// The wait given to [`retry_after`](Self::retry_after), if any.
    ///
    /// ```
    /// assert_eq!(jwtguard::SessionStoreError::new("down").retry_after_hint(), None);
    /// ```
    pub fn retry_after_hint(&self) -> Option<Duration> {
        self.retry_after
    }
}

impl fmt::Display for SessionStoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.error.fmt(f)
    }
}

impl std::error::Error for SessionStoreError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.error.source()
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
    pub(crate) cookie_name: Option<&'a str>,
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
        Self {
            token,
            signed,
            cookie_name: None,
        }
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

    /// The name of the cookie the token came in (`better-auth.session_token`,
    /// `__Secure-myapp.session_token`...), or `None` for the bearer
    /// plugin's `Authorization` header. The browser holds the cookie under
    /// the name the Better Auth app set, so it is the name the app reads.
    ///
    /// ```
    /// # fn f(token: jwtguard::SessionToken<'_>) {
    /// let name = token.cookie_name().unwrap_or("better-auth.session_token");
    /// # }
    /// ```
    pub fn cookie_name(&self) -> Option<&'a str> {
        self.cookie_name
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
/// answers are cached ([`SessionSettings::store_cache`](crate::SessionSettings::store_cache)).
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

/// A store that could not answer, as the requests that waited for it see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Unavailable {
    /// The store's own estimate of when it answers again.
    pub(crate) retry_after: Option<Duration>,
    /// The store answered, unusably: asking again soon gives the same.
    pub(crate) unusable_answer: bool,
}

/// What one lookup gave: an answer, or a store that could not answer.
pub(crate) type Lookup = Result<Resolved, Unavailable>;

#[derive(Clone)]
struct Entry {
    lookup: Lookup,
    at: Instant,
}

impl Entry {
    /// Whether a request that started at `started` may use this entry: an
    /// answer within the time to live, or anything the lookup it waited
    /// for produced (so a zero TTL still makes one lookup for every
    /// request that arrived while it ran, and failures are shared with
    /// those requests only).
    fn usable(&self, ttl: Duration, started: Instant) -> bool {
        self.at >= started || self.fresh(ttl)
    }

    /// Whether this entry is still kept for later requests: an answer for
    /// the time to live; an unusable answer (a `get-session` answer over
    /// the size limit, say) for up to `RETRY_AFTER_SECS`, so that a
    /// session that always gives one does not make a lookup per request;
    /// a store that could not answer, never.
    fn fresh(&self, ttl: Duration) -> bool {
        let kept_for = match &self.lookup {
            Ok(_) => ttl,
            Err(Unavailable {
                unusable_answer: true,
                ..
            }) => ttl.min(Duration::from_secs(u64::from(RETRY_AFTER_SECS))),
            Err(_) => return false,
        };
        self.at.elapsed() < kept_for
    }
}

/// The cache in front of a store: answers (found and not found) keyed by a
/// SHA-256 of the token, so the tokens themselves are not kept. Bounded
/// (quick_cache's eviction), and single-flight: while one request looks a
/// token up, the others with the same token wait for its answer instead of
/// asking the store again.
pub(crate) struct StoreCache {
    ttl: Duration,
    max_entries: usize,
    entries: Cache<CacheKey, Entry>,
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
            entries: Cache::new(max_entries.max(1)),
        }
    }

    pub(crate) fn key(token: &str) -> CacheKey {
        Sha256::digest(token.as_bytes()).into()
    }

    /// The answer for `key`: a fresh one from the cache, the one a lookup
    /// already under way for it gives, or else `lookup`'s (kept for the
    /// time to live when the store answered). When the request that runs a
    /// lookup is dropped, a waiting one takes over.
    pub(crate) async fn resolve(
        &self,
        key: CacheKey,
        lookup: impl Future<Output = Lookup>,
    ) -> Lookup {
        let started = Instant::now();
        // The common case, under a read lock only.
        if let Some(entry) = self.entries.get(&key) {
            if entry.usable(self.ttl, started) {
                return entry.lookup;
            }
        }
        let guard = match self
            .entries
            .entry_async(&key, |_, entry| {
                if entry.usable(self.ttl, started) {
                    EntryAction::Retain(entry.lookup.clone())
                } else {
                    EntryAction::ReplaceWithGuard
                }
            })
            .await
        {
            EntryResult::Retained(lookup) => return lookup,
            EntryResult::Vacant(guard) | EntryResult::Replaced(guard, _) => Some(guard),
            // Neither is produced by this callback or by `entry_async`.
            EntryResult::Removed(..) | EntryResult::Timeout => None,
        };
        let answer = lookup.await;
        if let Some(guard) = guard {
            let _ = guard.insert(Entry {
                lookup: answer.clone(),
                at: Instant::now(),
            });
        }
        answer
    }

    /// A fresh answer for `key` already in the cache, without waiting.
    pub(crate) fn get_now(&self, key: &CacheKey) -> Option<Lookup> {
        let entry = self.entries.get(key)?;
        entry.fresh(self.ttl).then_some(entry.lookup)
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.entries.len()
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
    fn the_sessions_own_claims_are_kept_and_nothing_else() {
        let session = serde_json::json!({
            "id": "s", "token": "secret-token", "ipAddress": "1.2.3.4",
            "activeOrganizationId": "org-1", "activeTeamId": null, "impersonatedBy": "admin-1",
        });
        let record = SessionRecord::new("s", "u", 100)
            .user_field("activeOrganizationId", "from-the-user")
            .session_fields(session.as_object().unwrap());
        let payload: Value = serde_json::from_slice(&record.to_payload()).unwrap();
        assert_eq!(payload["activeOrganizationId"], "org-1");
        assert_eq!(payload["impersonatedBy"], "admin-1");
        for absent in ["activeTeamId", "token", "ipAddress"] {
            assert!(payload.get(absent).is_none(), "{absent}");
        }
    }

    #[test]
    fn debug_shows_no_user_fields() {
        let record = SessionRecord::new("s", "u", 1).user_field("email", "a@example.com");
        assert!(!format!("{record:?}").contains("a@example.com"));
    }

    /// Polls a future to completion on this thread (the lookups here never wait).
    fn now<F: Future>(future: F) -> F::Output {
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        let mut future = std::pin::pin!(future);
        match future.as_mut().poll(&mut cx) {
            std::task::Poll::Ready(out) => out,
            std::task::Poll::Pending => panic!("the lookup waited"),
        }
    }

    fn found() -> Lookup {
        Ok(Resolved {
            payload: Some(Arc::from(&b"{}"[..])),
        })
    }

    #[test]
    fn the_cache_reuses_answers_within_its_ttl_and_stays_bounded() {
        let cache = StoreCache::new(Duration::from_secs(600), 2);
        let lookups = std::cell::Cell::new(0);
        let counted = |answer: Lookup| {
            let lookups = &lookups;
            async move {
                lookups.set(lookups.get() + 1);
                answer
            }
        };
        assert!(now(cache.resolve(StoreCache::key("a"), counted(found()))).is_ok());
        assert!(now(cache.resolve(StoreCache::key("a"), counted(found()))).is_ok());
        assert_eq!(lookups.get(), 1);
        for token in ["b", "c", "d", "e"] {
            now(cache.resolve(StoreCache::key(token), counted(found()))).unwrap();
        }
        assert!(cache.len() <= 2, "{}", cache.len());
    }

    #[test]
    fn a_stale_answer_or_a_failure_is_looked_up_again() {
        let short = StoreCache::new(Duration::from_millis(1), 2);
        now(short.resolve(StoreCache::key("a"), std::future::ready(found()))).unwrap();
        std::thread::sleep(Duration::from_millis(5));
        let gone = Ok(Resolved { payload: None });
        let answer = now(short.resolve(StoreCache::key("a"), std::future::ready(gone)));
        assert!(answer.unwrap().payload.is_none());

        let cache = StoreCache::new(Duration::from_secs(600), 2);
        let down = Err(Unavailable {
            retry_after: None,
            unusable_answer: false,
        });
        assert!(now(cache.resolve(StoreCache::key("a"), std::future::ready(down))).is_err());
        // A failure is not kept for later requests.
        assert!(now(cache.resolve(StoreCache::key("a"), std::future::ready(found()))).is_ok());

        // An unusable answer (a session too large, say) is kept a while:
        // its token does not make a lookup per request.
        let unusable = || {
            Err(Unavailable {
                retry_after: None,
                unusable_answer: true,
            })
        };
        let cache = StoreCache::new(Duration::from_secs(600), 2);
        assert!(now(cache.resolve(StoreCache::key("a"), std::future::ready(unusable()))).is_err());
        assert!(now(cache.resolve(StoreCache::key("a"), std::future::ready(found()))).is_err());
        assert!(cache.get_now(&StoreCache::key("a")).unwrap().is_err());
        // ... for at most the time to live.
        let short = StoreCache::new(Duration::from_millis(1), 2);
        assert!(now(short.resolve(StoreCache::key("a"), std::future::ready(unusable()))).is_err());
        std::thread::sleep(Duration::from_millis(5));
        assert!(now(short.resolve(StoreCache::key("a"), std::future::ready(found()))).is_ok());

        let off = StoreCache::new(Duration::ZERO, 2);
        now(off.resolve(StoreCache::key("a"), std::future::ready(found()))).unwrap();
        let gone = Ok(Resolved { payload: None });
        assert!(
            now(off.resolve(StoreCache::key("a"), std::future::ready(gone)))
                .unwrap()
                .payload
                .is_none()
        );
    }
}
