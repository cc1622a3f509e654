//! User isolation: the path's user id must be the token's `sub`.
//!
//! The adapters' `OwnerOf` extractors call [`check_owner`] after the token is
//! verified, so a handler that takes `OwnerOf` cannot forget the check.

use crate::events;
use crate::{Claims, Error, ErrorKind};

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

/// Checks that the (percent-decoded) path value is the verified subject.
///
/// `None` means the route has no such parameter: a server bug, answered 500
/// ([`ErrorKind::Misconfigured`]). A different user is
/// [`ErrorKind::Forbidden`] (403).
///
/// ```
/// # let (verifier, token) = jwtguard::testing::doc_pair();
/// let claims = verifier.verify(&token)?;
/// assert!(jwtguard::check_owner(&claims, Some("user-1")).is_ok());
/// let err = jwtguard::check_owner(&claims, Some("user-2")).unwrap_err();
/// assert_eq!(err.kind(), jwtguard::ErrorKind::Forbidden);
/// # Ok::<(), jwtguard::Error>(())
/// ```
pub fn check_owner(claims: &Claims, path_value: Option<&str>) -> Result<(), Error> {
    match path_value {
        Some(user_id) if user_id == claims.sub() => Ok(()),
        Some(_) => Err(ErrorKind::Forbidden.into()),
        None => {
            events::misconfigured("OwnerOf is used on a route without the user id path parameter");
            Err(ErrorKind::Misconfigured.into())
        }
    }
}
