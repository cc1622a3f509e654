//! A tower [`Layer`] that authenticates every request of a service (feature
//! `tower`): an axum `Router`, a hyper service, a tonic gRPC server.
//!
//! [`AuthLayer`] verifies each request's credentials as the extractors do
//! (the `Authorization` header, the token cookie, Better Auth's session
//! credentials, the WebSocket query parameter), puts the verified
//! [`Claims`] (and, with [`AuthLayer::claims`], your own type) in the
//! request's extensions, and answers refusals exactly as the adapters do:
//! same status, `WWW-Authenticate` challenge and JSON body, through
//! [`Verifier::reject`]. A gRPC call (a `POST` with `content-type:
//! application/grpc`) is refused with a gRPC status instead: `UNAUTHENTICATED` or
//! `PERMISSION_DENIED` in a trailers-only response.
//!
//! Behind the layer, the axum extractors (`Auth`, `UserId`, `OwnerOf`,
//! `Require`) read the claims it placed instead of verifying again;
//! `axum::Extension<Claims>` reads them too. They trust the layer's
//! verification: give the layer the verifier the routes' state holds (a
//! laxer layer verifier, say without the audience check, would be what
//! counts).
//!
//! ```
//! use axum::{routing::get, Extension, Router};
//! use jwtguard::tower::AuthLayer;
//! use jwtguard::{Claims, Verifier};
//!
//! async fn me(Extension(claims): Extension<Claims>) -> String {
//!     format!("hello {}", claims.sub())
//! }
//!
//! # fn main() -> Result<(), jwtguard::ConfigError> {
//! let verifier = Verifier::builder()
//!     .hs256_secret("a-shared-secret-of-at-least-32-bytes!")
//!     .build()?;
//! let app: Router = Router::new()
//!     .route("/me", get(me))
//!     .layer(AuthLayer::new(verifier));
//! # Ok(())
//! # }
//! ```
//!
//! For tonic, the response body only needs `Default` ([`AuthLayer::grpc`]):
//!
//! ```ignore
//! tonic::transport::Server::builder()
//!     .layer(AuthLayer::new(verifier).grpc())
//!     .add_service(GreeterServer::new(greeter))
//!     .serve(address)
//!     .await?;
//! // In a method: request.extensions().get::<jwtguard::Claims>()
//! ```

mod service;

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

/// tower's `Layer` trait, re-exported so that wrapping a whole router
/// (`AuthLayer::new(verifier).layer(router)`) needs no `tower` dependency
/// of your own.
///
/// ```
/// use jwtguard::tower::{AuthLayer, Layer};
/// # let (verifier, _) = jwtguard::testing::doc_pair();
/// let app = AuthLayer::new(verifier).layer(axum::Router::<()>::new());
/// ```
pub use tower_layer::Layer;

pub use self::service::{AuthFuture, AuthService};
use crate::admission::Admission;
use crate::token::claims::Claims;
use crate::token::guard::ClaimGuard;
use crate::verifier::Verifier;

/// Authenticates every request of the service it wraps; see the
/// [module](self) docs. `C` is the type placed in the extensions next to
/// [`Claims`]; `A` says how refusals are written ([`Http`] or [`Grpc`]).
///
/// ```
/// use jwtguard::tower::AuthLayer;
/// use jwtguard::ClaimGuard;
///
/// # let (verifier, _) = jwtguard::testing::doc_pair();
/// let admins_only = AuthLayer::new(verifier).require(ClaimGuard::role("admin"));
/// ```
pub struct AuthLayer<C = Claims, A = Http> {
    settings: Admission,
    claims: PhantomData<fn() -> (C, A)>,
}

impl AuthLayer {
    /// A layer that refuses every request without valid credentials.
    ///
    /// ```
    /// # let (verifier, _) = jwtguard::testing::doc_pair();
    /// let layer = jwtguard::tower::AuthLayer::new(verifier);
    /// ```
    pub fn new(verifier: Verifier) -> Self {
        Self {
            settings: Admission::new(verifier),
            claims: PhantomData,
        }
    }
}

impl<C, A> AuthLayer<C, A> {
    /// Lets requests without any credentials through, with no claims in
    /// their extensions; invalid credentials are still refused (as
    /// `Option<Auth>` does). A guard applies only to requests with claims.
    ///
    /// ```
    /// # let (verifier, _) = jwtguard::testing::doc_pair();
    /// let layer = jwtguard::tower::AuthLayer::new(verifier).optional();
    /// ```
    pub fn optional(mut self) -> Self {
        self.settings.optional = true;
        self
    }

    /// Also requires the verified claims to satisfy `guard`: otherwise 403
    /// [`InsufficientClaims`](crate::ErrorKind::InsufficientClaims)
    /// (gRPC: `PERMISSION_DENIED`). Called twice, both guards apply.
    ///
    /// ```
    /// use jwtguard::ClaimGuard;
    /// # let (verifier, _) = jwtguard::testing::doc_pair();
    /// let layer = jwtguard::tower::AuthLayer::new(verifier)
    ///     .require(ClaimGuard::scope("tasks:read"))
    ///     .require(ClaimGuard::not_banned());
    /// ```
    pub fn require(mut self, guard: ClaimGuard) -> Self {
        self.settings.require(guard);
        self
    }

    /// Also places the claims as `D` (your serde type) in the extensions,
    /// read from the same verification; claims that do not fit `D` are
    /// refused with [`ClaimsShape`](crate::ErrorKind::ClaimsShape).
    ///
    /// ```
    /// #[derive(Clone, serde::Deserialize)]
    /// struct Session { sub: String, email: String }
    ///
    /// # let (verifier, _) = jwtguard::testing::doc_pair();
    /// let layer = jwtguard::tower::AuthLayer::new(verifier).claims::<Session>();
    /// ```
    pub fn claims<D>(self) -> AuthLayer<D, A> {
        AuthLayer {
            settings: self.settings,
            claims: PhantomData,
        }
    }

    /// For a tonic server: the response body then needs only `Default`
    /// (tonic's body has no JSON to carry). gRPC calls are refused with a
    /// gRPC status; any other request (a GET from a browser or a probe)
    /// with its HTTP status and challenge and an empty body. Without this,
    /// gRPC calls are still answered with a gRPC status, but the body type
    /// must also be `From<String>`.
    ///
    /// ```
    /// # let (verifier, _) = jwtguard::testing::doc_pair();
    /// let layer = jwtguard::tower::AuthLayer::new(verifier).grpc();
    /// ```
    pub fn grpc(self) -> AuthLayer<C, Grpc> {
        AuthLayer {
            settings: self.settings,
            claims: PhantomData,
        }
    }
}

impl<C, A> Clone for AuthLayer<C, A> {
    fn clone(&self) -> Self {
        Self {
            settings: self.settings.clone(),
            claims: PhantomData,
        }
    }
}

impl<C, A> fmt::Debug for AuthLayer<C, A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthLayer")
            .field("verifier", &self.settings.verifier)
            .field("optional", &self.settings.optional)
            .field("guard", &self.settings.guard)
            .finish()
    }
}

impl<S, C, A> Layer<S> for AuthLayer<C, A> {
    type Service = AuthService<S, C, A>;

    fn layer(&self, inner: S) -> Self::Service {
        AuthService::new(inner, Arc::new(self.settings.clone()))
    }
}

/// Refusals written as the adapters write them (JSON body, challenge), and
/// gRPC calls answered with a gRPC status; the response body must be
/// `From<String>` (axum's `Body`, `String`, http-body-util's `Full`).
///
/// ```
/// let layer: jwtguard::tower::AuthLayer<jwtguard::Claims, jwtguard::tower::Http> =
///     jwtguard::tower::AuthLayer::new(jwtguard::testing::doc_pair().0);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Http;

/// Refusals of gRPC calls written as a gRPC status, of other requests as
/// the bare HTTP status and challenge; the response body need only be
/// `Default` (tonic's). See [`AuthLayer::grpc`].
///
/// ```
/// let layer: jwtguard::tower::AuthLayer<jwtguard::Claims, jwtguard::tower::Grpc> =
///     jwtguard::tower::AuthLayer::new(jwtguard::testing::doc_pair().0).grpc();
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Grpc;

/// How a refusal becomes a response with body `B`: implemented for
/// [`Http`] and [`Grpc`] only.
pub trait Refusals<B>: sealed::Sealed {
    /// The response for `error`, refused by `verifier`; `grpc` says the
    /// request was a gRPC call.
    #[doc(hidden)]
    fn refuse(verifier: &Verifier, error: crate::error::Error, grpc: bool) -> http::Response<B>;

    /// The RFC 9728 metadata document's response in this service's body
    /// type, when it has room for it.
    #[doc(hidden)]
    fn document(response: http::Response<String>) -> Option<http::Response<B>>;
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::Http {}
    impl Sealed for super::Grpc {}
}

impl<B: From<String>> Refusals<B> for Http {
    fn refuse(verifier: &Verifier, error: crate::error::Error, grpc: bool) -> http::Response<B> {
        if grpc {
            // The gRPC answer, in an empty body of this service's type.
            return <Grpc as Refusals<()>>::refuse(verifier, error, true)
                .map(|()| B::from(String::new()));
        }
        verifier.reject(error).into_http_response().map(B::from)
    }

    fn document(response: http::Response<String>) -> Option<http::Response<B>> {
        Some(response.map(B::from))
    }
}

impl<B: Default> Refusals<B> for Grpc {
    fn refuse(verifier: &Verifier, error: crate::error::Error, grpc: bool) -> http::Response<B> {
        if grpc {
            crate::trace::refused(&error);
            return error.to_grpc_response();
        }
        // Not a gRPC call (a browser, a probe, a GET): the HTTP status and
        // challenge, with the empty body the service's body type allows;
        // never a 200 that a cache could keep.
        let mut response = verifier
            .reject(error)
            .into_http_response()
            .map(|_| B::default());
        let headers = response.headers_mut();
        headers.remove(http::header::CONTENT_TYPE);
        headers.remove(http::header::CONTENT_LENGTH);
        response
    }

    /// A gRPC server's body type holds no JSON document.
    fn document(_: http::Response<String>) -> Option<http::Response<B>> {
        None
    }
}
