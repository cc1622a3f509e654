//! Better Auth's session credentials, minted by the real package: a Better
//! Auth server (`tests/fixtures/better-auth/session-server.mjs`, in-memory
//! database, bearer plugin) signs a user up on loopback. Its session cookie,
//! cookie cache (each strategy) and bearer token must pass the verifier
//! `from_env` builds from Better Auth's own variables, session tokens are
//! resolved by its real `get-session`, and a sign-out there takes effect.

use std::time::Duration;

use jwtguard::{Verifier, VerifierBuilder};
use jwtguard_test_support::{BetterAuth, env};
use serde_json::{Value, json};

pub(crate) const SECRET: &str = "better-auth-secret-0123456789abcdefghij";

/// The builder `from_env` makes of `vars` alone.
pub(crate) fn from_env(vars: Vec<(&'static str, String)>) -> VerifierBuilder {
    VerifierBuilder::from_env_with(env(&vars)).unwrap()
}

/// GET `/me` through an axum route taking `Auth`, with `headers`.
pub(crate) async fn me(verifier: &Verifier, headers: &[(&str, String)]) -> (u16, Value) {
    use axum::routing::get;
    use jwtguard::axum::Auth;
    let app = axum::Router::new()
        .route(
            "/me",
            get(|Auth(c): Auth| async move {
                axum::Json(json!({
                    "sub": c.sub(),
                    "sid": c.sid(),
                    "email": c.get("email"),
                    "credential": format!("{:?}", c.credential()),
                }))
            }),
        )
        .with_state(verifier.clone());
    let answer = crate::call::axum(app, "GET", "/me", headers).await;
    (answer.status, answer.body)
}

/// Flips one character in the middle of a cookie value.
fn tamper_cookie(pair: &str) -> String {
    let (name, value) = pair.split_once('=').unwrap();
    let mut value = value.to_owned();
    let at = value.len() / 2;
    let flipped = if &value[at..=at] == "A" { "B" } else { "A" };
    value.replace_range(at..=at, flipped);
    format!("{name}={value}")
}

/// The session cookie `name=<token>.<signature>` with one character of the
/// signature changed: its first that is not part of a `%XX` escape, so that
/// the value still decodes to a well-formed signature, only the wrong one
/// (the middle of the value may fall in an escape, or on the last base64
/// character, and decode as malformed instead).
fn tamper_signature(pair: &str) -> String {
    let (name, value) = pair.split_once('=').unwrap();
    let mut at = value.rfind('.').unwrap() + 1;
    while value.as_bytes()[at] == b'%' {
        at += 3;
    }
    let mut value = value.to_owned();
    let flipped = if &value[at..=at] == "A" { "B" } else { "A" };
    value.replace_range(at..=at, flipped);
    format!("{name}={value}")
}

async fn the_cookie_cache_passes(strategy: &str) {
    let server = BetterAuth::start(&[("BA_SECRET", SECRET), ("BA_COOKIE_CACHE", strategy)]);
    assert_eq!(server.text("version"), "1.7.25");
    let verifier = from_env(vec![
        ("BETTER_AUTH_SECRET", SECRET.into()),
        ("BETTER_AUTH_COOKIE_CACHE", strategy.into()),
    ])
    .build()
    .unwrap();
    let browser = [("cookie", server.browser_cookies())];
    let (status, body) = me(&verifier, &browser).await;
    assert_eq!(status, 200, "{strategy}: {body}");
    assert_eq!(body["sub"], server.minted["userId"], "{strategy}");
    assert_eq!(body["email"], "ada@example.com");
    assert_eq!(body["credential"], "CookieCache");
    assert!(body["sid"].is_string());

    // A tampered cache (no store to fall back on) and a tampered session cookie.
    let data = server.minted["dataCookies"][0].as_str().unwrap();
    let tampered_data = format!("{}; {}", server.token_cookie(), tamper_cookie(data));
    let (status, body) = me(&verifier, &[("cookie", tampered_data)]).await;
    assert_eq!(status, 401, "{strategy}: {body}");
    assert!(
        ["invalid_signature", "malformed_token"].contains(&body["code"].as_str().unwrap()),
        "{strategy}: {body}"
    );
    let tampered_token = format!("{}; {data}", tamper_signature(&server.token_cookie()));
    let (status, body) = me(&verifier, &[("cookie", tampered_token)]).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (401, Some("invalid_signature")),
        "{strategy}"
    );

    // Another secret reads nothing.
    let other = from_env(vec![
        (
            "BETTER_AUTH_SECRET",
            "another-secret-0123456789abcdefghijkl".into(),
        ),
        ("BETTER_AUTH_COOKIE_CACHE", strategy.into()),
    ])
    .build()
    .unwrap();
    assert_eq!(me(&other, &browser).await.0, 401, "{strategy}");
    // The cache is not a bearer token.
    let value = data.split_once('=').unwrap().1;
    let (status, body) = me(&verifier, &[("authorization", format!("Bearer {value}"))]).await;
    assert_eq!(status, 401, "{strategy}: {body}");
}

#[tokio::test]
async fn compact_cookie_cache() {
    the_cookie_cache_passes("compact").await;
}

#[tokio::test]
async fn jwt_cookie_cache() {
    the_cookie_cache_passes("jwt").await;
}

#[tokio::test]
async fn jwe_cookie_cache() {
    the_cookie_cache_passes("jwe").await;
}

#[tokio::test]
async fn better_auth_secrets_rotation() {
    let secrets = "2:the-new-secret-0123456789abcdefghijkl,1:the-old-secret-0123456789abcdefghijkl";
    for strategy in ["compact", "jwe"] {
        let server = BetterAuth::start(&[("BA_SECRETS", secrets), ("BA_COOKIE_CACHE", strategy)]);
        let verifier = from_env(vec![
            ("BETTER_AUTH_SECRETS", secrets.into()),
            ("BETTER_AUTH_COOKIE_CACHE", strategy.into()),
        ])
        .build()
        .unwrap();
        let (status, body) = me(&verifier, &[("cookie", server.browser_cookies())]).await;
        assert_eq!(status, 200, "{strategy}: {body}");
        // Still configured with the old secret alone: Better Auth signs with the new one.
        let stale = from_env(vec![
            (
                "BETTER_AUTH_SECRET",
                "the-old-secret-0123456789abcdefghijkl".into(),
            ),
            ("BETTER_AUTH_COOKIE_CACHE", strategy.into()),
        ])
        .build()
        .unwrap();
        assert_eq!(
            me(&stale, &[("cookie", server.browser_cookies())]).await.0,
            401
        );
    }
}

#[tokio::test]
async fn session_tokens_are_resolved_by_the_real_get_session_until_sign_out() {
    let server = BetterAuth::start(&[("BA_SECRET", SECRET)]);
    let verifier = from_env(vec![
        ("BETTER_AUTH_SECRET", SECRET.into()),
        ("BETTER_AUTH_SESSION_URL", server.url()),
        ("BETTER_AUTH_BEARER", "true".into()),
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
        assert_eq!(body["email"], "ada@example.com");
    }
    server.sign_out();
    for headers in [&cookie, &bearer] {
        let (status, body) = me(&verifier, headers).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (401, Some("session_not_found")),
            "{body}"
        );
    }
}
