//! [`CredentialSources`]: where a request's JWT may come from besides the
//! `Authorization` header, and which sites may send cookie credentials.

use crate::error::config::ConfigError;

/// Where a request's JWT may come from besides its `Authorization` header
/// (a cookie, a WebSocket upgrade's query parameter), and which `Origin`s
/// may send cookie credentials. Changed through
/// [`VerifierBuilder::credential_sources`](crate::VerifierBuilder::credential_sources);
/// by default only the `Authorization` header (and, when sessions are on,
/// Better Auth's session cookie) is read, and no `Origin` is checked.
///
/// ```
/// let verifier = jwtguard::Verifier::builder()
///     .hs256_secret("a-shared-secret-of-at-least-32-bytes!")
///     .credential_sources(|sources| {
///         sources
///             .token_cookie("auth_token")
///             .cookie_origins(["https://app.example.com"])
///             .websocket_query("access_token")
///     })
///     .build()?;
/// # Ok::<(), jwtguard::ConfigError>(())
/// ```
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct CredentialSources {
    pub(crate) token_cookie: Option<String>,
    /// Lower case, without a trailing `/`; empty: no check.
    pub(crate) cookie_origins: Vec<String>,
    pub(crate) websocket_query: Option<String>,
}

impl CredentialSources {
    /// Also reads the token from the cookie `name` when a request has no
    /// `Authorization` header (the header wins when both are sent).
    ///
    /// ```
    /// let verifier = jwtguard::Verifier::builder()
    ///     .hs256_secret("a-shared-secret-of-at-least-32-bytes!")
    ///     .credential_sources(|sources| sources.token_cookie("auth_token"))
    ///     .build()?;
    /// # Ok::<(), jwtguard::ConfigError>(())
    /// ```
    pub fn token_cookie(mut self, name: impl Into<String>) -> Self {
        self.token_cookie = Some(name.into());
        self
    }

    /// Guards cookie credentials against cross-site request forgery: a
    /// browser sends cookies (the [`token_cookie`](Self::token_cookie) and
    /// Better Auth's session cookies) with requests that other sites
    /// start. With this set, a credential read from a cookie on a request
    /// whose method is not `GET`, `HEAD`, `OPTIONS` or `TRACE`, or on any
    /// request with an `Upgrade` header (a WebSocket handshake is a `GET`
    /// that opens a two-way channel any site may ask for: cross-site
    /// WebSocket hijacking), is accepted only when the request has exactly
    /// one `Origin` header equal to one of `origins` (scheme, host and
    /// port, e.g. `https://app.example.com`; compared without regard to
    /// case). A missing `Origin`, or `null`, is refused with
    /// [`ErrorKind::OriginNotAllowed`](crate::ErrorKind::OriginNotAllowed)
    /// (403). Credentials from the `Authorization` header are not checked:
    /// a browser never adds that header by itself.
    ///
    /// A [`RequestParts`](crate::RequestParts) built from headers alone has
    /// no method, and is treated as unsafe.
    ///
    /// ```
    /// let verifier = jwtguard::Verifier::builder()
    ///     .hs256_secret("a-shared-secret-of-at-least-32-bytes!")
    ///     .credential_sources(|sources| {
    ///         sources
    ///             .token_cookie("auth_token")
    ///             .cookie_origins(["https://app.example.com"])
    ///     })
    ///     .build()?;
    /// # Ok::<(), jwtguard::ConfigError>(())
    /// ```
    pub fn cookie_origins<I>(mut self, origins: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.cookie_origins
            .extend(origins.into_iter().map(|origin| {
                origin
                    .into()
                    .trim()
                    .trim_end_matches('/')
                    .to_ascii_lowercase()
            }));
        self
    }

    /// Also reads a JWT from the query parameter `name` (for example
    /// `access_token`) of WebSocket upgrade requests, which a browser's
    /// `new WebSocket(url)` cannot give an `Authorization` header. Only a
    /// `GET` with `Upgrade: websocket` and `Connection: upgrade` is read
    /// this way; on any other request the parameter is ignored. The value
    /// must be the compact JWT as is (base64url and dots, nothing
    /// percent-encoded); a parameter sent twice, or together with an
    /// `Authorization` header, is
    /// [`MultipleCredentials`](crate::ErrorKind::MultipleCredentials). It
    /// wins over cookies, which the browser adds by itself.
    ///
    /// **Risks.** A URL is written where headers are not: proxy and access
    /// logs, browser history, `Referer` never (WebSocket URLs are not
    /// navigated). jwtguard never logs it, but a `TraceLayer` or a reverse
    /// proxy logging the request line will: keep such logs off the upgrade
    /// route or strip the query, and send short-lived tokens (Better Auth's
    /// JWT plugin issues 15-minute ones). When the page and the API share a
    /// site, Better Auth's session cookie needs no query parameter at all.
    ///
    /// ```
    /// let verifier = jwtguard::Verifier::builder()
    ///     .hs256_secret("a-shared-secret-of-at-least-32-bytes!")
    ///     .credential_sources(|sources| sources.websocket_query("access_token"))
    ///     .build()?;
    /// # Ok::<(), jwtguard::ConfigError>(())
    /// ```
    pub fn websocket_query(mut self, name: impl Into<String>) -> Self {
        self.websocket_query = Some(name.into());
        self
    }

    /// Checks the names and origins; `sessions` says whether Better Auth's
    /// session cookies are read too (then origins guard them even without a
    /// token cookie).
    pub(crate) fn check(&self, sessions: bool) -> Result<(), ConfigError> {
        if let Some(name) = &self.token_cookie {
            let valid = |b: u8| b.is_ascii_graphic() && !matches!(b, b'=' | b';' | b',');
            if name.is_empty() || !name.bytes().all(valid) {
                return Err(ConfigError::InvalidCookieName);
            }
        }
        if !self.cookie_origins.is_empty() && self.token_cookie.is_none() && !sessions {
            return Err(ConfigError::OriginsWithoutCookie);
        }
        if self
            .cookie_origins
            .iter()
            .any(|origin| origin.is_empty() || origin == "null")
        {
            return Err(ConfigError::InvalidOrigin);
        }
        if let Some(name) = &self.websocket_query {
            let valid = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.');
            if name.is_empty() || !name.bytes().all(valid) {
                return Err(ConfigError::InvalidQueryParameter);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_compared_in_lower_case_without_a_trailing_slash() {
        let sources = CredentialSources::default()
            .token_cookie("auth_token")
            .cookie_origins([" https://App.Example.com/ "]);
        assert_eq!(sources.cookie_origins, ["https://app.example.com"]);
        assert_eq!(sources.check(false), Ok(()));
    }

    #[test]
    fn origins_need_a_cookie_credential() {
        let sources = CredentialSources::default().cookie_origins(["https://app.example.com"]);
        assert_eq!(sources.check(false), Err(ConfigError::OriginsWithoutCookie));
        assert_eq!(sources.check(true), Ok(()));
    }

    #[test]
    fn bad_names_and_origins_are_refused() {
        let cookie = |name: &str| CredentialSources::default().token_cookie(name).check(false);
        assert_eq!(cookie(""), Err(ConfigError::InvalidCookieName));
        assert_eq!(cookie("a=b"), Err(ConfigError::InvalidCookieName));
        assert_eq!(cookie("auth token"), Err(ConfigError::InvalidCookieName));
        let origin = |origin: &str| {
            CredentialSources::default()
                .token_cookie("t")
                .cookie_origins([origin])
                .check(false)
        };
        assert_eq!(origin("null"), Err(ConfigError::InvalidOrigin));
        assert_eq!(origin("/"), Err(ConfigError::InvalidOrigin));
        let query = |name: &str| {
            CredentialSources::default()
                .websocket_query(name)
                .check(false)
        };
        assert_eq!(query(""), Err(ConfigError::InvalidQueryParameter));
        assert_eq!(query("a&b"), Err(ConfigError::InvalidQueryParameter));
        assert_eq!(query("access_token"), Ok(()));
    }
}
