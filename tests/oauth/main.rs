//! OAuth 2.1 access tokens of Better Auth's provider (feature `oauth`):
//! RFC 9068 JWT access tokens, DPoP proofs (RFC 9449) and the protected
//! resource metadata with its challenges (RFC 9728), minted here with keys
//! generated in the test. The real provider's tokens are in the interop
//! tests.

#[path = "../common/jwks.rs"]
mod support;

#[path = "../common/call.rs"]
mod call;

mod access_tokens;
mod dpop;
mod metadata;

use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use http::HeaderMap;
use jwtguard::oauth::ReplayStore;
use jwtguard::{Claims, Error, OAuthSettings, RequestParts, Verifier, VerifierBuilder};
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

use support::TestKey;

pub const RESOURCE: &str = "https://api.example.com/mcp";
pub const ISSUER: &str = "https://app.example.com/api/auth";
pub const KID: &str = "as-key";

/// The authorization server's signing key, one per test binary.
pub fn server_key() -> &'static TestKey {
    static KEY: std::sync::OnceLock<TestKey> = std::sync::OnceLock::new();
    KEY.get_or_init(TestKey::ed25519)
}

pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

pub fn b64(bytes: impl AsRef<[u8]>) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A builder with the server's JWKS and OAuth settings for [`RESOURCE`],
/// adjusted by `configure`.
pub fn builder(configure: impl FnOnce(OAuthSettings) -> OAuthSettings) -> VerifierBuilder {
    let jwks = support::jwks(&[(KID, server_key())]);
    Verifier::builder()
        .jwks(|keys| keys.json(jwks))
        .oauth(|oauth| configure(oauth.resource(RESOURCE).issuer(ISSUER)))
}

pub fn verifier() -> Verifier {
    builder(|oauth| oauth.scopes_supported(["tasks:read", "tasks:write"]))
        .build()
        .unwrap()
}

/// The claims Better Auth's provider writes for a user's token.
pub fn access_claims() -> Value {
    let now = now();
    json!({
        "sub": "user-1", "aud": RESOURCE, "iss": ISSUER, "client_id": "client-1",
        "azp": "client-1", "scope": "openid tasks:read", "sid": "session-1",
        "iat": now, "exp": now + 3600, "jti": "a-random-jti",
    })
}

/// A token signed by the server's key with header `typ` (if any).
pub fn signed(typ: Option<&str>, claims: &Value) -> String {
    let mut header = json!({"alg": "EdDSA", "kid": KID});
    if let Some(typ) = typ {
        header["typ"] = json!(typ);
    }
    server_key().sign_raw(&header, claims)
}

pub fn access_token(claims: &Value) -> String {
    signed(Some("at+jwt"), claims)
}

/// The public JWK a DPoP proof embeds: no `alg`, no `kid`.
pub fn proof_jwk(key: &TestKey) -> Value {
    let mut jwk = key.jwk("unused");
    let jwk = jwk.as_object_mut().unwrap();
    jwk.remove("kid");
    jwk.remove("alg");
    Value::Object(jwk.clone())
}

/// RFC 7638's thumbprint, written out independently of the crate's.
pub fn thumbprint(key: &TestKey) -> String {
    let jwk = proof_jwk(key);
    let members: &[&str] = match jwk["kty"].as_str().unwrap() {
        "EC" => &["crv", "kty", "x", "y"],
        "OKP" => &["crv", "kty", "x"],
        _ => &["e", "kty", "n"],
    };
    let canonical: Vec<String> = members
        .iter()
        .map(|name| format!("\"{name}\":{}", jwk[*name]))
        .collect();
    b64(Sha256::digest(format!("{{{}}}", canonical.join(","))))
}

/// A DPoP proof by `key` for `method url`, bound to `token`, issued now;
/// `adjust` changes its header and claims first.
pub fn proof_with(
    key: &TestKey,
    method: &str,
    url: &str,
    token: &str,
    adjust: impl FnOnce(&mut Value, &mut Value),
) -> String {
    let mut header = json!({"typ": "dpop+jwt", "alg": key.alg(), "jwk": proof_jwk(key)});
    let mut claims = json!({
        "jti": format!("jti-{}", rand::random::<u64>()), "htm": method, "htu": url,
        "iat": now(), "ath": b64(Sha256::digest(token.as_bytes())),
    });
    adjust(&mut header, &mut claims);
    key.sign_raw(&header, &claims)
}

pub fn proof(key: &TestKey, method: &str, url: &str, token: &str) -> String {
    proof_with(key, method, url, token, |_, _| {})
}

/// A token bound to `key`.
pub fn bound_token(key: &TestKey) -> String {
    let mut claims = access_claims();
    claims["cnf"] = json!({"jkt": thumbprint(key)});
    access_token(&claims)
}

/// Verifies a request with `headers` (`(name, value)` pairs) to `method path`.
pub async fn verify(
    verifier: &Verifier,
    method: &str,
    path: &str,
    headers: &[(&str, String)],
) -> Result<Claims, Error> {
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        map.append(
            http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
            value.parse().unwrap(),
        );
    }
    let request = RequestParts::new(method, None, &map).with_path(path);
    verifier.verify_request(&request).await
}

pub fn bearer(token: &str) -> (&'static str, String) {
    ("authorization", format!("Bearer {token}"))
}

pub fn dpop(token: &str, proof: &str) -> [(&'static str, String); 2] {
    [
        ("authorization", format!("DPoP {token}")),
        ("dpop", proof.to_owned()),
    ]
}

/// A replay store that cannot answer.
pub struct DownStore;

impl ReplayStore for DownStore {
    fn first_use<'a>(&'a self, _: &'a str, _: u64) -> jwtguard::oauth::ReplayCheck<'a> {
        Box::pin(async { Err(jwtguard::oauth::ReplayStoreError::new("connection refused")) })
    }
}
