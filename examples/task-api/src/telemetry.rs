//! Structured logs: `RUST_LOG` decides the level (default `info`).

use std::io::IsTerminal;
use std::time::Duration;

/// Installs the global subscriber. Safe to call twice (tests). Colours only
/// on a terminal: a file or a log collector gets plain text.
pub fn init() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_ansi(std::io::stdout().is_terminal())
        .try_init();
}

/// One line per request: method, route template (never the concrete path,
/// which holds user ids), status and latency in whole microseconds. No
/// headers, so no token.
pub fn request(method: &str, route: &str, status: u16, latency: Duration) {
    tracing::info!(
        method,
        route,
        status,
        latency_us = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX),
        "request"
    );
}
