//! [`RedisReplayStore`] (features `session-redis` and `oauth`): the DPoP
//! proofs already used, kept in Redis, so that every instance behind a
//! load balancer refuses a proof another one accepted.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use redis::aio::ConnectionLike;

use crate::oauth::replay::{ReplayCheck, ReplayStore, ReplayStoreError};
use crate::session::redis_store::{RedisConnections, RedisSessionStore};

/// The prefix of a [`RedisReplayStore`]'s keys by default.
///
/// ```
/// assert_eq!(jwtguard::oauth::DEFAULT_REDIS_REPLAY_PREFIX, "jwtguard:dpop:");
/// ```
pub const DEFAULT_REDIS_REPLAY_PREFIX: &str = "jwtguard:dpop:";

/// How much longer than its proof a key is kept: instances whose clocks
/// differ by up to this much still refuse each other's replays.
const CLOCK_SLACK: Duration = Duration::from_secs(60);

/// A [`ReplayStore`] in Redis: each proof's key is written with
/// `SET <prefix><key> 1 NX PX <ms>`, which Redis runs atomically, so of two
/// instances given the same proof exactly one sees it first. A key lives
/// until its proof expires, plus a minute for clocks that disagree (the
/// time to live is relative, counted on Redis's clock from now, so no
/// clock has to agree with Redis's).
///
/// When Redis does not answer, the request gets 503 with `Retry-After`,
/// never an accepted proof. `Debug` shows the address and prefix, never a
/// password.
///
/// ```
/// use jwtguard::oauth::RedisReplayStore;
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let replays = RedisReplayStore::new("redis://10.0.0.5:6379")?;
/// let settings = jwtguard::OAuthSettings::default()
///     .resource("https://api.example.com/mcp")
///     .replay_store(replays);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct RedisReplayStore {
    redis: RedisConnections,
    prefix: Arc<str>,
}

impl fmt::Debug for RedisReplayStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisReplayStore")
            .field("redis", &self.redis)
            .field("key_prefix", &self.prefix)
            .finish()
    }
}

impl RedisReplayStore {
    /// A store in the Redis at `url` (the forms
    /// [`RedisSessionStore::new`] takes), with that store's default
    /// timeouts and pool. Nothing is connected yet.
    ///
    /// ```
    /// let replays = jwtguard::oauth::RedisReplayStore::new("redis://127.0.0.1:6379")?;
    /// # Ok::<(), jwtguard::oauth::ReplayStoreError>(())
    /// ```
    pub fn new(url: impl AsRef<str>) -> Result<Self, ReplayStoreError> {
        Ok(Self {
            redis: RedisConnections::open(url.as_ref()).map_err(ReplayStoreError::new)?,
            prefix: Arc::from(DEFAULT_REDIS_REPLAY_PREFIX),
        })
    }

    /// A store on the connections (and so the Redis, timeouts and pool) of
    /// `sessions`.
    ///
    /// ```
    /// let sessions = jwtguard::RedisSessionStore::new("redis://127.0.0.1:6379")?;
    /// let replays = jwtguard::oauth::RedisReplayStore::sharing(&sessions);
    /// # Ok::<(), jwtguard::SessionStoreError>(())
    /// ```
    pub fn sharing(sessions: &RedisSessionStore) -> Self {
        Self {
            redis: sessions.connections_shared(),
            prefix: Arc::from(DEFAULT_REDIS_REPLAY_PREFIX),
        }
    }

    /// A store sending its commands through clones of `connection` (a
    /// redis-rs `cluster_async::ClusterConnection`, say: one key per
    /// command).
    ///
    /// ```no_run
    /// # async fn f() -> redis::RedisResult<()> {
    /// let client = redis::Client::open("redis://127.0.0.1:6379")?;
    /// let manager = redis::aio::ConnectionManager::new(client).await?;
    /// let replays = jwtguard::oauth::RedisReplayStore::with_connection(manager);
    /// # Ok(()) }
    /// ```
    pub fn with_connection<C>(connection: C) -> Self
    where
        C: ConnectionLike + Clone + Send + Sync + 'static,
    {
        Self {
            redis: RedisConnections::given(connection),
            prefix: Arc::from(DEFAULT_REDIS_REPLAY_PREFIX),
        }
    }

    /// The prefix of the keys written (default
    /// [`DEFAULT_REDIS_REPLAY_PREFIX`]); instances that must refuse each
    /// other's replays use the same one.
    ///
    /// ```
    /// let replays = jwtguard::oauth::RedisReplayStore::new("redis://127.0.0.1")?
    ///     .key_prefix("tasks-api:dpop:");
    /// # Ok::<(), jwtguard::oauth::ReplayStoreError>(())
    /// ```
    #[must_use]
    pub fn key_prefix(mut self, prefix: impl AsRef<str>) -> Self {
        self.prefix = Arc::from(prefix.as_ref());
        self
    }

    async fn record(&self, key: &str, expires_at_unix: u64) -> Result<bool, ReplayStoreError> {
        let mut connection = self.redis.connection().map_err(ReplayStoreError::new)?;
        let answer: Option<String> = redis::cmd("SET")
            .arg(format!("{}{key}", self.prefix))
            .arg(1)
            .arg("NX")
            .arg("PX")
            .arg(keep_for(expires_at_unix, SystemTime::now()).as_millis() as u64)
            .query_async(&mut connection)
            .await
            .map_err(|error| {
                ReplayStoreError::new(format!("Redis at {} failed: {error}", self.redis))
            })?;
        // `OK` when the key was set, nil when it was already there.
        Ok(answer.is_some())
    }
}

/// How long a proof expiring at `expires_at_unix` is remembered from `now`:
/// until then plus [`CLOCK_SLACK`], at least a second (a proof already
/// expired here is refused as stale before it gets to the store).
fn keep_for(expires_at_unix: u64, now: SystemTime) -> Duration {
    let now = now.duration_since(UNIX_EPOCH).unwrap_or_default();
    Duration::from_secs(expires_at_unix)
        .saturating_sub(now)
        .saturating_add(CLOCK_SLACK)
        .max(Duration::from_secs(1))
}

impl ReplayStore for RedisReplayStore {
    fn first_use<'a>(&'a self, key: &'a str, expires_at_unix: u64) -> ReplayCheck<'a> {
        Box::pin(self.record(key, expires_at_unix))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_live_until_the_proof_expires_plus_the_slack() {
        let now = UNIX_EPOCH + Duration::from_secs(1_000);
        assert_eq!(keep_for(1_300, now), Duration::from_secs(360));
        assert_eq!(keep_for(900, now), Duration::from_secs(60));
        assert_eq!(
            keep_for(0, UNIX_EPOCH + Duration::from_secs(u64::MAX / 2)),
            CLOCK_SLACK
        );
    }

    #[test]
    fn debug_and_errors_show_no_password() {
        let store = RedisReplayStore::new("redis://:hunter2@127.0.0.1:6379").unwrap();
        let shown = format!("{store:?}");
        assert!(
            shown.contains("127.0.0.1:6379") && !shown.contains("hunter2"),
            "{shown}"
        );
        assert!(shown.contains("jwtguard:dpop:"), "{shown}");
        let err = RedisReplayStore::new("rediss://:hunter2@127.0.0.1").unwrap_err();
        assert!(!err.to_string().contains("hunter2"), "{err}");
    }
}
