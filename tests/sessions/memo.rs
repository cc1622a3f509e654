//! A cookie cache verified once is remembered (`session/verified.rs`): the
//! remembered answer must end when the cache does, and never stand in for
//! the session cookie's own signature check.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use jwtguard::{Clock, CookieCacheStrategy};

use crate::common::NOW;
use crate::common::call::Answer;
use crate::{builder, send, session};

const TOKEN_COOKIE: &str = "better-auth.session_token";
const DATA_COOKIE: &str = "better-auth.session_data";

/// A verifier of `compact` cookie caches, and the time it reads (from NOW).
fn compact_cache_verifier() -> (Arc<AtomicI64>, jwtguard::Verifier) {
    let now = Arc::new(AtomicI64::new(NOW));
    let clock = {
        let now = Arc::clone(&now);
        Clock::from_fn(move || {
            time::OffsetDateTime::from_unix_timestamp(now.load(Ordering::SeqCst)).unwrap()
        })
    };
    let verifier = builder()
        .clock(clock)
        .sessions(|sessions| sessions.cookie_cache(CookieCacheStrategy::Compact))
        .build()
        .unwrap();
    (now, verifier)
}

async fn me(verifier: &jwtguard::Verifier, cookies: String) -> Answer {
    send(verifier, "GET", "/me", &[("cookie", cookies)]).await
}

#[tokio::test]
async fn a_remembered_cookie_cache_still_expires_and_still_needs_a_valid_session_cookie() {
    let (now, verifier) = compact_cache_verifier();
    let fresh = session().cache_expires_at(NOW + 300);
    let cache = fresh.cookie_cache(CookieCacheStrategy::Compact);
    let browser = format!(
        "{TOKEN_COOKIE}={}; {DATA_COOKIE}={cache}",
        fresh.cookie_value()
    );
    for _ in 0..3 {
        let answer = me(&verifier, browser.clone()).await;
        assert_eq!(answer.status, 200, "{answer:?}");
        assert_eq!(answer.body["credential"], "CookieCache");
    }

    // The same cache next to a session cookie with a broken signature.
    let value = fresh.cookie_value();
    let (token, signature) = value.split_once('.').unwrap();
    let flipped = if signature.starts_with('A') { "B" } else { "A" };
    let forged = format!("{token}.{flipped}{}", &signature[1..]);
    let answer = me(
        &verifier,
        format!("{TOKEN_COOKIE}={forged}; {DATA_COOKIE}={cache}"),
    )
    .await;
    assert_eq!(answer.status, 401, "{answer:?}");

    // Past the cache's expiry the remembered answer is not used.
    now.store(NOW + 301, Ordering::SeqCst);
    let answer = me(&verifier, browser).await;
    assert_eq!(answer.status, 401, "{answer:?}");
    assert_eq!(answer.code(), Some("token_expired"));
}

#[tokio::test]
async fn remembered_claims_still_end_with_the_session() {
    let (now, verifier) = compact_cache_verifier();
    // The session ends before the cache does.
    let ending = session().expires_at(NOW + 60).cache_expires_at(NOW + 300);
    let browser = format!(
        "{TOKEN_COOKIE}={}; {DATA_COOKIE}={}",
        ending.cookie_value(),
        ending.cookie_cache(CookieCacheStrategy::Compact)
    );
    for _ in 0..2 {
        let answer = me(&verifier, browser.clone()).await;
        assert_eq!(answer.status, 200, "{answer:?}");
        assert_eq!(answer.body["credential"], "CookieCache");
    }
    // Remembered, but the claims' `exp` is checked on every request.
    now.store(NOW + 61, Ordering::SeqCst);
    let answer = me(&verifier, browser).await;
    assert_eq!(answer.status, 401, "{answer:?}");
    assert_eq!(answer.code(), Some("token_expired"));
}
