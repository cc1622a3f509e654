//! gRPC calls (`content-type: application/grpc`) refused by the layer get a
//! trailers-only gRPC response: HTTP 200, `content-type: application/grpc`,
//! `grpc-status` and `grpc-message`, an empty body, no challenge and no
//! JSON. In the default mode only gRPC calls are answered so; with
//! `.grpc()` every refusal is, and the body type needs only `Default`.

use std::convert::Infallible;

use axum::Router;
use axum::routing::post;
use http::{HeaderMap, Request, Response};
use jwtguard::testing::TokenMinter;
use jwtguard::tower::AuthLayer;
use jwtguard::{ClaimGuard, Claims};
use tower::{Layer, ServiceExt};

use crate::common::{NOW, OTHER_SECRET, minter, verifier};
use crate::{MemoryStore, bearer, session, session_cookie, session_verifier};

/// A response body with nothing but `Default`, like tonic's: neither JSON
/// nor text can be written into it.
#[derive(Debug, Default, PartialEq)]
struct GrpcBody(Option<String>);

/// What a response shows a gRPC client.
#[derive(Debug)]
struct GrpcAnswer {
    status: u16,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl GrpcAnswer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().unwrap())
    }

    /// A trailers-only refusal with `code` and `message`.
    fn assert_refused(&self, code: &str, message: &str) {
        assert_eq!(self.status, 200, "{self:?}");
        assert_eq!(self.header("grpc-status"), Some(code), "{self:?}");
        assert_eq!(self.header("grpc-message"), Some(message), "{self:?}");
        assert_eq!(self.header("content-type"), Some("application/grpc"));
        assert_eq!(self.header("www-authenticate"), None);
        assert_eq!(self.header("retry-after"), None);
        assert!(
            self.body.is_empty(),
            "{:?}",
            String::from_utf8_lossy(&self.body)
        );
    }
}

fn grpc_request(content_type: &str, headers: &[(&str, String)]) -> http::request::Builder {
    let mut request = Request::builder()
        .method("POST")
        .uri("/greeter.Greeter/SayHello")
        .header("content-type", content_type)
        .header("te", "trailers");
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    request
}

/// An axum router with a gRPC-like route behind `layer` (HTTP mode).
async fn through_axum(
    layer: AuthLayer,
    content_type: &str,
    headers: &[(&str, String)],
) -> GrpcAnswer {
    let app = Router::new()
        .route(
            "/greeter.Greeter/SayHello",
            post(|claims: axum::Extension<Claims>| async move { claims.sub().to_owned() }),
        )
        .layer(layer);
    let request = grpc_request(content_type, headers)
        .body(axum::body::Body::empty())
        .unwrap();
    let response = app.oneshot(request).await.unwrap();
    let (parts, body) = response.into_parts();
    let body = axum::body::to_bytes(body, 1 << 20).await.unwrap().to_vec();
    GrpcAnswer {
        status: parts.status.as_u16(),
        headers: parts.headers,
        body,
    }
}

/// A plain tower service whose body is [`GrpcBody`], behind `layer` in
/// gRPC mode; when let in it answers with the `sub` it was handed.
async fn through_service(
    layer: jwtguard::tower::AuthLayer<Claims, jwtguard::tower::Grpc>,
    content_type: &str,
    headers: &[(&str, String)],
) -> (GrpcAnswer, GrpcBody) {
    let service = layer.layer(tower::service_fn(|request: Request<()>| async move {
        let sub = request
            .extensions()
            .get::<Claims>()
            .map(|c| c.sub().to_owned());
        Ok::<_, Infallible>(Response::new(GrpcBody(sub)))
    }));
    let request = grpc_request(content_type, headers).body(()).unwrap();
    let response = service.oneshot(request).await.unwrap();
    let (parts, body) = response.into_parts();
    let answer = GrpcAnswer {
        status: parts.status.as_u16(),
        headers: parts.headers,
        body: Vec::new(),
    };
    (answer, body)
}

fn bad_signature() -> Vec<(&'static str, String)> {
    vec![bearer(
        &TokenMinter::new(OTHER_SECRET)
            .at(NOW)
            .subject("user-1")
            .sign(),
    )]
}

#[tokio::test]
async fn a_grpc_call_with_a_bad_token_gets_unauthenticated_from_the_http_mode_layer() {
    let answer = through_axum(
        AuthLayer::new(verifier()),
        "application/grpc",
        &bad_signature(),
    )
    .await;
    answer.assert_refused("16", "Token signature is invalid");
}

#[tokio::test]
async fn a_grpc_content_type_with_a_suffix_is_a_grpc_call_too() {
    let answer = through_axum(
        AuthLayer::new(verifier()),
        "application/grpc+proto",
        &bad_signature(),
    )
    .await;
    answer.assert_refused("16", "Token signature is invalid");
}

#[tokio::test]
async fn a_grpc_call_without_credentials_gets_unauthenticated() {
    let answer = through_axum(AuthLayer::new(verifier()), "application/grpc", &[]).await;
    answer.assert_refused("16", "Not authenticated");
}

#[tokio::test]
async fn a_get_with_a_grpc_content_type_gets_the_json_refusal_never_a_cacheable_200() {
    // gRPC is always a POST: a 200 refusal to a GET could be cached and
    // served to everyone who asks for that URL.
    let app = Router::new()
        .route("/me", axum::routing::get(|| async { "hello" }))
        .layer(AuthLayer::new(verifier()));
    let request = Request::get("/me")
        .header("content-type", "application/grpc")
        .header("authorization", bad_signature()[0].1.clone())
        .body(axum::body::Body::empty())
        .unwrap();
    let response = app.oneshot(request).await.unwrap();
    assert_eq!(response.status(), 401);
    assert_eq!(response.headers().get("grpc-status"), None);
    assert_eq!(response.headers()["content-type"], "application/json");
}

#[tokio::test]
async fn grpc_web_is_not_a_grpc_call_and_gets_the_json_refusal() {
    let answer = through_axum(
        AuthLayer::new(verifier()),
        "application/grpc-web",
        &bad_signature(),
    )
    .await;
    assert_eq!(answer.status, 401);
    assert_eq!(answer.header("grpc-status"), None);
    assert_eq!(answer.header("content-type"), Some("application/json"));
}

#[tokio::test]
async fn a_valid_grpc_call_reaches_the_route_with_the_claims() {
    let answer = through_axum(
        AuthLayer::new(verifier()),
        "application/grpc",
        &[bearer(&minter().sign())],
    )
    .await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.header("grpc-status"), None);
    assert_eq!(answer.body, b"user-1");
}

#[tokio::test]
async fn a_guard_refusal_of_a_grpc_call_is_permission_denied() {
    let layer = AuthLayer::new(verifier()).require(ClaimGuard::role("admin"));
    let user = [bearer(&minter().claim("role", "user").sign())];
    let answer = through_axum(layer, "application/grpc", &user).await;
    answer.assert_refused("7", "Insufficient permissions for this resource");
}

#[tokio::test]
async fn the_grpc_mode_refuses_a_bad_token_with_unauthenticated_into_a_default_body() {
    let layer = AuthLayer::new(verifier()).grpc();
    let (answer, body) = through_service(layer, "application/grpc", &bad_signature()).await;
    answer.assert_refused("16", "Token signature is invalid");
    assert_eq!(body, GrpcBody(None), "the service was not called");
}

#[tokio::test]
async fn the_grpc_mode_refuses_a_guard_refusal_with_permission_denied() {
    let layer = AuthLayer::new(verifier())
        .grpc()
        .require(ClaimGuard::role("admin"));
    let user = [bearer(&minter().claim("role", "user").sign())];
    let (answer, body) = through_service(layer, "application/grpc", &user).await;
    answer.assert_refused("7", "Insufficient permissions for this resource");
    assert_eq!(body, GrpcBody(None));
}

#[tokio::test]
async fn the_grpc_mode_answers_a_plain_http_request_with_its_http_status() {
    // Never a 200 to what is not a gRPC call: a cache could keep it.
    let layer = AuthLayer::new(verifier()).grpc();
    let (answer, _) = through_service(layer, "application/json", &bad_signature()).await;
    assert_eq!(answer.status, 401);
    assert_eq!(answer.header("grpc-status"), None);
    assert_eq!(answer.header("content-type"), None);
    assert_eq!(
        answer.header("www-authenticate"),
        Some(r#"Bearer error="invalid_token", error_description="Token signature is invalid""#)
    );
}

#[tokio::test]
async fn the_grpc_mode_hands_the_service_the_claims() {
    let layer = AuthLayer::new(verifier()).grpc();
    let valid = [bearer(&minter().subject("alice").sign())];
    let (answer, body) = through_service(layer, "application/grpc", &valid).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.header("grpc-status"), None);
    assert_eq!(body, GrpcBody(Some("alice".to_owned())));
}

#[tokio::test]
async fn a_session_store_outage_is_unavailable_after_waiting() {
    let store = MemoryStore::with(&[&session()]);
    store.set_down(true);
    let layer = AuthLayer::new(session_verifier(&store)).grpc();
    let (answer, _) =
        through_service(layer, "application/grpc", &[session_cookie(&session())]).await;
    answer.assert_refused("14", "Sessions are temporarily unavailable");
    assert_eq!(
        store.lookups(),
        1,
        "refused on the slow path, after the store was asked"
    );
}

#[tokio::test]
async fn a_signed_out_session_is_unauthenticated_after_waiting() {
    let store = MemoryStore::with(&[&session()]);
    let signed_out = session().token("signedOutSessionToken0123456789ab");
    let answer = through_axum(
        AuthLayer::new(session_verifier(&store)),
        "application/grpc",
        &[session_cookie(&signed_out)],
    )
    .await;
    answer.assert_refused("16", "Session is not valid");
}
