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
//!   It reads the core user columns only: `id`, `name`, `email`,
//!   `emailVerified` and `image`.
//!
//! Both sit behind the verifier's cache, so a session is looked up at most
//! once per [`DEFAULT_SESSION_CACHE_TTL`](crate::limits::DEFAULT_SESSION_CACHE_TTL).
//!
//! The tables are Better Auth's own (its Kysely adapter, `npx @better-auth/cli
//! migrate`): `"session"` and `"user"` with camelCase columns. Expired
//! sessions that Better Auth has not deleted yet are returned with their
//! past `expiresAt`; the verifier refuses them.

use std::fmt;

use serde_json::{Map, Value};
use sqlx::Row;
use sqlx::postgres::{PgPool, PgRow};
use sqlx::sqlite::{SqlitePool, SqliteRow};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::session::store::{
    SessionLookup, SessionRecord, SessionStore, SessionStoreError, SessionToken,
};

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
#[derive(Clone)]
pub struct SqlSessionStore {
    pool: Pool,
    session_table: String,
    user_table: String,
    /// The lookup statement, built from the (validated) table names.
    query: String,
}

#[derive(Clone)]
enum Pool {
    Postgres(PgPool),
    Sqlite(SqlitePool),
}

impl fmt::Debug for SqlSessionStore {
    /// The pool's connect options may hold a password: not shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let database = match self.pool {
            Pool::Postgres(_) => "postgres",
            Pool::Sqlite(_) => "sqlite",
        };
        f.debug_struct("SqlSessionStore")
            .field("database", &database)
            // As they appear in the SQL, without Debug's escaping of quotes.
            .field("session_table", &format_args!("{}", self.session_table))
            .field("user_table", &format_args!("{}", self.user_table))
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
        let mut store = Self {
            pool,
            session_table: quote("session"),
            user_table: quote("user"),
            query: String::new(),
        };
        store.query = store.build_query();
        store
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
        self.session_table = qualified_name(name)?;
        self.query = self.build_query();
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
        self.user_table = qualified_name(name)?;
        self.query = self.build_query();
        Ok(self)
    }

    fn build_query(&self) -> String {
        let (session, user) = (&self.session_table, &self.user_table);
        // Ids are cast to text so that serial (integer) ids work as well.
        match self.pool {
            // EXTRACT gives numeric (float8 before PostgreSQL 14); as bigint
            // it decodes without sqlx's `time` feature, for `timestamptz`
            // and UTC `timestamp` columns alike.
            Pool::Postgres(_) => format!(
                "SELECT CAST(s.\"id\" AS TEXT), CAST(s.\"userId\" AS TEXT), \
                 CAST(FLOOR(EXTRACT(EPOCH FROM s.\"expiresAt\")) AS BIGINT), \
                 CAST(u.\"id\" AS TEXT), u.\"name\", u.\"email\", u.\"emailVerified\", u.\"image\" \
                 FROM {session} AS s JOIN {user} AS u ON u.\"id\" = s.\"userId\" \
                 WHERE s.\"token\" = $1"
            ),
            // Better Auth stores dates as ISO-8601 text; another adapter may
            // have stored numbers, so both forms are selected apart.
            Pool::Sqlite(_) => format!(
                "SELECT CAST(s.\"id\" AS TEXT), CAST(s.\"userId\" AS TEXT), \
                 CASE WHEN typeof(s.\"expiresAt\") = 'text' THEN s.\"expiresAt\" END, \
                 CASE WHEN typeof(s.\"expiresAt\") IN ('integer', 'real') \
                      THEN CAST(s.\"expiresAt\" AS INTEGER) END, \
                 CAST(u.\"id\" AS TEXT), u.\"name\", u.\"email\", u.\"emailVerified\", u.\"image\" \
                 FROM {session} AS s JOIN {user} AS u ON u.\"id\" = s.\"userId\" \
                 WHERE s.\"token\" = ?1"
            ),
        }
    }
}

impl SessionStore for SqlSessionStore {
    fn find_session<'a>(&'a self, token: &'a SessionToken<'a>) -> SessionLookup<'a> {
        Box::pin(async move {
            // The token is a bound parameter: never part of the SQL, nor of
            // sqlx's errors.
            match &self.pool {
                Pool::Postgres(pool) => {
                    let row = sqlx::query(&self.query)
                        .bind(token.token())
                        .fetch_optional(pool)
                        .await
                        .map_err(db_error)?;
                    row.as_ref().map(pg_record).transpose()
                }
                Pool::Sqlite(pool) => {
                    let row = sqlx::query(&self.query)
                        .bind(token.token())
                        .fetch_optional(pool)
                        .await
                        .map_err(db_error)?;
                    row.as_ref().map(sqlite_record).transpose()
                }
            }
        })
    }
}

fn pg_record(row: &PgRow) -> Result<SessionRecord, SessionStoreError> {
    let expires_at: i64 = row.try_get(2).map_err(db_error)?;
    record(
        row.try_get(0).map_err(db_error)?,
        row.try_get(1).map_err(db_error)?,
        expires_at,
        row.try_get(3).map_err(db_error)?,
        row.try_get(4).map_err(db_error)?,
        row.try_get(5).map_err(db_error)?,
        row.try_get::<Option<bool>, _>(6).map_err(db_error)?,
        row.try_get(7).map_err(db_error)?,
    )
}

fn sqlite_record(row: &SqliteRow) -> Result<SessionRecord, SessionStoreError> {
    let text: Option<String> = row.try_get(2).map_err(db_error)?;
    let number: Option<i64> = row.try_get(3).map_err(db_error)?;
    let expires_at = match (text, number) {
        (Some(text), _) => parse_date(&text)?,
        (None, Some(number)) => number_to_unix(number),
        (None, None) => return Err(SessionStoreError::new("session.expiresAt is null")),
    };
    // SQLite has no boolean: Better Auth stores 0 or 1.
    let email_verified: Option<i64> = row.try_get(7).map_err(db_error)?;
    record(
        row.try_get(0).map_err(db_error)?,
        row.try_get(1).map_err(db_error)?,
        expires_at,
        row.try_get(4).map_err(db_error)?,
        row.try_get(5).map_err(db_error)?,
        row.try_get(6).map_err(db_error)?,
        email_verified.map(|n| n != 0),
        row.try_get(8).map_err(db_error)?,
    )
}

/// The record, with the user's columns as `get-session` names them.
#[allow(clippy::too_many_arguments)]
fn record(
    session_id: String,
    user_id: String,
    expires_at: i64,
    joined_user_id: String,
    name: Option<String>,
    email: Option<String>,
    email_verified: Option<bool>,
    image: Option<String>,
) -> Result<SessionRecord, SessionStoreError> {
    // The join guarantees this; checked as the HTTP store checks its answer.
    if joined_user_id != user_id {
        return Err(SessionStoreError::new(
            "user.id differs from session.userId",
        ));
    }
    let mut user = Map::new();
    user.insert("id".into(), Value::String(joined_user_id));
    user.insert("name".into(), name.map_or(Value::Null, Value::String));
    user.insert("email".into(), email.map_or(Value::Null, Value::String));
    user.insert(
        "emailVerified".into(),
        email_verified.map_or(Value::Null, Value::Bool),
    );
    // As get-session: `image` is there, null when unset.
    user.insert("image".into(), image.map_or(Value::Null, Value::String));
    Ok(SessionRecord::new(session_id, user_id, expires_at).user_fields(user))
}

/// An ISO-8601 date as Better Auth writes it (`2026-12-08T05:44:51.761Z`),
/// or SQLite's own `2026-12-08 05:44:51[.761]` (UTC), in unix seconds.
fn parse_date(text: &str) -> Result<i64, SessionStoreError> {
    let invalid = || SessionStoreError::new("session.expiresAt is not an ISO-8601 date");
    if let Ok(at) = OffsetDateTime::parse(text, &Rfc3339) {
        return Ok(at.unix_timestamp());
    }
    // SQLite's datetime(): a space for the `T`, no offset (it is UTC).
    let is_sqlite_form = text.len() >= 19
        && text.as_bytes().get(10) == Some(&b' ')
        && !text.ends_with('Z')
        && !text[10..].contains(['+', '-']);
    if !is_sqlite_form {
        return Err(invalid());
    }
    let iso = format!("{}T{}Z", &text[..10], &text[11..]);
    OffsetDateTime::parse(&iso, &Rfc3339)
        .map(OffsetDateTime::unix_timestamp)
        .map_err(|_| invalid())
}

/// A date stored as a number: milliseconds (JavaScript's `Date.getTime()`)
/// or seconds. Any expiry in seconds until the year 5138 is below 1e11, and
/// any in milliseconds after March 1973 above it.
fn number_to_unix(number: i64) -> i64 {
    const MILLIS_FROM: i64 = 100_000_000_000;
    if number.unsigned_abs() >= MILLIS_FROM.unsigned_abs() {
        number.div_euclid(1000)
    } else {
        number
    }
}

/// `name` or `schema.name`, each part checked and double-quoted.
fn qualified_name(name: &str) -> Result<String, SessionStoreError> {
    let mut parts = name.split('.');
    let (first, second, rest) = (parts.next(), parts.next(), parts.next());
    match (first, second, rest) {
        (Some(table), None, None) if is_identifier(table) => Ok(quote(table)),
        (Some(schema), Some(table), None) if is_identifier(schema) && is_identifier(table) => {
            Ok(format!("{}.{}", quote(schema), quote(table)))
        }
        _ => Err(SessionStoreError::new(
            "a table name is `name` or `schema.name`, each of ASCII letters, digits and `_`, \
             not starting with a digit, at most 63 bytes",
        )),
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

fn quote(identifier: &str) -> String {
    format!("\"{identifier}\"")
}

/// sqlx's errors name the failure and the column, never bound values.
fn db_error(error: sqlx::Error) -> SessionStoreError {
    SessionStoreError::new(format!("session lookup in the database failed: {error}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::sqlite::SqlitePoolOptions;

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

    #[test]
    fn table_names_are_checked() {
        for good in ["session", "_s", "Sessions_2", "auth.session"] {
            assert!(qualified_name(good).is_ok(), "{good}");
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
            assert!(qualified_name(bad).is_err(), "{bad}");
        }
        assert_eq!(
            qualified_name("auth.session").unwrap(),
            "\"auth\".\"session\""
        );
    }

    #[test]
    fn dates_are_parsed_strictly() {
        assert_eq!(
            parse_date("2026-12-08T05:44:51.761Z").unwrap(),
            1_796_708_691
        );
        assert_eq!(
            parse_date("2026-12-08T06:44:51+01:00").unwrap(),
            1_796_708_691
        );
        assert_eq!(
            parse_date("2026-12-08 05:44:51.761").unwrap(),
            1_796_708_691
        );
        // time's RFC 3339 parser takes a space for the `T` (RFC 3339 5.6 note).
        assert_eq!(
            parse_date("2026-12-08 06:44:51+01:00").unwrap(),
            1_796_708_691
        );
        assert_eq!(parse_date("2026-12-08 05:44:51Z").unwrap(), 1_796_708_691);
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
            assert!(parse_date(bad).is_err(), "{bad}");
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

    /// The same against PostgreSQL when `JWTGUARD_TEST_DATABASE_URL` is set,
    /// in a schema of its own that is dropped afterwards.
    #[tokio::test]
    async fn postgres() {
        let Ok(url) = std::env::var("JWTGUARD_TEST_DATABASE_URL") else {
            eprintln!("skipped: set JWTGUARD_TEST_DATABASE_URL to test against PostgreSQL");
            return;
        };
        let pool = sqlx::postgres::PgPoolOptions::new()
            .max_connections(2)
            .connect(&url)
            .await
            .unwrap();
        let schema = format!("jwtguard_store_test_{}", std::process::id());
        sqlx::query(&format!("drop schema if exists {schema} cascade"))
            .execute(&pool)
            .await
            .unwrap();
        sqlx::query(&format!("create schema {schema}"))
            .execute(&pool)
            .await
            .unwrap();
        let result = postgres_checks(&pool, &schema).await;
        sqlx::query(&format!("drop schema {schema} cascade"))
            .execute(&pool)
            .await
            .unwrap();
        result.unwrap();
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
