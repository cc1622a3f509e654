//! jwtguard's gRPC example: tonic's `grpc.health.v1.Health` service behind
//! [`jwtguard::tower::AuthLayer`], so every call must carry a valid Better
//! Auth token in its `authorization` metadata.
//!
//! ```sh
//! export BETTER_AUTH_SECRET=...   # the same value as the Better Auth app's
//! cargo run -p grpc-health-example   # GRPC_ADDR=0.0.0.0:50051 to listen elsewhere
//! ```
//!
//! Configuration: the variables of `jwtguard::Verifier::from_env`
//! (`BETTER_AUTH_SECRET`, or `BETTER_AUTH_SECRETS` during a rotation;
//! `JWT_ISSUER`, `JWT_AUDIENCE`, `JWT_LEEWAY_SECONDS`), and `GRPC_ADDR`
//! (default `127.0.0.1:50051`). Ctrl-C or SIGTERM stops it: no new
//! connections, calls in flight finish.
//!
//! Calling it with [grpcurl](https://github.com/fullstorydev/grpcurl) (the
//! server has no reflection: give grpcurl gRPC's `health.proto`, from
//! `grpc/src/proto/grpc/health/v1/health.proto` in the gRPC repository):
//!
//! ```sh
//! TOKEN=$(cargo run -q -p task-api --example mint_token -- user-123)
//! grpcurl -plaintext -proto health.proto -H "authorization: Bearer $TOKEN" \
//!     127.0.0.1:50051 grpc.health.v1.Health/Check
//! # {"status": "SERVING"}
//! grpcurl -plaintext -proto health.proto 127.0.0.1:50051 grpc.health.v1.Health/Check
//! # ERROR: Code: Unauthenticated  Message: Not authenticated
//! ```
//!
//! A refused call gets a gRPC status (HTTP 200, `grpc-status` 16
//! `UNAUTHENTICATED`, or 7 `PERMISSION_DENIED` when a
//! `.require(jwtguard::ClaimGuard::role("admin"))` guard refuses it), and
//! `grpc-message` says why: `Token has expired`, `Token signature is
//! invalid`, ... Your own services go next to the health service, with
//! `.add_service(..)`; behind the layer, a method reads the verified
//! claims from the request's extensions:
//!
//! ```ignore
//! #[tonic::async_trait]
//! impl Greeter for MyGreeter {
//!     async fn say_hello(&self, request: Request<HelloRequest>) -> Result<Response<HelloReply>, Status> {
//!         let claims = request
//!             .extensions()
//!             .get::<jwtguard::Claims>()
//!             .ok_or_else(|| Status::unauthenticated("Not authenticated"))?;
//!         let user_id = claims.sub(); // Better Auth's user id
//!         // ...
//!     }
//! }
//! ```

use std::future::Future;
use std::net::SocketAddr;
use std::process::ExitCode;

use jwtguard::Verifier;
use jwtguard::tower::AuthLayer;
use tokio::net::TcpListener;
use tonic::transport::Server;
use tonic::transport::server::TcpIncoming;

/// Where the server listens unless `GRPC_ADDR` says otherwise.
const DEFAULT_ADDR: &str = "127.0.0.1:50051";

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("grpc-health-example: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), String> {
    let verifier = Verifier::from_env().map_err(|e| e.to_string())?;
    let address = std::env::var("GRPC_ADDR")
        .ok()
        .filter(|value| !value.is_empty())
        .unwrap_or_else(|| DEFAULT_ADDR.to_owned());
    let address: SocketAddr = address.parse().map_err(|_| {
        format!("GRPC_ADDR must be an address like {DEFAULT_ADDR}, not {address:?}")
    })?;
    let listener = TcpListener::bind(address)
        .await
        .map_err(|e| format!("cannot listen on {address}: {e}"))?;
    let address = listener
        .local_addr()
        .map_err(|e| format!("cannot listen on {address}: {e}"))?;
    let shutdown = shutdown_signal()?;
    println!("grpc-health-example listening on {address}");
    serve(verifier, listener, shutdown)
        .await
        .map_err(|e| format!("server error: {e}"))?;
    println!("grpc-health-example stopped");
    Ok(())
}

/// The server: the health service, every call authenticated by jwtguard
/// (the claims go into each request's extensions), until `shutdown`.
async fn serve(
    verifier: Verifier,
    listener: TcpListener,
    shutdown: impl Future<Output = ()>,
) -> Result<(), tonic::transport::Error> {
    let (_reporter, health) = tonic_health::server::health_reporter();
    Server::builder()
        .layer(AuthLayer::new(verifier).grpc())
        .add_service(health)
        .serve_with_incoming_shutdown(TcpIncoming::from(listener), shutdown)
        .await
}

/// SIGINT (Ctrl-C) or SIGTERM: stop accepting, let calls in flight finish.
/// The handlers are installed here, before the server says it listens, so
/// a signal sent as soon as it does is not lost.
fn shutdown_signal() -> Result<impl Future<Output = ()>, String> {
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
    Ok(async {
        signals.await;
        println!("grpc-health-example shutting down");
    })
}
