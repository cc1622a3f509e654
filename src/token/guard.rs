//! Claim guards: what a verified user must also hold (a role, a scope, a
//! verified email, no ban) for a request to pass. A guard that refuses
//! answers 403 [`ErrorKind::InsufficientClaims`]; it never says which claim
//! was missing or what it held.
//!
//! Two faces, one set of rules: a [`ClaimGuard`] value for layers and
//! middleware (`AuthLayer::require`), and the [`Guard`] trait for the
//! `Require<G>` extractor, where the rule is a type.

use std::fmt;
use std::sync::Arc;

use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::error::{Error, ErrorKind};
use crate::token::access_control::{AccessControl, Request};
use crate::token::claims::Claims;

/// A rule on verified claims; every rule of a guard must hold.
///
/// Claims are read as Better Auth and OAuth write them:
///
/// - **scope**: `scope` or `scp`, a space-separated string or an array of
///   strings (RFC 8693, RFC 9068).
/// - **role**: `role`, the admin plugin's string, which may list several
///   roles separated by commas (`"admin,support"`), or `roles`, an array.
/// - **email verified**: `emailVerified` (Better Auth) or `email_verified`
///   (OpenID Connect), the JSON `true`.
/// - **not banned**: no `banned` claim, or `banned` `false` or `null` (the
///   admin plugin's field, `null` for users created before the plugin, as
///   Better Auth reads it), or `banned` `true` with a `banExpires` in the
///   past: Better Auth lets a user whose ban has expired sign in again
///   (and lifts the ban then). `banExpires` is read as Better Auth writes
///   it, an RFC 3339 date (`"2026-12-08T05:44:51.761Z"`), against the
///   system clock; a ban without it, with it `null`, in the future, or not
///   such a date is in force. Any other `banned` value is refused.
///
/// Matching is exact and case-sensitive. A claim of an unexpected JSON type
/// never satisfies a rule, and an empty role or scope name never matches.
///
/// ```
/// use jwtguard::ClaimGuard;
///
/// let admins = ClaimGuard::role("admin").and(ClaimGuard::not_banned());
/// # let (verifier, _) = jwtguard::testing::doc_pair();
/// # let token = jwtguard::testing::TokenMinter::new("a-shared-secret-of-at-least-32-bytes!")
/// #     .subject("user-1").claim("role", "admin,user").sign();
/// let claims = verifier.verify(&token)?;
/// assert!(admins.check(&claims).is_ok());
/// assert_eq!(
///     ClaimGuard::scope("tasks:write").check(&claims).unwrap_err().kind(),
///     jwtguard::ErrorKind::InsufficientClaims,
/// );
/// # Ok::<(), jwtguard::Error>(())
/// ```
#[derive(Clone)]
pub struct ClaimGuard {
    rules: Arc<[Rule]>,
}

#[derive(Clone)]
enum Rule {
    Scope(Box<str>),
    Role(Box<str>),
    Permission(Arc<AccessControl>, Arc<Request>),
    MemberPermission(Arc<AccessControl>, Arc<Request>),
    Granted(Box<str>, Box<str>),
    EmailVerified,
    NotBanned,
    NotImpersonated,
    Custom(Arc<dyn Fn(&Claims) -> bool + Send + Sync>),
}

impl ClaimGuard {
    fn rule(rule: Rule) -> Self {
        Self {
            rules: Arc::new([rule]),
        }
    }

    /// Requires a permission as Better Auth's admin plugin checks it
    /// (`auth.api.userHasPermission`): one of the roles in the `role` claim
    /// (comma-separated, each name exact) must grant every action on every
    /// resource of `request` under `access` (see [`AccessControl`]). No
    /// `role` claim grants nothing.
    ///
    /// ```
    /// use jwtguard::{AccessControl, ClaimGuard};
    ///
    /// let can_ban = ClaimGuard::role_permission(AccessControl::admin_defaults(), &[("user", &["ban"])]);
    /// # let (verifier, _) = jwtguard::testing::doc_pair();
    /// # let token = jwtguard::testing::TokenMinter::new("a-shared-secret-of-at-least-32-bytes!")
    /// #     .subject("user-1").claim("role", "user,admin").sign();
    /// assert!(can_ban.allows(&verifier.verify(&token)?));
    /// # Ok::<(), jwtguard::Error>(())
    /// ```
    pub fn role_permission(access: AccessControl, request: &[(&str, &[&str])]) -> Self {
        Self::rule(Rule::Permission(
            Arc::new(access),
            Arc::new(Request::new(request)),
        ))
    }

    /// Requires a permission as Better Auth's organization plugin checks it
    /// (`auth.api.hasPermission`, `hasPermissionFn`) for the member's role in
    /// the session's active organization: the `memberRole` claim, which
    /// `SqlSessionStore` (feature `session-sql`) reads from the `member`
    /// table. The roles are read as the organization plugin reads them
    /// (`parseRoleList`): split on `,`, each name trimmed of whitespace,
    /// empty names dropped; one of them must grant every action on every
    /// resource of `request` under `access` (see [`AccessControl`], e.g.
    /// [`AccessControl::organization_defaults`]). No `memberRole` claim (no
    /// active organization, or not a member of it), or one that is not a
    /// string, grants nothing.
    ///
    /// Not supported: the plugin's `allowCreatorAllPermissions` option
    /// (off by default), which grants the creator role (`creatorRole`,
    /// `owner` by default) every permission whatever its statements; give
    /// that role every statement in `access` instead. Dynamic access control
    /// (roles in the `organizationRole` table) is not read either: put those
    /// roles in `access`.
    ///
    /// ```
    /// use jwtguard::{AccessControl, ClaimGuard};
    ///
    /// let can_invite = ClaimGuard::member_permission(
    ///     AccessControl::organization_defaults(),
    ///     &[("invitation", &["create"])],
    /// );
    /// # let (verifier, _) = jwtguard::testing::doc_pair();
    /// # let token = jwtguard::testing::TokenMinter::new("a-shared-secret-of-at-least-32-bytes!")
    /// #     .subject("user-1").claim("memberRole", "member, admin").sign();
    /// assert!(can_invite.allows(&verifier.verify(&token)?));
    /// # Ok::<(), jwtguard::Error>(())
    /// ```
    pub fn member_permission(access: AccessControl, request: &[(&str, &[&str])]) -> Self {
        Self::rule(Rule::MemberPermission(
            Arc::new(access),
            Arc::new(Request::new(request)),
        ))
    }

    /// Requires `action` on `resource` in the credential's own `permissions`
    /// claim, an object of resources to arrays of actions
    /// (`{"files": ["read", "write"]}`), as Better Auth's API keys carry
    /// their permissions.
    ///
    /// ```
    /// let can_read = jwtguard::ClaimGuard::permission("files", "read");
    /// # let (verifier, _) = jwtguard::testing::doc_pair();
    /// # let token = jwtguard::testing::TokenMinter::new("a-shared-secret-of-at-least-32-bytes!")
    /// #     .subject("user-1").claim("permissions", serde_json::json!({"files": ["read"]})).sign();
    /// assert!(can_read.allows(&verifier.verify(&token)?));
    /// # Ok::<(), jwtguard::Error>(())
    /// ```
    pub fn permission(resource: impl Into<String>, action: impl Into<String>) -> Self {
        Self::rule(Rule::Granted(
            resource.into().into_boxed_str(),
            action.into().into_boxed_str(),
        ))
    }

    /// Refuses a session an admin opened as this user (the admin plugin's
    /// `impersonatedBy`, set on the session): for routes an impersonating
    /// admin must not reach, such as changing the password.
    ///
    /// ```
    /// let guard = jwtguard::ClaimGuard::not_impersonated();
    /// # let (verifier, token) = jwtguard::testing::doc_pair();
    /// assert!(guard.allows(&verifier.verify(&token)?));
    /// # Ok::<(), jwtguard::Error>(())
    /// ```
    pub fn not_impersonated() -> Self {
        Self::rule(Rule::NotImpersonated)
    }

    /// Requires the scope `scope` in `scope` or `scp`.
    ///
    /// ```
    /// let writers = jwtguard::ClaimGuard::scope("tasks:write");
    /// ```
    pub fn scope(scope: impl Into<String>) -> Self {
        Self::rule(Rule::Scope(scope.into().into_boxed_str()))
    }

    /// Requires the role `role` in `role` (comma-separated) or `roles`.
    ///
    /// ```
    /// let admins = jwtguard::ClaimGuard::role("admin");
    /// ```
    pub fn role(role: impl Into<String>) -> Self {
        Self::rule(Rule::Role(role.into().into_boxed_str()))
    }

    /// Requires `emailVerified` or `email_verified` to be `true`.
    ///
    /// ```
    /// let verified = jwtguard::ClaimGuard::email_verified();
    /// ```
    pub fn email_verified() -> Self {
        Self::rule(Rule::EmailVerified)
    }

    /// Refuses users the admin plugin banned: `banned` other than absent,
    /// `false` or `null`, unless it is `true` and `banExpires` has passed.
    ///
    /// ```
    /// use jwtguard::ClaimGuard;
    /// use jwtguard::testing::TokenMinter;
    ///
    /// # let (verifier, _) = jwtguard::testing::doc_pair();
    /// let minter = TokenMinter::new("a-shared-secret-of-at-least-32-bytes!").subject("user-1");
    /// let banned = minter.clone().claim("banned", true).claim("banExpires", "2999-01-01T00:00:00.000Z");
    /// let ban_over = minter.claim("banned", true).claim("banExpires", "2000-01-01T00:00:00.000Z");
    /// assert!(!ClaimGuard::not_banned().allows(&verifier.verify(&banned.sign())?));
    /// assert!(ClaimGuard::not_banned().allows(&verifier.verify(&ban_over.sign())?));
    /// # Ok::<(), jwtguard::Error>(())
    /// ```
    pub fn not_banned() -> Self {
        Self::rule(Rule::NotBanned)
    }

    /// Requires `predicate` to return `true` for the claims.
    ///
    /// ```
    /// let paid = jwtguard::ClaimGuard::custom(|claims| {
    ///     claims.get("plan").and_then(|plan| plan.as_str()) == Some("pro")
    /// });
    /// ```
    pub fn custom(predicate: impl Fn(&Claims) -> bool + Send + Sync + 'static) -> Self {
        Self::rule(Rule::Custom(Arc::new(predicate)))
    }

    /// Both guards' rules.
    ///
    /// ```
    /// use jwtguard::ClaimGuard;
    /// let guard = ClaimGuard::role("admin").and(ClaimGuard::email_verified());
    /// ```
    pub fn and(self, other: ClaimGuard) -> Self {
        Self {
            rules: self
                .rules
                .iter()
                .chain(other.rules.iter())
                .cloned()
                .collect(),
        }
    }

    /// Whether the claims satisfy every rule.
    ///
    /// ```
    /// # let (verifier, token) = jwtguard::testing::doc_pair();
    /// let claims = verifier.verify(&token)?;
    /// assert!(!jwtguard::ClaimGuard::role("admin").allows(&claims));
    /// # Ok::<(), jwtguard::Error>(())
    /// ```
    pub fn allows(&self, claims: &Claims) -> bool {
        self.rules.iter().all(|rule| rule.allows(claims))
    }

    /// `Ok` when the claims satisfy every rule, else
    /// [`ErrorKind::InsufficientClaims`] (403).
    ///
    /// ```
    /// # let (verifier, token) = jwtguard::testing::doc_pair();
    /// let claims = verifier.verify(&token)?;
    /// let err = jwtguard::ClaimGuard::role("admin").check(&claims).unwrap_err();
    /// assert_eq!(err.status(), 403);
    /// # Ok::<(), jwtguard::Error>(())
    /// ```
    pub fn check(&self, claims: &Claims) -> Result<(), Error> {
        if self.allows(claims) {
            return Ok(());
        }
        let missing: Vec<&str> = (self.rules.iter())
            .filter_map(|rule| match rule {
                Rule::Scope(scope) if !rule.allows(claims) => Some(&**scope),
                _ => None,
            })
            .collect();
        Err(Error::from(ErrorKind::InsufficientClaims).with_missing_scope(&missing.join(" ")))
    }
}

impl fmt::Debug for ClaimGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.rules.iter().map(|rule| match rule {
                Rule::Scope(scope) => format!("scope {scope:?}"),
                Rule::Role(role) => format!("role {role:?}"),
                Rule::Permission(access, request) => {
                    format!("permission {request:?} in {access:?}")
                }
                Rule::MemberPermission(access, request) => {
                    format!("member permission {request:?} in {access:?}")
                }
                Rule::Granted(resource, action) => format!("permission {action:?} on {resource:?}"),
                Rule::EmailVerified => "email verified".to_owned(),
                Rule::NotBanned => "not banned".to_owned(),
                Rule::NotImpersonated => "not impersonated".to_owned(),
                Rule::Custom(_) => "custom".to_owned(),
            }))
            .finish()
    }
}

impl Rule {
    fn allows(&self, claims: &Claims) -> bool {
        let claim = |name: &str| claims.find(name);
        match self {
            Self::Scope(scope) => ["scope", "scp"]
                .iter()
                .any(|name| lists(claim(name).as_ref(), ' ', scope)),
            Self::Role(role) => ["role", "roles"]
                .iter()
                .any(|name| lists(claim(name).as_ref(), ',', role)),
            Self::Permission(access, request) => match claim("role") {
                Some(Value::String(roles)) => access.authorizes_any(&roles, request),
                _ => false,
            },
            Self::MemberPermission(access, request) => match claim("memberRole") {
                Some(Value::String(roles)) => access.authorizes_any_member(&roles, request),
                _ => false,
            },
            Self::Granted(resource, action) => match claim("permissions") {
                Some(Value::Object(granted)) => match granted.get(&**resource) {
                    Some(Value::Array(actions)) => {
                        !action.is_empty() && actions.iter().any(|a| a.as_str() == Some(&**action))
                    }
                    _ => false,
                },
                _ => false,
            },
            Self::NotImpersonated => {
                matches!(claim("impersonatedBy"), None | Some(Value::Null))
            }
            Self::EmailVerified => ["emailVerified", "email_verified"]
                .iter()
                .any(|name| claim(name) == Some(Value::Bool(true))),
            Self::NotBanned => match claim("banned") {
                None | Some(Value::Null | Value::Bool(false)) => true,
                Some(Value::Bool(true)) => {
                    ban_has_expired(claim("banExpires").as_ref(), OffsetDateTime::now_utc())
                }
                Some(_) => false,
            },
            Self::Custom(predicate) => predicate(claims),
        }
    }
}

/// Whether a ban ending at `expires` (the `banExpires` claim) is over at
/// `now`, as the admin plugin decides when the user signs in
/// (`new Date(banExpires) < Date.now()`). No end, or one that is not an
/// RFC 3339 date (as `JSON.stringify` writes a `Date`), is a ban in force.
fn ban_has_expired(expires: Option<&Value>, now: OffsetDateTime) -> bool {
    match expires {
        Some(Value::String(text)) => {
            OffsetDateTime::parse(text, &Rfc3339).is_ok_and(|expires| expires < now)
        }
        _ => false,
    }
}

/// Whether `value` lists `wanted`: a string of items separated by
/// `separator` (ASCII spaces around items ignored), or an array of strings.
/// Only `' '` is trimmed: `str::trim` would also drop tabs, line breaks and
/// Unicode spaces, and let `"admin\u{a0}"` pass for `admin`.
fn lists(value: Option<&Value>, separator: char, wanted: &str) -> bool {
    if wanted.is_empty() {
        // `"user,"` or a double space holds an empty item: no one's role.
        return false;
    }
    match value {
        Some(Value::String(items)) => items
            .split(separator)
            .any(|item| item.trim_matches(' ') == wanted),
        Some(Value::Array(items)) => items.iter().any(|item| item.as_str() == Some(wanted)),
        _ => false,
    }
}

/// A claim guard as a type, for the `Require<G>` extractor: the rule is
/// part of the handler's signature.
///
/// ```
/// use jwtguard::{Claims, ClaimGuard, Guard};
///
/// struct Admin;
/// impl Guard for Admin {
///     fn allows(claims: &Claims) -> bool {
///         ClaimGuard::role("admin").and(ClaimGuard::not_banned()).allows(claims)
///     }
/// }
///
/// // With the `axum` or `actix` feature: only admins reach this handler.
/// async fn delete_user(jwtguard::Require(claims, _): jwtguard::Require<Admin>) -> String {
///     format!("deleted by {}", claims.sub())
/// }
/// ```
pub trait Guard: 'static {
    /// Whether the claims may pass.
    fn allows(claims: &Claims) -> bool;
}

/// Checks `G` on verified claims: [`ErrorKind::InsufficientClaims`] when it refuses.
pub(crate) fn check_guard<G: Guard>(claims: &Claims) -> Result<(), Error> {
    if G::allows(claims) {
        Ok(())
    } else {
        Err(ErrorKind::InsufficientClaims.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::token::claims::{Credential, Fields};
    use std::sync::OnceLock;

    fn claims(extra: Value) -> Claims {
        let Value::Object(extra) = extra else {
            panic!("an object")
        };
        let payload = serde_json::to_vec(&extra).unwrap().into_boxed_slice();
        Claims::new(Fields {
            sub: "user-1".to_owned(),
            exp: None,
            nbf: None,
            iat: None,
            issuer_audience: OnceLock::new(),
            payload,
            extra: OnceLock::from(extra),
            credential: Credential::Jwt,
        })
    }

    fn allows(guard: &ClaimGuard, extra: Value) -> bool {
        guard.allows(&claims(extra))
    }

    #[test]
    fn an_impersonated_session_is_refused_only_by_its_guard() {
        let guard = ClaimGuard::not_impersonated();
        assert!(guard.allows(&claims(serde_json::json!({}))));
        assert!(guard.allows(&claims(serde_json::json!({"impersonatedBy": null}))));
        assert!(!guard.allows(&claims(serde_json::json!({"impersonatedBy": "admin-1"}))));
        assert!(!guard.allows(&claims(serde_json::json!({"impersonatedBy": 7}))));
    }

    #[test]
    fn a_granted_permission_is_read_from_the_permissions_object_only() {
        let guard = ClaimGuard::permission("files", "read");
        assert!(guard.allows(&claims(
            serde_json::json!({"permissions": {"files": ["write", "read"]}})
        )));
        for extra in [
            serde_json::json!({}),
            serde_json::json!({"permissions": {"files": ["write"]}}),
            serde_json::json!({"permissions": {"files": "read"}}),
            serde_json::json!({"permissions": {"file": ["read"]}}),
            serde_json::json!({"permissions": "{\"files\": [\"read\"]}"}),
            serde_json::json!({"permissions": [["files", "read"]]}),
            serde_json::json!({"scope": "files:read"}),
        ] {
            assert!(!guard.allows(&claims(extra.clone())), "{extra}");
        }
        assert!(
            !ClaimGuard::permission("files", "")
                .allows(&claims(serde_json::json!({"permissions": {"files": [""]}})))
        );
    }

    #[test]
    fn a_permission_needs_a_role_claim_that_grants_it() {
        let guard =
            ClaimGuard::role_permission(AccessControl::admin_defaults(), &[("user", &["ban"])]);
        assert!(guard.allows(&claims(serde_json::json!({"role": "admin"}))));
        for extra in [
            serde_json::json!({}),
            serde_json::json!({"role": "user"}),
            serde_json::json!({"role": ["admin"]}),
            serde_json::json!({"role": null}),
            serde_json::json!({"roles": "admin"}),
        ] {
            assert!(!guard.allows(&claims(extra.clone())), "{extra}");
        }
    }

    #[test]
    fn a_member_permission_reads_member_role_as_the_organization_plugin_does() {
        let guard = ClaimGuard::member_permission(
            AccessControl::organization_defaults(),
            &[("organization", &["delete"])],
        );
        for role in [
            "owner",
            " owner ",
            "member, owner",
            "admin,,owner",
            "\u{feff}owner\u{a0}",
            "\towner\n",
        ] {
            assert!(
                guard.allows(&claims(serde_json::json!({ "memberRole": role }))),
                "{role:?}"
            );
        }
        for extra in [
            serde_json::json!({}),
            serde_json::json!({"memberRole": "admin"}),
            serde_json::json!({"memberRole": "Owner"}),
            serde_json::json!({"memberRole": "own er"}),
            // JavaScript's trim keeps U+0085, which Rust counts as whitespace.
            serde_json::json!({"memberRole": "\u{85}owner"}),
            serde_json::json!({"memberRole": ["owner"]}),
            serde_json::json!({"memberRole": null}),
            serde_json::json!({"memberRole": " , "}),
            // The admin plugin's user role is another claim.
            serde_json::json!({"role": "owner"}),
        ] {
            assert!(!guard.allows(&claims(extra.clone())), "{extra}");
        }
    }

    #[test]
    fn scopes_are_read_from_space_separated_strings_and_arrays() {
        let guard = ClaimGuard::scope("tasks:write");
        assert!(allows(
            &guard,
            serde_json::json!({"scope": "tasks:read tasks:write"})
        ));
        assert!(allows(&guard, serde_json::json!({"scp": ["tasks:write"]})));
        assert!(allows(
            &guard,
            serde_json::json!({"scope": ["a", "tasks:write"]})
        ));
        for extra in [
            serde_json::json!({}),
            serde_json::json!({"scope": "tasks:read"}),
            serde_json::json!({"scope": "tasks:writer"}),
            serde_json::json!({"scope": "Tasks:Write"}),
            serde_json::json!({"scope": "tasks:read,tasks:write"}),
            serde_json::json!({"scope": {"tasks:write": true}}),
            serde_json::json!({"scope": [["tasks:write"]]}),
            serde_json::json!({"scope": true}),
        ] {
            assert!(!allows(&guard, extra.clone()), "{extra}");
        }
    }

    #[test]
    fn roles_are_read_as_the_admin_plugin_writes_them() {
        let guard = ClaimGuard::role("admin");
        assert!(allows(&guard, serde_json::json!({"role": "admin"})));
        assert!(allows(&guard, serde_json::json!({"role": "user, admin"})));
        assert!(allows(&guard, serde_json::json!({"roles": ["admin"]})));
        for extra in [
            serde_json::json!({"role": "user"}),
            serde_json::json!({"role": "administrator"}),
            serde_json::json!({"role": "Admin"}),
            serde_json::json!({"role": ["user"]}),
            serde_json::json!({"role": null}),
            serde_json::json!({}),
        ] {
            assert!(!allows(&guard, extra.clone()), "{extra}");
        }
    }

    #[test]
    fn only_ascii_spaces_around_an_item_are_ignored() {
        // Better Auth compares role names exactly, and a scope token holds
        // no whitespace at all (RFC 6749 3.3): a role or scope padded with
        // a tab, a line break or a Unicode space is another name.
        let role = ClaimGuard::role("admin");
        let scope = ClaimGuard::scope("tasks:write");
        assert!(allows(&role, serde_json::json!({"role": " admin "})));
        for padded in [
            "admin\t",
            "admin\n",
            "\radmin",
            "admin\u{a0}",
            "\u{3000}admin",
            "admin\u{2028}",
            "user,\u{2003}admin",
        ] {
            assert!(
                !allows(&role, serde_json::json!({"role": padded})),
                "{padded:?}"
            );
            let scoped = padded.replace("admin", "tasks:write").replace(',', " ");
            assert!(
                !allows(&scope, serde_json::json!({"scope": scoped})),
                "{scoped:?}"
            );
        }
    }

    #[test]
    fn an_empty_role_or_scope_name_never_matches() {
        for extra in [
            serde_json::json!({"role": "user,", "scope": "a  b"}),
            serde_json::json!({"role": "", "scope": ""}),
            serde_json::json!({"roles": [""], "scp": [""]}),
        ] {
            assert!(!allows(&ClaimGuard::role(""), extra.clone()), "{extra}");
            assert!(!allows(&ClaimGuard::scope(""), extra.clone()), "{extra}");
        }
    }

    #[test]
    fn email_verified_must_be_the_json_true() {
        let guard = ClaimGuard::email_verified();
        assert!(allows(&guard, serde_json::json!({"emailVerified": true})));
        assert!(allows(&guard, serde_json::json!({"email_verified": true})));
        for extra in [
            serde_json::json!({"emailVerified": false}),
            serde_json::json!({"emailVerified": "true"}),
            serde_json::json!({"emailVerified": 1}),
            serde_json::json!({}),
        ] {
            assert!(!allows(&guard, extra.clone()), "{extra}");
        }
    }

    #[test]
    fn banned_users_and_unreadable_bans_are_refused() {
        let guard = ClaimGuard::not_banned();
        assert!(allows(&guard, serde_json::json!({})));
        assert!(allows(&guard, serde_json::json!({"banned": false})));
        // Users created before the admin plugin: Better Auth reads null as false.
        assert!(allows(&guard, serde_json::json!({"banned": null})));
        for extra in [
            serde_json::json!({"banned": true}),
            serde_json::json!({"banned": true, "banExpires": null}),
            serde_json::json!({"banned": "false"}),
            serde_json::json!({"banned": 0}),
            // An end date does not make another `banned` value pass.
            serde_json::json!({"banned": "true", "banExpires": "2000-01-01T00:00:00Z"}),
            // An end that is not an RFC 3339 date is never read as "over".
            serde_json::json!({"banned": true, "banExpires": "2000-01-01"}),
            serde_json::json!({"banned": true, "banExpires": "yesterday"}),
            serde_json::json!({"banned": true, "banExpires": 946_684_800_000_i64}),
        ] {
            assert!(!allows(&guard, extra.clone()), "{extra}");
        }
    }

    #[test]
    fn a_ban_is_in_force_until_its_ban_expires_has_passed() {
        let guard = ClaimGuard::not_banned();
        let future = serde_json::json!({"banned": true, "banExpires": "2999-01-01T00:00:00.000Z"});
        assert!(!allows(&guard, future));
        for past in ["2000-01-01T00:00:00.000Z", "2000-01-01T01:00:00+01:00"] {
            let extra = serde_json::json!({"banned": true, "banExpires": past});
            assert!(allows(&guard, extra.clone()), "{extra}");
        }
    }

    #[test]
    fn a_ban_is_over_only_after_its_end() {
        let end = OffsetDateTime::parse("2026-12-08T05:44:51.761Z", &Rfc3339).unwrap();
        let expires = serde_json::json!("2026-12-08T05:44:51.761Z");
        assert!(!ban_has_expired(Some(&expires), end));
        assert!(ban_has_expired(
            Some(&expires),
            end + time::Duration::milliseconds(1)
        ));
        assert!(!ban_has_expired(None, end));
    }

    #[test]
    fn every_rule_of_a_combined_guard_must_hold() {
        let guard = ClaimGuard::role("admin")
            .and(ClaimGuard::email_verified())
            .and(ClaimGuard::custom(|claims| claims.sub() == "user-1"));
        assert!(allows(
            &guard,
            serde_json::json!({"role": "admin", "emailVerified": true})
        ));
        assert!(!allows(&guard, serde_json::json!({"role": "admin"})));
        assert!(!allows(&guard, serde_json::json!({"emailVerified": true})));
        let refused = guard.check(&claims(serde_json::json!({}))).unwrap_err();
        assert_eq!(refused.kind(), ErrorKind::InsufficientClaims);
        assert_eq!(
            format!("{guard:?}"),
            r#"["role \"admin\"", "email verified", "custom"]"#
        );
    }
}
