//! The example MCP server on loopback, its tokens from the real Better Auth
//! OAuth provider (`tests/fixtures/better-auth/oauth-server.mjs`: the
//! `@better-auth/oauth-provider` and `jwt` plugins), called by rmcp's own
//! client over streamable HTTP. DPoP proofs are signed here with the key the
//! provider bound the token to, fresh for every request the client sends.
//!
//! Needs Node.js 20+ and npm; the first run installs the packages with `npm ci`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use futures::stream::BoxStream;
use jwtguard_test_support::{BetterAuth, env};
use mcp_example::{Config, Tasks};
use p256::ecdsa::SigningKey;
use p256::ecdsa::signature::Signer as _;
use reqwest::header::{HeaderName, HeaderValue};
use rmcp::model::{CallToolRequestParams, CallToolResult, ClientJsonRpcMessage};
use rmcp::service::{ClientInitializeError, RoleClient, RunningService};
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::{
    InsufficientScopeError, SseError, StreamableHttpClient, StreamableHttpClientTransportConfig,
    StreamableHttpError, StreamableHttpPostResponse,
};
use rmcp::{ServiceError, ServiceExt as _};
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

const SECRET: &str = "better-auth-secret-0123456789abcdefghij";

/// The MCP server and the provider whose tokens it accepts, started once
/// for the whole test binary (the provider takes a couple of seconds).
struct Server {
    provider: BetterAuth,
    /// `http://127.0.0.1:<port>`.
    origin: String,
    /// `http://127.0.0.1:<port>/mcp`: `OAUTH_RESOURCE`, and where MCP is.
    resource: String,
}

/// The port is picked first: the provider must know this server's
/// canonical URI (`OAUTH_RESOURCE`, its tokens' `aud`) before it starts.
/// The server runs on its own thread and runtime, for every test's client.
fn server() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(|| {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let origin = format!("http://127.0.0.1:{port}");
        let resource = format!("{origin}/mcp");
        let provider = BetterAuth::start_script(
            "oauth-server.mjs",
            &[("BA_SECRET", SECRET), ("OAUTH_RESOURCE", &resource)],
        );
        // What `main` reads from the environment.
        let vars = [
            ("BETTER_AUTH_URL", provider.url()),
            ("OAUTH_RESOURCE", resource.clone()),
            ("PORT", port.to_string()),
        ];
        let config = Config::from_env_with(env(&vars)).unwrap();
        assert_eq!(config.path, "/mcp");
        let verifier = mcp_example::verifier_from_env_with(env(&vars)).unwrap();
        let app = mcp_example::app(verifier, &config, Tasks::default());
        listener.set_nonblocking(true).unwrap();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                mcp_example::serve(listener, app, std::future::pending())
                    .await
                    .unwrap();
            });
        });
        Server {
            provider,
            origin,
            resource,
        }
    })
}

/// A token response of one of the provider's `/test/*` flows, one flow at
/// a time: the user's consents to different scopes must not race.
fn tokens(route: &str, body: Value) -> Value {
    static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());
    let server = server();
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let tokens = server.provider.post_json(route, &body);
    assert!(tokens["access_token"].is_string(), "{tokens}");
    tokens
}

/// A client-credentials token with `scope` (its `sub` is the client's id).
fn client_token(scope: &str) -> String {
    let tokens = tokens("/test/client-credentials", json!({ "scope": scope }));
    tokens["access_token"].as_str().unwrap().to_owned()
}

/// The user's token from the authorization-code flow, with `scope`.
fn user_token(scope: &str) -> String {
    let tokens = tokens("/test/authorization-code", json!({ "scope": scope }));
    tokens["access_token"].as_str().unwrap().to_owned()
}

/// The user's DPoP-bound token (`cnf.jkt`) and the key it is bound to.
fn dpop_user_token(scope: &str) -> (String, SigningKey) {
    let tokens = tokens(
        "/test/authorization-code",
        json!({ "scope": scope, "dpop": true }),
    );
    assert_eq!(tokens["token_type"], "DPoP", "{tokens}");
    let jwk = &tokens["dpop_private_jwk"];
    assert_eq!((&jwk["kty"], &jwk["crv"]), (&json!("EC"), &json!("P-256")));
    let d = URL_SAFE_NO_PAD.decode(jwk["d"].as_str().unwrap()).unwrap();
    let key = SigningKey::from_slice(&d).unwrap();
    (tokens["access_token"].as_str().unwrap().to_owned(), key)
}

/// A DPoP proof (RFC 9449 4.2) for `htm htu`, bound to `token`.
fn proof(key: &SigningKey, htm: &str, htu: &str, token: &str) -> String {
    let point = key.verifying_key().to_encoded_point(false);
    let jwk = json!({
        "kty": "EC",
        "crv": "P-256",
        "x": URL_SAFE_NO_PAD.encode(point.x().unwrap()),
        "y": URL_SAFE_NO_PAD.encode(point.y().unwrap()),
    });
    let header = json!({ "typ": "dpop+jwt", "alg": "ES256", "jwk": jwk });
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    static NEXT_JTI: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let jti = NEXT_JTI.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let claims = json!({
        "jti": format!("{now}-{}-{jti}", std::process::id()),
        "htm": htm,
        "htu": htu,
        "iat": now,
        "ath": URL_SAFE_NO_PAD.encode(Sha256::digest(token.as_bytes())),
    });
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let signature: p256::ecdsa::Signature = key.sign(input.as_bytes());
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature.to_bytes()))
}

type Client = RunningService<RoleClient, ()>;

/// rmcp's client, connected (the `initialize` handshake) with `token` as
/// `Authorization: Bearer`, or with no credentials.
async fn connect(token: Option<&str>) -> Result<Client, ClientInitializeError> {
    let mut config = StreamableHttpClientTransportConfig::with_uri(server().resource.as_str());
    if let Some(token) = token {
        config = config.auth_header(token);
    }
    ().serve(StreamableHttpClientTransport::from_config(config))
        .await
}

/// What [`DpopClient`] sends in the `DPoP` header of each request.
#[derive(Clone)]
enum Proofs {
    /// A fresh proof for each request, signed with the token's key.
    Fresh(Arc<SigningKey>),
    /// None at all.
    Absent,
    /// This one, every time.
    Fixed(String),
}

/// rmcp's reqwest client, sending `Authorization: DPoP <token>` and a
/// `DPoP` proof with every request; records the proofs it sent.
#[derive(Clone)]
struct DpopClient {
    http: reqwest::Client,
    token: String,
    proofs: Proofs,
    sent: Arc<Mutex<Vec<String>>>,
}

impl DpopClient {
    fn new(token: &str, proofs: Proofs) -> Self {
        Self {
            http: reqwest::Client::new(),
            token: token.to_owned(),
            proofs,
            sent: Arc::default(),
        }
    }

    /// The DPoP headers for `method uri`, added to `headers`.
    fn sign(
        &self,
        method: &str,
        uri: &str,
        mut headers: HashMap<HeaderName, HeaderValue>,
    ) -> HashMap<HeaderName, HeaderValue> {
        let authorization = format!("DPoP {}", self.token);
        headers.insert(
            reqwest::header::AUTHORIZATION,
            HeaderValue::from_str(&authorization).unwrap(),
        );
        let proof = match &self.proofs {
            Proofs::Fresh(key) => proof(key, method, uri, &self.token),
            Proofs::Fixed(proof) => proof.clone(),
            Proofs::Absent => return headers,
        };
        self.sent.lock().unwrap().push(proof.clone());
        headers.insert(
            HeaderName::from_static("dpop"),
            HeaderValue::from_str(&proof).unwrap(),
        );
        headers
    }

    /// rmcp's transport with this client, and rmcp's client on it.
    async fn connect(&self) -> Result<Client, ClientInitializeError> {
        let config = StreamableHttpClientTransportConfig::with_uri(server().resource.as_str());
        ().serve(StreamableHttpClientTransport::with_client(
            self.clone(),
            config,
        ))
        .await
    }
}

impl StreamableHttpClient for DpopClient {
    type Error = reqwest::Error;

    async fn post_message(
        &self,
        uri: Arc<str>,
        message: ClientJsonRpcMessage,
        session_id: Option<Arc<str>>,
        _bearer: Option<String>,
        headers: HashMap<HeaderName, HeaderValue>,
    ) -> Result<StreamableHttpPostResponse, StreamableHttpError<Self::Error>> {
        let headers = self.sign("POST", &uri, headers);
        self.http
            .post_message(uri, message, session_id, None, headers)
            .await
    }

    async fn delete_session(
        &self,
        uri: Arc<str>,
        session_id: Arc<str>,
        _bearer: Option<String>,
        headers: HashMap<HeaderName, HeaderValue>,
    ) -> Result<(), StreamableHttpError<Self::Error>> {
        let headers = self.sign("DELETE", &uri, headers);
        self.http
            .delete_session(uri, session_id, None, headers)
            .await
    }

    async fn get_stream(
        &self,
        uri: Arc<str>,
        session_id: Option<Arc<str>>,
        last_event_id: Option<String>,
        _bearer: Option<String>,
        headers: HashMap<HeaderName, HeaderValue>,
    ) -> Result<
        BoxStream<'static, Result<sse_stream::Sse, SseError>>,
        StreamableHttpError<Self::Error>,
    > {
        let headers = self.sign("GET", &uri, headers);
        self.http
            .get_stream(uri, session_id, last_event_id, None, headers)
            .await
    }
}

async fn call(
    client: &Client,
    tool: &str,
    arguments: Value,
) -> Result<CallToolResult, ServiceError> {
    let mut params = CallToolRequestParams::new(tool.to_owned());
    if let Value::Object(arguments) = arguments {
        params = params.with_arguments(arguments);
    }
    client.call_tool(params).await
}

/// A tool's structured result, which must be a success.
async fn result(client: &Client, tool: &str, arguments: Value) -> Value {
    let result = call(client, tool, arguments)
        .await
        .unwrap_or_else(|e| panic!("{tool}: {e}"));
    assert_ne!(result.is_error, Some(true), "{tool}: {result:?}");
    match result.structured_content {
        Some(content) => content,
        None => panic!(
            "{tool} answered no structured content: {:?}",
            result.content
        ),
    }
}

/// The titles of the caller's tasks.
async fn titles(client: &Client) -> Vec<String> {
    let list = result(client, "list_tasks", json!({})).await;
    list["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|task| task["title"].as_str().unwrap().to_owned())
        .collect()
}

/// The `name="value"` parameter of a challenge.
fn param<'a>(challenge: &'a str, name: &str) -> Option<&'a str> {
    let start = challenge.find(&format!("{name}=\""))? + name.len() + 2;
    let end = challenge[start..].find('"')?;
    Some(&challenge[start..start + end])
}

#[tokio::test]
async fn a_token_with_the_read_scope_calls_the_tools() {
    let server = server();
    let client = connect(Some(&client_token("read:tasks"))).await.unwrap();
    let tools = client.list_all_tools().await.unwrap();
    let mut names: Vec<_> = tools.iter().map(|tool| tool.name.to_string()).collect();
    names.sort();
    assert_eq!(names, ["add_task", "list_tasks", "whoami"]);

    let me = result(&client, "whoami", json!({})).await;
    let client_id = server.provider.text("clientId");
    assert_eq!(
        me["user_id"],
        client_id.as_str(),
        "client credentials: sub is the client"
    );
    assert_eq!(me["client_id"], client_id.as_str());
    assert_eq!(me["scopes"], json!(["read:tasks"]));
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn each_user_sees_only_their_own_tasks() {
    let server = server();
    let user = connect(Some(&user_token("openid read:tasks write:tasks")))
        .await
        .unwrap();
    let me = result(&user, "whoami", json!({})).await;
    assert_eq!(me["user_id"], server.provider.text("userId").as_str());

    let task = result(&user, "add_task", json!({ "title": "Buy milk" })).await;
    assert_eq!(task["title"], "Buy milk");
    assert!(titles(&user).await.contains(&"Buy milk".to_owned()));

    // Another caller (the client itself, by client credentials) with every
    // scope: its own list, without the user's task.
    let other = connect(Some(&client_token("read:tasks write:tasks")))
        .await
        .unwrap();
    result(&other, "add_task", json!({ "title": "Client chore" })).await;
    let theirs = titles(&other).await;
    assert!(theirs.contains(&"Client chore".to_owned()));
    assert!(!theirs.contains(&"Buy milk".to_owned()), "{theirs:?}");
    assert!(!titles(&user).await.contains(&"Client chore".to_owned()));

    // Bad input is a tool error, not a stored task.
    let error = call(&user, "add_task", json!({ "title": " " }))
        .await
        .unwrap_err();
    assert!(error.to_string().contains("title must be"), "{error}");
    user.cancel().await.unwrap();
    other.cancel().await.unwrap();
}

#[tokio::test]
async fn without_a_token_the_401_leads_to_the_metadata_document() {
    let server = server();
    let error = connect(None).await.expect_err("refused without a token");
    let challenge = error.auth_challenge().expect("a 401 challenge").to_owned();
    assert!(challenge.starts_with("Bearer "), "{challenge}");
    // The scope a client should ask for first.
    assert_eq!(
        param(&challenge, "scope"),
        Some("read:tasks"),
        "{challenge}"
    );
    let metadata_url = param(&challenge, "resource_metadata").expect(&challenge);
    assert_eq!(
        metadata_url,
        format!("{}/.well-known/oauth-protected-resource/mcp", server.origin)
    );

    let response = reqwest::get(metadata_url).await.unwrap();
    assert_eq!(response.status(), 200);
    let document: Value = response.json().await.unwrap();
    assert_eq!(document["resource"], server.resource.as_str());
    assert_eq!(
        document["authorization_servers"][0],
        server.provider.text("issuer").as_str()
    );
    assert_eq!(
        document["scopes_supported"],
        json!(["read:tasks", "write:tasks"])
    );
    // The authorization server it names is Better Auth, which publishes its
    // own metadata (RFC 8414) with the token endpoint.
    let response = reqwest::get(server.provider.text("metadataUrl"))
        .await
        .unwrap();
    let provider: Value = response.json().await.unwrap();
    assert_eq!(provider["issuer"], document["authorization_servers"][0]);
    assert!(provider["token_endpoint"].is_string(), "{provider}");

    // A token for another resource server is refused too.
    let elsewhere = tokens(
        "/test/client-credentials",
        json!({ "scope": "read:tasks", "resource": "http://127.0.0.1:1/other" }),
    );
    let error = connect(elsewhere["access_token"].as_str())
        .await
        .expect_err("refused: another audience");
    assert!(error.auth_challenge().is_some(), "{error}");
}

#[tokio::test]
async fn too_few_scopes_get_the_403_step_up() {
    // read:tasks alone: the read tools work, add_task is refused with the
    // scope to ask for.
    let client = connect(Some(&client_token("read:tasks"))).await.unwrap();
    result(&client, "list_tasks", json!({})).await;
    let error = call(&client, "add_task", json!({ "title": "Not allowed" }))
        .await
        .unwrap_err();
    let challenge = error.auth_challenge().expect("a 403 challenge").to_owned();
    assert!(
        challenge.contains(r#"error="insufficient_scope""#),
        "{challenge}"
    );
    assert_eq!(
        param(&challenge, "scope"),
        Some("write:tasks"),
        "{challenge}"
    );
    let insufficient =
        std::iter::successors(Some(&error as &(dyn std::error::Error + 'static)), |e| {
            e.source()
        })
        .find_map(|e| e.downcast_ref::<InsufficientScopeError>())
        .expect("rmcp sees the 403 as insufficient scope");
    assert_eq!(insufficient.get_required_scope(), Some("write:tasks"));
    // The step-up challenge leads to the document as the 401 does (MCP).
    assert!(
        param(&challenge, "resource_metadata")
            .is_some_and(|url| url.ends_with("/.well-known/oauth-protected-resource/mcp")),
        "{challenge}"
    );
    client.cancel().await.unwrap();

    // write:tasks alone: the whole endpoint needs read:tasks.
    let error = connect(Some(&client_token("write:tasks")))
        .await
        .expect_err("refused without read:tasks");
    let challenge = error.auth_challenge().expect("a 403 challenge");
    assert!(
        challenge.contains(r#"error="insufficient_scope""#),
        "{challenge}"
    );
    assert_eq!(param(challenge, "scope"), Some("read:tasks"), "{challenge}");

    // After the step-up (a token with both scopes) the call goes through.
    let client = connect(Some(&client_token("read:tasks write:tasks")))
        .await
        .unwrap();
    result(&client, "add_task", json!({ "title": "Allowed now" })).await;
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn a_dpop_bound_token_works_with_a_fresh_proof_for_each_request() {
    let server = server();
    let (token, key) = dpop_user_token("openid read:tasks write:tasks");
    let dpop = DpopClient::new(&token, Proofs::Fresh(Arc::new(key)));
    let client = dpop.connect().await.unwrap();
    let me = result(&client, "whoami", json!({})).await;
    assert_eq!(me["user_id"], server.provider.text("userId").as_str());
    result(&client, "add_task", json!({ "title": "Bound" })).await;
    assert!(titles(&client).await.contains(&"Bound".to_owned()));
    client.cancel().await.unwrap();
    let sent = dpop.sent.lock().unwrap().clone();
    assert!(sent.len() >= 4, "one proof per request: {}", sent.len());
    let mut distinct = sent.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), sent.len(), "every proof is new");
}

/// A raw `initialize` POST to the MCP endpoint with `headers`: its status,
/// its `WWW-Authenticate` challenges and its body.
async fn initialize(headers: &[(&str, String)]) -> (u16, Vec<String>, Value) {
    let body = json!({
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {
            "protocolVersion": "2025-06-18",
            "capabilities": {},
            "clientInfo": { "name": "raw", "version": "0" },
        },
    });
    let mut request = reqwest::Client::new()
        .post(&server().resource)
        .header("accept", "application/json, text/event-stream")
        .json(&body);
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let challenges = response
        .headers()
        .get_all("www-authenticate")
        .iter()
        .map(|value| value.to_str().unwrap().to_owned())
        .collect();
    (status, challenges, response.json().await.unwrap())
}

#[tokio::test]
async fn a_dpop_bound_token_is_refused_without_a_proof() {
    let (token, _) = dpop_user_token("openid read:tasks");
    let error = DpopClient::new(&token, Proofs::Absent)
        .connect()
        .await
        .expect_err("refused without a proof");
    assert!(error.auth_challenge().is_some(), "a 401: {error}");
    // Nor does it pass as a bearer token.
    let error = connect(Some(&token)).await.expect_err("refused as Bearer");
    assert!(error.auth_challenge().is_some(), "a 401: {error}");

    // Why, as the body says (rmcp's client only shows the first challenge).
    let (status, _, body) = initialize(&[("authorization", format!("DPoP {token}"))]).await;
    assert_eq!((status, &body["code"]), (401, &json!("invalid_dpop_proof")));
    let (status, _, body) = initialize(&[("authorization", format!("Bearer {token}"))]).await;
    assert_eq!((status, &body["code"]), (401, &json!("dpop_bound_token")));
}

#[tokio::test]
async fn a_replayed_dpop_proof_is_refused() {
    let server = server();
    let (token, key) = dpop_user_token("openid read:tasks");
    let used = proof(&key, "POST", &server.resource, &token);
    let headers = [
        ("authorization", format!("DPoP {token}")),
        ("dpop", used.clone()),
    ];
    let (status, _, body) = initialize(&headers).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["result"]["serverInfo"]["name"], "jwtguard-mcp-example");

    let (status, challenges, body) = initialize(&headers).await;
    assert_eq!(
        (status, &body["code"]),
        (401, &json!("dpop_proof_replayed"))
    );
    assert!(
        challenges
            .iter()
            .any(|c| c.starts_with(r#"DPoP error="invalid_dpop_proof""#)),
        "{challenges:?}"
    );

    // rmcp's client sending that proof again is refused the same way.
    let error = DpopClient::new(&token, Proofs::Fixed(used))
        .connect()
        .await
        .expect_err("a replayed proof is refused");
    assert!(error.auth_challenge().is_some(), "a 401: {error}");
}

#[test]
fn the_configuration_errors_name_the_variable() {
    let error = |vars: &[(&str, &str)]| Config::from_env_with(env(vars)).unwrap_err();
    let url = ("BETTER_AUTH_URL", "https://app.example.com");
    let resource = ("OAUTH_RESOURCE", "https://mcp.example.com/mcp");
    assert!(error(&[resource]).starts_with("BETTER_AUTH_URL is not set"));
    assert!(error(&[url]).starts_with("OAUTH_RESOURCE is not set"));
    assert!(
        error(&[url, ("OAUTH_RESOURCE", "mcp.example.com/mcp")])
            .starts_with("OAUTH_RESOURCE must be an absolute http(s) URL")
    );
    assert!(error(&[url, resource, ("PORT", "eighty")]).starts_with("PORT must be"));
    assert!(error(&[url, resource, ("HOST", "localhost")]).starts_with("HOST must be"));

    let config = Config::from_env_with(env(&[
        url,
        resource,
        ("OAUTH_PUBLIC_URL", "https://Public.example.com"),
        ("PORT", ""),
    ]))
    .unwrap();
    assert_eq!(config.address, "127.0.0.1:8000".parse().unwrap());
    assert_eq!(config.path, "/mcp");
    assert_eq!(
        config.allowed_hosts,
        ["mcp.example.com", "public.example.com"]
    );
}
