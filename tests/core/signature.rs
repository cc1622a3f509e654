//! Signatures, algorithms and keys: HS256 only, rotation, `kid`, RFC 7515 A.1.

use crate::common::{HS256, NOW, OTHER_SECRET, SECRET, builder, minter, raw, verifier};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jwtguard::testing::{TokenMinter, sign_raw};
use jwtguard::{Clock, ErrorKind, Verifier};

fn kind(result: Result<impl std::fmt::Debug, jwtguard::Error>) -> ErrorKind {
    result.expect_err("token must be refused").kind()
}

const RFC7515_A1_TOKEN: &str = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const RFC7515_A1_JWK_K: &str =
    "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow";

fn rfc_verifier(now: i64) -> Verifier {
    let key = URL_SAFE_NO_PAD.decode(RFC7515_A1_JWK_K).unwrap();
    Verifier::builder()
        .hs256_secret(key)
        .clock(Clock::fixed_unix(now))
        .build()
        .unwrap()
}

#[test]
fn rfc_7515_a1_is_expired_at_the_present_time() {
    let verifier = rfc_verifier(Clock::system().now_unix() as i64);
    assert_eq!(kind(verifier.verify(RFC7515_A1_TOKEN)), ErrorKind::Expired);
}

#[test]
fn rfc_7515_a1_signature_and_times_pass_before_exp() {
    // The RFC's example has no `sub`, which jwtguard requires. Every check
    // before that one (encoding, header, signature, exp) passes, so the only
    // refusal left is the missing subject; a wrong key is a signature error.
    let verifier = rfc_verifier(1_300_819_379);
    assert_eq!(
        kind(verifier.verify(RFC7515_A1_TOKEN)),
        ErrorKind::InvalidSubject
    );
    let wrong_key = Verifier::builder()
        .hs256_secret(SECRET)
        .clock(Clock::fixed_unix(1_300_819_379))
        .build()
        .unwrap();
    assert_eq!(
        kind(wrong_key.verify(RFC7515_A1_TOKEN)),
        ErrorKind::InvalidSignature
    );
}

#[test]
fn rfc_7515_a1_claims_are_readable_as_a_custom_type_before_exp() {
    // The same check through `verify_as`: the standard claims pass and the
    // custom claim is readable, except that `sub` is still required.
    #[derive(serde::Deserialize, Debug)]
    struct Root {
        #[serde(rename = "http://example.com/is_root")]
        _is_root: bool,
    }
    let verifier = rfc_verifier(1_300_819_380);
    assert_eq!(
        kind(verifier.verify_as::<Root>(RFC7515_A1_TOKEN)),
        ErrorKind::InvalidSubject
    );
}

#[test]
fn token_signed_with_another_secret_is_refused() {
    let token = TokenMinter::new(OTHER_SECRET).at(NOW).subject("u").sign();
    assert_eq!(kind(verifier().verify(&token)), ErrorKind::InvalidSignature);
}

#[test]
fn none_algorithm_is_refused_in_every_spelling() {
    for alg in ["none", "None", "NONE", "nOnE"] {
        let header = format!(r#"{{"alg":"{alg}","typ":"JWT"}}"#);
        let unsigned = format!(
            "{}.{}.",
            URL_SAFE_NO_PAD.encode(&header),
            URL_SAFE_NO_PAD.encode(r#"{"sub":"u","exp":4000000000}"#)
        );
        assert_eq!(
            kind(verifier().verify(&unsigned)),
            ErrorKind::UnsupportedAlgorithm,
            "{alg}"
        );
        let signed = minter().header("alg", alg).sign();
        assert_eq!(
            kind(verifier().verify(&signed)),
            ErrorKind::UnsupportedAlgorithm,
            "{alg}"
        );
    }
}

#[test]
fn other_algorithms_are_refused_even_with_a_valid_hmac() {
    for alg in [
        "HS384", "HS512", "RS256", "ES256", "EdDSA", "PS256", "hs256", "HS256 ",
    ] {
        let token = minter().header("alg", alg).sign();
        assert_eq!(
            kind(verifier().verify(&token)),
            ErrorKind::UnsupportedAlgorithm,
            "{alg}"
        );
    }
}

#[test]
fn headers_naming_or_embedding_keys_are_refused() {
    for (name, value) in [
        (
            "jku",
            serde_json::json!("https://attacker.example/jwks.json"),
        ),
        (
            "x5u",
            serde_json::json!("https://attacker.example/cert.pem"),
        ),
        ("jwk", serde_json::json!({"kty": "oct", "k": "AAAA"})),
        ("x5c", serde_json::json!(["MIIBszCCAVmgAwIBAgIJAK"])),
        ("crit", serde_json::json!(["exp"])),
    ] {
        let token = minter().header(name, value).sign();
        assert_eq!(
            kind(verifier().verify(&token)),
            ErrorKind::UnsupportedHeader,
            "{name}"
        );
    }
}

#[test]
fn rotation_accepts_tokens_from_every_active_secret() {
    let verifier = builder().hs256_secret(OTHER_SECRET).build().unwrap();
    let old = TokenMinter::new(OTHER_SECRET).at(NOW).subject("u").sign();
    assert_eq!(verifier.verify(&old).unwrap().sub(), "u");
    assert!(verifier.verify(&minter().sign()).is_ok());
    let third = TokenMinter::new("yet-another-secret-of-at-least-32-bytes")
        .at(NOW)
        .subject("u")
        .sign();
    assert_eq!(kind(verifier.verify(&third)), ErrorKind::InvalidSignature);
}

#[test]
fn kid_selects_exactly_one_key() {
    let verifier = Verifier::builder()
        .hs256_secret_with_kid("new", SECRET)
        .hs256_secret_with_kid("old", OTHER_SECRET)
        .clock(Clock::fixed_unix(NOW))
        .build()
        .unwrap();
    let new = minter().kid("new").sign();
    assert!(verifier.verify(&new).is_ok());
    let old = TokenMinter::new(OTHER_SECRET)
        .at(NOW)
        .subject("u")
        .kid("old")
        .sign();
    assert!(verifier.verify(&old).is_ok());
    // Signed with the secret of "new" but naming "old": only "old" is tried.
    let mislabelled = minter().kid("old").sign();
    assert_eq!(
        kind(verifier.verify(&mislabelled)),
        ErrorKind::InvalidSignature
    );
    let unknown = minter().kid("missing").sign();
    assert_eq!(kind(verifier.verify(&unknown)), ErrorKind::UnknownKey);
    let no_kid = minter().sign();
    assert!(
        verifier.verify(&no_kid).is_ok(),
        "without kid every key is tried"
    );
}

#[test]
fn kid_naming_no_key_is_unknown_even_when_the_secret_matches() {
    let token = minter().kid("2026-11").sign();
    assert_eq!(kind(verifier().verify(&token)), ErrorKind::UnknownKey);
}

#[test]
fn hostile_kid_values_are_only_ever_compared() {
    let verifier = Verifier::builder()
        .hs256_secret_with_kid("k1", SECRET)
        .clock(Clock::fixed_unix(NOW))
        .build()
        .unwrap();
    for kid in [
        "../../etc/passwd",
        "https://evil.example/k",
        "' OR 1=1 --",
        "",
        "k1\u{0}",
    ] {
        let token = minter().kid(kid).sign();
        assert_eq!(
            kind(verifier.verify(&token)),
            ErrorKind::UnknownKey,
            "{kid:?}"
        );
    }
}

#[test]
fn tampered_payload_or_header_breaks_the_signature() {
    let token = minter().sign();
    let parts: Vec<&str> = token.split('.').collect();
    let forged_payload = URL_SAFE_NO_PAD.encode(r#"{"sub":"admin","exp":4000000000}"#);
    let forged = format!("{}.{}.{}", parts[0], forged_payload, parts[2]);
    assert_eq!(
        kind(verifier().verify(&forged)),
        ErrorKind::InvalidSignature
    );
    let other_header = URL_SAFE_NO_PAD.encode(r#"{"alg":"HS256"}"#);
    let forged = format!("{}.{}.{}", other_header, parts[1], parts[2]);
    assert_eq!(
        kind(verifier().verify(&forged)),
        ErrorKind::InvalidSignature
    );
}

#[test]
fn stripped_truncated_or_extended_signatures_are_refused() {
    let token = minter().sign();
    let (input, sig) = token.rsplit_once('.').unwrap();
    for bad in [
        format!("{input}."),
        format!("{input}.{}", &sig[..sig.len() - 1]),
        format!("{input}.{}", &sig[..20]),
        format!("{input}.{sig}AAAA"),
        format!("{input}.{sig}{sig}"),
    ] {
        assert_eq!(
            kind(verifier().verify(&bad)),
            ErrorKind::InvalidSignature,
            "{bad}"
        );
    }
}

#[test]
fn signature_from_another_token_is_refused() {
    let a = minter().subject("alice").sign();
    let b = minter().subject("bob").sign();
    let (a_input, _) = a.rsplit_once('.').unwrap();
    let (_, b_sig) = b.rsplit_once('.').unwrap();
    let spliced = format!("{a_input}.{b_sig}");
    assert_eq!(
        kind(verifier().verify(&spliced)),
        ErrorKind::InvalidSignature
    );
}

#[test]
fn raw_tokens_with_the_right_secret_verify() {
    let token = raw(HS256, r#"{"sub":"u","exp":4000000000}"#);
    assert_eq!(verifier().verify(&token).unwrap().sub(), "u");
    let other = sign_raw(
        OTHER_SECRET.as_bytes(),
        HS256,
        r#"{"sub":"u","exp":4000000000}"#,
    );
    assert_eq!(kind(verifier().verify(&other)), ErrorKind::InvalidSignature);
}

#[test]
fn tokens_minted_by_jsonwebtoken_verify() {
    use jsonwebtoken::{EncodingKey, Header, encode};
    let claims = serde_json::json!({"sub": "user-9", "exp": NOW + 60, "iat": NOW});
    let token = encode(
        &Header::default(),
        &claims,
        &EncodingKey::from_secret(SECRET.as_bytes()),
    )
    .unwrap();
    assert_eq!(verifier().verify(&token).unwrap().sub(), "user-9");
}
