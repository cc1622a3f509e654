//! User isolation: the path's user id must be the token's `sub`.
//!
//! The adapters' `OwnerOf` extractors call [`check_owner`] after the token is
//! verified, so a handler that takes `OwnerOf` cannot forget the check.

use crate::error::{Error, ErrorKind};
use crate::token::claims::Claims;
use crate::trace;

/// Names the path parameter that holds the user id, for `OwnerOf<P>`.
///
/// [`UserIdParam`] (`user_id`) is the default; name another one by declaring
/// a type:
///
/// ```
/// struct AccountId;
/// impl jwtguard::PathParam for AccountId {
///     const NAME: &'static str = "account_id";
/// }
/// ```
pub trait PathParam: Send + Sync + 'static {
    /// The parameter's name in the route, e.g. `user_id` for `/api/{user_id}/tasks`.
    const NAME: &'static str;
}

/// The default path parameter: `user_id`, as in `/api/{user_id}/tasks`.
///
/// ```
/// use jwtguard::PathParam;
/// assert_eq!(jwtguard::UserIdParam::NAME, "user_id");
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct UserIdParam;

impl PathParam for UserIdParam {
    const NAME: &'static str = "user_id";
}

/// The character actix-web puts where a path held invalid UTF-8.
const REPLACEMENT: char = '\u{FFFD}';

/// Checks that the path value is the verified subject.
///
/// `path_value` is the route parameter percent-decoded once, as the
/// framework's own `Path<String>` extractor gives it (the adapters do this).
/// The comparison is exact: byte for byte, case-sensitive, no Unicode
/// normalisation.
///
/// A value containing U+FFFD (the replacement character) is never anyone's
/// id: actix-web writes it where the path held invalid UTF-8, before any
/// extractor sees the path, so the value no longer says what was sent.
/// It is [`ErrorKind::Forbidden`] (403), even when the `sub` is the same
/// text, and so in both adapters (axum refuses invalid UTF-8 itself; the
/// adapter answers that 403 too).
///
/// `None` means the route has no such parameter: a server bug, answered 500
/// ([`ErrorKind::Misconfigured`]). A different user is
/// [`ErrorKind::Forbidden`] (403).
///
/// [`OwnerOf::authorize`](crate::OwnerOf::authorize) is its public face.
pub(crate) fn check_owner(claims: &Claims, path_value: Option<&str>) -> Result<(), Error> {
    match path_value {
        Some(user_id) if user_id.contains(REPLACEMENT) => Err(ErrorKind::Forbidden.into()),
        Some(user_id) if user_id == claims.sub() => Ok(()),
        Some(_) => Err(ErrorKind::Forbidden.into()),
        None => {
            trace::misconfigured("OwnerOf is used on a route without the user id path parameter");
            Err(ErrorKind::Misconfigured.into())
        }
    }
}

/// The value of the parameter `name` among a route's parameters, for
/// [`check_owner`]; `params` are (name, value) in route order, each value
/// decoded as the framework's `Path` extractor decodes it, and `raw_path`
/// is the request path as sent (still percent-encoded).
///
/// When any parameter, not only `name`, holds U+FFFD the answer is
/// [`ErrorKind::Forbidden`]: axum refuses invalid UTF-8 in any parameter
/// before `name` can be read, and actix-web shows invalid UTF-8 only as
/// U+FFFD, so this is the one rule both can follow.
///
/// So is a `raw_path` with a `%` that does not start a `%XX` escape (two
/// hex digits): actix-web decodes a path in two steps, and the `%` of
/// `a%%32%46b` meets the `2F` the first step made, so `web::Path` reads
/// `a/b` where axum, decoding once, reads `a%2Fb`. Without such a `%` both
/// decode each escape exactly once.
///
/// When `name` occurs twice (nested routes), the first value counts, as in
/// both frameworks' lookups.
#[cfg(any(feature = "axum", feature = "actix"))]
pub(crate) fn owner_param<'a>(
    name: &str,
    raw_path: &str,
    params: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Result<Option<&'a str>, Error> {
    if !is_percent_encoded(raw_path) {
        return Err(ErrorKind::Forbidden.into());
    }
    let mut found = None;
    for (param, value) in params {
        if value.contains(REPLACEMENT) {
            return Err(ErrorKind::Forbidden.into());
        }
        if param == name && found.is_none() {
            found = Some(value);
        }
    }
    Ok(found)
}

/// Whether every `%` in `raw` starts an escape: `%` and two hex digits.
#[cfg(any(feature = "axum", feature = "actix"))]
fn is_percent_encoded(raw: &str) -> bool {
    let bytes = raw.as_bytes();
    bytes.iter().enumerate().all(|(i, &byte)| {
        byte != b'%'
            || matches!(
                bytes.get(i + 1..i + 3),
                Some([high, low]) if high.is_ascii_hexdigit() && low.is_ascii_hexdigit()
            )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::token::claims::Fields;
    use std::sync::OnceLock;

    fn claims(sub: &str) -> Claims {
        Claims::new(Fields {
            sub: sub.to_owned(),
            exp: None,
            nbf: None,
            iat: None,
            issuer_audience: OnceLock::new(),
            payload: Box::default(),
            extra: OnceLock::new(),
            credential: crate::token::claims::Credential::Jwt,
        })
    }

    fn kind(sub: &str, path_value: Option<&str>) -> Option<ErrorKind> {
        check_owner(&claims(sub), path_value)
            .err()
            .map(|e| e.kind())
    }

    #[test]
    fn the_path_value_must_be_the_sub_exactly() {
        assert_eq!(kind("user-1", Some("user-1")), None);
        assert_eq!(kind("a/b", Some("a/b")), None);
        for path in ["user-2", "User-1", "user-1 ", "us\u{0435}r-1", "user%2D1"] {
            assert_eq!(
                kind("user-1", Some(path)),
                Some(ErrorKind::Forbidden),
                "{path:?}"
            );
        }
    }

    #[test]
    fn a_replacement_character_is_no_ones_id() {
        for sub in ["\u{FFFD}", "user-1\u{FFFD}", "\u{FFFD}\u{FFFD}"] {
            assert_eq!(kind(sub, Some(sub)), Some(ErrorKind::Forbidden), "{sub:?}");
        }
    }

    #[test]
    #[cfg(any(feature = "axum", feature = "actix"))]
    fn the_first_value_of_the_parameter_counts() {
        let params = [("org_id", "x"), ("user_id", "a/b"), ("user_id", "c")];
        assert_eq!(owner_param("user_id", "/", params).ok(), Some(Some("a/b")));
        assert_eq!(owner_param("account_id", "/", params).ok(), Some(None));
        assert_eq!(owner_param("user_id", "/", []).ok(), Some(None));
    }

    #[test]
    #[cfg(any(feature = "axum", feature = "actix"))]
    fn a_replacement_character_in_any_parameter_is_refused() {
        for params in [
            [("org_id", "\u{FFFD}"), ("user_id", "user-1")],
            [("org_id", "x"), ("user_id", "user-1\u{FFFD}")],
        ] {
            let err = owner_param("user_id", "/", params).err().map(|e| e.kind());
            assert_eq!(err, Some(ErrorKind::Forbidden), "{params:?}");
        }
    }

    #[test]
    #[cfg(any(feature = "axum", feature = "actix"))]
    fn a_percent_sign_must_start_an_escape() {
        for raw in [
            "/",
            "/api/user-1/tasks",
            "/api/a%2Fb/tasks",
            "/a%2fb%25%FF%c3%A9",
        ] {
            assert!(is_percent_encoded(raw), "{raw:?}");
        }
        for raw in ["/a%", "/a%2", "/a%zz", "/a%%32%46b", "/a%2G", "/a%%41", "%"] {
            assert!(!is_percent_encoded(raw), "{raw:?}");
            let err = owner_param("user_id", raw, [("user_id", "a")]).err();
            assert_eq!(err.map(|e| e.kind()), Some(ErrorKind::Forbidden), "{raw:?}");
        }
    }

    #[test]
    fn a_route_without_the_parameter_is_misconfigured() {
        assert_eq!(kind("user-1", None), Some(ErrorKind::Misconfigured));
    }
}
