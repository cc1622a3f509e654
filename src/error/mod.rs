//! What can go wrong: a refused request ([`Error`] with its [`ErrorKind`]),
//! a configuration that cannot work ([`config::ConfigError`]) and, with the
//! `jwks` feature, a JWKS that cannot be used ([`jwks::JwksError`]).
//!
//! How each kind is answered (its code, HTTP status, `WWW-Authenticate`
//! challenge, gRPC status, `Retry-After`) is declared once, in `table.rs`;
//! its message is the `#[error]` text at the variant.
//!
//! Every message is fixed text chosen here. None contains the token, a key, a
//! claim value the sender chose, or a parser's internals, so an error can be
//! logged and shown to the client as it is.

use thiserror::Error as ThisError;

pub(crate) mod config;
#[cfg(feature = "jwks")]
pub(crate) mod jwks;
pub(crate) mod table;

/// A token or request that did not pass verification.
///
/// The [`kind`](Error::kind) says why; [`status`](Error::status),
/// [`www_authenticate`](Error::www_authenticate) and [`body`](Error::body)
/// say how to answer it over HTTP.
///
/// ```
/// use jwtguard::{ErrorKind, Verifier};
///
/// let verifier = Verifier::builder()
///     .hs256_secret("a-shared-secret-of-at-least-32-bytes!")
///     .build()?;
/// let err = verifier.verify("not-a-token").unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::Malformed);
/// assert_eq!(err.status(), http::StatusCode::UNAUTHORIZED);
/// # Ok::<(), jwtguard::ConfigError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, ThisError)]
#[error("{kind}")]
pub struct Error {
    kind: ErrorKind,
    /// For a 503: when to try again, in seconds, when the cause said so.
    retry_after: Option<u32>,
    /// For [`ErrorKind::InsufficientClaims`]: the scopes a guard required
    /// and the credential lacks, space-separated (RFC 6750 3.1 `scope`).
    missing_scope: Option<std::sync::Arc<str>>,
}

impl Error {
    /// Why verification failed.
    ///
    /// ```
    /// use jwtguard::{Error, ErrorKind};
    /// assert_eq!(Error::from(ErrorKind::Expired).kind(), ErrorKind::Expired);
    /// ```
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// For a 503, how long the client should wait before trying again, in
    /// whole seconds: the `Retry-After` of [`to_response`](Self::to_response).
    /// That is what the session store said (a rate limit's `Retry-After`,
    /// for example) or else [`RETRY_AFTER_SECS`](crate::limits::RETRY_AFTER_SECS);
    /// `None` for any other status.
    ///
    /// ```
    /// use jwtguard::{Error, ErrorKind};
    /// assert_eq!(Error::from(ErrorKind::SessionStoreUnavailable).retry_after(), Some(10));
    /// assert_eq!(Error::from(ErrorKind::Expired).retry_after(), None);
    /// ```
    pub fn retry_after(&self) -> Option<u32> {
        self.kind
            .spec()
            .retry_after
            .then(|| self.retry_after.unwrap_or(table::RETRY_AFTER_SECS))
    }

    /// For a guard's [`ErrorKind::InsufficientClaims`]: the scopes it
    /// required that the credential lacks, space-separated, as the
    /// challenge's `scope` names them (RFC 6750 3.1). `None` for any other
    /// refusal, and when a role or another rule failed rather than a scope.
    ///
    /// ```
    /// # let (verifier, token) = jwtguard::testing::doc_pair();
    /// let claims = verifier.verify(&token)?;
    /// let guard = jwtguard::ClaimGuard::scope("tasks:read").and(jwtguard::ClaimGuard::scope("tasks:write"));
    /// let err = guard.check(&claims).unwrap_err();
    /// assert_eq!(err.missing_scope(), Some("tasks:read tasks:write"));
    /// # Ok::<(), jwtguard::Error>(())
    /// ```
    pub fn missing_scope(&self) -> Option<&str> {
        self.missing_scope.as_deref()
    }

    /// The same error, naming the scopes that are missing; scope tokens
    /// with characters RFC 6749 3.3 does not allow (which could not be
    /// quoted in a header) are left out.
    pub(crate) fn with_missing_scope(mut self, scopes: &str) -> Self {
        let valid = |scope: &&str| {
            !scope.is_empty()
                && scope
                    .bytes()
                    .all(|b| b == 0x21 || (0x23..=0x5b).contains(&b) || (0x5d..=0x7e).contains(&b))
        };
        let names: Vec<&str> = scopes.split(' ').filter(valid).collect();
        if !names.is_empty() {
            self.missing_scope = Some(names.join(" ").into());
        }
        self
    }

    /// The same error, asking the client to wait `wait` (rounded up to
    /// whole seconds, at least 1, at most an hour).
    pub(crate) fn with_retry_after(mut self, wait: std::time::Duration) -> Self {
        let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        self.retry_after = Some(secs.clamp(1, 3600) as u32);
        self
    }
}

impl From<ErrorKind> for Error {
    fn from(kind: ErrorKind) -> Self {
        Self {
            kind,
            retry_after: None,
            missing_scope: None,
        }
    }
}

/// The reason a token or request was refused.
///
/// New kinds may be added in minor releases; match with a wildcard arm.
///
/// ```
/// use jwtguard::ErrorKind;
/// assert_eq!(ErrorKind::Expired.to_string(), "Token has expired");
/// assert_eq!(ErrorKind::Expired.code(), "token_expired");
/// ```
// A new variant needs its row in `table.rs` (code, status, challenge, gRPC
// code, Retry-After); the build fails until it has one.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, ThisError)]
pub enum ErrorKind {
    /// The request carried no credentials at all.
    #[error("Not authenticated")]
    MissingCredentials,
    /// The `Authorization` header is not `Bearer <token>`.
    #[error("Authorization header must be 'Bearer <token>'")]
    InvalidAuthorizationHeader,
    /// The request carried more than one token (two `Authorization` headers,
    /// or the token cookie twice).
    #[error("Request must carry exactly one token")]
    MultipleCredentials,
    /// The token is longer than the configured maximum.
    #[error("Token is too large")]
    TokenTooLarge,
    /// The token is not a well-formed compact JWS with JSON object parts.
    #[error("Token is malformed")]
    Malformed,
    /// The header names an algorithm this verifier does not accept (including `none`).
    #[error("Token algorithm is not accepted")]
    UnsupportedAlgorithm,
    /// The header uses `crit`, or names or embeds keys (`jku`, `x5u`, `jwk`, `x5c`).
    #[error("Token header uses an unsupported parameter")]
    UnsupportedHeader,
    /// The header's `kid` names no configured key.
    #[error("Token key id is not recognized")]
    UnknownKey,
    /// The header's `kid` names a key of another algorithm or key type (an
    /// HS256 token naming a public key, an RS256 token naming an Ed25519 key).
    #[error("Token algorithm does not match its key")]
    KeyMismatch,
    /// The signature does not match any candidate key.
    #[error("Token signature is invalid")]
    InvalidSignature,
    /// `exp` is in the past (beyond the leeway).
    #[error("Token has expired")]
    Expired,
    /// `nbf` is in the future (beyond the leeway).
    #[error("Token is not yet valid")]
    NotYetValid,
    /// `iat` is further in the future than clock skew explains.
    #[error("Token was issued in the future")]
    IssuedInFuture,
    /// A claim the policy requires is absent. Holds the claim's name.
    #[error("Token is missing the '{0}' claim")]
    MissingClaim(&'static str),
    /// A registered claim has the wrong JSON type. Holds the claim's name.
    #[error("Token claim '{0}' has the wrong type")]
    InvalidClaim(&'static str),
    /// `iss` is not one of the accepted issuers.
    #[error("Token issuer is not accepted")]
    InvalidIssuer,
    /// `aud` names none of the accepted audiences.
    #[error("Token audience is not accepted")]
    InvalidAudience,
    /// `sub` is absent, empty or not a string.
    #[error("Token subject must be a non-empty string")]
    InvalidSubject,
    /// The claims do not fit the type asked for with `verify_as`.
    #[error("Token claims do not have the expected shape")]
    ClaimsShape,
    /// The token is Better Auth's session-cache JWT (header `typ`
    /// `better-auth.session-cache+jwt`, or `aud` `better-auth:session-cache`):
    /// a cookie's cached copy of the session, never a bearer token.
    #[error("Token is a session cache, not a bearer token")]
    SessionCacheToken,
    /// The token is valid but its subject may not access this resource.
    #[error("Not authorized to access this resource")]
    Forbidden,
    /// The credential is valid but its claims do not allow the request: a
    /// claim guard (a role, a scope, `email_verified`, a ban) refused it.
    /// Answered 403 with the RFC 6750 challenge
    /// `Bearer error="insufficient_scope"`; the claim values are never echoed.
    #[error("Insufficient permissions for this resource")]
    InsufficientClaims,
    /// A token read from the cookie came with an unsafe method (not GET,
    /// HEAD or OPTIONS) and without an allowed `Origin` header: a possible
    /// cross-site request forgery (see `CredentialSources::cookie_origins`).
    #[error("Request origin is not allowed")]
    OriginNotAllowed,
    /// The token needs a JWKS key, but none is loaded: the keys could not
    /// be refreshed for longer than the configured maximum age and were
    /// dropped, or (with a background start) have not arrived yet. Answered
    /// 503 with `Retry-After`.
    #[error("Token keys are temporarily unavailable")]
    KeysUnavailable,
    /// A validly signed session token that names no live session: signed
    /// out, revoked, or deleted (401). Answered from the session store.
    #[error("Session is not valid")]
    SessionNotFound,
    /// The session store (Better Auth's `get-session` or its database)
    /// could not answer: 503 with `Retry-After`, as for
    /// [`KeysUnavailable`](Self::KeysUnavailable).
    #[error("Sessions are temporarily unavailable")]
    SessionStoreUnavailable,
    /// A credential of another kind than its place calls for: a bearer JWT
    /// in the session cache cookie, or a cookie cache of a strategy the
    /// verifier was not configured for (401).
    #[error("Credential is of the wrong kind for where it was sent")]
    WrongCredentialKind,
    /// An OAuth access token (header `typ` `at+jwt`, RFC 9068) where none is
    /// accepted: a raw token passed to `verify`, or a verifier without
    /// `VerifierBuilder::oauth`. Access tokens are accepted only through
    /// `verify_request`, with their resource's rules (401).
    #[error("OAuth access tokens are not accepted here")]
    AccessTokenNotAccepted,
    /// A token presented as an OAuth access token that is none: a JWT
    /// plugin token, an ID token or another JWT without the header `typ`
    /// `at+jwt` (RFC 9068 4), or an introspected token whose `token_type`
    /// is not an access token (401).
    #[error("Token is not an OAuth access token")]
    NotAnAccessToken,
    /// A DPoP-bound access token (`cnf.jkt`) sent with the `Bearer` scheme,
    /// which anyone who copied it could send: it must come as
    /// `Authorization: DPoP` with its proof (RFC 9449 7.1) (401).
    #[error("DPoP-bound token must be sent with a DPoP proof")]
    DpopBoundToken,
    /// The `DPoP` proof is missing, sent twice, too large, malformed, not
    /// `typ` `dpop+jwt`, of an algorithm not allowed, with a private or
    /// unusable `jwk`, badly signed, or for another method, URL, token or
    /// time (RFC 9449 4.3). Answered with a `DPoP error="invalid_dpop_proof"`
    /// challenge (401).
    #[error("DPoP proof is invalid")]
    InvalidDpopProof,
    /// The proof's key is not the one the token is bound to: its JWK
    /// thumbprint differs from the token's `cnf.jkt` (401).
    #[error("DPoP proof key does not match the token")]
    DpopKeyMismatch,
    /// The proof's `jti` was already used within its lifetime: a replay
    /// (401).
    #[error("DPoP proof was already used")]
    DpopReplay,
    /// The provider's introspection endpoint says the opaque access token
    /// is not active: unknown, expired, revoked, its session ended, or not
    /// for this client (RFC 7662 `active: false`) (401).
    #[error("Access token is not active")]
    InactiveToken,
    /// The provider's introspection endpoint could not answer: 503 with
    /// `Retry-After`, as for
    /// [`SessionStoreUnavailable`](Self::SessionStoreUnavailable).
    #[error("Token introspection is temporarily unavailable")]
    IntrospectionUnavailable,
    /// The DPoP replay store (`oauth::ReplayStore`) could not tell whether
    /// a proof was used before, or is full: 503 with `Retry-After`, never
    /// an accepted replay.
    #[error("Proof checks are temporarily unavailable")]
    ReplayStoreUnavailable,
    /// No key of Better Auth's `@better-auth/api-key` plugin has the hash of
    /// the API key sent (feature `api-key`): unknown, deleted, or made for
    /// another app's database (401).
    #[error("API key is not valid")]
    InvalidApiKey,
    /// The API key is disabled (`enabled` is false) (401).
    #[error("API key is disabled")]
    ApiKeyDisabled,
    /// The API key's `expiresAt` has passed (401).
    #[error("API key has expired")]
    ApiKeyExpired,
    /// The API key has no uses left (`remaining` is 0) and no refill is
    /// due (401, as a credential that cannot be used now; the plugin
    /// answers 429 `USAGE_EXCEEDED`, but no `Retry-After` could be honest
    /// for a key that may never be refilled).
    #[error("API key has no uses left")]
    ApiKeyExhausted,
    /// The API key store (Better Auth's database) could not answer: 503
    /// with `Retry-After`, as for
    /// [`SessionStoreUnavailable`](Self::SessionStoreUnavailable).
    #[error("API keys are temporarily unavailable")]
    ApiKeyStoreUnavailable,
    /// The server is misconfigured (for example, no verifier was registered).
    #[error("Internal server error")]
    Misconfigured,
}

impl ErrorKind {
    /// A stable, machine-readable name for this kind, as sent in the `code`
    /// field of error bodies.
    ///
    /// ```
    /// assert_eq!(jwtguard::ErrorKind::MissingCredentials.code(), "missing_token");
    /// ```
    pub fn code(self) -> &'static str {
        self.spec().code
    }
}
