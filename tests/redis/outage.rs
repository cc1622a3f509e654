//! Redis stopped, restarted, hanging: 503 with `Retry-After` while it does
//! not answer, and the same verifiers recover once it does.

use std::time::{Duration, Instant};

use jwtguard::{ErrorKind, RedisSessionStore};

use super::*;

/// A refusal while Redis does not answer: 503 `temporarily_unavailable`
/// with a `Retry-After`.
#[track_caller]
fn unavailable(err: &Error) {
    assert_eq!(err.kind(), ErrorKind::SessionStoreUnavailable);
    assert_eq!(err.status(), 503);
    assert!(err.retry_after().is_some_and(|secs| secs >= 1));
    let response = err.to_response();
    assert!(response.headers().contains_key("retry-after"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_redis_gives_503_and_a_restarted_one_serves_the_same_verifiers() {
    let mut redis = RedisServer::start();
    let app = better_auth(&redis, &[]);
    let instances = [
        from_env(&redis, &[], Duration::ZERO),
        from_env(&redis, &[], Duration::ZERO),
    ];
    for verifier in &instances {
        assert!(verify_cookie(verifier, &app.token_cookie()).await.is_ok());
    }

    redis.stop();
    for verifier in &instances {
        let started = Instant::now();
        let err = verify_cookie(verifier, &app.token_cookie())
            .await
            .unwrap_err();
        unavailable(&err);
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "{:?}",
            started.elapsed()
        );
    }

    // Restarted empty: Better Auth reconnects too, and a new sign-in lands
    // in it; the verifiers reconnect at their next lookups.
    redis.restart();
    let cookie = app.sign_in();
    for verifier in &instances {
        let recovered = eventually(Duration::from_secs(5), async || {
            verify_cookie(verifier, &cookie).await.is_ok()
        })
        .await;
        assert!(recovered, "no recovery after the restart");
    }
    // The old session went with the old Redis.
    let err = verify_cookie(&instances[0], &app.token_cookie())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::SessionNotFound);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hanging_redis_gives_503_within_the_response_timeout() {
    let redis = RedisServer::start();
    let app = better_auth(&redis, &[]);
    let cookie = app.token_cookie();
    let store = RedisSessionStore::new(redis.url())
        .unwrap()
        .connect_timeout(Duration::from_millis(300))
        .response_timeout(Duration::from_millis(200));
    let verifier = with_store(store, Duration::ZERO);
    assert!(verify_cookie(&verifier, &cookie).await.is_ok());

    // Every connection of the pool, old (a command times out) and new (the
    // handshake times out), fails within its timeout.
    redis.pause();
    for _ in 0..jwtguard::limits::DEFAULT_REDIS_CONNECTIONS + 1 {
        let started = Instant::now();
        let err = verify_cookie(&verifier, &cookie).await.unwrap_err();
        let waited = started.elapsed();
        unavailable(&err);
        assert!(waited < Duration::from_millis(1200), "{waited:?}");
    }
    redis.resume();

    let recovered = eventually(Duration::from_secs(5), async || {
        verify_cookie(&verifier, &cookie).await.is_ok()
    })
    .await;
    assert!(recovered, "no recovery after the pause");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redis_that_never_ran_gives_503() {
    // A port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let store = RedisSessionStore::new(format!("redis://127.0.0.1:{port}")).unwrap();
    let verifier = with_store(store, Duration::ZERO);
    let cookie = jwtguard::testing::SessionMinter::new(SECRET).cookie_value();
    let err = verify_cookie(&verifier, &format!("better-auth.session_token={cookie}"))
        .await
        .unwrap_err();
    unavailable(&err);
}
