//! [`RedisSessionStore`] (feature `session-redis`): sessions read from
//! Better Auth's `secondaryStorage` in Redis (or Valkey), as
//! `@better-auth/redis-storage` writes them.
//!
//! # Where Better Auth keeps sessions in Redis
//!
//! With a `secondaryStorage`, Better Auth (1.7, `db/internal-adapter`)
//! keeps sessions there only, unless `session.storeSessionInDatabase` is
//! set: the database has no session rows, so
//! [`SqlSessionStore`](crate::SqlSessionStore) finds nothing. Every key
//! starts with the storage's `keyPrefix` (default `better-auth:`):
//!
//! - `<prefix><token>`: the JSON `{"session": {..}, "user": {..}}`, with a
//!   time to live that ends at `session.expiresAt` (`createSession`,
//!   `updateSession`; `refreshUserSessions` rewrites `user` when the user
//!   changes). Sign-out deletes it.
//! - `<prefix>active-sessions-<userId>`: the user's tokens and expiries, for
//!   listing sessions. Not read here: Better Auth's `findSession` does not
//!   read it either.
//! - `<prefix>revoked-sessions-before-<userId>`: a watermark in milliseconds
//!   since the epoch, written when all of a user's sessions are revoked
//!   ("revoke all sessions", deleting the user): a session whose
//!   `createdAt` is before it is dead, even if its key is still there.
//!
//! A lookup reads the session and the watermark of its user: two `GET`s
//! in two round trips the first time (the second key names the user the
//! first one gives), then in one pipelined round trip for a token looked
//! up before (the store remembers which user each token it read named, and
//! reads the watermark again should the session name another). It answers
//! `None` for a missing key, or a session created before the watermark;
//! the verifier checks `expiresAt`. The user's fields are passed
//! on as Better Auth stored them, the admin plugin's `banned` and
//! `banExpires` included (`true` and `"2026-12-08T05:44:51.761Z"` or
//! `null`), so [`ClaimGuard::not_banned`](crate::ClaimGuard::not_banned)
//! sees them as it sees `get-session`'s.
//!
//! # Which store to pick
//!
//! - **[`HttpSessionStore`](crate::HttpSessionStore)** asks `get-session`:
//!   an HTTP round trip to the app per cache miss, counted by its rate
//!   limit, and the app reads the same two Redis keys.
//! - **`RedisSessionStore`** (this one) reads those keys itself: one or two
//!   Redis round trips per miss, no app in the way, and it keeps working
//!   while the Next.js app is down. It needs network access to the app's
//!   Redis.
//!
//! Both sit behind the verifier's cache, so a session is looked up at most
//! once per [`DEFAULT_SESSION_CACHE_TTL`](crate::limits::DEFAULT_SESSION_CACHE_TTL).
//!
//! # Connections, failures, deployments
//!
//! The store keeps a small pool of redis-rs `ConnectionManager`s
//! (multiplexed connections that reconnect by themselves), made at the
//! first lookup, so a store can be built before the runtime starts; its
//! lookups must run on a **tokio** runtime. While Redis does not answer
//! (refused, reset, no answer within the response timeout), lookups fail
//! and the request gets 503 with `Retry-After`; the next lookups reconnect,
//! without a restart.
//!
//! - **Redis Cluster**: every command names one key, so a cluster works;
//!   build redis-rs's `cluster_async::ClusterConnection` (its
//!   `cluster-async` feature, in your own `Cargo.toml`) and hand it to
//!   [`RedisSessionStore::with_connection`].
//! - **Sentinel**: not supported: redis-rs resolves the primary once, and a
//!   connection made from it keeps reconnecting to the old address after a
//!   failover. Point the URL at a stable address (a proxy, a DNS name that
//!   follows the primary), or give [`with_connection`](RedisSessionStore::with_connection)
//!   a connection of your own.
//! - **TLS** (`rediss://`): not in this build (redis-rs's TLS features are
//!   off); `redis://` over a private network, a Unix socket
//!   (`redis+unix:///run/redis.sock`), or your own connection through
//!   [`with_connection`](RedisSessionStore::with_connection).

use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use quick_cache::sync::Cache;
use redis::aio::{ConnectionLike, ConnectionManager, ConnectionManagerConfig};
use redis::{Cmd, ConnectionAddr, Pipeline, RedisFuture, Value as RedisValue};
use serde_json::Value;
use sha2::{Digest as _, Sha256};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::session::store::{
    SessionLookup, SessionRecord, SessionStore, SessionStoreError, SessionToken, StoredSession,
};

/// The key prefix `@better-auth/redis-storage` uses by default.
///
/// ```
/// assert_eq!(jwtguard::limits::DEFAULT_REDIS_KEY_PREFIX, "better-auth:");
/// ```
pub const DEFAULT_REDIS_KEY_PREFIX: &str = "better-auth:";

/// How long connecting to Redis may take by default.
///
/// ```
/// use std::time::Duration;
/// assert_eq!(jwtguard::limits::REDIS_CONNECT_TIMEOUT, Duration::from_secs(1));
/// ```
pub const REDIS_CONNECT_TIMEOUT: Duration = Duration::from_secs(1);

/// How long Redis may take to answer one command by default.
///
/// ```
/// use std::time::Duration;
/// assert_eq!(jwtguard::limits::REDIS_RESPONSE_TIMEOUT, Duration::from_millis(500));
/// ```
pub const REDIS_RESPONSE_TIMEOUT: Duration = Duration::from_millis(500);

/// How many connections a Redis store opens by default (each one carries
/// any number of concurrent commands).
///
/// ```
/// assert_eq!(jwtguard::limits::DEFAULT_REDIS_CONNECTIONS, 4);
/// ```
pub const DEFAULT_REDIS_CONNECTIONS: usize = 4;

/// A [`SessionStore`] reading Better Auth's sessions from Redis, where
/// `@better-auth/redis-storage` keeps them (see the module docs for the
/// keys read and the deployments supported).
///
/// `Debug` and errors show the address, database and key prefix, never the
/// password or a token.
///
/// ```
/// use jwtguard::RedisSessionStore;
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let store = RedisSessionStore::new("redis://:hunter2@10.0.0.5:6379/0")?
///     .key_prefix("myapp:");
/// let shown = format!("{store:?}");
/// assert!(shown.contains("10.0.0.5:6379") && !shown.contains("hunter2"));
/// let verifier = jwtguard::Verifier::builder()
///     .sessions(|sessions| sessions.secret("better-auth-secret-0123456789abcdefghij").store(store))
///     .build()?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct RedisSessionStore {
    redis: RedisConnections,
    prefix: Arc<str>,
    /// The user each token read named, by the token's SHA-256: its
    /// watermark is read in the same round trip next time.
    users: Arc<Cache<[u8; 32], Arc<str>>>,
}

/// How many tokens' users a [`RedisSessionStore`] remembers.
const REMEMBERED_USERS: usize = 10_000;

impl fmt::Debug for RedisSessionStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisSessionStore")
            .field("redis", &self.redis)
            .field("key_prefix", &self.prefix)
            .finish()
    }
}

impl RedisSessionStore {
    /// A store reading the Redis at `url`: `redis://[user][:password@]host[:port][/db]`
    /// (`valkey://` too), or a Unix socket, `redis+unix:///path?db=0&pass=..`.
    /// Nothing is connected yet: the first lookup connects.
    ///
    /// Fails when the URL cannot be used, without repeating it (it may hold
    /// a password); `rediss://` is refused (no TLS in this build).
    ///
    /// ```
    /// use jwtguard::RedisSessionStore;
    ///
    /// assert!(RedisSessionStore::new("redis://127.0.0.1:6379").is_ok());
    /// assert!(RedisSessionStore::new("http://127.0.0.1:6379").is_err());
    /// ```
    pub fn new(url: impl AsRef<str>) -> Result<Self, SessionStoreError> {
        Ok(Self::on(
            RedisConnections::open(url.as_ref()).map_err(SessionStoreError::new)?,
        ))
    }

    /// A store sending its commands through `connection`, cloned for each
    /// lookup: a redis-rs `cluster_async::ClusterConnection` for Redis
    /// Cluster, or any connection you configured yourself (TLS, a
    /// credentials provider...). Its own settings apply; this store's
    /// timeouts and pool do not.
    ///
    /// ```no_run
    /// # async fn f() -> redis::RedisResult<()> {
    /// let client = redis::Client::open("redis://127.0.0.1:6379")?;
    /// let manager = redis::aio::ConnectionManager::new(client).await?;
    /// let store = jwtguard::RedisSessionStore::with_connection(manager);
    /// # Ok(()) }
    /// ```
    pub fn with_connection<C>(connection: C) -> Self
    where
        C: ConnectionLike + Clone + Send + Sync + 'static,
    {
        Self::on(RedisConnections::given(connection))
    }

    fn on(redis: RedisConnections) -> Self {
        Self {
            redis,
            prefix: Arc::from(DEFAULT_REDIS_KEY_PREFIX),
            users: Arc::new(Cache::new(REMEMBERED_USERS)),
        }
    }

    /// The `keyPrefix` given to `redisStorage` (default
    /// [`DEFAULT_REDIS_KEY_PREFIX`], `better-auth:`), as it is: `""` for
    /// none.
    ///
    /// ```
    /// let store = jwtguard::RedisSessionStore::new("redis://127.0.0.1")?.key_prefix("myapp:");
    /// assert!(format!("{store:?}").contains("\"myapp:\""));
    /// # Ok::<(), jwtguard::SessionStoreError>(())
    /// ```
    #[must_use]
    pub fn key_prefix(mut self, prefix: impl AsRef<str>) -> Self {
        self.prefix = Arc::from(prefix.as_ref());
        self
    }

    /// How long connecting (and reconnecting) may take, handshake included
    /// (default [`REDIS_CONNECT_TIMEOUT`]). One attempt per lookup: a
    /// lookup that cannot connect fails (503), and the next one tries again.
    ///
    /// ```
    /// use std::time::Duration;
    /// let store = jwtguard::RedisSessionStore::new("redis://127.0.0.1")?
    ///     .connect_timeout(Duration::from_millis(500));
    /// # Ok::<(), jwtguard::SessionStoreError>(())
    /// ```
    #[must_use]
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.redis = self
            .redis
            .with_settings(|settings| settings.connect = timeout);
        self
    }

    /// How long Redis may take to answer one command (default
    /// [`REDIS_RESPONSE_TIMEOUT`]). A lookup sends two: while Redis hangs,
    /// a request waits at most about twice this long (plus the
    /// [`connect_timeout`](Self::connect_timeout) when a connection must be
    /// made first), then gets a 503.
    ///
    /// ```
    /// use std::time::Duration;
    /// let store = jwtguard::RedisSessionStore::new("redis://127.0.0.1")?
    ///     .response_timeout(Duration::from_millis(200));
    /// # Ok::<(), jwtguard::SessionStoreError>(())
    /// ```
    #[must_use]
    pub fn response_timeout(mut self, timeout: Duration) -> Self {
        self.redis = self
            .redis
            .with_settings(|settings| settings.response = timeout);
        self
    }

    /// How many connections are opened (default
    /// [`DEFAULT_REDIS_CONNECTIONS`], at least 1); lookups take them in
    /// turn, and each carries any number of them at once.
    ///
    /// ```
    /// let store = jwtguard::RedisSessionStore::new("redis://127.0.0.1")?.connections(2);
    /// # Ok::<(), jwtguard::SessionStoreError>(())
    /// ```
    #[must_use]
    pub fn connections(mut self, count: usize) -> Self {
        self.redis = self
            .redis
            .with_settings(|settings| settings.size = count.max(1));
        self
    }

    /// The connections, for the DPoP replay and API key stores that share
    /// them.
    #[cfg_attr(not(any(feature = "oauth", feature = "api-key")), allow(dead_code))]
    pub(crate) fn connections_shared(&self) -> RedisConnections {
        self.redis.clone()
    }

    /// The key prefix, for the API key store that shares the connections
    /// (the plugin's keys get the same `keyPrefix`).
    #[cfg_attr(not(feature = "api-key"), allow(dead_code))]
    pub(crate) fn key_prefix_shared(&self) -> Arc<str> {
        self.prefix.clone()
    }

    async fn lookup(&self, token: &str) -> Result<Option<SessionRecord>, SessionStoreError> {
        let mut connection = self.redis.connection().map_err(SessionStoreError::new)?;
        let key = format!("{}{token}", self.prefix);
        let remembered: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        // A token read before: its session and its user's watermark at once.
        let hinted = self
            .users
            .get(&remembered)
            .filter(|_| self.redis.pipelines());
        let (stored, hinted) = match hinted {
            Some(user_id) => {
                let (stored, watermark) = redis::pipe()
                    .cmd("GET")
                    .arg(&key)
                    .cmd("GET")
                    .arg(self.watermark_key(&user_id))
                    .query_async(&mut connection)
                    .await
                    .map_err(|error| self.failed(&error))?;
                (stored, Some((user_id, watermark)))
            }
            None => (self.get(&mut connection, &key).await?, None),
        };
        let Some(stored) = stored else {
            self.users.remove(&remembered);
            return Ok(None);
        };
        let session = parse_session(&stored, token)?;
        let user_id = session.record.user_id();
        let watermark = match hinted {
            Some((hinted, watermark)) if *hinted == *user_id => watermark,
            _ => {
                self.users.insert(remembered, Arc::from(user_id));
                self.get(&mut connection, &self.watermark_key(user_id))
                    .await?
            }
        };
        if is_revoked(session.created_at.as_ref(), watermark.as_deref())? {
            return Ok(None);
        }
        Ok(Some(session.record))
    }

    /// Where Better Auth keeps `user_id`'s revocation watermark.
    fn watermark_key(&self, user_id: &str) -> String {
        format!("{}revoked-sessions-before-{user_id}", self.prefix)
    }

    /// `GET key`; the key (which holds the token) is never part of an error.
    async fn get(
        &self,
        connection: &mut Connection,
        key: &str,
    ) -> Result<Option<Vec<u8>>, SessionStoreError> {
        redis::cmd("GET")
            .arg(key)
            .query_async(connection)
            .await
            .map_err(|error| self.failed(&error))
    }

    /// A command that failed: redis-rs's messages name the failure, never
    /// the command's keys.
    fn failed(&self, error: &redis::RedisError) -> SessionStoreError {
        SessionStoreError::new(format!(
            "session lookup in Redis at {} failed: {error}",
            self.redis
        ))
    }
}

impl SessionStore for RedisSessionStore {
    fn find_session<'a>(&'a self, token: &'a SessionToken<'a>) -> SessionLookup<'a> {
        Box::pin(self.lookup(token.token()))
    }
}

/// A session as stored, and its `createdAt` (read only when a watermark
/// asks for it).
struct RedisSession {
    record: SessionRecord,
    created_at: Option<Value>,
}

/// Reads `{"session": {..}, "user": {..}}` as Better Auth stores it for
/// `token` (the key names the token; a value under the wrong key is
/// refused).
fn parse_session(stored: &[u8], token: &str) -> Result<RedisSession, SessionStoreError> {
    let unexpected =
        |what: &str| SessionStoreError::new(format!("unexpected session in Redis: {what}"));
    let value: Value = serde_json::from_slice(stored).map_err(|_| unexpected("not JSON"))?;
    let Value::Object(top) = value else {
        return Err(unexpected("not an object"));
    };
    let mut stored = StoredSession::read(top, token).map_err(unexpected)?;
    let expires_at = (stored.session.get("expiresAt"))
        .and_then(unix_millis)
        .ok_or_else(|| unexpected("session.expiresAt is not a date"))?;
    let expires_at = i64::try_from(expires_at.div_euclid(1000))
        .map_err(|_| unexpected("session.expiresAt is out of range"))?;
    let created_at = stored.session.remove("createdAt");
    Ok(RedisSession {
        record: stored.record(expires_at),
        created_at,
    })
}

/// Whether a session created at `created_at` is dead by the watermark
/// `revoked_before` (milliseconds), as Better Auth's `isRevokedSession`
/// decides: `createdAt < revokedBefore`. No watermark: alive. A watermark
/// that is no number is an error; a `createdAt` that is no date, under a
/// watermark, counts as revoked.
fn is_revoked(
    created_at: Option<&Value>,
    revoked_before: Option<&[u8]>,
) -> Result<bool, SessionStoreError> {
    let Some(revoked_before) = revoked_before else {
        return Ok(false);
    };
    let revoked_before = std::str::from_utf8(revoked_before)
        .ok()
        .and_then(|text| text.trim().parse::<f64>().ok())
        .filter(|millis| !millis.is_nan())
        .ok_or_else(|| {
            SessionStoreError::new(
                "unexpected revocation watermark in Redis (revoked-sessions-before-<user>): \
                 not a number",
            )
        })?;
    Ok(match created_at.and_then(unix_millis) {
        // Both below 2^53 in practice: exact as f64, as in JavaScript.
        Some(created) => (created as f64) < revoked_before,
        None => true,
    })
}

/// A date as Better Auth stores it (`JSON.stringify` of a `Date`: RFC 3339
/// with milliseconds), or a number of milliseconds, in milliseconds.
fn unix_millis(value: &Value) -> Option<i128> {
    match value {
        Value::String(text) => OffsetDateTime::parse(text, &Rfc3339)
            .ok()
            .map(|at| at.unix_timestamp_nanos().div_euclid(1_000_000)),
        Value::Number(number) => number
            .as_i64()
            .map(i128::from)
            .or_else(|| number.as_f64().filter(|n| n.is_finite()).map(|n| n as i128)),
        _ => None,
    }
}

/// Where a Redis store's commands go: its own pool of connection managers
/// (from a URL), or a connection given to it. Clones share the pool.
#[derive(Clone)]
pub(crate) struct RedisConnections {
    source: Source,
    pool: Arc<Pool>,
}

#[derive(Clone)]
enum Source {
    Url {
        client: redis::Client,
        settings: Settings,
    },
    Given(Arc<dyn Fn() -> Connection + Send + Sync>),
}

#[derive(Clone, Copy, Debug)]
struct Settings {
    connect: Duration,
    response: Duration,
    size: usize,
}

/// The connection managers, each made at its first use.
struct Pool {
    slots: Box<[OnceLock<ConnectionManager>]>,
    next: AtomicUsize,
}

impl Pool {
    fn new(size: usize) -> Arc<Self> {
        Arc::new(Self {
            slots: (0..size.max(1)).map(|_| OnceLock::new()).collect(),
            next: AtomicUsize::new(0),
        })
    }
}

impl fmt::Debug for RedisConnections {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.source {
            Source::Url { client, settings } => f
                .debug_struct("Redis")
                .field("address", &format_args!("{}", Shown(client)))
                .field("connections", &settings.size)
                .field("connect_timeout", &settings.connect)
                .field("response_timeout", &settings.response)
                .finish(),
            Source::Given(_) => f.write_str("Redis(a connection given to with_connection)"),
        }
    }
}

impl fmt::Display for RedisConnections {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.source {
            Source::Url { client, .. } => Shown(client).fmt(f),
            Source::Given(_) => f.write_str("the connection given to with_connection"),
        }
    }
}

/// A client's address, database and user, never its password.
struct Shown<'a>(&'a redis::Client);

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let info = self.0.get_connection_info();
        let settings = info.redis_settings();
        let credentials = match (settings.username(), settings.password()) {
            (Some(user), Some(_)) => format!("{user}:***@"),
            (Some(user), None) => format!("{user}@"),
            (None, Some(_)) => ":***@".to_owned(),
            (None, None) => String::new(),
        };
        match info.addr() {
            ConnectionAddr::Unix(path) => write!(
                f,
                "redis+unix://{credentials}{}?db={}",
                path.display(),
                settings.db()
            ),
            address => write!(f, "redis://{credentials}{address}/{}", settings.db()),
        }
    }
}

impl RedisConnections {
    /// Connections to the Redis at `url`, with the default settings; the
    /// error never repeats the URL.
    pub(crate) fn open(url: &str) -> Result<Self, String> {
        let scheme = url.split_once("://").map_or("", |(scheme, _)| scheme);
        if matches!(scheme.to_ascii_lowercase().as_str(), "rediss" | "valkeys") {
            return Err(
                "rediss:// (TLS) is not supported by this build of jwtguard: \
                        use redis:// on a private network, a Unix socket, or \
                        with_connection with a TLS connection of your own"
                    .to_owned(),
            );
        }
        let client = redis::Client::open(url).map_err(|error| {
            format!(
                "the Redis URL is not redis://[user][:password@]host[:port][/db] or \
                 redis+unix:///path: {error}"
            )
        })?;
        let settings = Settings {
            connect: REDIS_CONNECT_TIMEOUT,
            response: REDIS_RESPONSE_TIMEOUT,
            size: DEFAULT_REDIS_CONNECTIONS,
        };
        Ok(Self {
            source: Source::Url { client, settings },
            pool: Pool::new(settings.size),
        })
    }

    /// Commands through clones of `connection`.
    pub(crate) fn given<C>(connection: C) -> Self
    where
        C: ConnectionLike + Clone + Send + Sync + 'static,
    {
        Self {
            source: Source::Given(Arc::new(move || {
                Connection::Given(Box::new(connection.clone()))
            })),
            pool: Pool::new(1),
        }
    }

    /// The same Redis with `change`d settings (and a new pool: none of the
    /// old one's connections has those settings). No effect on a given
    /// connection.
    fn with_settings(self, change: impl FnOnce(&mut Settings)) -> Self {
        match self.source {
            Source::Url {
                client,
                mut settings,
            } => {
                change(&mut settings);
                Self {
                    pool: Pool::new(settings.size),
                    source: Source::Url { client, settings },
                }
            }
            given @ Source::Given(_) => Self {
                source: given,
                pool: self.pool,
            },
        }
    }

    /// Whether two keys of different hash slots may go in one pipeline:
    /// on the store's own connections (one server), not on a given one (a
    /// cluster would refuse them).
    pub(crate) fn pipelines(&self) -> bool {
        matches!(self.source, Source::Url { .. })
    }

    /// A connection for the next command: the pool's next manager, made
    /// now if it is its first use.
    pub(crate) fn connection(&self) -> Result<Connection, String> {
        let (client, settings) = match &self.source {
            Source::Given(make) => return Ok(make()),
            Source::Url { client, settings } => (client, settings),
        };
        let slot_index = self.pool.next.fetch_add(1, Ordering::Relaxed) % self.pool.slots.len();
        let slot = &self.pool.slots[slot_index];
        if let Some(manager) = slot.get() {
            return Ok(Connection::Managed(manager.clone()));
        }
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(settings.connect))
            .set_response_timeout(Some(settings.response))
            // One attempt, then the request gets its 503: a lookup never
            // waits through a backoff. The next lookup tries again.
            .set_number_of_retries(0);
        // redis-rs spawns the connection's task on tokio, and panics outside
        // a tokio runtime: asked first, that is this lookup's error.
        if tokio::runtime::Handle::try_current().is_err() {
            return Err("Redis lookups must run on a tokio runtime".to_owned());
        }
        match ConnectionManager::new_lazy_with_config(client.clone(), config) {
            Ok(manager) => Ok(Connection::Managed(slot.get_or_init(|| manager).clone())),
            Err(error) => Err(format!("cannot use Redis at {self}: {error}")),
        }
    }
}

/// One command's connection: a pooled manager, or a clone of the given one.
pub(crate) enum Connection {
    Managed(ConnectionManager),
    Given(Box<dyn ConnectionLike + Send>),
}

impl ConnectionLike for Connection {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, RedisValue> {
        match self {
            Self::Managed(manager) => manager.req_packed_command(cmd),
            Self::Given(connection) => connection.req_packed_command(cmd),
        }
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<RedisValue>> {
        match self {
            Self::Managed(manager) => manager.req_packed_commands(pipeline, offset, count),
            Self::Given(connection) => connection.req_packed_commands(pipeline, offset, count),
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            Self::Managed(manager) => manager.get_db(),
            Self::Given(connection) => connection.get_db(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Map, json};

    /// A record's claims payload, as JSON.
    fn claims(record: &SessionRecord) -> Map<String, Value> {
        match serde_json::from_slice(&record.to_payload()) {
            Ok(Value::Object(claims)) => claims,
            _ => Map::new(),
        }
    }

    const TOKEN: &str = "TmMYq2eTQ4lYxv9VrmzRAHpgLbMDziVd";

    /// As better-auth 1.7.25 with `@better-auth/redis-storage` 1.7.5 and the
    /// admin plugin wrote it.
    fn stored() -> Value {
        json!({
            "session": {
                "id": "kOyLsw16BvP0EXEj3BVIX0gFBofbmSQZ", "ipAddress": "", "userAgent": "",
                "expiresAt": "2026-12-14T19:07:16.428Z", "userId": "user-1",
                "token": TOKEN, "createdAt": "2026-12-07T19:07:16.428Z",
                "updatedAt": "2026-12-07T19:07:16.428Z"
            },
            "user": {
                "name": "Ada Lovelace", "email": "ada@example.com", "emailVerified": false,
                "createdAt": "2026-12-07T19:07:16.425Z", "updatedAt": "2026-12-07T19:07:16.425Z",
                "role": "user", "banned": false, "id": "user-1"
            }
        })
    }

    fn parse(value: &Value) -> Result<RedisSession, SessionStoreError> {
        parse_session(value.to_string().as_bytes(), TOKEN)
    }

    #[test]
    fn a_stored_session_becomes_a_record_with_the_users_fields() {
        let session = parse(&stored()).unwrap();
        let record = session.record;
        assert_eq!(record.session_id(), "kOyLsw16BvP0EXEj3BVIX0gFBofbmSQZ");
        assert_eq!(record.user_id(), "user-1");
        assert_eq!(record.expires_at_unix(), 1_797_275_236);
        let claims = claims(&record);
        assert_eq!(claims["email"], "ada@example.com");
        assert_eq!(claims["banned"], false);
        assert_eq!(claims["role"], "user");
        assert_eq!(claims["sub"], "user-1");
        assert_eq!(session.created_at, Some(json!("2026-12-07T19:07:16.428Z")));
    }

    #[test]
    fn bans_are_passed_on_for_the_guard() {
        use crate::token::claims::{Claims, Credential, Fields};
        use crate::token::guard::ClaimGuard;

        let guard = ClaimGuard::not_banned();
        for (banned, expires, allowed) in [
            (json!(false), Value::Null, true),
            (json!(true), Value::Null, false),
            (json!(true), json!("2999-01-01T00:00:00.000Z"), false),
            (json!(true), json!("2000-01-01T00:00:00.000Z"), true),
        ] {
            let mut value = stored();
            value["user"]["banned"] = banned;
            value["user"]["banExpires"] = expires.clone();
            let record = parse(&value).unwrap().record;
            let claims = Claims::new(Fields {
                sub: record.user_id().to_owned(),
                exp: None,
                nbf: None,
                iat: None,
                issuer_audience: OnceLock::new(),
                payload: record.to_payload().into_boxed_slice(),
                extra: OnceLock::from(super::tests::claims(&record)),
                credential: Credential::SessionToken,
            });
            assert_eq!(guard.allows(&claims), allowed, "{expires}");
        }
    }

    #[test]
    fn odd_values_are_errors_that_never_name_the_token_or_user() {
        let mut other_token = stored();
        other_token["session"]["token"] = json!("another-token");
        let mut other_user = stored();
        other_user["user"]["id"] = json!("user-2");
        let mut bad_date = stored();
        bad_date["session"]["expiresAt"] = json!("next tuesday");
        let cases = [
            (json!("text"), "not an object"),
            (json!({"session": null}), "no session or user"),
            (other_token, "another session token"),
            (other_user, "user.id differs"),
            (bad_date, "expiresAt is not a date"),
        ];
        for (value, contains) in cases {
            let message = parse(&value).err().expect("an error").to_string();
            assert!(message.contains(contains), "{message}");
            assert!(
                !message.contains(TOKEN) && !message.contains("user-1"),
                "{message}"
            );
        }
        let garbage = parse_session(b"{not json", TOKEN).err().unwrap();
        assert!(garbage.to_string().contains("not JSON"));
    }

    #[test]
    fn dates_may_be_numbers_of_milliseconds() {
        let mut value = stored();
        value["session"]["expiresAt"] = json!(1_797_275_236_428_i64);
        assert_eq!(
            parse(&value).unwrap().record.expires_at_unix(),
            1_797_275_236
        );
    }

    #[test]
    fn the_watermark_revokes_sessions_created_before_it() {
        let created = json!("2026-12-07T19:07:16.428Z");
        let at = 1_796_670_436_428_i64;
        let revoked = |watermark: Option<String>| {
            is_revoked(Some(&created), watermark.as_deref().map(str::as_bytes))
        };
        assert!(!revoked(None).unwrap());
        assert!(revoked(Some((at + 1).to_string())).unwrap());
        // Created at the watermark's millisecond: alive, as `<` says.
        assert!(!revoked(Some(at.to_string())).unwrap());
        assert!(!revoked(Some((at - 1).to_string())).unwrap());
        assert!(revoked(Some("not a number".into())).is_err());
        // Under a watermark, a session without a readable createdAt is dead.
        assert!(is_revoked(None, Some(b"1")).unwrap());
        assert!(is_revoked(Some(&json!("yesterday")), Some(b"1")).unwrap());
    }

    #[test]
    fn urls_with_passwords_are_never_shown() {
        for url in [
            "redis://:hunter2@127.0.0.1:6379/2",
            "redis://app:hunter2@redis.internal",
            "redis+unix:///run/redis.sock?db=1&pass=hunter2",
        ] {
            let store = RedisSessionStore::new(url).unwrap();
            let shown = format!("{store:?}");
            assert!(!shown.contains("hunter2"), "{shown}");
            assert!(shown.contains("***"), "{shown}");
        }
        let store = RedisSessionStore::new("redis://app:hunter2@redis.internal:6380/3").unwrap();
        assert_eq!(
            store.redis.to_string(),
            "redis://app:***@redis.internal:6380/3"
        );
        for bad in [
            "rediss://:hunter2@redis.internal",
            "http://:hunter2@redis.internal",
            "redis://:hunter2@redis.internal/not-a-db",
            "",
        ] {
            let err = RedisSessionStore::new(bad).unwrap_err().to_string();
            assert!(!err.contains("hunter2"), "{err}");
        }
    }

    #[test]
    fn debug_shows_the_settings() {
        let store = RedisSessionStore::new("redis://127.0.0.1")
            .unwrap()
            .connections(0)
            .response_timeout(Duration::from_millis(250));
        let shown = format!("{store:?}");
        assert!(shown.contains("redis://127.0.0.1:6379/0"), "{shown}");
        assert!(shown.contains("connections: 1"), "{shown}");
        assert!(shown.contains("250ms"), "{shown}");
        assert!(shown.contains("\"better-auth:\""), "{shown}");
    }

    #[test]
    fn lookups_outside_a_tokio_runtime_are_errors() {
        let store = RedisSessionStore::new("redis://127.0.0.1:1").unwrap();
        let token = SessionToken::for_test(TOKEN, "unused.signature");
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        let mut lookup = store.find_session(&token);
        match lookup.as_mut().poll(&mut cx) {
            std::task::Poll::Ready(Err(error)) => {
                assert!(error.to_string().contains("tokio"), "{error}");
            }
            _ => panic!("an error at once"),
        }
    }
}
