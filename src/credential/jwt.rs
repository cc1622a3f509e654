//! A compact JWT as a request credential: from the `Authorization: Bearer`
//! header, the token cookie or a WebSocket upgrade's query parameter,
//! verified by the verifier's token path (HS256, or a JWKS key).

use crate::error::{Error, ErrorKind};
use crate::http::credentials::{
    HeaderSource, token_from_authorization, token_from_cookie, token_from_query,
};
use crate::jwks::Stop;
use crate::token::decode::DecodeClaims;
use crate::verifier::Verifier;

/// The JWT of an `Authorization` value: `Bearer <token>`.
pub(super) fn from_authorization(value: &[u8]) -> Result<&str, ErrorKind> {
    token_from_authorization(value)
}

/// The JWT in the cookie `name`, if the request carries it.
pub(super) fn from_cookie<'h, H: HeaderSource>(
    headers: &'h H,
    name: &str,
) -> Result<Option<&'h str>, ErrorKind> {
    token_from_cookie(headers, name)
}

/// The JWT in the query parameter `name`, if the query has it.
pub(super) fn from_query<'q>(query: &'q str, name: &str) -> Result<Option<&'q str>, ErrorKind> {
    token_from_query(query, name)
}

/// Verifies `token` unless that means waiting for a JWKS reload.
pub(super) fn verify_now<T: DecodeClaims>(
    verifier: &Verifier,
    token: &str,
) -> Option<Result<T, Error>> {
    Stop::now(verifier.verify_token(token))
}

/// Verifies `token`, waiting for the JWKS reload an unknown `kid` causes.
pub(super) async fn verify<T: DecodeClaims>(verifier: &Verifier, token: &str) -> Result<T, Error> {
    verifier.verify_token_waiting(token).await
}
