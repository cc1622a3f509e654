//! [`Verifier`]: one shared value that turns a token, an `Authorization`
//! value or a request's headers into verified claims.

pub(crate) mod builder;
pub(crate) mod env;

use std::fmt;
use std::sync::Arc;

use http::Response;

use crate::credential::{Credentials, RequestParts, read};
use crate::error::{Error, ErrorKind};
use crate::http::credentials::HeaderSource;
use crate::http::response::Rejection;
use crate::jwks::{PublicKeys, Stop};
use crate::keys::hmac::HmacKeys;
use crate::keys::hmac::TAG_LEN;
use crate::session::cookie_cache::is_session_data;
use crate::token::claims::Claims;
use crate::token::compact::{Scratch, Segments, decode_signature};
use crate::token::decode::DecodeClaims;
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
///     .claim_rules(|rules| rules.issuer("nextjs-frontend").audience("fastapi-backend"))
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
    /// Better Auth's JWT plugin keys (feature `jwks`; none without it).
    pub(crate) public_keys: PublicKeys,
    pub(crate) max_token_len: usize,
    /// Where request credentials are read, and the kinds besides a bare
    /// JWT (`crate::credential`, the credential seam).
    pub(crate) credentials: Credentials,
    pub(crate) error_responder: Option<ErrorResponder>,
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
        .field("credentials", &self.inner.credentials)
        .field(
            "custom_error_response",
            &self.inner.error_responder.is_some(),
        )
        .field("jwks", &self.inner.public_keys)
        .finish()
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

    /// Verifies the credentials a request carries, exactly as the
    /// extractors, the tower layer and the actix-web middleware do: a JWT
    /// (the `Authorization: Bearer` header, the
    /// [`token_cookie`](crate::CredentialSources::token_cookie), a WebSocket
    /// upgrade's [`websocket_query`](crate::CredentialSources::websocket_query))
    /// or a Better Auth session (its cookie, the bearer plugin's token, the
    /// cookie cache), as configured, with the
    /// [`cookie_origins`](crate::CredentialSources::cookie_origins) check
    /// the method calls for.
    ///
    /// A JWT whose `kid` names no loaded key waits for the JWKS reload it
    /// causes (at most once per cooldown); a session token may wait for the
    /// session store. Needs no particular async runtime. A request without
    /// any credentials is [`ErrorKind::MissingCredentials`]; for optional
    /// authentication, pass the result through [`optional`](crate::optional).
    ///
    /// ```
    /// # let (verifier, token) = jwtguard::testing::doc_pair();
    /// let request = http::Request::get("/me")
    ///     .header("authorization", format!("Bearer {token}"))
    ///     .body(())
    ///     .unwrap();
    /// # let run = async {
    /// let claims: jwtguard::Claims = verifier.verify_request(&(&request).into()).await?;
    /// assert_eq!(claims.sub(), "user-1");
    /// # Ok::<(), jwtguard::Error>(()) };
    /// ```
    pub async fn verify_request<T: DecodeClaims, H: HeaderSource>(
        &self,
        request: &RequestParts<'_, H>,
    ) -> Result<T, Error> {
        let presented = read(&self.inner.credentials, request)?;
        // Most credentials need no waiting: answer them without entering
        // the kinds' async paths.
        match presented.verify_now(self, request) {
            Some(result) => result,
            None => presented.verify(self, request).await,
        }
    }

    /// [`verify_request`](Self::verify_request) as far as it goes without
    /// waiting: `None` when it would wait (a JWT whose `kid` calls for a
    /// JWKS reload, a session token for its store); then await
    /// `verify_request`. The layer and the middleware take this path first,
    /// so that most requests cost no allocation and no clone of the
    /// verifier; so can your own middleware.
    ///
    /// ```
    /// # let (verifier, token) = jwtguard::testing::doc_pair();
    /// let mut headers = http::HeaderMap::new();
    /// headers.insert("authorization", format!("Bearer {token}").parse().unwrap());
    /// let request = jwtguard::RequestParts::new("GET", None, &headers);
    /// let claims: jwtguard::Claims = verifier.verify_request_now(&request).unwrap()?;
    /// assert_eq!(claims.sub(), "user-1");
    /// # Ok::<(), jwtguard::Error>(())
    /// ```
    pub fn verify_request_now<T: DecodeClaims, H: HeaderSource>(
        &self,
        request: &RequestParts<'_, H>,
    ) -> Option<Result<T, Error>> {
        match read(&self.inner.credentials, request) {
            Err(kind) => Some(Err(kind.into())),
            Ok(presented) => presented.verify_now(self, request),
        }
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
        let mut response = match &self.inner.error_responder {
            Some(render) => render(&error),
            None => error.to_response(),
        };
        if let Some(tokens) = &self.inner.credentials.access_tokens {
            tokens.amend(&error, &mut response);
        }
        Rejection::new(error, response)
    }

    /// [`verify_as`](Self::verify_as), waiting for the JWKS reload a token
    /// whose `kid` names no loaded key causes (feature `jwks`; at most once
    /// per cooldown) before refusing it.
    pub(crate) async fn verify_token_waiting<T: DecodeClaims>(
        &self,
        token: &str,
    ) -> Result<T, Error> {
        match self.verify_token(token) {
            Ok(claims) => Ok(claims),
            Err(stop) => stop.wait_then(|| self.verify_as(token)).await,
        }
    }

    pub(crate) fn verify_token<T: DecodeClaims>(&self, token: &str) -> Result<T, Stop> {
        // A cache lookup hashes only the token's tail: cheap whatever its length.
        if let Some(claims) = self.inner.public_keys.cached(token) {
            return claims.map_err(Stop::from);
        }
        // Room for the payload of a typical token (up to about 1.3 KB encoded);
        // a larger one is decoded on the heap.
        let mut scratch = Scratch::<1024>::new();
        let checked = self.checked_payload(token, |segment| scratch.decode(segment))?;
        Ok(self.plain_claims(token, &checked)?)
    }

    /// The claims of a checked token that is not an OAuth access token
    /// (an HS256 token, a JWT plugin token), under its key's claim policy.
    /// An access token is refused here: it is accepted only with its
    /// resource's rules, by the access-token kind (`crate::oauth`).
    pub(crate) fn plain_claims<T: DecodeClaims>(
        &self,
        token: &str,
        checked: &Checked<'_>,
    ) -> Result<T, ErrorKind> {
        if checked.access_token {
            return Err(ErrorKind::AccessTokenNotAccepted);
        }
        if checked.public_key && !self.inner.public_keys.accepts_plain_tokens() {
            return Err(ErrorKind::NotAnAccessToken);
        }
        let claims = T::decode_claims(checked.payload, self.policy_for(checked))
            .map_err(|kind| session_cache_refusal(kind, checked.payload))?;
        if checked.public_key {
            (self.inner.public_keys).remember(token, checked.payload, checked.cache_generation);
        }
        Ok(claims)
    }

    /// The decoded payload of a token whose form, header and signature are
    /// valid; `decode` puts the payload segment where the caller wants it.
    /// The claims are not checked yet.
    pub(crate) fn checked_payload<'b>(
        &self,
        token: &str,
        decode: impl FnOnce(&str) -> Result<&'b [u8], ErrorKind>,
    ) -> Result<Checked<'b>, Stop> {
        if token.len() > self.inner.max_token_len {
            return Err(ErrorKind::TokenTooLarge.into());
        }
        let segments = Segments::split(token)?;
        // Set only for a header not seen before (most are known).
        let mut scratch;
        let header = match self.inner.known_headers.get(segments.header) {
            Some(known) => known.clone(),
            None => {
                scratch = Scratch::<256>::new();
                JoseHeader::parse(scratch.decode(segments.header)?)?
            }
        };
        // The signature covers the encoded segments: it is checked before
        // the payload is decoded, so a forged token costs the header, the
        // signature segment and the MAC (or the key's check), nothing more.
        let (public_key, cache_generation) = match header.alg {
            Algorithm::Hs256 => {
                self.verify_hs256(header.kid.as_deref(), &segments)?;
                (false, None)
            }
            alg => {
                let kid = header.kid.as_deref();
                (true, (self.inner.public_keys).verify(alg, kid, &segments)?)
            }
        };
        Ok(Checked {
            payload: decode(segments.payload)?,
            public_key,
            access_token: header.access_token,
            cache_generation,
        })
    }

    /// The claim policy for a token, by the kind of key that signed it.
    pub(crate) fn policy_for(&self, checked: &Checked<'_>) -> &Policy {
        if checked.public_key {
            self.inner.public_keys.policy()
        } else {
            &self.inner.policy
        }
    }

    fn verify_hs256(&self, kid: Option<&str>, segments: &Segments<'_>) -> Result<(), ErrorKind> {
        let keys = &self.inner.keys;
        if keys.len() == 0 {
            // A JWKS-only verifier: no secret, so no HS256 at all.
            return Err(ErrorKind::UnsupportedAlgorithm);
        }
        let tag = decode_signature::<TAG_LEN>(segments.signature)?;
        match keys.verify(kid, segments.signing_input, &tag) {
            Err(ErrorKind::UnknownKey) if self.inner.public_keys.names_key(kid) => {
                Err(ErrorKind::KeyMismatch)
            }
            result => result,
        }
    }

    /// Whether every kind of token this verifier accepts can be checked now:
    /// `true` without a JWKS, with a static one, and with a fetched one whose
    /// keys are loaded and within `JwksSettings::max_age` (feature `jwks`). `false`
    /// while a `JwksSettings::background_start` has loaded no keys
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
        self.inner.public_keys.is_ready()
    }
}

/// A token whose signature passed, with its decoded payload.
pub(crate) struct Checked<'b> {
    pub(crate) payload: &'b [u8],
    /// Signed by a JWKS key rather than a shared secret.
    pub(crate) public_key: bool,
    /// The header's `typ` is `at+jwt`: an OAuth access token.
    pub(crate) access_token: bool,
    /// For a JWKS-verified token with the cache on: the cache generation of
    /// the keys that checked it.
    pub(crate) cache_generation: Option<u64>,
}

/// Optional authentication: a request that carried no credentials at all
/// is `Ok(None)`; anything sent and refused is still the error.
///
/// ```
/// # let verifier = jwtguard::testing::doc_pair().0;
/// let headers = http::HeaderMap::new();
/// let request = jwtguard::RequestParts::new("GET", None, &headers);
/// # let run = async {
/// let anonymous: Option<jwtguard::Claims> =
///     jwtguard::optional(verifier.verify_request(&request).await)?;
/// assert!(anonymous.is_none());
/// # Ok::<(), jwtguard::Error>(()) };
/// ```
pub fn optional<T>(result: Result<T, Error>) -> Result<Option<T>, Error> {
    match result {
        Ok(claims) => Ok(Some(claims)),
        Err(error) if error.kind() == ErrorKind::MissingCredentials => Ok(None),
        Err(error) => Err(error),
    }
}

/// Better Auth's `jwt` cookie cache is an HS256 JWT signed with the same
/// secret as the FastAPI pattern's tokens, but without `sub`: said so,
/// rather than "missing claim".
pub(crate) fn session_cache_refusal(kind: ErrorKind, payload: &[u8]) -> ErrorKind {
    match kind {
        ErrorKind::MissingClaim("sub") | ErrorKind::InvalidSubject if is_session_data(payload) => {
            ErrorKind::SessionCacheToken
        }
        kind => kind,
    }
}
