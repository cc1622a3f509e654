//! The task API on axum: a drop-in for a FastAPI + python-jose backend.
//!
//! ```sh
//! BETTER_AUTH_SECRET=... cargo run --example tasks_axum
//! ```
//! Configuration (environment or `.env`): `BETTER_AUTH_SECRET` (the shared
//! HS256 secret, also Better Auth's session secret; `BETTER_AUTH_SECRETS`
//! during a rotation), or `BETTER_AUTH_URL` / `BETTER_AUTH_JWKS_URL` for the
//! tokens of Better Auth's JWT plugin (both kinds are accepted when both are
//! set). Better Auth's session cookies: `BETTER_AUTH_COOKIE_CACHE` (`compact`,
//! `jwt` or `jwe`, as `session.cookieCache.strategy`), and to resolve the
//! session token either `BETTER_AUTH_SESSION_URL` (the Better Auth app's base
//! URL: its `get-session`) or `BETTER_AUTH_DATABASE_URL` (its database,
//! `postgres://...` or `sqlite:...`), `BETTER_AUTH_BEARER=true` (the bearer
//! plugin's tokens), `SESSION_CACHE_TTL_SECONDS` (default 30),
//! `BETTER_AUTH_COOKIE_PREFIX`, `BETTER_AUTH_SECURE_COOKIES`. Then
//! `DATABASE_URL` (the tasks, default `sqlite:tasks.db`), `HOST`, `PORT`,
//! `CORS_ORIGINS` (also the only `Origin`s whose session cookies may create,
//! change or delete), `JWT_ISSUER`, `JWT_AUDIENCE`, `JWT_LEEWAY_SECONDS`,
//! `RUST_LOG`. The startup log says which credentials are accepted.

use std::sync::Arc;

use task_api::axum_app::{AppState, router};
use task_api::config::redacted_url;
use task_api::service::TaskService;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    task_api::exit_code("tasks_axum", run().await)
}

async fn run() -> Result<(), String> {
    let (config, store) = task_api::start().await?;
    let state = AppState {
        verifier: config.verifier,
        tasks: Arc::new(TaskService::new(store.clone())),
    };
    let app = router(state, &config.cors_origins);
    let address = format!("{}:{}", config.host, config.port);
    let listener = tokio::net::TcpListener::bind(&address)
        .await
        .map_err(|e| format!("cannot listen on {address}: {e}"))?;
    tracing::info!(%address, database = %redacted_url(&config.database_url), "tasks_axum listening");
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(|e| format!("server error: {e}"))?;
    store.close().await;
    tracing::info!("tasks_axum stopped");
    Ok(())
}

/// SIGINT or SIGTERM: stop accepting, let requests in flight finish.
async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
