//! The DPoP replay store on the same Redis: two verifier instances refuse
//! a proof the other one accepted.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jwtguard::oauth::{RedisReplayStore, ReplayStore};
use jwtguard::{ErrorKind, RedisSessionStore};
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

use super::support::{TestKey, jwks};
use super::*;

const RESOURCE: &str = "https://api.example.com/mcp";
const ISSUER: &str = "https://app.example.com/api/auth";
const URL: &str = "https://api.example.com/mcp/tools";

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn b64(bytes: impl AsRef<[u8]>) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// An instance accepting the provider's access tokens, with `replays`.
fn instance(server: &TestKey, replays: impl ReplayStore) -> Verifier {
    Verifier::builder()
        .jwks(|keys| keys.json(jwks(&[("as-key", server)])))
        .oauth(|oauth| {
            oauth
                .resource(RESOURCE)
                .issuer(ISSUER)
                .replay_store(replays)
        })
        .build()
        .unwrap()
}

/// The proof key's public JWK, as a DPoP header embeds it.
fn proof_jwk(key: &TestKey) -> Value {
    let mut jwk = key.jwk("unused");
    let members = jwk.as_object_mut().unwrap();
    members.remove("kid");
    members.remove("alg");
    jwk
}

/// RFC 7638's thumbprint of an Ed25519 key.
fn thumbprint(key: &TestKey) -> String {
    let jwk = proof_jwk(key);
    let canonical = format!(
        "{{\"crv\":{},\"kty\":{},\"x\":{}}}",
        jwk["crv"], jwk["kty"], jwk["x"]
    );
    b64(Sha256::digest(canonical))
}

/// An access token for `user-1`, bound to `client`'s key.
fn bound_token(server: &TestKey, client: &TestKey) -> String {
    let now = now();
    let claims = json!({
        "sub": "user-1", "aud": RESOURCE, "iss": ISSUER, "client_id": "client-1",
        "scope": "tasks:read", "iat": now, "exp": now + 3600, "jti": "token-1",
        "cnf": {"jkt": thumbprint(client)},
    });
    server.sign_raw(
        &json!({"alg": "EdDSA", "kid": "as-key", "typ": "at+jwt"}),
        &claims,
    )
}

/// A proof by `client` for `POST URL` with `token`.
fn proof(client: &TestKey, token: &str) -> String {
    let header = json!({"typ": "dpop+jwt", "alg": "EdDSA", "jwk": proof_jwk(client)});
    let claims = json!({
        "jti": format!("jti-{}", rand::random::<u64>()), "htm": "POST", "htu": URL,
        "iat": now(), "ath": b64(Sha256::digest(token.as_bytes())),
    });
    client.sign_raw(&header, &claims)
}

async fn present(verifier: &Verifier, token: &str, proof: &str) -> Result<Claims, Error> {
    let mut headers = http::HeaderMap::new();
    headers.insert("authorization", format!("DPoP {token}").parse().unwrap());
    headers.insert("dpop", proof.parse().unwrap());
    let request = RequestParts::new("POST", None, &headers).with_path("/mcp/tools");
    verifier.verify_request(&request).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_proof_accepted_by_one_instance_is_a_replay_at_the_other() {
    let redis = RedisServer::start();
    let (server, client) = (TestKey::ed25519(), TestKey::ed25519());
    // One shares its session store's connections, the other has its own.
    let sessions = RedisSessionStore::new(redis.url()).unwrap();
    let first = instance(&server, RedisReplayStore::sharing(&sessions));
    let second = instance(&server, RedisReplayStore::new(redis.url()).unwrap());
    let token = bound_token(&server, &client);

    let used = proof(&client, &token);
    assert_eq!(
        present(&first, &token, &used).await.unwrap().sub(),
        "user-1"
    );
    for verifier in [&second, &first] {
        let err = present(verifier, &token, &used).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::DpopReplay);
    }
    // A fresh proof is new to both.
    assert!(
        present(&second, &token, &proof(&client, &token))
            .await
            .is_ok()
    );

    // What Redis holds: hashed keys under the prefix, kept past the proof's
    // 300-second window.
    let mut connection = connect(&redis).await;
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg("jwtguard:dpop:*")
        .query_async(&mut connection)
        .await
        .unwrap();
    assert_eq!(keys.len(), 2, "{keys:?}");
    assert!(
        keys.iter()
            .all(|key| key.len() == "jwtguard:dpop:".len() + 43)
    );
    let ttl: i64 = redis::cmd("TTL")
        .arg(&keys[0])
        .query_async(&mut connection)
        .await
        .unwrap();
    assert!((300..=370).contains(&ttl), "{ttl}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replay_store_whose_redis_is_down_gives_503() {
    let mut redis = RedisServer::start();
    let (server, client) = (TestKey::ed25519(), TestKey::ed25519());
    let verifier = instance(&server, RedisReplayStore::new(redis.url()).unwrap());
    let token = bound_token(&server, &client);
    assert!(
        present(&verifier, &token, &proof(&client, &token))
            .await
            .is_ok()
    );

    redis.stop();
    let err = present(&verifier, &token, &proof(&client, &token))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ReplayStoreUnavailable);
    assert_eq!(err.status(), 503);
    assert!(err.retry_after().is_some());

    redis.restart();
    let recovered = eventually(Duration::from_secs(5), async || {
        present(&verifier, &token, &proof(&client, &token))
            .await
            .is_ok()
    })
    .await;
    assert!(recovered);
}
