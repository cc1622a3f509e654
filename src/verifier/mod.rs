//! [`Verifier`]: one shared value that turns a token, an `Authorization`
//! value or a request's headers into verified claims.

#[cfg(any(feature = "tower", feature = "actix"))]
pub(crate) mod admission;
pub(crate) mod builder;
pub(crate) mod env;
#[cfg(feature = "jwks")]
mod public_key;

use std::fmt;
use std::sync::Arc;

use http::Response;

use crate::error::{Error, ErrorKind};
use crate::http::credentials::{
    HeaderSource, TokenSource, check_origin, cookie_value, is_unsafe_method, is_websocket_upgrade,
    may_upgrade, session_token_from_authorization, token_from_authorization, token_from_headers,
    token_from_query,
};
use crate::http::response::Rejection;
use crate::keys::hmac::HmacKeys;
use crate::keys::hmac::TAG_LEN;
use crate::session::Sessions;
use crate::session::cookie_cache::is_session_data;
use crate::token::claims::Claims;
use crate::token::compact::{Segments, decode_into, decode_signature, decode_vec};
use crate::token::decode::{DecodeClaims, fill_checked};
use crate::token::header::{Algorithm, JoseHeader, KnownHeaders};
use crate::token::policy::Policy;
use crate::trace;
use crate::verifier::builder::VerifierBuilder;

/// Verifies tokens. Build it once, clone it freely (an `Arc` inside), share
/// it across threads; every key is prepared when it is built.
///
/// ```
/// use jwtguard::Verifier;
///
/// let verifier = Verifier::builder()
///     .hs256_secret("a-shared-secret-of-at-least-32-bytes!")
///     .issuer("nextjs-frontend")
///     .audience("fastapi-backend")
///     .build()?;
/// # let token = jwtguard::testing::TokenMinter::new("a-shared-secret-of-at-least-32-bytes!")
/// #     .subject("user-1").sign();
/// let claims = verifier.verify(&token)?;
/// assert_eq!(claims.sub(), "user-1");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Verifier {
    pub(crate) inner: Arc<Inner>,
}

/// The immutable state behind a [`Verifier`].
pub(crate) struct Inner {
    pub(crate) keys: HmacKeys,
    /// The common HS256 headers, pre-parsed (empty without a secret).
    pub(crate) known_headers: KnownHeaders,
    pub(crate) policy: Policy,
    /// The policy for tokens signed by a JWKS key: `policy` with the
    /// `iss`/`aud` checks of `VerifierBuilder::public_key_claim_check`.
    #[cfg(feature = "jwks")]
    pub(crate) public_key_policy: Policy,
    pub(crate) max_token_len: usize,
    pub(crate) cookie_name: Option<String>,
    /// Origins allowed to send the cookie token with unsafe methods; empty:
    /// no check.
    pub(crate) cookie_origins: Vec<String>,
    /// The query parameter read for a JWT on WebSocket upgrade requests.
    pub(crate) websocket_query: Option<String>,
    pub(crate) error_responder: Option<ErrorResponder>,
    #[cfg(feature = "jwks")]
    pub(crate) jwks: Option<crate::jwks::store::Jwks>,
    /// Better Auth session credentials, when any are accepted.
    pub(crate) sessions: Option<Sessions>,
    /// The claim policy of session credentials: only their expiry.
    pub(crate) session_policy: Policy,
}

/// Why a token did not pass: a refusal, or (feature `jwks`) a refusal that
/// a JWKS reload now under way may lift (an unknown `kid`, keys past their
/// maximum age).
pub(crate) enum Stop {
    Refused(ErrorKind),
    #[cfg(feature = "jwks")]
    AwaitKeys(crate::jwks::refresh::KeysRefreshed, ErrorKind),
}

impl From<ErrorKind> for Stop {
    fn from(kind: ErrorKind) -> Self {
        Self::Refused(kind)
    }
}

impl From<Stop> for Error {
    /// Without waiting, the token is refused (the reload goes on in the
    /// background).
    fn from(stop: Stop) -> Self {
        match stop {
            Stop::Refused(kind) => kind.into(),
            #[cfg(feature = "jwks")]
            Stop::AwaitKeys(_, kind) => kind.into(),
        }
    }
}

/// A user-supplied function that renders refusals.
pub(crate) type ErrorResponder = Arc<dyn Fn(&Error) -> Response<String> + Send + Sync>;

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut f = f.debug_struct("Verifier");
        f.field(
            "keys",
            &format_args!("<{} redacted>", self.inner.keys.len()),
        )
        .field("policy", &self.inner.policy)
        .field("max_token_len", &self.inner.max_token_len)
        .field("cookie_name", &self.inner.cookie_name)
        .field("cookie_origins", &self.inner.cookie_origins)
        .field("websocket_query", &self.inner.websocket_query)
        .field(
            "custom_error_response",
            &self.inner.error_responder.is_some(),
        );
        #[cfg(feature = "jwks")]
        f.field("jwks", &self.inner.jwks);
        f.field("sessions", &self.inner.sessions);
        f.finish()
    }
}

impl Verifier {
    /// Starts configuring a verifier.
    ///
    /// ```
    /// let builder = jwtguard::Verifier::builder();
    /// ```
    pub fn builder() -> VerifierBuilder {
        VerifierBuilder::default()
    }

    pub(crate) fn from_inner(inner: Inner) -> Self {
        Self {
            inner: Arc::new(inner),
        }
    }

    /// Verifies a compact token and returns its claims.
    ///
    /// The token is refused when it is longer than the cap, not strict
    /// compact JWS, of an algorithm the verifier holds no key for (HS256
    /// with a secret; EdDSA, ES256, ES512, RS256, PS256 with a JWKS), signed
    /// by no configured key, expired, not yet
    /// valid, issued in the future, for another issuer or audience, or
    /// without a non-empty string `sub`. The error says which.
    ///
    /// ```
    /// # let (verifier, token) = jwtguard::testing::doc_pair();
    /// let claims = verifier.verify(&token)?;
    /// println!("request from {}", claims.sub());
    /// # Ok::<(), jwtguard::Error>(())
    /// ```
    pub fn verify(&self, token: &str) -> Result<Claims, Error> {
        self.verify_as(token)
    }

    /// Verifies a token and deserializes its claims into `T`.
    ///
    /// The registered claims are checked exactly as by [`verify`](Self::verify);
    /// a payload that does not fit `T` is [`ErrorKind::ClaimsShape`].
    ///
    /// ```
    /// #[derive(serde::Deserialize)]
    /// struct Session { sub: String, email: String }
    ///
    /// # let (verifier, token) = jwtguard::testing::doc_pair();
    /// let session: Session = verifier.verify_as(&token)?;
    /// assert_eq!(session.email, "ada@example.com");
    /// # Ok::<(), jwtguard::Error>(())
    /// ```
    pub fn verify_as<T: DecodeClaims>(&self, token: &str) -> Result<T, Error> {
        self.verify_token(token).map_err(Error::from)
    }

    /// Like [`verify_as`](Self::verify_as), but a token whose `kid` names no
    /// loaded key waits for the JWKS reload it causes (feature `jwks`; at
    /// most once per cooldown) before it is refused. The adapters use this;
    /// the other methods never wait (they refuse, and the reload goes on in
    /// the background). Needs no particular async runtime.
    ///
    /// ```
    /// # let (verifier, token) = jwtguard::testing::doc_pair();
    /// # let run = async {
    /// let claims: jwtguard::Claims = verifier.verify_as_async(&token).await?;
    /// # Ok::<(), jwtguard::Error>(()) };
    /// ```
    pub async fn verify_as_async<T: DecodeClaims>(&self, token: &str) -> Result<T, Error> {
        match self.verify_token(token) {
            #[cfg(feature = "jwks")]
            Err(Stop::AwaitKeys(reloaded, _)) => {
                reloaded.await;
                self.verify_as(token)
            }
            result => result.map_err(Error::from),
        }
    }

    /// Verifies a token and deserializes its claims into `T`, which may
    /// borrow from `buffer`: the decoded payload is written there, so string
    /// fields need not allocate. Reuse one buffer per thread or task.
    ///
    /// The checks are those of [`verify`](Self::verify); the token cache is
    /// not used. A borrowed `&str` field fails on a claim written with JSON
    /// escapes ([`ErrorKind::ClaimsShape`]); `Cow<str>` with
    /// `#[serde(borrow)]` takes both.
    ///
    /// ```
    /// use std::borrow::Cow;
    ///
    /// #[derive(serde::Deserialize)]
    /// struct Session<'a> {
    ///     #[serde(borrow)]
    ///     sub: Cow<'a, str>,
    ///     #[serde(borrow)]
    ///     email: Cow<'a, str>,
    /// }
    ///
    /// # let (verifier, token) = jwtguard::testing::doc_pair();
    /// let mut buffer = Vec::new();
    /// let session: Session<'_> = verifier.verify_borrowed(&token, &mut buffer)?;
    /// assert_eq!(session.email, "ada@example.com");
    /// # Ok::<(), jwtguard::Error>(())
    /// ```
    pub fn verify_borrowed<'b, T: serde::Deserialize<'b>>(
        &self,
        token: &str,
        buffer: &'b mut Vec<u8>,
    ) -> Result<T, Error> {
        let checked = self.checked_payload(token, |segment| decode_vec(segment, buffer))?;
        let policy = self.policy_for(&checked);
        let payload = checked.payload;
        Ok(fill_checked(payload, policy).map_err(|kind| session_cache_refusal(kind, payload))?)
    }

    /// Verifies the JWT in an `Authorization` header value (`Bearer <token>`,
    /// scheme in any case, one space). Better Auth's bearer-plugin session
    /// tokens need a lookup: use [`verify_request`](Self::verify_request).
    ///
    /// ```
    /// # let (verifier, token) = jwtguard::testing::doc_pair();
    /// let claims = verifier.verify_authorization(format!("Bearer {token}"))?;
    /// # Ok::<(), jwtguard::Error>(())
    /// ```
    pub fn verify_authorization(&self, value: impl AsRef<[u8]>) -> Result<Claims, Error> {
        let value = value.as_ref();
        if value.len() > self.inner.max_token_len + "Bearer ".len() {
            return Err(ErrorKind::TokenTooLarge.into());
        }
        self.verify(token_from_authorization(value)?)
    }

    /// The JWT a request carries, not yet verified (Better Auth session
    /// credentials are verified by [`verify_request`](Self::verify_request)):
    /// its one `Authorization: Bearer` header, or the configured cookie when
    /// there is no such header (with the [`token_cookie_origins`](VerifierBuilder::token_cookie_origins)
    /// check, every request counted as unsafe: the method is not known here).
    /// Takes an [`http::HeaderMap`] or any other [`HeaderSource`]; pass the
    /// token to [`verify`](Self::verify), [`verify_as`](Self::verify_as) or
    /// [`verify_as_async`](Self::verify_as_async). No credentials at all is
    /// [`ErrorKind::MissingCredentials`]: optional authentication treats that
    /// one error as "anonymous".
    ///
    /// ```
    /// # let (verifier, token) = jwtguard::testing::doc_pair();
    /// let mut headers = http::HeaderMap::new();
    /// headers.insert("authorization", format!("Bearer {token}").parse().unwrap());
    /// let claims = verifier.verify(verifier.token_from_headers(&headers)?)?;
    /// assert_eq!(claims.sub(), "user-1");
    ///
    /// let anonymous = verifier.token_from_headers(&http::HeaderMap::new()).unwrap_err();
    /// assert_eq!(anonymous.kind(), jwtguard::ErrorKind::MissingCredentials);
    /// # Ok::<(), jwtguard::Error>(())
    /// ```
    pub fn token_from_headers<'h, H: HeaderSource>(
        &self,
        headers: &'h H,
    ) -> Result<&'h str, Error> {
        Ok(self.token_from_request(None, headers)?)
    }

    /// The token of a request whose method is `method` (`None`: unknown,
    /// treated as unsafe): a cookie-borne token on an unsafe method must
    /// come with an allowed `Origin` when
    /// [`token_cookie_origins`](VerifierBuilder::token_cookie_origins) is set.
    fn token_from_request<'h, H: HeaderSource>(
        &self,
        method: Option<&str>,
        headers: &'h H,
    ) -> Result<&'h str, ErrorKind> {
        let (token, source) = token_from_headers(headers, self.inner.cookie_name.as_deref())?;
        if source == TokenSource::Cookie {
            self.check_cookie_origin(method, headers)?;
        }
        Ok(token)
    }

    /// A credential read from a cookie on an unsafe method, or on a request
    /// with an `Upgrade` header (a WebSocket handshake is a `GET` that opens
    /// a two-way channel, which no CORS check guards), needs an allowed
    /// `Origin`, when origins are configured.
    fn check_cookie_origin<H: HeaderSource>(
        &self,
        method: Option<&str>,
        headers: &H,
    ) -> Result<(), ErrorKind> {
        let origins = &self.inner.cookie_origins;
        let guarded = is_unsafe_method(method) || may_upgrade(headers);
        if !origins.is_empty() && guarded {
            check_origin(headers, origins)?;
        }
        Ok(())
    }

    /// The credential a request carries, not yet verified. Without session
    /// credentials configured this is [`token_from_request`](Self::token_from_request).
    ///
    /// The one `Authorization` header comes first: a JWT, or (with
    /// [`session_bearer_tokens`](VerifierBuilder::session_bearer_tokens)) a
    /// signed session token, told apart by their dots. Without it, the
    /// [`token_cookie`](VerifierBuilder::token_cookie), then Better Auth's
    /// session cookie.
    /// With [`websocket_token_query`](VerifierBuilder::websocket_token_query),
    /// a WebSocket upgrade's query parameter comes before all of them (and
    /// may not come with an `Authorization` header).
    fn credential_from_request<'h, H: HeaderSource>(
        &'h self,
        method: Option<&str>,
        query: Option<&'h str>,
        headers: &'h H,
    ) -> Result<RequestCredential<'h>, ErrorKind> {
        if let (Some(name), Some(method), Some(query)) =
            (&self.inner.websocket_query, method, query)
        {
            if is_websocket_upgrade(method, headers) {
                if let Some(token) = token_from_query(query, name)? {
                    if headers.header_values("authorization").next().is_some() {
                        return Err(ErrorKind::MultipleCredentials);
                    }
                    return Ok(RequestCredential::Jwt(token));
                }
            }
        }
        let Some(sessions) = &self.inner.sessions else {
            return self
                .token_from_request(method, headers)
                .map(RequestCredential::Jwt);
        };
        let mut values = headers.header_values("authorization");
        match (values.next(), values.next()) {
            (Some(_), Some(_)) => Err(ErrorKind::MultipleCredentials),
            (Some(value), None) => {
                let jwt = token_from_authorization(value);
                match jwt {
                    Ok(token) if !sessions.bearer || token.matches('.').count() != 1 => {
                        Ok(RequestCredential::Jwt(token))
                    }
                    _ if sessions.bearer => session_token_from_authorization(value).map(|value| {
                        RequestCredential::Session {
                            value,
                            cookie: None,
                        }
                    }),
                    Ok(token) => Ok(RequestCredential::Jwt(token)),
                    Err(kind) => Err(kind),
                }
            }
            (None, _) => {
                match self.token_from_request(method, headers) {
                    Err(ErrorKind::MissingCredentials) => {}
                    other => return other.map(RequestCredential::Jwt),
                }
                let (name, value) = cookie_value(headers, &sessions.token_cookies)?
                    .ok_or(ErrorKind::MissingCredentials)?;
                self.check_cookie_origin(method, headers)?;
                Ok(RequestCredential::Session {
                    value,
                    cookie: Some(name),
                })
            }
        }
    }

    /// Verifies the credentials of a request whose method is `method`
    /// (`"GET"`, `"POST"`...): a JWT in the `Authorization` header or the
    /// [`token_cookie`](VerifierBuilder::token_cookie), or a Better Auth
    /// session (its cookie, the bearer plugin's token, the cookie cache),
    /// as configured, with the
    /// [`token_cookie_origins`](VerifierBuilder::token_cookie_origins) check
    /// the method calls for. A JWT whose `kid` names no loaded key waits for
    /// the JWKS reload it causes, as [`verify_as_async`](Self::verify_as_async)
    /// does; a session token may wait for the session store. Needs no
    /// particular async runtime. For a whole tower service or actix-web app,
    /// `jwtguard::tower::AuthLayer` and `jwtguard::actix::AuthMiddleware`
    /// already do this (they, and the extractors, also see the query string
    /// that [`websocket_token_query`](VerifierBuilder::websocket_token_query)
    /// reads, which this method does not); call it from middleware of your
    /// own.
    ///
    /// ```
    /// # let (verifier, token) = jwtguard::testing::doc_pair();
    /// let mut headers = http::HeaderMap::new();
    /// headers.insert("authorization", format!("Bearer {token}").parse().unwrap());
    /// # let run = async {
    /// let claims: jwtguard::Claims = verifier.verify_request("GET", &headers).await?;
    /// assert_eq!(claims.sub(), "user-1");
    /// # Ok::<(), jwtguard::Error>(()) };
    /// ```
    pub async fn verify_request<T: DecodeClaims>(
        &self,
        method: &str,
        headers: &impl HeaderSource,
    ) -> Result<T, Error> {
        self.verify_request_with_query(method, None, headers).await
    }

    /// [`verify_request`](Self::verify_request), with the request's query
    /// string for [`websocket_token_query`](VerifierBuilder::websocket_token_query):
    /// what the adapters, the layer and the middleware call.
    pub(crate) async fn verify_request_with_query<T: DecodeClaims>(
        &self,
        method: &str,
        query: Option<&str>,
        headers: &impl HeaderSource,
    ) -> Result<T, Error> {
        match self.credential_from_request(Some(method), query, headers)? {
            RequestCredential::Jwt(token) => self.verify_as_async(token).await,
            RequestCredential::Session { value, cookie } => {
                let sessions = self
                    .inner
                    .sessions
                    .as_ref()
                    .ok_or(ErrorKind::MissingCredentials)?;
                let session = sessions.resolve(value, cookie, headers).await?;
                let claims = T::decode_claims(&session.payload, &self.inner.session_policy)?;
                Ok(claims.with_credential(session.credential))
            }
        }
    }

    /// [`verify_request_with_query`](Self::verify_request_with_query) as far
    /// as it goes without waiting: `None` when it would wait (a JWT whose
    /// `kid` calls for a JWKS reload, a session token for its store); then
    /// call the async method. The layer and middleware take this path first,
    /// so that most requests cost no allocation and no clone of the verifier.
    #[cfg(any(feature = "tower", feature = "actix"))]
    pub(crate) fn verify_request_now<T: DecodeClaims>(
        &self,
        method: &str,
        query: Option<&str>,
        headers: &impl HeaderSource,
    ) -> Option<Result<T, Error>> {
        match self.credential_from_request(Some(method), query, headers) {
            Err(kind) => Some(Err(kind.into())),
            Ok(RequestCredential::Jwt(token)) => match self.verify_token(token) {
                Ok(claims) => Some(Ok(claims)),
                Err(Stop::Refused(kind)) => Some(Err(kind.into())),
                #[cfg(feature = "jwks")]
                Err(Stop::AwaitKeys(..)) => None,
            },
            Ok(RequestCredential::Session { .. }) => None,
        }
    }

    /// [`verify_request`](Self::verify_request) for optional
    /// authentication: `None` when the request carries no credentials at
    /// all; invalid ones are still an error.
    ///
    /// ```
    /// # let verifier = jwtguard::testing::doc_pair().0;
    /// # let run = async {
    /// let anonymous: Option<jwtguard::Claims> =
    ///     verifier.verify_request_optional("GET", &http::HeaderMap::new()).await?;
    /// assert!(anonymous.is_none());
    /// # Ok::<(), jwtguard::Error>(()) };
    /// ```
    pub async fn verify_request_optional<T: DecodeClaims>(
        &self,
        method: &str,
        headers: &impl HeaderSource,
    ) -> Result<Option<T>, Error> {
        anonymous_if_missing(self.verify_request(method, headers).await)
    }

    /// Answers a refused request: the configured
    /// [`error_response`](VerifierBuilder::error_response) function renders
    /// it, or else [`Error::to_response`]. Also records the refusal as a
    /// security event (feature `tracing`). The adapters answer every refusal
    /// with this.
    ///
    /// ```
    /// # let verifier = jwtguard::testing::doc_pair().0;
    /// let err = verifier.verify("bad").unwrap_err();
    /// let rejection = verifier.reject(err);
    /// assert_eq!(rejection.response().status(), 401);
    /// ```
    pub fn reject(&self, error: Error) -> Rejection {
        trace::refused(&error);
        let response = match &self.inner.error_responder {
            Some(render) => render(&error),
            None => error.to_response(),
        };
        Rejection::new(error, response)
    }

    fn verify_token<T: DecodeClaims>(&self, token: &str) -> Result<T, Stop> {
        // A cache lookup hashes only the token's tail: cheap whatever its length.
        #[cfg(feature = "jwks")]
        if let Some(claims) = self.cached(token) {
            return claims.map_err(Stop::from);
        }
        // Room for the payload of a typical token (up to about 1.3 KB encoded);
        // a larger one is decoded on the heap.
        let (mut stack, mut heap) = ([0u8; 1024], Vec::new());
        let checked =
            self.checked_payload(token, |segment| decode_into(segment, &mut stack, &mut heap))?;
        let claims = T::decode_claims(checked.payload, self.policy_for(&checked))
            .map_err(|kind| session_cache_refusal(kind, checked.payload))?;
        #[cfg(feature = "jwks")]
        self.remember(token, &checked);
        Ok(claims)
    }

    /// The decoded payload of a token whose form, header and signature are
    /// valid; `decode` puts the payload segment where the caller wants it.
    /// The claims are not checked yet.
    fn checked_payload<'b>(
        &self,
        token: &str,
        decode: impl FnOnce(&str) -> Result<&'b [u8], ErrorKind>,
    ) -> Result<Checked<'b>, Stop> {
        if token.len() > self.inner.max_token_len {
            return Err(ErrorKind::TokenTooLarge.into());
        }
        let segments = Segments::split(token)?;
        let (mut header_stack, mut header_heap) = ([0u8; 256], Vec::new());
        let header = match self.inner.known_headers.get(segments.header) {
            Some(known) => known.clone(),
            None => JoseHeader::parse(decode_into(
                segments.header,
                &mut header_stack,
                &mut header_heap,
            )?)?,
        };
        let payload = decode(segments.payload)?;
        match header.alg {
            Algorithm::Hs256 => {
                self.verify_hs256(header.kid.as_deref(), &segments)?;
                Ok(Checked {
                    payload,
                    public_key: false,
                    cache_generation: None,
                })
            }
            #[cfg(feature = "jwks")]
            alg => Ok(Checked {
                payload,
                public_key: true,
                cache_generation: self.verify_public(alg, header.kid.as_deref(), &segments)?,
            }),
            #[cfg(not(feature = "jwks"))]
            _ => Err(ErrorKind::UnsupportedAlgorithm.into()),
        }
    }

    /// The claim policy for a token, by the kind of key that signed it.
    fn policy_for(&self, checked: &Checked<'_>) -> &Policy {
        #[cfg(feature = "jwks")]
        if checked.public_key {
            return &self.inner.public_key_policy;
        }
        let _ = checked;
        &self.inner.policy
    }

    fn verify_hs256(&self, kid: Option<&str>, segments: &Segments<'_>) -> Result<(), ErrorKind> {
        let keys = &self.inner.keys;
        if keys.len() == 0 {
            // A JWKS-only verifier: no secret, so no HS256 at all.
            return Err(ErrorKind::UnsupportedAlgorithm);
        }
        let tag = decode_signature::<TAG_LEN>(segments.signature)?;
        match keys.verify(kid, segments.signing_input, &tag) {
            #[cfg(feature = "jwks")]
            Err(ErrorKind::UnknownKey) if self.names_public_key(kid) => Err(ErrorKind::KeyMismatch),
            result => result,
        }
    }

    /// Whether every kind of token this verifier accepts can be checked now:
    /// `true` without a JWKS, with a static one, and with a fetched one whose
    /// keys are loaded and within `jwks_max_age` (feature `jwks`). `false`
    /// while a `VerifierBuilder::jwks_background_start` has loaded no keys
    /// yet, and after the keys aged out; tokens signed by a JWKS key are
    /// then refused with 503 [`KeysUnavailable`](ErrorKind::KeysUnavailable)
    /// (HS256 tokens still pass). Cheap: answer a readiness probe with it,
    /// so that a load balancer sends traffic elsewhere meanwhile.
    ///
    /// ```
    /// use jwtguard::Verifier;
    ///
    /// // GET /health, in any framework.
    /// fn health(verifier: &Verifier) -> (u16, &'static str) {
    ///     if verifier.is_ready() {
    ///         (200, r#"{"status":"ok"}"#)
    ///     } else {
    ///         (503, r#"{"status":"degraded","auth_keys":"not loaded"}"#)
    ///     }
    /// }
    ///
    /// # let (verifier, _) = jwtguard::testing::doc_pair();
    /// assert_eq!(health(&verifier).0, 200);
    /// ```
    pub fn is_ready(&self) -> bool {
        #[cfg(feature = "jwks")]
        if let Some(jwks) = &self.inner.jwks {
            return jwks.is_ready();
        }
        true
    }
}

/// A token whose signature passed, with its decoded payload.
pub(crate) struct Checked<'b> {
    pub(crate) payload: &'b [u8],
    /// Signed by a JWKS key rather than a shared secret.
    #[cfg_attr(not(feature = "jwks"), allow(dead_code))]
    pub(crate) public_key: bool,
    /// For a JWKS-verified token with the cache on: the cache generation of
    /// the keys that checked it.
    #[cfg_attr(not(feature = "jwks"), allow(dead_code))]
    pub(crate) cache_generation: Option<u64>,
}

/// Optional authentication: no credentials at all is `None`, anything
/// sent and refused is still the error.
pub(crate) fn anonymous_if_missing<T>(result: Result<T, Error>) -> Result<Option<T>, Error> {
    match result {
        Ok(claims) => Ok(Some(claims)),
        Err(error) if error.kind() == ErrorKind::MissingCredentials => Ok(None),
        Err(error) => Err(error),
    }
}

/// Better Auth's `jwt` cookie cache is an HS256 JWT signed with the same
/// secret as the seed's tokens, but without `sub`: said so, rather than
/// "missing claim".
fn session_cache_refusal(kind: ErrorKind, payload: &[u8]) -> ErrorKind {
    match kind {
        ErrorKind::MissingClaim("sub") | ErrorKind::InvalidSubject if is_session_data(payload) => {
            ErrorKind::SessionCacheToken
        }
        kind => kind,
    }
}

/// What a request carries, not yet verified.
enum RequestCredential<'h> {
    /// A compact JWT.
    Jwt(&'h str),
    /// A signed Better Auth session token, as sent, and the name of the
    /// cookie it came in (`None`: the bearer plugin's header).
    Session {
        value: &'h str,
        cookie: Option<&'h str>,
    },
}
