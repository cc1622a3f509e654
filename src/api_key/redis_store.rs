//! [`RedisApiKeyStore`] (features `api-key` and `session-redis`): the keys
//! `@better-auth/api-key` keeps in Better Auth's `secondaryStorage` when it
//! has `storage: "secondary-storage"` (without `fallbackToDatabase`), in
//! Redis through `@better-auth/redis-storage`.
//!
//! The plugin (1.7.5, `dist/index.mjs`) writes each key as the JSON of its
//! record (`serializeApiKey`: dates as ISO-8601 strings) at
//! `api-key:<hash>` (`getStorageKeyByHashedKey`) and `api-key:by-id:<id>`,
//! both under the storage's `keyPrefix`, with a time to live until
//! `expiresAt` when the key has one; it finds a key by the first
//! (`getApiKeyFromStorage`). Its own count (`claimUsageInSecondaryStorage`)
//! is a read, then a write of the whole record, not atomic; here a count is
//! a compare-and-swap: a Lua script (`EVAL`) writes the counted record only
//! if the key still holds the value read, keeping its time to live, and a
//! request that lost the race reads the key again and retries, so
//! concurrent requests never use more than the key allows.

use std::fmt;
use std::sync::Arc;

use redis::aio::ConnectionLike;
use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::api_key::store::{ApiKeyRecord, Use, iso_millis};
use crate::session::redis_store::{
    Connection, DEFAULT_REDIS_KEY_PREFIX, RedisConnections, RedisSessionStore,
};
use crate::session::store::SessionStoreError;

/// How many times a count is tried when other requests keep changing the
/// key first; each lost try means another request's count went through.
const MAX_COUNT_ATTEMPTS: usize = 16;

/// The compare-and-swap of a count: `ARGV[2]` is written to `KEYS[1]` (and
/// to `KEYS[2]`, the `by-id` copy, when given and present) only while
/// `KEYS[1]` still holds `ARGV[1]`; each key keeps its time to live.
/// 1 when written, 0 when the key changed (or is gone).
const COUNT_SCRIPT: &str = r"
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
for i, key in ipairs(KEYS) do
  if i == 1 or redis.call('EXISTS', key) == 1 then
    local ttl = redis.call('PTTL', key)
    if ttl > 0 then
      redis.call('SET', key, ARGV[2], 'PX', ttl)
    else
      redis.call('SET', key, ARGV[2])
    end
  end
end
return 1
";

/// Reads and counts the API keys `@better-auth/api-key` keeps in Redis
/// (`storage: "secondary-storage"`, with `@better-auth/redis-storage` as
/// Better Auth's `secondaryStorage`), for
/// [`ApiKeySettings::store`](crate::ApiKeySettings::store).
///
/// A key is read from `<keyPrefix>api-key:<hash>` (`keyPrefix` as given
/// to `redisStorage`, default `better-auth:`) and checked as a key of the
/// database is. A use is counted with a compare-and-swap (a small Lua
/// script sent with `EVAL`, Redis 2.6 or later; scripting must not be
/// disabled by ACL): `remaining` goes down by one, or a due refill
/// restores `refillAmount` and sets `lastRefillAt`, written to
/// `api-key:<hash>` and to its `api-key:by-id:<id>` copy, each keeping its
/// time to live. Concurrent requests, on any number of instances, never
/// use more than the key allows. Use [`ApiKeySettings::read_only`](crate::ApiKeySettings::read_only)
/// to check keys without writing to Redis.
///
/// When the plugin has `fallbackToDatabase: true`, the database is the
/// source of truth and counts go there: use [`SqlApiKeyStore`](crate::SqlApiKeyStore)
/// instead. When Redis does not answer, the request gets 503 with
/// `Retry-After` ([`ApiKeyStoreUnavailable`](crate::ErrorKind::ApiKeyStoreUnavailable)).
/// `Debug` shows the address and prefix, never a password.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let sessions = jwtguard::RedisSessionStore::new("redis://10.0.0.5:6379")?;
/// let verifier = jwtguard::Verifier::builder()
///     .api_keys(|keys| keys.store(jwtguard::RedisApiKeyStore::sharing(&sessions)))
///     .build()?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct RedisApiKeyStore {
    redis: RedisConnections,
    prefix: Arc<str>,
}

impl fmt::Debug for RedisApiKeyStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisApiKeyStore")
            .field("redis", &self.redis)
            .field("key_prefix", &self.prefix)
            .finish()
    }
}

impl RedisApiKeyStore {
    /// A store in the Redis at `url` (the forms
    /// [`RedisSessionStore::new`] takes), with that store's default
    /// timeouts and pool and the prefix `better-auth:`. Nothing is
    /// connected yet.
    ///
    /// ```
    /// let keys = jwtguard::RedisApiKeyStore::new("redis://127.0.0.1:6379")?;
    /// # Ok::<(), jwtguard::SessionStoreError>(())
    /// ```
    pub fn new(url: impl AsRef<str>) -> Result<Self, SessionStoreError> {
        Ok(Self {
            redis: RedisConnections::open(url.as_ref()).map_err(SessionStoreError::new)?,
            prefix: Arc::from(DEFAULT_REDIS_KEY_PREFIX),
        })
    }

    /// A store on the connections (and so the Redis, timeouts and pool)
    /// and the key prefix of `sessions`: one `secondaryStorage` holds both.
    ///
    /// ```
    /// let sessions = jwtguard::RedisSessionStore::new("redis://127.0.0.1:6379")?
    ///     .key_prefix("myapp:");
    /// let keys = jwtguard::RedisApiKeyStore::sharing(&sessions);
    /// assert!(format!("{keys:?}").contains("\"myapp:\""));
    /// # Ok::<(), jwtguard::SessionStoreError>(())
    /// ```
    pub fn sharing(sessions: &RedisSessionStore) -> Self {
        Self {
            redis: sessions.connections_shared(),
            prefix: sessions.key_prefix_shared(),
        }
    }

    /// A store sending its commands through clones of `connection` (a
    /// redis-rs `cluster_async::ClusterConnection`, say). On such a
    /// connection the `by-id` copy of a counted key is written by a second
    /// command (`SET .. XX KEEPTTL`, Redis 6.0 or later), as its hash slot
    /// may differ.
    ///
    /// ```no_run
    /// # async fn f() -> redis::RedisResult<()> {
    /// let client = redis::Client::open("redis://127.0.0.1:6379")?;
    /// let manager = redis::aio::ConnectionManager::new(client).await?;
    /// let keys = jwtguard::RedisApiKeyStore::with_connection(manager);
    /// # Ok(()) }
    /// ```
    pub fn with_connection<C>(connection: C) -> Self
    where
        C: ConnectionLike + Clone + Send + Sync + 'static,
    {
        Self {
            redis: RedisConnections::given(connection),
            prefix: Arc::from(DEFAULT_REDIS_KEY_PREFIX),
        }
    }

    /// The `keyPrefix` given to `redisStorage` (default `better-auth:`),
    /// as it is: `""` for none.
    ///
    /// ```
    /// let keys = jwtguard::RedisApiKeyStore::new("redis://127.0.0.1")?.key_prefix("myapp:");
    /// # Ok::<(), jwtguard::SessionStoreError>(())
    /// ```
    #[must_use]
    pub fn key_prefix(mut self, prefix: impl AsRef<str>) -> Self {
        self.prefix = Arc::from(prefix.as_ref());
        self
    }

    /// Where the plugin keeps the key whose hash is `hash`.
    fn key_of(&self, hash: &str) -> String {
        format!("{}api-key:{hash}", self.prefix)
    }

    /// The key whose hash is `hash`, if any. `last_refill_marker` holds the
    /// value read, for the compare-and-swap of a count.
    pub(crate) async fn find(&self, hash: &str) -> Result<Option<ApiKeyRecord>, SessionStoreError> {
        let mut connection = self.connection()?;
        match self.get(&mut connection, &self.key_of(hash)).await? {
            Some(stored) => parse_key(&stored).map(Some),
            None => Ok(None),
        }
    }

    /// Counts one use of `record`'s key at `now_ms`, as the plugin's
    /// `claimUsageInSecondaryStorage` does (a due refill sets `remaining`
    /// to `refillAmount`, then one is used), by compare-and-swap against
    /// the value `record` was read from. A key that is gone meanwhile is
    /// refused as exhausted.
    pub(crate) async fn use_once(
        &self,
        record: &ApiKeyRecord,
        now_ms: i64,
    ) -> Result<Use, SessionStoreError> {
        let mut connection = self.connection()?;
        let key = self.key_of(&record.hash);
        let by_id = format!("{}api-key:by-id:{}", self.prefix, record.id);
        let one_script = self.redis.pipelines();
        let mut record = record.clone();
        for _ in 0..MAX_COUNT_ATTEMPTS {
            let Some(read) = record.last_refill_marker.as_deref() else {
                return Err(SessionStoreError::new(
                    "an API key read from Redis kept no value",
                ));
            };
            let Some(counted) = counted(read, &record, now_ms)? else {
                return Ok(Use::Exhausted);
            };
            let mut script = redis::cmd("EVAL");
            script
                .arg(COUNT_SCRIPT)
                .arg(if one_script { 2 } else { 1 })
                .arg(&key);
            if one_script {
                script.arg(&by_id);
            }
            let swapped: i64 = script
                .arg(read)
                .arg(&counted)
                .query_async(&mut connection)
                .await
                .map_err(|error| self.failed(&error))?;
            if swapped == 1 {
                if !one_script {
                    let copied: redis::RedisResult<Option<String>> = redis::cmd("SET")
                        .arg(&by_id)
                        .arg(&counted)
                        .arg("XX")
                        .arg("KEEPTTL")
                        .query_async(&mut connection)
                        .await;
                    if let Err(error) = copied {
                        // The use is counted where the plugin reads it.
                        crate::trace::api_key_store_failed(&self.failed(&error));
                    }
                }
                return Ok(Use::Counted);
            }
            match self.get(&mut connection, &key).await? {
                Some(stored) => record = parse_key(&stored)?,
                None => return Ok(Use::Exhausted),
            }
            if record.remaining.is_none() {
                return Ok(Use::Counted);
            }
        }
        Err(SessionStoreError::new(
            "an API key in Redis kept changing while its use was counted",
        ))
    }

    fn connection(&self) -> Result<Connection, SessionStoreError> {
        self.redis.connection().map_err(SessionStoreError::new)
    }

    /// `GET key`; the key (which holds the hash) is never part of an error.
    async fn get(
        &self,
        connection: &mut Connection,
        key: &str,
    ) -> Result<Option<String>, SessionStoreError> {
        let stored: Option<Vec<u8>> = redis::cmd("GET")
            .arg(key)
            .query_async(connection)
            .await
            .map_err(|error| self.failed(&error))?;
        stored
            .map(|bytes| {
                String::from_utf8(bytes)
                    .map_err(|_| SessionStoreError::new("an API key in Redis is not UTF-8 JSON"))
            })
            .transpose()
    }

    /// A command that failed: redis-rs's messages name the failure, never
    /// the command's keys.
    fn failed(&self, error: &redis::RedisError) -> SessionStoreError {
        SessionStoreError::new(format!(
            "API key lookup in Redis at {} failed: {error}",
            self.redis
        ))
    }
}

/// The record of a key as `serializeApiKey` stored it; the stored value is
/// kept in `last_refill_marker`. Errors never repeat the value (it holds
/// the hash).
fn parse_key(stored: &str) -> Result<ApiKeyRecord, SessionStoreError> {
    let odd = |what: &str| SessionStoreError::new(format!("an API key in Redis has {what}"));
    let Ok(Value::Object(fields)) = serde_json::from_str::<Value>(stored) else {
        return Err(odd("no JSON object"));
    };
    let text = |name: &str| -> Result<Option<String>, SessionStoreError> {
        match fields.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(text)) => Ok(Some(text.clone())),
            Some(Value::Number(n)) if n.is_i64() || n.is_u64() => Ok(Some(n.to_string())),
            Some(_) => Err(odd(&format!("an odd {name}"))),
        }
    };
    let number = |name: &str| -> Result<Option<i64>, SessionStoreError> {
        match fields.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => n
                .as_i64()
                .or_else(|| n.as_f64().filter(|n| n.is_finite()).map(|n| n as i64))
                .map(Some)
                .ok_or_else(|| odd(&format!("an odd {name}"))),
            Some(_) => Err(odd(&format!("an odd {name}"))),
        }
    };
    let date = |name: &str| -> Result<Option<i64>, SessionStoreError> {
        match fields.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(text)) => OffsetDateTime::parse(text, &Rfc3339)
                .map(|at| Some((at.unix_timestamp_nanos().div_euclid(1_000_000)) as i64))
                .map_err(|_| odd(&format!("a {name} that is not ISO-8601"))),
            Some(Value::Number(_)) => number(name),
            Some(_) => Err(odd(&format!("an odd {name}"))),
        }
    };
    let enabled = match fields.get("enabled") {
        None | Some(Value::Null) => None,
        Some(Value::Bool(enabled)) => Some(*enabled),
        Some(_) => return Err(odd("an odd enabled")),
    };
    let permissions = match fields.get("permissions") {
        None | Some(Value::Null) => None,
        Some(Value::String(text)) => Some(text.clone()),
        Some(other) => Some(other.to_string()),
    };
    Ok(ApiKeyRecord {
        id: text("id")?.ok_or_else(|| odd("no id"))?,
        hash: text("key")?.ok_or_else(|| odd("no key"))?,
        reference_id: match text("referenceId")? {
            Some(owner) => owner,
            // Keys of plugins before `references`.
            None => text("userId")?.ok_or_else(|| odd("no referenceId"))?,
        },
        config_id: text("configId")?,
        enabled,
        expires_at_ms: date("expiresAt")?,
        remaining: number("remaining")?,
        refill_amount: number("refillAmount")?,
        refill_interval_ms: number("refillInterval")?,
        last_refill_at_ms: date("lastRefillAt")?,
        last_refill_marker: Some(stored.to_owned()),
        created_at_ms: date("createdAt")?,
        permissions,
    })
}

/// `stored` with one more use counted at `now_ms`, as
/// `claimUsageInSecondaryStorage` writes it: a due refill sets `remaining`
/// to `refillAmount` and `lastRefillAt` to now, then `remaining` goes down
/// by one and `updatedAt` is now. `None` when nothing is left. The other
/// fields are kept as they are.
fn counted(
    stored: &str,
    record: &ApiKeyRecord,
    now_ms: i64,
) -> Result<Option<String>, SessionStoreError> {
    let Ok(Value::Object(mut fields)) = serde_json::from_str::<Value>(stored) else {
        return Err(SessionStoreError::new(
            "an API key in Redis has no JSON object",
        ));
    };
    let mut remaining = record.remaining.unwrap_or(0);
    let now = Value::String(iso_millis(now_ms));
    if record.refill_due(now_ms) {
        remaining = record.refill_amount.unwrap_or(0);
        fields.insert("lastRefillAt".into(), now.clone());
    }
    if remaining <= 0 {
        return Ok(None);
    }
    fields.insert("remaining".into(), (remaining - 1).into());
    fields.insert("updatedAt".into(), now);
    Ok(Some(Value::Object(fields).to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const STORED: &str = r#"{"configId":"default","createdAt":"2026-12-07T20:09:49.879Z","updatedAt":"2026-12-07T20:09:49.879Z","name":"refilled","prefix":null,"start":"sLxjIG","key":"jzH3zFyWoHydvZhcVsBiFzpiuUg5nfYeGYjISP77YHk","enabled":true,"expiresAt":"2026-12-08T20:09:49.875Z","referenceId":"user-1","lastRefillAt":null,"lastRequest":null,"metadata":null,"rateLimitMax":10,"rateLimitTimeWindow":86400000,"remaining":2,"refillAmount":2,"refillInterval":60000,"rateLimitEnabled":true,"requestCount":0,"permissions":"{\"files\":[\"read\"]}","id":"key-1"}"#;

    #[test]
    fn a_stored_key_becomes_the_record_the_database_gives() {
        let record = parse_key(STORED).unwrap();
        assert_eq!(record.id, "key-1");
        assert_eq!(record.hash, "jzH3zFyWoHydvZhcVsBiFzpiuUg5nfYeGYjISP77YHk");
        assert_eq!(record.reference_id, "user-1");
        assert_eq!(record.config_id.as_deref(), Some("default"));
        assert_eq!(record.enabled, Some(true));
        assert_eq!(record.expires_at_ms, Some(1_796_760_589_875));
        assert_eq!(record.remaining, Some(2));
        assert_eq!(record.refill_amount, Some(2));
        assert_eq!(record.refill_interval_ms, Some(60_000));
        assert_eq!(record.last_refill_at_ms, None);
        assert_eq!(record.created_at_ms, Some(1_796_674_189_879));
        assert_eq!(record.permissions.as_deref(), Some(r#"{"files":["read"]}"#));
        assert_eq!(record.last_refill_marker.as_deref(), Some(STORED));
    }

    #[test]
    fn odd_values_are_errors_that_never_repeat_the_value() {
        for stored in [
            "not json",
            "[]",
            r#"{"id":"k","referenceId":"u"}"#,
            r#"{"id":"k","key":"secret-hash","referenceId":"u","enabled":"yes"}"#,
            r#"{"id":"k","key":"secret-hash","referenceId":"u","expiresAt":"tomorrow"}"#,
        ] {
            let error = parse_key(stored).unwrap_err().to_string();
            assert!(!error.contains("secret-hash"), "{error}");
        }
    }

    #[test]
    fn a_count_uses_one_or_refills_then_uses_one() {
        let record = parse_key(STORED).unwrap();
        let created = record.created_at_ms.unwrap();
        let once: Value =
            serde_json::from_str(&counted(STORED, &record, created + 1).unwrap().unwrap()).unwrap();
        assert_eq!(once["remaining"], 1);
        assert_eq!(once["lastRefillAt"], Value::Null);
        assert_eq!(once["rateLimitMax"], 10);
        assert_eq!(once["metadata"], Value::Null);
        let empty = STORED.replace("\"remaining\":2", "\"remaining\":0");
        let record = parse_key(&empty).unwrap();
        assert_eq!(counted(&empty, &record, created + 1).unwrap(), None);
        let refilled: Value =
            serde_json::from_str(&counted(&empty, &record, created + 60_001).unwrap().unwrap())
                .unwrap();
        assert_eq!(refilled["remaining"], 1);
        assert_eq!(
            refilled["lastRefillAt"],
            Value::String(iso_millis(created + 60_001))
        );
    }

    #[test]
    fn debug_shows_no_password() {
        let store = RedisApiKeyStore::new("redis://:hunter2@127.0.0.1:6379").unwrap();
        let shown = format!("{store:?}");
        assert!(
            shown.contains("127.0.0.1:6379") && !shown.contains("hunter2"),
            "{shown}"
        );
        assert!(shown.contains("better-auth:"), "{shown}");
    }
}
