//! The claim rules: `exp`, `nbf`, `iat`, `iss`, `aud`, `sub`, custom claims.

use std::time::Duration;

use crate::common::{HS256, NOW, builder, minter, raw, verifier};
use jwtguard::{ClaimCheck, ErrorKind};
use serde::Deserialize;
use serde_json::json;

fn kind(result: Result<impl std::fmt::Debug, jwtguard::Error>) -> ErrorKind {
    result.expect_err("token must be refused").kind()
}

#[test]
fn valid_token_yields_all_claims() {
    let token = minter()
        .claim("email", "ada@example.com")
        .claim("name", "Ada")
        .issuer("nextjs-frontend")
        .audience("fastapi-backend")
        .not_before(NOW - 5)
        .sign();
    let claims = verifier().verify(&token).unwrap();
    assert_eq!(claims.sub(), "user-1");
    assert_eq!(claims.exp().unwrap().unix_timestamp(), NOW + 900);
    assert_eq!(claims.iat().unwrap().unix_timestamp(), NOW);
    assert_eq!(claims.nbf().unwrap().unix_timestamp(), NOW - 5);
    assert_eq!(claims.iss(), Some("nextjs-frontend"));
    assert_eq!(claims.aud(), ["fastapi-backend"]);
    assert_eq!(claims.get("email").unwrap(), "ada@example.com");
    assert_eq!(claims.get("name").unwrap(), "Ada");
    assert!(
        claims.get("sub").is_none(),
        "registered claims have their own accessors"
    );
}

#[test]
fn missing_exp_is_refused_by_default() {
    let token = minter().without_claim("exp").sign();
    assert_eq!(
        kind(verifier().verify(&token)),
        ErrorKind::MissingClaim("exp")
    );
}

#[test]
fn missing_exp_is_accepted_when_not_required() {
    let token = minter().without_claim("exp").sign();
    let verifier = builder()
        .claim_rules(|rules| rules.require_exp(false))
        .build()
        .unwrap();
    assert!(verifier.verify(&token).unwrap().exp().is_none());
}

#[test]
fn expired_token_is_refused() {
    let token = minter().expires_at(NOW - 1).sign();
    assert_eq!(kind(verifier().verify(&token)), ErrorKind::Expired);
}

#[test]
fn token_is_accepted_up_to_and_including_its_exp_second() {
    let token = minter().expires_at(NOW).sign();
    assert!(verifier().verify(&token).is_ok());
}

#[test]
fn leeway_extends_exp_and_nbf() {
    let expired = minter().expires_at(NOW - 20).sign();
    let early = minter().not_before(NOW + 20).sign();
    let lenient = builder()
        .claim_rules(|rules| rules.leeway(Duration::from_secs(30)))
        .build()
        .unwrap();
    assert!(lenient.verify(&expired).is_ok());
    assert!(lenient.verify(&early).is_ok());
    assert_eq!(kind(verifier().verify(&expired)), ErrorKind::Expired);
    assert_eq!(kind(verifier().verify(&early)), ErrorKind::NotYetValid);
}

#[test]
fn fractional_times_are_numbers_too() {
    let token = minter()
        .claim("exp", NOW as f64 + 0.5)
        .claim("iat", NOW as f64 - 0.25)
        .sign();
    let claims = verifier().verify(&token).unwrap();
    assert_eq!(claims.exp().unwrap().as_secs_f64(), NOW as f64 + 0.5);
    let past = minter().claim("exp", NOW as f64 - 0.5).sign();
    assert_eq!(kind(verifier().verify(&past)), ErrorKind::Expired);
}

#[test]
fn not_yet_valid_token_is_refused() {
    let token = minter().not_before(NOW + 1).sign();
    assert_eq!(kind(verifier().verify(&token)), ErrorKind::NotYetValid);
}

#[test]
fn iat_slightly_ahead_is_tolerated_but_far_ahead_is_refused() {
    let ahead = minter().issued_at(NOW + 60).sign();
    assert!(verifier().verify(&ahead).is_ok());
    let future = minter().issued_at(NOW + 61).sign();
    assert_eq!(kind(verifier().verify(&future)), ErrorKind::IssuedInFuture);
    let lenient = builder()
        .claim_rules(|rules| rules.leeway(Duration::from_secs(120)))
        .build()
        .unwrap();
    assert!(lenient.verify(&future).is_ok());
}

#[test]
fn time_claims_of_the_wrong_type_are_refused() {
    for (name, value) in [
        ("exp", json!("1764000900")),
        ("exp", json!(null)),
        ("exp", json!(true)),
        ("exp", json!([NOW + 900])),
        ("nbf", json!("0")),
        ("iat", json!({"t": 1})),
    ] {
        let token = minter().claim(name, value.clone()).sign();
        assert_eq!(
            kind(verifier().verify(&token)),
            ErrorKind::InvalidClaim(match name {
                "exp" => "exp",
                "nbf" => "nbf",
                _ => "iat",
            }),
            "{name}={value}"
        );
    }
}

#[test]
fn numbers_out_of_range_are_malformed_or_expired_never_accepted() {
    let huge = raw(HS256, r#"{"sub":"u","exp":1e400}"#);
    assert_eq!(kind(verifier().verify(&huge)), ErrorKind::Malformed);
    let negative = raw(HS256, r#"{"sub":"u","exp":-1}"#);
    assert_eq!(kind(verifier().verify(&negative)), ErrorKind::Expired);
    let two_to_64 = raw(
        HS256,
        r#"{"sub":"u","exp":18446744073709551616,"iat":18446744073709551616}"#,
    );
    assert_eq!(
        kind(verifier().verify(&two_to_64)),
        ErrorKind::IssuedInFuture
    );
}

#[test]
fn sub_must_be_a_non_empty_string() {
    for value in [
        json!(""),
        json!(42),
        json!(null),
        json!(["user-1"]),
        json!({"id": "u"}),
    ] {
        let token = minter().claim("sub", value.clone()).sign();
        assert_eq!(
            kind(verifier().verify(&token)),
            ErrorKind::InvalidSubject,
            "{value}"
        );
    }
    let token = minter().without_claim("sub").sign();
    assert_eq!(kind(verifier().verify(&token)), ErrorKind::InvalidSubject);
}

#[test]
fn issuer_is_checked_when_present_by_default() {
    let verifier = builder()
        .claim_rules(|rules| rules.issuer("nextjs-frontend"))
        .build()
        .unwrap();
    assert!(
        verifier
            .verify(&minter().issuer("nextjs-frontend").sign())
            .is_ok()
    );
    assert!(
        verifier.verify(&minter().sign()).is_ok(),
        "absent iss passes, as in the FastAPI pattern"
    );
    let wrong = minter().issuer("evil").sign();
    assert_eq!(kind(verifier.verify(&wrong)), ErrorKind::InvalidIssuer);
}

#[test]
fn required_issuer_must_be_present() {
    let verifier = builder()
        .claim_rules(|rules| {
            rules
                .issuer("nextjs-frontend")
                .issuer_check(ClaimCheck::Required)
        })
        .build()
        .unwrap();
    assert_eq!(
        kind(verifier.verify(&minter().sign())),
        ErrorKind::MissingClaim("iss")
    );
    assert!(
        verifier
            .verify(&minter().issuer("nextjs-frontend").sign())
            .is_ok()
    );
}

#[test]
fn unchecked_issuer_is_still_type_checked() {
    assert!(verifier().verify(&minter().issuer("anyone").sign()).is_ok());
    let token = minter().claim("iss", 7).sign();
    assert_eq!(
        kind(verifier().verify(&token)),
        ErrorKind::InvalidClaim("iss")
    );
}

#[test]
fn audience_may_be_a_string_or_an_array_matching_any_element() {
    let verifier = builder()
        .claim_rules(|rules| rules.audience("fastapi-backend"))
        .build()
        .unwrap();
    assert!(
        verifier
            .verify(&minter().audience("fastapi-backend").sign())
            .is_ok()
    );
    let array = minter()
        .claim("aud", json!(["other", "fastapi-backend"]))
        .sign();
    assert!(verifier.verify(&array).is_ok());
    let none_match = minter().claim("aud", json!(["other", "more"])).sign();
    assert_eq!(
        kind(verifier.verify(&none_match)),
        ErrorKind::InvalidAudience
    );
    let empty = minter().claim("aud", json!([])).sign();
    assert_eq!(kind(verifier.verify(&empty)), ErrorKind::InvalidAudience);
    assert!(
        verifier.verify(&minter().sign()).is_ok(),
        "absent aud passes when IfPresent"
    );
}

#[test]
fn audience_of_the_wrong_type_is_refused() {
    for value in [json!(1), json!([1]), json!({"a": 1}), json!(["ok", null])] {
        let token = minter().claim("aud", value.clone()).sign();
        assert_eq!(
            kind(verifier().verify(&token)),
            ErrorKind::InvalidClaim("aud"),
            "{value}"
        );
    }
}

#[test]
fn required_audience_must_be_present() {
    let verifier = builder()
        .claim_rules(|rules| {
            rules
                .audience("fastapi-backend")
                .audience_check(ClaimCheck::Required)
        })
        .build()
        .unwrap();
    assert_eq!(
        kind(verifier.verify(&minter().sign())),
        ErrorKind::MissingClaim("aud")
    );
}

#[test]
fn skipped_checks_ignore_values_configured_earlier() {
    let verifier = builder()
        .claim_rules(|rules| {
            rules
                .issuer("nextjs-frontend")
                .issuer_check(ClaimCheck::Skip)
                .audience("fastapi-backend")
                .audience_check(ClaimCheck::Skip)
        })
        .build()
        .unwrap();
    assert!(
        verifier
            .verify(&minter().issuer("x").audience("y").sign())
            .is_ok()
    );
}

#[derive(Debug, Deserialize)]
struct Session {
    sub: String,
    email: String,
    #[serde(default)]
    roles: Vec<String>,
}

#[test]
fn custom_claim_types_are_filled_through_serde() {
    let token = minter()
        .claim("email", "ada@example.com")
        .claim("roles", json!(["admin"]))
        .sign();
    let session: Session = verifier().verify_as(&token).unwrap();
    assert_eq!(session.sub, "user-1");
    assert_eq!(session.email, "ada@example.com");
    assert_eq!(session.roles, ["admin"]);
}

#[test]
fn custom_claim_types_still_get_every_registered_check() {
    let expired = minter().claim("email", "e").expires_at(NOW - 1).sign();
    assert_eq!(
        kind(verifier().verify_as::<Session>(&expired)),
        ErrorKind::Expired
    );
    let no_sub = minter().claim("email", "e").claim("sub", "").sign();
    assert_eq!(
        kind(verifier().verify_as::<Session>(&no_sub)),
        ErrorKind::InvalidSubject
    );
}

#[test]
fn claims_that_do_not_fit_the_custom_type_are_a_shape_error() {
    let token = minter().claim("email", 5).sign();
    assert_eq!(
        kind(verifier().verify_as::<Session>(&token)),
        ErrorKind::ClaimsShape
    );
    let missing = minter().sign();
    assert_eq!(
        kind(verifier().verify_as::<Session>(&missing)),
        ErrorKind::ClaimsShape
    );
}

#[test]
fn injected_clock_decides_expiry() {
    let token = minter().sign();
    let later = builder()
        .clock(jwtguard::Clock::fixed_unix(NOW + 901))
        .build()
        .unwrap();
    assert_eq!(kind(later.verify(&token)), ErrorKind::Expired);
    let moving = builder()
        .clock(jwtguard::Clock::from_fn(|| {
            time::OffsetDateTime::from_unix_timestamp(NOW + 10).unwrap()
        }))
        .build()
        .unwrap();
    assert!(moving.verify(&token).is_ok());
}

#[derive(Debug, Deserialize, PartialEq)]
struct Borrowed<'a> {
    #[serde(borrow)]
    sub: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    email: std::borrow::Cow<'a, str>,
    exp: u64,
}

#[test]
fn verify_borrowed_fills_a_borrowing_type_with_the_same_rules() {
    let verifier = verifier();
    let mut buffer = Vec::new();
    let token = minter().claim("email", "ada@example.com").sign();
    let claims: Borrowed<'_> =
        jwtguard::low_level::verify_borrowed(&verifier, &token, &mut buffer).unwrap();
    assert_eq!(claims.sub, "user-1");
    assert_eq!(claims.email, "ada@example.com");
    assert!(matches!(claims.email, std::borrow::Cow::Borrowed(_)));
    // An escaped string is unescaped into an owned value.
    let escaped = raw(
        HS256,
        r#"{"sub":"user-1","email":"a\u0064a@example.com","exp":4000000000}"#,
    );
    let claims: Borrowed<'_> =
        jwtguard::low_level::verify_borrowed(&verifier, &escaped, &mut buffer).unwrap();
    assert_eq!(claims.email, "ada@example.com");
    // Every refusal is the one `verify` gives.
    for (token, expected) in [
        (minter().expired().sign(), ErrorKind::Expired),
        (
            minter().without_claim("sub").sign(),
            ErrorKind::InvalidSubject,
        ),
        (
            raw(HS256, r#"{"sub":"a","sub":"b","exp":4000000000}"#),
            ErrorKind::Malformed,
        ),
        (
            format!("{}x", &token[..token.len() - 1]),
            ErrorKind::InvalidSignature,
        ),
        ("x".repeat(10_000), ErrorKind::TokenTooLarge),
    ] {
        let mut buffer = Vec::new();
        let err =
            jwtguard::low_level::verify_borrowed::<Borrowed<'_>>(&verifier, &token, &mut buffer)
                .unwrap_err();
        assert_eq!(err.kind(), expected, "{token}");
        assert_eq!(kind(verifier.verify(&token)), expected);
    }
    // A payload that does not fit the type.
    let no_email = minter().sign();
    let err =
        jwtguard::low_level::verify_borrowed::<Borrowed<'_>>(&verifier, &no_email, &mut buffer)
            .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ClaimsShape);
}

/// A caller's type is filled in one pass that reads exactly as strictly as
/// `Claims`: duplicates anywhere, even where the type looks away, are refused.
#[test]
fn verify_as_is_as_strict_as_verify_in_its_single_pass() {
    use std::collections::{BTreeMap, HashMap};

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(rename_all = "lowercase")]
    enum Plan {
        Free,
        Team { seats: u32 },
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Typed {
        sub: String,
        exp: u64,
        aud: Vec<String>,
        plan: Plan,
        limits: HashMap<u64, String>,
        nickname: Option<String>,
    }

    let verifier = verifier();
    let exp = NOW + 600;
    let payload = |extra: &str| {
        format!(
            r#"{{"sub":"user-1","exp":{exp},"aud":["a"],"plan":{{"team":{{"seats":3}}}},"limits":{{"10":"x"}}{extra}}}"#
        )
    };
    let typed: Typed = verifier.verify_as(&raw(HS256, &payload(""))).unwrap();
    assert_eq!(typed.plan, Plan::Team { seats: 3 });
    assert_eq!(typed.limits[&10], "x");
    assert_eq!(
        (typed.sub.as_str(), typed.exp, typed.nickname),
        ("user-1", exp as u64, None)
    );
    let as_value: serde_json::Value = verifier.verify_as(&raw(HS256, &payload(""))).unwrap();
    assert_eq!(as_value["plan"]["team"]["seats"], 3);

    for (extra, why) in [
        (r#","sub":"user-2""#, "a registered claim twice"),
        (
            r#","s\u0075b":"user-2""#,
            "a registered claim twice, escaped",
        ),
        (
            r#","nickname":"a","nickname":"b""#,
            "a claim the type reads, twice",
        ),
        (
            r#","ignored":{"k":1,"k":2}"#,
            "a duplicate inside a claim the type ignores",
        ),
        (
            r#","ignored":[{"k":1,"\u006b":2}]"#,
            "a duplicate inside an array, escaped",
        ),
        (r#","limits2":{"10":"x","10":"y"}"#, "a duplicate map key"),
    ] {
        let token = raw(HS256, &payload(extra));
        assert_eq!(
            kind(verifier.verify_as::<Typed>(&token)),
            ErrorKind::Malformed,
            "{why}"
        );
        assert_eq!(
            kind(verifier.verify_as::<serde_json::Value>(&token)),
            ErrorKind::Malformed,
            "{why}"
        );
        assert_eq!(
            kind(verifier.verify_as::<BTreeMap<String, serde_json::Value>>(&token)),
            ErrorKind::Malformed,
            "{why}"
        );
        assert_eq!(kind(verifier.verify(&token)), ErrorKind::Malformed, "{why}");
    }
    // The registered claims are judged before the type: an expired token
    // that also does not fit says it expired.
    let expired = raw(HS256, r#"{"sub":"user-1","exp":1000,"plan":7}"#);
    assert_eq!(
        kind(verifier.verify_as::<Typed>(&expired)),
        ErrorKind::Expired
    );
    let misfit = raw(
        HS256,
        &format!(r#"{{"sub":"user-1","exp":{exp},"plan":7}}"#),
    );
    assert_eq!(
        kind(verifier.verify_as::<Typed>(&misfit)),
        ErrorKind::ClaimsShape
    );
    // Not an object, whatever the type would take.
    let array = raw(HS256, r#"["user-1",4000000000]"#);
    assert_eq!(
        kind(verifier.verify_as::<(String, u64)>(&array)),
        ErrorKind::Malformed
    );
    assert_eq!(
        kind(verifier.verify_as::<Typed>(&array)),
        ErrorKind::Malformed
    );
}

/// What review found in the single pass: serde_json's reserved names, raw
/// bytes, enums over registered claims, loose numeric keys, wrappers.
#[test]
fn verify_as_has_no_side_doors() {
    use std::collections::HashMap;

    let verifier = builder()
        .claim_rules(|rules| rules.issuer("https://auth.example"))
        .build()
        .unwrap();
    let exp = NOW + 600;
    let token = |claims: &str| raw(HS256, &format!(r#"{{"sub":"alice","exp":{exp}{claims}}}"#));

    // serde_json gives `$serde_json::private::...` names a meaning of their own.
    let reserved = token(r#","$serde_json::private::RawValue":"{\"org\":\"evil\"}","org":"acme""#);
    assert_eq!(kind(verifier.verify(&reserved)), ErrorKind::Malformed);
    assert_eq!(
        kind(verifier.verify_as::<serde_json::Value>(&reserved)),
        ErrorKind::Malformed
    );
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Raw {
        sub: String,
        ext: Box<serde_json::value::RawValue>,
    }
    let nested = token(r#","ext":{"role":"user","role":"admin"}"#);
    assert_eq!(
        kind(verifier.verify_as::<Raw>(&nested)),
        ErrorKind::Malformed
    );

    // Bytes are read as checked JSON strings.
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Blob<'a> {
        sub: &'a str,
        blob: &'a [u8],
    }
    let mut buffer = Vec::new();
    let lone_surrogate = token(r#","blob":"\ud800""#);
    let err =
        jwtguard::low_level::verify_borrowed::<Blob<'_>>(&verifier, &lone_surrogate, &mut buffer);
    assert_eq!(err.unwrap_err().kind(), ErrorKind::Malformed);
    assert_eq!(kind(verifier.verify(&lone_surrogate)), ErrorKind::Malformed);
    let fine = token(r#","blob":"abc""#);
    let blob: Blob<'_> =
        jwtguard::low_level::verify_borrowed(&verifier, &fine, &mut buffer).unwrap();
    assert_eq!(blob.blob, b"abc");

    // A registered claim read as an enum is judged by its JSON shape.
    #[derive(Debug, Deserialize, PartialEq)]
    enum Issuer {
        #[serde(rename = "https://auth.example")]
        Main,
    }
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct WithIssuer {
        sub: String,
        iss: Issuer,
    }
    let as_string = token(r#","iss":"https://auth.example""#);
    assert_eq!(
        verifier.verify_as::<WithIssuer>(&as_string).unwrap().iss,
        Issuer::Main
    );
    let as_object = token(r#","iss":{"https://auth.example":null}"#);
    assert_eq!(
        kind(verifier.verify_as::<WithIssuer>(&as_object)),
        ErrorKind::InvalidClaim("iss")
    );
    assert_eq!(
        kind(verifier.verify(&as_object)),
        ErrorKind::InvalidClaim("iss")
    );

    // Numeric keys only in their canonical spelling: "01" is not 1.
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Roles {
        roles: HashMap<u32, String>,
    }
    let loose = token(r#","roles":{"1":"user","01":"admin"}"#);
    assert_eq!(
        kind(verifier.verify_as::<Roles>(&loose)),
        ErrorKind::ClaimsShape
    );
    let canonical = token(r#","roles":{"1":"user","2":"admin"}"#);
    assert_eq!(
        verifier.verify_as::<Roles>(&canonical).unwrap().roles[&2],
        "admin"
    );

    // Wrappers around the claims type work.
    #[derive(Debug, Deserialize)]
    struct Sub {
        sub: String,
    }
    #[derive(Debug, Deserialize)]
    struct Wrapped(Sub);
    assert_eq!(verifier.verify_as::<Wrapped>(&fine).unwrap().0.sub, "alice");
    let optional: Option<Sub> = verifier.verify_as(&fine).unwrap();
    assert_eq!(optional.unwrap().sub, "alice");
}
