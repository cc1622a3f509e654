//! How an [`Error`] is answered to a gRPC client: a trailers-only response
//! (HTTP 200, `grpc-status` and `grpc-message` in the headers, no body), as
//! the gRPC over HTTP/2 protocol prescribes for a call refused before it starts.

use http::header::CONTENT_TYPE;
use http::{HeaderValue, Response};

use crate::error::Error;

impl Error {
    /// The gRPC status code this error is answered with: `UNAUTHENTICATED`
    /// (16) for every 401, `PERMISSION_DENIED` (7) for a 403, `UNAVAILABLE`
    /// (14) for a 503 and `INTERNAL` (13) for a 500. With tonic, build a
    /// `tonic::Status` from it and [`to_string`](ToString::to_string).
    ///
    /// ```
    /// use jwtguard::{Error, ErrorKind};
    /// assert_eq!(Error::from(ErrorKind::Expired).grpc_code(), 16);
    /// assert_eq!(Error::from(ErrorKind::InsufficientClaims).grpc_code(), 7);
    /// ```
    pub fn grpc_code(&self) -> u8 {
        self.kind().spec().grpc
    }

    /// The trailers-only gRPC response: HTTP 200, `content-type:
    /// application/grpc`, `grpc-status` ([`grpc_code`](Self::grpc_code))
    /// and `grpc-message` (the fixed description), and an empty body.
    ///
    /// ```
    /// use jwtguard::{Error, ErrorKind};
    /// let response: http::Response<()> = Error::from(ErrorKind::Expired).to_grpc_response();
    /// assert_eq!(response.status(), 200);
    /// assert_eq!(response.headers()["grpc-status"], "16");
    /// assert_eq!(response.headers()["grpc-message"], "Token has expired");
    /// ```
    pub fn to_grpc_response<B: Default>(&self) -> Response<B> {
        let mut response = Response::new(B::default());
        let headers = response.headers_mut();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/grpc"));
        headers.insert(
            "grpc-status",
            HeaderValue::from(u16::from(self.grpc_code())),
        );
        // Every description is fixed printable ASCII without '%', which
        // grpc-message carries as it is.
        if let Ok(message) = HeaderValue::from_str(&self.kind().to_string()) {
            headers.insert("grpc-message", message);
        }
        response
    }
}

/// Whether a request is a gRPC call: a `POST` (gRPC never sends another
/// method) with `content-type: application/grpc`, alone or with a
/// `+proto`-style suffix. A `GET` with that content type is answered as
/// HTTP: a refusal as a `200` could be stored by a cache in front of the
/// service and served to every user of that URL.
#[cfg(any(feature = "tower", test))]
pub(crate) fn is_grpc(method: &http::Method, headers: &http::HeaderMap) -> bool {
    method == http::Method::POST
        && headers.get_all(CONTENT_TYPE).iter().any(|value| {
            value
                .as_bytes()
                .strip_prefix(b"application/grpc")
                .is_some_and(|rest| rest.is_empty() || rest[0] == b'+' || rest[0] == b';')
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    #[test]
    fn every_refusal_has_a_grpc_status_and_a_valid_message() {
        for kind in ErrorKind::ALL {
            let error = Error::from(*kind);
            let response: Response<()> = error.to_grpc_response();
            assert_eq!(response.status(), 200);
            assert_eq!(response.headers()["content-type"], "application/grpc");
            assert_eq!(
                response.headers()["grpc-status"],
                kind.spec().grpc.to_string(),
                "{kind:?}"
            );
            let message = response.headers()["grpc-message"].to_str().unwrap();
            assert_eq!(message, kind.to_string());
            assert!(!message.contains('%'));
        }
        assert_eq!(Error::from(ErrorKind::Forbidden).grpc_code(), 7);
    }

    #[test]
    fn grpc_calls_are_told_by_their_content_type() {
        let mut headers = http::HeaderMap::new();
        assert!(!is_grpc(&http::Method::POST, &headers));
        for (value, grpc) in [
            ("application/grpc", true),
            ("application/grpc+proto", true),
            ("application/grpc-web", false),
            ("application/json", false),
        ] {
            headers.insert(CONTENT_TYPE, HeaderValue::from_static(value));
            assert_eq!(is_grpc(&http::Method::POST, &headers), grpc, "{value}");
            assert!(!is_grpc(&http::Method::GET, &headers), "{value}");
        }
    }
}
