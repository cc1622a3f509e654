//! actix-web extractors (feature `actix`, for actix-web 4).
//!
//! Register the [`Verifier`] as app data (`web::Data<Verifier>`, or a plain
//! `Verifier` with `.app_data(verifier)`). A handler that asks for an
//! extractor on an app without one gets a 500 without details and a WARN
//! event naming the fix. Every refusal is answered by [`Verifier::reject`]:
//! the same status, `WWW-Authenticate` header and JSON body as the axum adapter.
//!
//! | extractor | gives | refuses with |
//! |---|---|---|
//! | [`Auth<C>`] | verified claims (`Claims` or your type) | 401 |
//! | [`OptionalAuth<C>`] | `None` when no credentials were sent | 401 when invalid ones were |
//! | [`UserId`] | the verified `sub` | 401 |
//! | [`OwnerOf<P, C>`] | the verified user, only on their own `/{user_id}/` path | 401, then 403 |
//! | [`Require<G, C>`] | verified claims that the guard `G` allows | 401, then 403 |
//!
//! [`AuthMiddleware`] authenticates a whole app or scope (`.wrap(...)`);
//! behind it, the extractors read the claims it verified instead of
//! verifying again.
//!
//! Use [`OptionalAuth`], not `Option<Auth>`: actix-web turns every extractor
//! error into `None` for `Option<T>`, so an invalid token would pass as anonymous.
//!
//! ```
//! use actix_web::{web, App, HttpResponse};
//! use jwtguard::actix::{Auth, OwnerOf};
//! use jwtguard::Verifier;
//!
//! async fn me(Auth(claims): Auth) -> String {
//!     format!("hello {}", claims.sub())
//! }
//!
//! async fn tasks(owner: OwnerOf) -> String {
//!     format!("tasks of {}", owner.user_id())
//! }
//!
//! # fn main() -> Result<(), jwtguard::ConfigError> {
//! let verifier = Verifier::builder()
//!     .hs256_secret("a-shared-secret-of-at-least-32-bytes!")
//!     .build()?;
//! let app = App::new()
//!     .app_data(web::Data::new(verifier))
//!     .route("/me", web::get().to(me))
//!     .route("/api/{user_id}/tasks", web::get().to(tasks));
//! # Ok(())
//! # }
//! ```
//!
//! **CORS**: wrap the app in `actix_cors::Cors`; middleware answers preflight
//! `OPTIONS` requests before any handler or extractor runs.

use ::actix_web::body::BoxBody;
use ::actix_web::dev::Payload;
use ::actix_web::http::StatusCode;
use ::actix_web::http::header::HeaderMap;
use ::actix_web::{FromRequest, HttpMessage, HttpRequest, HttpResponse, ResponseError, web};
use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};
use std::fmt;
use std::future::Future;
use std::pin::Pin;

use crate::credential::RequestParts;
use crate::error::{Error, ErrorKind};
use crate::http::credentials::HeaderSource;
pub use crate::http::extractors::{Auth, OwnerOf, Require, UserId};
use crate::http::owner::{PathParam, owner_param};
use crate::http::response::Rejection;
use crate::token::claims::Claims;
use crate::token::decode::DecodeClaims;
use crate::token::guard::Guard;
use crate::trace;
use crate::verifier::{Verifier, optional};

mod middleware;
use self::middleware::Anonymous;
pub use self::middleware::{AuthMiddleware, AuthMiddlewareFuture, AuthMiddlewareService};

/// What a verifier reads of an actix-web request.
fn request_parts(req: &HttpRequest) -> RequestParts<'_, HeaderMap> {
    RequestParts::new(req.method().as_str(), req.uri().query(), req.headers()).with_path(req.path())
}

impl HeaderSource for HeaderMap {
    fn header_values<'a>(&'a self, name: &'static str) -> impl Iterator<Item = &'a [u8]> + 'a {
        self.get_all(name).map(|value| value.as_bytes())
    }
}

/// Optional authentication: `None` when the request carried no credentials,
/// a 401 when it carried invalid ones.
///
/// ```
/// use jwtguard::actix::OptionalAuth;
///
/// async fn greeting(OptionalAuth(claims): OptionalAuth) -> String {
///     match claims {
///         Some(claims) => format!("hello {}", claims.sub()),
///         None => "hello stranger".into(),
///     }
/// }
/// ```
#[derive(Debug, Clone)]
pub struct OptionalAuth<C = Claims>(pub Option<C>);

/// Answers with the response [`Verifier::reject`] rendered.
impl ResponseError for Rejection {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.response().status().as_u16())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse<BoxBody> {
        actix_response(self.response())
    }
}

/// An `http` response as actix-web's.
fn actix_response(response: &http::Response<String>) -> HttpResponse<BoxBody> {
    let status = StatusCode::from_u16(response.status().as_u16())
        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut builder = HttpResponse::build(status);
    for (name, value) in response.headers() {
        builder.append_header((name.as_str(), value.as_bytes()));
    }
    builder.body(response.body().clone())
}

/// The verifier registered on the app, as `web::Data<Verifier>` or `Verifier`.
fn registered_verifier(req: &HttpRequest) -> Result<Verifier, Rejection> {
    req.app_data::<web::Data<Verifier>>()
        .map(|data| data.get_ref().clone())
        .or_else(|| req.app_data::<Verifier>().cloned())
        .ok_or_else(|| {
            trace::misconfigured(
                "no jwtguard Verifier is registered: add .app_data(web::Data::new(verifier)) to the App",
            );
            Rejection::from(Error::from(ErrorKind::Misconfigured))
        })
}

/// The future of every extractor here. Verification is synchronous except
/// when a token names an unknown `kid` and a JWKS reload is awaited, or a
/// session token is looked up.
pub type Extracting<T> = Pin<Box<dyn Future<Output = Result<T, Rejection>>>>;

/// The request's claims as `C`, then `finish` makes the extractor (or
/// refuses, with the same verifier's answer). The claims are those an
/// [`AuthMiddleware`] verified for this request, when it did, else a
/// verification of the request's credentials.
fn extract<C, T>(
    req: &HttpRequest,
    finish: impl FnOnce(&HttpRequest, C) -> Result<T, Error> + 'static,
) -> Extracting<T>
where
    C: DecodeClaims + 'static,
    T: 'static,
{
    let req = req.clone();
    Box::pin(async move {
        let verified = req.extensions().get::<Claims>().map(C::from_claims);
        if let Some(claims) = verified {
            return claims
                .map_err(Error::from)
                .and_then(|claims| finish(&req, claims))
                .map_err(|error| reject_verified(&req, error));
        }
        if req.extensions().contains::<Anonymous>() {
            // An optional middleware found no credentials.
            return Err(reject_verified(&req, ErrorKind::MissingCredentials.into()));
        }
        let verifier = registered_verifier(&req)?;
        verifier
            .verify_request::<C, _>(&request_parts(&req))
            .await
            .and_then(|claims| finish(&req, claims))
            .map_err(|error| verifier.reject(error))
    })
}

/// Refuses a request the middleware let in: with the registered verifier's
/// rendering, or the default one when only the middleware holds a verifier.
fn reject_verified(req: &HttpRequest, error: Error) -> Rejection {
    match req.app_data::<web::Data<Verifier>>() {
        Some(verifier) => verifier.reject(error),
        None => match req.app_data::<Verifier>() {
            Some(verifier) => verifier.reject(error),
            None => {
                trace::refused(&error);
                Rejection::from(error)
            }
        },
    }
}

impl<C: DecodeClaims + 'static> FromRequest for Auth<C> {
    type Error = Rejection;
    type Future = Extracting<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        extract::<C, _>(req, |_, claims| Ok(Auth(claims)))
    }
}

impl<C: DecodeClaims + 'static> FromRequest for OptionalAuth<C> {
    type Error = Rejection;
    type Future = Extracting<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let verified = req.extensions().get::<Claims>().map(C::from_claims);
            if let Some(claims) = verified {
                return claims
                    .map(|claims| OptionalAuth(Some(claims)))
                    .map_err(|kind| reject_verified(&req, kind.into()));
            }
            if req.extensions().contains::<Anonymous>() {
                return Ok(OptionalAuth(None));
            }
            let verifier = registered_verifier(&req)?;
            let verified = verifier.verify_request::<C, _>(&request_parts(&req)).await;
            optional(verified)
                .map(OptionalAuth)
                .map_err(|error| verifier.reject(error))
        })
    }
}

impl FromRequest for UserId {
    type Error = Rejection;
    type Future = Extracting<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        extract::<Claims, _>(req, |_, claims| Ok(UserId(claims.sub().to_owned())))
    }
}

impl<G: Guard, C: DecodeClaims + 'static> FromRequest for Require<G, C> {
    type Error = Rejection;
    type Future = Extracting<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        extract::<Claims, _>(req, |_, claims| Require::authorize(claims))
    }
}

impl<P: PathParam + 'static, C: DecodeClaims + 'static> FromRequest for OwnerOf<P, C> {
    type Error = Rejection;
    type Future = Extracting<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        extract::<Claims, _>(req, |req, claims| {
            // Not reached: every value deserializes as a string.
            let Ok(PathParams(params)) = req.match_info().load::<PathParams>() else {
                return Err(ErrorKind::Forbidden.into());
            };
            let params = params.iter().map(|(name, value)| (&**name, &**value));
            let value = owner_param(P::NAME, req.uri().path(), params)?;
            OwnerOf::authorize(claims, value)
        })
    }
}

/// The route's parameters, (name, value) in order, each value read as
/// `web::Path` reads it.
///
/// `match_info().get()` gives a value as the router matched it: actix-web
/// decodes the request path once but keeps `%2F`, `%2B` and `%25` encoded
/// (and writes U+FFFD for invalid UTF-8). `web::Path` decodes each value
/// through `match_info().load()`, actix-router's `PathDeserializer`, which
/// percent-decodes those three too. Loading this type through the same
/// deserializer gives `OwnerOf` the very string `web::Path<String>` gives
/// the handler.
struct PathParams(Vec<(String, String)>);

impl<'de> Deserialize<'de> for PathParams {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(PathParamsVisitor)
    }
}

struct PathParamsVisitor;

impl<'de> Visitor<'de> for PathParamsVisitor {
    type Value = PathParams;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the route's path parameters")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<PathParams, A::Error> {
        let mut params = Vec::new();
        while let Some(name) = map.next_key_seed(ParamName)? {
            params.push((name, map.next_value::<String>()?));
        }
        Ok(PathParams(params))
    }
}

/// A parameter's name: actix-router's path deserializer gives names only
/// as identifiers.
struct ParamName;

impl<'de> DeserializeSeed<'de> for ParamName {
    type Value = String;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<String, D::Error> {
        deserializer.deserialize_identifier(self)
    }
}

impl Visitor<'_> for ParamName {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a path parameter name")
    }

    fn visit_str<E: de::Error>(self, name: &str) -> Result<String, E> {
        Ok(name.to_owned())
    }
}

/// Serves the RFC 9728 Protected Resource Metadata document (feature
/// `oauth`) for apps that use the extractors without
/// [`AuthMiddleware`] (which serves it by itself). Route it at
/// `/.well-known/oauth-protected-resource` and, for a resource with a
/// path, that path appended; anything else is 404.
///
/// ```
/// use actix_web::{App, web};
///
/// let verifier = jwtguard::testing::oauth_verifier();
/// let app = App::new()
///     .app_data(web::Data::new(verifier))
///     .route(
///         "/.well-known/oauth-protected-resource/mcp",
///         web::get().to(jwtguard::actix::resource_metadata),
///     );
/// ```
#[cfg(feature = "oauth")]
#[cfg_attr(docsrs, doc(cfg(feature = "oauth")))]
pub async fn resource_metadata(req: HttpRequest) -> HttpResponse {
    let verifier = match registered_verifier(&req) {
        Ok(verifier) => verifier,
        Err(rejection) => return rejection.error_response(),
    };
    match verifier.resource_metadata_response(req.method().as_str(), req.path()) {
        Some(document) => actix_response(&document),
        None => HttpResponse::NotFound().finish(),
    }
}
