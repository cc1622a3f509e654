//! What a handler can ask for, whatever the framework: [`Auth`], [`UserId`],
//! [`OwnerOf`] and [`Require`]. The `axum` and `actix` features make these types
//! extractors (and re-export them from `jwtguard::axum` and
//! `jwtguard::actix`), so both frameworks share one definition.

use std::fmt;
use std::marker::PhantomData;

use crate::error::Error;
use crate::http::owner::{UserIdParam, check_owner};
use crate::token::claims::Claims;
use crate::token::decode::DecodeClaims;
use crate::token::guard::{Guard, check_guard};

/// The claims of a verified token. `C` is [`Claims`] or any
/// `serde::de::DeserializeOwned` type.
///
/// In axum, `Option<Auth<C>>` is `None` only when the request carried no
/// credentials; an invalid token is still refused with 401 (in actix-web use
/// `jwtguard::actix::OptionalAuth`).
///
/// ```
/// use jwtguard::Auth;
///
/// #[derive(serde::Deserialize)]
/// struct Session { sub: String, email: String }
///
/// // With the `axum` or `actix` feature, `Auth<Session>` is a handler argument:
/// async fn profile(Auth(session): Auth<Session>) -> String {
///     session.email
/// }
/// ```
#[derive(Debug, Clone)]
pub struct Auth<C = Claims>(pub C);

/// The verified `sub`: the user id (FastAPI's `get_current_user_id`).
///
/// ```
/// use jwtguard::UserId;
///
/// async fn whoami(UserId(user_id): UserId) -> String {
///     user_id
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserId(pub String);

/// The verified user, extracted only when the route's user id parameter
/// (`P`, by default `user_id`) equals the token's `sub`: user isolation as a
/// type, so that a handler that takes it cannot forget the check. `C` is the
/// claims as the handler wants them: [`Claims`], or your own serde type,
/// read from the same verification (one signature check per request).
///
/// Without a valid token the answer is 401 whatever the path; with a valid
/// token on another user's path it is 403
/// `{"detail":"Not authorized to access this resource","code":"forbidden"}`.
/// A route without the parameter is a server bug: 500, logged at WARN.
///
/// The path value compared with `sub` is the string the framework's own
/// `Path<String>` extractor gives the handler, so `OwnerOf` and `Path` never
/// disagree about whose path it is:
///
/// - axum: the value `axum::extract::Path` reads (via `RawPathParams`): every
///   `%XX` decoded once, then read as UTF-8.
/// - actix-web: the value `web::Path` reads, through
///   `match_info().load()` (actix-router's `PathDeserializer`): actix-web
///   decodes the request path except `%2F`, `%2B` and `%25` (writing U+FFFD
///   for invalid UTF-8), and the deserializer decodes those three.
///
/// In both, `/api/a%2Fb/tasks` is the user `a/b`, `a%252Fb` the user `a%2Fb`,
/// `a%2Bb` and `a+b` the user `a+b` (`+` is not a space). The comparison is
/// exact: case-sensitive, no Unicode normalisation.
///
/// Refused with 403 in both adapters, whatever the `sub`: a path parameter
/// (any of the route's) that is invalid UTF-8 once decoded, or holds U+FFFD
/// (actix-web shows invalid UTF-8 only as U+FFFD, so neither is anyone's
/// id); and a request path with a `%` that starts no `%XX` escape
/// (actix-web would decode what follows it twice: `a%%32%46b` is `a/b` to
/// `web::Path`, `a%2Fb` to axum). In axum that path is the one the route
/// sees: under `Router::nest` the prefix has already been stripped.
///
/// ```
/// use jwtguard::OwnerOf;
///
/// // Route `/api/{user_id}/tasks`: only reached for the caller's own id.
/// async fn list_tasks(owner: OwnerOf) -> String {
///     format!("tasks of {}", owner.user_id())
/// }
///
/// // Another parameter name: declare it with a type.
/// struct AccountId;
/// impl jwtguard::PathParam for AccountId {
///     const NAME: &'static str = "account_id";
/// }
/// async fn account(owner: OwnerOf<AccountId>) -> String {
///     owner.user_id().to_owned()
/// }
///
/// // Your own claims type, from the same verification.
/// #[derive(serde::Deserialize)]
/// struct Session { email: String }
/// async fn profile(owner: OwnerOf<jwtguard::UserIdParam, Session>) -> String {
///     owner.into_claims().email
/// }
/// ```
pub struct OwnerOf<P = UserIdParam, C = Claims> {
    verified: Claims,
    claims: C,
    param: PhantomData<fn() -> P>,
}

impl<P, C: fmt::Debug> fmt::Debug for OwnerOf<P, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OwnerOf")
            .field("user_id", &self.user_id())
            .field("claims", &self.claims)
            .finish()
    }
}

impl<P, C: Clone> Clone for OwnerOf<P, C> {
    fn clone(&self) -> Self {
        Self {
            verified: self.verified.clone(),
            claims: self.claims.clone(),
            param: PhantomData,
        }
    }
}

impl<P, C: DecodeClaims> OwnerOf<P, C> {
    /// The verified user when `path_value` (the route's parameter `P`,
    /// percent-decoded once, as the framework's `Path<String>` gives it;
    /// `None` when the route has none) is the token's `sub`; a value
    /// holding U+FFFD (invalid UTF-8 decoded lossily) is nobody's id. The
    /// claims are then read into `C` ([`ErrorKind::ClaimsShape`](crate::ErrorKind::ClaimsShape)
    /// when they do not fit).
    ///
    /// ```
    /// # let (verifier, token) = jwtguard::testing::doc_pair();
    /// let claims = verifier.verify(&token)?;
    /// let owner: jwtguard::OwnerOf = jwtguard::OwnerOf::authorize(claims, Some("user-1"))?;
    /// assert_eq!(owner.user_id(), "user-1");
    /// # Ok::<(), jwtguard::Error>(())
    /// ```
    pub fn authorize(claims: Claims, path_value: Option<&str>) -> Result<Self, Error> {
        check_owner(&claims, path_value)?;
        Ok(Self {
            claims: C::from_claims(&claims)?,
            verified: claims,
            param: PhantomData,
        })
    }
}

impl<P, C> OwnerOf<P, C> {
    /// The user id: both the path's and the token's `sub`.
    ///
    /// ```
    /// fn id(owner: &jwtguard::OwnerOf) -> &str { owner.user_id() }
    /// ```
    pub fn user_id(&self) -> &str {
        self.verified.sub()
    }

    /// The claims, as `C`.
    ///
    /// ```
    /// fn email(owner: &jwtguard::OwnerOf) -> Option<&serde_json::Value> {
    ///     owner.claims().get("email")
    /// }
    /// ```
    pub fn claims(&self) -> &C {
        &self.claims
    }

    /// The claims, as `C`, by value.
    ///
    /// ```
    /// fn take(owner: jwtguard::OwnerOf) -> jwtguard::Claims { owner.into_claims() }
    /// ```
    pub fn into_claims(self) -> C {
        self.claims
    }
}

/// Verified claims that also satisfy the guard `G` (a role, a scope...):
/// 401 without valid credentials, then 403
/// [`InsufficientClaims`](crate::ErrorKind::InsufficientClaims) with the
/// `insufficient_scope` challenge when `G` refuses. `C` is [`Claims`] or
/// your own serde type, read from the same verification.
///
/// ```
/// use jwtguard::{Claims, ClaimGuard, Guard, Require};
///
/// struct Writer;
/// impl Guard for Writer {
///     fn allows(claims: &Claims) -> bool {
///         ClaimGuard::scope("tasks:write").allows(claims)
///     }
/// }
///
/// // With the `axum` or `actix` feature, a handler argument:
/// async fn create(Require(claims, _): Require<Writer>) -> String {
///     format!("created by {}", claims.sub())
/// }
/// ```
pub struct Require<G, C = Claims>(pub C, pub PhantomData<fn() -> G>);

impl<G, C: fmt::Debug> fmt::Debug for Require<G, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Require").field(&self.0).finish()
    }
}

impl<G, C: Clone> Clone for Require<G, C> {
    fn clone(&self) -> Self {
        Self(self.0.clone(), PhantomData)
    }
}

impl<G: Guard, C: DecodeClaims> Require<G, C> {
    /// Checks `G` on verified claims and reads them into `C`.
    ///
    /// ```
    /// # use jwtguard::{Claims, Guard, Require};
    /// struct Anyone;
    /// impl Guard for Anyone { fn allows(_: &Claims) -> bool { true } }
    ///
    /// # let (verifier, token) = jwtguard::testing::doc_pair();
    /// let Require(claims, _) = Require::<Anyone>::authorize(verifier.verify(&token)?)?;
    /// assert_eq!(claims.sub(), "user-1");
    /// # Ok::<(), jwtguard::Error>(())
    /// ```
    pub fn authorize(claims: Claims) -> Result<Self, Error> {
        check_guard::<G>(&claims)?;
        Ok(Self(C::from_claims(&claims)?, PhantomData))
    }

    /// The claims, as `C`.
    ///
    /// ```
    /// # use jwtguard::{Claims, Guard, Require};
    /// # struct Anyone;
    /// # impl Guard for Anyone { fn allows(_: &Claims) -> bool { true } }
    /// fn take(required: Require<Anyone>) -> Claims { required.into_inner() }
    /// ```
    pub fn into_inner(self) -> C {
        self.0
    }
}
