//! Throughput of verifying Better Auth-style HS256 tokens.
//!
//! Groups `small` (~320-byte token) and `large` (~1.5 KB token) compare:
//!
//! * `jwtguard_verify`: [`Verifier::verify`] into [`jwtguard::Claims`];
//! * `jwtguard_verify_as`: [`Verifier::verify_as`] into a typed struct;
//! * `jwtguard_verify_borrowed`: [`Verifier::verify_borrowed`] into a struct
//!   of `&str` fields borrowed from a reused buffer;
//! * `jsonwebtoken_decode`: `jsonwebtoken::decode` into the same struct, with
//!   the same issuer, audience and required claims;
//! * the floor, piece by piece: `floor_hmac` (HMAC-SHA256 of the signing input
//!   with a prepared `hmac` key), `floor_base64` (decoding the three segments
//!   into reused buffers) and `floor_json` (`serde_json` of the decoded header
//!   and payload). Their sum is roughly what any verifier must spend.
//!
//! Group `threads` verifies the small token on one thread and on two sharing
//! one `Verifier`, to show that throughput scales with cores.
//!
//! Group `reject` times three refusals through [`Verifier::verify`]: a bad
//! signature, an `alg: none` token and 100 KB of junk.
//!
//! Every input is checked once before timing (valid tokens verify with both
//! libraries, refusals fail with the expected [`ErrorKind`]), so a bench can
//! not silently measure the wrong path.
//!
//! Run with `cargo bench --bench verify` (add `-- --quick` for a short run).

use std::hint::black_box;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use criterion::{BenchmarkGroup, Criterion, Throughput, criterion_group, criterion_main};
use hmac::{Hmac, Mac};
use jsonwebtoken::{Algorithm, DecodingKey};
use jwtguard::{ErrorKind, Verifier};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::json;
use sha2::Sha256;

mod common;
use common::{
    AUDIENCE, EXP, IAT, ISSUER, SECRET, SUB, SmallBorrowed, SmallClaims, jsonwebtoken_validation,
    verifier,
};

const JUNK_LEN: usize = 100 * 1024;

/// The claims of the large token, with owned fields.
#[derive(Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
struct LargeClaims {
    sub: String,
    email: String,
    email_verified: bool,
    name: String,
    iat: u64,
    exp: u64,
    iss: String,
    aud: String,
    roles: Vec<String>,
    permissions: Vec<String>,
    profile: Profile,
    session: Session,
}

#[derive(Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Profile {
    display_name: String,
    avatar_url: String,
    locale: String,
    timezone: String,
    bio: String,
    organization: Organization,
}

#[derive(Debug, PartialEq, Deserialize)]
struct Organization {
    id: String,
    name: String,
    plan: String,
}

#[derive(Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Session {
    id: String,
    ip_address: String,
    user_agent: String,
}

/// What a handler reads from the large token, borrowed (`verify_borrowed`).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct LargeBorrowed<'a> {
    sub: &'a str,
    email: &'a str,
    email_verified: bool,
    name: &'a str,
    #[serde(borrow)]
    roles: Vec<&'a str>,
    #[serde(borrow)]
    permissions: Vec<&'a str>,
}

/// Times `verify_borrowed` into a borrowing type, after checking it once.
fn bench_borrowed<'t>(
    group: &mut BenchmarkGroup<'_, criterion::measurement::WallTime>,
    token: &'t str,
    read: impl Fn(&Verifier, &'t str, &mut Vec<u8>) -> usize,
) {
    let verifier = verifier();
    let mut buffer = Vec::new();
    assert!(
        read(&verifier, token, &mut buffer) > 0,
        "verify_borrowed accepts the token"
    );
    group.bench_function("jwtguard_verify_borrowed", |b| {
        b.iter(|| read(&verifier, black_box(token), &mut buffer))
    });
}

/// The JOSE header, for `floor_json`.
#[derive(Debug, PartialEq, Deserialize)]
struct Header {
    alg: String,
    typ: Option<String>,
}

fn small_token() -> String {
    common::minter().sign()
}

fn large_token() -> String {
    common::minter()
        .claim("emailVerified", true)
        .claim(
            "roles",
            json!([
                "admin",
                "editor",
                "billing-viewer",
                "support-agent",
                "beta-tester",
                "org-owner"
            ]),
        )
        .claim(
            "permissions",
            json!([
                "projects:read",
                "projects:write",
                "projects:delete",
                "members:read",
                "members:invite",
                "billing:read",
                "reports:export",
                "settings:write"
            ]),
        )
        .claim(
            "profile",
            json!({
                "displayName": "Ada L.",
                "avatarUrl": "https://cdn.example.com/avatars/Xk9mP2vL7qR4tW8yB3nF6hJ1cD5gS0aE/512x512.png",
                "locale": "en-GB",
                "timezone": "Europe/London",
                "bio": "Analyst and metaphysician. Wrote the first published algorithm \
                        intended for a machine; interested in poetical science and engines.",
                "organization": {
                    "id": "org_7Hq2Lm9Zx4Tb",
                    "name": "Analytical Engines Ltd",
                    "plan": "enterprise"
                }
            }),
        )
        .claim(
            "session",
            json!({
                "id": "sess_3Yp8Kd2Wq6Nv1Rm5Tz9Bc4",
                "ipAddress": "203.0.113.42",
                "userAgent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 \
                              (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"
            }),
        )
        .sign()
}

/// The three segments of a compact token and the bytes the signature covers.
struct Parts<'a> {
    signing_input: &'a [u8],
    header: &'a str,
    payload: &'a str,
    signature: &'a str,
}

fn split(token: &str) -> Parts<'_> {
    let mut it = token.split('.');
    let (Some(header), Some(payload), Some(signature), None) =
        (it.next(), it.next(), it.next(), it.next())
    else {
        panic!("bench token is not three segments");
    };
    Parts {
        signing_input: &token.as_bytes()[..header.len() + 1 + payload.len()],
        header,
        payload,
        signature,
    }
}

fn expect_kind(verifier: &Verifier, token: &str, kind: ErrorKind, what: &str) {
    match verifier.verify(token) {
        Ok(_) => panic!("{what}: verified, expected {kind:?}"),
        Err(err) => assert_eq!(err.kind(), kind, "{what}"),
    }
}

/// Checks every input once, then times the valid-token benches on `token`.
fn bench_valid<T>(
    group: &mut BenchmarkGroup<'_, criterion::measurement::WallTime>,
    token: &str,
    check: impl Fn(&T),
) where
    T: DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let verifier = verifier();
    let key = DecodingKey::from_secret(SECRET.as_bytes());
    let validation = jsonwebtoken_validation(Algorithm::HS256, ISSUER, AUDIENCE);
    let parts = split(token);

    // Setup checks: both libraries accept the token and agree on its claims,
    // and the floor pieces reproduce the signature and the claims.
    let claims = verifier.verify(token).expect("jwtguard accepts the token");
    assert_eq!(claims.iss(), Some(ISSUER));
    assert_eq!(claims.aud(), [AUDIENCE]);
    let ours: T = verifier
        .verify_as(token)
        .expect("jwtguard accepts the token");
    let theirs = jsonwebtoken::decode::<T>(token, &key, &validation)
        .expect("jsonwebtoken accepts the token")
        .claims;
    assert_eq!(ours, theirs);
    check(&ours);

    let prepared = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).expect("any key length");
    let mut header_buf = Vec::with_capacity(parts.header.len());
    let mut payload_buf = Vec::with_capacity(parts.payload.len());
    let mut signature_buf = Vec::with_capacity(parts.signature.len());
    let decode_all = |h: &mut Vec<u8>, p: &mut Vec<u8>, s: &mut Vec<u8>| {
        h.clear();
        p.clear();
        s.clear();
        URL_SAFE_NO_PAD.decode_vec(parts.header, h).unwrap();
        URL_SAFE_NO_PAD.decode_vec(parts.payload, p).unwrap();
        URL_SAFE_NO_PAD.decode_vec(parts.signature, s).unwrap();
    };
    decode_all(&mut header_buf, &mut payload_buf, &mut signature_buf);
    let mut mac = prepared.clone();
    mac.update(parts.signing_input);
    mac.verify_slice(&signature_buf)
        .expect("floor HMAC reproduces the token's signature");
    let header: Header = serde_json::from_slice(&header_buf).unwrap();
    assert_eq!(header.alg, "HS256");
    assert_eq!(header.typ.as_deref(), Some("JWT"));
    let floor_claims: T = serde_json::from_slice(&payload_buf).unwrap();
    assert_eq!(floor_claims, ours);

    group.bench_function("jwtguard_verify", |b| {
        b.iter(|| verifier.verify(black_box(token)))
    });
    group.bench_function("jwtguard_verify_as", |b| {
        b.iter(|| verifier.verify_as::<T>(black_box(token)))
    });
    group.bench_function("jsonwebtoken_decode", |b| {
        b.iter(|| jsonwebtoken::decode::<T>(black_box(token), &key, &validation))
    });
    group.bench_function("floor_hmac", |b| {
        b.iter(|| {
            let mut mac = prepared.clone();
            mac.update(black_box(parts.signing_input));
            mac.finalize().into_bytes()
        })
    });
    group.bench_function("floor_base64", |b| {
        b.iter(|| {
            decode_all(
                black_box(&mut header_buf),
                black_box(&mut payload_buf),
                black_box(&mut signature_buf),
            )
        })
    });
    group.bench_function("floor_json", |b| {
        b.iter(|| {
            let header: Header = serde_json::from_slice(black_box(&header_buf)).unwrap();
            let claims: T = serde_json::from_slice(black_box(&payload_buf)).unwrap();
            (header, claims)
        })
    });
}

fn small(c: &mut Criterion) {
    let token = small_token();
    eprintln!("small token: {} bytes", token.len());
    let mut group = c.benchmark_group("small");
    group.throughput(Throughput::Elements(1));
    bench_valid::<SmallClaims>(&mut group, &token, |claims| {
        assert_eq!(claims.sub, SUB);
        assert_eq!(claims.email, "ada.lovelace@example.com");
        assert_eq!(claims.name, "Ada Lovelace");
        assert_eq!((claims.iat, claims.exp), (IAT as u64, EXP as u64));
        assert_eq!((&*claims.iss, &*claims.aud), (ISSUER, AUDIENCE));
    });
    bench_borrowed(&mut group, &token, |verifier, token, buffer| {
        let claims: SmallBorrowed<'_> =
            jwtguard::low_level::verify_borrowed(verifier, token, buffer).unwrap();
        assert_eq!(
            (claims.iss, claims.aud, claims.iat, claims.exp),
            (ISSUER, AUDIENCE, IAT as u64, EXP as u64)
        );
        claims.sub.len() + claims.email.len() + claims.name.len()
    });
    group.finish();
}

fn large(c: &mut Criterion) {
    let token = large_token();
    eprintln!("large token: {} bytes", token.len());
    let mut group = c.benchmark_group("large");
    group.throughput(Throughput::Elements(1));
    bench_valid::<LargeClaims>(&mut group, &token, |claims| {
        assert_eq!(claims.sub, SUB);
        assert_eq!(claims.email, "ada.lovelace@example.com");
        assert!(claims.email_verified);
        assert_eq!(claims.name, "Ada Lovelace");
        assert_eq!((claims.iat, claims.exp), (IAT as u64, EXP as u64));
        assert_eq!((&*claims.iss, &*claims.aud), (ISSUER, AUDIENCE));
        assert_eq!(claims.roles.len(), 6);
        assert_eq!(claims.permissions.len(), 8);
        let profile = &claims.profile;
        assert_eq!(profile.display_name, "Ada L.");
        assert!(profile.avatar_url.starts_with("https://"));
        assert_eq!(
            (&*profile.locale, &*profile.timezone),
            ("en-GB", "Europe/London")
        );
        assert!(!profile.bio.is_empty());
        let org = &profile.organization;
        assert_eq!(
            (&*org.id, &*org.name, &*org.plan),
            ("org_7Hq2Lm9Zx4Tb", "Analytical Engines Ltd", "enterprise")
        );
        let session = &claims.session;
        assert!(session.id.starts_with("sess_"));
        assert_eq!(session.ip_address, "203.0.113.42");
        assert!(session.user_agent.starts_with("Mozilla/5.0"));
    });
    bench_borrowed(&mut group, &token, |verifier, token, buffer| {
        let claims: LargeBorrowed<'_> =
            jwtguard::low_level::verify_borrowed(verifier, token, buffer).unwrap();
        assert!(claims.email_verified && claims.roles.len() == 6 && claims.permissions.len() == 8);
        claims.sub.len() + claims.email.len() + claims.name.len()
    });
    group.finish();
}

/// The small token with the last signature character replaced by another
/// canonical one, so the signature still decodes to 32 bytes but is wrong.
fn bad_signature_token() -> String {
    let mut token = small_token();
    let last = token.pop().expect("token is not empty");
    // 32 bytes are 43 base64url characters; the last carries 4 data bits and
    // 2 zero bits, so only characters whose value is a multiple of 4 decode.
    token.push(if last == 'A' { 'E' } else { 'A' });
    let signature = split(&token).signature;
    let decoded = URL_SAFE_NO_PAD
        .decode(signature)
        .expect("tampered signature still decodes");
    assert_eq!(decoded.len(), 32);
    token
}

/// The small token's payload under `{"alg":"none"}` with an empty signature.
fn alg_none_token() -> String {
    let small = small_token();
    let payload = split(&small).payload;
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    format!("{header}.{payload}.")
}

/// 100 KiB of base64url-looking junk with two dots.
fn junk_token() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut state: u32 = 0x9e37_79b9;
    let mut junk: String = (0..JUNK_LEN)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            ALPHABET[(state % 64) as usize] as char
        })
        .collect();
    junk.replace_range(100..101, ".");
    junk.replace_range(50_000..50_001, ".");
    assert_eq!(junk.len(), JUNK_LEN);
    junk
}

fn reject(c: &mut Criterion) {
    let verifier = verifier();
    let cases = [
        (
            "bad_signature",
            bad_signature_token(),
            ErrorKind::InvalidSignature,
        ),
        (
            "alg_none",
            alg_none_token(),
            ErrorKind::UnsupportedAlgorithm,
        ),
        ("junk_100k", junk_token(), ErrorKind::TokenTooLarge),
    ];
    for (name, token, kind) in &cases {
        expect_kind(&verifier, token, *kind, name);
    }

    let mut group = c.benchmark_group("reject");
    group.throughput(Throughput::Elements(1));
    for (name, token, _) in &cases {
        group.bench_function(*name, |b| b.iter(|| verifier.verify(black_box(token))));
    }
    group.finish();
}

/// The same small token verified by one thread and by two threads sharing
/// one `Verifier` (clones of one `Arc`): `threads/verify_2` should take about
/// half the time per token of `threads/verify_1` on two idle cores, since
/// nothing on the hot path is shared mutably.
fn threads(c: &mut Criterion) {
    let verifier = verifier();
    let token = small_token();
    let mut group = c.benchmark_group("threads");
    group.throughput(Throughput::Elements(1));
    for threads in [1_u64, 2] {
        group.bench_function(format!("verify_{threads}"), |b| {
            b.iter_custom(|iters| {
                let per_thread = iters.div_ceil(threads);
                let started = std::time::Instant::now();
                std::thread::scope(|scope| {
                    for _ in 0..threads {
                        let verifier = verifier.clone();
                        let token = token.as_str();
                        scope.spawn(move || {
                            for _ in 0..per_thread {
                                let _ = black_box(verifier.verify(black_box(token)));
                            }
                        });
                    }
                });
                started.elapsed()
            })
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = common::criterion();
    targets = small, large, reject, threads
}
criterion_main!(benches);
