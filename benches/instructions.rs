//! Instruction counts per verification, for figures that do not move with
//! the machine's load: `scripts/instructions.sh` runs this binary under
//! `valgrind --tool=callgrind` with 0 and N iterations of each case and
//! divides the difference by N.
//!
//! `instructions CASE N` runs CASE N times; without arguments (as
//! `cargo bench` runs it) every case runs once, as a smoke test.

use std::hint::black_box;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use jwtguard::Verifier;
use jwtguard::testing::TokenMinter;
use serde::Deserialize;

const SECRET: &str = "bench-secret-of-at-least-32-bytes-long!!";
const ISSUER: &str = "nextjs-frontend";
const AUDIENCE: &str = "fastapi-backend";

/// The claims of a Better Auth-style token, with owned fields.
#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct Session {
    sub: String,
    email: String,
    name: String,
    iat: u64,
    exp: u64,
    iss: String,
    aud: String,
}

/// The same claims borrowed from the decoded payload.
#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct BorrowedSession<'a> {
    sub: &'a str,
    email: &'a str,
    name: &'a str,
    iat: u64,
    exp: u64,
    iss: &'a str,
    aud: &'a str,
}

/// The JOSE header, as the floor reads it.
#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct Header<'a> {
    alg: &'a str,
    typ: Option<&'a str>,
}

fn main() {
    let token = TokenMinter::new(SECRET)
        .subject("Xk9mP2vL7qR4tW8yB3nF6hJ1cD5gS0aE")
        .claim("email", "ada.lovelace@example.com")
        .claim("name", "Ada Lovelace")
        .issuer(ISSUER)
        .audience(AUDIENCE)
        .issued_at(1_700_000_000)
        .expires_at(4_000_000_000)
        .sign();
    let verifier = Verifier::builder()
        .hs256_secret(SECRET)
        .claim_rules(|rules| rules.issuer(ISSUER).audience(AUDIENCE))
        .build()
        .expect("valid configuration");
    let key = DecodingKey::from_secret(SECRET.as_bytes());
    let mut validation = Validation::new(Algorithm::HS256);
    validation.set_issuer(&[ISSUER]);
    validation.set_audience(&[AUDIENCE]);
    validation.set_required_spec_claims(&["exp", "sub"]);
    // The floor: what any verifier must spend (HMAC keyed once and cloned,
    // base64url of the three segments, serde_json of header and claims).
    let prepared = Hmac::<sha2::Sha256>::new_from_slice(SECRET.as_bytes()).expect("any key");
    let (signing_input, signature) = token.rsplit_once('.').expect("three segments");
    let (header, payload) = signing_input.split_once('.').expect("three segments");
    let floor = |bufs: &mut [Vec<u8>; 3]| {
        for (buf, segment) in bufs.iter_mut().zip([header, payload, signature]) {
            buf.clear();
            URL_SAFE_NO_PAD.decode_vec(segment, buf).expect("base64url");
        }
        let mut mac = prepared.clone();
        mac.update(signing_input.as_bytes());
        let valid = mac.verify_slice(&bufs[2]).is_ok();
        let header: Header<'_> = serde_json::from_slice(&bufs[0]).expect("JSON");
        let claims: Session = serde_json::from_slice(&bufs[1]).expect("JSON");
        valid && header.alg == "HS256" && !claims.sub.is_empty()
    };
    let mut bad_signature = token.clone();
    bad_signature.replace_range(bad_signature.len() - 2.., "AA");

    let run = |case: &str, n: u64| {
        let mut buffer = Vec::new();
        let mut bufs = [Vec::new(), Vec::new(), Vec::new()];
        for _ in 0..n {
            let ok = match case {
                "jwtguard_verify" => verifier.verify(black_box(&token)).is_ok(),
                "jwtguard_verify_as" => verifier.verify_as::<Session>(black_box(&token)).is_ok(),
                "jwtguard_verify_borrowed" => jwtguard::low_level::verify_borrowed::<
                    BorrowedSession<'_>,
                >(
                    &verifier, black_box(&token), &mut buffer
                )
                .is_ok(),
                "jsonwebtoken_decode" => {
                    jsonwebtoken::decode::<Session>(black_box(&token), &key, &validation).is_ok()
                }
                "jwtguard_bad_signature" => verifier.verify(black_box(&bad_signature)).is_err(),
                "floor" => floor(black_box(&mut bufs)),
                other => panic!("unknown case {other}"),
            };
            assert!(ok, "{case} did not give the expected result");
        }
    };
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    match args.as_slice() {
        [case, n] => run(case, n.parse().expect("N is a count")),
        _ => {
            for case in [
                "jwtguard_verify",
                "jwtguard_verify_as",
                "jwtguard_verify_borrowed",
                "jsonwebtoken_decode",
                "jwtguard_bad_signature",
                "floor",
            ] {
                run(case, 1);
            }
            println!("instructions: smoke run ok; use scripts/instructions.sh for counts");
        }
    }
}
