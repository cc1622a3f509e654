//! The task API behind the `tasks_axum` and `tasks_actix` examples: the
//! same routes, status codes and JSON as the FastAPI + python-jose backend
//! it replaces (shared `BETTER_AUTH_SECRET`, HS256, the URL's `user_id`
//! equal to the token's `sub`), so a Next.js front end written for that
//! backend works unchanged.
//!
//! Everything that decides an answer is framework-free (`service`, `model`,
//! `query`, `store`); the two `*_app` modules only translate requests and
//! responses, and the examples only start a server.

pub mod actix_app;
pub mod axum_app;
pub mod config;
pub mod model;
pub mod query;
pub mod service;
pub mod store;
pub mod telemetry;

/// The largest request body accepted, in bytes; larger ones get 413.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// What both servers do first: logs, configuration, database. Errors are
/// one line saying what to fix.
pub async fn start() -> Result<(config::Config, store::Store), String> {
    telemetry::init();
    let config = config::Config::from_env().await?;
    tracing::info!(accepted = %config.credentials.join("; "), "credentials");
    let store = store::Store::connect(&config.database_url)
        .await
        .map_err(|e| {
            format!(
                "cannot open the database {}: {e}",
                config::redacted_url(&config.database_url)
            )
        })?;
    Ok((config, store))
}

/// The process exit code for a server's result, printing its error.
pub fn exit_code(server: &str, result: Result<(), String>) -> std::process::ExitCode {
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{server}: {message}");
            std::process::ExitCode::FAILURE
        }
    }
}
