//! [`SqlApiKeyStore`]: the `apikey` table of `@better-auth/api-key`, in
//! Better Auth's PostgreSQL or SQLite database, through sqlx.
//!
//! The statements follow the plugin (1.7.5, `dist/index.mjs`): a key is
//! found by its hash (`getApiKey` with `defaultKeyHasher`), and a key with
//! `remaining` is counted by `consumeRemaining`: a refill that is due is
//! won by one request only (an `UPDATE` guarded by the `lastRefillAt` it
//! read, a compare-and-swap), and otherwise `remaining` goes down by one
//! only while it is above zero (an `UPDATE` guarded by `remaining > 0`), so
//! concurrent requests on any number of instances never use more than the
//! key allows.

use std::fmt;
use std::sync::Arc;

use sqlx::Row;
use sqlx::postgres::{PgPool, PgRow};
use sqlx::sqlite::{SqlitePool, SqliteRow};
use time::OffsetDateTime;

use crate::session::sql_store::{MILLIS_FROM, Pool, TableName, parse_date};
use crate::session::store::SessionStoreError;

/// Reads and counts API keys of Better Auth's `@better-auth/api-key`
/// plugin in its `apikey` table (feature `api-key`).
///
/// Give it the pool your service already has (the same one a
/// [`SqlSessionStore`](crate::SqlSessionStore) uses, if any), with a short
/// `acquire_timeout`. It needs `SELECT` on the table, and `UPDATE` unless
/// the keys are read only ([`ApiKeySettings::read_only`](crate::ApiKeySettings::read_only)).
/// `Debug` shows the database kind and the table, never the pool's options.
///
/// ```no_run
/// # async fn f() -> Result<(), Box<dyn std::error::Error>> {
/// let pool = sqlx::postgres::PgPoolOptions::new()
///     .acquire_timeout(std::time::Duration::from_secs(2))
///     .connect("postgres://app@localhost/app")
///     .await?;
/// let store = jwtguard::SqlApiKeyStore::postgres(pool);
/// # Ok(()) }
/// ```
///
/// # What it reads
///
/// The plugin's columns (`id`, `key`, `referenceId`, `configId`,
/// `enabled`, `expiresAt`, `remaining`, `refillAmount`, `refillInterval`,
/// `lastRefillAt`, `createdAt`, `permissions`), by the plugin's default
/// names. Dates are read as [`SqlSessionStore`](crate::SqlSessionStore)
/// reads them: PostgreSQL `timestamptz` (or `timestamp` as UTC), SQLite
/// ISO-8601 text or numbers. A refill writes `lastRefillAt` in the form
/// `createdAt` has (SQLite text or milliseconds; PostgreSQL a timestamp).
#[derive(Clone)]
pub struct SqlApiKeyStore {
    pool: Pool,
    table: TableName,
    /// The lookup by hash, for this table and dialect.
    query: Arc<str>,
}

impl fmt::Debug for SqlApiKeyStore {
    /// The pool's connect options may hold a password: not shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqlApiKeyStore")
            .field("database", &self.pool.dialect())
            .field("table", &format_args!("{}", self.table))
            .finish()
    }
}

/// A key's row, as far as verifying it goes. Its `key` column (the hash) is
/// kept to be compared again, in constant time.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct ApiKeyRecord {
    pub(crate) id: String,
    pub(crate) hash: String,
    pub(crate) reference_id: String,
    pub(crate) config_id: Option<String>,
    /// `None` counts as enabled, as in the plugin (`enabled === false`).
    pub(crate) enabled: Option<bool>,
    pub(crate) expires_at_ms: Option<i64>,
    pub(crate) remaining: Option<i64>,
    pub(crate) refill_amount: Option<i64>,
    pub(crate) refill_interval_ms: Option<i64>,
    pub(crate) last_refill_at_ms: Option<i64>,
    /// What the compare-and-swap of a count compares: `lastRefillAt` as
    /// text in SQL (the refill's guard), the whole stored value in Redis.
    pub(crate) last_refill_marker: Option<String>,
    pub(crate) created_at_ms: Option<i64>,
    pub(crate) permissions: Option<String>,
}

impl fmt::Debug for ApiKeyRecord {
    /// Without the key's hash and the stored value that holds it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiKeyRecord")
            .field("id", &self.id)
            .field("reference_id", &self.reference_id)
            .field("config_id", &self.config_id)
            .field("enabled", &self.enabled)
            .field("expires_at_ms", &self.expires_at_ms)
            .field("remaining", &self.remaining)
            .finish_non_exhaustive()
    }
}

impl ApiKeyRecord {
    /// Whether a refill is due at `now_ms`: the plugin refills when both
    /// `refillInterval` and `refillAmount` are set (non-zero) and more than
    /// `refillInterval` has passed since `lastRefillAt` (or `createdAt`).
    pub(crate) fn refill_due(&self, now_ms: i64) -> bool {
        match (self.refill_interval_ms, self.refill_amount) {
            (Some(interval), Some(amount)) if interval != 0 && amount != 0 => {
                let last = self.last_refill_at_ms.or(self.created_at_ms).unwrap_or(0);
                now_ms.saturating_sub(last) > interval
            }
            _ => false,
        }
    }
}

/// What counting one use of a key came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Use {
    /// Counted (or refilled, then counted).
    Counted,
    /// Nothing left, and no refill due.
    Exhausted,
}

/// Where an [`ApiKeySettings`](crate::ApiKeySettings) finds keys: made
/// from a [`SqlApiKeyStore`] (the plugin's default `storage: "database"`,
/// and `"secondary-storage"` with `fallbackToDatabase`, whose database is
/// the source of truth) or, with feature `session-redis` too, a
/// `RedisApiKeyStore` (`storage: "secondary-storage"` alone), through
/// `From`, so either can be given to
/// [`ApiKeySettings::store`](crate::ApiKeySettings::store).
///
/// ```no_run
/// # async fn f(pool: sqlx::PgPool) {
/// let store: jwtguard::ApiKeyStore = jwtguard::SqlApiKeyStore::postgres(pool).into();
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct ApiKeyStore(Backend);

#[derive(Clone, Debug)]
enum Backend {
    Sql(SqlApiKeyStore),
    #[cfg(feature = "session-redis")]
    Redis(crate::api_key::redis_store::RedisApiKeyStore),
}

impl From<SqlApiKeyStore> for ApiKeyStore {
    fn from(store: SqlApiKeyStore) -> Self {
        Self(Backend::Sql(store))
    }
}

#[cfg(feature = "session-redis")]
impl From<crate::api_key::redis_store::RedisApiKeyStore> for ApiKeyStore {
    fn from(store: crate::api_key::redis_store::RedisApiKeyStore) -> Self {
        Self(Backend::Redis(store))
    }
}

impl ApiKeyStore {
    /// The key whose hash is `hash`, if any.
    pub(crate) async fn find(&self, hash: &str) -> Result<Option<ApiKeyRecord>, SessionStoreError> {
        match &self.0 {
            Backend::Sql(store) => store.find(hash).await,
            #[cfg(feature = "session-redis")]
            Backend::Redis(store) => store.find(hash).await,
        }
    }

    /// Counts one use of `record`'s key at `now_ms`.
    pub(crate) async fn use_once(
        &self,
        record: &ApiKeyRecord,
        now_ms: i64,
    ) -> Result<Use, SessionStoreError> {
        match &self.0 {
            Backend::Sql(store) => store.use_once(record, now_ms).await,
            #[cfg(feature = "session-redis")]
            Backend::Redis(store) => store.use_once(record, now_ms).await,
        }
    }
}

impl SqlApiKeyStore {
    /// A store reading Better Auth's PostgreSQL database through `pool`.
    ///
    /// ```no_run
    /// # async fn f() -> Result<(), sqlx::Error> {
    /// let pool = sqlx::PgPool::connect("postgres://app@localhost/app").await?;
    /// let store = jwtguard::SqlApiKeyStore::postgres(pool);
    /// # Ok(()) }
    /// ```
    pub fn postgres(pool: PgPool) -> Self {
        Self::on(Pool::Postgres(pool))
    }

    /// A store reading Better Auth's SQLite database through `pool`.
    ///
    /// ```no_run
    /// # async fn f() -> Result<(), sqlx::Error> {
    /// let pool = sqlx::SqlitePool::connect("sqlite://auth.db").await?;
    /// let store = jwtguard::SqlApiKeyStore::sqlite(pool);
    /// # Ok(()) }
    /// ```
    pub fn sqlite(pool: SqlitePool) -> Self {
        Self::on(Pool::Sqlite(pool))
    }

    /// The key table, when the plugin's `schema.apikey.modelName` renames it,
    /// optionally schema-qualified (`"auth.apikey"`); the rules of
    /// [`SqlSessionStore::session_table`](crate::SqlSessionStore::session_table).
    ///
    /// ```no_run
    /// # async fn f(pool: sqlx::PgPool) -> Result<(), jwtguard::SessionStoreError> {
    /// let store = jwtguard::SqlApiKeyStore::postgres(pool).table("auth.api_keys")?;
    /// # Ok(()) }
    /// ```
    pub fn table(mut self, name: &str) -> Result<Self, SessionStoreError> {
        self.table = TableName::parse(name)?;
        self.query = lookup_query(&self.pool, &self.table);
        Ok(self)
    }

    /// A store on the plugin's default table.
    fn on(pool: Pool) -> Self {
        let table = TableName::plain("apikey");
        let query = lookup_query(&pool, &table);
        Self { pool, table, query }
    }

    /// The row whose `key` column is `hash`. The hash is a bound parameter:
    /// never part of the SQL, nor of sqlx's errors.
    pub(crate) async fn find(&self, hash: &str) -> Result<Option<ApiKeyRecord>, SessionStoreError> {
        let query = &*self.query;
        match &self.pool {
            Pool::Postgres(pool) => sqlx::query(query)
                .bind(hash)
                .fetch_optional(pool)
                .await
                .map_err(db_error)?
                .as_ref()
                .map(pg_record)
                .transpose(),
            Pool::Sqlite(pool) => sqlx::query(query)
                .bind(hash)
                .fetch_optional(pool)
                .await
                .map_err(db_error)?
                .as_ref()
                .map(sqlite_record)
                .transpose(),
        }
    }

    /// Counts one use of `record`'s key at `now_ms`, as the plugin's
    /// `consumeRemaining` does: the refill when one is due (only the
    /// request that still sees the `lastRefillAt` it read wins it, and that
    /// request uses one of the refilled amount), else one less while
    /// `remaining` is above zero.
    pub(crate) async fn use_once(
        &self,
        record: &ApiKeyRecord,
        now_ms: i64,
    ) -> Result<Use, SessionStoreError> {
        let table = &self.table;
        if record.refill_due(now_ms) {
            let amount = record.refill_amount.unwrap_or(0);
            let refilled = match &self.pool {
                Pool::Postgres(pool) => {
                    let marker = "CAST(CASE WHEN isfinite(\"lastRefillAt\") THEN \
                         CAST(FLOOR(EXTRACT(EPOCH FROM \"lastRefillAt\") * 1000) AS BIGINT) END \
                         AS TEXT)";
                    let query = format!(
                        "UPDATE {table} SET \"remaining\" = $2, \
                         \"lastRefillAt\" = to_timestamp($3 / 1000.0), \
                         \"updatedAt\" = to_timestamp($3 / 1000.0) \
                         WHERE \"id\" = $1 AND {marker} IS NOT DISTINCT FROM $4"
                    );
                    sqlx::query(&query)
                        .bind(&record.id)
                        .bind(amount - 1)
                        .bind(now_ms as f64)
                        .bind(&record.last_refill_marker)
                        .execute(pool)
                        .await
                        .map_err(db_error)?
                        .rows_affected()
                }
                Pool::Sqlite(pool) => {
                    let query = format!(
                        "UPDATE {table} SET \"remaining\" = ?2, \
                         \"lastRefillAt\" = {now}, \"updatedAt\" = {now} \
                         WHERE \"id\" = ?1 AND CAST(\"lastRefillAt\" AS TEXT) IS ?5",
                        now = sqlite_now(),
                    );
                    sqlx::query(&query)
                        .bind(&record.id)
                        .bind(amount - 1)
                        .bind(now_ms)
                        .bind(iso_millis(now_ms))
                        .bind(&record.last_refill_marker)
                        .execute(pool)
                        .await
                        .map_err(db_error)?
                        .rows_affected()
                }
            };
            if refilled == 1 {
                return Ok(Use::Counted);
            }
        }
        let decremented = match &self.pool {
            Pool::Postgres(pool) => {
                let query = format!(
                    "UPDATE {table} SET \"remaining\" = \"remaining\" - 1, \
                     \"updatedAt\" = to_timestamp($2 / 1000.0) \
                     WHERE \"id\" = $1 AND \"remaining\" > 0"
                );
                sqlx::query(&query)
                    .bind(&record.id)
                    .bind(now_ms as f64)
                    .execute(pool)
                    .await
                    .map_err(db_error)?
                    .rows_affected()
            }
            Pool::Sqlite(pool) => {
                let query = format!(
                    "UPDATE {table} SET \"remaining\" = \"remaining\" - 1, \"updatedAt\" = {now} \
                     WHERE \"id\" = ?1 AND \"remaining\" > 0",
                    now = sqlite_now(),
                );
                sqlx::query(&query)
                    .bind(&record.id)
                    .bind(0_i64)
                    .bind(now_ms)
                    .bind(iso_millis(now_ms))
                    .execute(pool)
                    .await
                    .map_err(db_error)?
                    .rows_affected()
            }
        };
        Ok(if decremented == 1 {
            Use::Counted
        } else {
            Use::Exhausted
        })
    }
}

/// The lookup by hash on `table`, in `pool`'s dialect: built once per
/// store, not per request.
fn lookup_query(pool: &Pool, table: &TableName) -> Arc<str> {
    match pool {
        Pool::Postgres(_) => {
            let ms = |column: &str| {
                format!(
                    "CASE WHEN isfinite(\"{column}\") THEN \
                 CAST(FLOOR(EXTRACT(EPOCH FROM \"{column}\") * 1000) AS BIGINT) END"
                )
            };
            let query = format!(
                "SELECT CAST(\"id\" AS TEXT), \"key\", CAST(\"referenceId\" AS TEXT), \
             \"configId\", \"enabled\", {expires}, CAST(\"remaining\" AS BIGINT), \
             CAST(\"refillAmount\" AS BIGINT), CAST(\"refillInterval\" AS BIGINT), \
             {last}, CAST({last} AS TEXT), {created}, \"permissions\" \
             FROM {table} WHERE \"key\" = $1",
                expires = ms("expiresAt"),
                last = ms("lastRefillAt"),
                created = ms("createdAt"),
            );
            query.into()
        }
        Pool::Sqlite(_) => {
            let date = |column: &str| {
                format!(
                    "CASE WHEN typeof(\"{column}\") = 'text' THEN \"{column}\" END, \
                 CASE WHEN typeof(\"{column}\") IN ('integer', 'real') \
                 THEN CAST(\"{column}\" AS INTEGER) END"
                )
            };
            let query = format!(
                "SELECT CAST(\"id\" AS TEXT), \"key\", CAST(\"referenceId\" AS TEXT), \
             \"configId\", CASE WHEN \"enabled\" IS NULL THEN NULL \
             WHEN \"enabled\" IN (0, 'false') THEN 0 ELSE 1 END, {expires}, \
             \"remaining\", \"refillAmount\", \"refillInterval\", {last}, \
             CAST(\"lastRefillAt\" AS TEXT), {created}, \"permissions\" \
             FROM {table} WHERE \"key\" = ?1",
                expires = date("expiresAt"),
                last = date("lastRefillAt"),
                created = date("createdAt"),
            );
            query.into()
        }
    }
}

/// Now, in the form the row's `createdAt` has: milliseconds (`?3`) where
/// the adapter stores numbers, else ISO-8601 text (`?4`), as Better Auth's
/// Kysely adapter writes SQLite dates.
fn sqlite_now() -> &'static str {
    "CASE WHEN typeof(\"createdAt\") IN ('integer', 'real') THEN ?3 ELSE ?4 END"
}

/// `2026-12-08T05:44:51.761Z`: JavaScript's `Date.toISOString()` of `ms`
/// milliseconds since the epoch.
pub(crate) fn iso_millis(ms: i64) -> String {
    let at = OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    crate::session::sql_store::iso_millis(at)
}

fn pg_record(row: &PgRow) -> Result<ApiKeyRecord, SessionStoreError> {
    Ok(ApiKeyRecord {
        id: row.try_get(0).map_err(db_error)?,
        hash: row.try_get(1).map_err(db_error)?,
        reference_id: row.try_get(2).map_err(db_error)?,
        config_id: row.try_get(3).map_err(db_error)?,
        enabled: row.try_get(4).map_err(db_error)?,
        expires_at_ms: row.try_get(5).map_err(db_error)?,
        remaining: row.try_get(6).map_err(db_error)?,
        refill_amount: row.try_get(7).map_err(db_error)?,
        refill_interval_ms: row.try_get(8).map_err(db_error)?,
        last_refill_at_ms: row.try_get(9).map_err(db_error)?,
        last_refill_marker: row.try_get(10).map_err(db_error)?,
        created_at_ms: row.try_get(11).map_err(db_error)?,
        permissions: row.try_get(12).map_err(db_error)?,
    })
}

fn sqlite_record(row: &SqliteRow) -> Result<ApiKeyRecord, SessionStoreError> {
    let date = |text: usize| -> Result<Option<i64>, SessionStoreError> {
        let iso: Option<String> = row.try_get(text).map_err(db_error)?;
        let number: Option<i64> = row.try_get(text + 1).map_err(db_error)?;
        Ok(match (iso, number) {
            (Some(iso), _) => Some(
                parse_date(&iso)
                    .map(|at| (at.unix_timestamp_nanos() / 1_000_000) as i64)
                    .ok_or_else(|| SessionStoreError::new("an apikey date is not ISO-8601"))?,
            ),
            (None, Some(number)) if number.unsigned_abs() >= MILLIS_FROM.unsigned_abs() => {
                Some(number)
            }
            (None, Some(seconds)) => Some(seconds.saturating_mul(1000)),
            (None, None) => None,
        })
    };
    let enabled: Option<i64> = row.try_get(4).map_err(db_error)?;
    Ok(ApiKeyRecord {
        id: row.try_get(0).map_err(db_error)?,
        hash: row.try_get(1).map_err(db_error)?,
        reference_id: row.try_get(2).map_err(db_error)?,
        config_id: row.try_get(3).map_err(db_error)?,
        enabled: enabled.map(|n| n != 0),
        expires_at_ms: date(5)?,
        remaining: row.try_get(7).map_err(db_error)?,
        refill_amount: row.try_get(8).map_err(db_error)?,
        refill_interval_ms: row.try_get(9).map_err(db_error)?,
        last_refill_at_ms: date(10)?,
        last_refill_marker: row.try_get(12).map_err(db_error)?,
        created_at_ms: date(13)?,
        permissions: row.try_get(15).map_err(db_error)?,
    })
}

/// sqlx's errors name the failure and the column, never bound values.
fn db_error(error: sqlx::Error) -> SessionStoreError {
    SessionStoreError::new(format!("API key lookup in the database failed: {error}"))
}
