//! The task API on axum: routes, CORS, body limit, request logs.

use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, FromRef, MatchedPath, RawPathParams, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch};
use jwtguard::Verifier;
use jwtguard::axum::OwnerOf;
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::service::{ApiResponse, TaskService};
use crate::{MAX_BODY_BYTES, telemetry};

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub verifier: Verifier,
    pub tasks: Arc<TaskService>,
}

impl FromRef<AppState> for Verifier {
    fn from_ref(state: &AppState) -> Self {
        state.verifier.clone()
    }
}

/// The whole application: routes, 404/405 answers, body limit, CORS, logs.
pub fn router(state: AppState, cors_origins: &[String]) -> Router {
    let tasks = "/api/{user_id}/tasks";
    let mut router = Router::new();
    // OAUTH_RESOURCE: the RFC 9728 document MCP and OAuth clients start from.
    if state.verifier.resource_metadata().is_some() {
        let metadata = "/.well-known/oauth-protected-resource";
        router = router
            .route(metadata, get(jwtguard::axum::resource_metadata))
            .route(
                &format!("{metadata}/{{*resource}}"),
                get(jwtguard::axum::resource_metadata),
            );
    }
    router
        .route("/health", get(health))
        .route(tasks, get(list).post(create))
        .route(
            &format!("{tasks}/{{task_id}}"),
            get(read).put(update).delete(remove),
        )
        .route(&format!("{tasks}/{{task_id}}/complete"), patch(toggle))
        .fallback(|| async { answer(ApiResponse::not_found()) })
        .method_not_allowed_fallback(|| async { answer(ApiResponse::method_not_allowed()) })
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn(log_request))
        .layer(cors(cors_origins))
        .layer(middleware::from_fn(bare_options_not_allowed))
        .with_state(state)
}

/// Answers preflights before routing, so no extractor ever sees them.
fn cors(origins: &[String]) -> CorsLayer {
    let origins: Vec<HeaderValue> = origins.iter().filter_map(|o| o.parse().ok()).collect();
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
        ])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::HeaderName::from_static("dpop"),
        ])
        .expose_headers([
            header::LOCATION,
            header::HeaderName::from_static("x-total-count"),
        ])
        .allow_credentials(true)
}

/// tower-http answers every `OPTIONS` as a preflight; like FastAPI (and the
/// actix example), answer one that is not a CORS preflight with 405.
async fn bare_options_not_allowed(request: Request, next: Next) -> Response {
    let preflight = request
        .headers()
        .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    if request.method() == Method::OPTIONS && !preflight {
        return answer(ApiResponse::method_not_allowed());
    }
    next.run(request).await
}

async fn log_request(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "<unmatched>".to_owned(), |path| path.as_str().to_owned());
    let response = next.run(request).await;
    telemetry::request(
        method.as_str(),
        &route,
        response.status().as_u16(),
        started.elapsed(),
    );
    response
}

/// Turns the shared answer into an axum response.
pub fn answer(api: ApiResponse) -> Response {
    let status = StatusCode::from_u16(api.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = match api.body {
        Some(body) => (
            status,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            body,
        )
            .into_response(),
        None => (status, Body::empty()).into_response(),
    };
    let headers = response.headers_mut();
    if let Some(location) = api.location.and_then(|l| HeaderValue::from_str(&l).ok()) {
        headers.insert(header::LOCATION, location);
    }
    if let Some(total) = api.total_count {
        headers.insert("x-total-count", HeaderValue::from(total));
    }
    response
}

/// The body, or the answer for one that is too large or unreadable.
fn body(body: Result<Bytes, BytesRejection>) -> Result<Bytes, ApiResponse> {
    body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiResponse::payload_too_large()
        } else {
            ApiResponse::detail(400, "Could not read the request body")
        }
    })
}

fn task_id(params: &RawPathParams) -> &str {
    params
        .iter()
        .find(|(name, _)| *name == "task_id")
        .map_or("", |(_, value)| value)
}

async fn health(State(state): State<AppState>) -> Response {
    answer(state.tasks.health(state.verifier.is_ready()).await)
}

async fn create(
    owner: OwnerOf,
    State(state): State<AppState>,
    payload: Result<Bytes, BytesRejection>,
) -> Response {
    match body(payload) {
        Ok(bytes) => answer(state.tasks.create(owner.user_id(), &bytes).await),
        Err(refusal) => answer(refusal),
    }
}

async fn list(owner: OwnerOf, State(state): State<AppState>, request: Request) -> Response {
    let query = request.uri().query().unwrap_or("");
    answer(state.tasks.list(owner.user_id(), query).await)
}

async fn read(owner: OwnerOf, State(state): State<AppState>, params: RawPathParams) -> Response {
    answer(state.tasks.get(owner.user_id(), task_id(&params)).await)
}

async fn update(
    owner: OwnerOf,
    State(state): State<AppState>,
    params: RawPathParams,
    payload: Result<Bytes, BytesRejection>,
) -> Response {
    match body(payload) {
        Ok(bytes) => answer(
            state
                .tasks
                .update(owner.user_id(), task_id(&params), &bytes)
                .await,
        ),
        Err(refusal) => answer(refusal),
    }
}

async fn toggle(owner: OwnerOf, State(state): State<AppState>, params: RawPathParams) -> Response {
    answer(state.tasks.toggle(owner.user_id(), task_id(&params)).await)
}

async fn remove(owner: OwnerOf, State(state): State<AppState>, params: RawPathParams) -> Response {
    answer(state.tasks.delete(owner.user_id(), task_id(&params)).await)
}
