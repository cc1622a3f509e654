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
use jsonwebtoken::{Algorithm, DecodingKey};
use serde::Deserialize;

mod common;
use common::{AUDIENCE, ISSUER, SECRET, SmallBorrowed, SmallClaims, jsonwebtoken_validation};

/// The JOSE header, as the floor reads it.
#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct Header<'a> {
    alg: &'a str,
    typ: Option<&'a str>,
}

fn main() {
    let token = common::minter().sign();
    let verifier = common::verifier();
    let key = DecodingKey::from_secret(SECRET.as_bytes());
    let validation = jsonwebtoken_validation(Algorithm::HS256, ISSUER, AUDIENCE);
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
        let claims: SmallClaims = serde_json::from_slice(&bufs[1]).expect("JSON");
        valid && header.alg == "HS256" && !claims.sub.is_empty()
    };
    let bad_signature = common::forged(&token);

    let run = |case: &str, n: u64| {
        let mut buffer = Vec::new();
        let mut bufs = [Vec::new(), Vec::new(), Vec::new()];
        for _ in 0..n {
            let ok = match case {
                "jwtguard_verify" => verifier.verify(black_box(&token)).is_ok(),
                "jwtguard_verify_as" => {
                    verifier.verify_as::<SmallClaims>(black_box(&token)).is_ok()
                }
                "jwtguard_verify_borrowed" => jwtguard::low_level::verify_borrowed::<
                    SmallBorrowed<'_>,
                >(
                    &verifier, black_box(&token), &mut buffer
                )
                .is_ok(),
                "jsonwebtoken_decode" => {
                    jsonwebtoken::decode::<SmallClaims>(black_box(&token), &key, &validation)
                        .is_ok()
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
