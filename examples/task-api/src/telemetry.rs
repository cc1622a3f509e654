//! Structured logs: `RUST_LOG` decides the level (default `info`).

use std::time::Duration;

/// Installs the global subscriber. Safe to call twice (tests).
pub fn init() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .try_init();
}

/// One line per request: method, route template (never the concrete path,
/// which holds user ids), status and latency. No headers, so no token.
pub fn request(method: &str, route: &str, status: u16, latency: Duration) {
    tracing::info!(
        method,
        route,
        status,
        latency_ms = latency.as_secs_f64() * 1000.0,
        "request"
    );
}
