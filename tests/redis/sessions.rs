//! Sessions Better Auth wrote to Redis: accepted from the cookie alone,
//! refused once signed out, revoked, expired or gone, with the user's ban.

use std::time::Duration;

use jwtguard::{ClaimGuard, Credential, ErrorKind, RedisSessionStore};
use serde_json::{Value, json};

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_session_cookie_alone_is_accepted_from_redis_without_a_session_table() {
    let redis = RedisServer::start();
    let app = better_auth(&redis, &[]);
    let verifier = from_env(&redis, &[], Duration::ZERO);

    let claims = verify_cookie(&verifier, &app.token_cookie()).await.unwrap();
    assert_eq!(claims.sub(), app.text("userId"));
    assert_eq!(claims.credential(), Credential::SessionToken);
    assert_eq!(claims.get("email"), Some(&json!("ada@example.com")));
    assert!(claims.sid().is_some_and(|sid| !sid.is_empty()));
    // Resolved in Redis, never by asking the app.
    assert_eq!(app.get_session_count(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_apps_key_prefix_is_the_one_read() {
    let redis = RedisServer::start();
    let app = better_auth(&redis, &[("BA_REDIS_PREFIX", "tasks:")]);
    let cookie = app.token_cookie();

    let prefixed = from_env(
        &redis,
        &[("BETTER_AUTH_REDIS_PREFIX", "tasks:")],
        Duration::ZERO,
    );
    assert!(verify_cookie(&prefixed, &cookie).await.is_ok());
    let default_prefix = from_env(&redis, &[], Duration::ZERO);
    let err = verify_cookie(&default_prefix, &cookie).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::SessionNotFound);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sign_out_is_refused_by_two_instances_within_their_ttl() {
    let redis = RedisServer::start();
    let app = better_auth(&redis, &[]);
    let cookie = app.token_cookie();
    let at_once = from_env(&redis, &[], Duration::ZERO);
    let cached = from_env(&redis, &[], Duration::from_secs(2));
    assert!(verify_cookie(&at_once, &cookie).await.is_ok());
    assert!(verify_cookie(&cached, &cookie).await.is_ok());

    app.sign_out_cookie(&cookie);
    let signed_out = std::time::Instant::now();
    let err = verify_cookie(&at_once, &cookie).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::SessionNotFound);
    // The other instance still reuses its answer, for its TTL at most.
    assert!(verify_cookie(&cached, &cookie).await.is_ok());
    let refused = eventually(Duration::from_secs(3), async || {
        verify_cookie(&cached, &cookie).await.is_err()
    })
    .await;
    assert!(
        refused,
        "still accepted {:?} after the sign-out",
        signed_out.elapsed()
    );
    assert!(signed_out.elapsed() >= Duration::from_millis(1500));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoking_all_sessions_takes_effect_through_the_watermark() {
    let redis = RedisServer::start();
    let app = better_auth(&redis, &[]);
    let first = app.token_cookie();
    let second = app.sign_in();
    let verifier = from_env(&redis, &[], Duration::ZERO);
    assert!(verify_cookie(&verifier, &first).await.is_ok());
    assert!(verify_cookie(&verifier, &second).await.is_ok());
    let mut redis_connection = connect(&redis).await;
    let first_key = format!("better-auth:{}", token_of(&first));
    let stored: String = redis::cmd("GET")
        .arg(&first_key)
        .query_async(&mut redis_connection)
        .await
        .unwrap();

    app.revoke_sessions(&second);
    for cookie in [&first, &second] {
        let err = verify_cookie(&verifier, cookie).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::SessionNotFound);
    }
    let watermark_key = format!("better-auth:revoked-sessions-before-{}", app.text("userId"));
    let watermark: Option<String> = redis::cmd("GET")
        .arg(&watermark_key)
        .query_async(&mut redis_connection)
        .await
        .unwrap();
    assert!(watermark.is_some_and(|millis| millis.parse::<u64>().is_ok()));

    // The session's key written back (a refresh racing the revocation, a
    // replica behind): the watermark alone refuses it.
    let () = redis::cmd("SET")
        .arg(&first_key)
        .arg(&stored)
        .arg("EX")
        .arg(600)
        .query_async(&mut redis_connection)
        .await
        .unwrap();
    for _ in 0..2 {
        // Twice: the second lookup reads both keys in one round trip.
        let err = verify_cookie(&verifier, &first).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::SessionNotFound);
    }
    // A session signed in after the revocation is accepted.
    tokio::time::sleep(Duration::from_millis(5)).await;
    let after = app.sign_in();
    assert!(verify_cookie(&verifier, &after).await.is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ban_better_auth_writes_reaches_not_banned() {
    let redis = RedisServer::start();
    let app = better_auth(&redis, &[("BA_ADMIN", "1")]);
    let cookie = app.token_cookie();
    let verifier = from_env(&redis, &[], Duration::ZERO);
    let guard = ClaimGuard::not_banned();
    let claims = verify_cookie(&verifier, &cookie).await.unwrap();
    assert_eq!(claims.get("banned"), Some(&json!(false)));
    assert!(guard.allows(&claims));

    // As an admin's edit: Better Auth rewrites the user in the cached sessions.
    for (expires, allowed) in [
        (json!("2999-01-01T00:00:00.000Z"), false),
        (Value::Null, false),
        (json!("2000-01-01T00:00:00.000Z"), true),
    ] {
        app.post_json(
            "/test/update-user",
            &json!({"banned": true, "banExpires": expires}),
        );
        let claims = verify_cookie(&verifier, &cookie).await.unwrap();
        assert_eq!(claims.get("banned"), Some(&json!(true)), "{expires}");
        assert_eq!(claims.get("banExpires"), Some(&expires), "{expires}");
        assert_eq!(guard.allows(&claims), allowed, "{expires}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_session_is_refused_while_its_key_lives() {
    let redis = RedisServer::start();
    let app = better_auth(&redis, &[]);
    let cookie = app.token_cookie();
    let verifier = from_env(&redis, &[], Duration::ZERO);
    let mut connection = connect(&redis).await;
    let key = format!("better-auth:{}", token_of(&cookie));
    let stored: String = redis::cmd("GET")
        .arg(&key)
        .query_async(&mut connection)
        .await
        .unwrap();
    let mut stored: Value = serde_json::from_str(&stored).unwrap();
    stored["session"]["expiresAt"] = json!("2020-01-01T00:00:00.000Z");
    let () = redis::cmd("SET")
        .arg(&key)
        .arg(stored.to_string())
        .arg("EX")
        .arg(600)
        .query_async(&mut connection)
        .await
        .unwrap();
    let err = verify_cookie(&verifier, &cookie).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Expired);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_whose_ttl_ran_out_is_refused() {
    let redis = RedisServer::start();
    let app = better_auth(&redis, &[]);
    let cookie = app.token_cookie();
    let verifier = from_env(&redis, &[], Duration::ZERO);
    let mut connection = connect(&redis).await;
    let key = format!("better-auth:{}", token_of(&cookie));
    let ttl: i64 = redis::cmd("TTL")
        .arg(&key)
        .query_async(&mut connection)
        .await
        .unwrap();
    // Better Auth's TTL: until expiresAt, 7 days by default.
    assert!((604_000..=604_800).contains(&ttl), "{ttl}");
    assert!(verify_cookie(&verifier, &cookie).await.is_ok());

    let _: i64 = redis::cmd("PEXPIRE")
        .arg(&key)
        .arg(100)
        .query_async(&mut connection)
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let err = verify_cookie(&verifier, &cookie).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::SessionNotFound);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_of_your_own_is_used_as_given() {
    let redis = RedisServer::start();
    let app = better_auth(&redis, &[]);
    let client = redis::Client::open(redis.url()).unwrap();
    let manager = redis::aio::ConnectionManager::new(client).await.unwrap();
    let verifier = with_store(RedisSessionStore::with_connection(manager), Duration::ZERO);
    let claims = verify_cookie(&verifier, &app.token_cookie()).await.unwrap();
    assert_eq!(claims.sub(), app.text("userId"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_protected_redis_is_read_with_the_urls_password() {
    let redis = RedisServer::start_with(&["--requirepass", "hunter2"]);
    let url = format!("redis://:hunter2@127.0.0.1:{}", redis.port());
    let app = BetterAuth::start(&[("BA_SECRET", SECRET), ("BA_REDIS_URL", &url)]);
    let cookie = app.token_cookie();

    let store = RedisSessionStore::new(&url).unwrap();
    assert!(!format!("{store:?}").contains("hunter2"));
    let verifier = with_store(store, Duration::ZERO);
    assert!(verify_cookie(&verifier, &cookie).await.is_ok());

    let wrong = format!("redis://:wrong@127.0.0.1:{}", redis.port());
    let verifier = with_store(RedisSessionStore::new(wrong).unwrap(), Duration::ZERO);
    let err = verify_cookie(&verifier, &cookie).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::SessionStoreUnavailable);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_is_judged_by_its_own_users_watermark() {
    let redis = RedisServer::start();
    let app = better_auth(&redis, &[]);
    let cookie = app.token_cookie();
    let verifier = from_env(&redis, &[], Duration::ZERO);
    // Looked up once: the store remembers the token's user.
    assert!(verify_cookie(&verifier, &cookie).await.is_ok());

    // The key now holds a session of another user, revoked for that user.
    let mut connection = connect(&redis).await;
    let key = format!("better-auth:{}", token_of(&cookie));
    let stored: String = redis::cmd("GET")
        .arg(&key)
        .query_async(&mut connection)
        .await
        .unwrap();
    let mut stored: Value = serde_json::from_str(&stored).unwrap();
    stored["session"]["userId"] = json!("someone-else");
    stored["user"]["id"] = json!("someone-else");
    let () = redis::cmd("SET")
        .arg(&key)
        .arg(stored.to_string())
        .query_async(&mut connection)
        .await
        .unwrap();
    let () = redis::cmd("SET")
        .arg("better-auth:revoked-sessions-before-someone-else")
        .arg("99999999999999")
        .query_async(&mut connection)
        .await
        .unwrap();
    for _ in 0..2 {
        let err = verify_cookie(&verifier, &cookie).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::SessionNotFound);
    }
}
