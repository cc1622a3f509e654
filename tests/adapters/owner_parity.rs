//! `OwnerOf` must read the route's user id exactly as the framework's own
//! `Path<String>` extractor does, and axum and actix-web must answer every
//! request alike: one table, run through both adapters.
//!
//! Each handler takes `OwnerOf` next to the framework's `Path` extractor and
//! returns both ids; on 200 they must be equal (and the token's `sub`).

use crate::common::call::Answer;
use crate::common::{builder, minter, parity};
use jwtguard::{PathParam, Verifier};
use serde_json::{Value, json};

struct AccountId;
impl PathParam for AccountId {
    const NAME: &'static str = "account_id";
}

/// One request: a token for `sub`, sent to `path`; `status` is the answer
/// both adapters must give.
struct Row {
    name: &'static str,
    sub: &'static str,
    path: &'static str,
    status: u16,
}

const fn row(name: &'static str, sub: &'static str, path: &'static str, status: u16) -> Row {
    Row {
        name,
        sub,
        path,
        status,
    }
}

const ROWS: &[Row] = &[
    row("plain own path", "user-1", "/api/user-1/tasks", 200),
    row("plain other path", "user-1", "/api/user-2/tasks", 403),
    // `/`, `+` and `%` are decoded once, as the framework's Path does.
    row("%2F is a slash", "a/b", "/api/a%2Fb/tasks", 200),
    row("%2f is a slash too", "a/b", "/api/a%2fb/tasks", 200),
    row("%2F is not the text %2F", "a%2Fb", "/api/a%2Fb/tasks", 403),
    row("%252F is the text %2F", "a%2Fb", "/api/a%252Fb/tasks", 200),
    row("%252F is not a slash", "a/b", "/api/a%252Fb/tasks", 403),
    row("%2B is a plus", "a+b", "/api/a%2Bb/tasks", 200),
    row("%2B is not the text %2B", "a%2Bb", "/api/a%2Bb/tasks", 403),
    row("literal plus", "a+b", "/api/a+b/tasks", 200),
    row("plus is not a space", "a b", "/api/a+b/tasks", 403),
    row("%20 is a space", "a b", "/api/a%20b/tasks", 200),
    row("%25 is a percent sign", "a%b", "/api/a%25b/tasks", 200),
    row("%25 is not the text %25", "a%25b", "/api/a%25b/tasks", 403),
    // A `%` that starts no escape: actix-web's Path would decode what
    // follows it a second time (`%%32%46` is `%2F` to axum, `/` to actix).
    row("% starting no escape", "a%zzb", "/api/a%zzb/tasks", 403),
    row("% before %32%46, as /", "a/b", "/api/a%%32%46b/tasks", 403),
    row(
        "% before %32%46, as %2F",
        "a%2Fb",
        "/api/a%%32%46b/tasks",
        403,
    ),
    row("% before %34%31, as A", "aA", "/api/a%%34%31/tasks", 403),
    row(
        "% before %34%31, as %41",
        "a%41",
        "/api/a%%34%31/tasks",
        403,
    ),
    row("trailing %", "user-1%", "/api/user-1%/tasks", 403),
    row("% and one hex digit", "a%2", "/api/a%2/tasks", 403),
    // Invalid UTF-8 is no one's id, and neither is U+FFFD.
    row("%FF against U+FFFD", "\u{FFFD}", "/api/%FF/tasks", 403),
    row("%FF against a user", "user-1", "/api/%FF/tasks", 403),
    row(
        "trailing %FF against U+FFFD",
        "user-1\u{FFFD}",
        "/api/user-1%FF/tasks",
        403,
    ),
    row(
        "encoded U+FFFD against U+FFFD",
        "\u{FFFD}",
        "/api/%EF%BF%BD/tasks",
        403,
    ),
    row(
        "truncated UTF-8 against U+FFFD",
        "\u{FFFD}",
        "/api/%C3/tasks",
        403,
    ),
    // NUL decodes to NUL in both.
    row("%00 against NUL", "\0", "/api/%00/tasks", 200),
    row("%00 appended", "user-1", "/api/user-1%00/tasks", 403),
    // Routing and comparison are exact.
    row("trailing slash", "user-1", "/api/user-1/tasks/", 404),
    row("other case in path", "user-1", "/api/User-1/tasks", 403),
    row("other case in sub", "User-1", "/api/user-1/tasks", 403),
    row(
        "Cyrillic e in path",
        "user-1",
        "/api/us%D0%B5r-1/tasks",
        403,
    ),
    row(
        "Cyrillic e in both",
        "us\u{0435}r-1",
        "/api/us%D0%B5r-1/tasks",
        200,
    ),
    row(
        "Cyrillic e in sub",
        "us\u{0435}r-1",
        "/api/user-1/tasks",
        403,
    ),
    // Another parameter name, and a route with two parameters.
    row("custom parameter", "a/b", "/accounts/a%2Fb", 200),
    row("custom parameter, raw", "a%2Fb", "/accounts/a%2Fb", 403),
    row(
        "second of two parameters",
        "a/b",
        "/orgs/x%2Fy/users/a%2Fb",
        200,
    ),
    row(
        "the other parameter is not the user id",
        "a/b",
        "/orgs/a%2Fb/users/user-1",
        403,
    ),
    // Invalid UTF-8 in any parameter: axum cannot read the others.
    row(
        "invalid UTF-8 in the other parameter",
        "user-1",
        "/orgs/%FF/users/user-1",
        403,
    ),
    row(
        "encoded U+FFFD in the other parameter",
        "user-1",
        "/orgs/%EF%BF%BD/users/user-1",
        403,
    ),
];

fn verifier() -> Verifier {
    builder().build().unwrap()
}

/// What a handler answers on success: the owner and the framework's path id.
fn ids(owner: &str, path: &str) -> Value {
    json!({"owner": owner, "path": path})
}

mod axum_app {
    use super::*;
    use axum::extract::Path;
    use axum::routing::get;
    use axum::{Json, Router};
    use jwtguard::axum::OwnerOf;

    pub fn app() -> Router {
        Router::new()
            .route(
                "/api/{user_id}/tasks",
                get(
                    |o: OwnerOf, Path(id): Path<String>| async move { Json(ids(o.user_id(), &id)) },
                ),
            )
            .route(
                "/accounts/{account_id}",
                get(|o: OwnerOf<AccountId>, Path(id): Path<String>| async move {
                    Json(ids(o.user_id(), &id))
                }),
            )
            .route(
                "/orgs/{org_id}/users/{user_id}",
                get(
                    |o: OwnerOf, Path((_, id)): Path<(String, String)>| async move {
                        Json(ids(o.user_id(), &id))
                    },
                ),
            )
            .with_state(verifier())
    }
}

mod actix_app {
    use super::*;
    use actix_web::{HttpResponse, web};
    use jwtguard::actix::OwnerOf;

    pub fn configure(cfg: &mut web::ServiceConfig) {
        cfg.route(
            "/api/{user_id}/tasks",
            web::get().to(|o: OwnerOf, id: web::Path<String>| async move {
                HttpResponse::Ok().json(ids(o.user_id(), &id))
            }),
        )
        .route(
            "/accounts/{account_id}",
            web::get().to(|o: OwnerOf<AccountId>, id: web::Path<String>| async move {
                HttpResponse::Ok().json(ids(o.user_id(), &id))
            }),
        )
        .route(
            "/orgs/{org_id}/users/{user_id}",
            web::get().to(|o: OwnerOf, path: web::Path<(String, String)>| async move {
                HttpResponse::Ok().json(ids(o.user_id(), &path.1))
            }),
        );
    }
}

/// Checks one adapter's answer to `row`; returns what was wrong.
fn check(framework: &str, row: &Row, answer: &Answer) -> Option<String> {
    if answer.status != row.status {
        return Some(format!(
            "{framework}: {}: sub {:?} on {}: {}, expected {}",
            row.name, row.sub, row.path, answer.status, row.status
        ));
    }
    if answer.status == 200 && answer.body != ids(row.sub, row.sub) {
        return Some(format!(
            "{framework}: {}: sub {:?} on {}: handler saw {}",
            row.name, row.sub, row.path, answer.body
        ));
    }
    None
}

#[actix_web::test]
async fn owner_of_reads_the_path_as_the_frameworks_path_extractor_in_both_adapters() {
    use actix_web::{App, web};
    let mut failures = Vec::new();
    for row in ROWS {
        let token = minter().subject(row.sub).sign();
        let answers = parity::both(
            ["axum", "actix"],
            axum_app::app(),
            App::new()
                .app_data(web::Data::new(verifier()))
                .configure(actix_app::configure),
            "GET",
            row.path,
            &[("authorization", format!("Bearer {token}"))],
        )
        .await;
        for (framework, answer) in &answers {
            failures.extend(check(framework, row, answer));
        }
        failures.extend(
            parity::differences(&answers)
                .into_iter()
                .map(|difference| format!("parity: {}: {difference}", row.name)),
        );
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}
