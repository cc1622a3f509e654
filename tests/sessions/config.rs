//! Configuring sessions: from code and from Better Auth's own variables;
//! nothing is accepted unless asked for.

use jwtguard::testing::{SessionMinter, TokenMinter};
use jwtguard::{ConfigError, CookieCacheStrategy, Verifier};

use crate::common::NOW;
use crate::{DATA_COOKIE, MemoryStore, TOKEN_COOKIE, cookies, send_axum};

const NEW: &str = "the-new-secret-of-at-least-32-bytes-long";
const OLD: &str = "the-old-secret-of-at-least-32-bytes-long";

fn from_env(vars: &[(&str, &str)]) -> Result<Verifier, ConfigError> {
    jwtguard::VerifierBuilder::from_env_with(|name| {
        vars.iter()
            .find(|(var, _)| *var == name)
            .map(|(_, value)| (*value).to_owned())
    })?
    .clock(jwtguard::Clock::fixed_unix(NOW))
    .build()
}

#[tokio::test]
async fn better_auth_secrets_rotate_as_better_auth_rotates_them() {
    let verifier = from_env(&[
        ("BETTER_AUTH_SECRETS", "2:the-new-secret-of-at-least-32-bytes-long, 1:the-old-secret-of-at-least-32-bytes-long"),
        ("BETTER_AUTH_COOKIE_CACHE", "compact"),
    ])
    .unwrap();
    // JWTs signed with either secret are accepted during the rotation.
    for secret in [NEW, OLD] {
        let token = TokenMinter::new(secret).at(NOW).subject("user-1").sign();
        assert_eq!(verifier.verify(&token).unwrap().sub(), "user-1", "{secret}");
    }
    // Session cookies are signed and checked with the current secret only,
    // as Better Auth does: a rotation signs cookie sessions out.
    let session = |secret| SessionMinter::new(secret).at(NOW);
    let browser = |s: &SessionMinter| {
        cookies(&[
            (TOKEN_COOKIE, s.cookie_value()),
            (DATA_COOKIE, s.cookie_cache(CookieCacheStrategy::Compact)),
        ])
    };
    assert_eq!(
        send_axum(&verifier, "GET", "/me", &[browser(&session(NEW))])
            .await
            .status,
        200
    );
    let old = send_axum(&verifier, "GET", "/me", &[browser(&session(OLD))]).await;
    assert_eq!((old.status, old.code()), (401, Some("invalid_signature")));
}

#[test]
fn the_variables_are_checked_without_echoing_a_secret() {
    for (vars, var) in [
        (
            vec![("BETTER_AUTH_SECRETS", "new-secret-without-version")],
            "BETTER_AUTH_SECRETS",
        ),
        (
            vec![("BETTER_AUTH_SECRETS", "1:a,1:b")],
            "BETTER_AUTH_SECRETS",
        ),
        (
            vec![
                ("BETTER_AUTH_SECRET", NEW),
                ("BETTER_AUTH_COOKIE_CACHE", "cookie"),
            ],
            "BETTER_AUTH_COOKIE_CACHE",
        ),
        (
            vec![
                ("BETTER_AUTH_SECRET", NEW),
                ("BETTER_AUTH_SECURE_COOKIES", "yes"),
            ],
            "BETTER_AUTH_SECURE_COOKIES",
        ),
    ] {
        let err = from_env(&vars).unwrap_err();
        assert!(
            matches!(err, ConfigError::InvalidEnv { var: v, .. } if v == var),
            "{err}"
        );
        assert!(!err.to_string().contains("new-secret"), "{err}");
    }
}

#[test]
fn sessions_need_a_secret_and_a_way_to_resolve_them() {
    let err = Verifier::builder()
        .hs256_secret(NEW)
        .sessions(|sessions| sessions.cookie_cache(CookieCacheStrategy::Compact))
        .build()
        .unwrap_err();
    assert_eq!(err, ConfigError::SessionsWithoutSecret);
    let err = Verifier::builder()
        .sessions(|sessions| sessions.secret(NEW).bearer_tokens(true))
        .build()
        .unwrap_err();
    assert_eq!(err, ConfigError::SessionsWithoutResolver);
    let err = Verifier::builder()
        .sessions(|sessions| {
            sessions
                .secret(NEW)
                .store(MemoryStore::default())
                .cookie_names(Some("bad;name"), None)
        })
        .build()
        .unwrap_err();
    assert_eq!(err, ConfigError::InvalidCookieName);
    // Sessions alone are a complete configuration: no JWT secret needed.
    assert!(
        Verifier::builder()
            .sessions(|sessions| sessions.secret(NEW).store(MemoryStore::default()))
            .build()
            .is_ok()
    );
    // A secret alone accepts no session credential.
    assert!(
        Verifier::builder()
            .sessions(|sessions| sessions.secret(NEW))
            .build()
            .is_err()
    );
}

#[test]
fn debug_output_holds_no_secret() {
    let verifier = Verifier::builder()
        .sessions(|sessions| sessions.secret(NEW).store(MemoryStore::default()))
        .build()
        .unwrap();
    let debug = format!("{verifier:?}");
    assert!(!debug.contains(NEW), "{debug}");
    assert!(debug.contains("better-auth.session_token"), "{debug}");
}
