//! Properties over generated input: nothing panics, any single-byte change
//! to a valid token is refused, and signing then verifying round-trips.

use crate::common::{SECRET, builder, minter, verifier};
use jwtguard::testing::TokenMinter;
use proptest::prelude::*;
use serde_json::{Map, Value};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let verifier = verifier();
        let text = String::from_utf8_lossy(&bytes);
        prop_assert!(verifier.verify(&text).is_err());
        prop_assert!(crate::common::verify_authorization(&verifier, &bytes).is_err());
    }

    #[test]
    fn arbitrary_authorization_values_never_panic(
        scheme in "(Bearer|bearer|Basic|)",
        spaces in " {0,3}",
        rest in "[ -~]{0,600}",
    ) {
        let value = format!("{scheme}{spaces}{rest}");
        prop_assert!(crate::common::verify_authorization(&verifier(), &value).is_err());
    }

    #[test]
    fn dotted_base64url_soup_never_panics(
        parts in proptest::collection::vec("[A-Za-z0-9_-]{0,80}", 0..6),
    ) {
        let token = parts.join(".");
        prop_assert!(verifier().verify(&token).is_err());
    }

    #[test]
    fn any_single_byte_change_to_a_valid_token_is_refused(
        position in any::<prop::sample::Index>(),
        replacement in proptest::char::range('!', '~'),
    ) {
        let token = minter().claim("email", "ada@example.com").sign();
        let index = position.index(token.len());
        prop_assume!(token.as_bytes()[index] != replacement as u8);
        let mut changed = token.clone().into_bytes();
        changed[index] = replacement as u8;
        let changed = String::from_utf8(changed).unwrap();
        prop_assert!(verifier().verify(&changed).is_err(), "{} accepted", changed);
    }

    #[test]
    fn sign_then_verify_round_trips_any_claim_set(
        sub in "[^\u{0}]{1,40}",
        extra in proptest::collection::btree_map(
            "[a-z_]{1,12}",
            prop_oneof![
                any::<i64>().prop_map(Value::from),
                any::<bool>().prop_map(Value::from),
                ".{0,40}".prop_map(Value::from),
                proptest::collection::vec(".{0,8}", 0..4).prop_map(Value::from),
            ],
            0..8,
        ),
    ) {
        let registered = ["sub", "exp", "nbf", "iat", "iss", "aud"];
        let mut minter = TokenMinter::new(SECRET).at(crate::common::NOW).subject(sub.as_str());
        let mut expected = Map::new();
        for (name, value) in extra {
            if registered.contains(&name.as_str()) {
                continue;
            }
            minter = minter.claim(name.as_str(), value.clone());
            expected.insert(name, value);
        }
        let claims = builder().build().unwrap().verify(&minter.sign()).unwrap();
        prop_assert_eq!(claims.sub(), sub.as_str());
        prop_assert_eq!(claims.extra(), &expected);
    }
}

/// JSON-ish payload text built from fragments that hit the strict reader's
/// corners: registered claims of every type, duplicates (also escaped),
/// nesting, arrays, junk.
fn payload_text() -> impl Strategy<Value = String> {
    let name = prop_oneof![
        Just("sub"),
        Just("s\\u0075b"),
        Just("exp"),
        Just("nbf"),
        Just("iat"),
        Just("iss"),
        Just("aud"),
        Just("email"),
        Just("e\\u006dail"),
        Just("x"),
        Just("$serde_json::private::RawValue"),
    ];
    let leaf = prop_oneof![
        Just("\"user-1\"".to_owned()),
        Just("\"\"".to_owned()),
        Just("\"u\\u0073er-1\"".to_owned()),
        Just("1764000600".to_owned()),
        Just("1764000600.5".to_owned()),
        Just("1000".to_owned()),
        Just("-1".to_owned()),
        Just("1e400".to_owned()),
        Just("true".to_owned()),
        Just("null".to_owned()),
        Just("[]".to_owned()),
        Just("[\"a\",\"b\"]".to_owned()),
        Just("[\"a\",1]".to_owned()),
        Just("{\"k\":1,\"k\":2}".to_owned()),
        Just("{\"k\":{\"j\":[{\"i\":1,\"\\u0069\":2}]}}".to_owned()),
        Just("{\"k\":1}".to_owned()),
        Just("\"\\ud800\"".to_owned()),
        Just("01".to_owned()),
    ];
    proptest::collection::vec((name, leaf), 0..7).prop_map(|members| {
        let body: Vec<String> = members
            .into_iter()
            .map(|(name, value)| format!("\"{name}\":{value}"))
            .collect();
        format!("{{{}}}", body.join(","))
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    /// `verify` (a scan), `verify_as` and `verify_borrowed` (one strict pass
    /// that fills the type) reach the same verdict on any payload.
    #[test]
    fn every_way_of_reading_claims_agrees(payload in payload_text()) {
        let verifier = verifier();
        let token = crate::common::raw(crate::common::HS256, &payload);
        let kind = |r: Result<(), jwtguard::Error>| r.err().map(|e| e.kind());
        let by_claims = kind(verifier.verify(&token).map(drop));
        let by_value = kind(verifier.verify_as::<Value>(&token).map(drop));
        let mut buffer = Vec::new();
        let by_borrowed = kind(jwtguard::low_level::verify_borrowed::<Value>(&verifier, &token, &mut buffer).map(drop));
        prop_assert_eq!(by_claims, by_value, "{}", payload);
        prop_assert_eq!(by_claims, by_borrowed, "{}", payload);
        if by_claims.is_none() {
            let claims = verifier.verify(&token).unwrap();
            let value: Value = verifier.verify_as(&token).unwrap();
            prop_assert_eq!(Some(claims.sub()), value["sub"].as_str());
            for (name, extra) in claims.extra() {
                prop_assert_eq!(Some(extra), value.get(name));
            }
        }
    }
}
