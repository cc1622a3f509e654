//! The store behind session tokens: asked only for validly signed tokens,
//! its answers reused for the cache's time to live, its failures a 503.

use std::time::Duration;

use jwtguard::testing::SessionMinter;

use crate::common::{NOW, OTHER_SECRET};
use crate::{MemoryStore, TOKEN_COOKIE, builder, cookies, send_axum, session};

fn verifier(store: &MemoryStore, ttl: Duration) -> jwtguard::Verifier {
    builder()
        .sessions(|sessions| sessions.store(store.clone()).store_cache(ttl, 100))
        .build()
        .unwrap()
}

#[tokio::test]
async fn forged_and_tampered_tokens_never_reach_the_store() {
    let store = MemoryStore::with(&[&session()]);
    let verifier = verifier(&store, Duration::from_secs(60));
    let forged = SessionMinter::new(OTHER_SECRET).at(NOW).cookie_value();
    let tampered = session().cookie_value().replacen("test", "tesT", 1);
    for value in [forged, tampered, "garbage".to_owned(), "a.b".to_owned()] {
        for _ in 0..50 {
            let answer = send_axum(
                &verifier,
                "GET",
                "/me",
                &[cookies(&[(TOKEN_COOKIE, value.clone())])],
            )
            .await;
            assert_eq!(answer.status, 401);
        }
    }
    assert_eq!(store.lookups(), 0);
}

#[tokio::test]
async fn answers_are_reused_for_the_ttl_so_a_revocation_takes_effect_within_it() {
    let store = MemoryStore::with(&[&session()]);
    let verifier = verifier(&store, Duration::from_millis(300));
    let cookie = cookies(&[(TOKEN_COOKIE, session().cookie_value())]);
    for _ in 0..20 {
        assert_eq!(
            send_axum(&verifier, "GET", "/me", std::slice::from_ref(&cookie))
                .await
                .status,
            200
        );
    }
    assert_eq!(store.lookups(), 1, "one lookup, then the cache");
    store.revoke(&session());
    // Still cached: Better Auth's own cookie cache behaves the same way.
    assert_eq!(
        send_axum(&verifier, "GET", "/me", std::slice::from_ref(&cookie))
            .await
            .status,
        200
    );
    std::thread::sleep(Duration::from_millis(400));
    let answer = send_axum(&verifier, "GET", "/me", std::slice::from_ref(&cookie)).await;
    assert_eq!(
        (answer.status, answer.code()),
        (401, Some("session_not_found"))
    );
    assert_eq!(store.lookups(), 2);
    // "Not found" is cached too: a signed-out cookie replayed costs one lookup per TTL.
    for _ in 0..20 {
        send_axum(&verifier, "GET", "/me", std::slice::from_ref(&cookie)).await;
    }
    assert_eq!(store.lookups(), 2);
}

#[tokio::test]
async fn a_zero_ttl_asks_the_store_every_time() {
    let store = MemoryStore::with(&[&session()]);
    let verifier = verifier(&store, Duration::ZERO);
    let cookie = cookies(&[(TOKEN_COOKIE, session().cookie_value())]);
    for _ in 0..3 {
        assert_eq!(
            send_axum(&verifier, "GET", "/me", std::slice::from_ref(&cookie))
                .await
                .status,
            200
        );
    }
    store.revoke(&session());
    assert_eq!(
        send_axum(&verifier, "GET", "/me", &[cookie]).await.status,
        401
    );
    assert_eq!(store.lookups(), 4);
}

#[tokio::test]
async fn a_store_that_cannot_answer_is_a_503_with_retry_after_and_is_not_cached() {
    let store = MemoryStore::with(&[&session()]);
    let verifier = verifier(&store, Duration::from_secs(60));
    let cookie = cookies(&[(TOKEN_COOKIE, session().cookie_value())]);
    store.set_down(true);
    let answer = crate::send(&verifier, "GET", "/me", std::slice::from_ref(&cookie)).await;
    assert_eq!(
        (answer.status, answer.code()),
        (503, Some("temporarily_unavailable"))
    );
    assert_eq!(answer.header("retry-after"), Some("10"));
    assert_eq!(
        answer.body["detail"], "Sessions are temporarily unavailable",
        "the store's own message is logged, never sent"
    );
    store.set_down(false);
    assert_eq!(
        send_axum(&verifier, "GET", "/me", &[cookie]).await.status,
        200
    );
}

#[tokio::test]
async fn an_expired_session_from_the_store_is_refused() {
    let expired = session().expires_at(NOW - 60);
    let store = MemoryStore::with(&[&expired]);
    let answer = send_axum(
        &verifier(&store, Duration::from_secs(60)),
        "GET",
        "/me",
        &[cookies(&[(TOKEN_COOKIE, expired.cookie_value())])],
    )
    .await;
    assert_eq!((answer.status, answer.code()), (401, Some("token_expired")));
}

#[tokio::test]
async fn a_stale_cookie_cache_falls_back_to_the_store() {
    let store = MemoryStore::with(&[&session()]);
    let verifier = builder()
        .sessions(|sessions| {
            sessions
                .store(store.clone())
                .cookie_cache(jwtguard::CookieCacheStrategy::Compact)
        })
        .build()
        .unwrap();
    let stale = session().cache_expires_at(NOW - 1);
    let cookie = cookies(&[
        (TOKEN_COOKIE, stale.cookie_value()),
        (
            crate::DATA_COOKIE,
            stale.cookie_cache(jwtguard::CookieCacheStrategy::Compact),
        ),
    ]);
    let answer = send_axum(&verifier, "GET", "/me", &[cookie]).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(answer.body["credential"], "SessionToken");
    assert_eq!(store.lookups(), 1);
}
