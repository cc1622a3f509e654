//! [`RequestParts`]: what a verifier reads of a request.

use std::fmt;

use crate::http::credentials::HeaderSource;

/// The parts of a request that may carry credentials: its method, its query
/// string and its headers. [`Verifier::verify_request`](crate::Verifier::verify_request)
/// reads them, exactly as the extractors, the tower layer and the actix-web
/// middleware do.
///
/// The method decides the `Origin` check of cookie credentials
/// (`CredentialSources::cookie_origins`); the query carries the
/// WebSocket token (`CredentialSources::websocket_query`), read only on
/// upgrade requests. Headers come as an [`http::HeaderMap`] or any other
/// [`HeaderSource`].
///
/// ```
/// use jwtguard::RequestParts;
///
/// let request = http::Request::get("/ws?access_token=a.b.c").body(()).unwrap();
/// let parts = RequestParts::from(&request);
/// assert_eq!(parts.method(), "GET");
/// assert_eq!(parts.query(), Some("access_token=a.b.c"));
///
/// // Or from the pieces, for a framework without `http` types:
/// let headers = http::HeaderMap::new();
/// let parts = RequestParts::new("POST", None, &headers);
/// ```
pub struct RequestParts<'r, H = http::HeaderMap> {
    method: &'r str,
    path: &'r str,
    query: Option<&'r str>,
    headers: &'r H,
}

impl<H> fmt::Debug for RequestParts<'_, H> {
    /// The method and the path only: the headers and the query carry
    /// credentials (`Authorization`, `Cookie`, `DPoP`, `access_token=`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestParts")
            .field("method", &self.method)
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl<H> Clone for RequestParts<'_, H> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<H> Copy for RequestParts<'_, H> {}

impl<'r, H: HeaderSource> RequestParts<'r, H> {
    /// A request with this method (`"GET"`, `"POST"`...), query string
    /// (without the `?`) and headers.
    ///
    /// ```
    /// let headers = http::HeaderMap::new();
    /// let parts = jwtguard::RequestParts::new("GET", Some("a=1"), &headers);
    /// ```
    pub fn new(method: &'r str, query: Option<&'r str>, headers: &'r H) -> Self {
        Self {
            method,
            path: "/",
            query,
            headers,
        }
    }

    /// The same request, for the path `path` (what a DPoP proof's `htu`
    /// names, after the public URL). The `From` conversions set it from
    /// the URI; [`new`](Self::new) starts with `/`.
    ///
    /// ```
    /// let headers = http::HeaderMap::new();
    /// let parts = jwtguard::RequestParts::new("GET", None, &headers).with_path("/mcp");
    /// assert_eq!(parts.path(), "/mcp");
    /// ```
    pub fn with_path(mut self, path: &'r str) -> Self {
        self.path = path;
        self
    }
}

impl<'r, H> RequestParts<'r, H> {
    /// The request's method.
    ///
    /// ```
    /// let headers = http::HeaderMap::new();
    /// assert_eq!(jwtguard::RequestParts::new("GET", None, &headers).method(), "GET");
    /// ```
    pub fn method(&self) -> &'r str {
        self.method
    }

    /// The request's path, without the query.
    ///
    /// ```
    /// let request = http::Request::get("/tasks?page=2").body(()).unwrap();
    /// assert_eq!(jwtguard::RequestParts::from(&request).path(), "/tasks");
    /// ```
    pub fn path(&self) -> &'r str {
        self.path
    }

    /// The request's query string, without the `?`.
    ///
    /// ```
    /// let headers = http::HeaderMap::new();
    /// assert_eq!(jwtguard::RequestParts::new("GET", None, &headers).query(), None);
    /// ```
    pub fn query(&self) -> Option<&'r str> {
        self.query
    }

    /// The request's headers.
    ///
    /// ```
    /// let headers = http::HeaderMap::new();
    /// let parts = jwtguard::RequestParts::new("GET", None, &headers);
    /// assert!(parts.headers().is_empty());
    /// ```
    pub fn headers(&self) -> &'r H {
        self.headers
    }
}

impl<'r> From<&'r http::request::Parts> for RequestParts<'r> {
    /// The path is the one the client asked for, also inside an axum
    /// `Router::nest` (whose URI has lost the prefix).
    fn from(parts: &'r http::request::Parts) -> Self {
        Self::new(parts.method.as_str(), parts.uri.query(), &parts.headers)
            .with_path(requested_path(&parts.uri, &parts.extensions))
    }
}

impl<'r, B> From<&'r http::Request<B>> for RequestParts<'r> {
    /// The path is the one the client asked for, also inside an axum
    /// `Router::nest` (whose URI has lost the prefix).
    fn from(request: &'r http::Request<B>) -> Self {
        Self::new(
            request.method().as_str(),
            request.uri().query(),
            request.headers(),
        )
        .with_path(requested_path(request.uri(), request.extensions()))
    }
}

/// The path the client asked for (a DPoP proof's `htu` names it): inside
/// an axum `Router::nest` the URI has lost the prefix, and axum keeps the
/// original as `OriginalUri` (its `original-uri` feature, which `oauth`
/// turns on).
#[cfg(all(feature = "axum", feature = "oauth"))]
fn requested_path<'r>(uri: &'r http::Uri, extensions: &'r http::Extensions) -> &'r str {
    match extensions.get::<axum::extract::OriginalUri>() {
        Some(original) => original.0.path(),
        None => uri.path(),
    }
}

/// The path the client asked for.
#[cfg(not(all(feature = "axum", feature = "oauth")))]
fn requested_path<'r>(uri: &'r http::Uri, _: &'r http::Extensions) -> &'r str {
    uri.path()
}
