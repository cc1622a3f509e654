//! An OAuth access token of Better Auth's provider as a request credential
//! (`crate::oauth`): a `Bearer` JWT, which the JWT kind reads and hands
//! over when access tokens are accepted, or `Authorization: DPoP <token>`
//! with the request's `DPoP` proof.

use crate::error::{Error, ErrorKind};
use crate::jwks::Stop;
use crate::oauth::AccessTokens;
use crate::token::decode::DecodeClaims;
use crate::verifier::Verifier;

/// The token of an `Authorization: DPoP <token>` value; `None` for another
/// scheme (or when DPoP is off).
pub(super) fn from_authorization<'v>(
    tokens: &AccessTokens,
    value: &'v [u8],
) -> Result<Option<&'v str>, ErrorKind> {
    tokens.dpop_from_authorization(value)
}

/// A `Bearer` JWT, unless that means waiting for a JWKS reload.
pub(super) fn verify_now<T: DecodeClaims>(
    tokens: &AccessTokens,
    verifier: &Verifier,
    token: &str,
) -> Option<Result<T, Error>> {
    Stop::now(tokens.verify_bearer(verifier, token))
}

/// A `Bearer` JWT, waiting for the JWKS reload an unknown `kid` causes.
pub(super) async fn verify_bearer<T: DecodeClaims>(
    tokens: &AccessTokens,
    verifier: &Verifier,
    token: &str,
) -> Result<T, Error> {
    match tokens.verify_bearer(verifier, token) {
        Ok(claims) => Ok(claims),
        Err(stop) => {
            stop.wait_then(|| tokens.verify_bearer(verifier, token).map_err(Error::from))
                .await
        }
    }
}
