//! jwtguard's `AuthLayer::grpc()` in front of a real tonic server on
//! loopback, called by a real tonic client: tonic's `grpc.health.v1.Health`
//! service, over HTTP/2 on 127.0.0.1.

use std::process::Stdio;
use std::sync::{Arc, Mutex};

use jwtguard::testing::TokenMinter;
use jwtguard::tower::{AuthLayer, Grpc};
use jwtguard::{ClaimGuard, Claims, Clock, Verifier};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::net::TcpListener;
use tonic::codegen::{Service, http};
use tonic::service::interceptor::InterceptedService;
use tonic::transport::server::TcpIncoming;
use tonic::transport::{Channel, Endpoint, Server};
use tonic::{Code, Request, Status};
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;

const SECRET: &str = "test-secret-that-is-at-least-32-bytes-long";
const OTHER_SECRET: &str = "another-secret-that-is-at-least-32-bytes!";
/// The servers' fixed "now", and the minters'.
const NOW: i64 = 1_764_000_000;

fn layer() -> AuthLayer<Claims, Grpc> {
    let verifier = Verifier::builder()
        .hs256_secret(SECRET)
        .clock(Clock::fixed_unix(NOW))
        .build()
        .expect("test configuration is valid");
    AuthLayer::new(verifier).grpc()
}

/// A token for "user-1", valid at [`NOW`].
fn minter() -> TokenMinter {
    TokenMinter::new(SECRET).at(NOW).subject("user-1")
}

/// A tonic server on 127.0.0.1, and a client channel to it.
struct TestServer {
    channel: Channel,
    /// The `sub` of the claims each call that got past the layer carried
    /// in its extensions (`None`: no claims), as a tonic method sees them.
    seen: Arc<Mutex<Vec<Option<String>>>>,
}

/// Serves the health service behind `layer`, with an interceptor between
/// them that records the claims tonic hands the service.
async fn start(layer: AuthLayer<Claims, Grpc>) -> TestServer {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let recorder = {
        let seen = Arc::clone(&seen);
        move |request: Request<()>| {
            // `request.extensions()`: where a tonic method reads them too.
            let sub = request
                .extensions()
                .get::<Claims>()
                .map(|claims| claims.sub().to_owned());
            seen.lock().unwrap().push(sub);
            Ok::<_, Status>(request)
        }
    };
    let (_reporter, health) = tonic_health::server::health_reporter();
    let server = Server::builder()
        .layer(layer)
        .add_service(InterceptedService::new(health, recorder))
        .serve_with_incoming(TcpIncoming::from(listener));
    tokio::spawn(async move { server.await.expect("the test server runs") });
    let channel = Endpoint::from_shared(format!("http://{address}"))
        .unwrap()
        .connect()
        .await
        .expect("the client connects");
    TestServer { channel, seen }
}

impl TestServer {
    fn seen(&self) -> Vec<Option<String>> {
        self.seen.lock().unwrap().clone()
    }
}

/// `Health/Check` for the whole server, with this `authorization` metadata.
async fn check(channel: &Channel, authorization: Option<&str>) -> Result<ServingStatus, Status> {
    let mut request = Request::new(HealthCheckRequest::default());
    if let Some(value) = authorization {
        request
            .metadata_mut()
            .insert("authorization", value.parse().unwrap());
    }
    let response = HealthClient::new(channel.clone()).check(request).await?;
    Ok(response.into_inner().status())
}

/// The call was refused with `code` and `message` by the server's gRPC
/// status: not a transport error, and without the HTTP refusal's challenge.
#[track_caller]
fn assert_refused(result: Result<ServingStatus, Status>, code: Code, message: &str) {
    let status = result.expect_err("the call is refused");
    assert_eq!(status.code(), code, "{status:?}");
    assert_eq!(status.message(), message, "{status:?}");
    assert!(
        std::error::Error::source(&status).is_none(),
        "a status from the server, not from the transport: {status:?}"
    );
    assert_eq!(
        status.metadata().get("content-type").unwrap(),
        "application/grpc"
    );
    assert!(status.metadata().get("www-authenticate").is_none());
}

#[tokio::test]
async fn a_call_without_a_token_is_unauthenticated() {
    let server = start(layer()).await;
    assert_refused(
        check(&server.channel, None).await,
        Code::Unauthenticated,
        "Not authenticated",
    );
    assert_eq!(server.seen(), [] as [Option<String>; 0]);
}

#[tokio::test]
async fn bad_tokens_are_unauthenticated_with_their_messages() {
    let server = start(layer()).await;
    let expired = minter().expired().sign();
    let other_key = TokenMinter::new(OTHER_SECRET)
        .at(NOW)
        .subject("user-1")
        .sign();
    // The signature's first character changed: every one of its bits counts.
    let token = minter().sign();
    let signature = token.rfind('.').unwrap() + 1;
    let replacement = if token[signature..].starts_with('A') {
        "B"
    } else {
        "A"
    };
    let mut forged = token.clone();
    forged.replace_range(signature..=signature, replacement);
    for (authorization, message) in [
        ("Bearer not-a-token".to_owned(), "Token is malformed"),
        (format!("Bearer {expired}"), "Token has expired"),
        (format!("Bearer {other_key}"), "Token signature is invalid"),
        (format!("Bearer {forged}"), "Token signature is invalid"),
        (
            format!("Basic {}", minter().sign()),
            "Authorization header must be 'Bearer <token>'",
        ),
    ] {
        assert_refused(
            check(&server.channel, Some(&authorization)).await,
            Code::Unauthenticated,
            message,
        );
    }
    assert_eq!(server.seen(), [] as [Option<String>; 0]);
}

#[tokio::test]
async fn a_valid_token_reaches_the_service_with_its_claims() {
    let server = start(layer()).await;
    let token = minter().subject("user-42").sign();
    let status = check(&server.channel, Some(&format!("Bearer {token}"))).await;
    assert_eq!(status.unwrap(), ServingStatus::Serving);
    assert_eq!(server.seen(), [Some("user-42".to_owned())]);
}

#[tokio::test]
async fn a_role_guard_denies_other_users_permission() {
    let server = start(layer().require(ClaimGuard::role("admin"))).await;
    let user = minter().claim("role", "user").sign();
    assert_refused(
        check(&server.channel, Some(&format!("Bearer {user}"))).await,
        Code::PermissionDenied,
        "Insufficient permissions for this resource",
    );
    assert_refused(
        check(&server.channel, None).await,
        Code::Unauthenticated,
        "Not authenticated",
    );

    let admin = minter().subject("admin-1").claim("role", "admin").sign();
    let status = check(&server.channel, Some(&format!("Bearer {admin}"))).await;
    assert_eq!(status.unwrap(), ServingStatus::Serving);
    assert_eq!(server.seen(), [Some("admin-1".to_owned())]);
}

/// The refusal on the wire, through the same channel: a trailers-only
/// gRPC response (HTTP 200, status in the headers, no body), never a 401.
#[tokio::test]
async fn the_refusal_on_the_wire_is_a_trailers_only_grpc_response() {
    let server = start(layer()).await;
    let mut channel = server.channel.clone();
    let request = http::Request::post("http://localhost/grpc.health.v1.Health/Check")
        .header("content-type", "application/grpc")
        .header("te", "trailers")
        .header(
            "authorization",
            format!("Bearer {}", minter().expired().sign()),
        )
        .body(tonic::body::Body::default())
        .unwrap();
    std::future::poll_fn(|cx| channel.poll_ready(cx))
        .await
        .unwrap();
    let response = channel.call(request).await.unwrap();
    assert_eq!(response.status(), http::StatusCode::OK);
    let headers = response.headers();
    assert_eq!(headers["content-type"], "application/grpc");
    assert_eq!(headers["grpc-status"], "16");
    assert_eq!(headers["grpc-message"], "Token has expired");
    assert!(headers.get("www-authenticate").is_none());
    assert!(tonic::codegen::Body::is_end_stream(response.body()));
    assert_eq!(server.seen(), [] as [Option<String>; 0]);
}

/// The example's own binary: it starts from the environment, serves the
/// health service behind the layer, and stops on Ctrl-C (SIGINT).
#[cfg(unix)]
#[tokio::test]
async fn the_example_server_authenticates_calls_and_stops_on_ctrl_c() {
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_grpc-health-example"))
        .env_clear()
        .env("BETTER_AUTH_SECRET", SECRET)
        .env("GRPC_ADDR", "127.0.0.1:0")
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap()).lines();
    let line = stdout.next_line().await.unwrap().unwrap();
    let address = line
        .strip_prefix("grpc-health-example listening on ")
        .unwrap_or_else(|| panic!("unexpected first line: {line}"));
    let channel = Endpoint::from_shared(format!("http://{address}"))
        .unwrap()
        .connect()
        .await
        .unwrap();

    assert_refused(
        check(&channel, None).await,
        Code::Unauthenticated,
        "Not authenticated",
    );
    // The binary uses the real clock: a token minted now.
    let token = TokenMinter::new(SECRET).subject("user-1").sign();
    let status = check(&channel, Some(&format!("Bearer {token}"))).await;
    assert_eq!(status.unwrap(), ServingStatus::Serving);
    drop(channel);

    let interrupt = tokio::process::Command::new("kill")
        .args(["-INT", &child.id().unwrap().to_string()])
        .status()
        .await
        .unwrap();
    assert!(interrupt.success());
    let exit = tokio::time::timeout(std::time::Duration::from_secs(10), child.wait())
        .await
        .expect("the server stops after Ctrl-C")
        .unwrap();
    assert!(exit.success(), "{exit}");
    let mut rest = Vec::new();
    while let Some(line) = stdout.next_line().await.unwrap() {
        rest.push(line);
    }
    assert_eq!(
        rest,
        [
            "grpc-health-example shutting down",
            "grpc-health-example stopped"
        ]
    );
}

/// Configuration mistakes stop the example before it listens, with a
/// message naming the variable.
#[tokio::test]
async fn the_example_server_explains_startup_errors() {
    for (variables, expected) in [
        (&[][..], "BETTER_AUTH_SECRET is not set"),
        (
            &[("BETTER_AUTH_SECRET", SECRET), ("GRPC_ADDR", "localhost")][..],
            "GRPC_ADDR must be an address like 127.0.0.1:50051, not \"localhost\"",
        ),
    ] {
        let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_grpc-health-example"))
            .env_clear()
            .envs(variables.iter().copied())
            .output()
            .await
            .unwrap();
        assert!(!output.status.success());
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(
            stderr.starts_with(&format!("grpc-health-example: {expected}")),
            "{stderr}"
        );
        assert!(output.stdout.is_empty());
    }
}
