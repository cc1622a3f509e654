//! [`SqlSessionStore`] (feature `session-sql`): sessions read straight from
//! Better Auth's database, PostgreSQL or SQLite, with sqlx.
//!
//! # Which store to pick
//!
//! - **[`HttpSessionStore`](crate::HttpSessionStore)** (feature
//!   `session-http`) costs one HTTP round trip to the Next.js app per cache
//!   miss and needs nothing but the app's URL; it sees revocations at the
//!   next miss and every user field Better Auth returns, and fails while the
//!   app is down.
//! - **`SqlSessionStore`** (this one) costs one indexed query per miss
//!   (`session.token` is unique, hence indexed) and needs read access to
//!   Better Auth's database. It keeps working while the Next.js app is down,
//!   and sees revocations at the next miss too (sign-out deletes the row).
//!   It reads the core user columns, `id`, `name`, `email`, `emailVerified`
//!   and `image`, the admin plugin's `banned` and `banExpires` when the
//!   user table has them, the session's `activeOrganizationId`,
//!   `activeTeamId` and `impersonatedBy` when the session table has them,
//!   and the member's role in the active organization (`memberRole`) when
//!   the organization plugin's `member` table is there ([`SqlSessionStore`]
//!   says how).
//!
//! Both sit behind the verifier's cache, so a session is looked up at most
//! once per [`DEFAULT_SESSION_CACHE_TTL`](crate::limits::DEFAULT_SESSION_CACHE_TTL).
//!
//! The tables are Better Auth's own (its Kysely adapter, `npx @better-auth/cli
//! migrate`): `"session"` and `"user"` with camelCase columns. Expired
//! sessions that Better Auth has not deleted yet are returned with their
//! past `expiresAt`; the verifier refuses them.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use serde_json::{Map, Value};
use sqlx::Row;
use sqlx::postgres::{PgPool, PgRow};
use sqlx::sqlite::{SqlitePool, SqliteRow};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::session::store::{
    SessionLookup, SessionRecord, SessionStore, SessionStoreError, SessionToken,
};

/// How long a [`SqlSessionStore`] that found some of the plugins' optional
/// columns missing (the admin plugin's `banned`, `banExpires` and
/// `impersonatedBy`, the organization plugin's `activeOrganizationId`,
/// `activeTeamId` and `member` table) waits before it looks again.
///
/// ```
/// assert_eq!(jwtguard::limits::BAN_COLUMNS_RECHECK.as_secs(), 60);
/// ```
pub const BAN_COLUMNS_RECHECK: Duration = Duration::from_secs(60);

/// A [`SessionStore`] reading Better Auth's `session` and `user` tables.
///
/// Give it the pool your service already has, with a short
/// `acquire_timeout` (a lookup waits that long for a connection when the
/// database is overloaded, and the request with it). The statement is
/// prepared once per connection (sqlx caches it). `Debug` shows the database
/// kind and table names, never the pool's connection options.
///
/// ```no_run
/// use jwtguard::SqlSessionStore;
///
/// # async fn f() -> Result<(), Box<dyn std::error::Error>> {
/// let pool = sqlx::postgres::PgPoolOptions::new()
///     .acquire_timeout(std::time::Duration::from_secs(2))
///     .connect("postgres://app@localhost/app")
///     .await?;
/// let store = SqlSessionStore::postgres(pool);
/// # Ok(()) }
/// ```
///
/// # The admin plugin's bans
///
/// The admin plugin adds `banned` and `banExpires` to the user table; a
/// database without the plugin has neither, and the lookup works the same.
/// The store looks for them in the user table at its first lookup, and
/// reads those it found from then on, into the user's fields as
/// `get-session` returns them (`"banned": true`, `"banExpires":
/// "2026-12-08T05:44:51.761Z"` or `null`), so that
/// [`ClaimGuard::not_banned`](crate::ClaimGuard::not_banned) sees them.
/// While they are missing it looks again at most once per
/// [`BAN_COLUMNS_RECHECK`](crate::limits::BAN_COLUMNS_RECHECK), so a
/// migration that adds the plugin takes effect without a restart; after a
/// failed lookup (a column or table that went away) it looks again at the
/// next one. Other user columns (`role`, `banReason`, your own) are not
/// read: use [`HttpSessionStore`](crate::HttpSessionStore) for those.
///
/// # The organization plugin
///
/// The session's own optional columns, `activeOrganizationId`,
/// `activeTeamId` (the organization plugin, teams enabled) and
/// `impersonatedBy` (the admin plugin), are read when the session table has
/// them, as [`Claims::active_organization_id`](crate::Claims::active_organization_id),
/// [`Claims::active_team_id`](crate::Claims::active_team_id) and
/// [`Claims::impersonated_by`](crate::Claims::impersonated_by) (a `null`
/// column is no claim). When the session table has `activeOrganizationId`
/// and the organization plugin's member table (`"member"`, see
/// [`member_table`](Self::member_table)) has `organizationId`, `userId`
/// and `role`, the same query also reads the `role` of the session user's
/// member row in the active organization, as stored (`"admin,member"`), into
/// the claim `memberRole` ([`Claims::member_role`](crate::Claims::member_role),
/// checked by [`ClaimGuard::member_permission`](crate::ClaimGuard::member_permission)).
/// No active organization, or no member row for it, is no `memberRole`. The
/// role is cached with the session, so a role change takes effect within
/// the session cache's TTL. These columns are looked for, and looked for
/// again while some are missing, as the ban columns are.
///
/// # Dates
///
/// `session.expiresAt` and `user.banExpires` are read as the instants they are:
///
/// - PostgreSQL `timestamptz` (Better Auth's own migrations): as stored.
/// - PostgreSQL `timestamp` **without time zone** (what Prisma's `DateTime`
///   and Drizzle's `timestamp()` create): as **UTC**, whatever the server's
///   or the connection's `TimeZone`: Better Auth's Prisma and Drizzle
///   adapters write UTC there. A column of that type filled with local
///   times (node-postgres writes a JavaScript `Date` in the Node process's
///   zone, so Kysely from a process whose `TZ` is not UTC) is read off by
///   that zone's offset: make it `timestamptz`.
/// - SQLite ISO-8601 text (Better Auth's Kysely adapter), with its offset,
///   or SQLite's own `2026-12-08 05:44:51` form, as UTC; or numbers
///   (Drizzle's `timestamp_ms`), milliseconds or seconds since the epoch.
#[derive(Clone)]
pub struct SqlSessionStore {
    pool: Pool,
    session_table: TableName,
    user_table: TableName,
    member_table: TableName,
    /// The plugins' optional columns as last found, shared by clones.
    optional_columns: Arc<Mutex<Option<Detected>>>,
}

#[derive(Clone)]
pub(crate) enum Pool {
    Postgres(PgPool),
    Sqlite(SqlitePool),
}

impl Pool {
    /// The database's name, for `Debug` (the pool's options may hold a password).
    pub(crate) fn dialect(&self) -> &'static str {
        match self {
            Self::Postgres(_) => "postgres",
            Self::Sqlite(_) => "sqlite",
        }
    }
}

/// Which of the plugins' optional columns the tables have.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct OptionalColumns {
    /// `user.banned` (admin plugin).
    banned: bool,
    /// `user.banExpires` (admin plugin).
    ban_expires: bool,
    /// `session.activeOrganizationId` (organization plugin).
    active_organization_id: bool,
    /// `session.activeTeamId` (organization plugin, teams).
    active_team_id: bool,
    /// `session.impersonatedBy` (admin plugin).
    impersonated_by: bool,
    /// The member table with `organizationId`, `userId` and `role`.
    member: bool,
}

impl OptionalColumns {
    /// Every one found: nothing left to look for.
    const ALL: Self = Self {
        banned: true,
        ban_expires: true,
        active_organization_id: true,
        active_team_id: true,
        impersonated_by: true,
        member: true,
    };
}

/// The session's optional columns, read as the claims of the same names.
const SESSION_COLUMNS: [&str; 3] = ["activeOrganizationId", "activeTeamId", "impersonatedBy"];

/// The optional columns found at `at`, and the lookup statement that reads
/// them.
struct Detected {
    columns: OptionalColumns,
    query: Arc<str>,
    at: Instant,
}

impl fmt::Debug for SqlSessionStore {
    /// The pool's connect options may hold a password: not shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqlSessionStore")
            .field("database", &self.pool.dialect())
            // As they appear in the SQL, without Debug's escaping of quotes.
            .field("session_table", &format_args!("{}", self.session_table))
            .field("user_table", &format_args!("{}", self.user_table))
            .field("member_table", &format_args!("{}", self.member_table))
            .finish()
    }
}

impl SqlSessionStore {
    /// A store reading Better Auth's PostgreSQL database through `pool`.
    ///
    /// ```no_run
    /// # async fn f() -> Result<(), sqlx::Error> {
    /// let pool = sqlx::PgPool::connect("postgres://app@localhost/app").await?;
    /// let store = jwtguard::SqlSessionStore::postgres(pool);
    /// # Ok(()) }
    /// ```
    pub fn postgres(pool: PgPool) -> Self {
        Self::with_pool(Pool::Postgres(pool))
    }

    /// A store reading Better Auth's SQLite database through `pool`.
    ///
    /// ```no_run
    /// # async fn f() -> Result<(), sqlx::Error> {
    /// let pool = sqlx::SqlitePool::connect("sqlite://auth.db?mode=ro").await?;
    /// let store = jwtguard::SqlSessionStore::sqlite(pool);
    /// # Ok(()) }
    /// ```
    pub fn sqlite(pool: SqlitePool) -> Self {
        Self::with_pool(Pool::Sqlite(pool))
    }

    fn with_pool(pool: Pool) -> Self {
        Self {
            pool,
            session_table: TableName::plain("session"),
            user_table: TableName::plain("user"),
            member_table: TableName::plain("member"),
            optional_columns: Arc::default(),
        }
    }

    /// The session table, when Better Auth's `session.modelName` renames it
    /// (`"sessions"`), optionally schema-qualified (`"auth.session"`). Names
    /// are letters, digits and `_`, not starting with a digit; anything else
    /// is refused, since the name goes into the SQL.
    ///
    /// ```no_run
    /// # async fn f(pool: sqlx::PgPool) -> Result<(), jwtguard::SessionStoreError> {
    /// let store = jwtguard::SqlSessionStore::postgres(pool).session_table("auth.sessions")?;
    /// # Ok(()) }
    /// ```
    pub fn session_table(mut self, name: &str) -> Result<Self, SessionStoreError> {
        self.session_table = TableName::parse(name)?;
        self.optional_columns = Arc::default();
        Ok(self)
    }

    /// The user table, when Better Auth's `user.modelName` renames it; the
    /// same rules as [`session_table`](Self::session_table).
    ///
    /// ```no_run
    /// # async fn f(pool: sqlx::PgPool) -> Result<(), jwtguard::SessionStoreError> {
    /// let store = jwtguard::SqlSessionStore::postgres(pool).user_table("users")?;
    /// # Ok(()) }
    /// ```
    pub fn user_table(mut self, name: &str) -> Result<Self, SessionStoreError> {
        self.user_table = TableName::parse(name)?;
        self.optional_columns = Arc::default();
        Ok(self)
    }

    /// The organization plugin's member table, when its `member.modelName`
    /// renames it; the same rules as [`session_table`](Self::session_table).
    /// Its `memberRole` is read only when this table has `organizationId`,
    /// `userId` and `role` and the session table has `activeOrganizationId`.
    ///
    /// ```no_run
    /// # async fn f(pool: sqlx::PgPool) -> Result<(), jwtguard::SessionStoreError> {
    /// let store = jwtguard::SqlSessionStore::postgres(pool).member_table("auth.members")?;
    /// # Ok(()) }
    /// ```
    pub fn member_table(mut self, name: &str) -> Result<Self, SessionStoreError> {
        self.member_table = TableName::parse(name)?;
        self.optional_columns = Arc::default();
        Ok(self)
    }

    /// The lookup statement for the optional columns the tables have: as
    /// found before, unless some were missing and [`BAN_COLUMNS_RECHECK`]
    /// has passed since.
    async fn lookup_query(&self) -> Result<Arc<str>, SessionStoreError> {
        {
            let detected = self
                .optional_columns
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if let Some(detected) = detected.as_ref() {
                let found = detected.columns == OptionalColumns::ALL;
                if found || detected.at.elapsed() < BAN_COLUMNS_RECHECK {
                    return Ok(detected.query.clone());
                }
            }
        }
        // Concurrent first lookups may each look: the answers agree.
        let columns = self.find_optional_columns().await?;
        let query: Arc<str> = self.build_query(columns).into();
        *self
            .optional_columns
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(Detected {
            columns,
            query: query.clone(),
            at: Instant::now(),
        });
        Ok(query)
    }

    /// A failed lookup's error. When the database says a table or column
    /// is missing (a migration ran), the columns found are forgotten and
    /// the next lookup looks again; any other failure (a pool timeout, a
    /// database under load) keeps them, rather than add three catalogue
    /// queries to every lookup while it lasts.
    fn failed(&self, error: sqlx::Error) -> SessionStoreError {
        if schema_changed(&error) {
            self.forget_optional_columns();
        }
        db_error(error)
    }

    /// Forgets the columns found, so that the next lookup looks again.
    fn forget_optional_columns(&self) {
        *self
            .optional_columns
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = None;
    }

    /// Which optional columns the tables have, each table's name resolved
    /// as the lookup resolves it (PostgreSQL's `search_path`, SQLite's
    /// attached databases). A table that does not exist has none; the
    /// lookup then fails on its own (the user and session tables) or goes
    /// without (the member table).
    async fn find_optional_columns(&self) -> Result<OptionalColumns, SessionStoreError> {
        let user = self
            .table_columns(&self.user_table, &["banned", "banExpires"])
            .await?;
        let session = self
            .table_columns(&self.session_table, &SESSION_COLUMNS)
            .await?;
        let member = self
            .table_columns(&self.member_table, &["organizationId", "userId", "role"])
            .await?;
        let has = |names: &[String], name: &str| names.iter().any(|found| found == name);
        Ok(OptionalColumns {
            banned: has(&user, "banned"),
            ban_expires: has(&user, "banExpires"),
            active_organization_id: has(&session, "activeOrganizationId"),
            active_team_id: has(&session, "activeTeamId"),
            impersonated_by: has(&session, "impersonatedBy"),
            member: member.len() == 3,
        })
    }

    /// Which of `wanted` the table `table` has.
    async fn table_columns(
        &self,
        table: &TableName,
        wanted: &[&str],
    ) -> Result<Vec<String>, SessionStoreError> {
        // The wanted names are this module's constants, never input.
        let list = wanted
            .iter()
            .map(|name| format!("'{name}'"))
            .collect::<Vec<_>>()
            .join(", ");
        let names: Vec<String> = match &self.pool {
            Pool::Postgres(pool) => sqlx::query_scalar(&format!(
                "SELECT CAST(attname AS TEXT) FROM pg_catalog.pg_attribute \
                 WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped \
                 AND attname IN ({list})"
            ))
            .bind(table.to_string())
            .fetch_all(pool)
            .await
            .map_err(db_error)?,
            Pool::Sqlite(pool) => {
                let query = match &table.schema {
                    Some(_) => {
                        format!("SELECT name FROM pragma_table_info(?1, ?2) WHERE name IN ({list})")
                    }
                    None => {
                        format!("SELECT name FROM pragma_table_info(?1) WHERE name IN ({list})")
                    }
                };
                let query = sqlx::query_scalar(&query).bind(&table.name);
                let query = match &table.schema {
                    Some(schema) => query.bind(schema),
                    None => query,
                };
                query.fetch_all(pool).await.map_err(db_error)?
            }
        };
        Ok(names)
    }

    fn build_query(&self, columns: OptionalColumns) -> String {
        let (session, user) = (&self.session_table, &self.user_table);
        let mut ban = String::new();
        // The session's own columns, and the member's role: the same in
        // both dialects. Ids are cast to text as the others are.
        for (found, name) in [
            (columns.active_organization_id, "activeOrganizationId"),
            (columns.active_team_id, "activeTeamId"),
            (columns.impersonated_by, "impersonatedBy"),
        ] {
            if found {
                ban.push_str(&format!(", CAST(s.\"{name}\" AS TEXT) AS \"{name}\""));
            }
        }
        if columns.active_organization_id && columns.member {
            // A subquery rather than a join: at most one row per session
            // even if the table holds the membership twice (Better Auth's
            // schema does not make it unique; its `findOne` takes any).
            ban.push_str(&format!(
                ", (SELECT CAST(m.\"role\" AS TEXT) FROM {member} AS m \
                 WHERE m.\"organizationId\" = s.\"activeOrganizationId\" \
                 AND m.\"userId\" = s.\"userId\" LIMIT 1) AS \"memberRole\"",
                member = self.member_table
            ));
        }
        // Ids are cast to text so that serial (integer) ids work as well.
        match self.pool {
            // EXTRACT gives numeric (float8 before PostgreSQL 14); as bigint
            // it decodes without sqlx's `time` feature. From `timestamp`
            // (without time zone) it counts as if the value were UTC,
            // whatever the session's TimeZone.
            Pool::Postgres(_) => {
                if columns.banned {
                    ban.push_str(", u.\"banned\" AS \"banned\"");
                }
                if columns.ban_expires {
                    ban.push_str(
                        ", CASE WHEN isfinite(u.\"banExpires\") THEN \
                         CAST(FLOOR(EXTRACT(EPOCH FROM u.\"banExpires\") * 1000) AS BIGINT) \
                         END AS \"banExpiresMs\"",
                    );
                }
                format!(
                    "SELECT CAST(s.\"id\" AS TEXT), CAST(s.\"userId\" AS TEXT), \
                     CAST(FLOOR(EXTRACT(EPOCH FROM s.\"expiresAt\")) AS BIGINT), \
                     CAST(u.\"id\" AS TEXT), u.\"name\", u.\"email\", u.\"emailVerified\", u.\"image\"{ban} \
                     FROM {session} AS s JOIN {user} AS u ON u.\"id\" = s.\"userId\" \
                     WHERE s.\"token\" = $1"
                )
            }
            // Better Auth stores dates as ISO-8601 text; another adapter may
            // have stored numbers, so both forms are selected apart.
            Pool::Sqlite(_) => {
                if columns.banned {
                    // SQLite has no boolean: 0 or 1. Anything but a clear
                    // "not banned" counts as banned.
                    ban.push_str(
                        ", CASE WHEN u.\"banned\" IS NULL THEN NULL \
                         WHEN u.\"banned\" IN (0, 'false') THEN 0 ELSE 1 END AS \"banned\"",
                    );
                }
                if columns.ban_expires {
                    ban.push_str(
                        ", CASE WHEN typeof(u.\"banExpires\") = 'text' THEN u.\"banExpires\" END \
                         AS \"banExpiresText\", \
                         CASE WHEN typeof(u.\"banExpires\") IN ('integer', 'real') \
                         THEN CAST(u.\"banExpires\" AS INTEGER) END AS \"banExpiresNumber\"",
                    );
                }
                format!(
                    "SELECT CAST(s.\"id\" AS TEXT), CAST(s.\"userId\" AS TEXT), \
                     CASE WHEN typeof(s.\"expiresAt\") = 'text' THEN s.\"expiresAt\" END, \
                     CASE WHEN typeof(s.\"expiresAt\") IN ('integer', 'real') \
                          THEN CAST(s.\"expiresAt\" AS INTEGER) END, \
                     CAST(u.\"id\" AS TEXT), u.\"name\", u.\"email\", u.\"emailVerified\", u.\"image\"{ban} \
                     FROM {session} AS s JOIN {user} AS u ON u.\"id\" = s.\"userId\" \
                     WHERE s.\"token\" = ?1"
                )
            }
        }
    }
}

impl SessionStore for SqlSessionStore {
    fn find_session<'a>(&'a self, token: &'a SessionToken<'a>) -> SessionLookup<'a> {
        Box::pin(async move {
            let query = self.lookup_query().await?;
            // The token is a bound parameter: never part of the SQL, nor of
            // sqlx's errors.
            match &self.pool {
                Pool::Postgres(pool) => sqlx::query(&query)
                    .bind(token.token())
                    .fetch_optional(pool)
                    .await
                    .map_err(|error| self.failed(error))
                    .and_then(|row| row.as_ref().map(pg_record).transpose()),
                Pool::Sqlite(pool) => sqlx::query(&query)
                    .bind(token.token())
                    .fetch_optional(pool)
                    .await
                    .map_err(|error| self.failed(error))
                    .and_then(|row| row.as_ref().map(sqlite_record).transpose()),
            }
        })
    }
}

fn pg_record(row: &PgRow) -> Result<SessionRecord, SessionStoreError> {
    let expires_at: i64 = row.try_get(2).map_err(db_error)?;
    let mut ban = Map::new();
    if has_column(row, "banned") {
        let banned: Option<bool> = row.try_get("banned").map_err(db_error)?;
        ban.insert("banned".into(), banned.map_or(Value::Null, Value::Bool));
    }
    if has_column(row, "banExpiresMs") {
        let millis: Option<i64> = row.try_get("banExpiresMs").map_err(db_error)?;
        ban.insert("banExpires".into(), ban_expires(None, millis));
    }
    record(
        UserRow {
            session_id: row.try_get(0).map_err(db_error)?,
            user_id: row.try_get(1).map_err(db_error)?,
            expires_at,
            joined_user_id: row.try_get(3).map_err(db_error)?,
            name: row.try_get(4).map_err(db_error)?,
            email: row.try_get(5).map_err(db_error)?,
            email_verified: row.try_get::<Option<bool>, _>(6).map_err(db_error)?,
            image: row.try_get(7).map_err(db_error)?,
        },
        ban,
        organization_columns(row)?,
    )
}

fn sqlite_record(row: &SqliteRow) -> Result<SessionRecord, SessionStoreError> {
    let text: Option<String> = row.try_get(2).map_err(db_error)?;
    let number: Option<i64> = row.try_get(3).map_err(db_error)?;
    let expires_at = match (text, number) {
        (Some(text), _) => parse_date(&text)
            .map(OffsetDateTime::unix_timestamp)
            .ok_or_else(|| SessionStoreError::new("session.expiresAt is not an ISO-8601 date"))?,
        (None, Some(number)) => number_to_unix(number),
        (None, None) => return Err(SessionStoreError::new("session.expiresAt is null")),
    };
    // SQLite has no boolean: Better Auth stores 0 or 1.
    let email_verified: Option<i64> = row.try_get(7).map_err(db_error)?;
    let mut ban = Map::new();
    if has_column(row, "banned") {
        let banned: Option<i64> = row.try_get("banned").map_err(db_error)?;
        ban.insert(
            "banned".into(),
            banned.map_or(Value::Null, |n| Value::Bool(n != 0)),
        );
    }
    if has_column(row, "banExpiresText") {
        let text: Option<String> = row.try_get("banExpiresText").map_err(db_error)?;
        let number: Option<i64> = row.try_get("banExpiresNumber").map_err(db_error)?;
        let millis = number.map(|number| {
            if number.unsigned_abs() >= MILLIS_FROM.unsigned_abs() {
                number
            } else {
                number.saturating_mul(1000)
            }
        });
        ban.insert("banExpires".into(), ban_expires(text, millis));
    }
    record(
        UserRow {
            session_id: row.try_get(0).map_err(db_error)?,
            user_id: row.try_get(1).map_err(db_error)?,
            expires_at,
            joined_user_id: row.try_get(4).map_err(db_error)?,
            name: row.try_get(5).map_err(db_error)?,
            email: row.try_get(6).map_err(db_error)?,
            email_verified: email_verified.map(|n| n != 0),
            image: row.try_get(8).map_err(db_error)?,
        },
        ban,
        organization_columns(row)?,
    )
}

/// The session's optional columns the lookup selected, and `memberRole`,
/// each a text or `NULL` in both dialects.
fn organization_columns<R>(row: &R) -> Result<Map<String, Value>, SessionStoreError>
where
    R: Row,
    String: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'n> &'n str: sqlx::ColumnIndex<R>,
{
    let mut columns = Map::new();
    for name in SESSION_COLUMNS.into_iter().chain(["memberRole"]) {
        if has_column(row, name) {
            let value: Option<String> = row.try_get(name).map_err(db_error)?;
            if let Some(value) = value {
                columns.insert(name.into(), Value::String(value));
            }
        }
    }
    Ok(columns)
}

/// Whether the lookup selected a column of that name.
fn has_column(row: &impl Row, name: &str) -> bool {
    use sqlx::Column as _;
    row.columns().iter().any(|column| column.name() == name)
}

/// `banExpires` as `get-session` returns it: the ISO-8601 form JavaScript's
/// `Date` has (`2026-12-08T05:44:51.761Z`), or `null`. Text that is no
/// date is passed on as it is: like Better Auth, the guard then reads the
/// ban as in force.
fn ban_expires(text: Option<String>, millis: Option<i64>) -> Value {
    let at = match (text, millis) {
        (Some(text), _) => match parse_date(&text) {
            Some(at) => at,
            None => return Value::String(text),
        },
        (None, Some(millis)) => {
            match OffsetDateTime::from_unix_timestamp_nanos(i128::from(millis) * 1_000_000) {
                Ok(at) => at,
                // Beyond the year 9999: no ISO form; a ban without an end.
                Err(_) => return Value::Null,
            }
        }
        (None, None) => return Value::Null,
    };
    Value::String(iso_millis(at))
}

/// `at` in UTC as JavaScript's `Date.prototype.toISOString` writes it.
pub(crate) fn iso_millis(at: OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second(),
        at.millisecond()
    )
}

/// The core columns of one lookup's row.
struct UserRow {
    session_id: String,
    user_id: String,
    expires_at: i64,
    joined_user_id: String,
    name: Option<String>,
    email: Option<String>,
    email_verified: Option<bool>,
    image: Option<String>,
}

/// The record, with the user's columns as `get-session` names them, the
/// admin plugin's `ban` fields, if read, and the session's optional columns
/// and the member's role (`organization`), if read and not null.
fn record(
    row: UserRow,
    ban: Map<String, Value>,
    mut organization: Map<String, Value>,
) -> Result<SessionRecord, SessionStoreError> {
    // The join guarantees this; checked as the HTTP store checks its answer.
    if row.joined_user_id != row.user_id {
        return Err(SessionStoreError::new(
            "user.id differs from session.userId",
        ));
    }
    let mut user = Map::new();
    user.insert("id".into(), Value::String(row.joined_user_id));
    user.insert("name".into(), row.name.map_or(Value::Null, Value::String));
    user.insert("email".into(), row.email.map_or(Value::Null, Value::String));
    user.insert(
        "emailVerified".into(),
        row.email_verified.map_or(Value::Null, Value::Bool),
    );
    // As get-session: `image` is there, null when unset.
    user.insert("image".into(), row.image.map_or(Value::Null, Value::String));
    user.extend(ban);
    // Not a session field of Better Auth's: a claim of the session all the
    // same, beside the user's fields.
    if let Some(role) = organization.remove("memberRole") {
        user.insert("memberRole".into(), role);
    }
    Ok(
        SessionRecord::new(row.session_id, row.user_id, row.expires_at)
            .user_fields(user)
            .session_fields(&organization),
    )
}

/// An ISO-8601 date as Better Auth writes it (`2026-12-08T05:44:51.761Z`),
/// or SQLite's own `2026-12-08 05:44:51[.761]` (UTC).
pub(crate) fn parse_date(text: &str) -> Option<OffsetDateTime> {
    if let Ok(at) = OffsetDateTime::parse(text, &Rfc3339) {
        return Some(at);
    }
    // SQLite's datetime(): a space for the `T`, no offset (it is UTC).
    let is_sqlite_form = text.len() >= 19
        && text.as_bytes().get(10) == Some(&b' ')
        && !text.ends_with('Z')
        && !text[10..].contains(['+', '-']);
    if !is_sqlite_form {
        return None;
    }
    let iso = format!("{}T{}Z", &text[..10], &text[11..]);
    OffsetDateTime::parse(&iso, &Rfc3339).ok()
}

/// Where numbers stop being seconds and start being milliseconds: any date
/// in seconds until the year 5138 is below 1e11, and any in milliseconds
/// after March 1973 above it.
pub(crate) const MILLIS_FROM: i64 = 100_000_000_000;

/// A date stored as a number, milliseconds (JavaScript's `Date.getTime()`)
/// or seconds ([`MILLIS_FROM`]), in unix seconds.
fn number_to_unix(number: i64) -> i64 {
    if number.unsigned_abs() >= MILLIS_FROM.unsigned_abs() {
        number.div_euclid(1000)
    } else {
        number
    }
}

/// A table's name, optionally schema-qualified, each part checked; shown
/// double-quoted, as it goes into the SQL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TableName {
    schema: Option<String>,
    name: String,
}

impl TableName {
    pub(crate) fn plain(name: &str) -> Self {
        Self {
            schema: None,
            name: name.to_owned(),
        }
    }

    /// `name` or `schema.name`.
    pub(crate) fn parse(name: &str) -> Result<Self, SessionStoreError> {
        let mut parts = name.split('.');
        let (first, second, rest) = (parts.next(), parts.next(), parts.next());
        match (first, second, rest) {
            (Some(table), None, None) if is_identifier(table) => Ok(Self::plain(table)),
            (Some(schema), Some(table), None) if is_identifier(schema) && is_identifier(table) => {
                Ok(Self {
                    schema: Some(schema.to_owned()),
                    name: table.to_owned(),
                })
            }
            _ => Err(SessionStoreError::new(
                "a table name is `name` or `schema.name`, each of ASCII letters, digits and `_`, \
                 not starting with a digit, at most 63 bytes",
            )),
        }
    }
}

impl fmt::Display for TableName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The parts are identifiers: nothing in them ends the quoting.
        if let Some(schema) = &self.schema {
            write!(f, "\"{schema}\".")?;
        }
        write!(f, "\"{}\"", self.name)
    }
}

/// `[A-Za-z_][A-Za-z0-9_]*`, at most PostgreSQL's 63 bytes: nothing that
/// could end the quoting.
fn is_identifier(name: &str) -> bool {
    let mut bytes = name.bytes();
    bytes
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && name.len() <= 63
}

/// sqlx's errors name the failure and the column, never bound values.
/// Whether `error` says a table or column the query names is missing:
/// PostgreSQL's `undefined_column` and `undefined_table`, SQLite's "no such
/// column" and "no such table".
fn schema_changed(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Database(database) => {
            matches!(database.code().as_deref(), Some("42703" | "42P01"))
                || database.message().starts_with("no such column")
                || database.message().starts_with("no such table")
        }
        sqlx::Error::ColumnNotFound(_) => true,
        _ => false,
    }
}

fn db_error(error: sqlx::Error) -> SessionStoreError {
    SessionStoreError::new(format!("session lookup in the database failed: {error}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::sqlite::SqlitePoolOptions;
    use std::future::Future;
    use std::pin::Pin;

    const TOKEN: &str = "yPEqljFCef9Y3wpZF2g0EwLInryUqAQ0";

    /// Better Auth 1.7.25's SQLite DDL (`getMigrations`, Kysely), verbatim.
    const SQLITE_DDL: [&str; 2] = [
        r#"create table "user" ("id" text not null primary key, "name" text not null, "email" text not null unique, "emailVerified" integer not null, "image" text, "createdAt" date not null, "updatedAt" date not null)"#,
        r#"create table "session" ("id" text not null primary key, "expiresAt" date not null, "token" text not null unique, "createdAt" date not null, "updatedAt" date not null, "ipAddress" text, "userAgent" text, "userId" text not null references "user" ("id") on delete cascade)"#,
    ];

    /// The PostgreSQL DDL, with `{s}` for the schema the test owns.
    const POSTGRES_DDL: [&str; 2] = [
        r#"create table {s}."user" ("id" text not null primary key, "name" text not null, "email" text not null unique, "emailVerified" boolean not null, "image" text, "createdAt" timestamptz default CURRENT_TIMESTAMP not null, "updatedAt" timestamptz default CURRENT_TIMESTAMP not null)"#,
        r#"create table {s}."session" ("id" text not null primary key, "expiresAt" timestamptz not null, "token" text not null unique, "createdAt" timestamptz default CURRENT_TIMESTAMP not null, "updatedAt" timestamptz not null, "ipAddress" text, "userAgent" text, "userId" text not null references {s}."user" ("id") on delete cascade)"#,
    ];

    async fn find(
        store: &SqlSessionStore,
        token: &str,
    ) -> Result<Option<SessionRecord>, SessionStoreError> {
        let token = SessionToken::for_test(token, "unused.signature");
        store.find_session(&token).await
    }

    fn payload(record: &SessionRecord) -> Value {
        serde_json::from_slice(&record.to_payload()).unwrap()
    }

    async fn sqlite_pool() -> SqlitePool {
        // One connection: each in-memory connection is a database of its own.
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect("sqlite::memory:")
            .await
            .unwrap();
        for ddl in SQLITE_DDL {
            sqlx::query(ddl).execute(&pool).await.unwrap();
        }
        let now = "2026-12-01T05:44:51.761Z";
        sqlx::query(
            r#"insert into "user" ("id","name","email","emailVerified","image","createdAt","updatedAt")
               values ('user-1','Ada Lovelace','ada@example.com',1,null,?1,?1),
                      ('user-2','Bob','bob@example.com',0,'https://example.com/b.png',?1,?1)"#,
        )
        .bind(now)
        .execute(&pool)
        .await
        .unwrap();
        let sessions: [(&str, &str, Value, &str); 4] = [
            ("sess-1", TOKEN, "2026-12-08T05:44:51.761Z".into(), "user-1"),
            (
                "sess-2",
                "expired-token",
                "2020-01-01T00:00:00.000Z".into(),
                "user-2",
            ),
            (
                "sess-3",
                "millis-token",
                1_796_708_691_761_i64.into(),
                "user-1",
            ),
            (
                "sess-4",
                "sqlite-form-token",
                "2026-12-08 05:44:51".into(),
                "user-1",
            ),
        ];
        for (id, token, expires, user) in sessions {
            let insert = sqlx::query(
                r#"insert into "session" ("id","expiresAt","token","createdAt","updatedAt","ipAddress","userAgent","userId")
                   values (?1, ?2, ?3, ?4, ?4, '', '', ?5)"#,
            )
            .bind(id);
            let insert = match expires {
                Value::String(text) => insert.bind(text),
                other => insert.bind(other.as_i64().unwrap()),
            };
            insert
                .bind(token)
                .bind(now)
                .bind(user)
                .execute(&pool)
                .await
                .unwrap();
        }
        pool
    }

    #[tokio::test]
    async fn sqlite_finds_a_session_with_its_user() {
        let store = SqlSessionStore::sqlite(sqlite_pool().await);
        let record = find(&store, TOKEN).await.unwrap().expect("a session");
        assert_eq!(record.session_id(), "sess-1");
        assert_eq!(record.user_id(), "user-1");
        assert_eq!(record.expires_at_unix(), 1_796_708_691);
        let claims = payload(&record);
        assert_eq!(claims["email"], "ada@example.com");
        assert_eq!(claims["name"], "Ada Lovelace");
        assert_eq!(claims["emailVerified"], true);
        assert_eq!(claims["image"], Value::Null);
        assert_eq!(claims["id"], "user-1");
        assert_eq!(claims["sub"], "user-1");
        assert_eq!(claims["sid"], "sess-1");

        // Twice on the same connection: the prepared statement is reused.
        assert!(find(&store, TOKEN).await.unwrap().is_some());
    }

    #[tokio::test]
    async fn sqlite_unknown_token_is_none_and_expired_sessions_come_back_as_they_are() {
        let store = SqlSessionStore::sqlite(sqlite_pool().await);
        assert!(find(&store, "no-such-token").await.unwrap().is_none());
        assert!(find(&store, "").await.unwrap().is_none());
        assert!(find(&store, "' OR 1=1 --").await.unwrap().is_none());

        let expired = find(&store, "expired-token")
            .await
            .unwrap()
            .expect("returned");
        assert_eq!(expired.expires_at_unix(), 1_577_836_800);
        let claims = payload(&expired);
        assert_eq!(claims["emailVerified"], false);
        assert_eq!(claims["image"], "https://example.com/b.png");
    }

    #[tokio::test]
    async fn sqlite_dates_stored_as_milliseconds_or_sqlite_text_are_read() {
        let store = SqlSessionStore::sqlite(sqlite_pool().await);
        let millis = find(&store, "millis-token").await.unwrap().unwrap();
        assert_eq!(millis.expires_at_unix(), 1_796_708_691);
        let text = find(&store, "sqlite-form-token").await.unwrap().unwrap();
        assert_eq!(text.expires_at_unix(), 1_796_708_691);
    }

    #[tokio::test]
    async fn sqlite_renamed_tables_and_a_broken_schema() {
        let pool = sqlite_pool().await;
        sqlx::query(r#"alter table "session" rename to "sessions""#)
            .execute(&pool)
            .await
            .unwrap();
        let default = SqlSessionStore::sqlite(pool.clone());
        let err = find(&default, TOKEN).await.unwrap_err().to_string();
        assert!(err.contains("no such table"), "{err}");
        assert!(!err.contains(TOKEN), "{err}");

        let renamed = SqlSessionStore::sqlite(pool.clone())
            .session_table("sessions")
            .unwrap();
        assert!(find(&renamed, TOKEN).await.unwrap().is_some());
        let qualified = SqlSessionStore::sqlite(pool.clone())
            .session_table("main.sessions")
            .unwrap()
            .user_table("main.user")
            .unwrap();
        assert!(find(&qualified, TOKEN).await.unwrap().is_some());

        // A date that is no date is an error, not a session.
        sqlx::query(r#"update "sessions" set "expiresAt" = 'soon' where "token" = ?1"#)
            .bind(TOKEN)
            .execute(&pool)
            .await
            .unwrap();
        let err = find(&renamed, TOKEN).await.unwrap_err().to_string();
        assert!(err.contains("ISO-8601"), "{err}");
    }

    /// Better Auth 1.7.25's admin plugin migration for SQLite (`getMigrations`).
    const SQLITE_ADMIN_DDL: [&str; 4] = [
        r#"alter table "user" add column "role" text"#,
        r#"alter table "user" add column "banned" integer"#,
        r#"alter table "user" add column "banReason" text"#,
        r#"alter table "user" add column "banExpires" date"#,
    ];

    async fn add_admin_plugin(pool: &SqlitePool) {
        for ddl in SQLITE_ADMIN_DDL {
            sqlx::query(ddl).execute(pool).await.unwrap();
        }
    }

    async fn ban(pool: &SqlitePool, user: &str, banned: Value, expires: Value) {
        let update =
            sqlx::query(r#"update "user" set "banned" = ?1, "banExpires" = ?2 where "id" = ?3"#);
        let update = match banned {
            Value::Null => update.bind(None::<i64>),
            other => update.bind(other.as_i64().unwrap()),
        };
        let update = match expires {
            Value::Null => update.bind(None::<String>),
            Value::String(text) => update.bind(text),
            other => update.bind(other.as_i64().unwrap()),
        };
        update.bind(user).execute(pool).await.unwrap();
    }

    #[tokio::test]
    async fn sqlite_without_the_admin_plugin_the_claims_have_no_ban_fields() {
        let store = SqlSessionStore::sqlite(sqlite_pool().await);
        let claims = payload(&find(&store, TOKEN).await.unwrap().unwrap());
        assert!(claims.get("banned").is_none(), "{claims}");
        assert!(claims.get("banExpires").is_none(), "{claims}");
    }

    #[tokio::test]
    async fn sqlite_reads_banned_and_ban_expires_as_get_session_returns_them() {
        let pool = sqlite_pool().await;
        add_admin_plugin(&pool).await;
        let store = SqlSessionStore::sqlite(pool.clone());
        // Users from before the plugin: both null, as Better Auth returns them.
        let claims = payload(&find(&store, TOKEN).await.unwrap().unwrap());
        assert_eq!(claims["banned"], Value::Null);
        assert_eq!(claims["banExpires"], Value::Null);

        for (banned, expires, want_banned, want_expires) in [
            (
                1.into(),
                "2026-12-08T05:44:51.761Z".into(),
                true,
                "2026-12-08T05:44:51.761Z",
            ),
            (
                1.into(),
                "2026-12-08T06:44:51.761+01:00".into(),
                true,
                "2026-12-08T05:44:51.761Z",
            ),
            (
                1.into(),
                "2026-12-08 05:44:51".into(),
                true,
                "2026-12-08T05:44:51.000Z",
            ),
            // Drizzle's `timestamp_ms`, and seconds.
            (
                1.into(),
                1_796_708_691_761_i64.into(),
                true,
                "2026-12-08T05:44:51.761Z",
            ),
            (
                1.into(),
                1_796_708_691_i64.into(),
                true,
                "2026-12-08T05:44:51.000Z",
            ),
            (0.into(), Value::Null, false, ""),
        ] {
            ban(&pool, "user-1", banned, expires.clone()).await;
            let claims = payload(&find(&store, TOKEN).await.unwrap().unwrap());
            assert_eq!(claims["banned"], want_banned, "{expires}");
            if want_expires.is_empty() {
                assert_eq!(claims["banExpires"], Value::Null);
            } else {
                assert_eq!(claims["banExpires"], want_expires, "{expires}");
            }
        }
        // An end that is no date is passed on: the guard keeps such a ban.
        ban(&pool, "user-1", 1.into(), "soon".into()).await;
        let claims = payload(&find(&store, TOKEN).await.unwrap().unwrap());
        assert_eq!(
            (&claims["banned"], &claims["banExpires"]),
            (&true.into(), &"soon".into())
        );
    }

    #[tokio::test]
    async fn sqlite_admin_columns_added_later_are_read_after_the_recheck_interval() {
        let pool = sqlite_pool().await;
        let store = SqlSessionStore::sqlite(pool.clone());
        assert!(
            payload(&find(&store, TOKEN).await.unwrap().unwrap())
                .get("banned")
                .is_none()
        );
        add_admin_plugin(&pool).await;
        ban(&pool, "user-1", 1.into(), Value::Null).await;
        // Within the interval the store does not look again.
        assert!(
            payload(&find(&store, TOKEN).await.unwrap().unwrap())
                .get("banned")
                .is_none()
        );
        // A clone shares what was found, and when.
        let clone = store.clone();
        if let Some(detected) = clone.optional_columns.lock().unwrap().as_mut() {
            detected.at = Instant::now()
                .checked_sub(BAN_COLUMNS_RECHECK)
                .expect("the machine has been up for a minute");
        }
        assert_eq!(
            payload(&find(&store, TOKEN).await.unwrap().unwrap())["banned"],
            true
        );
    }

    #[tokio::test]
    async fn a_failure_that_is_no_schema_change_keeps_the_columns_found() {
        assert!(!schema_changed(&sqlx::Error::PoolTimedOut));
        assert!(!schema_changed(&sqlx::Error::RowNotFound));
        let pool = sqlite_pool().await;
        add_admin_plugin(&pool).await;
        let store = SqlSessionStore::sqlite(pool.clone());
        find(&store, TOKEN).await.unwrap();
        pool.close().await;
        assert!(find(&store, TOKEN).await.is_err());
        let kept = store.optional_columns.lock().unwrap();
        assert!(kept.is_some(), "a closed pool is no schema change");
    }

    #[tokio::test]
    async fn sqlite_a_dropped_ban_column_fails_one_lookup_then_is_no_longer_read() {
        let pool = sqlite_pool().await;
        add_admin_plugin(&pool).await;
        ban(&pool, "user-1", 1.into(), "2999-01-01T00:00:00.000Z".into()).await;
        let store = SqlSessionStore::sqlite(pool.clone());
        assert_eq!(
            payload(&find(&store, TOKEN).await.unwrap().unwrap())["banned"],
            true
        );
        sqlx::query(r#"alter table "user" drop column "banExpires""#)
            .execute(&pool)
            .await
            .unwrap();
        let err = find(&store, TOKEN).await.unwrap_err().to_string();
        assert!(err.contains("banExpires"), "{err}");
        let claims = payload(&find(&store, TOKEN).await.unwrap().unwrap());
        assert_eq!(claims["banned"], true);
        assert!(claims.get("banExpires").is_none(), "{claims}");
    }

    /// Better Auth 1.7.25's organization plugin tables for SQLite (teams
    /// enabled), in the form its Kysely migration writes them, and the admin
    /// plugin's session column.
    const SQLITE_ORGANIZATION_DDL: [&str; 8] = [
        r#"alter table "session" add column "activeOrganizationId" text"#,
        r#"alter table "session" add column "activeTeamId" text"#,
        r#"alter table "session" add column "impersonatedBy" text"#,
        r#"create table "organization" ("id" text not null primary key, "name" text not null, "slug" text not null unique, "logo" text, "createdAt" date not null, "metadata" text)"#,
        r#"create table "team" ("id" text not null primary key, "name" text not null, "organizationId" text not null references "organization" ("id") on delete cascade, "createdAt" date not null, "updatedAt" date)"#,
        r#"create table "member" ("id" text not null primary key, "organizationId" text not null references "organization" ("id") on delete cascade, "userId" text not null references "user" ("id") on delete cascade, "role" text not null, "createdAt" date not null)"#,
        r#"create index "member_organizationId_idx" on "member" ("organizationId")"#,
        r#"create index "member_userId_idx" on "member" ("userId")"#,
    ];

    /// The organization plugin's tables, two organizations, and memberships:
    /// user-1 is `admin,member` of org-1, user-2 `member` of org-1.
    async fn add_organization_plugin(pool: &SqlitePool) {
        for ddl in SQLITE_ORGANIZATION_DDL {
            sqlx::query(ddl).execute(pool).await.unwrap();
        }
        for sql in [
            r#"insert into "organization" ("id","name","slug","createdAt") values
               ('org-1','Acme','acme','2026-12-01T05:44:51.761Z'),
               ('org-2','Initech','initech','2026-12-01T05:44:51.761Z')"#,
            r#"insert into "team" ("id","name","organizationId","createdAt") values
               ('team-1','Core','org-1','2026-12-01T05:44:51.761Z')"#,
            r#"insert into "member" ("id","organizationId","userId","role","createdAt") values
               ('mem-1','org-1','user-1','admin,member','2026-12-01T05:44:51.761Z'),
               ('mem-2','org-1','user-2','member','2026-12-01T05:44:51.761Z')"#,
        ] {
            sqlx::query(sql).execute(pool).await.unwrap();
        }
    }

    async fn activate(pool: &SqlitePool, token: &str, organization: Option<&str>) {
        sqlx::query(
            r#"update "session" set "activeOrganizationId" = ?1,
               "activeTeamId" = case when ?1 is null then null else 'team-1' end
               where "token" = ?2"#,
        )
        .bind(organization)
        .bind(token)
        .execute(pool)
        .await
        .unwrap();
    }

    #[tokio::test]
    async fn sqlite_reads_the_active_organization_team_and_member_role() {
        let pool = sqlite_pool().await;
        add_organization_plugin(&pool).await;
        activate(&pool, TOKEN, Some("org-1")).await;
        activate(&pool, "expired-token", Some("org-1")).await;
        // user-1 is no member of org-2.
        activate(&pool, "sqlite-form-token", Some("org-2")).await;
        sqlx::query(r#"update "session" set "impersonatedBy" = 'admin-1' where "id" = 'sess-4'"#)
            .execute(&pool)
            .await
            .unwrap();
        let store = SqlSessionStore::sqlite(pool.clone());

        let claims = payload(&find(&store, TOKEN).await.unwrap().unwrap());
        assert_eq!(claims["activeOrganizationId"], "org-1");
        assert_eq!(claims["activeTeamId"], "team-1");
        assert_eq!(claims["memberRole"], "admin,member");
        assert!(claims.get("impersonatedBy").is_none(), "{claims}");
        assert_eq!(claims["sub"], "user-1");

        // The member row of the session's own user.
        let claims = payload(&find(&store, "expired-token").await.unwrap().unwrap());
        assert_eq!(claims["memberRole"], "member");

        // No active organization: no organization claims at all.
        let claims = payload(&find(&store, "millis-token").await.unwrap().unwrap());
        for name in ["activeOrganizationId", "activeTeamId", "memberRole"] {
            assert!(claims.get(name).is_none(), "{name}: {claims}");
        }

        // An active organization the user is no member of: no role.
        let claims = payload(&find(&store, "sqlite-form-token").await.unwrap().unwrap());
        assert_eq!(claims["activeOrganizationId"], "org-2");
        assert_eq!(claims["impersonatedBy"], "admin-1");
        assert!(claims.get("memberRole").is_none(), "{claims}");

        // Once found, the member table is read as the role changes.
        sqlx::query(r#"update "member" set "role" = 'owner' where "id" = 'mem-1'"#)
            .execute(&pool)
            .await
            .unwrap();
        let claims = payload(&find(&store, TOKEN).await.unwrap().unwrap());
        assert_eq!(claims["memberRole"], "owner");
    }

    #[tokio::test]
    async fn sqlite_session_columns_without_a_member_table_and_a_renamed_member_table() {
        let pool = sqlite_pool().await;
        add_organization_plugin(&pool).await;
        activate(&pool, TOKEN, Some("org-1")).await;
        sqlx::query(r#"alter table "member" rename to "members""#)
            .execute(&pool)
            .await
            .unwrap();
        // The default member table is missing: the session's columns only.
        let store = SqlSessionStore::sqlite(pool.clone());
        let claims = payload(&find(&store, TOKEN).await.unwrap().unwrap());
        assert_eq!(claims["activeOrganizationId"], "org-1");
        assert!(claims.get("memberRole").is_none(), "{claims}");

        let renamed = SqlSessionStore::sqlite(pool.clone())
            .member_table("main.members")
            .unwrap();
        assert!(format!("{renamed:?}").contains(r#""main"."members""#));
        let claims = payload(&find(&renamed, TOKEN).await.unwrap().unwrap());
        assert_eq!(claims["memberRole"], "admin,member");
        assert!(SqlSessionStore::sqlite(pool).member_table("a b").is_err());
    }

    #[tokio::test]
    async fn sqlite_without_the_organization_plugin_the_claims_have_none_of_its_fields() {
        let pool = sqlite_pool().await;
        // A member table alone, without the session's column, is not read.
        for ddl in [SQLITE_ORGANIZATION_DDL[3], SQLITE_ORGANIZATION_DDL[5]] {
            sqlx::query(ddl).execute(&pool).await.unwrap();
        }
        sqlx::query(
            r#"insert into "organization" ("id","name","slug","createdAt")
               values ('org-1','Acme','acme','2026-12-01T05:44:51.761Z')"#,
        )
        .execute(&pool)
        .await
        .unwrap();
        let store = SqlSessionStore::sqlite(pool.clone());
        let claims = payload(&find(&store, TOKEN).await.unwrap().unwrap());
        for name in [
            "activeOrganizationId",
            "activeTeamId",
            "impersonatedBy",
            "memberRole",
        ] {
            assert!(claims.get(name).is_none(), "{name}: {claims}");
        }
        // Added later: read after the recheck interval.
        for ddl in &SQLITE_ORGANIZATION_DDL[..3] {
            sqlx::query(ddl).execute(&pool).await.unwrap();
        }
        sqlx::query(
            r#"insert into "member" ("id","organizationId","userId","role","createdAt")
               values ('mem-1','org-1','user-1','owner','2026-12-01T05:44:51.761Z')"#,
        )
        .execute(&pool)
        .await
        .unwrap();
        activate(&pool, TOKEN, Some("org-1")).await;
        assert!(
            payload(&find(&store, TOKEN).await.unwrap().unwrap())
                .get("memberRole")
                .is_none()
        );
        if let Some(detected) = store.optional_columns.lock().unwrap().as_mut() {
            detected.at = Instant::now()
                .checked_sub(BAN_COLUMNS_RECHECK)
                .expect("the machine has been up for a minute");
        }
        let claims = payload(&find(&store, TOKEN).await.unwrap().unwrap());
        assert_eq!(
            (&claims["activeOrganizationId"], &claims["memberRole"]),
            (&"org-1".into(), &"owner".into())
        );
    }

    /// Through the verifier: the member's role read from the database is
    /// what `member_permission` checks.
    #[cfg(feature = "test-util")]
    #[tokio::test]
    async fn sqlite_member_permission_checks_the_role_in_the_active_organization() {
        use crate::token::guard::ClaimGuard;
        use crate::{AccessControl, Claims, Clock, Verifier};

        const SECRET: &str = "better-auth-secret-0123456789abcdefghij";
        let pool = sqlite_pool().await;
        add_organization_plugin(&pool).await;
        let verifier = Verifier::builder()
            .sessions(|sessions| {
                sessions
                    .secret(SECRET)
                    .store(SqlSessionStore::sqlite(pool.clone()))
                    .store_cache(Duration::ZERO, 1)
            })
            .clock(Clock::fixed_unix(1_796_000_000))
            .build()
            .unwrap();
        let cookie = crate::testing::SessionMinter::new(SECRET)
            .token(TOKEN)
            .cookie_value();
        let mut headers = http::HeaderMap::new();
        headers.insert(
            "cookie",
            format!("better-auth.session_token={cookie}")
                .parse()
                .unwrap(),
        );
        let invite = ClaimGuard::member_permission(
            AccessControl::organization_defaults(),
            &[("invitation", &["create"])],
        );
        for (organization, role, allowed) in [
            (Some("org-1"), "admin,member", true),
            (Some("org-1"), " member , admin ", true),
            (Some("org-1"), "member", false),
            (Some("org-2"), "owner", false),
            (None, "owner", false),
        ] {
            activate(&pool, TOKEN, organization).await;
            sqlx::query(r#"update "member" set "role" = ?1 where "id" = 'mem-1'"#)
                .bind(role)
                .execute(&pool)
                .await
                .unwrap();
            let claims: Claims = verifier
                .verify_request(&crate::RequestParts::new("GET", None, &headers))
                .await
                .unwrap();
            assert_eq!(claims.active_organization_id(), organization);
            assert_eq!(
                claims.member_role(),
                (organization == Some("org-1")).then_some(role)
            );
            assert_eq!(invite.allows(&claims), allowed, "{organization:?} {role:?}");
        }
    }

    /// Through the verifier, as a request with Better Auth's session cookie
    /// reaches it: `not_banned` refuses a ban in force and lets an expired
    /// one through.
    #[cfg(feature = "test-util")]
    #[tokio::test]
    async fn sqlite_not_banned_refuses_a_ban_in_force_and_passes_one_whose_ban_expires_has_passed()
    {
        use crate::token::guard::ClaimGuard;
        use crate::{Claims, Clock, Verifier};

        const SECRET: &str = "better-auth-secret-0123456789abcdefghij";
        let pool = sqlite_pool().await;
        add_admin_plugin(&pool).await;
        let verifier = Verifier::builder()
            .sessions(|sessions| {
                sessions
                    .secret(SECRET)
                    .store(SqlSessionStore::sqlite(pool.clone()))
                    .store_cache(Duration::ZERO, 1)
            })
            .clock(Clock::fixed_unix(1_796_000_000))
            .build()
            .unwrap();
        let cookie = crate::testing::SessionMinter::new(SECRET)
            .token(TOKEN)
            .cookie_value();
        let mut headers = http::HeaderMap::new();
        headers.insert(
            "cookie",
            format!("better-auth.session_token={cookie}")
                .parse()
                .unwrap(),
        );
        let guard = ClaimGuard::not_banned();
        for (banned, expires, allowed) in [
            (0.into(), Value::Null, true),
            (1.into(), Value::Null, false),
            (1.into(), "2999-01-01T00:00:00.000Z".into(), false),
            (1.into(), "2000-01-01T00:00:00.000Z".into(), true),
            (1.into(), 946_684_800_000_i64.into(), true),
        ] {
            ban(&pool, "user-1", banned, expires.clone()).await;
            let claims: Claims = verifier
                .verify_request(&crate::RequestParts::new("GET", None, &headers))
                .await
                .unwrap();
            assert_eq!(guard.allows(&claims), allowed, "{expires}");
        }
    }

    #[test]
    fn table_names_are_checked() {
        for good in ["session", "_s", "Sessions_2", "auth.session"] {
            assert!(TableName::parse(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "1session",
            "session\"; drop table x; --",
            "a.b.c",
            ".a",
            "a.",
            "sess ion",
            "séssion",
            &"s".repeat(64),
        ] {
            assert!(TableName::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            TableName::parse("auth.session").unwrap().to_string(),
            "\"auth\".\"session\""
        );
    }

    #[test]
    fn dates_are_parsed_strictly() {
        let unix = |text| parse_date(text).map(OffsetDateTime::unix_timestamp);
        assert_eq!(unix("2026-12-08T05:44:51.761Z"), Some(1_796_708_691));
        assert_eq!(unix("2026-12-08T06:44:51+01:00"), Some(1_796_708_691));
        assert_eq!(unix("2026-12-08 05:44:51.761"), Some(1_796_708_691));
        // time's RFC 3339 parser takes a space for the `T` (RFC 3339 5.6 note).
        assert_eq!(unix("2026-12-08 06:44:51+01:00"), Some(1_796_708_691));
        assert_eq!(unix("2026-12-08 05:44:51Z"), Some(1_796_708_691));
        for bad in [
            "",
            "soon",
            "2026-12-08",
            "2026-12-08 05:44",
            "2026-12-08 05:44:5",
            "2026-12-08T05:44:51",
            "é026-12-08 05:44:51",
            "2026-12-08 05:44:51 é",
        ] {
            assert!(parse_date(bad).is_none(), "{bad}");
        }
        assert_eq!(number_to_unix(1_796_708_691), 1_796_708_691);
        assert_eq!(number_to_unix(1_796_708_691_761), 1_796_708_691);
        assert_eq!(number_to_unix(i64::MIN), i64::MIN.div_euclid(1000));
    }

    #[tokio::test]
    async fn debug_shows_no_connection_options() {
        let pool = sqlx::postgres::PgPoolOptions::new()
            .connect_lazy("postgres://app:hunter2@localhost/app")
            .unwrap();
        let store = SqlSessionStore::postgres(pool);
        let debug = format!("{store:?}");
        assert!(
            debug.contains("postgres") && debug.contains("\"session\""),
            "{debug}"
        );
        assert!(!debug.contains("hunter2"), "{debug}");
    }

    /// What a PostgreSQL check runs: the pool, and the schema it owns.
    type PgChecks =
        for<'a> fn(&'a PgPool, &'a str) -> Pin<Box<dyn Future<Output = Result<(), String>> + 'a>>;

    /// Runs `checks` against PostgreSQL when `JWTGUARD_TEST_DATABASE_URL` is
    /// set, in a schema of its own that is dropped afterwards, on
    /// connections whose `TimeZone` is not UTC (Asia/Kolkata, +05:30), so
    /// that no date reading leans on the session's zone.
    async fn on_postgres(name: &str, checks: PgChecks) {
        let Ok(url) = std::env::var("JWTGUARD_TEST_DATABASE_URL") else {
            eprintln!("skipped: set JWTGUARD_TEST_DATABASE_URL to test against PostgreSQL");
            return;
        };
        // sqlx starts every connection in UTC; a service may set another zone.
        let pool = sqlx::postgres::PgPoolOptions::new()
            .max_connections(2)
            .after_connect(|connection, _| {
                Box::pin(async move {
                    sqlx::query("SET TIME ZONE 'Asia/Kolkata'")
                        .execute(connection)
                        .await
                        .map(drop)
                })
            })
            .connect(&url)
            .await
            .unwrap();
        let zone: String = sqlx::query_scalar("SHOW TimeZone")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(zone, "Asia/Kolkata");
        let schema = format!("jwtguard_store_test_{}_{name}", std::process::id());
        sqlx::query(&format!("drop schema if exists {schema} cascade"))
            .execute(&pool)
            .await
            .unwrap();
        sqlx::query(&format!("create schema {schema}"))
            .execute(&pool)
            .await
            .unwrap();
        let result = checks(&pool, &schema).await;
        sqlx::query(&format!("drop schema {schema} cascade"))
            .execute(&pool)
            .await
            .unwrap();
        result.unwrap();
    }

    /// The same against PostgreSQL.
    #[tokio::test]
    async fn postgres() {
        on_postgres("core", |pool, schema| {
            Box::pin(postgres_checks(pool, schema))
        })
        .await;
    }

    #[tokio::test]
    async fn postgres_reads_the_admin_plugins_ban_columns_when_present() {
        on_postgres("bans", |pool, schema| {
            Box::pin(postgres_ban_checks(pool, schema))
        })
        .await;
    }

    #[tokio::test]
    async fn postgres_timestamp_without_time_zone_is_read_as_utc() {
        on_postgres("utc", |pool, schema| {
            Box::pin(postgres_timestamp_checks(pool, schema))
        })
        .await;
    }

    #[tokio::test]
    async fn postgres_reads_the_active_organization_and_member_role_when_present() {
        on_postgres("org", |pool, schema| {
            Box::pin(postgres_organization_checks(pool, schema))
        })
        .await;
    }

    async fn run(pool: &PgPool, sql: &str) -> Result<(), String> {
        sqlx::query(sql)
            .execute(pool)
            .await
            .map(drop)
            .map_err(|e| format!("{sql}: {e}"))
    }

    async fn pg_claims(store: &SqlSessionStore, token: &str) -> Result<Value, String> {
        let record = find(store, token)
            .await
            .map_err(|e| e.to_string())?
            .ok_or("not found")?;
        Ok(payload(&record))
    }

    /// Better Auth's tables plus its admin plugin migration for PostgreSQL.
    async fn postgres_ban_checks(pool: &PgPool, schema: &str) -> Result<(), String> {
        for ddl in POSTGRES_DDL {
            run(pool, &ddl.replace("{s}", schema)).await?;
        }
        run(
            pool,
            &format!(
                r#"insert into {schema}."user" ("id","name","email","emailVerified")
                   values ('user-1','Ada','ada@example.com',true)"#
            ),
        )
        .await?;
        run(
            pool,
            &format!(
                r#"insert into {schema}."session" ("id","expiresAt","token","updatedAt","userId")
                   values ('sess-1','2026-12-08T05:44:51.761Z','{TOKEN}',now(),'user-1')"#
            ),
        )
        .await?;
        let store = SqlSessionStore::postgres(pool.clone())
            .session_table(&format!("{schema}.session"))
            .and_then(|s| s.user_table(&format!("{schema}.user")))
            .map_err(|e| e.to_string())?;
        let claims = pg_claims(&store, TOKEN).await?;
        assert!(claims.get("banned").is_none(), "{claims}");

        for column in [
            r#""role" text"#,
            r#""banned" boolean"#,
            r#""banReason" text"#,
            r#""banExpires" timestamptz"#,
        ] {
            run(
                pool,
                &format!(r#"alter table {schema}."user" add column {column}"#),
            )
            .await?;
        }
        // A store made after the migration reads the columns at once.
        let store = SqlSessionStore::postgres(pool.clone())
            .session_table(&format!("{schema}.session"))
            .and_then(|s| s.user_table(&format!("{schema}.user")))
            .map_err(|e| e.to_string())?;
        let claims = pg_claims(&store, TOKEN).await?;
        assert_eq!(
            (&claims["banned"], &claims["banExpires"]),
            (&Value::Null, &Value::Null)
        );
        for (banned, expires, want) in [
            (
                "true",
                "'2026-12-08T05:44:51.761Z'",
                Value::from("2026-12-08T05:44:51.761Z"),
            ),
            (
                "true",
                "'2026-12-08T11:14:51.761+05:30'",
                Value::from("2026-12-08T05:44:51.761Z"),
            ),
            ("true", "null", Value::Null),
            // No ISO form: a ban without an end.
            ("true", "'infinity'", Value::Null),
            ("false", "null", Value::Null),
        ] {
            run(
                pool,
                &format!(
                    r#"update {schema}."user" set "banned" = {banned}, "banExpires" = {expires}"#
                ),
            )
            .await?;
            let claims = pg_claims(&store, TOKEN).await?;
            assert_eq!(claims["banned"], banned == "true", "{expires}");
            assert_eq!(claims["banExpires"], want, "{expires}");
        }
        Ok(())
    }

    /// Better Auth's tables, then its organization plugin's (teams enabled)
    /// and the admin plugin's `impersonatedBy`, in PostgreSQL.
    async fn postgres_organization_checks(pool: &PgPool, schema: &str) -> Result<(), String> {
        for ddl in POSTGRES_DDL {
            run(pool, &ddl.replace("{s}", schema)).await?;
        }
        run(
            pool,
            &format!(
                r#"insert into {schema}."user" ("id","name","email","emailVerified")
                   values ('user-1','Ada','ada@example.com',true),
                          ('user-2','Bob','bob@example.com',false)"#
            ),
        )
        .await?;
        run(
            pool,
            &format!(
                r#"insert into {schema}."session" ("id","expiresAt","token","updatedAt","userId")
                   values ('sess-1','2026-12-08T05:44:51.761Z','{TOKEN}',now(),'user-1'),
                          ('sess-2','2026-12-08T05:44:51.761Z','token-2',now(),'user-2'),
                          ('sess-3','2026-12-08T05:44:51.761Z','token-3',now(),'user-1')"#
            ),
        )
        .await?;
        let store = || {
            SqlSessionStore::postgres(pool.clone())
                .session_table(&format!("{schema}.session"))
                .and_then(|s| s.user_table(&format!("{schema}.user")))
                .and_then(|s| s.member_table(&format!("{schema}.member")))
                .map_err(|e| e.to_string())
        };
        // Before the plugin: as before.
        let before = pg_claims(&store()?, TOKEN).await?;
        for name in ["activeOrganizationId", "activeTeamId", "memberRole"] {
            assert!(before.get(name).is_none(), "{name}: {before}");
        }

        for ddl in [
            r#"alter table {s}."session" add column "activeOrganizationId" text"#,
            r#"alter table {s}."session" add column "activeTeamId" text"#,
            r#"alter table {s}."session" add column "impersonatedBy" text"#,
            r#"create table {s}."organization" ("id" text not null primary key, "name" text not null, "slug" text not null unique, "logo" text, "createdAt" timestamptz not null, "metadata" text)"#,
            r#"create table {s}."member" ("id" text not null primary key, "organizationId" text not null references {s}."organization" ("id") on delete cascade, "userId" text not null references {s}."user" ("id") on delete cascade, "role" text not null, "createdAt" timestamptz not null)"#,
            r#"create index "member_organizationId_idx" on {s}."member" ("organizationId")"#,
            r#"create index "member_userId_idx" on {s}."member" ("userId")"#,
            r#"insert into {s}."organization" ("id","name","slug","createdAt") values
               ('org-1','Acme','acme',now()), ('org-2','Initech','initech',now())"#,
            r#"insert into {s}."member" ("id","organizationId","userId","role","createdAt") values
               ('mem-1','org-1','user-1','admin,member',now()),
               ('mem-2','org-1','user-2','member',now()),
               ('mem-3','org-2','user-2','owner',now())"#,
            r#"update {s}."session" set "activeOrganizationId" = 'org-1', "activeTeamId" = 'team-1'
               where "id" in ('sess-1', 'sess-2')"#,
            r#"update {s}."session" set "activeOrganizationId" = 'org-2', "impersonatedBy" = 'admin-1'
               where "id" = 'sess-3'"#,
        ] {
            run(pool, &ddl.replace("{s}", schema)).await?;
        }
        let store = store()?;
        let claims = pg_claims(&store, TOKEN).await?;
        assert_eq!(claims["activeOrganizationId"], "org-1", "{claims}");
        assert_eq!(claims["activeTeamId"], "team-1", "{claims}");
        assert_eq!(claims["memberRole"], "admin,member", "{claims}");
        assert!(claims.get("impersonatedBy").is_none(), "{claims}");
        let claims = pg_claims(&store, "token-2").await?;
        assert_eq!(claims["memberRole"], "member", "{claims}");
        // user-1 is no member of org-2 (user-2 is).
        let claims = pg_claims(&store, "token-3").await?;
        assert_eq!(claims["activeOrganizationId"], "org-2", "{claims}");
        assert_eq!(claims["impersonatedBy"], "admin-1", "{claims}");
        assert!(claims.get("memberRole").is_none(), "{claims}");
        // No active organization: none of its claims.
        run(
            pool,
            &format!(
                r#"update {schema}."session" set "activeOrganizationId" = null, "activeTeamId" = null
                   where "id" = 'sess-1'"#
            ),
        )
        .await?;
        let claims = pg_claims(&store, TOKEN).await?;
        for name in ["activeOrganizationId", "activeTeamId", "memberRole"] {
            assert!(claims.get(name).is_none(), "{name}: {claims}");
        }
        Ok(())
    }

    /// Prisma's tables (`DateTime` is `timestamp(3)`, without time zone),
    /// holding UTC as Prisma writes it.
    async fn postgres_timestamp_checks(pool: &PgPool, schema: &str) -> Result<(), String> {
        run(
            pool,
            &format!(
                r#"create table {schema}."User" ("id" text primary key, "name" text not null,
                   "email" text not null, "emailVerified" boolean not null, "image" text,
                   "banned" boolean, "banExpires" timestamp(3))"#
            ),
        )
        .await?;
        run(
            pool,
            &format!(
                r#"create table {schema}."Session" ("id" text primary key,
                   "expiresAt" timestamp(3) not null, "token" text not null unique,
                   "userId" text not null references {schema}."User" ("id"))"#
            ),
        )
        .await?;
        run(
            pool,
            &format!(
                r#"insert into {schema}."User" values
                   ('user-1','Ada','ada@example.com',true,null,true,'2026-12-08 05:44:51.761')"#
            ),
        )
        .await?;
        run(
            pool,
            &format!(
                r#"insert into {schema}."Session" values
                   ('sess-1','2026-12-08 05:44:51.761','{TOKEN}','user-1')"#
            ),
        )
        .await?;
        let store = SqlSessionStore::postgres(pool.clone())
            .session_table(&format!("{schema}.Session"))
            .and_then(|s| s.user_table(&format!("{schema}.User")))
            .map_err(|e| e.to_string())?;
        let record = find(&store, TOKEN)
            .await
            .map_err(|e| e.to_string())?
            .ok_or("not found")?;
        // 05:44:51 UTC, not 05:44:51 in Kolkata (00:14:51 UTC).
        assert_eq!(record.expires_at_unix(), 1_796_708_691);
        assert_eq!(payload(&record)["banExpires"], "2026-12-08T05:44:51.761Z");
        Ok(())
    }

    async fn postgres_checks(pool: &PgPool, schema: &str) -> Result<(), String> {
        for ddl in POSTGRES_DDL {
            sqlx::query(&ddl.replace("{s}", schema))
                .execute(pool)
                .await
                .map_err(|e| e.to_string())?;
        }
        let insert_users = format!(
            r#"insert into {schema}."user" ("id","name","email","emailVerified","image")
               values ('user-1','Ada Lovelace','ada@example.com',true,null),
                      ('user-2','Bob','bob@example.com',false,'https://example.com/b.png')"#
        );
        sqlx::query(&insert_users)
            .execute(pool)
            .await
            .map_err(|e| e.to_string())?;
        let insert_sessions = format!(
            r#"insert into {schema}."session" ("id","expiresAt","token","updatedAt","userId") values
               ('sess-1','2026-12-08T05:44:51.761Z',$1,now(),'user-1'),
               ('sess-2','2020-01-01T00:00:00Z','expired-token',now(),'user-2')"#
        );
        sqlx::query(&insert_sessions)
            .bind(TOKEN)
            .execute(pool)
            .await
            .map_err(|e| e.to_string())?;

        let store = SqlSessionStore::postgres(pool.clone())
            .session_table(&format!("{schema}.session"))
            .and_then(|s| s.user_table(&format!("{schema}.user")))
            .map_err(|e| e.to_string())?;
        let record = find(&store, TOKEN)
            .await
            .map_err(|e| e.to_string())?
            .ok_or("not found")?;
        assert_eq!(record.session_id(), "sess-1");
        assert_eq!(record.user_id(), "user-1");
        assert_eq!(record.expires_at_unix(), 1_796_708_691);
        let claims = payload(&record);
        assert_eq!(claims["email"], "ada@example.com");
        assert_eq!(claims["emailVerified"], true);
        assert_eq!(claims["image"], Value::Null);
        // Again: the prepared statement from the connection's cache.
        assert!(
            find(&store, TOKEN)
                .await
                .map_err(|e| e.to_string())?
                .is_some()
        );

        assert!(
            find(&store, "no-such-token")
                .await
                .map_err(|e| e.to_string())?
                .is_none()
        );
        let expired = find(&store, "expired-token")
            .await
            .map_err(|e| e.to_string())?
            .ok_or("expired not returned")?;
        assert_eq!(expired.expires_at_unix(), 1_577_836_800);
        assert_eq!(payload(&expired)["emailVerified"], false);

        // A missing table is an error without the token.
        let missing = SqlSessionStore::postgres(pool.clone())
            .session_table(&format!("{schema}.nope"))
            .map_err(|e| e.to_string())?;
        let err = find(&missing, TOKEN).await.unwrap_err().to_string();
        assert!(!err.contains(TOKEN), "{err}");
        Ok(())
    }
}
