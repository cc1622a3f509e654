//! Finding the token in a request: `Authorization` values, header maps, cookies.

use crate::common::{builder, minter, verifier, verify_headers};
use http::header::{AUTHORIZATION, COOKIE};
use http::{HeaderMap, HeaderValue};
use jwtguard::ErrorKind;

fn headers(pairs: &[(http::HeaderName, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        map.append(name.clone(), HeaderValue::from_str(value).unwrap());
    }
    map
}

#[test]
fn bearer_scheme_is_matched_case_insensitively() {
    let token = minter().sign();
    for scheme in ["Bearer", "bearer", "BEARER", "bEARER"] {
        let claims =
            crate::common::verify_authorization(&verifier(), format!("{scheme} {token}")).unwrap();
        assert_eq!(claims.sub(), "user-1");
    }
}

#[test]
fn malformed_authorization_values_are_refused() {
    let token = minter().sign();
    for value in [
        String::new(),
        "Bearer".into(),
        "Bearer ".into(),
        format!("Bearer  {token}"),
        format!("Bearer\t{token}"),
        format!("Bearer {token} "),
        format!("Basic {token}"),
        format!("Token {token}"),
        format!("Bearer {token}, Bearer {token}"),
        token.clone(),
    ] {
        let err = crate::common::verify_authorization(&verifier(), &value).unwrap_err();
        assert_eq!(
            err.kind(),
            ErrorKind::InvalidAuthorizationHeader,
            "{value:?}"
        );
    }
}

#[test]
fn oversized_authorization_value_is_refused_before_parsing() {
    let value = format!("Bearer {}", "a".repeat(100 * 1024));
    let err = crate::common::verify_authorization(&verifier(), value).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TokenTooLarge);
}

#[test]
fn header_map_with_one_bearer_token_verifies() {
    let token = minter().sign();
    let map = headers(&[(AUTHORIZATION, &format!("Bearer {token}"))]);
    assert_eq!(verify_headers(&verifier(), &map).unwrap().sub(), "user-1");
}

#[test]
fn header_map_without_credentials_is_missing_credentials() {
    let err = verify_headers(&verifier(), &HeaderMap::new()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::MissingCredentials);
}

#[test]
fn two_authorization_headers_are_refused_even_if_both_are_valid() {
    let token = minter().sign();
    let value = format!("Bearer {token}");
    let map = headers(&[(AUTHORIZATION, &value), (AUTHORIZATION, &value)]);
    let err = verify_headers(&verifier(), &map).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::MultipleCredentials);
}

#[test]
fn non_utf8_authorization_header_is_refused() {
    let mut map = HeaderMap::new();
    map.insert(
        AUTHORIZATION,
        HeaderValue::from_bytes(b"Bearer \xfa\xfb").unwrap(),
    );
    let err = verify_headers(&verifier(), &map).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidAuthorizationHeader);
}

#[test]
fn configured_cookie_carries_the_token_when_no_header_is_sent() {
    let token = minter().sign();
    let verifier = builder()
        .credential_sources(|s| s.token_cookie("auth_token"))
        .build()
        .unwrap();
    let map = headers(&[(COOKIE, &format!("theme=dark; auth_token={token}"))]);
    assert_eq!(verify_headers(&verifier, &map).unwrap().sub(), "user-1");
    // Without the cookie configured the same request has no credentials.
    let err = verify_headers(&crate::common::verifier(), &map).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::MissingCredentials);
}

#[test]
fn authorization_header_wins_over_the_cookie() {
    let header_token = minter().subject("from-header").sign();
    let cookie_token = minter().subject("from-cookie").sign();
    let verifier = builder()
        .credential_sources(|s| s.token_cookie("auth_token"))
        .build()
        .unwrap();
    let map = headers(&[
        (AUTHORIZATION, &format!("Bearer {header_token}")),
        (COOKIE, &format!("auth_token={cookie_token}")),
    ]);
    assert_eq!(
        verify_headers(&verifier, &map).unwrap().sub(),
        "from-header"
    );
}

#[test]
fn cookie_sent_twice_is_refused() {
    let a = minter().subject("a").sign();
    let b = minter().subject("b").sign();
    let verifier = builder()
        .credential_sources(|s| s.token_cookie("auth_token"))
        .build()
        .unwrap();
    let map = headers(&[(COOKIE, &format!("auth_token={a}; auth_token={b}"))]);
    let err = verify_headers(&verifier, &map).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::MultipleCredentials);
}

#[test]
fn cookie_with_a_non_token_value_is_malformed() {
    let verifier = builder()
        .credential_sources(|s| s.token_cookie("auth_token"))
        .build()
        .unwrap();
    let map = headers(&[(COOKIE, "auth_token=\"quoted value\"")]);
    assert_eq!(
        verify_headers(&verifier, &map).unwrap_err().kind(),
        ErrorKind::Malformed
    );
}

#[test]
fn request_parts_debug_shows_no_credential() {
    let token = minter().sign();
    let headers = headers(&[
        (AUTHORIZATION, &format!("Bearer {token}")),
        (COOKIE, "better-auth.session_token=secret-session.sig"),
        (http::HeaderName::from_static("dpop"), "proof.jwt.value"),
    ]);
    let query = format!("access_token={token}");
    let parts = jwtguard::RequestParts::new("POST", Some(&query), &headers);
    let debug = format!("{parts:?} {parts:#?}");
    assert!(debug.contains("POST"), "{debug}");
    for secret in [token.as_str(), "secret-session", "proof.jwt.value"] {
        assert!(!debug.contains(secret), "{debug}");
    }
}
