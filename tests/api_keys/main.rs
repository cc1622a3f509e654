//! API keys made by the real `@better-auth/api-key` plugin (1.7.5,
//! `tests/fixtures/better-auth/apikey-server.mjs`), written into Better
//! Auth's `apikey` table in SQLite, and in PostgreSQL when
//! `JWTGUARD_TEST_DATABASE_URL` is set, then verified from requests.
//! Needs Node.js 20+ and npm.

use std::process::Command;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use http::HeaderMap;
use jwtguard::{
    ApiKeySettings, ClaimGuard, Claims, Clock, Credential, ErrorKind, RequestParts, SqlApiKeyStore,
    Verifier,
};
use serde_json::Value;
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{SqlitePool, SqlitePoolOptions};

/// What the fixture printed: the plaintext keys and the rows.
struct Fixture {
    user_id: String,
    keys: Value,
    rows: Vec<Value>,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        jwtguard_test_support::install();
        let output = Command::new("node")
            .arg("apikey-server.mjs")
            .current_dir(jwtguard_test_support::fixture_dir())
            .output()
            .expect("cannot run node: install Node.js 20+");
        assert!(
            output.status.success(),
            "apikey-server.mjs failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let printed: Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(printed["version"], "1.7.5");
        Fixture {
            user_id: printed["userId"].as_str().unwrap().to_owned(),
            keys: printed["keys"].clone(),
            rows: printed["rows"].as_array().unwrap().clone(),
        }
    })
}

fn key(name: &str) -> &'static str {
    fixture().keys[name].as_str().unwrap()
}

fn row(name: &str) -> &'static Value {
    fixture()
        .rows
        .iter()
        .find(|row| row["name"] == name)
        .unwrap()
}

/// The plugin's columns, as Better Auth's migrations create them.
#[derive(Clone, Copy)]
enum Type {
    Text,
    Int,
    Bool,
    Date,
}

const COLUMNS: &[(&str, Type)] = &[
    ("id", Type::Text),
    ("configId", Type::Text),
    ("name", Type::Text),
    ("start", Type::Text),
    ("referenceId", Type::Text),
    ("prefix", Type::Text),
    ("key", Type::Text),
    ("refillInterval", Type::Int),
    ("refillAmount", Type::Int),
    ("lastRefillAt", Type::Date),
    ("enabled", Type::Bool),
    ("rateLimitEnabled", Type::Bool),
    ("rateLimitTimeWindow", Type::Int),
    ("rateLimitMax", Type::Int),
    ("requestCount", Type::Int),
    ("remaining", Type::Int),
    ("lastRequest", Type::Date),
    ("expiresAt", Type::Date),
    ("createdAt", Type::Date),
    ("updatedAt", Type::Date),
    ("permissions", Type::Text),
    ("metadata", Type::Text),
];

/// Better Auth's database, with the fixture's rows in its `apikey` table.
enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool, String),
}

impl Db {
    /// SQLite as Better Auth's Kysely adapter writes it: dates as ISO-8601
    /// text, booleans as 0 or 1.
    async fn sqlite() -> Self {
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect("sqlite::memory:")
            .await
            .unwrap();
        let db = Db::Sqlite(pool);
        db.create().await;
        db
    }

    /// PostgreSQL in a schema of its own; `None` without
    /// `JWTGUARD_TEST_DATABASE_URL`.
    async fn postgres(name: &str) -> Option<Self> {
        let Ok(url) = std::env::var("JWTGUARD_TEST_DATABASE_URL") else {
            eprintln!("skipped: set JWTGUARD_TEST_DATABASE_URL to test against PostgreSQL");
            return None;
        };
        let pool = PgPoolOptions::new()
            .max_connections(4)
            .connect(&url)
            .await
            .unwrap();
        // Short: PostgreSQL names are at most 63 bytes.
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let schema = format!("jwtguard_apikey_{}_{n}", std::process::id());
        eprintln!("{name}: schema {schema}");
        for sql in [
            format!("drop schema if exists {schema} cascade"),
            format!("create schema {schema}"),
        ] {
            sqlx::query(&sql).execute(&pool).await.unwrap();
        }
        let db = Db::Postgres(pool, schema);
        db.create().await;
        Some(db)
    }

    fn table(&self) -> String {
        match self {
            Db::Sqlite(_) => "\"apikey\"".into(),
            Db::Postgres(_, schema) => format!("{schema}.\"apikey\""),
        }
    }

    async fn create(&self) {
        let postgres = matches!(self, Db::Postgres(..));
        let columns: Vec<String> = COLUMNS
            .iter()
            .map(|(name, kind)| {
                let sql_type = match (kind, postgres) {
                    (Type::Text, _) => "text",
                    (Type::Int, _) => "integer",
                    (Type::Bool, true) => "boolean",
                    (Type::Bool, false) => "integer",
                    (Type::Date, true) => "timestamptz",
                    (Type::Date, false) => "date",
                };
                let key = if *name == "id" { " primary key" } else { "" };
                format!("\"{name}\" {sql_type}{key}")
            })
            .collect();
        let create = format!("create table {} ({})", self.table(), columns.join(", "));
        self.execute(&create).await;
        let index = format!("create index apikey_key_idx on {} (\"key\")", self.table());
        self.execute(&index).await;
        for row in &fixture().rows {
            self.insert(row).await;
        }
    }

    async fn execute(&self, sql: &str) {
        match self {
            Db::Sqlite(pool) => {
                sqlx::query(sql).execute(pool).await.unwrap();
            }
            Db::Postgres(pool, _) => {
                sqlx::query(sql).execute(pool).await.unwrap();
            }
        }
    }

    async fn insert(&self, row: &Value) {
        let names: Vec<String> = COLUMNS
            .iter()
            .map(|(name, _)| format!("\"{name}\""))
            .collect();
        let values: Vec<String> = COLUMNS
            .iter()
            .enumerate()
            .map(|(i, (_, kind))| match (self, kind) {
                (Db::Postgres(..), Type::Date) => format!("CAST(${} AS timestamptz)", i + 1),
                (Db::Postgres(..), _) => format!("${}", i + 1),
                (Db::Sqlite(_), _) => format!("?{}", i + 1),
            })
            .collect();
        let sql = format!(
            "insert into {} ({}) values ({})",
            self.table(),
            names.join(", "),
            values.join(", ")
        );
        macro_rules! bind_all {
            ($query:expr) => {{
                let mut query = $query;
                for (name, kind) in COLUMNS {
                    let value = &row[*name];
                    query = match kind {
                        Type::Text | Type::Date => query.bind(value.as_str().map(str::to_owned)),
                        Type::Int => query.bind(value.as_i64()),
                        Type::Bool => query.bind(value.as_bool()),
                    };
                }
                query
            }};
        }
        match self {
            Db::Sqlite(pool) => {
                bind_all!(sqlx::query(&sql)).execute(pool).await.unwrap();
            }
            Db::Postgres(pool, _) => {
                bind_all!(sqlx::query(&sql)).execute(pool).await.unwrap();
            }
        }
    }

    fn store(&self) -> SqlApiKeyStore {
        match self {
            Db::Sqlite(pool) => SqlApiKeyStore::sqlite(pool.clone()),
            Db::Postgres(pool, schema) => SqlApiKeyStore::postgres(pool.clone())
                .table(&format!("{schema}.apikey"))
                .unwrap(),
        }
    }

    /// The key's `remaining` and `lastRefillAt` (as text), as stored now.
    async fn usage(&self, name: &str) -> (Option<i64>, Option<String>) {
        let sql = format!(
            "select cast(\"remaining\" as bigint), cast(\"lastRefillAt\" as text) from {} \
             where \"id\" = {}",
            self.table(),
            match self {
                Db::Sqlite(_) => "?1",
                Db::Postgres(..) => "$1",
            }
        );
        let id = row(name)["id"].as_str().unwrap();
        match self {
            Db::Sqlite(pool) => sqlx::query_as(&sql).bind(id).fetch_one(pool).await.unwrap(),
            Db::Postgres(pool, _) => sqlx::query_as(&sql).bind(id).fetch_one(pool).await.unwrap(),
        }
    }

    async fn drop_schema(self) {
        if let Db::Postgres(pool, schema) = self {
            let sql = format!("drop schema {schema} cascade");
            sqlx::query(&sql).execute(&pool).await.unwrap();
        }
    }
}

/// The unix time the fixture ran, give or take a second: its keys'
/// `createdAt`.
fn created_unix() -> i64 {
    let created = row("plain")["createdAt"].as_str().unwrap();
    time::OffsetDateTime::parse(created, &time::format_description::well_known::Rfc3339)
        .unwrap()
        .unix_timestamp()
}

fn verifier(db: &Db, clock: Clock, configure: fn(ApiKeySettings) -> ApiKeySettings) -> Verifier {
    Verifier::builder()
        .clock(clock)
        .api_keys(|keys| configure(keys.store(db.store())))
        .build()
        .unwrap()
}

fn at(seconds_after_creation: i64) -> Clock {
    Clock::fixed_unix(created_unix() + seconds_after_creation)
}

async fn send(verifier: &Verifier, headers: &[(&str, &str)]) -> Result<Claims, ErrorKind> {
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        map.append(
            http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
            value.parse().unwrap(),
        );
    }
    let request = RequestParts::new("GET", None, &map);
    verifier
        .verify_request::<Claims, _>(&request)
        .await
        .map_err(|error| error.kind())
}

async fn with_key(verifier: &Verifier, name: &str) -> Result<Claims, ErrorKind> {
    send(verifier, &[("x-api-key", key(name))]).await
}

// The checks, each run against SQLite and PostgreSQL.

async fn a_plugin_key_names_its_owner_as_subject(db: &Db) {
    let verifier = verifier(db, at(1), |keys| keys);
    let claims = with_key(&verifier, "plain").await.unwrap();
    assert_eq!(claims.sub(), fixture().user_id);
    assert_eq!(claims.credential(), Credential::ApiKey);
    assert_eq!(claims.get("apiKeyId"), Some(&row("plain")["id"]));
    assert_eq!(claims.get("configId"), Some(&Value::from("default")));
    assert!(claims.exp().is_none());
    // A key without `remaining` is never written.
    assert_eq!(db.usage("plain").await, (None, None));
}

async fn each_refusal_has_its_own_kind(db: &Db) {
    let verifier = verifier(db, at(1), |keys| keys);
    assert_eq!(
        with_key(&verifier, "disabled").await.unwrap_err(),
        ErrorKind::ApiKeyDisabled
    );
    // One character changed: another hash, no row.
    let mut wrong = key("plain").to_owned();
    let last = wrong.pop().unwrap();
    wrong.push(if last == 'a' { 'b' } else { 'a' });
    assert_eq!(
        send(&verifier, &[("x-api-key", &wrong)]).await.unwrap_err(),
        ErrorKind::InvalidApiKey
    );
    // Another app's key (another secret, another database): its hash is the
    // same unkeyed SHA-256, and this database has no row for it.
    assert_eq!(
        with_key(&verifier, "otherApp").await.unwrap_err(),
        ErrorKind::InvalidApiKey
    );
    // `expiresIn: 1 day`: valid until then, expired a second after.
    let claims = with_key(&verifier, "expiring").await.unwrap();
    assert!(claims.exp().is_some());
    let later = self::verifier(db, at(24 * 60 * 60 + 2), |keys| keys);
    assert_eq!(
        with_key(&later, "expiring").await.unwrap_err(),
        ErrorKind::ApiKeyExpired
    );
}

async fn remaining_counts_down_then_the_key_is_exhausted(db: &Db) {
    let verifier = verifier(db, at(1), |keys| keys);
    with_key(&verifier, "counted").await.unwrap();
    assert_eq!(db.usage("counted").await.0, Some(1));
    with_key(&verifier, "counted").await.unwrap();
    assert_eq!(db.usage("counted").await.0, Some(0));
    assert_eq!(
        with_key(&verifier, "counted").await.unwrap_err(),
        ErrorKind::ApiKeyExhausted
    );
    assert_eq!(db.usage("counted").await.0, Some(0));
}

async fn read_only_keys_are_checked_but_not_counted(db: &Db) {
    let verifier = verifier(db, at(1), ApiKeySettings::read_only);
    for _ in 0..3 {
        with_key(&verifier, "counted").await.unwrap();
    }
    assert_eq!(db.usage("counted").await, (Some(2), None));
}

async fn a_refill_restores_the_amount_after_its_interval(db: &Db) {
    let now = verifier(db, at(1), |keys| keys);
    with_key(&now, "refilled").await.unwrap();
    with_key(&now, "refilled").await.unwrap();
    assert_eq!(
        with_key(&now, "refilled").await.unwrap_err(),
        ErrorKind::ApiKeyExhausted
    );
    // `refillInterval: 60000` ms after `createdAt`: refilled to
    // `refillAmount` (2), of which this request uses one.
    let later = verifier(db, at(62), |keys| keys);
    with_key(&later, "refilled").await.unwrap();
    let (remaining, last_refill) = db.usage("refilled").await;
    assert_eq!(remaining, Some(1));
    assert!(last_refill.is_some());
    with_key(&later, "refilled").await.unwrap();
    // The refill is not due again until another interval has passed.
    assert_eq!(
        with_key(&later, "refilled").await.unwrap_err(),
        ErrorKind::ApiKeyExhausted
    );
    assert_eq!(db.usage("refilled").await.0, Some(0));
}

async fn concurrent_uses_never_exceed_remaining(db: &Db) {
    let verifier = std::sync::Arc::new(verifier(db, at(1), |keys| keys));
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let verifier = verifier.clone();
            tokio::spawn(async move { with_key(&verifier, "counted").await.is_ok() })
        })
        .collect();
    let mut accepted = 0;
    for task in tasks {
        accepted += usize::from(task.await.unwrap());
    }
    assert_eq!(accepted, 2);
    assert_eq!(db.usage("counted").await.0, Some(0));
}

async fn permissions_feed_the_permission_guard(db: &Db) {
    let verifier = verifier(db, at(1), |keys| keys);
    let claims = with_key(&verifier, "permitted").await.unwrap();
    ClaimGuard::permission("files", "read")
        .check(&claims)
        .unwrap();
    assert_eq!(
        ClaimGuard::permission("files", "write")
            .check(&claims)
            .unwrap_err()
            .kind(),
        ErrorKind::InsufficientClaims
    );
    let plain = with_key(&verifier, "plain").await.unwrap();
    assert!(
        ClaimGuard::permission("files", "read")
            .check(&plain)
            .is_err()
    );
}

async fn a_key_sent_twice_or_with_authorization_is_refused(db: &Db) {
    let verifier = verifier(db, at(1), |keys| keys);
    let refused = [
        vec![("x-api-key", key("plain")), ("x-api-key", key("plain"))],
        vec![
            ("x-api-key", key("plain")),
            ("authorization", "Bearer a.b.c"),
        ],
    ];
    for headers in refused {
        assert_eq!(
            send(&verifier, &headers).await.unwrap_err(),
            ErrorKind::MultipleCredentials
        );
    }
    assert_eq!(
        send(&verifier, &[("x-api-key", "not a key")])
            .await
            .unwrap_err(),
        ErrorKind::InvalidApiKey
    );
    assert_eq!(
        send(&verifier, &[]).await.unwrap_err(),
        ErrorKind::MissingCredentials
    );
    // Configured headers replace `x-api-key`.
    let custom = self::verifier(db, at(1), |keys| keys.header("x-service-key"));
    let claims = send(&custom, &[("x-service-key", key("plain"))])
        .await
        .unwrap();
    assert_eq!(claims.sub(), fixture().user_id);
    assert_eq!(
        with_key(&custom, "plain").await.unwrap_err(),
        ErrorKind::MissingCredentials
    );
}

async fn a_store_that_cannot_answer_is_a_503(db: &Db) {
    let verifier = verifier(db, at(1), |keys| keys);
    db.execute(&format!("alter table {} rename to \"gone\"", db.table()))
        .await;
    let error = with_key(&verifier, "plain").await.unwrap_err();
    assert_eq!(error, ErrorKind::ApiKeyStoreUnavailable);
    assert_eq!(jwtguard::Error::from(error).status(), 503);
}

macro_rules! on_both {
    ($($check:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $check() {
                    super::$check(&super::Db::sqlite().await).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $check() {
                    if let Some(db) = super::Db::postgres(stringify!($check)).await {
                        super::$check(&db).await;
                        db.drop_schema().await;
                    }
                }
            )*
        }
    };
}

on_both!(
    a_plugin_key_names_its_owner_as_subject,
    each_refusal_has_its_own_kind,
    remaining_counts_down_then_the_key_is_exhausted,
    read_only_keys_are_checked_but_not_counted,
    a_refill_restores_the_amount_after_its_interval,
    concurrent_uses_never_exceed_remaining,
    permissions_feed_the_permission_guard,
    a_key_sent_twice_or_with_authorization_is_refused,
    a_store_that_cannot_answer_is_a_503,
);
