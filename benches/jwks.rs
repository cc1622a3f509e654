//! Throughput of verifying Better Auth JWT-plugin tokens (feature `jwks`).
//!
//! One group per algorithm (`eddsa`, the plugin's default, then `es256` and
//! `rs256`), each on a token shaped like the plugin's (its claims, `iss` =
//! `aud` = the base URL, a `kid` header):
//!
//! * `jwtguard_verify`: [`Verifier::verify`] with the key from a JWKS;
//! * `jwtguard_verify_cached` (EdDSA): the same token again with
//!   `.jwks(|keys| keys.token_cache(..))`: a hit skips the signature, re-checks the claims;
//! * `jwtguard_verify_cache_miss` (EdDSA): a token the cache has not seen
//!   (4096 of them through a cache of 1024, so 3 insertions in 4 evict):
//!   the lookup that misses, the signature check and the insertion;
//! * `jsonwebtoken_decode`: `jsonwebtoken::decode` with a prebuilt
//!   `DecodingKey` and the same issuer, audience and required claims;
//! * `floor_signature`: the signature check alone, with a prepared key;
//! * `rs256_8192/jwtguard_forged_signature`: a forged signature against an
//!   8192-bit RSA key, the largest accepted.
//!
//! Every input is checked once before timing. Run with
//! `cargo bench --bench jwks` (add `-- --quick` for a short run).

use std::hint::black_box;
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ed25519_dalek::Signer as _;
use jsonwebtoken::{Algorithm, DecodingKey};
use jwtguard::Verifier;
use rsa::signature::{SignatureEncoding, Verifier as _};
use rsa::traits::PublicKeyParts;
use serde::Deserialize;
use serde_json::json;

mod common;
use common::jsonwebtoken_validation;

const BASE_URL: &str = "https://app.example.com";
const KID: &str = "rcCmGb2b8YT35yUWYnkVH6XJGO9oJzi6";

/// The plugin's claims, as a handler would want them.
#[derive(Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PluginClaims {
    sub: String,
    id: String,
    name: String,
    email: String,
    email_verified: bool,
    created_at: String,
    updated_at: String,
    iat: u64,
    exp: u64,
    iss: String,
    aud: String,
}

fn b64(bytes: impl AsRef<[u8]>) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The signing input of a plugin-shaped token for `alg`.
fn signing_input(alg: &str) -> String {
    signing_input_at(alg, 1_764_000_000)
}

/// The same, issued at `iat` (distinct tokens for the cache-miss bench).
fn signing_input_at(alg: &str, iat: u64) -> String {
    let header = json!({"alg": alg, "kid": KID});
    let claims = json!({
        "iat": iat, "name": "Ada Lovelace", "email": "ada@example.com",
        "emailVerified": false, "createdAt": "2026-11-25T15:00:00.000Z",
        "updatedAt": "2026-11-25T15:00:00.000Z", "id": "Xk9mP2vL7qR4tW8yB3nF6hJ1cD5gS0aE",
        "sub": "Xk9mP2vL7qR4tW8yB3nF6hJ1cD5gS0aE", "exp": 4_000_000_000u64,
        "iss": BASE_URL, "aud": BASE_URL,
    });
    format!("{}.{}", b64(header.to_string()), b64(claims.to_string()))
}

/// The size of the benches' token cache.
const CACHE_ENTRIES: usize = 1024;

fn verifier(jwk: serde_json::Value, cache: bool) -> Verifier {
    let mut builder = Verifier::builder()
        .jwks(|keys| keys.json(json!({"keys": [jwk]}).to_string()))
        .claim_rules(|rules| rules.issuer(BASE_URL).audience(BASE_URL));
    if cache {
        builder = builder.jwks(|keys| keys.token_cache(CACHE_ENTRIES));
    }
    builder.build().expect("bench JWKS is valid")
}

/// Times jwtguard (and its cache when given tokens that miss it) next to
/// jsonwebtoken and the bare signature check, after checking that all of
/// them accept the token.
fn compare(
    c: &mut Criterion,
    name: &str,
    token: &str,
    jwk: serde_json::Value,
    theirs: (DecodingKey, Algorithm),
    floor: impl Fn() -> bool,
    misses: Option<Vec<String>>,
) {
    let plain = verifier(jwk.clone(), false);
    let ours: PluginClaims = plain.verify_as(token).expect("jwtguard accepts the token");
    let (key, alg) = theirs;
    let validation = jsonwebtoken_validation(alg, BASE_URL, BASE_URL);
    let decoded = jsonwebtoken::decode::<PluginClaims>(token, &key, &validation)
        .expect("jsonwebtoken accepts the token")
        .claims;
    assert_eq!(ours, decoded);
    assert!(floor(), "the floor reproduces the signature check");

    let mut group = c.benchmark_group(name);
    group.throughput(Throughput::Elements(1));
    group.bench_function("jwtguard_verify", |b| {
        b.iter(|| plain.verify(black_box(token)))
    });
    if let Some(misses) = misses {
        let cached = verifier(jwk.clone(), true);
        assert!(cached.verify(token).is_ok());
        group.bench_function("jwtguard_verify_cached", |b| {
            b.iter(|| cached.verify(black_box(token)))
        });
        group.bench_function("jwtguard_verify_as_cached", |b| {
            b.iter(|| cached.verify_as::<PluginClaims>(black_box(token)))
        });
        // Each round a fresh cache sees each token once: every lookup
        // misses, and past the first CACHE_ENTRIES each insertion evicts.
        // Only the verify calls are timed.
        assert!(misses.len() > 2 * CACHE_ENTRIES);
        group.bench_function("jwtguard_verify_cache_miss", |b| {
            b.iter_custom(|iters| {
                let mut elapsed = Duration::ZERO;
                let mut left = iters;
                while left > 0 {
                    let fresh = verifier(jwk.clone(), true);
                    let round = misses
                        .iter()
                        .take(usize::try_from(left).unwrap_or(usize::MAX));
                    let started = Instant::now();
                    for token in round {
                        assert!(fresh.verify(black_box(token)).is_ok());
                    }
                    elapsed += started.elapsed();
                    left = left.saturating_sub(misses.len() as u64);
                }
                elapsed
            })
        });
    }
    group.bench_function("jsonwebtoken_decode", |b| {
        b.iter(|| jsonwebtoken::decode::<PluginClaims>(black_box(token), &key, &validation))
    });
    group.bench_function("floor_signature", |b| b.iter(&floor));
    group.finish();
}

fn eddsa(c: &mut Criterion) {
    let key = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
    let input = signing_input("EdDSA");
    let signature = key.sign(input.as_bytes());
    let token = format!("{input}.{}", b64(signature.to_bytes()));
    let x = b64(key.verifying_key().as_bytes());
    let jwk = json!({"kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "kid": KID, "x": x});
    let public = key.verifying_key();
    let floor = || public.verify_strict(input.as_bytes(), &signature).is_ok();
    let theirs = (
        DecodingKey::from_ed_components(&x).unwrap(),
        Algorithm::EdDSA,
    );
    let misses = (0..4 * CACHE_ENTRIES as u64)
        .map(|i| {
            let input = signing_input_at("EdDSA", 1_764_000_001 + i);
            format!("{input}.{}", b64(key.sign(input.as_bytes()).to_bytes()))
        })
        .collect();
    compare(c, "eddsa", &token, jwk, theirs, floor, Some(misses));
}

fn es256(c: &mut Criterion) {
    let key = p256::ecdsa::SigningKey::from_slice(&[7; 32]).unwrap();
    let input = signing_input("ES256");
    let signature: p256::ecdsa::Signature = key.sign(input.as_bytes());
    let token = format!("{input}.{}", b64(signature.to_bytes()));
    let point = key.verifying_key().to_encoded_point(false);
    let (x, y) = (b64(point.x().unwrap()), b64(point.y().unwrap()));
    let jwk = json!({"kty": "EC", "crv": "P-256", "alg": "ES256", "kid": KID, "x": x, "y": y});
    let public = *key.verifying_key();
    let floor = || public.verify(input.as_bytes(), &signature).is_ok();
    let theirs = (
        DecodingKey::from_ec_components(&x, &y).unwrap(),
        Algorithm::ES256,
    );
    compare(c, "es256", &token, jwk, theirs, floor, None);
}

fn rs256(c: &mut Criterion) {
    use rand::SeedableRng;
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let private = rsa::RsaPrivateKey::new(&mut rng, 2048).unwrap();
    let input = signing_input("RS256");
    let signer = rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(private.clone());
    let signature = rsa::signature::Signer::sign(&signer, input.as_bytes());
    let token = format!("{input}.{}", b64(signature.to_bytes()));
    let (n, e) = (
        b64(private.n().to_bytes_be()),
        b64(private.e().to_bytes_be()),
    );
    let jwk = json!({"kty": "RSA", "alg": "RS256", "kid": KID, "n": n, "e": e});
    let public = rsa::pkcs1v15::VerifyingKey::<sha2::Sha256>::new(private.to_public_key());
    let floor = || public.verify(input.as_bytes(), &signature).is_ok();
    let theirs = (
        DecodingKey::from_rsa_components(&n, &e).unwrap(),
        Algorithm::RS256,
    );
    compare(c, "rs256", &token, jwk, theirs, floor, None);
}

/// What one forged RS256 signature costs against the largest key accepted
/// (8192 bits): the price of a request with a made-up signature.
fn rs256_8192_forged(c: &mut Criterion) {
    let mut n = vec![0xC5u8; 1024];
    n[0] = 0xF1;
    n[1023] = 0x01;
    let jwk = json!({"kty": "RSA", "alg": "RS256", "kid": KID, "n": b64(&n), "e": "AQAB"});
    let verifier = Verifier::builder()
        .jwks(|keys| keys.json(json!({"keys": [jwk]}).to_string()))
        .claim_rules(|rules| rules.issuer(BASE_URL).audience(BASE_URL))
        .build()
        .expect("an 8192-bit modulus loads");
    let token = format!("{}.{}", signing_input("RS256"), b64([0x5A; 1024]));
    assert_eq!(
        verifier.verify(&token).unwrap_err().kind(),
        jwtguard::ErrorKind::InvalidSignature
    );
    let mut group = c.benchmark_group("rs256_8192");
    group.throughput(Throughput::Elements(1));
    group.bench_function("jwtguard_forged_signature", |b| {
        b.iter(|| verifier.verify(black_box(&token)))
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = common::criterion();
    targets = eddsa, es256, rs256, rs256_8192_forged
}
criterion_main!(benches);
