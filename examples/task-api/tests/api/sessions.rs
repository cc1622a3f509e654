//! Better Auth's session credentials through both servers. The real
//! `better-auth` package mints them: `tests/fixtures/better-auth/session-server.mjs`
//! (at the workspace root) signs a user up on loopback, hands out its
//! session cookie, cookie cache and bearer token, and keeps serving
//! `get-session` and `sign-out`. The verifier is the servers' own, built by
//! `Config::from_env_with` from Better Auth's variables. Sessions in Better
//! Auth's database are minted with `SessionMinter` and written into its
//! tables as Better Auth writes them.
//!
//! Needs Node.js 20+ and npm; the first run installs the pinned package
//! with `npm ci`.

use std::path::PathBuf;

use jwtguard::Verifier;
use jwtguard::testing::{SessionMinter, TokenMinter};
use jwtguard_test_support::{BetterAuth, env};
use serde_json::json;
use task_api::config::Config;

use crate::harness::*;

const SECRET: &str = "better-auth-secret-0123456789abcdefghij";
const NEW_SECRET: &str = "the-new-secret-0123456789abcdefghijkl";
const OLD_SECRET: &str = "the-old-secret-0123456789abcdefghijkl";

on_both_servers_with!(
    compact_cookie_cache_lists_and_creates,
    jwt_cookie_cache_lists_and_creates,
    jwe_cookie_cache_lists_and_creates,
    session_tokens_are_resolved_by_the_real_get_session,
    signed_out_sessions_are_refused_when_answers_are_not_reused,
    better_auth_secrets_rotation,
    credentials_of_the_wrong_kind_are_refused,
    sql_store_resolves_sessions_in_better_auths_sqlite_database,
    sql_store_refuses_deleted_and_expired_sessions,
);

// ---------------------------------------------------------------------------
// The real Better Auth, and the servers' configuration.
// ---------------------------------------------------------------------------

/// The user's tasks: `/api/<the signed-up user's id>/tasks`.
fn tasks(better_auth: &BetterAuth) -> String {
    format!("/api/{}/tasks", better_auth.text("userId"))
}

/// The servers' verifier, configured by `vars` alone, as `tasks_axum` and
/// `tasks_actix` configure theirs from the environment.
async fn verifier(vars: &[(&str, String)]) -> Verifier {
    Config::from_env_with(env(vars))
        .await
        .unwrap_or_else(|error| panic!("{error}"))
        .verifier
}

// ---------------------------------------------------------------------------
// Requests with session credentials.
// ---------------------------------------------------------------------------

fn with_cookies(request: Req, cookies: &str) -> Req {
    request.header("cookie", cookies)
}

/// A create as the front end sends it with cookies: from its own origin.
fn create_with_cookies(path: &str, cookies: &str, title: &str) -> Req {
    with_cookies(Req::post(path), cookies)
        .header("origin", FRONTEND)
        .json(json!({ "title": title }))
}

/// Lists, creates, and lists again: the new task is there, the user's.
async fn lists_and_creates(server: &impl Server, path: &str, credential: impl Fn(Req) -> Req) {
    let before = server.send(credential(Req::get(path))).await.expect(200);
    let count: usize = before
        .header("x-total-count")
        .and_then(|total| total.parse().ok())
        .unwrap_or_else(|| panic!("no X-Total-Count: {}", before.context()));
    let title = format!("from a session {}", random_uuid());
    let created = server
        .send(credential(Req::post(path)).json(json!({ "title": title })))
        .await
        .expect(201)
        .json();
    assert_eq!(created["title"], json!(title));
    let after = server.send(credential(Req::get(path))).await.expect(200);
    assert_eq!(
        after.header("x-total-count"),
        Some((count + 1).to_string().as_str()),
        "{}",
        after.context()
    );
    assert_eq!(after.json()[0]["user_id"], created["user_id"]);
}

/// Checks a refusal's status and stable `code`.
#[track_caller]
fn refused(reply: Reply, status: u16, code: &str) {
    let reply = reply.expect(status);
    assert_eq!(reply.json()["code"], json!(code), "{}", reply.context());
}

/// The cookie `pair` with the first character of its value changed: the
/// session token no longer matches its signature.
fn tamper(pair: &str) -> String {
    let (name, value) = pair.split_once('=').expect("name=value");
    let first = if value.starts_with('A') { 'B' } else { 'A' };
    format!("{name}={first}{}", &value[1..])
}

// ---------------------------------------------------------------------------
// The cookie cache, in each of Better Auth's strategies.
// ---------------------------------------------------------------------------

async fn compact_cookie_cache_lists_and_creates<S: Server>(serve: impl AsyncFn(Verifier) -> S) {
    the_cookie_cache_lists_and_creates(serve, "compact").await;
}

async fn jwt_cookie_cache_lists_and_creates<S: Server>(serve: impl AsyncFn(Verifier) -> S) {
    the_cookie_cache_lists_and_creates(serve, "jwt").await;
}

async fn jwe_cookie_cache_lists_and_creates<S: Server>(serve: impl AsyncFn(Verifier) -> S) {
    the_cookie_cache_lists_and_creates(serve, "jwe").await;
}

/// The session cookie and its cache, no store: the user's own tasks, not
/// another user's; a tampered cookie, or a create from another site, is refused.
async fn the_cookie_cache_lists_and_creates<S: Server>(
    serve: impl AsyncFn(Verifier) -> S,
    strategy: &str,
) {
    let better_auth = BetterAuth::start(&[("BA_SECRET", SECRET), ("BA_COOKIE_CACHE", strategy)]);
    let server = serve(
        verifier(&[
            ("BETTER_AUTH_SECRET", SECRET.into()),
            ("BETTER_AUTH_COOKIE_CACHE", strategy.into()),
        ])
        .await,
    )
    .await;
    let cookies = better_auth.browser_cookies();
    let path = tasks(&better_auth);
    lists_and_creates(&server, &path, |request| {
        with_cookies(request, &cookies).header("origin", FRONTEND)
    })
    .await;

    let others = Req::get(format!("/api/{}/tasks", random_uuid()));
    refused(
        server.send(with_cookies(others, &cookies)).await,
        403,
        "forbidden",
    );
    let tampered = format!(
        "{}; better-auth.session_data={}",
        tamper(&better_auth.token_cookie()),
        better_auth.cache_value()
    );
    refused(
        server.send(with_cookies(Req::get(&path), &tampered)).await,
        401,
        "invalid_signature",
    );
    // A browser sends the cookies with a form another site posts: without
    // the front end's Origin, nothing is created.
    let cross_site = with_cookies(Req::post(&path), &cookies)
        .header("origin", "https://evil.example")
        .json(json!({ "title": "forged" }));
    refused(server.send(cross_site).await, 403, "origin_not_allowed");
    let no_origin = with_cookies(Req::post(&path), &cookies).json(json!({ "title": "forged" }));
    refused(server.send(no_origin).await, 403, "origin_not_allowed");
}

// ---------------------------------------------------------------------------
// Session tokens resolved by Better Auth's get-session.
// ---------------------------------------------------------------------------

/// The token cookie alone, and the bearer plugin's token, each resolved by
/// the real `get-session`.
async fn session_tokens_are_resolved_by_the_real_get_session<S: Server>(
    serve: impl AsyncFn(Verifier) -> S,
) {
    let better_auth = BetterAuth::start(&[("BA_SECRET", SECRET)]);
    let server = serve(
        verifier(&[
            ("BETTER_AUTH_SECRET", SECRET.into()),
            ("BETTER_AUTH_SESSION_URL", better_auth.url()),
            ("BETTER_AUTH_BEARER", "true".into()),
        ])
        .await,
    )
    .await;
    let path = tasks(&better_auth);
    let cookie = better_auth.token_cookie();
    lists_and_creates(&server, &path, |request| {
        with_cookies(request, &cookie).header("origin", FRONTEND)
    })
    .await;
    let bearer = better_auth.text("bearer");
    lists_and_creates(&server, &path, |request| request.bearer(&bearer)).await;

    let others = format!("/api/{}/tasks", random_uuid());
    refused(
        server.send(Req::get(&others).bearer(&bearer)).await,
        403,
        "forbidden",
    );
    refused(
        server
            .send(with_cookies(Req::get(&path), &tamper(&cookie)))
            .await,
        401,
        "invalid_signature",
    );
}

/// With `SESSION_CACHE_TTL_SECONDS=0` every request asks Better Auth: once
/// signed out there, the cookie and the bearer token are refused.
async fn signed_out_sessions_are_refused_when_answers_are_not_reused<S: Server>(
    serve: impl AsyncFn(Verifier) -> S,
) {
    let better_auth = BetterAuth::start(&[("BA_SECRET", SECRET)]);
    let server = serve(
        verifier(&[
            ("BETTER_AUTH_SECRET", SECRET.into()),
            ("BETTER_AUTH_SESSION_URL", better_auth.url()),
            ("BETTER_AUTH_BEARER", "true".into()),
            ("SESSION_CACHE_TTL_SECONDS", "0".into()),
        ])
        .await,
    )
    .await;
    let path = tasks(&better_auth);
    let cookie = better_auth.token_cookie();
    let bearer = better_auth.text("bearer");
    server
        .send(with_cookies(Req::get(&path), &cookie))
        .await
        .expect(200);
    server
        .send(Req::get(&path).bearer(&bearer))
        .await
        .expect(200);

    better_auth.sign_out();
    refused(
        server.send(with_cookies(Req::get(&path), &cookie)).await,
        401,
        "session_not_found",
    );
    refused(
        server.send(Req::get(&path).bearer(&bearer)).await,
        401,
        "session_not_found",
    );
    refused(
        server
            .send(create_with_cookies(&path, &cookie, "after sign-out"))
            .await,
        401,
        "session_not_found",
    );
}

// ---------------------------------------------------------------------------
// Rotation, and credentials sent where another kind belongs.
// ---------------------------------------------------------------------------

/// Better Auth signing with the newest of `BA_SECRETS`: a server configured
/// with the same `BETTER_AUTH_SECRETS` takes its cookies (the `jwe` cache
/// and, alone, the token cookie through get-session); one still on the old
/// secret alone does not.
async fn better_auth_secrets_rotation<S: Server>(serve: impl AsyncFn(Verifier) -> S) {
    let secrets = format!("2:{NEW_SECRET},1:{OLD_SECRET}");
    let better_auth = BetterAuth::start(&[("BA_SECRETS", &secrets), ("BA_COOKIE_CACHE", "jwe")]);
    let rotated = serve(
        verifier(&[
            ("BETTER_AUTH_SECRETS", secrets.clone()),
            ("BETTER_AUTH_COOKIE_CACHE", "jwe".into()),
            ("BETTER_AUTH_SESSION_URL", better_auth.url()),
        ])
        .await,
    )
    .await;
    let path = tasks(&better_auth);
    let cookies = better_auth.browser_cookies();
    lists_and_creates(&rotated, &path, |request| {
        with_cookies(request, &cookies).header("origin", FRONTEND)
    })
    .await;
    let token_cookie = better_auth.token_cookie();
    rotated
        .send(with_cookies(Req::get(&path), &token_cookie))
        .await
        .expect(200);

    let stale = serve(
        verifier(&[
            ("BETTER_AUTH_SECRET", OLD_SECRET.into()),
            ("BETTER_AUTH_COOKIE_CACHE", "jwe".into()),
        ])
        .await,
    )
    .await;
    refused(
        stale.send(with_cookies(Req::get(&path), &cookies)).await,
        401,
        "invalid_signature",
    );
}

/// A bearer JWT sent as the cookie cache, and the `jwt` cookie cache sent
/// as a bearer token: each refused with the code that says so.
async fn credentials_of_the_wrong_kind_are_refused<S: Server>(serve: impl AsyncFn(Verifier) -> S) {
    let better_auth = BetterAuth::start(&[("BA_SECRET", SECRET), ("BA_COOKIE_CACHE", "jwt")]);
    let server = serve(
        verifier(&[
            ("BETTER_AUTH_SECRET", SECRET.into()),
            ("BETTER_AUTH_COOKIE_CACHE", "jwt".into()),
        ])
        .await,
    )
    .await;
    let path = tasks(&better_auth);
    // An HS256 JWT for the same user, signed with the same secret.
    let jwt = TokenMinter::new(SECRET)
        .subject(better_auth.text("userId"))
        .sign();
    server.send(Req::get(&path).bearer(&jwt)).await.expect(200);
    let jwt_as_cache = format!(
        "{}; better-auth.session_data={jwt}",
        better_auth.token_cookie()
    );
    refused(
        server
            .send(with_cookies(Req::get(&path), &jwt_as_cache))
            .await,
        401,
        "wrong_credential_kind",
    );
    refused(
        server
            .send(Req::get(&path).bearer(&better_auth.cache_value()))
            .await,
        401,
        "session_cache_token",
    );
}

// ---------------------------------------------------------------------------
// Sessions in Better Auth's own database (BETTER_AUTH_DATABASE_URL).
// ---------------------------------------------------------------------------

/// Better Auth 1.7.25's SQLite tables (`npx @better-auth/cli migrate`).
const BETTER_AUTH_SQLITE_DDL: [&str; 2] = [
    r#"create table "user" ("id" text not null primary key, "name" text not null, "email" text not null unique, "emailVerified" integer not null, "image" text, "createdAt" date not null, "updatedAt" date not null)"#,
    r#"create table "session" ("id" text not null primary key, "expiresAt" date not null, "token" text not null unique, "createdAt" date not null, "updatedAt" date not null, "ipAddress" text, "userAgent" text, "userId" text not null references "user" ("id") on delete cascade)"#,
];

/// A Better Auth SQLite database file, deleted on drop.
struct BetterAuthDatabase {
    path: PathBuf,
    pool: sqlx::SqlitePool,
}

impl BetterAuthDatabase {
    async fn create() -> Self {
        let path = std::env::temp_dir().join(format!("task-api-better-auth-{}.db", random_uuid()));
        let options = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(&path)
            .create_if_missing(true);
        let pool = sqlx::sqlite::SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await
            .expect("a new SQLite file");
        for ddl in BETTER_AUTH_SQLITE_DDL {
            sqlx::query(ddl).execute(&pool).await.unwrap();
        }
        Self { path, pool }
    }

    /// `BETTER_AUTH_DATABASE_URL` for this file.
    fn url(&self) -> String {
        format!("sqlite:{}", self.path.display())
    }

    /// A session for a new user, written as Better Auth's sign-in writes
    /// it, expiring at `expires_at` (seconds since the epoch).
    async fn insert(&self, expires_at: i64) -> SessionMinter {
        let user_id = format!("user-{}", random_uuid());
        let session = SessionMinter::new(SECRET)
            .token(random_uuid().replace('-', ""))
            .session_id(format!("session-{}", random_uuid()))
            .user_id(&user_id)
            .expires_at(expires_at);
        let now = iso_date(time::OffsetDateTime::now_utc().unix_timestamp());
        sqlx::query(
            r#"insert into "user" ("id","name","email","emailVerified","image","createdAt","updatedAt")
               values (?1, 'Ada Lovelace', ?2, 1, null, ?3, ?3)"#,
        )
        .bind(&user_id)
        .bind(format!("{user_id}@example.com"))
        .bind(&now)
        .execute(&self.pool)
        .await
        .unwrap();
        sqlx::query(
            r#"insert into "session" ("id","expiresAt","token","createdAt","updatedAt","ipAddress","userAgent","userId")
               values (?1, ?2, ?3, ?4, ?4, '127.0.0.1', 'test', ?5)"#,
        )
        .bind(format!("session-of-{user_id}"))
        .bind(iso_date(expires_at))
        .bind(session.session_token())
        .bind(&now)
        .bind(&user_id)
        .execute(&self.pool)
        .await
        .unwrap();
        session
    }

    /// What Better Auth's sign-out does.
    async fn delete(&self, session: &SessionMinter) {
        sqlx::query(r#"delete from "session" where "token" = ?1"#)
            .bind(session.session_token())
            .execute(&self.pool)
            .await
            .unwrap();
    }
}

impl Drop for BetterAuthDatabase {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// A date as Better Auth's SQLite adapter stores it: `2026-12-08T05:44:51.761Z`.
fn iso_date(unix_seconds: i64) -> String {
    let date = time::OffsetDateTime::from_unix_timestamp(unix_seconds).expect("a date");
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.000Z",
        date.year(),
        u8::from(date.month()),
        date.day(),
        date.hour(),
        date.minute(),
        date.second()
    )
}

fn in_a_week() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp() + 7 * 24 * 3600
}

/// The session's user's tasks.
fn session_path(session: &SessionMinter) -> String {
    format!("/api/{}/tasks", session.record().user_id())
}

fn session_cookie(session: &SessionMinter) -> String {
    format!("better-auth.session_token={}", session.cookie_value())
}

/// The session cookie and the bearer plugin's token, resolved in Better
/// Auth's SQLite database; another user's path is still 403.
async fn sql_store_resolves_sessions_in_better_auths_sqlite_database<S: Server>(
    serve: impl AsyncFn(Verifier) -> S,
) {
    let database = BetterAuthDatabase::create().await;
    let session = database.insert(in_a_week()).await;
    let server = serve(
        verifier(&[
            ("BETTER_AUTH_SECRET", SECRET.into()),
            ("BETTER_AUTH_DATABASE_URL", database.url()),
            ("BETTER_AUTH_BEARER", "true".into()),
        ])
        .await,
    )
    .await;
    let path = session_path(&session);
    let cookie = session_cookie(&session);
    lists_and_creates(&server, &path, |request| {
        with_cookies(request, &cookie).header("origin", FRONTEND)
    })
    .await;
    let bearer = session.bearer_value();
    lists_and_creates(&server, &path, |request| request.bearer(&bearer)).await;
    let others = format!("/api/{}/tasks", random_uuid());
    refused(
        server.send(with_cookies(Req::get(others), &cookie)).await,
        403,
        "forbidden",
    );
    // A token with no row, correctly signed: nobody's session.
    let unknown = SessionMinter::new(SECRET).token(random_uuid().replace('-', ""));
    refused(
        server
            .send(with_cookies(Req::get(&path), &session_cookie(&unknown)))
            .await,
        401,
        "session_not_found",
    );
}

/// A deleted row (sign-out) is refused once the answer is no longer reused
/// (here: never reused), and a row past its `expiresAt` is refused as
/// expired. Reused answers outlive the row for the cache's time to live.
async fn sql_store_refuses_deleted_and_expired_sessions<S: Server>(
    serve: impl AsyncFn(Verifier) -> S,
) {
    let database = BetterAuthDatabase::create().await;
    let session = database.insert(in_a_week()).await;
    let vars = |ttl: &str| {
        [
            ("BETTER_AUTH_SECRET", SECRET.to_owned()),
            ("BETTER_AUTH_DATABASE_URL", database.url()),
            ("SESSION_CACHE_TTL_SECONDS", ttl.to_owned()),
        ]
    };
    let uncached = serve(verifier(&vars("0")).await).await;
    let cached = serve(verifier(&vars("3600")).await).await;
    let path = session_path(&session);
    let cookie = session_cookie(&session);
    for server in [&uncached, &cached] {
        server
            .send(with_cookies(Req::get(&path), &cookie))
            .await
            .expect(200);
    }

    database.delete(&session).await;
    refused(
        uncached.send(with_cookies(Req::get(&path), &cookie)).await,
        401,
        "session_not_found",
    );
    cached
        .send(with_cookies(Req::get(&path), &cookie))
        .await
        .expect(200);

    let expired = database.insert(in_a_week() - 30 * 24 * 3600).await;
    refused(
        uncached
            .send(with_cookies(
                Req::get(session_path(&expired)),
                &session_cookie(&expired),
            ))
            .await,
        401,
        "token_expired",
    );
}

// ---------------------------------------------------------------------------
// The configuration's refusals: one line saying what to set.
// ---------------------------------------------------------------------------

async fn config_error(vars: &[(&str, &str)]) -> String {
    match Config::from_env_with(env(vars)).await {
        Ok(_) => panic!("accepted: {vars:?}"),
        Err(error) => error,
    }
}

#[tokio::test]
async fn two_places_to_resolve_sessions_are_refused() {
    let error = config_error(&[
        ("BETTER_AUTH_SECRET", SECRET),
        ("BETTER_AUTH_SESSION_URL", "http://127.0.0.1:3000"),
        ("BETTER_AUTH_DATABASE_URL", "sqlite::memory:"),
    ])
    .await;
    assert!(
        error.contains("BETTER_AUTH_SESSION_URL or BETTER_AUTH_DATABASE_URL, not both"),
        "{error}"
    );
}

#[tokio::test]
async fn a_session_database_that_is_not_postgres_or_sqlite_is_refused() {
    let error = config_error(&[
        ("BETTER_AUTH_SECRET", SECRET),
        ("BETTER_AUTH_DATABASE_URL", "mysql://auth@localhost/auth"),
    ])
    .await;
    assert!(error.contains("postgres://... or sqlite:..."), "{error}");
}

#[tokio::test]
async fn an_unreachable_session_database_stops_the_server_without_its_password() {
    let error = config_error(&[
        ("BETTER_AUTH_SECRET", SECRET),
        (
            "BETTER_AUTH_DATABASE_URL",
            "postgres://auth:hunter2@127.0.0.1:1/auth",
        ),
    ])
    .await;
    assert!(
        error.starts_with("cannot connect to BETTER_AUTH_DATABASE_URL postgres://auth:***@"),
        "{error}"
    );
    assert!(!error.contains("hunter2"), "{error}");
    let missing = std::env::temp_dir().join(format!("no-such-{}.db", random_uuid()));
    let error = config_error(&[
        ("BETTER_AUTH_SECRET", SECRET),
        (
            "BETTER_AUTH_DATABASE_URL",
            &format!("sqlite:{}", missing.display()),
        ),
    ])
    .await;
    assert!(error.contains("unable to open database file"), "{error}");
}

#[tokio::test]
async fn a_session_cache_ttl_that_is_not_whole_seconds_is_refused() {
    let error = config_error(&[
        ("BETTER_AUTH_SECRET", SECRET),
        ("SESSION_CACHE_TTL_SECONDS", "1.5"),
    ])
    .await;
    assert!(
        error.contains("SESSION_CACHE_TTL_SECONDS must be"),
        "{error}"
    );
}

#[tokio::test]
async fn the_accepted_credentials_are_named_without_secrets() {
    let vars = [
        ("BETTER_AUTH_SECRET", SECRET),
        ("BETTER_AUTH_COOKIE_CACHE", "compact"),
        ("BETTER_AUTH_SESSION_URL", "http://127.0.0.1:3000"),
        ("BETTER_AUTH_BEARER", "true"),
        ("SESSION_CACHE_TTL_SECONDS", "5"),
    ];
    let config = Config::from_env_with(env(&vars)).await.unwrap();
    assert_eq!(
        config.credentials,
        [
            "HS256 JWT (shared secret)",
            "session cookie with its compact cookie cache",
            "session cookie resolved by http://127.0.0.1:3000/api/auth/get-session (answers reused 5 s)",
            "bearer plugin token, resolved the same way",
        ]
    );
}
