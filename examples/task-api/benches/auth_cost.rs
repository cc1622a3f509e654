//! What authentication costs per HTTP request, end to end, served by axum on
//! loopback and loaded with `wrk`. Two routes: the task API's list route
//! (`GET /api/{user_id}/tasks`, the example's `TaskService` on an in-memory
//! SQLite database) and the same path answered without the database
//! (`GET /api/{user_id}/me`, the user id as JSON), where auth is all the work.
//! Four variants that differ only in the handler's first argument:
//!
//! * `no_auth`: `Path(user_id)`, nothing checked (the baseline);
//! * `hs256`: `OwnerOf` with the shared secret;
//! * `eddsa`: `OwnerOf` with a JWKS key (Better Auth's default);
//! * `eddsa_cached`: the same with `.jwks(|keys| keys.token_cache(..))`.
//!
//! Run: `cargo bench -p task-api --bench auth_cost` (needs `wrk`; optional arguments:
//! seconds per run, connections). Prints requests/s and latency per variant.

use std::process::Command;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, Request, State};
use axum::response::Response;
use axum::routing::get;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::Signer as _;
use jwtguard::Verifier;
use jwtguard::axum::OwnerOf;
use jwtguard::testing::TokenMinter;
use serde_json::json;
use task_api::axum_app::{AppState, answer};
use task_api::service::TaskService;

const SECRET: &str = "bench-secret-of-at-least-32-bytes-long!!";
const USER: &str = "Xk9mP2vL7qR4tW8yB3nF6hJ1cD5gS0aE";
const BASE_URL: &str = "https://app.example.com";

async fn me_with_auth(owner: OwnerOf) -> axum::Json<serde_json::Value> {
    axum::Json(json!({"user_id": owner.user_id()}))
}

async fn me_without_auth(Path(user_id): Path<String>) -> axum::Json<serde_json::Value> {
    axum::Json(json!({"user_id": user_id}))
}

async fn with_auth(owner: OwnerOf, State(state): State<AppState>, request: Request) -> Response {
    let query = request.uri().query().unwrap_or("");
    answer(state.tasks.list(owner.user_id(), query).await)
}

async fn without_auth(
    Path(user_id): Path<String>,
    State(state): State<AppState>,
    request: Request,
) -> Response {
    let query = request.uri().query().unwrap_or("");
    answer(state.tasks.list(&user_id, query).await)
}

/// An Ed25519 key, its JWKS, and a plugin-shaped token for [`USER`].
fn eddsa() -> (String, String) {
    let key = ed25519_dalek::SigningKey::from_bytes(&[9; 32]);
    let jwks = json!({"keys": [{"kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "kid": "k1",
        "x": URL_SAFE_NO_PAD.encode(key.verifying_key().as_bytes())}]});
    let header = json!({"alg": "EdDSA", "kid": "k1"});
    let claims = json!({"sub": USER, "id": USER, "name": "Ada Lovelace",
        "email": "ada@example.com", "emailVerified": false, "iat": 1_764_000_000u64,
        "exp": 4_000_000_000u64, "iss": BASE_URL, "aud": BASE_URL});
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let signature = key.sign(input.as_bytes());
    let token = format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature.to_bytes()));
    (jwks.to_string(), token)
}

/// Serves `router` on a free loopback port; returns its base URL.
async fn serve(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    url
}

/// Runs wrk and returns (requests/s, p50, p99) as printed.
fn wrk(url: &str, token: Option<&str>, seconds: u32, connections: u32) -> (String, String, String) {
    let mut command = Command::new("wrk");
    command.args([
        "-t2",
        &format!("-c{connections}"),
        &format!("-d{seconds}s"),
        "--latency",
    ]);
    if let Some(token) = token {
        command.args(["-H", &format!("Authorization: Bearer {token}")]);
    }
    let output = command
        .arg(url)
        .output()
        .expect("wrk is installed (apt-get install wrk)");
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        !text.contains("Non-2xx"),
        "every request must succeed:\n{text}"
    );
    let field = |prefix: &str| {
        text.lines()
            .find(|line| line.trim_start().starts_with(prefix))
            .and_then(|line| line.split_whitespace().nth(1))
            .unwrap_or("?")
            .to_owned()
    };
    (field("Requests/sec:"), field("50%"), field("99%"))
}

fn main() {
    let mut args = std::env::args().skip(1).filter(|a| !a.starts_with("--"));
    let seconds: u32 = args.next().and_then(|s| s.parse().ok()).unwrap_or(5);
    let connections: u32 = args.next().and_then(|s| s.parse().ok()).unwrap_or(32);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let (jwks, eddsa_token) = eddsa();
    let hs256_token = TokenMinter::new(SECRET)
        .subject(USER)
        .expires_in(std::time::Duration::from_secs(3600))
        .sign();
    let hs256 = Verifier::builder().hs256_secret(SECRET).build().unwrap();
    let jwks_verifier = |cache: bool| {
        let builder = Verifier::builder()
            .jwks(|keys| keys.json(jwks.clone()))
            .claim_rules(|rules| rules.issuer(BASE_URL).audience(BASE_URL));
        let builder = if cache {
            builder.jwks(|keys| keys.token_cache(1024))
        } else {
            builder
        };
        builder.build().unwrap()
    };
    let variants: [(&str, Verifier, Option<&str>); 4] = [
        ("no_auth", hs256.clone(), None),
        ("hs256", hs256, Some(&hs256_token)),
        ("eddsa", jwks_verifier(false), Some(&eddsa_token)),
        ("eddsa_cached", jwks_verifier(true), Some(&eddsa_token)),
    ];
    println!("wrk -t2 -c{connections} -d{seconds}s on loopback");
    println!("| route | variant | requests/s | p50 | p99 |\n|---|---|---|---|---|");
    for (route, path) in [
        ("me", "/api/{user_id}/me"),
        ("tasks", "/api/{user_id}/tasks"),
    ] {
        for (name, verifier, token) in variants.clone() {
            let url = runtime.block_on(async {
                let store = task_api::store::Store::connect("sqlite::memory:")
                    .await
                    .unwrap();
                let state = AppState {
                    verifier,
                    tasks: Arc::new(TaskService::new(store)),
                };
                let router = match (route, token) {
                    ("me", None) => Router::new().route(path, get(me_without_auth)),
                    ("me", Some(_)) => Router::new().route(path, get(me_with_auth)),
                    (_, None) => Router::new().route(path, get(without_auth)),
                    (_, Some(_)) => Router::new().route(path, get(with_auth)),
                };
                serve(router.with_state(state)).await
            });
            let url = format!("{url}{}", path.replace("{user_id}", USER));
            let (rps, p50, p99) = wrk(&url, token, seconds, connections);
            println!("| {route} | {name} | {rps} | {p50} | {p99} |");
        }
    }
}
