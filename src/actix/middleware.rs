//! [`AuthMiddleware`]: authenticate a whole actix-web app or scope with
//! `.wrap(...)`, as the tower layer does for axum.

use std::fmt;
use std::future::{Future, Ready, ready};
use std::marker::PhantomData;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use ::actix_web::body::{EitherBody, MessageBody};
use ::actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform, forward_ready};
use ::actix_web::{HttpMessage, ResponseError};

use crate::admission::{Admission, typed_claims};
use crate::error::Error;
use crate::token::claims::Claims;
use crate::token::decode::DecodeClaims;
use crate::token::guard::ClaimGuard;
use crate::verifier::Verifier;

/// Authenticates every request of the app or scope it wraps: verifies the
/// credentials as the extractors do, puts the verified [`Claims`] (and,
/// with [`claims`](Self::claims), your own type) in the request's
/// extensions, and answers refusals as the extractors do (through
/// [`Verifier::reject`]). Behind it, the extractors read those claims
/// instead of verifying again; `web::ReqData<Claims>` reads them too. They
/// trust the middleware's verification: give it the verifier registered as
/// app data.
///
/// An extractor that refuses after the middleware let a request in
/// (`OwnerOf` on another user's path, a `Require` guard) renders its 403
/// with the verifier registered as app data, or with the default
/// rendering when none is: register it too when you set a custom
/// `error_response`.
///
/// ```
/// use actix_web::{web, App};
/// use jwtguard::actix::AuthMiddleware;
/// use jwtguard::{Claims, ClaimGuard};
///
/// async fn me(claims: web::ReqData<Claims>) -> String {
///     format!("hello {}", claims.sub())
/// }
///
/// # let (verifier, _) = jwtguard::testing::doc_pair();
/// let app = App::new()
///     .service(
///         web::scope("/admin")
///             .wrap(AuthMiddleware::new(verifier.clone()).require(ClaimGuard::role("admin")))
///             .route("/me", web::get().to(me)),
///     )
///     .service(web::scope("/api").wrap(AuthMiddleware::new(verifier)).route("/me", web::get().to(me)));
/// ```
pub struct AuthMiddleware<C = Claims> {
    settings: Admission,
    claims: PhantomData<fn() -> C>,
}

impl AuthMiddleware {
    /// A middleware that refuses every request without valid credentials.
    ///
    /// ```
    /// # let (verifier, _) = jwtguard::testing::doc_pair();
    /// let middleware = jwtguard::actix::AuthMiddleware::new(verifier);
    /// ```
    pub fn new(verifier: Verifier) -> Self {
        Self {
            settings: Admission::new(verifier),
            claims: PhantomData,
        }
    }
}

impl<C> AuthMiddleware<C> {
    /// Lets requests without any credentials through, with no claims in
    /// their extensions; invalid credentials are still refused. A guard
    /// applies only to requests with claims. Behind it, the extractors take
    /// such a request as anonymous (`OptionalAuth` is `None`, the others
    /// answer 401), with or without a verifier registered as app data.
    ///
    /// ```
    /// # let (verifier, _) = jwtguard::testing::doc_pair();
    /// let middleware = jwtguard::actix::AuthMiddleware::new(verifier).optional();
    /// ```
    pub fn optional(mut self) -> Self {
        self.settings.optional = true;
        self
    }

    /// Also requires the verified claims to satisfy `guard`: otherwise 403
    /// [`InsufficientClaims`](crate::ErrorKind::InsufficientClaims).
    /// Called twice, both guards apply.
    ///
    /// ```
    /// # let (verifier, _) = jwtguard::testing::doc_pair();
    /// let middleware = jwtguard::actix::AuthMiddleware::new(verifier)
    ///     .require(jwtguard::ClaimGuard::email_verified());
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
    /// let middleware = jwtguard::actix::AuthMiddleware::new(verifier).claims::<Session>();
    /// ```
    pub fn claims<D>(self) -> AuthMiddleware<D> {
        AuthMiddleware {
            settings: self.settings,
            claims: PhantomData,
        }
    }
}

impl<C> Clone for AuthMiddleware<C> {
    fn clone(&self) -> Self {
        Self {
            settings: self.settings.clone(),
            claims: PhantomData,
        }
    }
}

impl<C> fmt::Debug for AuthMiddleware<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthMiddleware")
            .field("verifier", &self.settings.verifier)
            .field("optional", &self.settings.optional)
            .field("guard", &self.settings.guard)
            .finish()
    }
}

impl<S, B, C> Transform<S, ServiceRequest> for AuthMiddleware<C>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: MessageBody + 'static,
    C: DecodeClaims + Clone + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = actix_web::Error;
    type Transform = AuthMiddlewareService<S, C>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(AuthMiddlewareService {
            service: Rc::new(service),
            settings: self.settings.clone(),
            claims: PhantomData,
        }))
    }
}

/// The service [`AuthMiddleware`] wraps around yours.
///
/// ```
/// fn named<S>(_: &jwtguard::actix::AuthMiddlewareService<S>) {}
/// ```
pub struct AuthMiddlewareService<S, C = Claims> {
    service: Rc<S>,
    settings: Admission,
    claims: PhantomData<fn() -> C>,
}

impl<S, C> fmt::Debug for AuthMiddlewareService<S, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthMiddlewareService")
            .field("verifier", &self.settings.verifier)
            .finish()
    }
}

impl<S, B, C> Service<ServiceRequest> for AuthMiddlewareService<S, C>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: MessageBody + 'static,
    C: DecodeClaims + Clone + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = actix_web::Error;
    type Future = AuthMiddlewareFuture<S::Future, B>;

    forward_ready!(service);

    fn call(&self, request: ServiceRequest) -> Self::Future {
        let settings = &self.settings;
        let (method, path) = (request.method().as_str(), request.path());
        if let Some(document) = crate::oauth::metadata_response(&settings.verifier, method, path) {
            let response = super::actix_response(&document);
            return AuthMiddlewareFuture::refused(
                request.into_response(response).map_into_right_body(),
            );
        }
        let verified = settings
            .verifier
            .verify_request_now::<Claims, _>(&super::request_parts(request.request()));
        let Some(verified) = verified else {
            // A JWKS reload or a session lookup to wait for.
            let service = Rc::clone(&self.service);
            let settings = settings.clone();
            return AuthMiddlewareFuture::waiting(Box::pin(async move {
                let verified = settings
                    .verifier
                    .verify_request::<Claims, _>(&super::request_parts(request.request()))
                    .await;
                match admit::<C>(&settings, verified, &request) {
                    Ok(()) => service
                        .call(request)
                        .await
                        .map(ServiceResponse::map_into_left_body),
                    Err(error) => Ok(refuse(&settings.verifier, request, error)),
                }
            }));
        };
        match admit::<C>(settings, verified, &request) {
            Ok(()) => AuthMiddlewareFuture::inner(self.service.call(request)),
            Err(error) => AuthMiddlewareFuture::refused(refuse(&settings.verifier, request, error)),
        }
    }
}

/// Marks a request an optional middleware let in without credentials, so
/// that the extractors behind it take it as anonymous instead of looking
/// for a verifier of their own (the app may register none).
pub(crate) struct Anonymous;

/// Lets a verified request in: the guard, then the claims (and `C`) into
/// its extensions. Without credentials, an optional middleware lets it in
/// marked [`Anonymous`].
fn admit<C>(
    settings: &Admission,
    verified: Result<Claims, Error>,
    request: &ServiceRequest,
) -> Result<(), Error>
where
    C: DecodeClaims + Clone + 'static,
{
    let Some(claims) = settings.admit(verified)? else {
        request.extensions_mut().insert(Anonymous);
        return Ok(());
    };
    let mut extensions = request.extensions_mut();
    if let Some(typed) = typed_claims::<C>(&claims)? {
        extensions.insert(typed);
    }
    extensions.insert(claims);
    Ok(())
}

/// The refusal, rendered by the verifier as the extractors render it.
fn refuse<B>(
    verifier: &Verifier,
    request: ServiceRequest,
    error: Error,
) -> ServiceResponse<EitherBody<B>> {
    let response = verifier.reject(error).error_response();
    request.into_response(response).map_into_right_body()
}

/// A future that yields the inner service's response or the refusal.
type Waiting<B> =
    Pin<Box<dyn Future<Output = Result<ServiceResponse<EitherBody<B>>, actix_web::Error>>>>;

pin_project_lite::pin_project! {
    /// The future of [`AuthMiddlewareService`].
    ///
    /// ```
    /// fn named<F, B>(_: jwtguard::actix::AuthMiddlewareFuture<F, B>) {}
    /// ```
    pub struct AuthMiddlewareFuture<F, B> {
        #[pin]
        state: State<F, B>,
    }
}

pin_project_lite::pin_project! {
    #[project = StateProj]
    enum State<F, B> {
        Inner { #[pin] future: F },
        Refused { response: Option<ServiceResponse<EitherBody<B>>> },
        Waiting { future: Waiting<B> },
    }
}

impl<F, B> AuthMiddlewareFuture<F, B> {
    fn inner(future: F) -> Self {
        Self {
            state: State::Inner { future },
        }
    }

    fn refused(response: ServiceResponse<EitherBody<B>>) -> Self {
        Self {
            state: State::Refused {
                response: Some(response),
            },
        }
    }

    fn waiting(future: Waiting<B>) -> Self {
        Self {
            state: State::Waiting { future },
        }
    }
}

impl<F, B> fmt::Debug for AuthMiddlewareFuture<F, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AuthMiddlewareFuture")
    }
}

impl<F, B> Future for AuthMiddlewareFuture<F, B>
where
    F: Future<Output = Result<ServiceResponse<B>, actix_web::Error>>,
{
    type Output = Result<ServiceResponse<EitherBody<B>>, actix_web::Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project().state.project() {
            StateProj::Inner { future } => {
                future.poll(cx).map_ok(ServiceResponse::map_into_left_body)
            }
            StateProj::Refused { response } => match response.take() {
                Some(response) => Poll::Ready(Ok(response)),
                // Polled again after it completed: a caller's bug; stay pending
                // rather than panic.
                None => Poll::Pending,
            },
            StateProj::Waiting { future } => future.as_mut().poll(cx),
        }
    }
}
