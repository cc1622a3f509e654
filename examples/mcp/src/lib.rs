//! jwtguard's MCP example: an [rmcp](https://docs.rs/rmcp) streamable-HTTP
//! server whose tools only answer callers holding an OAuth 2.1 access token
//! of Better Auth's `@better-auth/oauth-provider`, checked by
//! [`jwtguard::tower::AuthLayer`]. The MCP server is a *resource server*:
//! the Better Auth app authorizes the MCP client, this server checks the
//! tokens it issued for this server's URL (`OAUTH_RESOURCE`).
//!
//! * The whole endpoint requires [`READ_SCOPE`]: without a token, 401 with
//!   `WWW-Authenticate: Bearer resource_metadata="..."` (the RFC 9728
//!   document, served at `/.well-known/oauth-protected-resource/<path>`,
//!   names the Better Auth issuer); with a token lacking the scope, 403
//!   `insufficient_scope`.
//! * A `tools/call` of a tool in [`WRITE_TOOLS`] also requires
//!   [`WRITE_SCOPE`]: 403 `insufficient_scope` with `scope="write:tasks"`,
//!   the HTTP step-up MCP clients answer by asking the user for that scope.
//! * DPoP-bound tokens (`Authorization: DPoP` + a `DPoP` proof) are checked
//!   by the layer: the proof's key, method, URL, age, and each proof once.
//! * The tools read the caller from the verified [`Claims`], which rmcp
//!   hands them in the request's [`Parts`]: each user (`sub`) has their own
//!   tasks, never another's.
//!
//! The server is stateless (no `Mcp-Session-Id`): every HTTP request carries
//! and proves its own token, so there is no session to outlive a token or
//! pass between users.

use std::collections::HashMap;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use http_body_util::{BodyExt as _, LengthLimitError, Limited};
use jwtguard::tower::AuthLayer;
use jwtguard::{ClaimGuard, Claims, ConfigError, Verifier, VerifierBuilder};
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::tool::Extension;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{Implementation, ServerCapabilities, ServerConfig};
use rmcp::transport::streamable_http_server::session::never::NeverSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use rmcp::{ErrorData, Json, ServerHandler, tool, tool_handler, tool_router};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use tokio::net::TcpListener;

/// The scope every request needs: the tools that read.
pub const READ_SCOPE: &str = "read:tasks";

/// The scope the tools of [`WRITE_TOOLS`] need as well.
pub const WRITE_SCOPE: &str = "write:tasks";

/// The tools a `tools/call` of which needs [`WRITE_SCOPE`].
pub const WRITE_TOOLS: &[&str] = &["add_task"];

/// The largest request body accepted (413 above): rmcp's own default.
pub const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// The longest task title, in characters.
pub const MAX_TITLE_CHARS: usize = 200;

/// The most tasks one user keeps.
pub const MAX_TASKS_PER_USER: usize = 100;

/// Where the server listens and what it serves, from the environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// `HOST` (default `127.0.0.1`) and `PORT` (default `8000`).
    pub address: SocketAddr,
    /// `OAUTH_RESOURCE`: this server's canonical URI as clients reach it
    /// (`https://mcp.example.com/mcp`), the `aud` its tokens must name.
    pub resource: String,
    /// The path of [`resource`](Self::resource): where MCP is served.
    pub path: String,
    /// The `Host` header values accepted (rmcp's DNS-rebinding check):
    /// `ALLOWED_HOSTS` (comma-separated), or else the hosts of
    /// `OAUTH_RESOURCE` and `OAUTH_PUBLIC_URL`, any port.
    pub allowed_hosts: Vec<String>,
}

impl Config {
    /// Reads `HOST`, `PORT`, `OAUTH_RESOURCE` (required), `OAUTH_PUBLIC_URL`
    /// and `ALLOWED_HOSTS` through `lookup` (empty counts as unset), and
    /// checks that `BETTER_AUTH_URL` (or `BETTER_AUTH_JWKS_URL`) is set: the
    /// provider's keys. Errors are one line naming the variable to fix.
    pub fn from_env_with(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let read = |name: &str| {
            lookup(name)
                .map(|value| value.trim().to_owned())
                .filter(|value| !value.is_empty())
        };
        if read("BETTER_AUTH_URL").is_none() && read("BETTER_AUTH_JWKS_URL").is_none() {
            return Err(
                "BETTER_AUTH_URL is not set: set it to the Better Auth app's base URL \
                        (its JWKS is <url>/api/auth/jwks, its issuer <url>/api/auth)"
                    .to_owned(),
            );
        }
        let resource = read("OAUTH_RESOURCE").ok_or(
            "OAUTH_RESOURCE is not set: set it to this MCP server's URL as clients reach it, \
             such as https://mcp.example.com/mcp",
        )?;
        let uri = absolute_url("OAUTH_RESOURCE", &resource)?;
        let path = uri.path().to_owned();
        let allowed_hosts = match read("ALLOWED_HOSTS") {
            Some(list) => list
                .split([',', ' '])
                .filter(|host| !host.is_empty())
                .map(str::to_owned)
                .collect(),
            None => {
                let mut hosts = vec![host_of(&uri)];
                if let Some(public) = read("OAUTH_PUBLIC_URL") {
                    hosts.push(host_of(&absolute_url("OAUTH_PUBLIC_URL", &public)?));
                }
                hosts
            }
        };
        let host = read("HOST").unwrap_or_else(|| "127.0.0.1".to_owned());
        let ip: IpAddr = host.parse().map_err(|_| {
            format!("HOST must be an IP address such as 127.0.0.1 or 0.0.0.0, not {host:?}")
        })?;
        let port = read("PORT").unwrap_or_else(|| "8000".to_owned());
        let port: u16 = port
            .parse()
            .map_err(|_| format!("PORT must be a port number such as 8000, not {port:?}"))?;
        Ok(Self {
            address: SocketAddr::new(ip, port),
            resource,
            path,
            allowed_hosts,
        })
    }
}

/// `value` parsed as an absolute `http(s)://` URL without a query.
fn absolute_url(var: &str, value: &str) -> Result<Uri, String> {
    let uri: Uri = value.parse().ok().filter(|uri: &Uri| {
        matches!(uri.scheme_str(), Some("http" | "https"))
            && uri.host().is_some()
            && uri.query().is_none()
    }).ok_or_else(|| {
        format!("{var} must be an absolute http(s) URL without a query, such as https://mcp.example.com/mcp, not {value:?}")
    })?;
    Ok(uri)
}

/// The host of `uri`, lowercase.
fn host_of(uri: &Uri) -> String {
    uri.host().unwrap_or_default().to_ascii_lowercase()
}

/// The verifier of [`jwtguard::Verifier::from_env_with`] (`BETTER_AUTH_URL`,
/// `OAUTH_RESOURCE`, `OAUTH_ISSUER`, `OAUTH_SCOPES`, `OAUTH_PUBLIC_URL`),
/// whose metadata document lists [`READ_SCOPE`] and [`WRITE_SCOPE`] unless
/// `OAUTH_SCOPES` says otherwise, and whose 401 asks for [`READ_SCOPE`] (a
/// client then asks the user for no more than it needs; the step-up asks for
/// the rest). Fetches the JWKS: blocks up to 10 seconds.
pub fn verifier_from_env_with(
    lookup: impl Fn(&str) -> Option<String>,
) -> Result<Verifier, ConfigError> {
    let scopes_set = lookup("OAUTH_SCOPES").is_some_and(|scopes| !scopes.trim().is_empty());
    VerifierBuilder::from_env_with(&lookup)?
        .oauth(|oauth| {
            let oauth = oauth
                .challenge_scope(READ_SCOPE)
                .resource_name("jwtguard MCP example");
            if scopes_set {
                oauth
            } else {
                oauth.scopes_supported([READ_SCOPE, WRITE_SCOPE])
            }
        })
        .build()
}

/// The whole server: MCP at [`Config::path`], behind the step-up check and
/// `AuthLayer` (which also serves the RFC 9728 document).
pub fn app(verifier: Verifier, config: &Config, tasks: Tasks) -> Router {
    let mcp = StreamableHttpService::new(
        move || Ok(TaskServer::new(tasks.clone())),
        Arc::new(NeverSessionManager::default()),
        StreamableHttpServerConfig::default()
            .with_legacy_session_mode(false)
            .with_json_response(true)
            .with_sse_keep_alive(None)
            .with_allowed_hosts(config.allowed_hosts.clone())
            .with_max_request_body_bytes(MAX_BODY_BYTES),
    );
    Router::new()
        .route_service(&config.path, mcp)
        .layer(middleware::from_fn_with_state(verifier.clone(), step_up))
        .layer(AuthLayer::new(verifier).require(ClaimGuard::scope(READ_SCOPE)))
}

/// Serves `app` on `listener` until `shutdown` completes.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}

/// Refuses, with jwtguard's 403 `insufficient_scope` step-up, a POST that
/// calls a tool of [`WRITE_TOOLS`] with a token lacking [`WRITE_SCOPE`].
/// The body is read (at most [`MAX_BODY_BYTES`]) and handed on unchanged.
async fn step_up(State(verifier): State<Verifier>, request: Request, next: Next) -> Response {
    if request.method() != Method::POST {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let bytes = match Limited::new(body, MAX_BODY_BYTES).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(error) if error.is::<LengthLimitError>() => {
            return StatusCode::PAYLOAD_TOO_LARGE.into_response();
        }
        Err(_) => return StatusCode::BAD_REQUEST.into_response(),
    };
    if let Some(claims) = parts.extensions.get::<Claims>()
        && calls_a_write_tool(&bytes)
        && let Err(error) = ClaimGuard::scope(WRITE_SCOPE).check(claims)
    {
        return verifier
            .reject(error)
            .into_http_response()
            .map(Body::from)
            .into_response();
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// Whether a JSON-RPC body (one message or a batch) holds a `tools/call`
/// of a tool of [`WRITE_TOOLS`]. Anything unreadable is rmcp's to refuse.
fn calls_a_write_tool(body: &[u8]) -> bool {
    fn is_write_call(message: &serde_json::Value) -> bool {
        message["method"] == "tools/call"
            && message["params"]["name"]
                .as_str()
                .is_some_and(|name| WRITE_TOOLS.contains(&name))
    }
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(serde_json::Value::Array(batch)) => batch.iter().any(is_write_call),
        Ok(message) => is_write_call(&message),
        Err(_) => false,
    }
}

/// Each user's tasks, in memory (lost on restart), keyed by the token's
/// `sub`: Better Auth's user id (a client's id for client-credentials
/// tokens).
#[derive(Debug, Clone, Default)]
pub struct Tasks(Arc<Mutex<HashMap<String, Vec<Task>>>>);

/// One task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Task {
    /// Its number among its owner's tasks, from 1.
    pub id: u32,
    /// What to do.
    pub title: String,
}

/// The `list_tasks` result: the caller's tasks, oldest first.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct TaskList {
    /// The tasks.
    pub tasks: Vec<Task>,
}

/// The `add_task` arguments.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct NewTask {
    /// What to do (1 to 200 characters).
    pub title: String,
}

/// The `whoami` result: who the access token says the caller is.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Caller {
    /// The token's `sub`: the user's id (the client's for client credentials).
    pub user_id: String,
    /// The OAuth client the token was issued to.
    pub client_id: Option<String>,
    /// The token's scopes.
    pub scopes: Vec<String>,
}

/// The MCP tools; a new one serves each request, sharing [`Tasks`].
#[derive(Debug, Clone)]
pub struct TaskServer {
    tasks: Tasks,
    tool_router: ToolRouter<Self>,
}

#[tool_router]
impl TaskServer {
    /// The tools, on `tasks`.
    pub fn new(tasks: Tasks) -> Self {
        Self {
            tasks,
            tool_router: Self::tool_router(),
        }
    }

    /// Who the access token says the caller is.
    #[tool(
        description = "Who you are to this server: your user id, the OAuth client and the scopes of your access token.",
        annotations(read_only_hint = true)
    )]
    async fn whoami(&self, Extension(parts): Extension<Parts>) -> Result<Json<Caller>, ErrorData> {
        let claims = claims(&parts)?;
        Ok(Json(Caller {
            user_id: claims.sub().to_owned(),
            client_id: claims.client_id().map(str::to_owned),
            scopes: claims.scopes().map(str::to_owned).collect(),
        }))
    }

    /// The caller's tasks.
    #[tool(
        description = "List your tasks, oldest first.",
        annotations(read_only_hint = true)
    )]
    async fn list_tasks(
        &self,
        Extension(parts): Extension<Parts>,
    ) -> Result<Json<TaskList>, ErrorData> {
        let claims = claims(&parts)?;
        let tasks = self.tasks.0.lock().unwrap_or_else(|e| e.into_inner());
        Ok(Json(TaskList {
            tasks: tasks.get(claims.sub()).cloned().unwrap_or_default(),
        }))
    }

    /// Adds a task for the caller (needs [`WRITE_SCOPE`]).
    #[tool(description = "Add a task to your list. Needs the write:tasks scope.")]
    async fn add_task(
        &self,
        Extension(parts): Extension<Parts>,
        Parameters(NewTask { title }): Parameters<NewTask>,
    ) -> Result<Json<Task>, ErrorData> {
        let claims = claims(&parts)?;
        // The step-up layer refused such calls already: checked again here,
        // where the data is, in case the tool is served some other way.
        if !ClaimGuard::scope(WRITE_SCOPE).allows(claims) {
            return Err(ErrorData::invalid_request(
                format!("insufficient_scope: add_task needs {WRITE_SCOPE}"),
                None,
            ));
        }
        let title = title.trim();
        if title.is_empty() || title.chars().count() > MAX_TITLE_CHARS {
            return Err(ErrorData::invalid_params(
                format!("title must be 1 to {MAX_TITLE_CHARS} characters"),
                None,
            ));
        }
        let mut tasks = self.tasks.0.lock().unwrap_or_else(|e| e.into_inner());
        let mine = tasks.entry(claims.sub().to_owned()).or_default();
        if mine.len() >= MAX_TASKS_PER_USER {
            return Err(ErrorData::invalid_request(
                format!("you already have {MAX_TASKS_PER_USER} tasks"),
                None,
            ));
        }
        let task = Task {
            id: mine.last().map_or(1, |last| last.id + 1),
            title: title.to_owned(),
        };
        mine.push(task.clone());
        Ok(Json(task))
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for TaskServer {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new(
                "jwtguard-mcp-example",
                env!("CARGO_PKG_VERSION"),
            ))
            .with_instructions(
                "A to-do list per user. whoami and list_tasks need the read:tasks scope; \
                 add_task also needs write:tasks.",
            )
    }
}

/// The claims `AuthLayer` verified for this request, which rmcp passes in
/// the request's HTTP parts.
fn claims(parts: &Parts) -> Result<&Claims, ErrorData> {
    parts
        .extensions
        .get::<Claims>()
        .ok_or_else(|| ErrorData::internal_error("the request was not authenticated", None))
}
