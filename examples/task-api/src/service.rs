//! The task API's behaviour, framework-free: each route is a function from
//! already-authorized inputs to an [`ApiResponse`]. Both example servers call
//! these, so their answers cannot drift apart.

use serde::Serialize;
use serde_json::json;

use crate::model::{self, NewTask, Problem, TaskChanges, unprocessable};
use crate::query::ListQuery;
use crate::store::{Store, StoreError};

/// A framework-free answer: status, JSON body (already serialized), and the
/// two headers the API sets.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiResponse {
    pub status: u16,
    pub body: Option<String>,
    pub location: Option<String>,
    pub total_count: Option<i64>,
}

impl ApiResponse {
    /// `body` as JSON, written once: no intermediate `serde_json::Value`.
    pub fn json(status: u16, body: &impl Serialize) -> Self {
        // Tasks, problems and `json!` values have string keys only: they
        // always serialize.
        let body = serde_json::to_string(body).expect("the answer serializes to JSON");
        Self {
            status,
            body: Some(body),
            location: None,
            total_count: None,
        }
    }

    pub fn detail(status: u16, detail: &str) -> Self {
        Self::json(status, &json!({ "detail": detail }))
    }

    pub fn no_content() -> Self {
        Self {
            status: 204,
            body: None,
            location: None,
            total_count: None,
        }
    }

    pub fn not_found() -> Self {
        Self::detail(404, "Not Found")
    }

    pub fn method_not_allowed() -> Self {
        Self::detail(405, "Method Not Allowed")
    }

    pub fn payload_too_large() -> Self {
        Self::detail(413, "Request body too large")
    }

    fn invalid(problems: &[Problem]) -> Self {
        Self::json(422, &unprocessable(problems))
    }

    fn task_not_found() -> Self {
        Self::detail(404, "Task not found")
    }

    /// The database failed: 503, logged without details for the client.
    fn unavailable(error: &StoreError) -> Self {
        tracing::error!(error = %error, "database error");
        Self::detail(503, "Database unavailable")
    }
}

/// The routes' logic over a [`Store`].
#[derive(Clone)]
pub struct TaskService {
    store: Store,
}

impl TaskService {
    pub fn new(store: Store) -> Self {
        Self { store }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// `GET /health`: 200 when the database answers and the verifier can
    /// check every kind of token it accepts (`keys_ready`:
    /// `Verifier::is_ready`); otherwise 503 saying which is not, so that a
    /// load balancer sends traffic elsewhere meanwhile. Keys are not ready
    /// while a `JWKS_BACKGROUND_START` has not loaded them yet, or after
    /// they aged out.
    pub async fn health(&self, keys_ready: bool) -> ApiResponse {
        let database = self.store.ping().await;
        if database && keys_ready {
            return ApiResponse::json(200, &json!({"status": "ok", "database": "ok"}));
        }
        let mut body = json!({
            "status": "degraded",
            "database": if database { "ok" } else { "unavailable" },
        });
        if !keys_ready {
            body["auth_keys"] = json!("not loaded");
        }
        ApiResponse::json(503, &body)
    }

    /// `POST /api/{user_id}/tasks`
    pub async fn create(&self, user_id: &str, body: &[u8]) -> ApiResponse {
        if let Err(problems) = model::user_id(user_id) {
            return ApiResponse::invalid(&problems);
        }
        let new = match NewTask::parse(body) {
            Ok(new) => new,
            Err(problems) => return ApiResponse::invalid(&problems),
        };
        match self.store.create(user_id, new).await {
            Ok(task) => {
                tracing::info!(task_id = %task.id, "task created");
                ApiResponse {
                    location: Some(format!("/api/{}/tasks/{}", path_segment(user_id), task.id)),
                    ..ApiResponse::json(201, &task)
                }
            }
            Err(error) => ApiResponse::unavailable(&error),
        }
    }

    /// `GET /api/{user_id}/tasks?completed=&limit=&offset=`
    pub async fn list(&self, user_id: &str, raw_query: &str) -> ApiResponse {
        if let Err(problems) = model::user_id(user_id) {
            return ApiResponse::invalid(&problems);
        }
        let query = match ListQuery::parse(raw_query) {
            Ok(query) => query,
            Err(problems) => return ApiResponse::invalid(&problems),
        };
        match self.store.list(user_id, query).await {
            Ok((tasks, total)) => ApiResponse {
                total_count: Some(total),
                ..ApiResponse::json(200, &tasks)
            },
            Err(error) => ApiResponse::unavailable(&error),
        }
    }

    /// `GET /api/{user_id}/tasks/{task_id}`
    pub async fn get(&self, user_id: &str, task_id: &str) -> ApiResponse {
        if let Err(problems) = model::user_id(user_id) {
            return ApiResponse::invalid(&problems);
        }
        let id = match model::task_id(task_id) {
            Ok(id) => id,
            Err(problems) => return ApiResponse::invalid(&problems),
        };
        found(self.store.get(user_id, &id).await)
    }

    /// `PUT /api/{user_id}/tasks/{task_id}`
    pub async fn update(&self, user_id: &str, task_id: &str, body: &[u8]) -> ApiResponse {
        if let Err(problems) = model::user_id(user_id) {
            return ApiResponse::invalid(&problems);
        }
        let (id, changes) = match (model::task_id(task_id), TaskChanges::parse(body)) {
            (Ok(id), Ok(changes)) => (id, changes),
            (id, changes) => {
                let problems: Vec<Problem> = id
                    .err()
                    .into_iter()
                    .chain(changes.err())
                    .flatten()
                    .collect();
                return ApiResponse::invalid(&problems);
            }
        };
        found(self.store.update(user_id, &id, changes).await)
    }

    /// `PATCH /api/{user_id}/tasks/{task_id}/complete`
    pub async fn toggle(&self, user_id: &str, task_id: &str) -> ApiResponse {
        if let Err(problems) = model::user_id(user_id) {
            return ApiResponse::invalid(&problems);
        }
        let id = match model::task_id(task_id) {
            Ok(id) => id,
            Err(problems) => return ApiResponse::invalid(&problems),
        };
        found(self.store.toggle(user_id, &id).await)
    }

    /// `DELETE /api/{user_id}/tasks/{task_id}`
    pub async fn delete(&self, user_id: &str, task_id: &str) -> ApiResponse {
        if let Err(problems) = model::user_id(user_id) {
            return ApiResponse::invalid(&problems);
        }
        let id = match model::task_id(task_id) {
            Ok(id) => id,
            Err(problems) => return ApiResponse::invalid(&problems),
        };
        match self.store.delete(user_id, &id).await {
            Ok(true) => ApiResponse::no_content(),
            Ok(false) => ApiResponse::task_not_found(),
            Err(error) => ApiResponse::unavailable(&error),
        }
    }
}

/// 200 with the task, or 404 — also for another user's task, so that its
/// existence does not leak.
fn found(result: Result<Option<model::Task>, StoreError>) -> ApiResponse {
    match result {
        Ok(Some(task)) => ApiResponse::json(200, &task),
        Ok(None) => ApiResponse::task_not_found(),
        Err(error) => ApiResponse::unavailable(&error),
    }
}

/// `segment` percent-encoded for a URL path: everything but RFC 3986
/// unreserved characters, so that any user id makes a valid `Location`.
fn path_segment(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for byte in segment.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}
