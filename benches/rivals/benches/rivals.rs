//! jwtguard beside the other Rust JWT verifiers, in one criterion run, on
//! the same Better Auth-like HS256 token (the `small` token of jwtguard's
//! `benches/verify.rs`: secret, issuer `nextjs-frontend`, audience
//! `fastapi-backend`, `sub`, `iat`, `exp`, `email`, `name`) with the same
//! checks: the signature, `exp`, `iss` and `aud` checked, `sub` required and
//! the claims deserialised.
//!
//! Group `verify`, one token each:
//!
//! * `jwtguard_verify`: [`Verifier::verify`] into [`jwtguard::Claims`];
//! * `jwtguard_verify_as`: [`Verifier::verify_as`] into [`SmallClaims`];
//! * `oxitoken`: oxitoken 0.1's `ValidationPipeline` (aws-lc-rs HMAC key)
//!   with its issuer, audience and expiration validators, into
//!   [`SmallClaims`];
//! * `jsonwebtoken`: `jsonwebtoken::decode` (version 12, RustCrypto) with
//!   HS256, the issuer, the audience and `exp` and `sub` required, into
//!   [`SmallClaims`];
//! * `floor_old`: the work any verifier must do, by hand: HMAC-SHA256 with an
//!   `hmac` key prepared once (cloned per token), the `base64` crate's
//!   URL_SAFE_NO_PAD decode of the three segments into reused buffers,
//!   `serde_json` of the header and the payload into [`SmallClaims`], and
//!   the `alg`, `iss`, `aud` and `exp` comparisons;
//! * `floor_simd`: the real floor: the segments found by the first and last
//!   dot, the header skipped when it is the known encoding of
//!   `{"alg":"HS256","typ":"JWT"}` (as jwtguard skips it), the signature and
//!   the payload decoded by `base64-simd`, one `serde_json` pass over the
//!   payload, the same comparisons. (`hmac` 0.12's prepared key already
//!   holds the inner and outer midstates: a clone costs no key schedule,
//!   so both floors reuse them.)
//!
//! Group `base64` decodes the payload segment alone into a reused buffer:
//! `base64_crate` (`base64` 0.22) against `base64_simd` (`base64-simd` 0.8).
//!
//! Group `refuse_bad_signature` times the token with its last signature
//! character swapped through `jwtguard_verify`, `oxitoken`, `jsonwebtoken`,
//! and, per request, through two tower layers in front of a trivial
//! `service_fn` that answers 200: `jwtguard_layer`
//! ([`jwtguard::tower::AuthLayer`], claims into the extensions) and
//! `axum_jwt_layer` (axum-jwt 0.1.3's `layer`, same validation, claims into
//! [`SmallClaims`] in the extensions). Group `accept_layer` times the valid
//! token through both layers. The requests are built outside the timing
//! (`iter_batched`); each is polled once with a no-op waker (every future
//! here is ready at once, which the setup checks).
//!
//! Every input is checked once before timing (each verifier accepts the
//! token with the same claims and refuses the forged one; each layer answers
//! 200 and 401), so a bench cannot silently measure the wrong path.
//!
//! Run with `cargo bench -p jwtguard-rivals` (add `-- --quick` for a short
//! run). The first build compiles aws-lc (oxitoken's backend): minutes.
//!
//! `RIVALS_INTERLEAVED=ROUNDS cargo bench -p jwtguard-rivals` runs, instead
//! of criterion, an interleaved timer: each round times every contestant
//! once (20,000 calls after 2,000 of warm-up, in an order that rotates
//! between rounds), so that this VM's slow and fast phases hit all alike.
//! It prints each contestant's median and the median over rounds of its
//! time against `jwtguard_verify`'s in the same round.
//! `RIVALS_COUNT=CONTESTANT:CALLS` runs one contestant's calls alone and
//! prints nothing: `scripts/rivals_instructions.sh` counts its instructions
//! with callgrind.

use std::convert::Infallible;
use std::hint::black_box;
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum_core::body::Body;
use axum_jwt::Token;
use base64::Engine as _;
use criterion::{BatchSize, Criterion, Throughput, criterion_group};
use hmac::{Hmac, Mac};
use http::{Request, Response, StatusCode, header::AUTHORIZATION};
use jwtguard::tower::AuthLayer;
use jwtguard::{ErrorKind, Verifier};
use serde::Deserialize;
use sha2::Sha256;
use tower::{Layer as _, Service};

const SECRET: &str = "bench-secret-of-at-least-32-bytes-long!!";
const ISSUER: &str = "nextjs-frontend";
const AUDIENCE: &str = "fastapi-backend";
const IAT: i64 = 1_700_000_000;
const EXP: i64 = 4_000_000_000;
/// A Better Auth user id.
const SUB: &str = "Xk9mP2vL7qR4tW8yB3nF6hJ1cD5gS0aE";
const EMAIL: &str = "ada.lovelace@example.com";
const NAME: &str = "Ada Lovelace";

/// The claims of the token, with owned fields: what every rival returns.
#[derive(Debug, Clone, PartialEq, Deserialize)]
struct SmallClaims {
    sub: String,
    email: String,
    name: String,
    iat: u64,
    exp: u64,
    iss: String,
    aud: String,
}

impl oxitoken::claims::Iss for SmallClaims {
    fn iss(&self) -> &str {
        &self.iss
    }
}

impl oxitoken::claims::Aud for SmallClaims {
    fn aud(&self) -> impl Iterator<Item = impl AsRef<str>> {
        std::iter::once(self.aud.as_str())
    }
}

impl oxitoken::claims::Exp for SmallClaims {
    fn exp(&self) -> i64 {
        i64::try_from(self.exp).unwrap_or(i64::MAX)
    }
}

/// The JOSE header, as `floor_old` reads it.
#[derive(Debug, PartialEq, Deserialize)]
struct Header {
    alg: String,
    typ: Option<String>,
}

/// The JOSE header, as `floor_simd` reads a header it does not know.
#[derive(Deserialize)]
struct BorrowedHeader<'a> {
    alg: &'a str,
}

/// oxitoken's header type: it needs the algorithm as its own enum.
#[derive(Debug, Deserialize)]
struct OxiHeader {
    alg: oxitoken::Algorithm,
}

impl oxitoken::header::Alg for OxiHeader {
    fn alg(&self) -> oxitoken::Algorithm {
        self.alg
    }
}

type OxiPipeline = oxitoken::validation::ValidationPipeline<
    OxiHeader,
    SmallClaims,
    oxitoken::validation::StaticKeyProvider<aws_lc_rs::hmac::Key>,
>;

/// The token of jwtguard's `benches/common/mod.rs` (`minter`).
fn token() -> String {
    jwtguard::testing::TokenMinter::new(SECRET)
        .subject(SUB)
        .claim("email", EMAIL)
        .claim("name", NAME)
        .issuer(ISSUER)
        .audience(AUDIENCE)
        .issued_at(IAT)
        .expires_at(EXP)
        .sign()
}

/// The token with the last signature character replaced by another
/// canonical one, so the signature still decodes to 32 bytes but is wrong
/// (`bad_signature_token` of `benches/verify.rs`).
fn bad_signature_token(token: &str) -> String {
    let mut token = token.to_owned();
    let last = token.pop().expect("token is not empty");
    // 32 bytes are 43 base64url characters; the last carries 4 data bits and
    // 2 zero bits, so only characters whose value is a multiple of 4 decode.
    token.push(if last == 'A' { 'E' } else { 'A' });
    let decoded = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(split(&token).signature)
        .expect("tampered signature still decodes");
    assert_eq!(decoded.len(), 32);
    token
}

fn verifier() -> Verifier {
    Verifier::builder()
        .hs256_secret(SECRET)
        .claim_rules(|rules| rules.issuer(ISSUER).audience(AUDIENCE))
        .build()
        .expect("bench verifier config is valid")
}

fn oxitoken_pipeline() -> OxiPipeline {
    let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, SECRET.as_bytes());
    OxiPipeline::builder(key.into())
        .with_issuer_validator(ISSUER)
        .with_audience_validator(AUDIENCE)
        .with_expiration_validator()
        .build()
}

/// jsonwebtoken 12's key and validation: HS256, the issuer and audience,
/// `exp` and `sub` required.
fn jsonwebtoken_setup() -> (jsonwebtoken::DecodingKey, jsonwebtoken::Validation) {
    let key = jsonwebtoken::DecodingKey::from_secret(SECRET.as_bytes()).expect("HS256 secret");
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256);
    validation.set_issuer(&[ISSUER]);
    validation.set_audience(&[AUDIENCE]);
    validation.set_required_spec_claims(&["exp", "sub"]);
    (key, validation)
}

/// axum-jwt's decoder: the same validation in jsonwebtoken 9, its version.
fn axum_jwt_decoder() -> axum_jwt::Decoder {
    use axum_jwt::jsonwebtoken as jwt9;
    let mut validation = jwt9::Validation::new(jwt9::Algorithm::HS256);
    validation.set_issuer(&[ISSUER]);
    validation.set_audience(&[AUDIENCE]);
    validation.set_required_spec_claims(&["exp", "sub"]);
    axum_jwt::Decoder::new(
        jwt9::DecodingKey::from_secret(SECRET.as_bytes()),
        validation,
    )
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

/// The floors' reused buffers.
#[derive(Default)]
struct Buffers {
    header: Vec<u8>,
    payload: Vec<u8>,
    signature: Vec<u8>,
}

/// Why a floor refused a token.
#[derive(Debug, PartialEq)]
enum FloorError {
    Base64,
    Signature,
    Json,
    Claims,
}

/// The floor with the `base64` crate: what any verifier must do, by hand.
fn floor_old(
    prepared: &Hmac<Sha256>,
    token: &str,
    buffers: &mut Buffers,
) -> Result<SmallClaims, FloorError> {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let parts = split(token);
    buffers.header.clear();
    buffers.payload.clear();
    buffers.signature.clear();
    URL_SAFE_NO_PAD
        .decode_vec(parts.header, &mut buffers.header)
        .map_err(|_| FloorError::Base64)?;
    URL_SAFE_NO_PAD
        .decode_vec(parts.payload, &mut buffers.payload)
        .map_err(|_| FloorError::Base64)?;
    URL_SAFE_NO_PAD
        .decode_vec(parts.signature, &mut buffers.signature)
        .map_err(|_| FloorError::Base64)?;
    floor_rest(prepared, parts.signing_input, buffers)
}

/// The real floor's state: the prepared key, the encoded header Better Auth
/// writes and the payload buffer.
struct SimdFloor {
    prepared: Hmac<Sha256>,
    known_header: String,
    payload: Vec<u8>,
}

impl SimdFloor {
    fn new() -> Self {
        Self {
            prepared: Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).expect("any key length"),
            known_header: base64_simd::URL_SAFE_NO_PAD
                .encode_to_string(br#"{"alg":"HS256","typ":"JWT"}"#),
            payload: Vec::new(),
        }
    }
}

/// The real floor: the segments found by the first and last dot (a dot in
/// the payload fails its decoding); the header skips decoding and JSON when
/// it is the known encoding (as jwtguard's is); the signature decoded by
/// `base64-simd` onto the stack, the HMAC from the prepared midstates; the
/// payload decoded by `base64-simd` into a reused buffer and read by one
/// `serde_json` pass; the claim comparisons.
fn floor_simd(floor: &mut SimdFloor, token: &str) -> Result<SmallClaims, FloorError> {
    use base64_simd::{AsOut as _, URL_SAFE_NO_PAD};
    let (Some(first), Some(last)) = (token.find('.'), token.rfind('.')) else {
        return Err(FloorError::Base64);
    };
    if first == last {
        return Err(FloorError::Base64);
    }
    let (header, payload, signature) =
        (&token[..first], &token[first + 1..last], &token[last + 1..]);
    if header != floor.known_header {
        let decoded = URL_SAFE_NO_PAD
            .decode_to_vec(header)
            .map_err(|_| FloorError::Base64)?;
        let header: BorrowedHeader<'_> =
            serde_json::from_slice(&decoded).map_err(|_| FloorError::Json)?;
        if header.alg != "HS256" {
            return Err(FloorError::Claims);
        }
    }
    // 32 bytes are 43 characters: no more can be written to the stack.
    if signature.len() != 43 {
        return Err(FloorError::Base64);
    }
    let mut decoded = [0_u8; 32];
    URL_SAFE_NO_PAD
        .decode(signature.as_bytes(), decoded.as_mut_slice().as_out())
        .map_err(|_| FloorError::Base64)?;
    let mut mac = floor.prepared.clone();
    mac.update(&token.as_bytes()[..last]);
    mac.verify_slice(&decoded)
        .map_err(|_| FloorError::Signature)?;
    floor.payload.clear();
    URL_SAFE_NO_PAD
        .decode_append(payload, &mut floor.payload)
        .map_err(|_| FloorError::Base64)?;
    let claims: SmallClaims =
        serde_json::from_slice(&floor.payload).map_err(|_| FloorError::Json)?;
    check_registered(&claims)?;
    Ok(claims)
}

/// `floor_old` after base64: the HMAC (constant-time comparison), one
/// `serde_json` pass over the header and one over the payload, and the
/// claim comparisons.
fn floor_rest(
    prepared: &Hmac<Sha256>,
    signing_input: &[u8],
    buffers: &Buffers,
) -> Result<SmallClaims, FloorError> {
    let mut mac = prepared.clone();
    mac.update(signing_input);
    mac.verify_slice(&buffers.signature)
        .map_err(|_| FloorError::Signature)?;
    let header: Header = serde_json::from_slice(&buffers.header).map_err(|_| FloorError::Json)?;
    let claims: SmallClaims =
        serde_json::from_slice(&buffers.payload).map_err(|_| FloorError::Json)?;
    if header.alg != "HS256" {
        return Err(FloorError::Claims);
    }
    check_registered(&claims)?;
    Ok(claims)
}

/// The issuer, the audience and the expiry (`sub` is required by the type).
fn check_registered(claims: &SmallClaims) -> Result<(), FloorError> {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_err(|_| FloorError::Claims)?
        .as_secs();
    if claims.iss != ISSUER || claims.aud != AUDIENCE || claims.exp <= now {
        return Err(FloorError::Claims);
    }
    Ok(())
}

fn check_claims(claims: &SmallClaims, who: &str) {
    let expected = SmallClaims {
        sub: SUB.to_owned(),
        email: EMAIL.to_owned(),
        name: NAME.to_owned(),
        iat: IAT as u64,
        exp: EXP as u64,
        iss: ISSUER.to_owned(),
        aud: AUDIENCE.to_owned(),
    };
    assert_eq!(claims, &expected, "{who}: claims");
}

fn verify(c: &mut Criterion) {
    let token = token();
    let parts = split(&token);
    eprintln!(
        "token: {} bytes (header {}, payload {}, signature {} characters)",
        token.len(),
        parts.header.len(),
        parts.payload.len(),
        parts.signature.len()
    );
    let verifier = verifier();
    let pipeline = oxitoken_pipeline();
    let (key, validation) = jsonwebtoken_setup();
    let prepared = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).expect("any key length");
    let mut buffers = Buffers::default();

    // Setup checks: every verifier accepts the token with the same claims.
    let claims = verifier.verify(&token).expect("jwtguard accepts the token");
    assert_eq!(
        (claims.sub(), claims.iss(), claims.aud()),
        (SUB, Some(ISSUER), &[AUDIENCE.to_owned()][..])
    );
    let typed: SmallClaims = verifier.verify_as(&token).expect("jwtguard verify_as");
    check_claims(&typed, "jwtguard_verify_as");
    let (header, oxi) = pipeline
        .verify(token.as_bytes())
        .expect("oxitoken accepts the token");
    assert_eq!(header.alg, oxitoken::Algorithm::HS256);
    check_claims(&oxi, "oxitoken");
    let data = jsonwebtoken::decode::<SmallClaims>(&token, &key, &validation)
        .expect("jsonwebtoken accepts the token");
    check_claims(&data.claims, "jsonwebtoken");
    let old = floor_old(&prepared, &token, &mut buffers).expect("floor_old accepts the token");
    check_claims(&old, "floor_old");
    let header: Header = serde_json::from_slice(&buffers.header).expect("header JSON");
    assert_eq!(header.typ.as_deref(), Some("JWT"));
    let mut simd_floor = SimdFloor::new();
    assert_eq!(
        parts.header, simd_floor.known_header,
        "the header is the known one"
    );
    let simd = floor_simd(&mut simd_floor, &token).expect("floor_simd accepts the token");
    check_claims(&simd, "floor_simd");
    let bad = bad_signature_token(&token);
    assert_eq!(
        floor_old(&prepared, &bad, &mut buffers).expect_err("floor_old refuses"),
        FloorError::Signature
    );
    assert_eq!(
        floor_simd(&mut simd_floor, &bad).expect_err("floor_simd refuses"),
        FloorError::Signature
    );

    let mut group = c.benchmark_group("verify");
    group.throughput(Throughput::Elements(1));
    group.bench_function("jwtguard_verify", |b| {
        b.iter(|| verifier.verify(black_box(&token)))
    });
    group.bench_function("jwtguard_verify_as", |b| {
        b.iter(|| verifier.verify_as::<SmallClaims>(black_box(&token)))
    });
    group.bench_function("oxitoken", |b| {
        b.iter(|| pipeline.verify(black_box(token.as_bytes())))
    });
    group.bench_function("jsonwebtoken", |b| {
        b.iter(|| jsonwebtoken::decode::<SmallClaims>(black_box(&token), &key, &validation))
    });
    group.bench_function("floor_old", |b| {
        b.iter(|| floor_old(&prepared, black_box(&token), &mut buffers))
    });
    group.bench_function("floor_simd", |b| {
        b.iter(|| floor_simd(&mut simd_floor, black_box(&token)))
    });
    group.finish();
}

fn base64_decode(c: &mut Criterion) {
    let token = token();
    let payload = split(&token).payload;
    let mut crate_buffer = Vec::with_capacity(payload.len());
    let mut simd_buffer = Vec::with_capacity(payload.len());
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode_vec(payload, &mut crate_buffer)
        .expect("base64 decodes the payload");
    base64_simd::URL_SAFE_NO_PAD
        .decode_append(payload, &mut simd_buffer)
        .expect("base64-simd decodes the payload");
    assert_eq!(crate_buffer, simd_buffer);
    eprintln!(
        "payload segment: {} characters, {} bytes decoded",
        payload.len(),
        crate_buffer.len()
    );

    let mut group = c.benchmark_group("base64");
    group.throughput(Throughput::Elements(1));
    group.bench_function("base64_crate", |b| {
        b.iter(|| {
            crate_buffer.clear();
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode_vec(black_box(payload), &mut crate_buffer)
        })
    });
    group.bench_function("base64_simd", |b| {
        b.iter(|| {
            simd_buffer.clear();
            base64_simd::URL_SAFE_NO_PAD.decode_append(black_box(payload), &mut simd_buffer)
        })
    });
    group.finish();
}

/// A `GET /` with `token` as its bearer credentials.
fn request(token: &str) -> Request<Body> {
    Request::builder()
        .uri("/")
        .header(AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .expect("valid request")
}

/// Drives `service` through one request: ready, call, and one poll of the
/// response future with a no-op waker; every service here is ready at once.
fn call_now<S>(service: &mut S, request: Request<Body>) -> Response<Body>
where
    S: Service<Request<Body>, Response = Response<Body>, Error = Infallible>,
{
    let mut cx = Context::from_waker(Waker::noop());
    assert!(
        matches!(service.poll_ready(&mut cx), Poll::Ready(Ok(()))),
        "service is ready"
    );
    let future = pin!(service.call(request));
    match future.poll(&mut cx) {
        Poll::Ready(Ok(response)) => response,
        Poll::Ready(Err(never)) => match never {},
        Poll::Pending => panic!("the response future is not ready at once"),
    }
}

/// The two layers around a trivial service that answers 200.
fn layered_services() -> (
    impl Service<Request<Body>, Response = Response<Body>, Error = Infallible>,
    impl Service<Request<Body>, Response = Response<Body>, Error = Infallible>,
) {
    let ok = tower::service_fn(|_: Request<Body>| async {
        Ok::<_, Infallible>(Response::new(Body::empty()))
    });
    let jwtguard = AuthLayer::new(verifier()).layer(ok);
    let axum_jwt = axum_jwt::layer(axum_jwt_decoder())
        .with_filter(|_: &Token<SmallClaims>| true)
        .store_to_extension()
        .layer(ok);
    (jwtguard, axum_jwt)
}

fn refuse_bad_signature(c: &mut Criterion) {
    let token = token();
    let bad = bad_signature_token(&token);
    eprintln!("bad-signature token: {} bytes", bad.len());
    let verifier = verifier();
    let pipeline = oxitoken_pipeline();
    let (key, validation) = jsonwebtoken_setup();
    let (mut jwtguard_layer, mut axum_jwt_layer) = layered_services();

    // Setup checks: every verifier refuses the forged token for its
    // signature, and both layers answer 401 to it and 200 to the token.
    let error = verifier.verify(&bad).expect_err("jwtguard refuses");
    assert_eq!(error.kind(), ErrorKind::InvalidSignature);
    assert_eq!(
        pipeline
            .verify(bad.as_bytes())
            .expect_err("oxitoken refuses"),
        oxitoken::error::JwtError::InvalidSignature
    );
    let error = jsonwebtoken::decode::<SmallClaims>(&bad, &key, &validation)
        .expect_err("jsonwebtoken refuses");
    assert_eq!(
        error.kind(),
        &jsonwebtoken::errors::ErrorKind::InvalidSignature
    );
    for (name, refusal) in [
        (
            "jwtguard_layer",
            call_now(&mut jwtguard_layer, request(&bad)),
        ),
        (
            "axum_jwt_layer",
            call_now(&mut axum_jwt_layer, request(&bad)),
        ),
    ] {
        assert_eq!(
            refusal.status(),
            StatusCode::UNAUTHORIZED,
            "{name}: forged token"
        );
        eprintln!("{name} refusal headers: {:?}", refusal.headers());
    }
    for (name, status) in [
        (
            "jwtguard_layer",
            call_now(&mut jwtguard_layer, request(&token)).status(),
        ),
        (
            "axum_jwt_layer",
            call_now(&mut axum_jwt_layer, request(&token)).status(),
        ),
    ] {
        assert_eq!(status, StatusCode::OK, "{name}: valid token");
    }

    let mut group = c.benchmark_group("refuse_bad_signature");
    group.throughput(Throughput::Elements(1));
    group.bench_function("jwtguard_verify", |b| {
        b.iter(|| verifier.verify(black_box(&bad)))
    });
    group.bench_function("oxitoken", |b| {
        b.iter(|| pipeline.verify(black_box(bad.as_bytes())))
    });
    group.bench_function("jsonwebtoken", |b| {
        b.iter(|| jsonwebtoken::decode::<SmallClaims>(black_box(&bad), &key, &validation))
    });
    group.bench_function("jwtguard_layer", |b| {
        b.iter_batched(
            || request(&bad),
            |request| call_now(&mut jwtguard_layer, request),
            BatchSize::SmallInput,
        )
    });
    group.bench_function("axum_jwt_layer", |b| {
        b.iter_batched(
            || request(&bad),
            |request| call_now(&mut axum_jwt_layer, request),
            BatchSize::SmallInput,
        )
    });
    group.finish();

    let mut group = c.benchmark_group("accept_layer");
    group.throughput(Throughput::Elements(1));
    group.bench_function("jwtguard_layer", |b| {
        b.iter_batched(
            || request(&token),
            |request| call_now(&mut jwtguard_layer, request),
            BatchSize::SmallInput,
        )
    });
    group.bench_function("axum_jwt_layer", |b| {
        b.iter_batched(
            || request(&token),
            |request| call_now(&mut axum_jwt_layer, request),
            BatchSize::SmallInput,
        )
    });
    group.finish();
}

/// One second of warm-up, three of measurement (as jwtguard's benches).
fn criterion() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
}

criterion_group! {
    name = benches;
    config = criterion();
    targets = verify, base64_decode, refuse_bad_signature
}
/// What `main` runs instead of criterion.
enum Mode {
    /// The interleaved timer: this many rounds.
    Interleaved(usize),
    /// One contestant, this many calls, nothing printed: for callgrind.
    Count(String, u32),
}

/// The interleaved timer (see the crate docs): `rounds` rounds of every
/// contestant, then medians and per-round ratios; or one contestant's calls
/// alone, for an instruction count.
fn interleaved(mode: Mode) {
    let token = token();
    let bad = bad_signature_token(&token);
    let verifier = verifier();
    let pipeline = oxitoken_pipeline();
    let (key, validation) = jsonwebtoken_setup();
    let prepared = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).expect("any key length");
    let mut buffers = Buffers::default();
    let mut simd_floor = SimdFloor::new();
    let (mut jwtguard_layer, mut axum_jwt_layer) = layered_services();
    // The same checks as criterion's setup, in short.
    check_claims(
        &verifier.verify_as::<SmallClaims>(&token).expect("jwtguard"),
        "jwtguard",
    );
    check_claims(
        &pipeline.verify(token.as_bytes()).expect("oxitoken").1,
        "oxitoken",
    );
    assert!(verifier.verify(&bad).is_err() && pipeline.verify(bad.as_bytes()).is_err());
    assert_eq!(
        call_now(&mut jwtguard_layer, request(&bad)).status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        call_now(&mut axum_jwt_layer, request(&bad)).status(),
        StatusCode::UNAUTHORIZED
    );

    type Contestant<'a> = (&'static str, Box<dyn FnMut() + 'a>);
    let mut contestants: Vec<Contestant<'_>> = vec![
        (
            "jwtguard_verify",
            Box::new(|| drop(black_box(verifier.verify(black_box(&token))))),
        ),
        (
            "jwtguard_verify_as",
            Box::new(|| {
                drop(black_box(
                    verifier.verify_as::<SmallClaims>(black_box(&token)),
                ))
            }),
        ),
        (
            "oxitoken",
            Box::new(|| drop(black_box(pipeline.verify(black_box(token.as_bytes()))))),
        ),
        (
            "jsonwebtoken",
            Box::new(|| {
                drop(black_box(jsonwebtoken::decode::<SmallClaims>(
                    black_box(&token),
                    &key,
                    &validation,
                )))
            }),
        ),
        (
            "floor_old",
            Box::new(|| {
                drop(black_box(floor_old(
                    &prepared,
                    black_box(&token),
                    &mut buffers,
                )))
            }),
        ),
        (
            "floor_simd",
            Box::new(|| drop(black_box(floor_simd(&mut simd_floor, black_box(&token))))),
        ),
        (
            "bad_signature_jwtguard",
            Box::new(|| drop(black_box(verifier.verify(black_box(&bad))))),
        ),
        (
            "bad_signature_oxitoken",
            Box::new(|| drop(black_box(pipeline.verify(black_box(bad.as_bytes()))))),
        ),
        // Per request: the request is built inside the timing, alike for both.
        (
            "layer_refusal_jwtguard",
            Box::new(|| {
                drop(black_box(call_now(
                    &mut jwtguard_layer,
                    request(black_box(&bad)),
                )))
            }),
        ),
        (
            "layer_refusal_axum_jwt",
            Box::new(|| {
                drop(black_box(call_now(
                    &mut axum_jwt_layer,
                    request(black_box(&bad)),
                )))
            }),
        ),
    ];
    let rounds = match mode {
        Mode::Interleaved(rounds) => rounds,
        Mode::Count(name, calls) => {
            let (_, run) = contestants
                .iter_mut()
                .find(|(contestant, _)| *contestant == name)
                .unwrap_or_else(|| panic!("no contestant {name}"));
            for _ in 0..calls {
                run();
            }
            return;
        }
    };
    const CALLS: u32 = 20_000;
    let mut times = vec![Vec::with_capacity(rounds); contestants.len()];
    for round in 0..rounds {
        for turn in 0..contestants.len() {
            let at = (turn + round) % contestants.len();
            let run = &mut contestants[at].1;
            for _ in 0..CALLS / 10 {
                run();
            }
            let start = std::time::Instant::now();
            for _ in 0..CALLS {
                run();
            }
            times[at].push(start.elapsed().as_nanos() as f64 / f64::from(CALLS));
        }
    }
    let median = |values: &mut Vec<f64>| {
        values.sort_by(f64::total_cmp);
        values[values.len() / 2]
    };
    println!("interleaved timer, {rounds} rounds of {CALLS} calls");
    println!("| contestant | median ns | median of per-round ratio to jwtguard_verify |");
    println!("|---|---|---|");
    let base = times[0].clone();
    for ((name, _), runs) in contestants.iter().zip(&times) {
        let mut ratios: Vec<f64> = runs.iter().zip(&base).map(|(t, b)| t / b).collect();
        let mut runs = runs.clone();
        println!(
            "| {name} | {:.0} | {:.2} |",
            median(&mut runs),
            median(&mut ratios)
        );
    }
    let refusal: Vec<f64> = times[8].iter().zip(&times[9]).map(|(j, a)| j / a).collect();
    let mut refusal = refusal;
    println!(
        "layer refusal, jwtguard / axum-jwt, median of per-round ratios: {:.2}",
        median(&mut refusal)
    );
}

fn main() {
    let rounds = std::env::var("RIVALS_INTERLEAVED")
        .ok()
        .and_then(|r| r.parse().ok());
    let count = std::env::var("RIVALS_COUNT").ok().and_then(|spec| {
        let (name, calls) = spec.split_once(':')?;
        Some((name.to_owned(), calls.parse().ok()?))
    });
    match (count, rounds) {
        (Some((name, calls)), _) => interleaved(Mode::Count(name, calls)),
        (None, Some(rounds)) => interleaved(Mode::Interleaved(rounds)),
        (None, None) => {
            benches();
            Criterion::default().configure_from_args().final_summary();
        }
    }
}
