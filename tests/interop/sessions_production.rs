//! Better Auth sessions in the configurations production uses, against the
//! real package (`session-server.mjs`): secure cookies (what an `https://`
//! base URL turns on) with a cookie prefix, Better Auth's production rate
//! limiter, planted cookies next to the real ones, and lookups that must
//! not refresh sessions.

use std::sync::Arc;
use std::time::Duration;

use jwtguard::{ErrorKind, HttpSessionStore, Verifier};
use serde_json::Value;

use jwtguard_test_support::BetterAuth;

use crate::sessions::{SECRET, from_env, me};

/// The session as `get-session` shows it, without refreshing it.
fn session_seen_by_the_app(server: &BetterAuth, cookie: &str) -> Value {
    let agent = ureq::Agent::new_with_defaults();
    let mut response = agent
        .get(format!(
            "{}/api/auth/get-session?disableCookieCache=true&disableRefresh=true",
            server.url()
        ))
        .header("cookie", cookie)
        .call()
        .unwrap();
    serde_json::from_str(&response.body_mut().read_to_string().unwrap()).unwrap()
}

#[tokio::test]
async fn an_app_with_secure_cookies_and_a_prefix_is_asked_with_its_own_cookie_name() {
    let server = BetterAuth::start(&[
        ("BA_SECRET", SECRET),
        ("BA_SECURE_COOKIES", "1"),
        ("BA_COOKIE_PREFIX", "myapp"),
    ]);
    assert!(
        server
            .token_cookie()
            .starts_with("__Secure-myapp.session_token="),
        "{}",
        server.token_cookie()
    );
    // As an operator configures it: the app's variables, and the store
    // (reached over loopback here, behind TLS in production).
    let verifier = from_env(vec![
        ("BETTER_AUTH_SECRET", SECRET.into()),
        ("BETTER_AUTH_SESSION_URL", server.url()),
        ("BETTER_AUTH_BEARER", "true".into()),
        ("BETTER_AUTH_COOKIE_PREFIX", "myapp".into()),
        ("BETTER_AUTH_SECURE_COOKIES", "true".into()),
    ])
    .sessions(|sessions| sessions.store_cache(Duration::ZERO, 1))
    .build()
    .unwrap();
    let cookie = [("cookie", server.token_cookie())];
    let bearer = [("authorization", format!("Bearer {}", server.text("bearer")))];
    for headers in [&cookie, &bearer] {
        let (status, body) = me(&verifier, headers).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["sub"], server.minted["userId"]);
        assert_eq!(body["credential"], "SessionToken");
    }

    // A store built with its URL alone still sends a cookie-borne token
    // under the name it came in.
    let verifier = Verifier::builder()
        .sessions(|sessions| {
            sessions
                .secret(SECRET)
                .cookie_prefix("myapp")
                .store(HttpSessionStore::new(server.url()).unwrap())
                .store_cache(Duration::ZERO, 1)
        })
        .build()
        .unwrap();
    let (status, body) = me(&verifier, &cookie).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn a_renamed_session_cookie_is_resolved_under_its_new_name() {
    let server = BetterAuth::start(&[
        ("BA_SECRET", SECRET),
        ("BA_SECURE_COOKIES", "1"),
        ("BA_TOKEN_COOKIE_NAME", "app_sid"),
    ]);
    assert!(server.token_cookie().starts_with("__Secure-app_sid="));
    let verifier = Verifier::builder()
        .sessions(|sessions| {
            sessions
                .secret(SECRET)
                .cookie_names(Some("app_sid"), None)
                .store(HttpSessionStore::new(server.url()).unwrap())
                .store_cache(Duration::ZERO, 1)
        })
        .build()
        .unwrap();
    let (status, body) = me(&verifier, &[("cookie", server.token_cookie())]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["sub"], server.minted["userId"]);
    // The bearer plugin's token, sent in the cookie named for the store.
    let verifier = Verifier::builder()
        .sessions(|sessions| {
            sessions
                .secret(SECRET)
                .bearer_tokens(true)
                .store(
                    HttpSessionStore::new(server.url())
                        .unwrap()
                        .cookie_name("__Secure-app_sid")
                        .unwrap(),
                )
                .store_cache(Duration::ZERO, 1)
        })
        .build()
        .unwrap();
    let bearer = [("authorization", format!("Bearer {}", server.text("bearer")))];
    let (status, body) = me(&verifier, &bearer).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn forty_concurrent_requests_with_one_cold_token_make_one_lookup() {
    let server = BetterAuth::start(&[("BA_SECRET", SECRET)]);
    let verifier = from_env(vec![
        ("BETTER_AUTH_SECRET", SECRET.into()),
        ("BETTER_AUTH_SESSION_URL", server.url()),
    ])
    .build()
    .unwrap();
    let headers = Arc::new({
        let mut headers = http::HeaderMap::new();
        headers.insert("cookie", server.token_cookie().parse().unwrap());
        headers
    });
    let requests: Vec<_> = (0..40)
        .map(|_| {
            let (verifier, headers) = (verifier.clone(), Arc::clone(&headers));
            tokio::spawn(async move {
                let claims: jwtguard::Claims = verifier
                    .verify_request(&jwtguard::RequestParts::new("GET", None, &*headers))
                    .await?;
                Ok::<_, jwtguard::Error>(claims.sub().to_owned())
            })
        })
        .collect();
    for request in requests {
        assert_eq!(
            request.await.unwrap().unwrap(),
            server.text("userId"),
            "every request is let in"
        );
    }
    assert_eq!(server.get_session_count(), 1);
}

/// Verifies the cookie session through `verifier`, asking the store each
/// time (cache TTL zero).
async fn verify_cookie(verifier: &Verifier, server: &BetterAuth) -> Result<(), jwtguard::Error> {
    let mut headers = http::HeaderMap::new();
    headers.insert("cookie", server.token_cookie().parse().unwrap());
    let _: jwtguard::Claims = verifier
        .verify_request(&jwtguard::RequestParts::new("GET", None, &headers))
        .await?;
    Ok(())
}

#[tokio::test]
async fn better_auths_production_rate_limit_is_backed_off_until_its_retry_after() {
    let server = BetterAuth::start(&[("BA_SECRET", SECRET), ("BA_RATE_LIMIT", "1")]);
    let verifier = from_env(vec![
        ("BETTER_AUTH_SECRET", SECRET.into()),
        ("BETTER_AUTH_SESSION_URL", server.url()),
    ])
    .sessions(|sessions| sessions.store_cache(Duration::ZERO, 1))
    .build()
    .unwrap();
    // Better Auth's default: 100 requests per 10 s for every client.
    for n in 1..=100 {
        verify_cookie(&verifier, &server)
            .await
            .unwrap_or_else(|e| panic!("lookup {n}: {e}"));
    }
    let limited = verify_cookie(&verifier, &server).await.unwrap_err();
    assert_eq!(limited.kind(), ErrorKind::SessionStoreUnavailable);
    let response = limited.to_response();
    assert_eq!(response.status(), 503);
    let wait: u32 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=10).contains(&wait), "{wait}");
    assert_eq!(server.get_session_count(), 101);

    // Backed off: no lookup is sent while Better Auth's window lasts.
    for _ in 0..20 {
        let again = verify_cookie(&verifier, &server).await.unwrap_err();
        assert_eq!(again.kind(), ErrorKind::SessionStoreUnavailable);
        assert!(again.retry_after().is_some_and(|secs| secs <= wait));
    }
    assert_eq!(server.get_session_count(), 101);
}

/// A verifier asking `server`'s `get-session`, its answers kept for `ttl`:
/// one instance of a service.
fn instance(server: &BetterAuth, ttl: Duration) -> Verifier {
    from_env(vec![
        ("BETTER_AUTH_SECRET", SECRET.into()),
        ("BETTER_AUTH_SESSION_URL", server.url()),
    ])
    .sessions(|sessions| sessions.store_cache(ttl, 100))
    .build()
    .unwrap()
}

#[tokio::test]
async fn two_instances_behind_one_rate_limit_each_back_off_after_one_429() {
    let server = BetterAuth::start(&[("BA_SECRET", SECRET), ("BA_RATE_LIMIT", "1")]);
    let (first, second) = (
        instance(&server, Duration::ZERO),
        instance(&server, Duration::ZERO),
    );
    // 50 lookups each: Better Auth's 100 per 10 s, spent by the pair.
    for n in 1..=50 {
        for verifier in [&first, &second] {
            verify_cookie(verifier, &server)
                .await
                .unwrap_or_else(|e| panic!("lookup {n}: {e}"));
        }
    }
    for verifier in [&first, &second] {
        for _ in 0..10 {
            let err = verify_cookie(verifier, &server).await.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::SessionStoreUnavailable);
            assert!(
                err.retry_after()
                    .is_some_and(|secs| (1..=10).contains(&secs))
            );
        }
    }
    // Each instance sent one request past the limit, then waited.
    assert_eq!(server.get_session_count(), 102);
}

#[tokio::test]
async fn two_instances_both_refuse_a_signed_out_session_within_their_ttl() {
    let server = BetterAuth::start(&[("BA_SECRET", SECRET)]);
    let ttl = Duration::from_millis(500);
    let (first, second) = (instance(&server, ttl), instance(&server, ttl));
    for verifier in [&first, &second] {
        verify_cookie(verifier, &server).await.unwrap();
    }
    server.sign_out();
    tokio::time::sleep(ttl + Duration::from_millis(100)).await;
    for verifier in [&first, &second] {
        let err = verify_cookie(verifier, &server).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::SessionNotFound);
    }
}

#[tokio::test]
async fn the_documented_custom_rule_exempts_get_session_from_the_rate_limit() {
    let server = BetterAuth::start(&[
        ("BA_SECRET", SECRET),
        ("BA_RATE_LIMIT", "1"),
        ("BA_EXEMPT_GET_SESSION", "1"),
    ]);
    let verifier = from_env(vec![
        ("BETTER_AUTH_SECRET", SECRET.into()),
        ("BETTER_AUTH_SESSION_URL", server.url()),
    ])
    .sessions(|sessions| sessions.store_cache(Duration::ZERO, 1))
    .build()
    .unwrap();
    for n in 1..=150 {
        verify_cookie(&verifier, &server)
            .await
            .unwrap_or_else(|e| panic!("lookup {n}: {e}"));
    }
    assert_eq!(server.get_session_count(), 150);
}

#[tokio::test]
async fn lookups_never_refresh_the_session() {
    // updateAge 0: any refreshing get-session extends the session.
    let server = BetterAuth::start(&[("BA_SECRET", SECRET), ("BA_UPDATE_AGE", "0")]);
    let cookie = server.token_cookie();
    let before = session_seen_by_the_app(&server, &cookie)["session"]["expiresAt"].clone();
    assert!(before.is_string(), "{before}");
    tokio::time::sleep(Duration::from_millis(20)).await;
    let verifier = from_env(vec![
        ("BETTER_AUTH_SECRET", SECRET.into()),
        ("BETTER_AUTH_SESSION_URL", server.url()),
    ])
    .sessions(|sessions| sessions.store_cache(Duration::ZERO, 1))
    .build()
    .unwrap();
    for _ in 0..3 {
        verify_cookie(&verifier, &server).await.unwrap();
    }
    let after = session_seen_by_the_app(&server, &cookie)["session"]["expiresAt"].clone();
    assert_eq!(before, after);
}

#[tokio::test]
async fn a_planted_plain_cookie_neither_locks_out_nor_replaces_the_secure_one() {
    // The victim's https app, and the attacker's own valid session (same
    // secret, say a second account) whose cookies they plant unprefixed.
    let victim = BetterAuth::start(&[
        ("BA_SECRET", SECRET),
        ("BA_SECURE_COOKIES", "1"),
        ("BA_COOKIE_CACHE", "compact"),
    ]);
    let attacker = BetterAuth::start(&[
        ("BA_SECRET", SECRET),
        ("BA_COOKIE_CACHE", "compact"),
        ("BA_EMAIL", "eve@example.com"),
    ]);
    let planted = attacker.browser_cookies();
    assert!(planted.starts_with("better-auth.session_token="));
    let secure = victim.browser_cookies();
    assert!(secure.starts_with("__Secure-better-auth.session_token="));

    // The default, Either: both present, the `__Secure-` ones win, in
    // either order.
    let either = from_env(vec![
        ("BETTER_AUTH_SECRET", SECRET.into()),
        ("BETTER_AUTH_COOKIE_CACHE", "compact".into()),
    ])
    .build()
    .unwrap();
    for cookies in [
        format!("{secure}; {planted}"),
        format!("{planted}; {secure}"),
    ] {
        let (status, body) = me(&either, &[("cookie", cookies)]).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["sub"], victim.minted["userId"]);
        assert_eq!(body["email"], "ada@example.com");
    }

    // An https app (its URL says so): the plain cookies alone are not
    // read, so a victim without a session is not signed in as the attacker.
    let https = from_env(vec![
        ("BETTER_AUTH_SECRET", SECRET.into()),
        ("BETTER_AUTH_COOKIE_CACHE", "compact".into()),
        ("BETTER_AUTH_SESSION_URL", "https://app.example.com".into()),
    ])
    .build()
    .unwrap();
    let (status, body) = me(&https, &[("cookie", planted.clone())]).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (401, Some("missing_token"))
    );
    let (status, body) = me(&https, &[("cookie", format!("{planted}; {secure}"))]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["sub"], victim.minted["userId"]);
}

#[tokio::test]
async fn a_broken_or_doubled_cookie_cache_falls_back_to_the_store() {
    let server = BetterAuth::start(&[("BA_SECRET", SECRET), ("BA_COOKIE_CACHE", "compact")]);
    let verifier = from_env(vec![
        ("BETTER_AUTH_SECRET", SECRET.into()),
        ("BETTER_AUTH_COOKIE_CACHE", "compact".into()),
        ("BETTER_AUTH_SESSION_URL", server.url()),
    ])
    .sessions(|sessions| sessions.store_cache(Duration::ZERO, 1))
    .build()
    .unwrap();
    let token = server.token_cookie();
    let data = server.minted["dataCookies"][0].as_str().unwrap().to_owned();
    let huge = format!("better-auth.session_data={}", "A".repeat(40 * 1024));
    for (case, cookies) in [
        (
            "a planted chunk",
            format!("{token}; better-auth.session_data.1=x"),
        ),
        ("two caches", format!("{token}; {data}; {data}")),
        ("an oversized cache", format!("{token}; {huge}")),
        (
            "a garbage cache",
            format!("{token}; better-auth.session_data=garbage"),
        ),
    ] {
        let (status, body) = me(&verifier, &[("cookie", cookies)]).await;
        assert_eq!(status, 200, "{case}: {body}");
        assert_eq!(body["sub"], server.minted["userId"], "{case}");
        assert_eq!(body["credential"], "SessionToken", "{case}");
    }

    // Without a store there is nothing to fall back on: refused.
    let cache_only = from_env(vec![
        ("BETTER_AUTH_SECRET", SECRET.into()),
        ("BETTER_AUTH_COOKIE_CACHE", "compact".into()),
    ])
    .build()
    .unwrap();
    let (status, _) = me(
        &cache_only,
        &[("cookie", format!("{token}; {data}; {data}"))],
    )
    .await;
    assert_eq!(status, 401);
}
