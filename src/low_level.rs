//! Less common ways to verify a raw token, for code that has a token in
//! hand rather than a request (use [`Verifier::verify_request`] for those).
//!
//! | function | for |
//! |---|---|
//! | [`bearer_token`] | the token of an `Authorization: Bearer <token>` value, not yet verified |
//! | [`verify_waiting_for_keys`] | [`Verifier::verify_as`] that waits for the JWKS reload a new `kid` causes |
//! | [`verify_borrowed`] | claims that borrow from a buffer you reuse: no allocation per string field |

use crate::error::{Error, ErrorKind};
use crate::http::credentials::token_from_authorization;
use crate::token::compact::decode_vec;
use crate::token::decode::{DecodeClaims, fill_checked};
use crate::verifier::{Verifier, session_cache_refusal};

/// The token in an `Authorization` value: `Bearer`, in any case, one space,
/// then a compact JWT's characters (base64url and dots). Not verified: pass
/// it to [`Verifier::verify`].
///
/// ```
/// # let (verifier, token) = jwtguard::testing::doc_pair();
/// let value = format!("Bearer {token}");
/// let claims = verifier.verify(jwtguard::low_level::bearer_token(value.as_bytes())?)?;
///
/// let err = jwtguard::low_level::bearer_token(b"Basic dXNlcjpwdw==").unwrap_err();
/// assert_eq!(err.kind(), jwtguard::ErrorKind::InvalidAuthorizationHeader);
/// # Ok::<(), jwtguard::Error>(())
/// ```
pub fn bearer_token(value: &[u8]) -> Result<&str, Error> {
    Ok(token_from_authorization(value)?)
}

/// Like [`Verifier::verify_as`], but a token whose `kid` names no loaded
/// key waits for the JWKS reload it causes (feature `jwks`; at most once
/// per cooldown) before it is refused. [`Verifier::verify_request`] does
/// this for requests; [`Verifier::verify_as`] never waits (it refuses, and
/// the reload goes on in the background). Needs no particular async runtime.
///
/// ```
/// # let (verifier, token) = jwtguard::testing::doc_pair();
/// # let run = async {
/// let claims: jwtguard::Claims =
///     jwtguard::low_level::verify_waiting_for_keys(&verifier, &token).await?;
/// # Ok::<(), jwtguard::Error>(()) };
/// ```
pub async fn verify_waiting_for_keys<T: DecodeClaims>(
    verifier: &Verifier,
    token: &str,
) -> Result<T, Error> {
    verifier.verify_token_waiting(token).await
}

/// Verifies a token and deserializes its claims into `T`, which may borrow
/// from `buffer`: the decoded payload is written there, so string fields
/// need not allocate. Reuse one buffer per thread or task.
///
/// The checks are those of [`Verifier::verify`]; the token cache is not
/// used. A borrowed `&str` field fails on a claim written with JSON escapes
/// ([`ErrorKind::ClaimsShape`]); `Cow<str>` with `#[serde(borrow)]` takes
/// both.
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
/// let session: Session<'_> = jwtguard::low_level::verify_borrowed(&verifier, &token, &mut buffer)?;
/// assert_eq!(session.email, "ada@example.com");
/// # Ok::<(), jwtguard::Error>(())
/// ```
pub fn verify_borrowed<'b, T: serde::Deserialize<'b>>(
    verifier: &Verifier,
    token: &str,
    buffer: &'b mut Vec<u8>,
) -> Result<T, Error> {
    let checked = verifier.checked_payload(token, |segment| decode_vec(segment, buffer))?;
    if checked.access_token {
        return Err(ErrorKind::AccessTokenNotAccepted.into());
    }
    let policy = verifier.policy_for(&checked);
    let payload = checked.payload;
    fill_checked(payload, policy)
        .map_err(|kind: ErrorKind| session_cache_refusal(kind, payload).into())
}
