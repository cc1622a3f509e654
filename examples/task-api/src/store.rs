//! Tasks in SQL: one code path for SQLite (the default) and PostgreSQL,
//! through sqlx's `Any` driver. Every query is scoped by `user_id`.

use std::time::Duration;

use sqlx::any::{AnyPoolOptions, AnyRow, install_default_drivers};
use sqlx::{AnyPool, Executor, Row};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::model::{NewTask, Task, TaskChanges};
use crate::query::ListQuery;

/// What can go wrong talking to the database. Its text is for logs only.
pub type StoreError = sqlx::Error;

const COLUMNS: &str = "id, user_id, title, description, completed, created_at, updated_at";

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

/// The task table behind a connection pool.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
}

impl Store {
    /// Connects to `url` (`sqlite:...` or `postgres://...`) and creates the
    /// schema if it is not there yet.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        install_default_drivers();
        let sqlite = url.starts_with("sqlite:");
        let in_memory = sqlite && url.contains(":memory:");
        let url = sqlite_url_with_create(url);
        let pool = AnyPoolOptions::new()
            // Each connection to `sqlite::memory:` is its own database: keep one.
            .max_connections(if in_memory { 1 } else { 8 })
            .min_connections(if in_memory { 1 } else { 0 })
            .idle_timeout(if in_memory {
                None
            } else {
                Some(Duration::from_secs(600))
            })
            .max_lifetime(if in_memory {
                None
            } else {
                Some(Duration::from_secs(1800))
            })
            .acquire_timeout(Duration::from_secs(3))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if sqlite {
                        // Wait for a writer instead of failing at once.
                        conn.execute("PRAGMA busy_timeout = 5000").await?;
                    }
                    Ok(())
                })
            })
            .connect(&url)
            .await?;
        if sqlite {
            if !in_memory {
                pool.execute("PRAGMA journal_mode = WAL").await?;
            }
            pool.execute(schema(SQLITE_SEQ).as_str()).await?;
            pool.execute(INDEX).await?;
        } else {
            // Two servers starting on a new database would race on CREATE
            // TABLE IF NOT EXISTS; a session lock makes one wait for the other.
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
        }
        Ok(Self { pool })
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }

    /// Waits for queries in flight and closes every connection.
    pub async fn close(&self) {
        self.pool.close().await;
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
        sqlx::query(
            "INSERT INTO tasks (id, user_id, title, description, completed, created_at, updated_at)
             VALUES ($1, $2, $3, $4, 0, $5, $6)",
        )
        .bind(&task.id)
        .bind(&task.user_id)
        .bind(&task.title)
        .bind(&task.description)
        .bind(&task.created_at)
        .bind(&task.updated_at)
        .execute(&self.pool)
        .await?;
        Ok(task)
    }

    /// One page of the user's tasks, newest first, and how many match in all.
    pub async fn list(
        &self,
        user_id: &str,
        query: ListQuery,
    ) -> Result<(Vec<Task>, i64), StoreError> {
        // -1 means "either": one statement for both filters.
        let completed = query.completed.map_or(-1, i64::from);
        let total: i64 = sqlx::query(
            "SELECT COUNT(*) FROM tasks WHERE user_id = $1 AND ($2 < 0 OR completed = $2)",
        )
        .bind(user_id)
        .bind(completed)
        .fetch_one(&self.pool)
        .await?
        .try_get(0)?;
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM tasks WHERE user_id = $1 AND ($2 < 0 OR completed = $2)
             ORDER BY seq DESC LIMIT $3 OFFSET $4"
        ))
        .bind(user_id)
        .bind(completed)
        .bind(query.limit)
        .bind(query.offset)
        .fetch_all(&self.pool)
        .await?;
        let tasks = rows.iter().map(task).collect::<Result<_, _>>()?;
        Ok((tasks, total))
    }

    pub async fn get(&self, user_id: &str, id: &str) -> Result<Option<Task>, StoreError> {
        sqlx::query(&format!(
            "SELECT {COLUMNS} FROM tasks WHERE user_id = $1 AND id = $2"
        ))
        .bind(user_id)
        .bind(id)
        .fetch_optional(&self.pool)
        .await
        .and_then(one_task)
    }

    /// Applies `changes` in one statement, so concurrent updates of other
    /// fields are not lost.
    pub async fn update(
        &self,
        user_id: &str,
        id: &str,
        changes: TaskChanges,
    ) -> Result<Option<Task>, StoreError> {
        let (set_description, description) = match changes.description {
            Some(description) => (1_i64, description),
            None => (0, None),
        };
        sqlx::query(&format!(
            "UPDATE tasks SET
                title = COALESCE($1, title),
                description = CASE WHEN $2 = 1 THEN $3 ELSE description END,
                completed = COALESCE($4, completed),
                updated_at = $5
             WHERE user_id = $6 AND id = $7
             RETURNING {COLUMNS}"
        ))
        .bind(changes.title)
        .bind(set_description)
        .bind(description)
        .bind(changes.completed.map(i64::from))
        .bind(timestamp())
        .bind(user_id)
        .bind(id)
        .fetch_optional(&self.pool)
        .await
        .and_then(one_task)
    }

    /// Flips `completed` atomically.
    pub async fn toggle(&self, user_id: &str, id: &str) -> Result<Option<Task>, StoreError> {
        sqlx::query(&format!(
            "UPDATE tasks SET completed = 1 - completed, updated_at = $1
             WHERE user_id = $2 AND id = $3
             RETURNING {COLUMNS}"
        ))
        .bind(timestamp())
        .bind(user_id)
        .bind(id)
        .fetch_optional(&self.pool)
        .await
        .and_then(one_task)
    }

    pub async fn delete(&self, user_id: &str, id: &str) -> Result<bool, StoreError> {
        let result = sqlx::query("DELETE FROM tasks WHERE user_id = $1 AND id = $2")
            .bind(user_id)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(result.rows_affected() > 0)
    }
}

/// The task in a row that a query may or may not have found.
fn one_task(row: Option<AnyRow>) -> Result<Option<Task>, StoreError> {
    row.as_ref().map(task).transpose()
}

fn task(row: &AnyRow) -> Result<Task, StoreError> {
    Ok(Task {
        id: row.try_get("id")?,
        user_id: row.try_get("user_id")?,
        title: row.try_get("title")?,
        description: row.try_get("description")?,
        completed: row.try_get::<i64, _>("completed")? != 0,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
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

/// Lets a plain `sqlite:tasks.db` URL create its file on first start.
fn sqlite_url_with_create(url: &str) -> String {
    if url.starts_with("sqlite:") && !url.contains(":memory:") && !url.contains("mode=") {
        let separator = if url.contains('?') { '&' } else { '?' };
        format!("{url}{separator}mode=rwc")
    } else {
        url.to_owned()
    }
}
