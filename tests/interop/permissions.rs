//! Permission guards answer as Better Auth does: the same roles (its admin
//! and organization plugins' defaults, and roles of an app's own), the same
//! requests, compared with `createAccessControl(..).newRole(..).authorize`
//! of the real `better-auth` package (`tests/fixtures/better-auth/permissions.mjs`),
//! the role claim split as the admin plugin splits it; and the organization
//! plugin's member role (`ClaimGuard::member_permission`, the `memberRole`
//! claim) compared with the plugin's exported `hasPermission`, which reads it
//! with `parseRoleList`.

use std::io::Write as _;
use std::process::{Command, Stdio};

use jwtguard::testing::TokenMinter;
use jwtguard::{AccessControl, ClaimGuard, Verifier};
use jwtguard_test_support::{fixture_dir, install};
use serde_json::{Value, json};

const SECRET: &str = "a-shared-secret-of-at-least-32-bytes!";

/// Which plugin's permission check: the admin plugin's (`role` claim, split
/// on `,` as it is) or the organization plugin's (`memberRole`, its
/// `parseRoleList`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Split {
    Admin,
    Organization,
}

/// Better Auth's answers for `cases` under `roles`.
fn better_auths_answers(roles: &Value, cases: &[(String, Value)], split: Split) -> Vec<bool> {
    install();
    let cases: Vec<Value> = cases
        .iter()
        .map(|(roles, request)| json!({ "roles": roles, "request": request }))
        .collect();
    let mut node = Command::new("node")
        .arg("permissions.mjs")
        .current_dir(fixture_dir())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("node runs");
    let split = match split {
        Split::Admin => "admin",
        Split::Organization => "organization",
    };
    let input = json!({ "roles": roles, "cases": cases, "split": split }).to_string();
    node.stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let output = node.wait_with_output().unwrap();
    assert!(output.status.success(), "permissions.mjs failed");
    serde_json::from_slice(&output.stdout).unwrap()
}

/// The request as the guard takes it.
fn request_of(request: &Value) -> Vec<(String, Vec<String>)> {
    request
        .as_object()
        .unwrap()
        .iter()
        .map(|(resource, actions)| {
            let actions = actions.as_array().unwrap();
            let actions = actions
                .iter()
                .map(|a| a.as_str().unwrap().to_owned())
                .collect();
            (resource.clone(), actions)
        })
        .collect()
}

fn compare(access: AccessControl, roles: Value, role_values: &[&str], requests: &[Value]) {
    compare_split(Split::Admin, access, roles, role_values, requests);
}

fn compare_split(
    split: Split,
    access: AccessControl,
    roles: Value,
    role_values: &[&str],
    requests: &[Value],
) {
    let verifier = Verifier::builder().hs256_secret(SECRET).build().unwrap();
    let cases: Vec<(String, Value)> = role_values
        .iter()
        .flat_map(|roles| {
            requests
                .iter()
                .map(move |request| ((*roles).to_owned(), request.clone()))
        })
        .collect();
    let expected = better_auths_answers(&roles, &cases, split);
    assert_eq!(expected.len(), cases.len());
    let mut granted = 0;
    for ((roles, request), expected) in cases.iter().zip(expected) {
        let owned = request_of(request);
        let borrowed: Vec<(&str, Vec<&str>)> = owned
            .iter()
            .map(|(resource, actions)| {
                (
                    resource.as_str(),
                    actions.iter().map(String::as_str).collect(),
                )
            })
            .collect();
        let borrowed: Vec<(&str, &[&str])> = borrowed
            .iter()
            .map(|(resource, actions)| (*resource, actions.as_slice()))
            .collect();
        let (guard, claim) = match split {
            Split::Admin => (
                ClaimGuard::role_permission(access.clone(), &borrowed),
                "role",
            ),
            Split::Organization => (
                ClaimGuard::member_permission(access.clone(), &borrowed),
                "memberRole",
            ),
        };
        let token = TokenMinter::new(SECRET)
            .subject("u")
            .claim(claim, roles.as_str())
            .sign();
        let claims = verifier.verify(&token).unwrap();
        assert_eq!(
            guard.allows(&claims),
            expected,
            "roles {roles:?}, request {request}"
        );
        granted += usize::from(expected);
    }
    // The table is worth comparing only if both answers occur.
    assert!(
        granted > 0 && granted < cases.len(),
        "{granted} of {}",
        cases.len()
    );
}

#[test]
fn the_admin_plugins_default_roles_answer_as_better_auth() {
    let roles = json!({
        "admin": {
            "user": ["create", "list", "set-role", "ban", "impersonate", "delete",
                     "set-password", "set-email", "set-phone", "get", "update"],
            "session": ["list", "revoke", "delete"],
        },
        "user": { "user": [], "session": [] },
    });
    assert_eq!(
        AccessControl::admin_defaults(),
        AccessControl::from_json(&json!({ "roles": roles }).to_string()).unwrap()
    );
    compare(
        AccessControl::admin_defaults(),
        roles,
        &[
            "admin",
            "user",
            "user,admin",
            "admin,user",
            " admin",
            "admin ",
            "Admin",
            "",
            ",",
            "nobody",
        ],
        &[
            json!({"user": ["ban"]}),
            json!({"user": ["ban", "impersonate-admins"]}),
            json!({"user": ["get"], "session": ["list"]}),
            json!({"user": []}),
            json!({}),
            json!({"session": ["revoke", "delete"]}),
            json!({"post": ["create"]}),
        ],
    );
}

#[test]
fn the_organization_plugins_default_roles_answer_as_better_auth() {
    let crud = json!(["create", "update", "delete"]);
    let roles = json!({
        "owner": {"organization": ["update", "delete"], "member": crud, "invitation": ["create", "cancel"],
                  "team": crud, "ac": ["create", "read", "update", "delete"]},
        "admin": {"organization": ["update"], "member": crud, "invitation": ["create", "cancel"],
                  "team": crud, "ac": ["create", "read", "update", "delete"]},
        "member": {"organization": [], "member": [], "invitation": [], "team": [], "ac": ["read"]},
    });
    assert_eq!(
        AccessControl::organization_defaults(),
        AccessControl::from_json(&json!({ "roles": roles }).to_string()).unwrap()
    );
    compare(
        AccessControl::organization_defaults(),
        roles,
        &[
            "owner",
            "admin",
            "member",
            "member,admin",
            "admin,owner",
            "owner ",
            "",
        ],
        &[
            json!({"organization": ["delete"]}),
            json!({"organization": ["update"], "member": ["create"]}),
            json!({"ac": ["read"]}),
            json!({"ac": ["read", "update"]}),
            json!({"team": ["create"], "invitation": ["cancel"]}),
            json!({"billing": ["read"]}),
        ],
    );
}

/// The member's role as the organization plugin reads it: padded and empty
/// names, where its `parseRoleList` and the admin plugin's plain split
/// differ, and JavaScript's whitespace (U+FEFF trimmed, U+0085 not).
#[test]
fn member_roles_answer_as_the_organization_plugins_has_permission() {
    let crud = json!(["create", "update", "delete"]);
    let roles = json!({
        "owner": {"organization": ["update", "delete"], "member": crud, "invitation": ["create", "cancel"],
                  "team": crud, "ac": ["create", "read", "update", "delete"]},
        "admin": {"organization": ["update"], "member": crud, "invitation": ["create", "cancel"],
                  "team": crud, "ac": ["create", "read", "update", "delete"]},
        "member": {"organization": [], "member": [], "invitation": [], "team": [], "ac": ["read"]},
    });
    let role_values = [
        "owner",
        "admin",
        "member",
        "admin,member",
        " admin , owner",
        "owner ",
        " member,admin ",
        "member,,owner",
        ",owner,",
        "\towner\n",
        "\u{feff}owner\u{a0}",
        "\u{2028}admin\u{3000}",
        "\u{85}owner",
        "own er",
        "Owner",
        "",
        " , ",
        "constructor",
        "__proto__",
        "toString",
    ];
    let requests = [
        json!({"organization": ["delete"]}),
        json!({"organization": ["update"], "member": ["create"]}),
        json!({"ac": ["read"]}),
        json!({"invitation": ["create"]}),
        json!({"team": []}),
        json!({}),
        json!({"billing": ["read"]}),
    ];
    compare_split(
        Split::Organization,
        AccessControl::organization_defaults(),
        roles.clone(),
        &role_values,
        &requests,
    );
    // Where the two readings differ, each plugin's check answers its own way.
    let delete = [("organization", ["delete"].as_slice())];
    let padded = TokenMinter::new(SECRET)
        .subject("u")
        .claim("role", " admin , owner")
        .claim("memberRole", " admin , owner")
        .sign();
    let claims = Verifier::builder()
        .hs256_secret(SECRET)
        .build()
        .unwrap()
        .verify(&padded)
        .unwrap();
    assert!(
        ClaimGuard::member_permission(AccessControl::organization_defaults(), &delete)
            .allows(&claims)
    );
    assert!(
        !ClaimGuard::role_permission(AccessControl::organization_defaults(), &delete)
            .allows(&claims)
    );
    // And Better Auth agrees on both.
    let case = vec![(
        " admin , owner".to_owned(),
        json!({"organization": ["delete"]}),
    )];
    assert_eq!(
        better_auths_answers(&roles, &case, Split::Organization),
        [true]
    );
    assert_eq!(better_auths_answers(&roles, &case, Split::Admin), [false]);
}

#[test]
fn an_apps_own_roles_answer_as_better_auth() {
    let roles = json!({
        "editor": {"post": ["create", "update"], "comment": ["delete"]},
        "viewer": {"post": ["read"]},
        "constructor": {"post": ["read"]},
    });
    let access = AccessControl::from_json(&json!({ "roles": roles }).to_string()).unwrap();
    compare(
        access,
        roles,
        &[
            "editor",
            "viewer",
            "viewer,editor",
            "constructor",
            "toString",
            "__proto__",
        ],
        &[
            json!({"post": ["create"]}),
            json!({"post": ["read"]}),
            json!({"post": ["create", "read"]}),
            json!({"post": ["update"], "comment": ["delete"]}),
            json!({"comment": []}),
        ],
    );
}

#[test]
fn an_access_control_definition_of_another_shape_is_refused() {
    for json in [
        "",
        "[]",
        r#"{"roles": []}"#,
        r#"{"roles": {"a": {"post": "create"}}}"#,
        r#"{"roles": {"a": {"post": [1]}}}"#,
        r#"{"roles": {}, "statements": {}}"#,
    ] {
        assert_eq!(
            AccessControl::from_json(json).unwrap_err(),
            jwtguard::ConfigError::InvalidAccessControl,
            "{json}"
        );
    }
}
