//! The service an [`AuthLayer`](super::AuthLayer) wraps around yours, and
//! its future.
//!
//! A JWT is verified inside `call`, without waiting: no clone of the
//! verifier, no allocation beyond the claims. A JWT whose `kid` calls for a
//! JWKS reload, and every Better Auth session credential (resolved
//! asynchronously, even when its cookie cache needs no store lookup), take
//! one boxed future.

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use http::{Request, Response};
use tower_service::Service;

use super::Refusals;
use crate::admission::{Admission, typed_claims};
use crate::credential::RequestParts;
use crate::error::Error;
use crate::http::grpc::is_grpc;
use crate::token::claims::Claims;
use crate::token::decode::DecodeClaims;

/// The service made by [`AuthLayer`](super::AuthLayer): verifies, then
/// calls yours with the claims in the request's extensions, or answers
/// the refusal itself.
///
/// ```
/// use tower_layer::Layer;
/// # let (verifier, _) = jwtguard::testing::doc_pair();
/// let service = jwtguard::tower::AuthLayer::new(verifier)
///     .layer(tower::service_fn(|_: http::Request<String>| async {
///         Ok::<_, std::convert::Infallible>(http::Response::new(String::new()))
///     }));
/// ```
pub struct AuthService<S, C, A> {
    inner: S,
    // Shared: axum clones a route's service for every request.
    settings: Arc<Admission>,
    claims: PhantomData<fn() -> (C, A)>,
}

impl<S, C, A> AuthService<S, C, A> {
    pub(super) fn new(inner: S, settings: Arc<Admission>) -> Self {
        Self {
            inner,
            settings,
            claims: PhantomData,
        }
    }
}

impl<S: Clone, C, A> Clone for AuthService<S, C, A> {
    fn clone(&self) -> Self {
        Self::new(self.inner.clone(), self.settings.clone())
    }
}

impl<S: fmt::Debug, C, A> fmt::Debug for AuthService<S, C, A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthService")
            .field("inner", &self.inner)
            .field("verifier", &self.settings.verifier)
            .finish()
    }
}

impl<S, C, A, ReqBody, ResBody> Service<Request<ReqBody>> for AuthService<S, C, A>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>> + Clone + Send + 'static,
    S::Future: Send,
    C: DecodeClaims + Clone + Send + Sync + 'static,
    A: Refusals<ResBody>,
    ReqBody: Send + 'static,
    ResBody: Send + 'static,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = AuthFuture<S::Future, ResBody, S::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<ReqBody>) -> Self::Future {
        let settings = &self.settings;
        let (method, path) = (request.method().as_str(), request.uri().path());
        if let Some(document) =
            crate::oauth::metadata_response(&settings.verifier, method, path).and_then(A::document)
        {
            return AuthFuture::refused(document);
        }
        let verified = settings
            .verifier
            .verify_request_now::<Claims, _>(&RequestParts::from(&request));
        let Some(verified) = verified else {
            return self.call_after_waiting(request);
        };
        match admit::<C>(settings, verified, &mut request) {
            Ok(()) => AuthFuture::inner(self.inner.call(request)),
            Err(error) => AuthFuture::refused(A::refuse(
                &settings.verifier,
                error,
                is_grpc(request.method(), request.headers()),
            )),
        }
    }
}

impl<S, C, A> AuthService<S, C, A> {
    /// The slow path: verification that waits (a JWKS reload, a session
    /// store), then the inner service, in one boxed future. The service
    /// that was polled ready goes into it; a clone stays here.
    fn call_after_waiting<ReqBody, ResBody>(
        &mut self,
        mut request: Request<ReqBody>,
    ) -> AuthFuture<S::Future, ResBody, S::Error>
    where
        S: Service<Request<ReqBody>, Response = Response<ResBody>> + Clone + Send + 'static,
        S::Future: Send,
        C: DecodeClaims + Clone + Send + Sync + 'static,
        A: Refusals<ResBody>,
        ReqBody: Send + 'static,
        ResBody: Send + 'static,
    {
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let settings = Arc::clone(&self.settings);
        AuthFuture::waiting(Box::pin(async move {
            let verified = settings
                .verifier
                .verify_request::<Claims, _>(&RequestParts::from(&request))
                .await;
            match admit::<C>(&settings, verified, &mut request) {
                Ok(()) => inner.call(request).await,
                Err(error) => Ok(A::refuse(
                    &settings.verifier,
                    error,
                    is_grpc(request.method(), request.headers()),
                )),
            }
        }))
    }
}

/// Lets a verified request in: the guard, then the claims (and `C`) into
/// its extensions. Without credentials, an optional layer lets it in bare.
fn admit<C>(
    settings: &Admission,
    verified: Result<Claims, Error>,
    request: &mut Request<impl Sized>,
) -> Result<(), Error>
where
    C: DecodeClaims + Clone + Send + Sync + 'static,
{
    let Some(claims) = settings.admit(verified)? else {
        return Ok(());
    };
    let extensions = request.extensions_mut();
    if let Some(typed) = typed_claims::<C>(&claims)? {
        extensions.insert(typed);
    }
    extensions.insert(claims);
    Ok(())
}

/// A future that yields the inner service's response or its refusal.
type Waiting<B, E> = Pin<Box<dyn Future<Output = Result<Response<B>, E>> + Send>>;

pin_project_lite::pin_project! {
    /// The future of [`AuthService`]: the inner service's response, or the
    /// refusal.
    ///
    /// ```
    /// fn named<F, B, E>(_: jwtguard::tower::AuthFuture<F, B, E>) {}
    /// ```
    pub struct AuthFuture<F, B, E> {
        #[pin]
        state: State<F, B, E>,
    }
}

pin_project_lite::pin_project! {
    #[project = StateProj]
    enum State<F, B, E> {
        Inner { #[pin] future: F },
        Refused { response: Option<Response<B>> },
        Waiting { future: Waiting<B, E> },
    }
}

impl<F, B, E> AuthFuture<F, B, E> {
    fn inner(future: F) -> Self {
        Self {
            state: State::Inner { future },
        }
    }

    fn refused(response: Response<B>) -> Self {
        Self {
            state: State::Refused {
                response: Some(response),
            },
        }
    }

    fn waiting(future: Waiting<B, E>) -> Self {
        Self {
            state: State::Waiting { future },
        }
    }
}

impl<F, B, E> fmt::Debug for AuthFuture<F, B, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AuthFuture")
    }
}

impl<F, B, E> Future for AuthFuture<F, B, E>
where
    F: Future<Output = Result<Response<B>, E>>,
{
    type Output = Result<Response<B>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project().state.project() {
            StateProj::Inner { future } => future.poll(cx),
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
