//! The task API on actix-web: a drop-in for a FastAPI + python-jose backend.
//!
//! ```sh
//! BETTER_AUTH_SECRET=... cargo run --example tasks_actix
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

use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};
use task_api::actix_app::{configure, cors, log_request};
use task_api::config::redacted_url;
use task_api::service::TaskService;

#[actix_web::main]
async fn main() -> std::process::ExitCode {
    task_api::exit_code("tasks_actix", run().await)
}

async fn run() -> Result<(), String> {
    let (config, store) = task_api::start().await?;
    let verifier = web::Data::new(config.verifier);
    let tasks = web::Data::new(TaskService::new(store.clone()));
    let origins = config.cors_origins;
    let address = (config.host.clone(), config.port);
    let server = HttpServer::new(move || {
        App::new()
            .app_data(verifier.clone())
            .app_data(tasks.clone())
            .configure(configure)
            .wrap(from_fn(log_request))
            .wrap(cors(&origins))
    })
    .bind(address.clone())
    .map_err(|e| format!("cannot listen on {}:{}: {e}", address.0, address.1))?;
    tracing::info!(address = %format!("{}:{}", address.0, address.1), database = %redacted_url(&config.database_url), "tasks_actix listening");
    // actix-web stops gracefully on SIGINT and SIGTERM: requests in flight finish.
    server
        .run()
        .await
        .map_err(|e| format!("server error: {e}"))?;
    store.close().await;
    tracing::info!("tasks_actix stopped");
    Ok(())
}
