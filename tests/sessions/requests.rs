//! Each session credential, accepted or refused, answered alike by axum and
//! actix-web.

use jwtguard::testing::SessionMinter;
use jwtguard::{CookieCacheStrategy, SecureCookies, Verifier};

use crate::common::{NOW, OTHER_SECRET, minter};
use crate::{DATA_COOKIE, MemoryStore, TOKEN_COOKIE, builder, cookies, send, session};

const COMPACT: CookieCacheStrategy = CookieCacheStrategy::Compact;
const JWT: CookieCacheStrategy = CookieCacheStrategy::Jwt;

fn cache_only(strategy: CookieCacheStrategy) -> Verifier {
    builder()
        .sessions(|sessions| sessions.cookie_cache(strategy))
        .build()
        .unwrap()
}

fn with_store(store: &MemoryStore) -> Verifier {
    builder()
        .sessions(|sessions| sessions.store(store.clone()).bearer_tokens(true))
        .build()
        .unwrap()
}

/// The session cookie and a cookie cache of `strategy` for `session`.
fn browser(session: &SessionMinter, strategy: CookieCacheStrategy) -> (&'static str, String) {
    cookies(&[
        (TOKEN_COOKIE, session.cookie_value()),
        (DATA_COOKIE, session.cookie_cache(strategy)),
    ])
}

#[tokio::test]
async fn a_fresh_cookie_cache_authenticates_without_a_lookup_in_every_strategy() {
    for strategy in [COMPACT, JWT] {
        let answer = send(
            &cache_only(strategy),
            "GET",
            "/me",
            &[browser(&session(), strategy)],
        )
        .await;
        assert_eq!(answer.status, 200, "{strategy:?}: {answer:?}");
        assert_eq!(answer.body["sub"], "user-1");
        assert_eq!(answer.body["sid"], "session-1");
        assert_eq!(answer.body["credential"], "CookieCache");
        assert_eq!(answer.body["email"], "ada@example.com");
        assert_eq!(answer.body["exp"], NOW + 7 * 24 * 3600);
    }
}

#[tokio::test]
async fn the_session_cookie_is_resolved_by_the_store() {
    let store = MemoryStore::with(&[&session()]);
    let cookie = cookies(&[(TOKEN_COOKIE, session().cookie_value())]);
    let answer = send(&with_store(&store), "GET", "/me", &[cookie]).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(answer.body["credential"], "SessionToken");
    assert_eq!(answer.body["sid"], "session-1");
    assert_eq!(answer.body["email"], "ada@example.com");
}

#[tokio::test]
async fn the_bearer_plugins_token_is_accepted_encoded_or_not_when_enabled() {
    let store = MemoryStore::with(&[&session()]);
    for value in [session().bearer_value(), session().cookie_value()] {
        let bearer = ("authorization", format!("Bearer {value}"));
        let answer = send(&with_store(&store), "GET", "/me", &[bearer]).await;
        assert_eq!(answer.status, 200, "{value}: {answer:?}");
        assert_eq!(answer.body["credential"], "SessionToken");
    }
    let without_bearer = builder()
        .sessions(|sessions| sessions.store(store))
        .build()
        .unwrap();
    let bearer = (
        "authorization",
        format!("Bearer {}", session().bearer_value()),
    );
    let answer = send(&without_bearer, "GET", "/me", &[bearer]).await;
    assert_eq!(answer.status, 401);
    // The header is right; the token is no JWT.
    assert_eq!(answer.code(), Some("malformed_token"));
}

#[tokio::test]
async fn handlers_ask_the_same_way_whatever_the_credential() {
    let store = MemoryStore::with(&[&session()]);
    let verifier = builder()
        .sessions(|sessions| sessions.store(store).cookie_cache(COMPACT))
        .build()
        .unwrap();
    let jwt = (
        "authorization",
        format!(
            "Bearer {}",
            minter().claim("email", "jwt@example.com").sign()
        ),
    );
    let cached = browser(&session(), COMPACT);
    let looked_up = cookies(&[(TOKEN_COOKIE, session().cookie_value())]);
    for (credential, header) in [
        ("Jwt", jwt),
        ("CookieCache", cached),
        ("SessionToken", looked_up),
    ] {
        let me = send(&verifier, "GET", "/me", std::slice::from_ref(&header)).await;
        assert_eq!(me.body["credential"], credential, "{me:?}");
        let own = send(
            &verifier,
            "GET",
            "/api/user-1/tasks",
            std::slice::from_ref(&header),
        )
        .await;
        assert_eq!(
            (own.status, &own.body["owner"]),
            (200, &"user-1".into()),
            "{credential}"
        );
        let other = send(
            &verifier,
            "GET",
            "/api/user-2/tasks",
            std::slice::from_ref(&header),
        )
        .await;
        assert_eq!(
            (other.status, other.code()),
            (403, Some("forbidden")),
            "{credential}"
        );
        let typed = send(&verifier, "GET", "/typed", &[header]).await;
        assert_eq!(typed.status, 200, "{credential}: {typed:?}");
    }
}

/// One refused request: the verifier, its headers, the status and code.
struct Refusal {
    name: &'static str,
    verifier: Verifier,
    method: &'static str,
    headers: Vec<(&'static str, String)>,
    status: u16,
    code: &'static str,
}

fn refusals() -> Vec<Refusal> {
    let fresh = session();
    let token_cookie = |s: &SessionMinter| (TOKEN_COOKIE, s.cookie_value());
    let data_cookie = |s: &SessionMinter, strategy| (DATA_COOKIE, s.cookie_cache(strategy));
    let tampered = fresh.cookie_value().replacen("test", "tesT", 1);
    let forged = SessionMinter::new(OTHER_SECRET).at(NOW);
    let store = MemoryStore::with(&[&fresh]);
    let refusal = |name, verifier, headers, status, code| Refusal {
        name,
        verifier,
        method: "GET",
        headers,
        status,
        code,
    };
    vec![
        refusal(
            "a cache without the session cookie",
            cache_only(COMPACT),
            vec![cookies(&[data_cookie(&fresh, COMPACT)])],
            401,
            "missing_token",
        ),
        refusal(
            "the session cookie without a cache, and no store",
            cache_only(COMPACT),
            vec![cookies(&[token_cookie(&fresh)])],
            401,
            "session_not_found",
        ),
        refusal(
            "a cache of another session",
            cache_only(COMPACT),
            vec![cookies(&[
                token_cookie(&fresh.clone().token("anotherSessionToken0123456789ab")),
                data_cookie(&fresh, COMPACT),
            ])],
            401,
            "session_not_found",
        ),
        refusal(
            "a stale cache and no store",
            cache_only(JWT),
            vec![cookies(&[
                token_cookie(&fresh),
                data_cookie(&fresh.clone().cache_expires_at(NOW - 1), JWT),
            ])],
            401,
            "token_expired",
        ),
        refusal(
            "an expired session in a fresh cache",
            cache_only(COMPACT),
            vec![browser(&fresh.clone().expires_at(NOW - 1), COMPACT)],
            401,
            "token_expired",
        ),
        refusal(
            "a cache of another version",
            cache_only(COMPACT),
            vec![browser(&fresh.clone().cache_version("2"), COMPACT)],
            401,
            "session_not_found",
        ),
        refusal(
            "a tampered session cookie",
            with_store(&store),
            vec![cookies(&[(TOKEN_COOKIE, tampered.clone())])],
            401,
            "invalid_signature",
        ),
        refusal(
            "a session cookie signed with another secret",
            with_store(&store),
            vec![cookies(&[token_cookie(&forged)])],
            401,
            "invalid_signature",
        ),
        refusal(
            "a cache signed with another secret, and no store",
            cache_only(COMPACT),
            vec![cookies(&[
                token_cookie(&fresh),
                data_cookie(&forged, COMPACT),
            ])],
            401,
            "invalid_signature",
        ),
        refusal(
            "a session signed out in Better Auth",
            with_store(&MemoryStore::default()),
            vec![cookies(&[token_cookie(&fresh)])],
            401,
            "session_not_found",
        ),
        refusal(
            "the jwt cookie cache sent as a bearer token",
            cache_only(JWT),
            vec![(
                "authorization",
                format!("Bearer {}", fresh.cookie_cache(JWT)),
            )],
            401,
            "session_cache_token",
        ),
        refusal(
            "a bearer JWT sent as the cookie cache",
            cache_only(JWT),
            vec![cookies(&[
                token_cookie(&fresh),
                (DATA_COOKIE, minter().sign()),
            ])],
            401,
            "wrong_credential_kind",
        ),
        refusal(
            "a jwt cache where compact is configured",
            cache_only(COMPACT),
            vec![browser(&fresh, JWT)],
            401,
            "wrong_credential_kind",
        ),
        refusal(
            "the session cookie sent twice",
            with_store(&store),
            vec![cookies(&[token_cookie(&fresh), token_cookie(&fresh)])],
            401,
            "multiple_credentials",
        ),
        refusal(
            "the secure session cookie sent twice, whatever plain one comes too",
            with_store(&store),
            vec![cookies(&[
                token_cookie(&fresh),
                ("__Secure-better-auth.session_token", fresh.cookie_value()),
                ("__Secure-better-auth.session_token", fresh.cookie_value()),
            ])],
            401,
            "multiple_credentials",
        ),
        refusal(
            "the plain name where only secure cookies are read",
            builder()
                .sessions(|sessions| {
                    sessions
                        .store(store.clone())
                        .secure_cookies(SecureCookies::Only)
                })
                .build()
                .unwrap(),
            vec![cookies(&[token_cookie(&fresh)])],
            401,
            "missing_token",
        ),
        refusal(
            "session cookies when none are accepted",
            crate::common::verifier(),
            vec![browser(&fresh, COMPACT)],
            401,
            "missing_token",
        ),
        refusal(
            "a raw session token without its signature",
            with_store(&store),
            vec![("authorization", format!("Bearer {}", fresh.session_token()))],
            401,
            "malformed_token",
        ),
        Refusal {
            method: "POST",
            ..refusal(
                "a session cookie on POST without an allowed Origin",
                builder()
                    .sessions(|sessions| sessions.store(store.clone()))
                    .credential_sources(|s| s.cookie_origins(["https://app.example.com"]))
                    .build()
                    .unwrap(),
                vec![cookies(&[token_cookie(&fresh)])],
                403,
                "origin_not_allowed",
            )
        },
    ]
}

#[tokio::test]
async fn every_wrong_credential_is_refused_with_a_stable_code() {
    for case in refusals() {
        let answer = send(&case.verifier, case.method, "/me", &case.headers).await;
        assert_eq!(
            (answer.status, answer.code()),
            (case.status, Some(case.code)),
            "{}: {answer:?}",
            case.name
        );
    }
}

#[tokio::test]
async fn the_secure_prefix_a_custom_prefix_and_chunked_caches_are_read() {
    let value = session().cookie_cache(COMPACT);
    let (first, second) = value.split_at(value.len() / 2);
    let verifier = cache_only(COMPACT);
    let chunked = cookies(&[
        (
            "__Secure-better-auth.session_token",
            session().cookie_value(),
        ),
        ("__Secure-better-auth.session_data.1", second.to_owned()),
        ("__Secure-better-auth.session_data.0", first.to_owned()),
    ]);
    let answer = send(&verifier, "GET", "/me", &[chunked]).await;
    assert_eq!(answer.status, 200, "{answer:?}");

    let prefixed = builder()
        .sessions(|sessions| sessions.cookie_prefix("myapp").cookie_cache(COMPACT))
        .build()
        .unwrap();
    let cookie = cookies(&[
        ("myapp.session_token", session().cookie_value()),
        ("myapp.session_data", session().cookie_cache(COMPACT)),
    ]);
    assert_eq!(send(&prefixed, "GET", "/me", &[cookie]).await.status, 200);
}
