//! Better Auth's signed session token as a request credential: its cookie
//! (`[__Secure-]<prefix>.session_token`, with the cookie cache next to it)
//! or the bearer plugin's `Authorization: Bearer <token>.<signature>`,
//! resolved by `crate::session::Sessions`.

use crate::error::{Error, ErrorKind};
use crate::http::credentials::{
    HeaderSource, cookie_value, session_token_from_authorization, token_from_authorization,
};
use crate::session::Sessions;
use crate::token::decode::DecodeClaims;

/// A signed session token, as sent, and the cookie it came in (`None`: the
/// bearer plugin's header).
pub(crate) struct SessionToken<'r> {
    pub(crate) value: &'r str,
    pub(crate) cookie: Option<&'r str>,
}

/// The bearer plugin's token in an `Authorization` value; `None` when the
/// value has a compact JWT's shape (two dots, not the token's one), which
/// the JWT kind reads.
pub(super) fn from_authorization(value: &[u8]) -> Result<Option<SessionToken<'_>>, ErrorKind> {
    match token_from_authorization(value) {
        Ok(token) if token.matches('.').count() != 1 => Ok(None),
        _ => session_token_from_authorization(value).map(|value| {
            Some(SessionToken {
                value,
                cookie: None,
            })
        }),
    }
}

/// The session cookie, under the first of its names the request carries
/// (`__Secure-` first).
pub(super) fn from_cookie<'r, H: HeaderSource>(
    sessions: &'r Sessions,
    headers: &'r H,
) -> Result<Option<SessionToken<'r>>, ErrorKind> {
    Ok(
        cookie_value(headers, &sessions.token_cookies)?.map(|(name, value)| SessionToken {
            value,
            cookie: Some(name),
        }),
    )
}

/// The session's claims, unless the store must be asked.
pub(super) fn verify_now<T: DecodeClaims, H: HeaderSource>(
    sessions: &Sessions,
    token: &SessionToken<'_>,
    headers: &H,
) -> Option<Result<T, Error>> {
    let resolved = sessions.resolve_now(token.value, headers)?;
    Some(resolved.and_then(|session| sessions.claims(&session)))
}

/// The session's claims, from its cache cookie or its store.
pub(super) async fn verify<T: DecodeClaims, H: HeaderSource>(
    sessions: &Sessions,
    token: &SessionToken<'_>,
    headers: &H,
) -> Result<T, Error> {
    let session = sessions.resolve(token.value, token.cookie, headers).await?;
    sessions.claims(&session)
}
