//! Tokens minted by the Python libraries our users come from (python-jose and
//! PyJWT) verify exactly as `tests/fixtures/python/tokens.json` records.
//!
//! The fixtures are made by `tests/fixtures/python/mint.py` (see its header
//! for how to regenerate them) with fixed timestamps, so every check here runs
//! against an injected clock and never goes stale.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use jwtguard::{Claims, Clock, ErrorKind, Verifier};
use serde::Deserialize;
use serde_json::{Map, Value};

const SECRET: &str = "fixture-secret-for-python-interop-0123456789";
const KID: &str = "python-interop-2025";
const ISSUER: &str = "nextjs-frontend";
const AUDIENCE: &str = "fastapi-backend";
/// `iat` of every fixture.
const IAT: i64 = 1_764_000_000;
/// `exp` of every fixture with a whole-second expiry: 15 minutes after `IAT`.
const EXP: i64 = IAT + 15 * 60;
/// A "now" well inside every fixture's validity window.
const INSIDE: i64 = IAT + 5 * 60;

const PYTHON_JOSE: &str = "python-jose";
const PYJWT: &str = "pyjwt";
const LIBRARIES: [&str; 2] = [PYTHON_JOSE, PYJWT];

/// Cases both libraries must mint; a regenerated file may not drop them.
const CASES_BOTH_LIBRARIES_MINT: [&str; 10] = [
    "better_auth",
    "better_auth_datetime_claims",
    "kid_header",
    "aud_array",
    "aud_array_without_backend",
    "other_secret",
    "hs512",
    "no_exp",
    "integer_sub",
    "fractional_exp",
];

/// `tests/fixtures/python/tokens.json`.
#[derive(Debug, Deserialize)]
struct FixtureFile {
    libraries: BTreeMap<String, String>,
    secret: String,
    issuer: String,
    audience: String,
    iat: i64,
    exp: i64,
    tokens: Vec<Fixture>,
    skipped: Vec<Skipped>,
}

/// One minted token and what verifying it must give.
#[derive(Debug, Deserialize)]
struct Fixture {
    library: String,
    name: String,
    token: String,
    /// "ok", or an `ErrorKind` name (see [`expected_outcome`]).
    expected: String,
    /// The `kid` header the token carries, if any.
    #[serde(default)]
    kid: Option<String>,
    /// For "ok" tokens: the payload the library was asked to sign.
    #[serde(default)]
    claims: Option<Map<String, Value>>,
}

/// A case a library refused to mint.
#[derive(Debug, Deserialize)]
struct Skipped {
    library: String,
    name: String,
    reason: String,
}

static FIXTURES: LazyLock<FixtureFile> = LazyLock::new(|| {
    serde_json::from_str(include_str!("../fixtures/python/tokens.json"))
        .expect("tests/fixtures/python/tokens.json is valid fixture JSON")
});

fn fixture(library: &str, name: &str) -> &'static Fixture {
    FIXTURES
        .tokens
        .iter()
        .find(|f| f.library == library && f.name == name)
        .unwrap_or_else(|| panic!("tokens.json has no {library} token named {name}"))
}

/// Maps a recorded outcome to what `verify` must return.
fn expected_outcome(name: &str) -> Result<(), ErrorKind> {
    match name {
        "ok" => Ok(()),
        "InvalidSignature" => Err(ErrorKind::InvalidSignature),
        "UnsupportedAlgorithm" => Err(ErrorKind::UnsupportedAlgorithm),
        "UnknownKey" => Err(ErrorKind::UnknownKey),
        "Malformed" => Err(ErrorKind::Malformed),
        "Expired" => Err(ErrorKind::Expired),
        "InvalidSubject" => Err(ErrorKind::InvalidSubject),
        "InvalidIssuer" => Err(ErrorKind::InvalidIssuer),
        "InvalidAudience" => Err(ErrorKind::InvalidAudience),
        "MissingClaim(exp)" => Err(ErrorKind::MissingClaim("exp")),
        "InvalidClaim(iss)" => Err(ErrorKind::InvalidClaim("iss")),
        other => panic!("tokens.json names an outcome this test does not map: {other}"),
    }
}

/// The Better Auth backend's verifier at `now`, keyed as the fixture needs:
/// under the fixture's `kid` when it has one.
fn verifier_at(f: &Fixture, now: i64) -> Verifier {
    let builder = Verifier::builder()
        .claim_rules(|rules| rules.issuer(ISSUER).audience(AUDIENCE))
        .clock(Clock::fixed_unix(now));
    let builder = match &f.kid {
        Some(kid) => builder.hs256_secret_with_kid(kid, SECRET),
        None => builder.hs256_secret(SECRET),
    };
    builder.build().expect("the fixture verifier is valid")
}

fn verify_at(f: &Fixture, now: i64) -> Result<Claims, ErrorKind> {
    verifier_at(f, now).verify(&f.token).map_err(|e| e.kind())
}

/// Verifies inside the validity window and checks the outcome is the recorded one.
fn assert_recorded_outcome(f: &Fixture) {
    let outcome = verify_at(f, INSIDE).map(drop);
    assert_eq!(
        outcome,
        expected_outcome(&f.expected),
        "{} {}",
        f.library,
        f.name
    );
}

/// A list of audiences, as `Claims::aud` gives it, from a recorded `aud`.
fn audiences(aud: &Value) -> Vec<String> {
    match aud {
        Value::String(one) => vec![one.clone()],
        Value::Array(many) => many
            .iter()
            .map(|a| {
                a.as_str()
                    .expect("recorded aud items are strings")
                    .to_owned()
            })
            .collect(),
        other => panic!("recorded aud is neither string nor array: {other}"),
    }
}

/// Verifies an "ok" fixture inside its window; its claims must be the ones
/// the library was asked to sign.
fn assert_accepted_with_recorded_claims(f: &Fixture) -> Claims {
    let claims = verify_at(f, INSIDE)
        .unwrap_or_else(|kind| panic!("{} {} refused: {kind:?}", f.library, f.name));
    let recorded = f
        .claims
        .as_ref()
        .unwrap_or_else(|| panic!("{} {} records no claims", f.library, f.name));
    let context = format!("{} {}", f.library, f.name);
    assert_eq!(
        Some(claims.sub()),
        recorded["sub"].as_str(),
        "sub, {context}"
    );
    assert_eq!(claims.iss(), recorded["iss"].as_str(), "iss, {context}");
    assert_eq!(claims.aud(), audiences(&recorded["aud"]), "aud, {context}");
    assert_eq!(
        claims.get("email"),
        Some(&recorded["email"]),
        "email, {context}"
    );
    assert_eq!(
        claims.get("name"),
        Some(&recorded["name"]),
        "name, {context}"
    );
    assert_eq!(
        claims.iat().map(|d| d.as_secs_f64()),
        recorded["iat"].as_f64(),
        "iat, {context}"
    );
    assert_eq!(
        claims.exp().map(|d| d.as_secs_f64()),
        recorded["exp"].as_f64(),
        "exp, {context}"
    );
    claims
}

/// The values mint.py puts in its Better Auth-style payload, pinned here so a
/// regenerated file cannot change them unnoticed.
fn assert_better_auth_claims(claims: &Claims) {
    assert_eq!(claims.sub(), "Yx3s9QmTq2Vb7LkP0aR4wN8e");
    assert_eq!(claims.iss(), Some(ISSUER));
    assert_eq!(claims.aud(), [AUDIENCE]);
    assert_eq!(
        claims.get("email").and_then(Value::as_str),
        Some("zoe@example.com")
    );
    // Both libraries send "\u00eb" escapes for non-ASCII text.
    assert_eq!(
        claims.get("name").and_then(Value::as_str),
        Some("Zoë Lovelace")
    );
    assert_eq!(claims.iat().map(|d| d.unix_timestamp()), Some(IAT));
    assert_eq!(claims.exp().map(|d| d.as_secs_f64()), Some(EXP as f64));
}

fn assert_better_auth_token_is_accepted(library: &str) {
    let f = fixture(library, "better_auth");
    assert_eq!(f.expected, "ok");
    let claims = assert_accepted_with_recorded_claims(f);
    assert_better_auth_claims(&claims);
}

/// Every library's fixture `name` verifies to its recorded outcome, which
/// must be `expected`.
fn assert_case_for_both_libraries(name: &str, expected: Result<(), ErrorKind>) {
    for library in LIBRARIES {
        let f = fixture(library, name);
        assert_eq!(expected_outcome(&f.expected), expected, "{library} {name}");
        assert_recorded_outcome(f);
    }
}

#[test]
fn python_jose_better_auth_token_is_accepted() {
    assert_better_auth_token_is_accepted(PYTHON_JOSE);
}

#[test]
fn pyjwt_better_auth_token_is_accepted() {
    assert_better_auth_token_is_accepted(PYJWT);
}

#[test]
fn python_datetime_iat_and_exp_become_whole_second_numeric_dates() {
    for library in LIBRARIES {
        let f = fixture(library, "better_auth_datetime_claims");
        let claims = assert_accepted_with_recorded_claims(f);
        assert_better_auth_claims(&claims);
        // Same payload, same key: byte-identical to the integer-claims token.
        assert_eq!(f.token, fixture(library, "better_auth").token, "{library}");
    }
}

#[test]
fn python_kid_tokens_are_accepted_by_the_key_with_that_kid() {
    for library in LIBRARIES {
        let f = fixture(library, "kid_header");
        assert_eq!(f.kid.as_deref(), Some(KID), "{library}");
        let claims = assert_accepted_with_recorded_claims(f);
        assert_better_auth_claims(&claims);
    }
}

#[test]
fn python_kid_tokens_are_an_unknown_key_to_a_verifier_without_that_kid() {
    for library in LIBRARIES {
        let f = fixture(library, "kid_header");
        let verifier = Verifier::builder()
            .hs256_secret_with_kid("another-kid", SECRET)
            .claim_rules(|rules| rules.issuer(ISSUER).audience(AUDIENCE))
            .clock(Clock::fixed_unix(INSIDE))
            .build()
            .expect("valid configuration");
        let err = verifier.verify(&f.token).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UnknownKey, "{library}");
    }
}

#[test]
fn python_audience_arrays_naming_the_backend_are_accepted() {
    for library in LIBRARIES {
        let f = fixture(library, "aud_array");
        let claims = assert_accepted_with_recorded_claims(f);
        assert_eq!(claims.aud(), ["other-service", AUDIENCE], "{library}");
    }
}

#[test]
fn python_audience_arrays_without_the_backend_are_an_invalid_audience() {
    assert_case_for_both_libraries("aud_array_without_backend", Err(ErrorKind::InvalidAudience));
}

#[test]
fn python_tokens_signed_with_another_secret_have_an_invalid_signature() {
    assert_case_for_both_libraries("other_secret", Err(ErrorKind::InvalidSignature));
}

#[test]
fn python_hs512_tokens_with_the_same_secret_are_an_unsupported_algorithm() {
    assert_case_for_both_libraries("hs512", Err(ErrorKind::UnsupportedAlgorithm));
}

#[test]
fn pyjwt_alg_none_token_is_an_unsupported_algorithm() {
    let f = fixture(PYJWT, "alg_none");
    assert!(f.token.ends_with('.'), "an unsigned token has no signature");
    assert_eq!(
        verify_at(f, INSIDE).map(drop),
        Err(ErrorKind::UnsupportedAlgorithm)
    );
}

#[test]
fn python_tokens_without_exp_are_missing_the_exp_claim() {
    assert_case_for_both_libraries("no_exp", Err(ErrorKind::MissingClaim("exp")));
}

#[test]
fn python_integer_subjects_are_an_invalid_subject() {
    assert_case_for_both_libraries("integer_sub", Err(ErrorKind::InvalidSubject));
}

#[test]
fn python_jose_non_string_issuer_is_an_invalid_claim() {
    let f = fixture(PYTHON_JOSE, "non_string_iss");
    assert_eq!(
        verify_at(f, INSIDE).map(drop),
        Err(ErrorKind::InvalidClaim("iss"))
    );
}

#[test]
fn python_fractional_exp_is_honoured_to_the_fraction() {
    for library in LIBRARIES {
        let f = fixture(library, "fractional_exp");
        let claims = assert_accepted_with_recorded_claims(f);
        assert_eq!(
            claims.exp().map(|d| d.as_secs_f64()),
            Some(EXP as f64 + 0.5)
        );
        // exp = EXP + 0.5: still valid at EXP, expired a second later.
        assert!(verify_at(f, EXP).is_ok(), "{library}");
        assert_eq!(
            verify_at(f, EXP + 1).map(drop),
            Err(ErrorKind::Expired),
            "{library}"
        );
    }
}

#[test]
fn python_valid_tokens_are_accepted_until_exactly_exp_and_expired_after() {
    let valid: Vec<&Fixture> = FIXTURES
        .tokens
        .iter()
        .filter(|f| f.expected == "ok")
        .collect();
    assert!(
        valid.len() >= 2 * 5,
        "expected at least five valid tokens per library"
    );
    for f in valid {
        let context = format!("{} {}", f.library, f.name);
        let exp = verify_at(f, INSIDE)
            .unwrap_or_else(|kind| panic!("{context} refused: {kind:?}"))
            .exp()
            .expect("valid fixtures carry exp")
            .unix_timestamp();
        assert!(verify_at(f, IAT).is_ok(), "at iat, {context}");
        // Expired iff now > exp + leeway (leeway 0): `exp` itself is still valid.
        assert!(verify_at(f, exp).is_ok(), "at exp, {context}");
        assert_eq!(
            verify_at(f, exp + 1).map(drop),
            Err(ErrorKind::Expired),
            "one second after exp, {context}"
        );
    }
    assert_eq!(
        verify_at(fixture(PYJWT, "better_auth"), EXP).map(|c| c.exp()),
        Ok(Some(jwtguard::NumericDate::from_unix(EXP as f64)))
    );
}

#[test]
fn every_python_fixture_verifies_to_its_recorded_outcome() {
    let mut mismatches = Vec::new();
    for f in &FIXTURES.tokens {
        let expected = expected_outcome(&f.expected);
        let outcome = verify_at(f, INSIDE);
        match (&outcome, expected) {
            (Ok(_), Ok(())) => {
                assert_accepted_with_recorded_claims(f);
            }
            (Err(kind), Err(want)) if *kind == want => {}
            _ => mismatches.push(format!(
                "{} {}: expected {}, got {:?}",
                f.library,
                f.name,
                f.expected,
                outcome.map(drop)
            )),
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

#[test]
fn python_fixtures_cover_every_case_for_both_libraries() {
    let file = &*FIXTURES;
    assert_eq!(file.secret, SECRET);
    assert_eq!(file.issuer, ISSUER);
    assert_eq!(file.audience, AUDIENCE);
    assert_eq!((file.iat, file.exp), (IAT, EXP));
    for library in LIBRARIES {
        assert!(
            file.libraries.get(library).is_some_and(|v| !v.is_empty()),
            "tokens.json records no version for {library}"
        );
        for name in CASES_BOTH_LIBRARIES_MINT {
            fixture(library, name);
        }
    }
    for f in &file.tokens {
        assert!(LIBRARIES.contains(&f.library.as_str()), "{}", f.library);
        assert_eq!(
            f.expected == "ok",
            f.claims.is_some(),
            "{} {}: exactly the valid tokens record their claims",
            f.library,
            f.name
        );
        let duplicates = file
            .tokens
            .iter()
            .filter(|g| g.library == f.library && g.name == f.name)
            .count();
        assert_eq!(duplicates, 1, "{} {} appears twice", f.library, f.name);
    }
    // What each library refused to mint, as of the pinned versions.
    let mut skipped: Vec<(&str, &str)> = file
        .skipped
        .iter()
        .map(|s| {
            assert!(!s.reason.is_empty());
            (s.library.as_str(), s.name.as_str())
        })
        .collect();
    skipped.sort_unstable();
    assert_eq!(
        skipped,
        [(PYJWT, "non_string_iss"), (PYTHON_JOSE, "alg_none")]
    );
}
