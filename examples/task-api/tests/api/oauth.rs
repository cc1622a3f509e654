//! OAuth 2.1 access tokens of the real `@better-auth/oauth-provider`
//! through both servers, configured as they are in production: the
//! provider's base URL (`BETTER_AUTH_URL`), this API's canonical URI
//! (`OAUTH_RESOURCE`, also the public base of DPoP's `htu`) and its client
//! for introspection (`OAUTH_CLIENT_ID`, `OAUTH_CLIENT_SECRET`). The
//! provider is `tests/fixtures/better-auth/oauth-server.mjs` at the
//! workspace root; its `/test/*` routes run the real flows.
//!
//! Needs Node.js 20+ and npm.

use std::sync::OnceLock;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jwtguard::Verifier;
use jwtguard_test_support::{BetterAuth, env};
use p256::ecdsa::SigningKey;
use p256::ecdsa::signature::Signer as _;
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};
use task_api::config::Config;

use crate::harness::*;

const SECRET: &str = "better-auth-secret-0123456789abcdefghij";

/// This API's canonical URI, as the provider is configured with it.
const RESOURCE: &str = "http://127.0.0.1:8000";

on_both_servers_with!(
    access_tokens_reach_their_users_tasks_only,
    the_metadata_and_the_challenges_lead_to_the_provider,
    dpop_bound_tokens_need_their_proofs,
    opaque_tokens_are_introspected,
);

/// One provider for every scenario (they change none of its state).
fn provider() -> &'static BetterAuth {
    static PROVIDER: OnceLock<BetterAuth> = OnceLock::new();
    PROVIDER.get_or_init(|| {
        BetterAuth::start_script(
            "oauth-server.mjs",
            &[("BA_SECRET", SECRET), ("OAUTH_RESOURCE", RESOURCE)],
        )
    })
}

/// The servers' verifier, from the variables a deployment sets.
async fn verifier(provider: &BetterAuth) -> Verifier {
    Config::from_env_with(env(&[
        ("BETTER_AUTH_URL", provider.url()),
        ("OAUTH_RESOURCE", RESOURCE.to_owned()),
        ("OAUTH_CLIENT_ID", provider.text("clientId")),
        ("OAUTH_CLIENT_SECRET", provider.text("clientSecret")),
    ]))
    .await
    .unwrap_or_else(|error| panic!("{error}"))
    .verifier
}

fn tasks(provider: &BetterAuth) -> String {
    format!("/api/{}/tasks", provider.text("userId"))
}

fn user_tokens(provider: &BetterAuth, dpop: bool) -> Value {
    provider.post_json("/test/authorization-code", &json!({ "dpop": dpop }))
}

fn text(value: &Value, name: &str) -> String {
    value[name]
        .as_str()
        .unwrap_or_else(|| panic!("no {name} in {value}"))
        .to_owned()
}

#[track_caller]
fn refused(reply: Reply, status: u16, code: &str) -> Reply {
    let reply = reply.expect(status);
    assert_eq!(reply.json()["code"], json!(code), "{}", reply.context());
    reply
}

/// A DPoP proof for `method path` on this API, bound to `token`, signed by
/// the provider-bound key `jwk` (an ES256 private JWK).
fn proof(jwk: &Value, method: &str, path: &str, token: &str) -> String {
    let b64 = |bytes: &[u8]| URL_SAFE_NO_PAD.encode(bytes);
    let d = URL_SAFE_NO_PAD.decode(text(jwk, "d")).unwrap();
    let key = SigningKey::from_slice(&d).unwrap();
    let header = json!({
        "typ": "dpop+jwt", "alg": "ES256",
        "jwk": { "kty": "EC", "crv": "P-256", "x": jwk["x"], "y": jwk["y"] },
    });
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let claims = json!({
        "jti": format!("{now}-{}", random_uuid()), "htm": method,
        "htu": format!("{RESOURCE}{path}"), "iat": now,
        "ath": b64(&Sha256::digest(token.as_bytes())),
    });
    let input = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes())
    );
    let signature: p256::ecdsa::Signature = key.sign(input.as_bytes());
    format!("{input}.{}", b64(&signature.to_bytes()))
}

async fn access_tokens_reach_their_users_tasks_only<S: Server>(serve: impl AsyncFn(Verifier) -> S) {
    let provider = provider();
    let server = serve(verifier(provider).await).await;
    let token = text(&user_tokens(provider, false), "access_token");
    let path = tasks(provider);
    server
        .send(Req::get(&path).bearer(&token))
        .await
        .expect(200);
    let title = format!("from an access token {}", random_uuid());
    let created = server
        .send(
            Req::post(&path)
                .bearer(&token)
                .json(json!({ "title": title })),
        )
        .await
        .expect(201)
        .json();
    assert_eq!(created["user_id"], json!(provider.text("userId")));
    // Another user's tasks: the path's user id is not the token's `sub`.
    refused(
        server
            .send(Req::get(User::new().tasks()).bearer(&token))
            .await,
        403,
        "forbidden",
    );
    // A client-credentials token's subject is the client: no user's tasks.
    let client = provider.post_json("/test/client-credentials", &json!({}));
    refused(
        server
            .send(Req::get(&path).bearer(&text(&client, "access_token")))
            .await,
        403,
        "forbidden",
    );
    // The app's own JWT plugin tokens still work next to access tokens.
    let plugin = provider.post_json("/test/jwt-plugin-token", &json!({}));
    server
        .send(Req::get(&path).bearer(&text(&plugin, "token")))
        .await
        .expect(200);
}

async fn the_metadata_and_the_challenges_lead_to_the_provider<S: Server>(
    serve: impl AsyncFn(Verifier) -> S,
) {
    let provider = provider();
    let server = serve(verifier(provider).await).await;
    let document = server
        .send(Req::get("/.well-known/oauth-protected-resource"))
        .await
        .expect(200)
        .json();
    assert_eq!(document["resource"], RESOURCE);
    assert_eq!(
        document["authorization_servers"],
        json!([provider.text("issuer")])
    );
    let reply = refused(
        server.send(Req::get(tasks(provider))).await,
        401,
        "missing_token",
    );
    let challenge = reply
        .header("www-authenticate")
        .unwrap_or_default()
        .to_owned();
    assert_eq!(
        challenge,
        format!(r#"Bearer resource_metadata="{RESOURCE}/.well-known/oauth-protected-resource""#),
        "{}",
        reply.context()
    );
}

async fn dpop_bound_tokens_need_their_proofs<S: Server>(serve: impl AsyncFn(Verifier) -> S) {
    let provider = provider();
    let server = serve(verifier(provider).await).await;
    let tokens = user_tokens(provider, true);
    let (token, jwk) = (text(&tokens, "access_token"), &tokens["dpop_private_jwk"]);
    let path = tasks(provider);
    let with_proof = |proof: String| {
        Req::get(&path)
            .header("authorization", format!("DPoP {token}"))
            .header("dpop", proof)
    };
    let first = proof(jwk, "GET", &path, &token);
    server.send(with_proof(first.clone())).await.expect(200);
    refused(
        server.send(with_proof(first)).await,
        401,
        "dpop_proof_replayed",
    );
    refused(
        server
            .send(with_proof(proof(jwk, "POST", &path, &token)))
            .await,
        401,
        "invalid_dpop_proof",
    );
    refused(
        server.send(Req::get(&path).bearer(&token)).await,
        401,
        "dpop_bound_token",
    );
}

async fn opaque_tokens_are_introspected<S: Server>(serve: impl AsyncFn(Verifier) -> S) {
    let provider = provider();
    let server = serve(verifier(provider).await).await;
    let tokens = provider.post_json("/test/opaque", &json!({ "user": true }));
    let token = text(&tokens, "access_token");
    assert!(!token.contains('.'), "{token}");
    server
        .send(Req::get(tasks(provider)).bearer(&token))
        .await
        .expect(200);
    refused(
        server
            .send(Req::get(User::new().tasks()).bearer(&token))
            .await,
        403,
        "forbidden",
    );
    refused(
        server
            .send(Req::get(tasks(provider)).bearer("AbCdEfGhIjKlMnOpQrStUvWxYzAbCdEf"))
            .await,
        401,
        "inactive_token",
    );
}
