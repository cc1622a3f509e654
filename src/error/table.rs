//! How each [`ErrorKind`] is answered, declared once: its stable code, HTTP
//! status, RFC 6750 challenge, gRPC status and whether it says when to retry.
//! Its message is the `#[error]` text at the variant.
//!
//! Everything else reads this table: [`ErrorKind::code`], the HTTP and gRPC
//! answers of [`Error`](super::Error), the OpenAPI components and the tests
//! that cover every kind ([`ErrorKind::ALL`]). Both the list of kinds and the
//! lookup are generated from the same rows, and the lookup is a `match`
//! without a wildcard: a kind without a row does not compile.

use http::StatusCode;

use super::ErrorKind;

/// What a kind is answered with, besides its message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Spec {
    /// The `code` of the JSON body: stable, machine-readable, snake_case.
    pub(crate) code: &'static str,
    /// The HTTP status.
    pub(crate) status: StatusCode,
    /// The `WWW-Authenticate` challenge.
    pub(crate) challenge: Challenge,
    /// The gRPC status code (grpc/doc/statuscodes.md).
    pub(crate) grpc: u8,
    /// Whether the answer carries `Retry-After` (the client may try again).
    pub(crate) retry_after: bool,
}

/// The RFC 6750 `WWW-Authenticate` challenge a kind is answered with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Challenge {
    /// No `WWW-Authenticate` header.
    None,
    /// A bare `Bearer`: no credentials were sent (RFC 6750 section 3.1).
    Bearer,
    /// `Bearer error="invalid_token", error_description="..."`: credentials
    /// were sent and refused.
    InvalidToken,
    /// `Bearer error="insufficient_scope", error_description="..."`: valid
    /// credentials whose claims do not allow the request.
    InsufficientScope,
    /// `DPoP error="invalid_dpop_proof", error_description="..."`: a DPoP
    /// proof was refused (RFC 9449 7.1).
    DpopProof,
    /// `DPoP error="invalid_token", error_description="..."`: a DPoP-bound
    /// token was refused.
    DpopToken,
}

/// The gRPC status codes (grpc/doc/statuscodes.md) refusals map to.
pub(crate) mod grpc {
    pub(crate) const PERMISSION_DENIED: u8 = 7;
    pub(crate) const INTERNAL: u8 = 13;
    pub(crate) const UNAVAILABLE: u8 = 14;
    pub(crate) const UNAUTHENTICATED: u8 = 16;
}

/// The `Retry-After` of a 503 ([`ErrorKind::KeysUnavailable`],
/// [`ErrorKind::SessionStoreUnavailable`]), in seconds, when the cause did
/// not say: about one JWKS reload cooldown.
pub const RETRY_AFTER_SECS: u32 = 10;

/// A claim-carrying kind's payload, as a pattern: anything.
macro_rules! any_claim {
    ($claim:literal) => {
        _
    };
}

/// Generates [`ErrorKind::ALL`] and [`ErrorKind::spec`] from one row per kind.
/// A kind that carries a claim name is written with a representative one.
macro_rules! table {
    ($(
        $kind:ident $(($claim:literal))? =>
            $code:literal, $status:ident, $challenge:ident, $grpc:ident, $retry:literal;
    )*) => {
        impl ErrorKind {
            /// Every kind, once, in declaration order. [`MissingClaim`](Self::MissingClaim)
            /// and [`InvalidClaim`](Self::InvalidClaim) appear with one claim
            /// name (`exp`, `nbf`); their answers do not depend on it.
            ///
            /// For documenting or testing every answer a service can give:
            ///
            /// ```
            /// use jwtguard::{Error, ErrorKind};
            ///
            /// assert!(ErrorKind::ALL.contains(&ErrorKind::Expired));
            /// for kind in ErrorKind::ALL {
            ///     let status = Error::from(*kind).status();
            ///     assert!([401, 403, 500, 503].contains(&status.as_u16()), "{kind:?}");
            /// }
            /// ```
            pub const ALL: &'static [ErrorKind] = &[$(ErrorKind::$kind $(($claim))?),*];

            /// This kind's row in [`ALL`](Self::ALL) (whatever claim it names).
            pub(crate) const fn index(self) -> usize {
                /// One variant per row, in the table's order.
                #[allow(dead_code)]
                enum Row { $($kind),* }
                match self {
                    $(ErrorKind::$kind $((any_claim!($claim)))? => Row::$kind as usize,)*
                }
            }

            /// How this kind is answered.
            pub(crate) const fn spec(self) -> Spec {
                match self {
                    $(ErrorKind::$kind $((any_claim!($claim)))? => Spec {
                        code: $code,
                        status: StatusCode::$status,
                        challenge: Challenge::$challenge,
                        grpc: grpc::$grpc,
                        retry_after: $retry,
                    },)*
                }
            }
        }
    };
}

table! {
    // kind                      code                              status                 challenge          gRPC               Retry-After
    MissingCredentials         => "missing_token",                 UNAUTHORIZED,          Bearer,            UNAUTHENTICATED,   false;
    InvalidAuthorizationHeader => "invalid_authorization_header",  UNAUTHORIZED,          InvalidToken,      UNAUTHENTICATED,   false;
    MultipleCredentials        => "multiple_credentials",          UNAUTHORIZED,          InvalidToken,      UNAUTHENTICATED,   false;
    TokenTooLarge              => "token_too_large",               UNAUTHORIZED,          InvalidToken,      UNAUTHENTICATED,   false;
    Malformed                  => "malformed_token",               UNAUTHORIZED,          InvalidToken,      UNAUTHENTICATED,   false;
    UnsupportedAlgorithm       => "unsupported_algorithm",         UNAUTHORIZED,          InvalidToken,      UNAUTHENTICATED,   false;
    UnsupportedHeader          => "unsupported_header",            UNAUTHORIZED,          InvalidToken,      UNAUTHENTICATED,   false;
    UnknownKey                 => "unknown_key",                   UNAUTHORIZED,          InvalidToken,      UNAUTHENTICATED,   false;
    KeyMismatch                => "key_mismatch",                  UNAUTHORIZED,          InvalidToken,      UNAUTHENTICATED,   false;
    InvalidSignature           => "invalid_signature",             UNAUTHORIZED,          InvalidToken,      UNAUTHENTICATED,   false;
    Expired                    => "token_expired",                 UNAUTHORIZED,          InvalidToken,      UNAUTHENTICATED,   false;
    NotYetValid                => "token_not_yet_valid",           UNAUTHORIZED,          InvalidToken,      UNAUTHENTICATED,   false;
    IssuedInFuture             => "token_issued_in_future",        UNAUTHORIZED,          InvalidToken,      UNAUTHENTICATED,   false;
    MissingClaim("exp")        => "missing_claim",                 UNAUTHORIZED,          InvalidToken,      UNAUTHENTICATED,   false;
    InvalidClaim("nbf")        => "invalid_claim",                 UNAUTHORIZED,          InvalidToken,      UNAUTHENTICATED,   false;
    InvalidIssuer              => "invalid_issuer",                UNAUTHORIZED,          InvalidToken,      UNAUTHENTICATED,   false;
    InvalidAudience            => "invalid_audience",              UNAUTHORIZED,          InvalidToken,      UNAUTHENTICATED,   false;
    InvalidSubject             => "invalid_subject",               UNAUTHORIZED,          InvalidToken,      UNAUTHENTICATED,   false;
    ClaimsShape                => "invalid_claims",                UNAUTHORIZED,          InvalidToken,      UNAUTHENTICATED,   false;
    SessionCacheToken          => "session_cache_token",           UNAUTHORIZED,          InvalidToken,      UNAUTHENTICATED,   false;
    Forbidden                  => "forbidden",                     FORBIDDEN,             None,              PERMISSION_DENIED, false;
    InsufficientClaims         => "insufficient_scope",            FORBIDDEN,             InsufficientScope, PERMISSION_DENIED, false;
    OriginNotAllowed           => "origin_not_allowed",            FORBIDDEN,             None,              PERMISSION_DENIED, false;
    KeysUnavailable            => "temporarily_unavailable",       SERVICE_UNAVAILABLE,   None,              UNAVAILABLE,       true;
    SessionNotFound            => "session_not_found",             UNAUTHORIZED,          InvalidToken,      UNAUTHENTICATED,   false;
    SessionStoreUnavailable    => "temporarily_unavailable",       SERVICE_UNAVAILABLE,   None,              UNAVAILABLE,       true;
    WrongCredentialKind        => "wrong_credential_kind",         UNAUTHORIZED,          InvalidToken,      UNAUTHENTICATED,   false;
    AccessTokenNotAccepted     => "access_token_not_accepted",     UNAUTHORIZED,          InvalidToken,      UNAUTHENTICATED,   false;
    NotAnAccessToken           => "not_an_access_token",           UNAUTHORIZED,          InvalidToken,      UNAUTHENTICATED,   false;
    DpopBoundToken             => "dpop_bound_token",              UNAUTHORIZED,          InvalidToken,      UNAUTHENTICATED,   false;
    InvalidDpopProof           => "invalid_dpop_proof",            UNAUTHORIZED,          DpopProof,         UNAUTHENTICATED,   false;
    DpopKeyMismatch            => "dpop_key_mismatch",             UNAUTHORIZED,          DpopToken,         UNAUTHENTICATED,   false;
    DpopReplay                 => "dpop_proof_replayed",           UNAUTHORIZED,          DpopProof,         UNAUTHENTICATED,   false;
    InactiveToken              => "inactive_token",                UNAUTHORIZED,          InvalidToken,      UNAUTHENTICATED,   false;
    IntrospectionUnavailable   => "temporarily_unavailable",       SERVICE_UNAVAILABLE,   None,              UNAVAILABLE,       true;
    ReplayStoreUnavailable     => "temporarily_unavailable",       SERVICE_UNAVAILABLE,   None,              UNAVAILABLE,       true;
    InvalidApiKey              => "invalid_api_key",               UNAUTHORIZED,          InvalidToken,      UNAUTHENTICATED,   false;
    ApiKeyDisabled             => "api_key_disabled",              UNAUTHORIZED,          InvalidToken,      UNAUTHENTICATED,   false;
    ApiKeyExpired              => "api_key_expired",               UNAUTHORIZED,          InvalidToken,      UNAUTHENTICATED,   false;
    ApiKeyExhausted            => "api_key_exhausted",             UNAUTHORIZED,          InvalidToken,      UNAUTHENTICATED,   false;
    ApiKeyStoreUnavailable     => "temporarily_unavailable",       SERVICE_UNAVAILABLE,   None,              UNAVAILABLE,       true;
    Misconfigured              => "internal_error",                INTERNAL_SERVER_ERROR, None,              INTERNAL,          false;
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn rows() -> impl Iterator<Item = (ErrorKind, Spec)> {
        ErrorKind::ALL.iter().map(|&kind| (kind, kind.spec()))
    }

    #[test]
    fn every_401_challenges_and_only_a_missing_credential_gets_a_bare_bearer() {
        for (kind, spec) in rows() {
            if spec.status == StatusCode::UNAUTHORIZED {
                match kind {
                    ErrorKind::MissingCredentials => assert_eq!(spec.challenge, Challenge::Bearer),
                    _ => assert!(
                        matches!(
                            spec.challenge,
                            Challenge::InvalidToken | Challenge::DpopProof | Challenge::DpopToken
                        ),
                        "{kind:?}"
                    ),
                }
            } else {
                assert!(
                    matches!(
                        spec.challenge,
                        Challenge::None | Challenge::InsufficientScope
                    ),
                    "{kind:?}: only a 401 says invalid_token or a bare Bearer"
                );
            }
        }
    }

    #[test]
    fn every_kind_knows_its_row() {
        for (row, kind) in ErrorKind::ALL.iter().enumerate() {
            assert_eq!(kind.index(), row, "{kind:?}");
        }
        assert_eq!(
            ErrorKind::MissingClaim("sub").index(),
            ErrorKind::MissingClaim("exp").index()
        );
    }

    #[test]
    fn insufficient_scope_is_a_403_challenge() {
        for (kind, spec) in rows() {
            if spec.challenge == Challenge::InsufficientScope {
                assert_eq!(spec.status, StatusCode::FORBIDDEN, "{kind:?}");
            }
        }
    }

    #[test]
    fn every_503_and_only_a_503_says_when_to_retry() {
        for (kind, spec) in rows() {
            assert_eq!(
                spec.retry_after,
                spec.status == StatusCode::SERVICE_UNAVAILABLE,
                "{kind:?}"
            );
        }
    }

    #[test]
    fn the_grpc_code_follows_the_http_status() {
        for (kind, spec) in rows() {
            let expected = match spec.status {
                StatusCode::UNAUTHORIZED => grpc::UNAUTHENTICATED,
                StatusCode::FORBIDDEN => grpc::PERMISSION_DENIED,
                StatusCode::SERVICE_UNAVAILABLE => grpc::UNAVAILABLE,
                StatusCode::INTERNAL_SERVER_ERROR => grpc::INTERNAL,
                other => panic!("{kind:?}: unexpected status {other}"),
            };
            assert_eq!(spec.grpc, expected, "{kind:?}");
        }
    }

    #[test]
    fn every_code_is_snake_case_and_names_one_answer() {
        let mut answers: BTreeMap<&str, (StatusCode, Challenge, u8, bool)> = BTreeMap::new();
        for (kind, spec) in rows() {
            let code = spec.code;
            assert!(
                !code.is_empty()
                    && code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
                    && !code.starts_with('_')
                    && !code.ends_with('_')
                    && !code.contains("__"),
                "{kind:?}: {code:?} is not snake_case"
            );
            // Two kinds may share a code only if a client cannot tell them
            // apart anyway (the two 503s): same status, challenge, gRPC code.
            let answer = (spec.status, spec.challenge, spec.grpc, spec.retry_after);
            assert_eq!(*answers.entry(code).or_insert(answer), answer, "{code}");
        }
    }

    #[test]
    fn only_the_unavailable_kinds_share_a_code() {
        let mut seen: BTreeMap<&str, Vec<ErrorKind>> = BTreeMap::new();
        for (kind, spec) in rows() {
            seen.entry(spec.code).or_default().push(kind);
        }
        let shared: Vec<_> = seen.values().filter(|kinds| kinds.len() > 1).collect();
        assert_eq!(
            shared,
            [&vec![
                ErrorKind::KeysUnavailable,
                ErrorKind::SessionStoreUnavailable,
                ErrorKind::IntrospectionUnavailable,
                ErrorKind::ReplayStoreUnavailable,
                ErrorKind::ApiKeyStoreUnavailable,
            ]]
        );
    }

    #[test]
    fn every_kind_is_listed_once_and_every_claim_name_gives_the_same_answer() {
        for (i, kind) in ErrorKind::ALL.iter().enumerate() {
            assert!(!ErrorKind::ALL[..i].contains(kind), "{kind:?} twice");
        }
        assert_eq!(
            ErrorKind::MissingClaim("sub").spec(),
            ErrorKind::MissingClaim("exp").spec()
        );
        assert_eq!(
            ErrorKind::InvalidClaim("aud").spec(),
            ErrorKind::InvalidClaim("nbf").spec()
        );
    }
}
