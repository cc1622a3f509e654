//! The cost of OAuth access tokens (feature `oauth`) next to their floors,
//! in one run:
//!
//! * `access_token/jwtguard_bearer`: an EdDSA access token of Better
//!   Auth's provider as `Bearer` through `Verifier::verify_request_now`
//!   (the JWKS key prepared: the header, the signature, the registered
//!   claims, the audience as a canonical URI, `client_id`, `scope`);
//! * `access_token/floor_signature`: the Ed25519 signature check alone,
//!   with a prepared key, on the same token;
//! * `dpop/jwtguard_request`: the same token bound to a P-256 key, with a
//!   fresh proof each time, through `Verifier::verify_request` (the token's
//!   signature, the proof's signature, SHA-256 of the token, the
//!   thumbprint, the in-memory replay store);
//! * `dpop/floor_two_signatures`: the Ed25519 and the P-256 signature checks
//!   alone, with prepared keys, plus SHA-256 of the token: what any checker
//!   of a DPoP request must spend.
//!
//! Run with `cargo bench --bench oauth --features oauth,test-util`.

use std::hint::black_box;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use ed25519_dalek::Signer as _;
use p256::ecdsa::signature::Verifier as _;
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

use jwtguard::{Claims, RequestParts, Verifier};

const RESOURCE: &str = "https://api.example.com/mcp";
const ISSUER: &str = "https://app.example.com/api/auth";
const KID: &str = "rcCmGb2b8YT35yUWYnkVH6XJGO9oJzi6";

fn b64(bytes: impl AsRef<[u8]>) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// A token signed by `key` with `header` and `claims`.
fn eddsa(key: &ed25519_dalek::SigningKey, header: &Value, claims: &Value) -> String {
    let input = format!("{}.{}", b64(header.to_string()), b64(claims.to_string()));
    format!("{input}.{}", b64(key.sign(input.as_bytes()).to_bytes()))
}

/// A provider-shaped access token; bound to `jkt` when given.
fn access_token(key: &ed25519_dalek::SigningKey, jkt: Option<&str>) -> String {
    let now = now();
    let mut claims = json!({
        "sub": "user-1", "aud": [RESOURCE, "https://app.example.com/api/auth/oauth2/userinfo"],
        "iss": ISSUER, "client_id": "client-1", "azp": "client-1",
        "scope": "openid profile email offline_access tasks:read", "sid": "session-1",
        "iat": now, "exp": now + 3600, "jti": "lvsx6PLGrXh1z5XbVbsBw8PAx5WIsyQ7",
    });
    if let Some(jkt) = jkt {
        claims["cnf"] = json!({ "jkt": jkt });
    }
    eddsa(
        key,
        &json!({"alg": "EdDSA", "kid": KID, "typ": "at+jwt"}),
        &claims,
    )
}

fn verifier(key: &ed25519_dalek::SigningKey) -> Verifier {
    let jwks = json!({"keys": [{
        "kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "kid": KID,
        "x": b64(key.verifying_key().as_bytes()),
    }]});
    Verifier::builder()
        .jwks(|keys| keys.json(jwks.to_string()))
        .oauth(|oauth| oauth.resource(RESOURCE).issuer(ISSUER))
        .build()
        .unwrap()
}

/// The P-256 proof key's public JWK and RFC 7638 thumbprint.
fn proof_jwk(key: &p256::ecdsa::SigningKey) -> (Value, String) {
    let point = key.verifying_key().to_encoded_point(false);
    let (x, y) = (b64(point.x().unwrap()), b64(point.y().unwrap()));
    let canonical = format!(r#"{{"crv":"P-256","kty":"EC","x":"{x}","y":"{y}"}}"#);
    (
        json!({"kty": "EC", "crv": "P-256", "x": x, "y": y}),
        b64(Sha256::digest(canonical)),
    )
}

fn proof(key: &p256::ecdsa::SigningKey, jwk: &Value, token: &str, jti: u64) -> String {
    let header = json!({"typ": "dpop+jwt", "alg": "ES256", "jwk": jwk});
    let claims = json!({
        "jti": format!("proof-{jti}"), "htm": "POST", "htu": RESOURCE, "iat": now(),
        "ath": b64(Sha256::digest(token.as_bytes())),
    });
    let input = format!("{}.{}", b64(header.to_string()), b64(claims.to_string()));
    let signature: p256::ecdsa::Signature = key.sign(input.as_bytes());
    format!("{input}.{}", b64(signature.to_bytes()))
}

/// Polls a future that never waits (the in-memory replay store answers at once).
fn ready<F: std::future::Future>(future: F) -> F::Output {
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    match std::pin::pin!(future).poll(&mut cx) {
        std::task::Poll::Ready(out) => out,
        std::task::Poll::Pending => panic!("the check waited"),
    }
}

fn headers(pairs: &[(&'static str, String)]) -> http::HeaderMap {
    let mut map = http::HeaderMap::new();
    for (name, value) in pairs {
        map.append(*name, value.parse().unwrap());
    }
    map
}

fn bench(c: &mut Criterion) {
    let server = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
    let verifier = verifier(&server);

    let token = access_token(&server, None);
    let bearer = headers(&[("authorization", format!("Bearer {token}"))]);
    let request = RequestParts::new("POST", None, &bearer).with_path("/mcp");
    let claims: Claims = verifier.verify_request_now(&request).unwrap().unwrap();
    assert_eq!(claims.sub(), "user-1");
    let (input, signature) = token.rsplit_once('.').unwrap();
    let signature =
        ed25519_dalek::Signature::from_slice(&URL_SAFE_NO_PAD.decode(signature).unwrap()).unwrap();
    let public = server.verifying_key();
    public.verify_strict(input.as_bytes(), &signature).unwrap();

    let mut group = c.benchmark_group("access_token");
    group.bench_function("jwtguard_bearer", |b| {
        b.iter(|| {
            let claims: Claims = verifier
                .verify_request_now(black_box(&request))
                .unwrap()
                .unwrap();
            claims
        })
    });
    group.bench_function("floor_signature", |b| {
        b.iter(|| public.verify_strict(black_box(input.as_bytes()), black_box(&signature)))
    });
    group.finish();

    let proof_key = p256::ecdsa::SigningKey::from_slice(&[9; 32]).unwrap();
    let (jwk, jkt) = proof_jwk(&proof_key);
    let bound = access_token(&server, Some(&jkt));
    let mut next = 0_u64;
    let mut fresh = || {
        next += 1;
        headers(&[
            ("authorization", format!("DPoP {bound}")),
            ("dpop", proof(&proof_key, &jwk, &bound, next)),
        ])
    };
    {
        let headers = fresh();
        let request = RequestParts::new("POST", None, &headers).with_path("/mcp");
        let claims: Claims = ready(verifier.verify_request(&request)).unwrap();
        assert_eq!(claims.sub(), "user-1");
    }
    let sample = fresh();
    let dpop_proof = sample["dpop"].to_str().unwrap().to_owned();
    let (proof_input, proof_signature) = dpop_proof.rsplit_once('.').unwrap();
    let proof_signature =
        p256::ecdsa::Signature::from_slice(&URL_SAFE_NO_PAD.decode(proof_signature).unwrap())
            .unwrap();
    let proof_public = *proof_key.verifying_key();
    let (bound_input, bound_signature) = bound.rsplit_once('.').unwrap();
    let bound_signature =
        ed25519_dalek::Signature::from_slice(&URL_SAFE_NO_PAD.decode(bound_signature).unwrap())
            .unwrap();

    let mut group = c.benchmark_group("dpop");
    group.bench_function("jwtguard_request", |b| {
        b.iter_batched(
            &mut fresh,
            |headers| {
                let request = RequestParts::new("POST", None, &headers).with_path("/mcp");
                let claims: Claims = ready(verifier.verify_request(&request)).unwrap();
                claims
            },
            BatchSize::SmallInput,
        )
    });
    group.bench_function("floor_two_signatures", |b| {
        b.iter(|| {
            public
                .verify_strict(black_box(bound_input.as_bytes()), &bound_signature)
                .unwrap();
            proof_public
                .verify(black_box(proof_input.as_bytes()), &proof_signature)
                .unwrap();
            Sha256::digest(black_box(bound.as_bytes()))
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
