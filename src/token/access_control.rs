//! [`AccessControl`]: Better Auth's access-control statements (the roles
//! of `createAccessControl(..).newRole(..)`, as the admin and organization
//! plugins use them), so that `ClaimGuard::role_permission` answers as Better
//! Auth's `hasPermission` does for the same roles.

use std::collections::HashMap;
use std::fmt;

use serde::Deserialize;

use crate::error::config::ConfigError;

/// Roles, each granting actions on resources: what Better Auth's
/// `ac.newRole({ project: ["create", "update"] })` declares, read from JSON
/// (`{"roles": {"admin": {"project": ["create"]}}}`), or Better Auth's own
/// defaults for its admin and organization plugins.
///
/// A role authorizes a request as Better Auth's `role.authorize` does: every
/// requested resource must be one the role names, with every requested
/// action listed (an empty list of actions authorizes nothing). A user with
/// several roles (`"admin,support"`) is authorized when any one of them
/// authorizes the whole request.
///
/// ```
/// use jwtguard::AccessControl;
///
/// let ac = AccessControl::from_json(r#"{"roles": {
///     "owner": {"project": ["create", "update", "delete"]},
///     "viewer": {"project": []}
/// }}"#)?;
/// assert!(ac.allows("owner", &[("project", &["create", "delete"])]));
/// assert!(!ac.allows("viewer", &[("project", &["create"])]));
/// assert!(!ac.allows("stranger", &[("project", &["create"])]));
/// # Ok::<(), jwtguard::ConfigError>(())
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct AccessControl {
    roles: HashMap<String, HashMap<String, Vec<String>>>,
}

impl fmt::Debug for AccessControl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut names: Vec<&String> = self.roles.keys().collect();
        names.sort();
        f.debug_struct("AccessControl")
            .field("roles", &names)
            .finish()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Definition {
    roles: HashMap<String, HashMap<String, Vec<String>>>,
}

impl AccessControl {
    /// Reads `{"roles": {"<role>": {"<resource>": ["<action>", ...]}}}`:
    /// each role's statements, as passed to Better Auth's `newRole` (a
    /// dynamic role of the organization plugin's `organizationRole` table
    /// holds the same object in its `permission` column).
    ///
    /// ```
    /// let ac = jwtguard::AccessControl::from_json(r#"{"roles": {"support": {"user": ["get"]}}}"#)?;
    /// # Ok::<(), jwtguard::ConfigError>(())
    /// ```
    pub fn from_json(json: &str) -> Result<Self, ConfigError> {
        let definition: Definition =
            serde_json::from_str(json).map_err(|_| ConfigError::InvalidAccessControl)?;
        Ok(Self {
            roles: definition.roles,
        })
    }

    /// Adds (or replaces) the role `name` with its statements, as
    /// `ac.newRole(..)` would.
    ///
    /// ```
    /// let ac = jwtguard::AccessControl::default()
    ///     .role("editor", [("post", ["create", "update"].as_slice())]);
    /// assert!(ac.allows("editor", &[("post", &["update"])]));
    /// ```
    pub fn role<'a>(
        mut self,
        name: impl Into<String>,
        statements: impl IntoIterator<Item = (&'a str, &'a [&'a str])>,
    ) -> Self {
        let statements = statements
            .into_iter()
            .map(|(resource, actions)| {
                let actions = actions.iter().map(|action| (*action).to_owned()).collect();
                (resource.to_owned(), actions)
            })
            .collect();
        self.roles.insert(name.into(), statements);
        self
    }

    /// Better Auth's admin plugin defaults: `admin` (every `user` action but
    /// `impersonate-admins`, and every `session` action) and `user`
    /// (nothing).
    ///
    /// ```
    /// let ac = jwtguard::AccessControl::admin_defaults();
    /// assert!(ac.allows("admin", &[("user", &["ban"])]));
    /// assert!(!ac.allows("admin", &[("user", &["impersonate-admins"])]));
    /// ```
    pub fn admin_defaults() -> Self {
        let user = [
            "create",
            "list",
            "set-role",
            "ban",
            "impersonate",
            "delete",
            "set-password",
            "set-email",
            "set-phone",
            "get",
            "update",
        ];
        Self::default()
            .role(
                "admin",
                [
                    ("user", user.as_slice()),
                    ("session", ["list", "revoke", "delete"].as_slice()),
                ],
            )
            .role(
                "user",
                [("user", [].as_slice()), ("session", [].as_slice())],
            )
    }

    /// Better Auth's organization plugin defaults: `owner` (everything),
    /// `admin` (everything but deleting the organization) and `member`
    /// (reading access control only).
    ///
    /// ```
    /// let ac = jwtguard::AccessControl::organization_defaults();
    /// assert!(ac.allows("owner", &[("organization", &["delete"])]));
    /// assert!(!ac.allows("admin", &[("organization", &["delete"])]));
    /// assert!(ac.allows("member", &[("ac", &["read"])]));
    /// ```
    pub fn organization_defaults() -> Self {
        let crud = ["create", "update", "delete"];
        let ac = ["create", "read", "update", "delete"];
        let invitation = ["create", "cancel"];
        let everything = |organization: &'static [&'static str]| {
            [
                ("organization", organization),
                ("member", crud.as_slice()),
                ("invitation", invitation.as_slice()),
                ("team", crud.as_slice()),
                ("ac", ac.as_slice()),
            ]
        };
        let (owner, admin): (&[&str], &[&str]) = (&["update", "delete"], &["update"]);
        Self::default()
            .role("owner", everything(owner))
            .role("admin", everything(admin))
            .role(
                "member",
                [
                    ("organization", [].as_slice()),
                    ("member", [].as_slice()),
                    ("invitation", [].as_slice()),
                    ("team", [].as_slice()),
                    ("ac", ["read"].as_slice()),
                ],
            )
    }

    /// Whether the role `role` authorizes every `(resource, actions)` of
    /// `request` (Better Auth's `role.authorize(request)`, connector `AND`).
    /// An empty request authorizes nothing.
    ///
    /// ```
    /// let ac = jwtguard::AccessControl::admin_defaults();
    /// assert!(!ac.allows("user", &[("user", &["get"])]));
    /// ```
    pub fn allows(&self, role: &str, request: &[(&str, &[&str])]) -> bool {
        self.authorizes(role, &Request::new(request))
    }

    /// Whether the role `role` authorizes `request`.
    pub(crate) fn authorizes(&self, role: &str, request: &Request) -> bool {
        let Some(statements) = self.roles.get(role) else {
            return false;
        };
        !request.0.is_empty()
            && request.0.iter().all(|(resource, actions)| {
                statements.get(resource).is_some_and(|allowed| {
                    !actions.is_empty() && actions.iter().all(|action| allowed.contains(action))
                })
            })
    }

    /// Whether any of `roles` (comma-separated, as Better Auth stores them,
    /// each name exact) authorizes `request`.
    pub(crate) fn authorizes_any(&self, roles: &str, request: &Request) -> bool {
        roles.split(',').any(|role| self.authorizes(role, request))
    }

    /// Whether any of `roles` read as the organization plugin reads a
    /// member's role (`parseRoleList`: split on `,`, each name trimmed of
    /// JavaScript whitespace, empty names dropped) authorizes `request`.
    pub(crate) fn authorizes_any_member(&self, roles: &str, request: &Request) -> bool {
        roles
            .split(',')
            .map(|role| role.trim_matches(is_js_whitespace))
            .filter(|role| !role.is_empty())
            .any(|role| self.authorizes(role, request))
    }
}

/// What JavaScript's `String.prototype.trim` removes (ECMAScript's
/// `WhiteSpace` and `LineTerminator`): unlike [`char::is_whitespace`], it
/// includes U+FEFF and not U+0085.
fn is_js_whitespace(c: char) -> bool {
    matches!(
        c,
        '\u{9}'..='\u{D}'
            | ' '
            | '\u{A0}'
            | '\u{1680}'
            | '\u{2000}'..='\u{200A}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{202F}'
            | '\u{205F}'
            | '\u{3000}'
            | '\u{FEFF}'
    )
}

/// A permission request: actions on resources, every one required.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Request(Vec<(String, Vec<String>)>);

impl Request {
    pub(crate) fn new(request: &[(&str, &[&str])]) -> Self {
        Self(
            request
                .iter()
                .map(|(resource, actions)| {
                    let actions = actions.iter().map(|action| (*action).to_owned()).collect();
                    ((*resource).to_owned(), actions)
                })
                .collect(),
        )
    }
}
