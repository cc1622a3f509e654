//! The task API on actix-web: routes, CORS, body limit, request logs.

use std::time::Instant;

use actix_cors::Cors;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::{HttpRequest, HttpResponse, web};
use futures_util::StreamExt;
use jwtguard::Verifier;
use jwtguard::actix::OwnerOf;

use crate::service::{ApiResponse, TaskService};
use crate::{MAX_BODY_BYTES, telemetry};

/// Routes and 404/405 answers. As in FastAPI, every GET route answers HEAD. The app registers `web::Data<Verifier>` and
/// `web::Data<TaskService>`, and wraps [`cors`] and [`log_request`].
pub fn configure(cfg: &mut web::ServiceConfig) {
    let method_not_allowed = || web::to(|| async { answer(ApiResponse::method_not_allowed()) });
    // The RFC 9728 document (404 without OAUTH_RESOURCE).
    let metadata = "/.well-known/oauth-protected-resource";
    cfg.route(metadata, web::get().to(resource_metadata)).route(
        &format!("{metadata}/{{resource:.*}}"),
        web::get().to(resource_metadata),
    );
    cfg.service(
        web::resource("/health")
            .route(web::get().to(health))
            .route(web::head().to(health))
            .default_service(method_not_allowed()),
    )
    .service(
        web::resource("/api/{user_id}/tasks")
            .route(web::get().to(list))
            .route(web::head().to(list))
            .route(web::post().to(create))
            .default_service(method_not_allowed()),
    )
    .service(
        web::resource("/api/{user_id}/tasks/{task_id}")
            .route(web::get().to(read))
            .route(web::head().to(read))
            .route(web::put().to(update))
            .route(web::delete().to(remove))
            .default_service(method_not_allowed()),
    )
    .service(
        web::resource("/api/{user_id}/tasks/{task_id}/complete")
            .route(web::patch().to(toggle))
            .default_service(method_not_allowed()),
    )
    .default_service(web::to(|| async { answer(ApiResponse::not_found()) }));
}

/// The RFC 9728 document, or the API's 404 when OAUTH_RESOURCE is unset.
async fn resource_metadata(req: actix_web::HttpRequest) -> actix_web::HttpResponse {
    let response = jwtguard::actix::resource_metadata(req).await;
    if response.status() == actix_web::http::StatusCode::NOT_FOUND {
        return answer(ApiResponse::not_found());
    }
    response
}

/// Answers preflights before routing, so no extractor ever sees them.
pub fn cors(origins: &[String]) -> Cors {
    origins
        .iter()
        .fold(Cors::default(), |cors, origin| cors.allowed_origin(origin))
        .allowed_methods(["GET", "POST", "PUT", "PATCH", "DELETE"])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::HeaderName::from_static("dpop"),
        ])
        .expose_headers([
            header::LOCATION,
            header::HeaderName::from_static("x-total-count"),
        ])
        .supports_credentials()
}

/// One log line per request (see `telemetry::request`).
pub async fn log_request(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let method = request.method().clone();
    let response = next.call(request).await?;
    let route = response
        .request()
        .match_pattern()
        .unwrap_or_else(|| "<unmatched>".to_owned());
    telemetry::request(
        method.as_str(),
        &route,
        response.status().as_u16(),
        started.elapsed(),
    );
    Ok(response)
}

/// Turns the shared answer into an actix response.
pub fn answer(api: ApiResponse) -> HttpResponse {
    let status = actix_web::http::StatusCode::from_u16(api.status)
        .unwrap_or(actix_web::http::StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = HttpResponse::build(status);
    if let Some(location) = api.location {
        response.insert_header((header::LOCATION, location));
    }
    if let Some(total) = api.total_count {
        response.insert_header(("x-total-count", total.to_string()));
    }
    match api.body {
        Some(body) => response.content_type("application/json").body(body),
        None => response.finish(),
    }
}

/// Reads the body up to [`MAX_BODY_BYTES`]; larger is 413.
async fn body(mut payload: web::Payload) -> Result<web::BytesMut, ApiResponse> {
    let mut bytes = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk =
            chunk.map_err(|_| ApiResponse::detail(400, "Could not read the request body"))?;
        if bytes.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(ApiResponse::payload_too_large());
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

fn task_id(request: &HttpRequest) -> &str {
    request.match_info().get("task_id").unwrap_or("")
}

async fn health(tasks: web::Data<TaskService>, verifier: web::Data<Verifier>) -> HttpResponse {
    answer(tasks.health(verifier.is_ready()).await)
}

async fn create(
    owner: OwnerOf,
    tasks: web::Data<TaskService>,
    payload: web::Payload,
) -> HttpResponse {
    match body(payload).await {
        Ok(bytes) => answer(tasks.create(owner.user_id(), &bytes).await),
        Err(refusal) => answer(refusal),
    }
}

async fn list(owner: OwnerOf, tasks: web::Data<TaskService>, request: HttpRequest) -> HttpResponse {
    answer(tasks.list(owner.user_id(), request.query_string()).await)
}

async fn read(owner: OwnerOf, tasks: web::Data<TaskService>, request: HttpRequest) -> HttpResponse {
    answer(tasks.get(owner.user_id(), task_id(&request)).await)
}

async fn update(
    owner: OwnerOf,
    tasks: web::Data<TaskService>,
    request: HttpRequest,
    payload: web::Payload,
) -> HttpResponse {
    match body(payload).await {
        Ok(bytes) => answer(
            tasks
                .update(owner.user_id(), task_id(&request), &bytes)
                .await,
        ),
        Err(refusal) => answer(refusal),
    }
}

async fn toggle(
    owner: OwnerOf,
    tasks: web::Data<TaskService>,
    request: HttpRequest,
) -> HttpResponse {
    answer(tasks.toggle(owner.user_id(), task_id(&request)).await)
}

async fn remove(
    owner: OwnerOf,
    tasks: web::Data<TaskService>,
    request: HttpRequest,
) -> HttpResponse {
    answer(tasks.delete(owner.user_id(), task_id(&request)).await)
}
