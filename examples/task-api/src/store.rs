//! Tasks in SQL, on SQLite (the default) or PostgreSQL. Every statement is
//! written once, with `$n` parameters that both databases read, and run by
//! one of two small drivers: rusqlite on the blocking pool for SQLite, sqlx
//! for PostgreSQL. Every query is scoped by `user_id`.
//!
//! Why not sqlx for SQLite too: its driver sends each row from a worker
//! thread through a channel and copies every value on the way (twice through
//! sqlx's `Any` driver): a 20-task list cost about 480 µs of CPU, most of it
//! there. rusqlite reads the rows straight into tasks, on the blocking
//! thread that runs the statement, and a request crosses threads once.

use std::fmt;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use rusqlite::config::DbConfig;
use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{OpenFlags, ToSql};
use sqlx::postgres::{PgPool, PgPoolOptions, PgRow};
use sqlx::{Executor, Row};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use tokio::sync::Semaphore;

use crate::model::{NewTask, Task, TaskChanges};
use crate::query::ListQuery;

/// How long a request waits for a free connection before the answer is 503.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(3);

/// PostgreSQL sessions per server.
const POSTGRES_POOL_SIZE: u32 = 8;

/// SQLite connections, and so statements running at once on tokio's
/// blocking threads: twice the cores (on 2 cores, 4 served the list faster
/// than 2 or 8).
fn sqlite_pool_size() -> u32 {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    u32::try_from(cores * 2).unwrap_or(u32::MAX).clamp(2, 16)
}

/// The table, but for its sequence column, whose syntax differs per database.
fn schema(seq_column: &str) -> String {
    format!(
        "CREATE TABLE IF NOT EXISTS tasks (
            {seq_column},
            id TEXT NOT NULL UNIQUE,
            user_id TEXT NOT NULL,
            title TEXT NOT NULL,
            description TEXT,
            completed BIGINT NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )"
    )
}

const SQLITE_SEQ: &str = "seq INTEGER PRIMARY KEY AUTOINCREMENT";
const POSTGRES_SEQ: &str = "seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY";

const INDEX: &str = "CREATE INDEX IF NOT EXISTS tasks_user_seq ON tasks (user_id, seq)";

// The statements. In each, parameters first appear in the order of their
// numbers: SQLite numbers `$n` parameters by first appearance.

const INSERT: &str =
    "INSERT INTO tasks (id, user_id, title, description, completed, created_at, updated_at)
     VALUES ($1, $2, $3, $4, 0, $5, $6)";

/// How many of the user's tasks match; `$2` is -1 for "completed or not".
/// Run next to [`PAGE`] on one connection: two statements that read the
/// index cost less than one with `COUNT(*) OVER ()`, which copies every
/// matching row into a temporary table.
const COUNT: &str = "SELECT COUNT(*) FROM tasks WHERE user_id = $1 AND ($2 < 0 OR completed = $2)";

/// One page of the tasks [`COUNT`] counts, newest first.
const PAGE: &str = "SELECT id, user_id, title, description, completed, created_at, updated_at
     FROM tasks WHERE user_id = $1 AND ($2 < 0 OR completed = $2)
     ORDER BY seq DESC LIMIT $3 OFFSET $4";

const GET: &str = "SELECT id, user_id, title, description, completed, created_at, updated_at
     FROM tasks WHERE user_id = $1 AND id = $2";

/// All changes in one statement, so concurrent updates of other fields are
/// not lost. `$2` = 1 sets the description to `$3` (which may be NULL).
const UPDATE: &str = "UPDATE tasks SET
        title = COALESCE($1, title),
        description = CASE WHEN $2 = 1 THEN $3 ELSE description END,
        completed = COALESCE($4, completed),
        updated_at = $5
     WHERE user_id = $6 AND id = $7
     RETURNING id, user_id, title, description, completed, created_at, updated_at";

const TOGGLE: &str = "UPDATE tasks SET completed = 1 - completed, updated_at = $1
     WHERE user_id = $2 AND id = $3
     RETURNING id, user_id, title, description, completed, created_at, updated_at";

const DELETE: &str = "DELETE FROM tasks WHERE user_id = $1 AND id = $2";

/// What can go wrong talking to the database. Its text is for logs only.
#[derive(Debug)]
pub enum StoreError {
    Sqlite(rusqlite::Error),
    Postgres(sqlx::Error),
    /// No connection became free within 3 seconds.
    Busy,
    /// The store was closed, or a query's thread died.
    Closed,
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Sqlite(error) => write!(f, "SQLite: {error}"),
            Self::Postgres(error) => write!(f, "PostgreSQL: {error}"),
            Self::Busy => write!(f, "no database connection became free in time"),
            Self::Closed => write!(f, "the database connections are closed"),
        }
    }
}

impl std::error::Error for StoreError {}

impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> Self {
        Self::Sqlite(error)
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        Self::Postgres(error)
    }
}

/// The task table behind a connection pool.
#[derive(Clone)]
pub struct Store {
    db: Db,
}

#[derive(Clone)]
enum Db {
    Sqlite(Arc<SqlitePool>),
    Postgres(PgPool),
}

impl Store {
    /// Connects to `url` (`sqlite:...` or `postgres://...`) and creates the
    /// schema if it is not there yet.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let db = match url.strip_prefix("sqlite:") {
            Some(rest) => Db::Sqlite(SqlitePool::open(rest).await?),
            None => Db::Postgres(connect_postgres(url).await?),
        };
        Ok(Self { db })
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> bool {
        let statement = Statement::new("SELECT 1", Vec::new());
        self.rows(statement, |_| Ok(())).await.is_ok()
    }

    /// Waits for queries in flight and closes every connection.
    pub async fn close(&self) {
        match &self.db {
            Db::Sqlite(pool) => pool.close().await,
            Db::Postgres(pool) => pool.close().await,
        }
    }

    pub async fn create(&self, user_id: &str, new: NewTask) -> Result<Task, StoreError> {
        let now = timestamp();
        let task = Task {
            id: uuid::Uuid::new_v4().hyphenated().to_string(),
            user_id: user_id.to_owned(),
            title: new.title,
            description: new.description,
            completed: false,
            created_at: now.clone(),
            updated_at: now,
        };
        let args = vec![
            Arg::Text(task.id.clone()),
            Arg::Text(task.user_id.clone()),
            Arg::Text(task.title.clone()),
            Arg::OptText(task.description.clone()),
            Arg::Text(task.created_at.clone()),
            Arg::Text(task.updated_at.clone()),
        ];
        self.execute(Statement::new(INSERT, args)).await?;
        Ok(task)
    }

    /// One page of the user's tasks, newest first, and how many match in all.
    pub async fn list(
        &self,
        user_id: &str,
        query: ListQuery,
    ) -> Result<(Vec<Task>, i64), StoreError> {
        let filter = [
            Arg::Text(user_id.to_owned()),
            Arg::Int(query.completed.map_or(-1, i64::from)),
        ];
        let count = Statement::new(COUNT, filter.to_vec());
        let mut page_args = filter.to_vec();
        page_args.extend([Arg::Int(query.limit), Arg::Int(query.offset)]);
        self.counted_rows(count, Statement::new(PAGE, page_args), task)
            .await
    }

    pub async fn get(&self, user_id: &str, id: &str) -> Result<Option<Task>, StoreError> {
        let args = vec![Arg::Text(user_id.to_owned()), Arg::Text(id.to_owned())];
        self.one_task(Statement::new(GET, args)).await
    }

    /// Applies `changes` in one statement.
    pub async fn update(
        &self,
        user_id: &str,
        id: &str,
        changes: TaskChanges,
    ) -> Result<Option<Task>, StoreError> {
        let (set_description, description) = match changes.description {
            Some(description) => (1, description),
            None => (0, None),
        };
        let args = vec![
            Arg::OptText(changes.title),
            Arg::Int(set_description),
            Arg::OptText(description),
            Arg::OptInt(changes.completed.map(i64::from)),
            Arg::Text(timestamp()),
            Arg::Text(user_id.to_owned()),
            Arg::Text(id.to_owned()),
        ];
        self.one_task(Statement::new(UPDATE, args)).await
    }

    /// Flips `completed` atomically.
    pub async fn toggle(&self, user_id: &str, id: &str) -> Result<Option<Task>, StoreError> {
        let args = vec![
            Arg::Text(timestamp()),
            Arg::Text(user_id.to_owned()),
            Arg::Text(id.to_owned()),
        ];
        self.one_task(Statement::new(TOGGLE, args)).await
    }

    pub async fn delete(&self, user_id: &str, id: &str) -> Result<bool, StoreError> {
        let args = vec![Arg::Text(user_id.to_owned()), Arg::Text(id.to_owned())];
        Ok(self.execute(Statement::new(DELETE, args)).await? > 0)
    }

    /// The task a statement returns, if it found one.
    async fn one_task(&self, statement: Statement) -> Result<Option<Task>, StoreError> {
        Ok(self.rows(statement, task).await?.into_iter().next())
    }

    /// Runs a statement and reads every row it returns with `read`.
    async fn rows<T: Send + 'static>(
        &self,
        statement: Statement,
        read: ReadRow<T>,
    ) -> Result<Vec<T>, StoreError> {
        match &self.db {
            Db::Sqlite(pool) => {
                pool.run(move |conn| sqlite_rows(conn, &statement, read))
                    .await
            }
            Db::Postgres(pool) => {
                let rows = statement.postgres().fetch_all(pool).await?;
                rows.iter().map(|row| read(row)).collect()
            }
        }
    }

    /// Runs `count`, whose one row holds a number, then `page`, on one
    /// connection (for SQLite, in one trip to a blocking thread).
    async fn counted_rows<T: Send + 'static>(
        &self,
        count: Statement,
        page: Statement,
        read: ReadRow<T>,
    ) -> Result<(Vec<T>, i64), StoreError> {
        let total = |rows: Vec<i64>| rows.first().copied().unwrap_or(0);
        match &self.db {
            Db::Sqlite(pool) => {
                pool.run(move |conn| {
                    let counted = sqlite_rows(conn, &count, |row| row.int(0))?;
                    Ok((sqlite_rows(conn, &page, read)?, total(counted)))
                })
                .await
            }
            Db::Postgres(pool) => {
                let mut conn = pool.acquire().await?;
                let counted = count.postgres().fetch_all(&mut *conn).await?;
                let counted = counted
                    .iter()
                    .map(|row| row.int(0))
                    .collect::<Result<_, _>>()?;
                let rows = page.postgres().fetch_all(&mut *conn).await?;
                let rows = rows.iter().map(|row| read(row)).collect::<Result<_, _>>()?;
                Ok((rows, total(counted)))
            }
        }
    }

    /// Runs a statement and returns how many rows it changed.
    async fn execute(&self, statement: Statement) -> Result<u64, StoreError> {
        match &self.db {
            Db::Sqlite(pool) => {
                pool.run(move |conn| {
                    let mut prepared = conn.prepare_cached(statement.sql)?;
                    let changed = prepared.execute(rusqlite::params_from_iter(&statement.args))?;
                    Ok(changed as u64)
                })
                .await
            }
            Db::Postgres(pool) => Ok(statement.postgres().execute(pool).await?.rows_affected()),
        }
    }
}

/// How a row becomes a value, whichever database returned it.
type ReadRow<T> = fn(&dyn Columns) -> Result<T, StoreError>;

/// SQL and the values of its parameters.
struct Statement {
    sql: &'static str,
    args: Vec<Arg>,
}

impl Statement {
    fn new(sql: &'static str, args: Vec<Arg>) -> Self {
        Self { sql, args }
    }

    fn postgres(self) -> sqlx::query::Query<'static, sqlx::Postgres, sqlx::postgres::PgArguments> {
        self.args
            .into_iter()
            .fold(sqlx::query(self.sql), |query, arg| match arg {
                Arg::Text(text) => query.bind(text),
                Arg::OptText(text) => query.bind(text),
                Arg::Int(number) => query.bind(number),
                Arg::OptInt(number) => query.bind(number),
            })
    }
}

/// Runs `statement` on a SQLite connection, its plan cached per connection.
fn sqlite_rows<T>(
    conn: &rusqlite::Connection,
    statement: &Statement,
    read: ReadRow<T>,
) -> Result<Vec<T>, StoreError> {
    let mut prepared = conn.prepare_cached(statement.sql)?;
    let mut rows = prepared.query(rusqlite::params_from_iter(&statement.args))?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        out.push(read(row)?);
    }
    Ok(out)
}

/// A statement parameter, owned so that it can go to a blocking thread.
#[derive(Debug, Clone)]
enum Arg {
    Text(String),
    OptText(Option<String>),
    Int(i64),
    OptInt(Option<i64>),
}

impl ToSql for Arg {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match self {
            Self::Text(text) | Self::OptText(Some(text)) => ValueRef::Text(text.as_bytes()),
            Self::Int(number) | Self::OptInt(Some(number)) => ValueRef::Integer(*number),
            Self::OptText(None) | Self::OptInt(None) => ValueRef::Null,
        }))
    }
}

/// A row's columns by position, whichever database returned it.
trait Columns {
    fn text(&self, index: usize) -> Result<String, StoreError>;
    fn optional_text(&self, index: usize) -> Result<Option<String>, StoreError>;
    fn int(&self, index: usize) -> Result<i64, StoreError>;
}

impl Columns for rusqlite::Row<'_> {
    fn text(&self, index: usize) -> Result<String, StoreError> {
        Ok(self.get(index)?)
    }

    fn optional_text(&self, index: usize) -> Result<Option<String>, StoreError> {
        Ok(self.get(index)?)
    }

    fn int(&self, index: usize) -> Result<i64, StoreError> {
        Ok(self.get(index)?)
    }
}

impl Columns for PgRow {
    fn text(&self, index: usize) -> Result<String, StoreError> {
        Ok(self.try_get(index)?)
    }

    fn optional_text(&self, index: usize) -> Result<Option<String>, StoreError> {
        Ok(self.try_get(index)?)
    }

    fn int(&self, index: usize) -> Result<i64, StoreError> {
        Ok(self.try_get(index)?)
    }
}

/// A task from the first seven columns (`id` to `updated_at`, in table order).
fn task(row: &dyn Columns) -> Result<Task, StoreError> {
    Ok(Task {
        id: row.text(0)?,
        user_id: row.text(1)?,
        title: row.text(2)?,
        description: row.optional_text(3)?,
        completed: row.int(4)? != 0,
        created_at: row.text(5)?,
        updated_at: row.text(6)?,
    })
}

/// Now, as RFC 3339 UTC with microseconds (`2026-11-25T14:10:20.123456Z`).
fn timestamp() -> String {
    let now = OffsetDateTime::now_utc();
    let micros = now
        .replace_nanosecond(now.microsecond() * 1000)
        .unwrap_or(now);
    micros.format(&Rfc3339).unwrap_or_default()
}

async fn connect_postgres(url: &str) -> Result<PgPool, StoreError> {
    let pool = PgPoolOptions::new()
        .max_connections(POSTGRES_POOL_SIZE)
        .idle_timeout(Some(Duration::from_secs(600)))
        .max_lifetime(Some(Duration::from_secs(1800)))
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .connect(url)
        .await?;
    // Two servers starting on a new database would race on CREATE TABLE IF
    // NOT EXISTS; a session lock makes one wait for the other.
    let mut conn = pool.acquire().await?;
    conn.execute("SELECT pg_advisory_lock(7368236001)").await?;
    let created = async {
        conn.execute(schema(POSTGRES_SEQ).as_str()).await?;
        conn.execute(INDEX).await
    }
    .await;
    conn.execute("SELECT pg_advisory_unlock(7368236001)")
        .await?;
    created?;
    drop(conn);
    Ok(pool)
}

/// SQLite connections, used one query at a time on tokio's blocking threads.
struct SqlitePool {
    /// `None` for `:memory:`, which lives in its only connection.
    path: Option<PathBuf>,
    flags: OpenFlags,
    idle: Mutex<Vec<rusqlite::Connection>>,
    permits: Arc<Semaphore>,
    size: u32,
}

impl SqlitePool {
    /// Opens `rest`, what follows `sqlite:` in the URL: a file path (also as
    /// `//path`), or `:memory:`; `?mode=ro`, `rw` or `rwc` (the default: the
    /// file is created on first start).
    async fn open(rest: &str) -> Result<Arc<Self>, StoreError> {
        let (location, options) = rest.split_once('?').unwrap_or((rest, ""));
        let location = location.strip_prefix("//").unwrap_or(location);
        let in_memory = location == ":memory:";
        let mut flags = OpenFlags::SQLITE_OPEN_NO_MUTEX;
        flags |= match options.split('&').find_map(|o| o.strip_prefix("mode=")) {
            Some("ro") => OpenFlags::SQLITE_OPEN_READ_ONLY,
            Some("rw") => OpenFlags::SQLITE_OPEN_READ_WRITE,
            _ => OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE,
        };
        // Each connection to `:memory:` is its own database: keep one.
        let size = if in_memory { 1 } else { sqlite_pool_size() };
        let pool = Arc::new(Self {
            path: (!in_memory).then(|| PathBuf::from(location)),
            flags,
            idle: Mutex::new(Vec::new()),
            permits: Arc::new(Semaphore::new(size as usize)),
            size,
        });
        pool.run(move |conn| {
            if !in_memory {
                // Readers do not wait for the writer, nor the writer for them.
                conn.pragma_update_and_check(None, "journal_mode", "WAL", |_| Ok(()))?;
            }
            conn.execute_batch(&schema(SQLITE_SEQ))?;
            conn.execute_batch(INDEX)?;
            Ok(())
        })
        .await?;
        Ok(pool)
    }

    fn connect(&self) -> Result<rusqlite::Connection, StoreError> {
        let conn = match &self.path {
            Some(path) => rusqlite::Connection::open_with_flags(path, self.flags)?,
            None => rusqlite::Connection::open_in_memory()?,
        };
        // Wait for a writer instead of failing at once.
        conn.busy_timeout(Duration::from_secs(5))?;
        // Keep each cached statement's plan: without this, SQLite prepares a
        // statement again whenever a new value is bound to a LIMIT or
        // compared to an integer, which was a third of a list's time.
        conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
        Ok(conn)
    }

    /// Runs `work` on a blocking thread with a connection of the pool,
    /// waiting at most [`ACQUIRE_TIMEOUT`] for one to be free.
    async fn run<T: Send + 'static>(
        self: &Arc<Self>,
        work: impl FnOnce(&mut rusqlite::Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let permit =
            tokio::time::timeout(ACQUIRE_TIMEOUT, Arc::clone(&self.permits).acquire_owned())
                .await
                .map_err(|_| StoreError::Busy)?
                .map_err(|_| StoreError::Closed)?;
        let pool = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let idle = pool
                .idle
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .pop();
            let mut conn = match idle {
                Some(conn) => conn,
                None => pool.connect()?,
            };
            let result = work(&mut conn);
            pool.idle
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(conn);
            result
        })
        .await
        .map_err(|_| StoreError::Closed)?
    }

    /// Waits for the queries in flight, then closes every connection.
    async fn close(&self) {
        if let Ok(all) = self.permits.acquire_many(self.size).await {
            self.permits.close();
            self.idle
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .clear();
            drop(all);
        }
    }
}
