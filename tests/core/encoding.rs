//! The strict compact form: segments, base64url, JSON, duplicates, size.

use crate::common::{HS256, SECRET, builder, minter, raw, verifier};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE, URL_SAFE_NO_PAD};
use hmac::{Hmac, Mac};
use jwtguard::ErrorKind;
use sha2::Sha256;

fn kind(result: Result<impl std::fmt::Debug, jwtguard::Error>) -> ErrorKind {
    result.expect_err("token must be refused").kind()
}

#[test]
fn tokens_without_exactly_three_segments_are_malformed() {
    let token = minter().sign();
    for bad in [
        String::new(),
        "abc".into(),
        token.replacen('.', "", 1),
        format!("{token}.extra"),
        format!(".{token}"),
    ] {
        assert_eq!(kind(verifier().verify(&bad)), ErrorKind::Malformed, "{bad}");
    }
}

#[test]
fn padded_or_standard_alphabet_encodings_are_refused() {
    let header = r#"{"alg":"HS256","typ":"JWT"}"#;
    // Choose a payload whose encoding has padding and '+' or '/' characters.
    let payload = r#"{"sub":"u>>>???","exp":4000000000,"x":"~~~"}"#;
    for encode in [|s: &str| URL_SAFE.encode(s), |s: &str| STANDARD.encode(s)] {
        let input = format!("{}.{}", encode(header), encode(payload));
        assert!(input.contains('=') || input.contains('+') || input.contains('/'));
        // Signed with the secret: the signature passes, the encoding does not.
        let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
        mac.update(input.as_bytes());
        let tag = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
        let token = format!("{input}.{tag}");
        assert_eq!(
            kind(verifier().verify(&token)),
            ErrorKind::Malformed,
            "{token}"
        );
        // Forged, it is refused for its signature before anything is decoded.
        let forged = format!("{input}.{}", URL_SAFE_NO_PAD.encode([0u8; 32]));
        assert_eq!(
            kind(verifier().verify(&forged)),
            ErrorKind::InvalidSignature,
            "{forged}"
        );
    }
}

#[test]
fn whitespace_anywhere_in_the_token_is_refused() {
    let token = minter().sign();
    for bad in [
        format!(" {token}"),
        format!("{token}\n"),
        token.replacen('.', ". ", 1),
    ] {
        assert!(verifier().verify(&bad).is_err(), "{bad:?}");
    }
}

#[test]
fn non_canonical_trailing_bits_are_refused() {
    // "aGk" is "hi"; "aGl" decodes to the same bytes with non-zero trailing bits.
    let token = minter().sign();
    let (header, rest) = token.split_once('.').unwrap();
    let mut chars: Vec<char> = header.chars().collect();
    let last = chars.last_mut().unwrap();
    // Flip the lowest bit of the final character's 6-bit value.
    let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let index = alphabet.find(*last).unwrap();
    *last = alphabet.as_bytes()[index ^ 1] as char;
    let altered: String = chars.into_iter().collect();
    let bad = format!("{altered}.{rest}");
    let err = kind(verifier().verify(&bad));
    assert!(
        matches!(err, ErrorKind::Malformed | ErrorKind::InvalidSignature),
        "{err:?}"
    );
    assert_eq!(kind(verifier().verify("aGl.aGk.aGk")), ErrorKind::Malformed);
}

#[test]
fn duplicate_sub_is_refused_not_resolved() {
    for payload in [
        r#"{"sub":"alice","sub":"bob","exp":4000000000}"#,
        r#"{"sub":"alice","s\u0075b":"bob","exp":4000000000}"#,
        r#"{"sub":"alice","exp":4000000000,"exp":1}"#,
        r#"{"sub":"alice","exp":4000000000,"email":"a","email":"b"}"#,
        r#"{"sub":"alice","exp":4000000000,"profile":{"id":1,"id":2}}"#,
    ] {
        let token = raw(HS256, payload);
        assert_eq!(
            kind(verifier().verify(&token)),
            ErrorKind::Malformed,
            "{payload}"
        );
        assert_eq!(
            kind(verifier().verify_as::<serde_json::Value>(&token)),
            ErrorKind::Malformed,
            "{payload}"
        );
    }
}

#[test]
fn duplicate_header_members_are_refused() {
    for header in [
        r#"{"alg":"HS256","alg":"HS256"}"#,
        r#"{"alg":"HS256","kid":"a","kid":"b"}"#,
        r#"{"alg":"HS256","\u0061lg":"none"}"#,
    ] {
        let token = raw(header, r#"{"sub":"u","exp":4000000000}"#);
        assert_eq!(
            kind(verifier().verify(&token)),
            ErrorKind::Malformed,
            "{header}"
        );
    }
}

#[test]
fn parts_that_are_not_json_objects_are_refused() {
    for payload in [
        "[]",
        "\"u\"",
        "42",
        "null",
        "{",
        "{\"sub\":\"u\",}",
        "{} {}",
        "",
    ] {
        let token = raw(HS256, payload);
        assert_eq!(
            kind(verifier().verify(&token)),
            ErrorKind::Malformed,
            "{payload:?}"
        );
    }
    for header in ["[]", "\"HS256\"", "{\"alg\":\"HS256\"", ""] {
        let token = raw(header, r#"{"sub":"u","exp":4000000000}"#);
        assert_eq!(
            kind(verifier().verify(&token)),
            ErrorKind::Malformed,
            "{header:?}"
        );
    }
}

#[test]
fn invalid_utf8_in_a_signed_payload_is_refused() {
    use hmac::{Hmac, Mac};
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(HS256),
        URL_SAFE_NO_PAD.encode(b"{\"sub\":\"\xff\xfe\",\"exp\":4000000000}")
    );
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(crate::common::SECRET.as_bytes()).unwrap();
    mac.update(input.as_bytes());
    let token = format!(
        "{input}.{}",
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    );
    assert_eq!(kind(verifier().verify(&token)), ErrorKind::Malformed);
}

#[test]
fn deeply_nested_json_is_refused_without_a_panic() {
    let deep = format!(
        r#"{{"sub":"u","exp":4000000000,"x":{}{}}}"#,
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    let token = raw(HS256, &deep);
    let verifier = builder().max_token_len(1 << 20).build().unwrap();
    assert_eq!(kind(verifier.verify(&token)), ErrorKind::Malformed);
    let deep_header = format!(
        r#"{{"alg":"HS256","x":{}{}}}"#,
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    let token = raw(&deep_header, r#"{"sub":"u","exp":4000000000}"#);
    assert_eq!(kind(verifier.verify(&token)), ErrorKind::Malformed);
}

#[test]
fn tokens_over_the_size_cap_are_refused_before_decoding() {
    let junk = "a".repeat(8 * 1024 + 1);
    assert_eq!(kind(verifier().verify(&junk)), ErrorKind::TokenTooLarge);
    let big = minter().claim("pad", "x".repeat(9000)).sign();
    assert_eq!(kind(verifier().verify(&big)), ErrorKind::TokenTooLarge);
    let roomy = builder().max_token_len(64 * 1024).build().unwrap();
    assert!(roomy.verify(&big).is_ok());
    let tight = builder().max_token_len(100).build().unwrap();
    assert_eq!(
        kind(tight.verify(&minter().sign())),
        ErrorKind::TokenTooLarge
    );
}

#[test]
fn a_token_exactly_at_the_cap_is_accepted() {
    let token = minter().sign();
    let exact = builder().max_token_len(token.len()).build().unwrap();
    assert!(exact.verify(&token).is_ok());
}
