//! Sending one request to an axum router or an actix-web service in a test,
//! and reading the answer: status, headers and JSON body.
#![allow(dead_code)]

use serde_json::Value;

/// What a request got back.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: http::HeaderMap,
    /// The JSON body (`Null` when empty or not JSON).
    pub body: Value,
}

impl Answer {
    /// The refusal's `code`, if the body has one.
    pub fn code(&self) -> Option<&str> {
        self.body["code"].as_str()
    }

    /// A header's value as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().unwrap())
    }
}

/// `method path` with `headers`, through an axum router.
#[cfg(feature = "axum")]
pub async fn axum(
    app: axum::Router,
    method: &str,
    path: &str,
    headers: &[(&str, String)],
) -> Answer {
    use tower::ServiceExt;
    let mut request = http::Request::builder().method(method).uri(path);
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    let response = app
        .oneshot(request.body(axum::body::Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    Answer {
        status,
        headers,
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
    }
}

/// `method path` with `headers`, through an actix-web test service.
#[cfg(feature = "actix")]
pub async fn actix<S, B>(
    service: &S,
    method: &str,
    path: &str,
    headers: &[(&str, String)],
) -> Answer
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    use actix_web::test;
    let method = actix_web::http::Method::from_bytes(method.as_bytes()).unwrap();
    let mut request = test::TestRequest::default().method(method).uri(path);
    for (name, value) in headers {
        request = request.append_header((*name, value.as_str()));
    }
    let response = test::call_service(service, request.to_request()).await;
    let status = response.status().as_u16();
    let mut headers = http::HeaderMap::new();
    for (name, value) in response.headers() {
        headers.append(
            http::HeaderName::from_bytes(name.as_str().as_bytes()).unwrap(),
            http::HeaderValue::from_bytes(value.as_bytes()).unwrap(),
        );
    }
    let body = test::read_body(response).await;
    Answer {
        status,
        headers,
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
    }
}
