//! axum extractors (feature `axum`, for axum 0.8).
//!
//! The [`Verifier`] comes from the router's state through `FromRef`, so a
//! router without one does not compile. Every refusal is answered by
//! [`Verifier::reject`]: the same status, `WWW-Authenticate` header and
//! JSON body as the actix adapter.
//!
//! | extractor | gives | refuses with |
//! |---|---|---|
//! | [`Auth<C>`] | verified claims (`Claims` or your type) | 401 |
//! | `Option<Auth<C>>` | `None` when no credentials were sent | 401 when invalid ones were |
//! | [`UserId`] | the verified `sub` | 401 |
//! | [`OwnerOf<P, C>`] | the verified user, only on their own `/{user_id}/` path | 401, then 403 |
//! | [`Require<G, C>`] | verified claims that the guard `G` allows | 401, then 403 |
//!
//! Behind an [`AuthLayer`](crate::tower::AuthLayer) (feature `tower`), each
//! extractor reads the claims the layer verified instead of verifying again.
//!
//! ```
//! use axum::{routing::get, Router};
//! use jwtguard::axum::{Auth, OwnerOf};
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
//! let app: Router = Router::new()
//!     .route("/me", get(me))
//!     .route("/api/{user_id}/tasks", get(tasks))
//!     .with_state(verifier);
//! # Ok(())
//! # }
//! ```
//!
//! With a larger state, implement `FromRef<YourState> for Verifier` (or derive
//! `FromRef` with axum's `macros` feature).
//!
//! **CORS**: put tower-http's `CorsLayer` on the router (`.layer(cors)`), so
//! that it answers preflight `OPTIONS` requests before any route or extractor
//! runs; a preflight never carries the token.

use ::axum::extract::RawPathParams;
use ::axum::extract::rejection::RawPathParamsRejection;
use ::axum_core::body::Body;
use ::axum_core::extract::{FromRef, FromRequestParts, OptionalFromRequestParts};
use ::axum_core::response::{IntoResponse, Response};
use http::request::Parts;

use crate::credential::RequestParts;
use crate::error::{Error, ErrorKind};
pub use crate::http::extractors::{Auth, OwnerOf, Require, UserId};
use crate::http::owner::{PathParam, owner_param};
use crate::http::response::Rejection;
use crate::token::claims::Claims;
use crate::token::decode::DecodeClaims;
use crate::token::guard::Guard;
use crate::verifier::{Verifier, optional};

/// Answers with the response [`Verifier::reject`] rendered.
impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        self.into_http_response().map(Body::from)
    }
}

/// The verifier in the router's state renders the refusal.
fn reject<S>(state: &S, error: Error) -> Rejection
where
    Verifier: FromRef<S>,
{
    Verifier::from_ref(state).reject(error)
}

/// The request's claims as `C`: read from those an
/// [`AuthLayer`](crate::tower::AuthLayer) verified for this request (in its
/// extensions), else from a verification of its credentials.
async fn claims_of<S, C>(parts: &Parts, state: &S) -> Result<C, Error>
where
    Verifier: FromRef<S>,
    C: DecodeClaims,
{
    match parts.extensions.get::<Claims>() {
        Some(claims) => Ok(C::from_claims(claims)?),
        None => {
            Verifier::from_ref(state)
                .verify_request(&RequestParts::from(parts))
                .await
        }
    }
}

/// [`claims_of`], refusals rendered by the state's verifier.
async fn verified<S, C>(parts: &Parts, state: &S) -> Result<C, Rejection>
where
    Verifier: FromRef<S>,
    C: DecodeClaims,
{
    claims_of(parts, state)
        .await
        .map_err(|error| reject(state, error))
}

impl<S, C> FromRequestParts<S> for Auth<C>
where
    Verifier: FromRef<S>,
    S: Send + Sync,
    C: DecodeClaims + Send,
{
    type Rejection = Rejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        verified(parts, state).await.map(Auth)
    }
}

impl<S, C> OptionalFromRequestParts<S> for Auth<C>
where
    Verifier: FromRef<S>,
    S: Send + Sync,
    C: DecodeClaims + Send,
{
    type Rejection = Rejection;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        optional(claims_of(parts, state).await)
            .map(|claims| claims.map(Auth))
            .map_err(|error| reject(state, error))
    }
}

impl<S> FromRequestParts<S> for UserId
where
    Verifier: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Rejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let claims: Claims = verified(parts, state).await?;
        Ok(UserId(claims.sub().to_owned()))
    }
}

impl<S, G, C> FromRequestParts<S> for Require<G, C>
where
    Verifier: FromRef<S>,
    S: Send + Sync,
    G: Guard,
    C: DecodeClaims + Send,
{
    type Rejection = Rejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let claims: Claims = verified(parts, state).await?;
        Require::authorize(claims).map_err(|error| reject(state, error))
    }
}

impl<S, P, C> FromRequestParts<S> for OwnerOf<P, C>
where
    Verifier: FromRef<S>,
    S: Send + Sync,
    P: PathParam,
    C: DecodeClaims + Send,
{
    type Rejection = Rejection;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let claims: Claims = verified(parts, state).await?;
        // `RawPathParams` holds the values `axum::extract::Path` reads:
        // each percent-decoded once, as UTF-8.
        let owner = match RawPathParams::from_request_parts(parts, state).await {
            Ok(params) => owner_param(P::NAME, parts.uri.path(), params.iter())
                .and_then(|value| OwnerOf::authorize(claims, value)),
            // A parameter (any of them) is not UTF-8 after percent-decoding:
            // no one's id, as U+FFFD is for actix-web.
            Err(RawPathParamsRejection::InvalidUtf8InPathParam(_)) => {
                Err(ErrorKind::Forbidden.into())
            }
            Err(_) => OwnerOf::authorize(claims, None),
        };
        owner.map_err(|error| reject(state, error))
    }
}

/// Serves the RFC 9728 Protected Resource Metadata document (feature
/// `oauth`) for routers that use the extractors without
/// [`AuthLayer`](crate::tower::AuthLayer) (which serves it by itself).
/// Route it at `/.well-known/oauth-protected-resource` and, for a resource
/// with a path, that path appended; anything else is 404.
///
/// ```
/// use axum::{Router, routing::get};
///
/// let verifier = jwtguard::testing::oauth_verifier();
/// let app: Router = Router::new()
///     .route("/.well-known/oauth-protected-resource", get(jwtguard::axum::resource_metadata))
///     .route("/.well-known/oauth-protected-resource/mcp", get(jwtguard::axum::resource_metadata))
///     .with_state(verifier);
/// ```
#[cfg(feature = "oauth")]
#[cfg_attr(docsrs, doc(cfg(feature = "oauth")))]
pub async fn resource_metadata(
    ::axum::extract::State(verifier): ::axum::extract::State<Verifier>,
    method: http::Method,
    uri: http::Uri,
) -> Response {
    match verifier.resource_metadata_response(method.as_str(), uri.path()) {
        Some(document) => document.map(Body::from),
        None => http::StatusCode::NOT_FOUND.into_response(),
    }
}
