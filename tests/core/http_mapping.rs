//! How errors are answered over HTTP, and that they never leak what was sent.

use crate::common::{HS256, SECRET, minter, raw, verifier};
use http::StatusCode;
use jwtguard::{Error, ErrorKind};

#[test]
fn missing_credentials_get_a_bare_bearer_challenge() {
    let err = crate::common::verify_headers(&verifier(), &http::HeaderMap::new()).unwrap_err();
    assert_eq!(err.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(err.www_authenticate().unwrap(), "Bearer");
    assert_eq!(
        err.body_json(),
        r#"{"detail":"Not authenticated","code":"missing_token"}"#
    );
}

#[test]
fn refused_tokens_get_an_invalid_token_challenge_with_a_description() {
    let token = minter().expires_at(crate::common::NOW - 1).sign();
    let err = verifier().verify(&token).unwrap_err();
    assert_eq!(err.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        err.www_authenticate().unwrap(),
        r#"Bearer error="invalid_token", error_description="Token has expired""#
    );
    let response = err.to_response();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(response.headers()["content-type"], "application/json");
    assert_eq!(
        response.body(),
        r#"{"detail":"Token has expired","code":"token_expired"}"#
    );
}

#[test]
fn forbidden_is_403_without_a_challenge() {
    let err = Error::from(ErrorKind::Forbidden);
    assert_eq!(err.status(), StatusCode::FORBIDDEN);
    assert!(err.www_authenticate().is_none());
    assert_eq!(
        err.body_json(),
        r#"{"detail":"Not authorized to access this resource","code":"forbidden"}"#
    );
}

#[test]
fn misconfiguration_is_500_without_details() {
    let err = Error::from(ErrorKind::Misconfigured);
    assert_eq!(err.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        err.body_json(),
        r#"{"detail":"Internal server error","code":"internal_error"}"#
    );
}

#[test]
fn codes_are_stable_for_front_ends() {
    let cases = [
        (ErrorKind::MissingCredentials, "missing_token"),
        (ErrorKind::Expired, "token_expired"),
        (ErrorKind::InvalidSignature, "invalid_signature"),
        (ErrorKind::Malformed, "malformed_token"),
        (ErrorKind::InvalidAudience, "invalid_audience"),
        (ErrorKind::Forbidden, "forbidden"),
    ];
    for (kind, code) in cases {
        assert_eq!(kind.code(), code);
    }
}

#[test]
fn errors_never_echo_sender_chosen_values_or_parser_internals() {
    let marker = "ATTACKER_CHOSEN_VALUE";
    let tokens = [
        minter().issuer(marker).sign(),
        minter().audience(marker).sign(),
        minter().claim("sub", 12345).claim("x", marker).sign(),
        minter().kid(marker).sign(),
        minter().header("alg", marker).sign(),
        raw(
            HS256,
            &format!(r#"{{"sub":"{marker}","sub":"b","exp":4000000000}}"#),
        ),
        raw(HS256, &format!(r#"{{"sub":"{marker}", "#)),
        format!("{marker}.{marker}.{marker}"),
    ];
    let verifier = jwtguard::Verifier::builder()
        .hs256_secret(SECRET)
        .claim_rules(|rules| rules.issuer("nextjs-frontend").audience("fastapi-backend"))
        .build()
        .unwrap();
    for token in tokens {
        let err = verifier.verify(&token).unwrap_err();
        let shown = format!(
            "{err} {err:?} {} {:?}",
            err.body_json(),
            err.www_authenticate()
        );
        for forbidden in [
            marker, &token, SECRET, "line 1", "column", "serde", "expected",
        ] {
            assert!(!shown.contains(forbidden), "{shown} contains {forbidden}");
        }
    }
}
