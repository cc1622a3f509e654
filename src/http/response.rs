//! How an [`Error`] is answered over HTTP: status code, RFC 6750 challenge and
//! JSON body. The adapters use this mapping as it is, so that every framework
//! answers the same request the same way.

use http::header::{CONTENT_TYPE, RETRY_AFTER, WWW_AUTHENTICATE};
use std::sync::OnceLock;

use http::{HeaderValue, Response, StatusCode};
use serde::Serialize;

use crate::error::table::Challenge;
use crate::error::{Error, ErrorKind};

/// The JSON body of an error response: `{"detail": "...", "code": "..."}`.
///
/// `detail` is what FastAPI front ends already read; `code` is a stable,
/// machine-readable [`ErrorKind::code`]. With the `utoipa` feature it is a
/// utoipa `ToSchema`, named `ErrorBody` (see the `openapi` module).
///
/// [`ErrorKind::code`]: crate::error::ErrorKind::code
///
/// ```
/// use jwtguard::{Error, ErrorKind};
/// let body = Error::from(ErrorKind::Expired).body();
/// assert_eq!(
///     serde_json::to_string(&body).unwrap(),
///     r#"{"detail":"Token has expired","code":"token_expired"}"#
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorBody {
    /// A human-readable sentence, fixed per kind.
    pub detail: String,
    /// A stable, machine-readable code.
    pub code: &'static str,
}

impl Error {
    /// The HTTP status this error is answered with: 401 for authentication
    /// failures, 403 for [`ErrorKind::Forbidden`], [`ErrorKind::InsufficientClaims`] and
    /// [`ErrorKind::OriginNotAllowed`], 503 for [`ErrorKind::KeysUnavailable`] and
    /// [`ErrorKind::SessionStoreUnavailable`],
    /// 500 for [`ErrorKind::Misconfigured`].
    ///
    /// ```
    /// use jwtguard::{Error, ErrorKind};
    /// assert_eq!(Error::from(ErrorKind::Forbidden).status(), http::StatusCode::FORBIDDEN);
    /// ```
    ///
    /// [`ErrorKind::Forbidden`]: crate::error::ErrorKind::Forbidden
    /// [`ErrorKind::InsufficientClaims`]: crate::error::ErrorKind::InsufficientClaims
    /// [`ErrorKind::OriginNotAllowed`]: crate::error::ErrorKind::OriginNotAllowed
    /// [`ErrorKind::KeysUnavailable`]: crate::error::ErrorKind::KeysUnavailable
    /// [`ErrorKind::SessionStoreUnavailable`]: crate::error::ErrorKind::SessionStoreUnavailable
    /// [`ErrorKind::Misconfigured`]: crate::error::ErrorKind::Misconfigured
    pub fn status(&self) -> StatusCode {
        self.kind().spec().status
    }

    /// The RFC 6750 `WWW-Authenticate` challenge for a 401, and for the 403
    /// of [`ErrorKind::InsufficientClaims`]; `None` otherwise.
    ///
    /// Without credentials the challenge is a bare `Bearer`; for anything that
    /// was sent and refused it is
    /// `Bearer error="invalid_token", error_description="..."`; for claims
    /// that do not allow the request,
    /// `Bearer error="insufficient_scope", error_description="..."`.
    ///
    /// ```
    /// use jwtguard::{Error, ErrorKind};
    /// let missing = Error::from(ErrorKind::MissingCredentials);
    /// assert_eq!(missing.www_authenticate().unwrap(), "Bearer");
    /// let expired = Error::from(ErrorKind::Expired);
    /// assert_eq!(
    ///     expired.www_authenticate().unwrap(),
    ///     r#"Bearer error="invalid_token", error_description="Token has expired""#
    /// );
    /// ```
    ///
    /// [`ErrorKind::InsufficientClaims`]: crate::error::ErrorKind::InsufficientClaims
    pub fn www_authenticate(&self) -> Option<HeaderValue> {
        match (self.missing_scope(), Rendered::of(self.kind())) {
            (None, Some(rendered)) => rendered.challenge.clone(),
            (scope, _) => challenge(self.kind(), scope),
        }
    }

    /// The JSON body for this error.
    ///
    /// ```
    /// use jwtguard::{Error, ErrorKind};
    /// assert_eq!(Error::from(ErrorKind::Forbidden).body().code, "forbidden");
    /// ```
    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            detail: self.kind().to_string(),
            code: self.kind().code(),
        }
    }

    /// The body serialized as JSON text.
    ///
    /// ```
    /// use jwtguard::{Error, ErrorKind};
    /// let json = Error::from(ErrorKind::MissingCredentials).body_json();
    /// assert_eq!(json, r#"{"detail":"Not authenticated","code":"missing_token"}"#);
    /// ```
    pub fn body_json(&self) -> String {
        match Rendered::of(self.kind()) {
            Some(rendered) => rendered.body.clone(),
            None => body_json(self.kind()),
        }
    }

    /// The complete response: status, `WWW-Authenticate` when it applies,
    /// `Retry-After` on a 503, `Content-Type: application/json` and the JSON body.
    ///
    /// ```
    /// use jwtguard::{Error, ErrorKind};
    /// let response = Error::from(ErrorKind::InvalidSignature).to_response();
    /// assert_eq!(response.status(), 401);
    /// assert_eq!(response.headers()["content-type"], "application/json");
    /// ```
    pub fn to_response(&self) -> Response<String> {
        let mut response = Response::new(self.body_json());
        *response.status_mut() = self.status();
        let headers = response.headers_mut();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        if let Some(challenge) = self.www_authenticate() {
            headers.insert(WWW_AUTHENTICATE, challenge);
        }
        if let Some(secs) = self.retry_after() {
            headers.insert(RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

/// The challenge of `kind`, naming the missing `scope` when there is one.
fn challenge(kind: ErrorKind, scope: Option<&str>) -> Option<HeaderValue> {
    let (scheme, error) = match kind.spec().challenge {
        Challenge::None => return None,
        Challenge::Bearer => return Some(HeaderValue::from_static("Bearer")),
        Challenge::InvalidToken => ("Bearer", "invalid_token"),
        Challenge::InsufficientScope => ("Bearer", "insufficient_scope"),
        Challenge::DpopProof => ("DPoP", "invalid_dpop_proof"),
        Challenge::DpopToken => ("DPoP", "invalid_token"),
    };
    let mut challenge = format!(r#"{scheme} error="{error}", error_description="{kind}""#);
    if let Some(scope) = scope {
        challenge.push_str(&format!(r#", scope="{scope}""#));
    }
    // Every description is fixed ASCII text without quotes or backslashes,
    // so the value is always a valid header; fall back rather than panic.
    Some(
        HeaderValue::try_from(challenge)
            .unwrap_or(HeaderValue::from_static(r#"Bearer error="invalid_token""#)),
    )
}

/// The JSON body of `kind`.
fn body_json(kind: ErrorKind) -> String {
    let body = ErrorBody {
        detail: kind.to_string(),
        code: kind.code(),
    };
    // Serializing two plain strings cannot fail.
    serde_json::to_string(&body).unwrap_or_default()
}

/// A kind's challenge and JSON body, rendered once: every refusal of a
/// kind sends the same bytes, so answering one clones them instead of
/// formatting a sentence and serializing a body each time.
struct Rendered {
    challenge: Option<HeaderValue>,
    body: String,
}

impl Rendered {
    /// The rendering of `kind`; `None` for the kinds whose text names a
    /// claim ([`ErrorKind::MissingClaim`], [`ErrorKind::InvalidClaim`]),
    /// which are rendered each time.
    fn of(kind: ErrorKind) -> Option<&'static Self> {
        static TABLE: OnceLock<Vec<Rendered>> = OnceLock::new();
        if matches!(
            kind,
            ErrorKind::MissingClaim(_) | ErrorKind::InvalidClaim(_)
        ) {
            return None;
        }
        let table = TABLE.get_or_init(|| {
            ErrorKind::ALL
                .iter()
                .map(|&kind| Rendered {
                    challenge: challenge(kind, None),
                    body: body_json(kind),
                })
                .collect()
        });
        table.get(kind.index())
    }
}

/// A refused request with the response that answers it. The adapters
/// return it as their rejection type (axum: `IntoResponse`; actix-web:
/// `ResponseError`), so both frameworks answer alike.
///
/// ```
/// # let (verifier, _) = jwtguard::testing::doc_pair();
/// let err = verifier.verify("x").unwrap_err();
/// let rejection = verifier.reject(err);
/// assert_eq!(rejection.error().kind(), jwtguard::ErrorKind::Malformed);
/// assert_eq!(rejection.response().status(), 401);
/// ```
#[derive(Debug)]
pub struct Rejection {
    error: Error,
    response: Box<Response<String>>,
}

impl Rejection {
    pub(crate) fn new(error: Error, response: Response<String>) -> Self {
        Self {
            error,
            response: Box::new(response),
        }
    }

    /// Why the request was refused.
    ///
    /// ```
    /// let r = jwtguard::Rejection::from(jwtguard::Error::from(jwtguard::ErrorKind::Expired));
    /// assert_eq!(r.error().kind(), jwtguard::ErrorKind::Expired);
    /// ```
    pub fn error(&self) -> &Error {
        &self.error
    }

    /// The response that answers it.
    ///
    /// ```
    /// let r = jwtguard::Rejection::from(jwtguard::Error::from(jwtguard::ErrorKind::Forbidden));
    /// assert_eq!(r.response().status(), 403);
    /// ```
    pub fn response(&self) -> &Response<String> {
        &self.response
    }

    /// The response, by value, as an `http::Response` (in axum, the
    /// `IntoResponse` impl converts it for you).
    ///
    /// ```
    /// let r = jwtguard::Rejection::from(jwtguard::Error::from(jwtguard::ErrorKind::Forbidden));
    /// let response: http::Response<String> = r.into_http_response();
    /// ```
    pub fn into_http_response(self) -> Response<String> {
        *self.response
    }
}

/// The default rendering ([`Error::to_response`]), for when no verifier is at hand.
impl From<Error> for Rejection {
    fn from(error: Error) -> Self {
        let response = error.to_response();
        Self::new(error, response)
    }
}

impl std::fmt::Display for Rejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&self.error, f)
    }
}

impl std::error::Error for Rejection {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::table::RETRY_AFTER_SECS;

    #[test]
    fn a_rendered_answer_is_the_one_rendered_afresh() {
        for &kind in ErrorKind::ALL {
            let error = Error::from(kind);
            assert_eq!(error.body_json(), body_json(kind), "{kind:?}");
            assert_eq!(
                serde_json::from_str::<serde_json::Value>(&error.body_json()).unwrap(),
                serde_json::json!({"detail": kind.to_string(), "code": kind.code()}),
                "{kind:?}"
            );
            assert_eq!(error.www_authenticate(), challenge(kind, None), "{kind:?}");
        }
        // The claim kinds name their own claim, not the table's.
        let missing_sub = Error::from(ErrorKind::MissingClaim("sub"));
        assert!(missing_sub.body_json().contains("sub"));
        let challenge = missing_sub.www_authenticate().unwrap();
        assert!(challenge.to_str().unwrap().contains("sub"));
    }

    #[test]
    fn every_description_is_a_valid_rfc_6750_quoted_string() {
        for kind in ErrorKind::ALL {
            let text = kind.to_string();
            assert!(
                text.bytes()
                    .all(|b| (0x20..=0x7e).contains(&b) && b != b'"' && b != b'\\'),
                "{kind:?}"
            );
        }
    }

    #[test]
    fn every_response_renders_the_table() {
        for kind in ErrorKind::ALL {
            let spec = kind.spec();
            let error = Error::from(*kind);
            let response = error.to_response();
            assert_eq!(response.status(), spec.status, "{kind:?}");
            assert_eq!(response.headers()[CONTENT_TYPE], "application/json");
            assert_eq!(response.body(), &error.body_json());
            assert_eq!(error.body().code, spec.code);
            assert_eq!(error.body().detail, kind.to_string());

            let challenge = response.headers().get(WWW_AUTHENTICATE);
            let expected = match spec.challenge {
                Challenge::None => None,
                Challenge::Bearer => Some("Bearer".to_owned()),
                Challenge::InvalidToken => Some(format!(
                    r#"Bearer error="invalid_token", error_description="{kind}""#
                )),
                Challenge::InsufficientScope => Some(format!(
                    r#"Bearer error="insufficient_scope", error_description="{kind}""#
                )),
                Challenge::DpopProof => Some(format!(
                    r#"DPoP error="invalid_dpop_proof", error_description="{kind}""#
                )),
                Challenge::DpopToken => Some(format!(
                    r#"DPoP error="invalid_token", error_description="{kind}""#
                )),
            };
            assert_eq!(
                challenge.map(|value| value.to_str().unwrap()),
                expected.as_deref(),
                "{kind:?}"
            );

            let retry = response.headers().get(RETRY_AFTER);
            assert_eq!(retry.is_some(), spec.retry_after, "{kind:?}");
            if let Some(retry) = retry {
                assert_eq!(retry, &RETRY_AFTER_SECS.to_string());
            }
        }
    }

    #[test]
    fn an_insufficient_scope_challenge_names_the_missing_scopes() {
        let error = Error::from(ErrorKind::InsufficientClaims).with_missing_scope("tasks:write a");
        assert_eq!(
            error.to_response().headers()[WWW_AUTHENTICATE],
            r#"Bearer error="insufficient_scope", error_description="Insufficient permissions for this resource", scope="tasks:write a""#
        );
    }

    #[test]
    fn a_retry_after_from_the_cause_is_sent_only_on_a_503() {
        let wait = std::time::Duration::from_millis(2_500);
        let unavailable = Error::from(ErrorKind::SessionStoreUnavailable).with_retry_after(wait);
        assert_eq!(unavailable.retry_after(), Some(3));
        assert_eq!(unavailable.to_response().headers()[RETRY_AFTER], "3");
        let expired = Error::from(ErrorKind::Expired).with_retry_after(wait);
        assert_eq!(expired.retry_after(), None);
        assert!(!expired.to_response().headers().contains_key(RETRY_AFTER));
    }
}
