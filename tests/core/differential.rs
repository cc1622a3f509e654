//! Differential test against `jsonwebtoken::decode`, configured to the same
//! policy: for generated tokens (valid, one byte mutated, odd headers, odd
//! claim types) both must agree on accept or reject, except where jwtguard is
//! deliberately stricter (or RFC 7519 allows what jsonwebtoken refuses). Every
//! such exception is listed in [`allowed_disagreement`].

use crate::common::SECRET;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use jwtguard::testing::sign_raw;
use jwtguard::{ErrorKind, Verifier};
use proptest::prelude::*;
use serde_json::{Value, json};

const ISSUER: &str = "nextjs-frontend";
const AUDIENCE: &str = "fastapi-backend";

fn ours() -> Verifier {
    Verifier::builder()
        .hs256_secret(SECRET)
        .claim_rules(|rules| rules.issuer(ISSUER).audience(AUDIENCE))
        .build()
        .unwrap()
}

fn theirs(token: &str) -> bool {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.leeway = 0;
    validation.validate_nbf = true;
    validation.set_issuer(&[ISSUER]);
    validation.set_audience(&[AUDIENCE]);
    validation.set_required_spec_claims(&["exp", "sub"]);
    jsonwebtoken::decode::<Value>(
        token,
        &DecodingKey::from_secret(SECRET.as_bytes()),
        &validation,
    )
    .is_ok()
}

/// Where jwtguard may refuse what jsonwebtoken accepts (stricter rules), or
/// accept what it refuses (RFC 7519 fractional NumericDates).
fn allowed_disagreement(
    token: &str,
    header: &Value,
    claims: &Value,
    ours: &Result<(), ErrorKind>,
) -> bool {
    let now = jwtguard::Clock::system().now_unix();
    match ours {
        // Accepted by us, refused by jsonwebtoken: it parses NumericDates as
        // u64, so a fractional `exp` or `nbf` fails there.
        Ok(()) => ["exp", "nbf"]
            .iter()
            .any(|c| claims[c].as_f64().is_some_and(|v| v.fract() != 0.0)),
        Err(kind) => match kind {
            // Duplicate member names.
            ErrorKind::Malformed => has_duplicates(token),
            // `sub` must be a non-empty string; jsonwebtoken only needs it present.
            ErrorKind::InvalidSubject => claims["sub"].as_str().is_none_or(str::is_empty),
            // We check the type of `iat` and refuse it far in the future.
            ErrorKind::InvalidClaim("iat") => !claims["iat"].is_number(),
            ErrorKind::IssuedInFuture => claims["iat"].as_f64().is_some_and(|iat| iat > now + 60.0),
            // jsonwebtoken ignores an `iss`/`aud` it cannot parse unless required.
            ErrorKind::InvalidClaim("iss") => !claims["iss"].is_string(),
            ErrorKind::InvalidClaim("aud") => {
                !(claims["aud"].is_string()
                    || claims["aud"]
                        .as_array()
                        .is_some_and(|a| a.iter().all(Value::is_string)))
            }
            // An empty `aud` array names no one; jsonwebtoken lets it pass.
            ErrorKind::InvalidAudience => claims["aud"] == json!([]),
            // We refuse `crit`, `jku`, `x5u`, `jwk`, `x5c`; jsonwebtoken ignores most.
            ErrorKind::UnsupportedHeader => ["crit", "jku", "x5u", "jwk", "x5c"]
                .iter()
                .any(|p| header.get(p).is_some()),
            // `kid` naming no configured key.
            ErrorKind::UnknownKey => header.get("kid").is_some(),
            _ => false,
        },
    }
}

/// Whether the decoded header or payload repeats a member name (a cheap
/// over-approximation: any name that occurs twice as a quoted key).
fn has_duplicates(token: &str) -> bool {
    use base64::Engine;
    token.split('.').take(2).any(|segment| {
        let Ok(bytes) = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(segment) else {
            return true;
        };
        let text = String::from_utf8_lossy(&bytes);
        let keys: Vec<&str> = text.split('"').skip(1).step_by(2).collect();
        keys.iter()
            .enumerate()
            .any(|(i, k)| keys[i + 1..].contains(k))
    })
}

fn claim_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        (-5i64..5).prop_map(Value::from),
        Just(json!("")),
        Just(json!(ISSUER)),
        Just(json!(AUDIENCE)),
        Just(json!("someone-else")),
        Just(json!([AUDIENCE])),
        Just(json!(["x", AUDIENCE])),
        Just(json!([])),
        Just(json!([1])),
        Just(json!({"a": 1})),
    ]
}

fn time_value() -> impl Strategy<Value = Value> {
    let now = jwtguard::Clock::system().now_unix() as i64;
    prop_oneof![
        Just(json!(now + 3600)),
        Just(json!(now - 3600)),
        Just(json!(now + 30)),
        Just(json!((now + 3600) as f64 + 0.5)),
        Just(json!(4_000_000_000_i64)),
        Just(json!("4000000000")),
        Just(Value::Null),
    ]
}

fn claims() -> impl Strategy<Value = Value> {
    (
        prop_oneof![Just(json!("user-1")), claim_value()],
        proptest::option::of(time_value()),
        proptest::option::of(time_value()),
        proptest::option::of(time_value()),
        proptest::option::of(claim_value()),
        proptest::option::of(claim_value()),
    )
        .prop_map(|(sub, exp, nbf, iat, iss, aud)| {
            let mut claims = json!({"sub": sub, "email": "a@example.com"});
            for (name, value) in [
                ("exp", exp),
                ("nbf", nbf),
                ("iat", iat),
                ("iss", iss),
                ("aud", aud),
            ] {
                if let Some(value) = value {
                    claims[name] = value;
                }
            }
            claims
        })
}

fn header() -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => Just(json!({"alg": "HS256", "typ": "JWT"})),
        1 => Just(json!({"alg": "HS256"})),
        1 => Just(json!({"alg": "HS256", "kid": "k1"})),
        1 => Just(json!({"alg": "HS512", "typ": "JWT"})),
        1 => Just(json!({"alg": "none"})),
        1 => Just(json!({"alg": "HS256", "crit": ["exp"]})),
        1 => Just(json!({"alg": "HS256", "jku": "https://attacker.example"})),
        1 => Just(json!({"alg": "HS256", "typ": 5})),
    ]
}

fn check(token: &str, header: &Value, claims: &Value) -> Result<(), TestCaseError> {
    let ours = ours().verify(token).map(|_| ()).map_err(|e| e.kind());
    let theirs = theirs(token);
    if ours.is_ok() != theirs {
        prop_assert!(
            allowed_disagreement(token, header, claims, &ours),
            "jwtguard {ours:?} but jsonwebtoken {theirs} for {header} {claims}"
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(768))]

    #[test]
    fn agrees_with_jsonwebtoken_on_generated_tokens(header in header(), claims in claims()) {
        let token = sign_raw(SECRET.as_bytes(), &header.to_string(), &claims.to_string());
        check(&token, &header, &claims)?;
    }

    #[test]
    fn agrees_with_jsonwebtoken_on_mutated_tokens(
        claims in claims(),
        position in any::<prop::sample::Index>(),
        replacement in proptest::char::range('!', '~'),
    ) {
        let header = json!({"alg": "HS256", "typ": "JWT"});
        let token = sign_raw(SECRET.as_bytes(), &header.to_string(), &claims.to_string());
        let mut bytes = token.into_bytes();
        let index = position.index(bytes.len());
        bytes[index] = replacement as u8;
        let token = String::from_utf8(bytes).unwrap();
        check(&token, &header, &claims)?;
    }
}
