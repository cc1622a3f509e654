//! The MCP server of [`mcp_example`], configured from the environment:
//!
//! ```sh
//! export BETTER_AUTH_URL=https://app.example.com        # the Better Auth app (its JWKS and issuer)
//! export OAUTH_RESOURCE=http://127.0.0.1:8000/mcp       # this server's URL, as clients reach it
//! cargo run -p mcp-example                              # HOST=0.0.0.0 PORT=8000 to listen elsewhere
//! ```
//!
//! Also read: `OAUTH_ISSUER`, `OAUTH_SCOPES`, `OAUTH_PUBLIC_URL` (behind a
//! proxy), `ALLOWED_HOSTS`. A configuration error is one line on stderr and
//! exit status 1; Ctrl-C or SIGTERM stops the server.

use std::future::Future;
use std::process::ExitCode;

use mcp_example::{Config, Tasks};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("mcp-example: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let lookup = |name: &str| std::env::var(name).ok();
    let config = Config::from_env_with(lookup)?;
    // Fetches the JWKS (blocking, before the runtime starts).
    let verifier = mcp_example::verifier_from_env_with(lookup).map_err(|e| e.to_string())?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(config.address)
            .await
            .map_err(|e| format!("cannot listen on {}: {e}", config.address))?;
        let shutdown = shutdown_signal()?;
        println!(
            "mcp-example serving {} on {} (MCP at {})",
            config.resource, config.address, config.path
        );
        let app = mcp_example::app(verifier, &config, Tasks::default());
        mcp_example::serve(listener, app, shutdown)
            .await
            .map_err(|e| format!("server error: {e}"))
    })
}

/// SIGINT (Ctrl-C) or SIGTERM, installed before the server says it serves.
fn shutdown_signal() -> Result<impl Future<Output = ()> + Send + 'static, String> {
    #[cfg(unix)]
    let signals = {
        use tokio::signal::unix::{SignalKind, signal};
        let handler = |kind| signal(kind).map_err(|e| format!("cannot handle signals: {e}"));
        let mut interrupt = handler(SignalKind::interrupt())?;
        let mut terminate = handler(SignalKind::terminate())?;
        async move {
            tokio::select! {
                _ = interrupt.recv() => {},
                _ = terminate.recv() => {},
            }
        }
    };
    #[cfg(not(unix))]
    let signals = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    Ok(signals)
}
