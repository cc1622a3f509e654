//! Interoperability with the real Better Auth: `tests/fixtures/better-auth/mint.mjs`
//! runs the `better-auth` package's JWT plugin (pinned in its lockfile),
//! which signs up a user and prints a token and the JWKS its
//! `/api/auth/jwks` endpoint serves. For each of the five algorithms the
//! plugin offers, the JWKS is served on loopback and the token must pass
//! the verifier built from `BETTER_AUTH_URL` and an axum route guarded by
//! `OwnerOf`, and fail once tampered.
//!
//! Needs Node.js 20+ and npm; the first run installs the package with `npm ci`.

use std::process::Command;

use crate::support::JwksServer;
use jwtguard::{ErrorKind, Verifier};
use jwtguard_test_support::{fixture_dir, install};
use serde_json::Value;

/// What `mint.mjs` printed.
struct Minted {
    token: String,
    header: Value,
    payload: Value,
    jwks: String,
}

/// Mints a token with `alg` (None: the plugin's default) for `base_url`.
fn mint(alg: Option<&str>, base_url: &str) -> Minted {
    install();
    let mut command = Command::new("node");
    command
        .arg("mint.mjs")
        .current_dir(fixture_dir())
        .env("BA_BASE_URL", base_url);
    if let Some(alg) = alg {
        command.env("BA_ALG", alg);
    }
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("cannot run node ({e}): install Node.js 20+"));
    assert!(
        output.status.success(),
        "mint.mjs failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let printed: Value = serde_json::from_slice(&output.stdout).expect("mint.mjs prints JSON");
    Minted {
        token: printed["token"].as_str().unwrap().to_owned(),
        header: printed["header"].clone(),
        payload: printed["payload"].clone(),
        jwks: printed["jwks"].to_string(),
    }
}

fn tamper(token: &str) -> String {
    let (rest, signature) = token.rsplit_once('.').unwrap();
    let (header, payload) = rest.split_once('.').unwrap();
    // The same claims with one more space: a valid JWT, but not the one signed.
    let claims = String::from_utf8(
        base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, payload).unwrap(),
    )
    .unwrap();
    let changed = claims.replacen('{', "{ ", 1);
    let payload =
        base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, changed);
    format!("{header}.{payload}.{signature}")
}

/// GET `/api/{sub}/tasks` on an axum route guarded by `OwnerOf`, as the
/// example task API's (whose own suite and `scripts/better_auth.sh` run the
/// real tokens through both example servers).
async fn list_tasks(verifier: &Verifier, sub: &str, token: &str) -> (u16, Value) {
    use axum::routing::get;
    use jwtguard::axum::OwnerOf;
    let app = axum::Router::new()
        .route(
            "/api/{user_id}/tasks",
            get(|_owner: OwnerOf| async { axum::Json(Value::Array(vec![])) }),
        )
        .with_state(verifier.clone());
    let bearer = [("authorization", format!("Bearer {token}"))];
    let answer = crate::call::axum(app, "GET", &format!("/api/{sub}/tasks"), &bearer).await;
    (answer.status, answer.body)
}

async fn accepts_the_real_plugin_token(alg: Option<&str>, expected_alg: &str) {
    let server = JwksServer::start(String::new());
    let base_url = server.url.trim_end_matches("/api/auth/jwks").to_owned();
    let minted = mint(alg, &base_url);
    server.serve(minted.jwks.clone());
    assert_eq!(minted.header["alg"], expected_alg);
    assert!(minted.header.get("typ").is_none());

    // What a server gets from `BETTER_AUTH_URL` alone.
    let verifier =
        Verifier::from_env_with(|name| (name == jwtguard::env::BASE_URL).then(|| base_url.clone()))
            .unwrap_or_else(|e| panic!("{expected_alg}: {e}"));
    let claims = verifier
        .verify(&minted.token)
        .unwrap_or_else(|e| panic!("{expected_alg}: {e}"));
    let sub = minted.payload["sub"].as_str().unwrap();
    assert_eq!(claims.sub(), sub);
    assert_eq!(claims.get("email"), Some(&minted.payload["email"]));
    assert_eq!(claims.iss(), Some(base_url.as_str()));
    assert_eq!(
        verifier.verify(&tamper(&minted.token)).unwrap_err().kind(),
        ErrorKind::InvalidSignature,
        "{expected_alg}"
    );

    // Through the axum adapter: the user's own list, and 401 once tampered.
    let (status, body) = list_tasks(&verifier, sub, &minted.token).await;
    assert_eq!(
        (status, body),
        (200, Value::Array(vec![])),
        "{expected_alg}"
    );
    let (status, body) = list_tasks(&verifier, sub, &tamper(&minted.token)).await;
    assert_eq!(status, 401, "{expected_alg}");
    assert_eq!(body["code"], "invalid_signature");
    // The plugin's token is for its base URL: another audience is refused.
    let strict = Verifier::builder()
        .jwks(|keys| keys.json(minted.jwks))
        .claim_rules(|rules| rules.audience("https://another-app.example"))
        .build()
        .unwrap();
    assert_eq!(
        strict.verify(&minted.token).unwrap_err().kind(),
        ErrorKind::InvalidAudience
    );
}

#[tokio::test]
async fn eddsa_the_plugins_default() {
    accepts_the_real_plugin_token(None, "EdDSA").await;
}

#[tokio::test]
async fn es256() {
    accepts_the_real_plugin_token(Some("ES256"), "ES256").await;
}

#[tokio::test]
async fn es512() {
    accepts_the_real_plugin_token(Some("ES512"), "ES512").await;
}

#[tokio::test]
async fn rs256() {
    accepts_the_real_plugin_token(Some("RS256"), "RS256").await;
}

#[tokio::test]
async fn ps256() {
    accepts_the_real_plugin_token(Some("PS256"), "PS256").await;
}
