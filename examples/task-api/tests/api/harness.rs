//! The harness: fixtures (database, verifier, users, tokens), requests and
//! replies that mean the same to both servers, the two servers behind one
//! `Server` trait, and the helpers the scenarios share.

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use jwtguard::Verifier;
use jwtguard::testing::TokenMinter;
use serde_json::{Value, json};
use task_api::service::TaskService;
use task_api::store::Store;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

pub const SECRET: &str = "task-api-test-secret-of-at-least-32-bytes";
pub const OTHER_SECRET: &str = "another-task-api-secret-at-least-32-bytes";
pub const ISSUER: &str = "nextjs-frontend";
pub const AUDIENCE: &str = "fastapi-backend";
pub const FRONTEND: &str = "http://localhost:3000";
pub const KIB: usize = 1024;

// ---------------------------------------------------------------------------
// Fixtures: database, verifier, users and tokens.
// ---------------------------------------------------------------------------

fn database_url() -> String {
    std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|url| !url.trim().is_empty())
        .unwrap_or_else(|| "sqlite::memory:".to_owned())
}

/// A store on the test database. Tests start together on a shared
/// PostgreSQL database, which also exercises the schema-creation lock.
async fn store() -> Store {
    Store::connect(&database_url())
        .await
        .unwrap_or_else(|error| panic!("cannot open the test database: {error}"))
}

pub fn verifier() -> Verifier {
    Verifier::builder()
        .hs256_secret(SECRET)
        .claim_rules(|rules| rules.issuer(ISSUER).audience(AUDIENCE))
        .build()
        .expect("the test verifier configuration is valid")
}

/// Better Auth's JWT plugin as a test drives it: its JWKS cannot be fetched
/// until [`serve`](Self::serve) is called.
pub struct JwksIssuer {
    up: Arc<AtomicBool>,
    minter: TokenMinter,
}

impl JwksIssuer {
    pub fn down() -> Self {
        Self {
            up: Arc::new(AtomicBool::new(false)),
            minter: TokenMinter::ed25519([7; 32], "plugin-key")
                .issuer(ISSUER)
                .audience(AUDIENCE),
        }
    }

    /// The test verifier, also accepting the plugin's tokens, its JWKS
    /// fetched in the background (as with `JWKS_BACKGROUND_START=1`), so
    /// that it builds while the JWKS is down.
    pub fn verifier(&self) -> Verifier {
        let (up, jwks) = (Arc::clone(&self.up), self.minter.jwks());
        Verifier::builder()
            .hs256_secret(SECRET)
            .claim_rules(|rules| rules.issuer(ISSUER).audience(AUDIENCE))
            .jwks(|keys| {
                keys.fetcher(move || match (up.load(Ordering::SeqCst), &jwks) {
                    (true, Some(jwks)) => Ok(jwks.clone()),
                    _ => Err("Better Auth is down".into()),
                })
                .background_start(true)
                .background_retry(Duration::from_millis(20))
                .refresh_interval(Duration::from_millis(200))
            })
            .build()
            .expect("the background-start configuration is valid")
    }

    /// The JWKS can be fetched from now on.
    pub fn serve(&self) {
        self.up.store(true, Ordering::SeqCst);
    }

    /// A token as the plugin signs it for `sub`.
    pub fn token_for(&self, sub: &str) -> String {
        self.minter.clone().subject(sub).sign()
    }
}

fn origins() -> Vec<String> {
    vec![FRONTEND.to_owned()]
}

/// A token as the Better Auth front end would mint it for `sub`.
pub fn minter(sub: &str) -> TokenMinter {
    TokenMinter::new(SECRET)
        .subject(sub)
        .issuer(ISSUER)
        .audience(AUDIENCE)
}

pub fn token_for(sub: &str) -> String {
    minter(sub).sign()
}

/// A user with a random id (so that tests sharing a database never see each
/// other's rows) and a valid token for it.
pub struct User {
    pub id: String,
    pub token: String,
}

impl User {
    pub fn new() -> Self {
        Self::named(&format!("user-{}", uuid::Uuid::new_v4()))
    }

    pub fn named(id: &str) -> Self {
        Self {
            id: id.to_owned(),
            token: token_for(id),
        }
    }

    /// The collection path, `/api/{id}/tasks`.
    pub fn tasks(&self) -> String {
        format!("/api/{}/tasks", self.id)
    }

    /// One task's path, `/api/{id}/tasks/{task_id}`.
    pub fn task(&self, task_id: &str) -> String {
        format!("/api/{}/tasks/{task_id}", self.id)
    }

    pub fn complete(&self, task_id: &str) -> String {
        format!("/api/{}/tasks/{task_id}/complete", self.id)
    }
}

pub fn random_uuid() -> String {
    uuid::Uuid::new_v4().to_string()
}

// ---------------------------------------------------------------------------
// Requests and replies, framework-neutral.
// ---------------------------------------------------------------------------

#[derive(Clone)]
pub struct Req {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Req {
    pub fn new(method: &str, path: impl Into<String>) -> Self {
        Self {
            method: method.to_owned(),
            path: path.into(),
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    pub fn get(path: impl Into<String>) -> Self {
        Self::new("GET", path)
    }

    pub fn post(path: impl Into<String>) -> Self {
        Self::new("POST", path)
    }

    pub fn put(path: impl Into<String>) -> Self {
        Self::new("PUT", path)
    }

    pub fn patch(path: impl Into<String>) -> Self {
        Self::new("PATCH", path)
    }

    pub fn delete(path: impl Into<String>) -> Self {
        Self::new("DELETE", path)
    }

    pub fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_owned(), value.into()));
        self
    }

    pub fn bearer(self, token: &str) -> Self {
        self.header("authorization", format!("Bearer {token}"))
    }

    pub fn auth(self, user: &User) -> Self {
        self.bearer(&user.token)
    }

    pub fn json(self, body: Value) -> Self {
        self.raw(body.to_string())
    }

    /// A body sent as JSON, whatever it holds.
    pub fn raw(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self.header("content-type", "application/json")
    }

    pub fn describe(&self) -> String {
        let mut path = self.path.clone();
        if path.len() > 120 {
            let mut end = 120;
            while !path.is_char_boundary(end) {
                end -= 1;
            }
            path.truncate(end);
            path.push('…');
        }
        let body = if self.body.is_empty() {
            String::new()
        } else if self.body.len() <= 120 {
            format!(" {}", String::from_utf8_lossy(&self.body))
        } else {
            format!(" <{} bytes>", self.body.len())
        };
        format!("{} {path}{body}", self.method)
    }
}

/// What a server answered. Header names are lowercase.
pub struct Reply {
    pub server: &'static str,
    pub request: String,
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn context(&self) -> String {
        let body = String::from_utf8_lossy(&self.body);
        let body: String = body.chars().take(600).collect();
        format!(
            "[{}] {} -> {} {body}",
            self.server, self.request, self.status
        )
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    #[track_caller]
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("body is not JSON ({e}): {}", self.context()))
    }

    /// Checks the status; error answers must be JSON.
    #[track_caller]
    pub fn expect(self, status: u16) -> Self {
        assert_eq!(self.status, status, "{}", self.context());
        if status >= 400 {
            assert_eq!(
                self.header("content-type"),
                Some("application/json"),
                "{}",
                self.context()
            );
        }
        self
    }

    /// Checks status and the exact JSON body.
    #[track_caller]
    pub fn expect_json(self, status: u16, body: Value) -> Self {
        let reply = self.expect(status);
        assert_eq!(reply.json(), body, "{}", reply.context());
        reply
    }

    /// Checks a FastAPI-shaped 422 that reports `kind` at `loc`.
    #[track_caller]
    pub fn expect_problem(self, kind: &str, loc: &[&str]) -> Self {
        let reply = self.expect(422);
        let body = reply.json();
        let problems = body["detail"]
            .as_array()
            .unwrap_or_else(|| panic!("detail is not a list: {}", reply.context()));
        assert!(!problems.is_empty(), "{}", reply.context());
        for problem in problems {
            let object = problem
                .as_object()
                .unwrap_or_else(|| panic!("problem is not an object: {}", reply.context()));
            assert!(object["type"].is_string(), "{}", reply.context());
            assert!(object["msg"].is_string(), "{}", reply.context());
            assert!(
                object["loc"]
                    .as_array()
                    .is_some_and(|loc| !loc.is_empty() && loc.iter().all(Value::is_string)),
                "{}",
                reply.context()
            );
        }
        let wanted = json!({"type": kind, "loc": loc});
        assert!(
            problems
                .iter()
                .any(|p| p["type"] == wanted["type"] && p["loc"] == wanted["loc"]),
            "expected a problem {wanted}: {}",
            reply.context()
        );
        reply
    }
}

/// An HTTP server under test.
pub trait Server {
    fn name(&self) -> &'static str;
    async fn send(&self, request: Req) -> Reply;
}

// ---------------------------------------------------------------------------
// The two servers.
// ---------------------------------------------------------------------------

pub struct AxumServer {
    router: axum::Router,
}

pub async fn axum_server() -> AxumServer {
    axum_server_with(verifier()).await
}

/// The axum server with a verifier of the test's own.
pub async fn axum_server_with(verifier: Verifier) -> AxumServer {
    let state = task_api::axum_app::AppState {
        verifier,
        tasks: Arc::new(TaskService::new(store().await)),
    };
    AxumServer {
        router: task_api::axum_app::router(state, &origins()),
    }
}

impl Server for AxumServer {
    fn name(&self) -> &'static str {
        "axum"
    }

    async fn send(&self, request: Req) -> Reply {
        use tower::ServiceExt;
        let mut builder = axum::http::Request::builder()
            .method(request.method.as_str())
            .uri(request.path.as_str());
        for (name, value) in &request.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        if !request.body.is_empty() {
            builder = builder.header("content-length", request.body.len());
        }
        let http_request = builder
            .body(axum::body::Body::from(request.body.clone()))
            .unwrap_or_else(|e| panic!("cannot build {}: {e}", request.describe()));
        let response = self
            .router
            .clone()
            .oneshot(http_request)
            .await
            .unwrap_or_else(|e| match e {});
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(n, v)| {
                let value = String::from_utf8_lossy(v.as_bytes()).into_owned();
                (n.as_str().to_ascii_lowercase(), value)
            })
            .collect();
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("the axum body can be read")
            .to_vec();
        Reply {
            server: "axum",
            request: request.describe(),
            status,
            headers,
            body,
        }
    }
}

type LocalFuture<T> = Pin<Box<dyn Future<Output = T>>>;

/// The initialized actix test service, behind a closure because its type
/// cannot be named. Not `Send`: use it inside `#[actix_web::test]`.
pub struct ActixServer {
    call: Box<dyn Fn(Req) -> LocalFuture<Reply>>,
}

pub async fn actix_server() -> ActixServer {
    actix_server_with(verifier()).await
}

/// The actix server with a verifier of the test's own.
pub async fn actix_server_with(verifier: Verifier) -> ActixServer {
    use actix_web::dev::Service;
    use actix_web::{App, test, web};
    let tasks = TaskService::new(store().await);
    let service = test::init_service(
        App::new()
            .app_data(web::Data::new(verifier))
            .app_data(web::Data::new(tasks))
            .configure(task_api::actix_app::configure)
            .wrap(actix_web::middleware::from_fn(
                task_api::actix_app::log_request,
            ))
            .wrap(task_api::actix_app::cors(&origins())),
    )
    .await;
    let service = Rc::new(service);
    ActixServer {
        call: Box::new(move |request: Req| {
            let service = Rc::clone(&service);
            Box::pin(async move {
                let method = actix_web::http::Method::from_bytes(request.method.as_bytes())
                    .expect("a valid method");
                let mut test_request = test::TestRequest::default()
                    .method(method)
                    .uri(&request.path);
                for (name, value) in &request.headers {
                    test_request = test_request.append_header((name.as_str(), value.as_str()));
                }
                if !request.body.is_empty() {
                    test_request = test_request.set_payload(request.body.clone());
                }
                // An `Err` from the service is what the HTTP dispatcher would
                // turn into a response: do the same.
                let (status, headers, body) = match service.call(test_request.to_request()).await {
                    Ok(response) => {
                        let status = response.status().as_u16();
                        let headers = actix_headers(response.headers());
                        let body = test::read_body(response).await.to_vec();
                        (status, headers, body)
                    }
                    Err(error) => {
                        let response = error.error_response();
                        let status = response.status().as_u16();
                        let headers = actix_headers(response.headers());
                        let body = actix_web::body::to_bytes(response.into_body())
                            .await
                            .expect("the actix error body can be read")
                            .to_vec();
                        (status, headers, body)
                    }
                };
                Reply {
                    server: "actix",
                    request: request.describe(),
                    status,
                    headers,
                    body,
                }
            })
        }),
    }
}

fn actix_headers(headers: &actix_web::http::header::HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(n, v)| {
            let value = String::from_utf8_lossy(v.as_bytes()).into_owned();
            (n.as_str().to_ascii_lowercase(), value)
        })
        .collect()
}

impl Server for ActixServer {
    fn name(&self) -> &'static str {
        "actix"
    }

    async fn send(&self, request: Req) -> Reply {
        (self.call)(request).await
    }
}

/// Each scenario named, as a module holding one test per server:
/// `on_both_servers!(create_returns_201, ...)` in a scenario file, next to
/// `async fn create_returns_201(server: &impl Server)`. Attributes written
/// before a scenario's name (such as `#[ignore]`) go on both tests.
macro_rules! on_both_servers {
    ($($(#[$meta:meta])* $scenario:ident),+ $(,)?) => {$(
        mod $scenario {
            $(#[$meta])*
            #[tokio::test]
            async fn axum() {
                super::$scenario(&$crate::harness::axum_server().await).await;
            }

            $(#[$meta])*
            #[actix_web::test]
            async fn actix() {
                super::$scenario(&$crate::harness::actix_server().await).await;
            }
        }
    )+};
}
pub(crate) use on_both_servers;

/// Like [`on_both_servers!`], for scenarios that configure their own
/// verifier: `async fn scenario<S: Server>(serve: impl AsyncFn(Verifier) -> S)`
/// gets [`axum_server_with`] in one test and [`actix_server_with`] in the other.
macro_rules! on_both_servers_with {
    ($($(#[$meta:meta])* $scenario:ident),+ $(,)?) => {$(
        mod $scenario {
            $(#[$meta])*
            #[tokio::test]
            async fn axum() {
                super::$scenario($crate::harness::axum_server_with).await;
            }

            $(#[$meta])*
            #[actix_web::test]
            async fn actix() {
                super::$scenario($crate::harness::actix_server_with).await;
            }
        }
    )+};
}
pub(crate) use on_both_servers_with;

// ---------------------------------------------------------------------------
// Helpers for the scenarios.
// ---------------------------------------------------------------------------

/// Creates a task and returns its JSON.
pub async fn create(server: &impl Server, user: &User, body: Value) -> Value {
    server
        .send(Req::post(user.tasks()).auth(user).json(body))
        .await
        .expect(201)
        .json()
}

pub async fn create_titled(server: &impl Server, user: &User, title: &str) -> Value {
    create(server, user, json!({ "title": title })).await
}

/// The user's tasks for `query` (without `?`), and `X-Total-Count`.
pub async fn list(server: &impl Server, user: &User, query: &str) -> (Vec<Value>, i64) {
    let path = if query.is_empty() {
        user.tasks()
    } else {
        format!("{}?{query}", user.tasks())
    };
    let reply = server.send(Req::get(path).auth(user)).await.expect(200);
    let total = reply
        .header("x-total-count")
        .unwrap_or_else(|| panic!("no X-Total-Count: {}", reply.context()))
        .parse()
        .unwrap_or_else(|_| panic!("X-Total-Count is not a number: {}", reply.context()));
    let Value::Array(tasks) = reply.json() else {
        panic!("the list is not an array: {}", reply.context());
    };
    (tasks, total)
}

pub fn titles(tasks: &[Value]) -> Vec<&str> {
    tasks.iter().map(|t| t["title"].as_str().unwrap()).collect()
}

pub fn id_of(task: &Value) -> String {
    task["id"].as_str().expect("a task id").to_owned()
}

/// An RFC 3339 UTC timestamp.
#[track_caller]
pub fn timestamp(value: &Value) -> OffsetDateTime {
    let text = value
        .as_str()
        .unwrap_or_else(|| panic!("not a string: {value}"));
    let parsed = OffsetDateTime::parse(text, &Rfc3339)
        .unwrap_or_else(|e| panic!("not RFC 3339 ({e}): {text}"));
    assert!(parsed.offset().is_utc(), "not UTC: {text}");
    assert!(text.ends_with('Z'), "not written as UTC: {text}");
    parsed
}

/// The JSON shape of a task, whatever the values.
#[track_caller]
pub fn assert_task_shape(task: &Value, user: &User) {
    let object = task
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {task}"));
    let mut keys: Vec<&str> = object.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "completed",
            "created_at",
            "description",
            "id",
            "title",
            "updated_at",
            "user_id"
        ],
        "{task}"
    );
    let id = task["id"].as_str().expect("id is a string");
    let parsed = uuid::Uuid::parse_str(id).unwrap_or_else(|_| panic!("id is not a UUID: {id}"));
    assert_eq!(parsed.hyphenated().to_string(), id, "id is not canonical");
    assert_eq!(task["user_id"], json!(user.id));
    assert!(task["title"].is_string(), "{task}");
    assert!(
        task["description"].is_string() || task["description"].is_null(),
        "{task}"
    );
    assert!(task["completed"].is_boolean(), "{task}");
    let created = timestamp(&task["created_at"]);
    let updated = timestamp(&task["updated_at"]);
    assert!(updated >= created, "updated before created: {task}");
}

/// A JSON body of exactly `size` bytes with a valid title and a long description.
pub fn body_of_size(size: usize) -> Vec<u8> {
    let prefix = r#"{"title":"big","description":""#;
    let suffix = r#""}"#;
    let filler = size - prefix.len() - suffix.len();
    let body = format!("{prefix}{}{suffix}", "a".repeat(filler));
    assert_eq!(body.len(), size);
    body.into_bytes()
}

/// Requests no client should send; none may be answered with a 5xx.
pub fn hostile_requests(user: &User) -> Vec<Req> {
    let tasks = user.tasks();
    let nested_array = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let nested_object = format!(
        r#"{{"title":"deep","description":{}null{}}}"#,
        r#"{"a":"#.repeat(5_000),
        "}".repeat(5_000)
    );
    let mut requests = vec![
        Req::get(format!("{tasks}?limit=99999999999999999999999999")),
        Req::get(format!("{tasks}?limit=9223372036854775807")),
        Req::get(format!("{tasks}?limit=-9223372036854775808")),
        Req::get(format!("{tasks}?offset=9223372036854775807")),
        Req::get(format!("{tasks}?offset=99999999999999999999999999")),
        Req::get(format!("{tasks}?limit=1e2")),
        Req::get(format!("{tasks}?limit=0x10")),
        Req::get(format!("{tasks}?limit=%00")),
        Req::get(format!("{tasks}?limit=%FF%FE")),
        Req::get(format!("{tasks}?limit=%")),
        Req::get(format!("{tasks}?limit=%4")),
        Req::get(format!("{tasks}?completed=%00")),
        Req::get(format!("{tasks}?completed=%E2%9C%93")),
        Req::get(format!("{tasks}?&&&=&limit&offset")),
        Req::get(format!("{tasks}?{}", "limit=5&".repeat(2_000))),
        Req::get(format!("{tasks}/%00")),
        Req::get(format!("{tasks}/%E2%9C%93")),
        Req::get(format!("{tasks}/..%2F..%2Fhealth")),
        Req::get(format!("{tasks}/")),
        Req::get(format!("{tasks}//")),
        Req::delete(format!("{tasks}/%00")),
        Req::patch(format!("{tasks}/%00/complete")),
        Req::get("/api/%00/tasks"),
        Req::get("/api/%E2%9C%93/tasks"),
        Req::get("/api/%FF/tasks"),
        Req::get("/api/%2e%2e/tasks"),
        Req::get(format!("/api/{}%2Fx/tasks", user.id)),
        Req::get(format!("/api/{}/tasks%00", user.id)),
        Req::new("OPTIONS", tasks.clone()),
        Req::new("HEAD", tasks.clone()),
        Req::new("HEAD", "/health"),
        Req::new("TRACE", tasks.clone()),
        Req::new("BREW", tasks.clone()),
        Req::post(tasks.clone()).raw("[]"),
        Req::post(tasks.clone()).raw(nested_array.clone()),
        Req::post(tasks.clone()).raw(nested_object),
        Req::post(tasks.clone()).raw(r#"{"title":1e999}"#),
        Req::post(tasks.clone()).raw(r#"{"title":123456789012345678901234567890}"#),
        Req::post(tasks.clone()).raw(r#"{"title":"\ud800"}"#),
        Req::post(tasks.clone()).raw(r#"{"title":"a","title":"b"}"#),
        Req::post(tasks.clone()).raw(b"{\"title\":\"\xc3\x28\"}".to_vec()),
        Req::post(tasks.clone()).raw("\u{feff}{\"title\":\"bom\"}"),
        Req::post(tasks.clone()).raw(r#"{"title":"x","description":{"$gt":""}}"#),
        Req::post(tasks.clone()).json(json!({"title": "'; DROP TABLE tasks; --"})),
        Req::post(tasks.clone()).json(json!({"title": "\u{202e}\u{200b}🦀 ünïcödé"})),
        Req::post(tasks.clone())
            .header("content-type", "text/plain")
            .raw(r#"{"title":"wrong content type"}"#),
        Req::put(format!("{tasks}/{}", random_uuid())).raw(r#"{"completed":1e400}"#),
        Req::put(format!("{tasks}/{}", random_uuid())).raw(nested_array),
    ];
    for request in &mut requests {
        request
            .headers
            .push(("authorization".to_owned(), format!("Bearer {}", user.token)));
    }
    // And some without or with odd credentials.
    requests.extend([
        Req::get(tasks.clone()).header("authorization", "Bearer"),
        Req::get(tasks.clone()).header("authorization", "Bearer  "),
        Req::get(tasks.clone()).header("authorization", "Bearer a.b.c.d"),
        Req::get(tasks.clone()).header("authorization", format!("Bearer {}", "é".repeat(10))),
        Req::get(tasks.clone()).header("cookie", format!("token={}", user.token)),
        Req::get(tasks.clone())
            .bearer(&user.token)
            .bearer(&user.token),
        Req::get("/api/%E2%9C%93/tasks").bearer(&token_for("✓")),
        Req::post("/api/%E2%9C%93/tasks")
            .bearer(&token_for("✓"))
            .json(json!({"title": "unicode owner"})),
        Req::get("/api/user%201/tasks").bearer(&token_for("user 1")),
        Req::post("/api/user%201/tasks")
            .bearer(&token_for("user 1"))
            .json(json!({"title": "spaced owner"})),
    ]);
    requests
}

/// Sends every request and fails, listing them all, if any got a 5xx.
pub async fn assert_no_server_error(server: &impl Server, requests: Vec<Req>) {
    let mut failures = Vec::new();
    for request in requests {
        let reply = server.send(request).await;
        if !(200..500).contains(&reply.status) {
            failures.push(reply.context());
        }
    }
    assert!(
        failures.is_empty(),
        "{} requests got a server error:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
