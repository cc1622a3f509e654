//! The credential seam: a request is read, once, into exactly the one
//! credential it presents ([`read`]), and that credential is then verified
//! by its own kind ([`Presented::verify_now`], [`Presented::verify`]).
//!
//! Every rule about *where* credentials come from lives in [`read`]: which
//! place wins (a WebSocket upgrade's query token, then the one
//! `Authorization` header, then the token cookie, then Better Auth's session
//! cookie), what counts as sent twice, and which cookie credentials need an
//! allowed `Origin`. Each kind is a module of its own:
//!
//! - `jwt`: a compact JWT (HS256 or a JWKS key) from the `Authorization`
//!   header, the token cookie or the WebSocket query parameter, verified by
//!   the verifier's token path;
//! - `session`: Better Auth's signed session token, from its cookie or the
//!   bearer plugin's header, resolved by the cookie cache or the session
//!   store (`crate::session`);
//! - `access_token`: an OAuth access token of Better Auth's provider
//!   (`crate::oauth`): a `Bearer` JWT whose header says `at+jwt` (the JWT
//!   kind hands it over), or `Authorization: DPoP` with its proof;
//! - `api_key`: an API key of Better Auth's `@better-auth/api-key` plugin
//!   (`crate::api_key`), from its header (`x-api-key`), found and counted
//!   in the plugin's database.
//!
//! Adding a kind is a module here, a field of [`Credentials`] holding its
//! settings, a variant of [`Presented`] and its step in [`read`]; the
//! verifier's core (`crate::verifier`) does not change.

mod access_token;
mod api_key;
mod jwt;
mod request;
mod session;
mod sources;

use crate::api_key::ApiKeys;
use crate::error::{Error, ErrorKind};
use crate::http::credentials::{
    HeaderSource, check_origin, is_unsafe_method, is_websocket_upgrade, may_upgrade,
};
use crate::oauth::AccessTokens;
use crate::session::Sessions;
use crate::token::decode::DecodeClaims;
use crate::verifier::Verifier;

pub use self::request::RequestParts;
pub use self::sources::CredentialSources;

/// The credentials a verifier accepts besides a bare token, and where it
/// looks for them.
#[derive(Debug, Default)]
pub(crate) struct Credentials {
    /// The cookie a JWT may come in (`CredentialSources::token_cookie`).
    pub(crate) token_cookie: Option<String>,
    /// Origins allowed to send cookie credentials with unsafe methods and
    /// upgrades (lower case); empty: no check.
    pub(crate) cookie_origins: Vec<String>,
    /// The query parameter read for a JWT on WebSocket upgrade requests.
    pub(crate) websocket_query: Option<String>,
    /// Better Auth session credentials, when any are accepted.
    pub(crate) sessions: Option<Sessions>,
    /// OAuth access tokens for this resource, when accepted (feature `oauth`).
    pub(crate) access_tokens: Option<AccessTokens>,
    /// API keys of Better Auth's plugin, when accepted (feature `api-key`).
    pub(crate) api_keys: Option<ApiKeys>,
}

/// The one credential a request presents, not yet verified.
pub(crate) enum Presented<'r> {
    /// A compact JWT.
    Jwt(&'r str),
    /// A signed Better Auth session token.
    Session(session::SessionToken<'r>),
    /// An access token sent with the `DPoP` scheme, to be checked with the
    /// request's proof.
    Dpop(&'r str),
    /// An opaque access token sent as `Bearer`, to be introspected.
    Opaque(&'r str),
    /// An API key from its header, to be found in its store.
    ApiKey(&'r str),
}

/// Reads the one credential `request` presents.
///
/// The order is fixed: with API keys accepted, the one value of their
/// header (never together with an `Authorization` header or a WebSocket
/// query token; cookies, which a browser adds on its own, are ignored
/// then); with `websocket_query`, a WebSocket upgrade's query
/// token (never together with an `Authorization` header); then the one
/// `Authorization` header (a JWT, or a bearer-plugin session token, told
/// apart by their dots); without it, the token cookie, then Better Auth's
/// session cookie. Nothing at all is [`ErrorKind::MissingCredentials`].
pub(crate) fn read<'r, H: HeaderSource>(
    credentials: &'r Credentials,
    request: &RequestParts<'r, H>,
) -> Result<Presented<'r>, ErrorKind> {
    let headers = request.headers();
    if let Some(keys) = &credentials.api_keys {
        if let Some(key) = api_key::from_headers(keys, headers)? {
            let authorization = headers.header_values("authorization").next().is_some();
            if authorization || websocket_token(credentials, request)?.is_some() {
                return Err(ErrorKind::MultipleCredentials);
            }
            return Ok(Presented::ApiKey(key));
        }
    }
    if let Some(token) = websocket_token(credentials, request)? {
        return Ok(Presented::Jwt(token));
    }
    let mut authorization = headers.header_values("authorization");
    match (authorization.next(), authorization.next()) {
        (Some(_), Some(_)) => Err(ErrorKind::MultipleCredentials),
        (Some(value), None) => {
            if let Some(tokens) = &credentials.access_tokens {
                if let Some(token) = access_token::from_authorization(tokens, value)? {
                    return Ok(Presented::Dpop(token));
                }
                if let Some(token) = tokens.opaque_from_authorization(value) {
                    return Ok(Presented::Opaque(token));
                }
            }
            if credentials.sessions.as_ref().is_some_and(|s| s.bearer) {
                if let Some(token) = session::from_authorization(value)? {
                    return Ok(Presented::Session(token));
                }
            }
            jwt::from_authorization(value).map(Presented::Jwt)
        }
        (None, _) => {
            if let Some(name) = &credentials.token_cookie {
                if let Some(token) = jwt::from_cookie(headers, name)? {
                    check_cookie_origin(credentials, request)?;
                    return Ok(Presented::Jwt(token));
                }
            }
            if let Some(sessions) = &credentials.sessions {
                if let Some(token) = session::from_cookie(sessions, headers)? {
                    check_cookie_origin(credentials, request)?;
                    return Ok(Presented::Session(token));
                }
            }
            Err(ErrorKind::MissingCredentials)
        }
    }
}

/// The JWT in the WebSocket query parameter of an upgrade request, when
/// that parameter is configured.
fn websocket_token<'r, H: HeaderSource>(
    credentials: &Credentials,
    request: &RequestParts<'r, H>,
) -> Result<Option<&'r str>, ErrorKind> {
    let (Some(name), Some(query)) = (&credentials.websocket_query, request.query()) else {
        return Ok(None);
    };
    if !is_websocket_upgrade(request.method(), request.headers()) {
        return Ok(None);
    }
    let token = jwt::from_query(query, name)?;
    if token.is_some()
        && request
            .headers()
            .header_values("authorization")
            .next()
            .is_some()
    {
        return Err(ErrorKind::MultipleCredentials);
    }
    Ok(token)
}

/// A credential read from a cookie on an unsafe method, or on a request
/// with an `Upgrade` header (a WebSocket handshake is a `GET` that opens a
/// two-way channel, which no CORS check guards), needs an allowed
/// `Origin`, when origins are configured.
fn check_cookie_origin<H: HeaderSource>(
    credentials: &Credentials,
    request: &RequestParts<'_, H>,
) -> Result<(), ErrorKind> {
    let origins = &credentials.cookie_origins;
    let guarded = is_unsafe_method(Some(request.method())) || may_upgrade(request.headers());
    if !origins.is_empty() && guarded {
        check_origin(request.headers(), origins)?;
    }
    Ok(())
}

impl Presented<'_> {
    /// Verifies the credential as far as it goes without waiting: `None`
    /// when it must wait (a JWT whose `kid` calls for a JWKS reload, a
    /// session token that needs its store, an API key), then [`verify`](Self::verify).
    pub(crate) fn verify_now<T: DecodeClaims, H: HeaderSource>(
        &self,
        verifier: &Verifier,
        request: &RequestParts<'_, H>,
    ) -> Option<Result<T, Error>> {
        let credentials = &verifier.inner.credentials;
        match (self, &credentials.access_tokens) {
            (Self::Jwt(token), None) => jwt::verify_now(verifier, token),
            (Self::Jwt(token), Some(tokens)) => access_token::verify_now(tokens, verifier, token),
            (Self::Session(token), _) => match &credentials.sessions {
                Some(sessions) => session::verify_now(sessions, token, request.headers()),
                None => Some(Err(ErrorKind::MissingCredentials.into())),
            },
            // A proof goes to the replay store, which may have to wait.
            (Self::Dpop(_), _) => None,
            (Self::Opaque(token), Some(tokens)) => tokens.verify_opaque_now(token),
            (Self::Opaque(_), None) => Some(Err(ErrorKind::Malformed.into())),
            // A key is always looked up in its store.
            (Self::ApiKey(_), _) => None,
        }
    }

    /// Verifies the credential, waiting for what it needs.
    pub(crate) async fn verify<T: DecodeClaims, H: HeaderSource>(
        &self,
        verifier: &Verifier,
        request: &RequestParts<'_, H>,
    ) -> Result<T, Error> {
        let credentials = &verifier.inner.credentials;
        match (self, &credentials.access_tokens) {
            (Self::Jwt(token), None) => jwt::verify(verifier, token).await,
            (Self::Jwt(token), Some(tokens)) => {
                access_token::verify_bearer(tokens, verifier, token).await
            }
            (Self::Session(token), _) => {
                let sessions = credentials
                    .sessions
                    .as_ref()
                    .ok_or(ErrorKind::MissingCredentials)?;
                session::verify(sessions, token, request.headers()).await
            }
            (Self::Dpop(token), Some(tokens)) => tokens.verify_dpop(verifier, token, request).await,
            (Self::Dpop(_), None) => Err(ErrorKind::InvalidAuthorizationHeader.into()),
            (Self::Opaque(token), Some(tokens)) => tokens.verify_opaque(token).await,
            (Self::Opaque(_), None) => Err(ErrorKind::Malformed.into()),
            (Self::ApiKey(key), _) => match &credentials.api_keys {
                Some(keys) => api_key::verify(keys, key).await,
                None => Err(ErrorKind::MissingCredentials.into()),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::header::{AUTHORIZATION, COOKIE};
    use http::{HeaderMap, HeaderValue};

    fn read_jwt<'r>(
        credentials: &'r Credentials,
        headers: &'r HeaderMap,
    ) -> Result<&'r str, ErrorKind> {
        match read(credentials, &RequestParts::new("GET", None, headers))? {
            Presented::Jwt(token) => Ok(token),
            _ => panic!("not a JWT"),
        }
    }

    fn with_cookie(name: &str) -> Credentials {
        Credentials {
            token_cookie: Some(name.to_owned()),
            ..Credentials::default()
        }
    }

    #[test]
    fn two_authorization_headers_are_refused() {
        let mut headers = HeaderMap::new();
        headers.append(AUTHORIZATION, HeaderValue::from_static("Bearer a.b.c"));
        headers.append(AUTHORIZATION, HeaderValue::from_static("Bearer d.e.f"));
        assert_eq!(
            read_jwt(&Credentials::default(), &headers).unwrap_err(),
            ErrorKind::MultipleCredentials
        );
    }

    #[test]
    fn the_token_cookie_is_used_only_without_an_authorization_header() {
        let mut headers = HeaderMap::new();
        headers.append(COOKIE, HeaderValue::from_static("theme=dark; jwt=a.b.c"));
        assert_eq!(read_jwt(&with_cookie("jwt"), &headers), Ok("a.b.c"));
        assert_eq!(
            read_jwt(&Credentials::default(), &headers).unwrap_err(),
            ErrorKind::MissingCredentials
        );
        headers.append(AUTHORIZATION, HeaderValue::from_static("Bearer x.y.z"));
        assert_eq!(read_jwt(&with_cookie("jwt"), &headers), Ok("x.y.z"));
    }

    #[cfg(feature = "api-key")]
    fn with_api_keys() -> Credentials {
        let pool = sqlx::sqlite::SqlitePoolOptions::new()
            .connect_lazy("sqlite::memory:")
            .unwrap();
        let policy = crate::token::rules::ClaimRules::default()
            .policy(crate::token::clock::Clock::system())
            .unwrap();
        let settings = crate::api_key::ApiKeySettings::default()
            .store(crate::api_key::SqlApiKeyStore::sqlite(pool));
        Credentials {
            token_cookie: Some("jwt".into()),
            api_keys: settings.build(&policy).unwrap(),
            ..Credentials::default()
        }
    }

    #[cfg(feature = "api-key")]
    #[tokio::test]
    async fn an_api_key_is_read_from_its_header_alone() {
        let credentials = with_api_keys();
        let read_key = |headers: &HeaderMap| match read(
            &credentials,
            &RequestParts::new("GET", None, headers),
        ) {
            Ok(Presented::ApiKey(key)) => Ok(key.to_owned()),
            Ok(_) => panic!("not an API key"),
            Err(kind) => Err(kind),
        };
        let mut headers = HeaderMap::new();
        headers.append("x-api-key", HeaderValue::from_static("abcDEF"));
        // Cookies come with every browser request: the key wins over them.
        headers.append(COOKIE, HeaderValue::from_static("jwt=a.b.c"));
        assert_eq!(read_key(&headers), Ok("abcDEF".to_owned()));

        let mut twice = headers.clone();
        twice.append("x-api-key", HeaderValue::from_static("abcDEF"));
        assert_eq!(read_key(&twice), Err(ErrorKind::MultipleCredentials));

        let mut with_authorization = headers.clone();
        with_authorization.append(AUTHORIZATION, HeaderValue::from_static("Bearer a.b.c"));
        assert_eq!(
            read_key(&with_authorization),
            Err(ErrorKind::MultipleCredentials)
        );

        let mut empty = HeaderMap::new();
        empty.append("x-api-key", HeaderValue::from_static(""));
        assert_eq!(read_key(&empty), Err(ErrorKind::InvalidApiKey));
    }

    #[test]
    fn the_token_cookie_sent_twice_is_refused() {
        let mut headers = HeaderMap::new();
        headers.append(COOKIE, HeaderValue::from_static("jwt=a.b.c"));
        headers.append(COOKIE, HeaderValue::from_static("jwt=d.e.f"));
        assert_eq!(
            read_jwt(&with_cookie("jwt"), &headers).unwrap_err(),
            ErrorKind::MultipleCredentials
        );
    }
}
