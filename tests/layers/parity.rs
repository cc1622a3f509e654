//! One table of requests through the four ways to authenticate a route: the
//! axum extractor, an axum router behind `AuthLayer`, the actix-web
//! extractor, and an actix-web app wrapped in `AuthMiddleware`. All four
//! answer every request alike: status, `WWW-Authenticate`, content type,
//! `Retry-After` and body.

use actix_web::{App, HttpResponse, web};
use axum::routing::any;
use axum::{Json, Router};
use jwtguard::actix::AuthMiddleware;
use jwtguard::testing::TokenMinter;
use jwtguard::tower::AuthLayer;
use jwtguard::{Claims, Verifier};
use serde_json::{Value, json};

use crate::common::call::Answer;
use crate::common::parity;
use crate::common::{NOW, OTHER_SECRET, minter, verifier};
use crate::{bearer, through_layer_and_middleware};

/// What a handler answers: the `sub` of the claims it was handed.
fn body_of(claims: &Claims) -> Value {
    json!({"sub": claims.sub()})
}

/// `GET /me` with `headers` through [`through_all_four`].
async fn get_me(verifier: &Verifier, headers: &[(&str, String)]) -> Vec<(&'static str, Answer)> {
    through_all_four(verifier, "GET", "/me", headers).await
}

/// The four entry points, each serving `/me` (any method) with `verifier`.
async fn through_all_four(
    verifier: &Verifier,
    method: &str,
    path: &str,
    headers: &[(&str, String)],
) -> Vec<(&'static str, Answer)> {
    let axum_extractor = Router::new()
        .route(
            "/me",
            any(
                |jwtguard::axum::Auth(claims): jwtguard::axum::Auth| async move {
                    Json(body_of(&claims))
                },
            ),
        )
        .with_state(verifier.clone());
    let actix_extractor = App::new().app_data(web::Data::new(verifier.clone())).route(
        "/me",
        web::route().to(
            |jwtguard::actix::Auth(claims): jwtguard::actix::Auth| async move {
                HttpResponse::Ok().json(body_of(&claims))
            },
        ),
    );
    let extractors = parity::both(
        ["axum extractor", "actix extractor"],
        axum_extractor,
        actix_extractor,
        method,
        path,
        headers,
    )
    .await;
    let layers = through_layer_and_middleware(
        AuthLayer::new(verifier.clone()),
        AuthMiddleware::new(verifier.clone()),
        body_of,
        method,
        path,
        headers,
    )
    .await;
    extractors.into_iter().chain(layers).collect()
}

/// One request of a table, and the answer every entry point must give.
struct Row {
    name: &'static str,
    method: &'static str,
    path: String,
    headers: Vec<(&'static str, String)>,
    status: u16,
    /// The refusal's `code`; `None` for a request let in.
    code: Option<&'static str>,
}

/// Sends every row through the four entry points: they answer alike, with
/// the row's status and code.
async fn assert_answered_alike(verifier: &Verifier, rows: Vec<Row>) {
    for row in rows {
        let answers = through_all_four(verifier, row.method, &row.path, &row.headers).await;
        let (reference_name, reference) = &answers[0];
        assert_eq!(
            (reference.status, reference.code()),
            (row.status, row.code),
            "{}: {reference_name}: {reference:?}",
            row.name
        );
        parity::assert_same_answers(row.name, &answers);
    }
}

/// `GET /me` with each credential an API client may send.
fn rows() -> Vec<Row> {
    let valid = minter().sign();
    let row = |name, headers, status, code| Row {
        name,
        method: "GET",
        path: "/me".to_owned(),
        headers,
        status,
        code,
    };
    vec![
        row("no credentials", vec![], 401, Some("missing_token")),
        row(
            "malformed token",
            vec![bearer("not-a-jwt")],
            401,
            Some("malformed_token"),
        ),
        row(
            "bad signature",
            vec![bearer(
                &TokenMinter::new(OTHER_SECRET)
                    .at(NOW)
                    .subject("user-1")
                    .sign(),
            )],
            401,
            Some("invalid_signature"),
        ),
        row(
            "expired",
            vec![bearer(&minter().expires_at(NOW - 1).sign())],
            401,
            Some("token_expired"),
        ),
        row(
            "not yet valid",
            vec![bearer(&minter().not_before(NOW + 600).sign())],
            401,
            Some("token_not_yet_valid"),
        ),
        row(
            "no sub",
            vec![bearer(&minter().without_claim("sub").sign())],
            401,
            Some("invalid_subject"),
        ),
        row(
            "two authorization headers",
            vec![bearer(&valid), bearer(&valid)],
            401,
            Some("multiple_credentials"),
        ),
        row(
            "basic scheme",
            vec![("authorization", "Basic YWxpY2U6cHc=".to_owned())],
            401,
            Some("invalid_authorization_header"),
        ),
        row(
            "token too large",
            vec![bearer(
                &"a".repeat(jwtguard::limits::DEFAULT_MAX_TOKEN_LEN + 1),
            )],
            401,
            Some("token_too_large"),
        ),
        row("valid", vec![bearer(&valid)], 200, None),
        row(
            "valid, lowercase scheme",
            vec![("authorization", format!("bearer {valid}"))],
            200,
            None,
        ),
    ]
}

#[actix_web::test]
async fn every_entry_point_answers_every_request_alike() {
    assert_answered_alike(&verifier(), rows()).await;
}

#[actix_web::test]
async fn every_refusal_carries_a_challenge_and_a_json_body() {
    let verifier = verifier();
    for row in rows().into_iter().filter(|row| row.status == 401) {
        for (name, answer) in through_all_four(&verifier, row.method, &row.path, &row.headers).await
        {
            let context = format!("{}: {name}", row.name);
            let challenge = answer.header("www-authenticate").expect(&context);
            assert!(challenge.starts_with("Bearer"), "{context}: {challenge}");
            assert_eq!(
                answer.header("content-type"),
                Some("application/json"),
                "{context}"
            );
            assert!(
                answer.body["detail"].is_string(),
                "{context}: {:?}",
                answer.body
            );
        }
    }
}

#[actix_web::test]
async fn every_entry_point_hands_the_handler_the_tokens_sub() {
    let verifier = verifier();
    for sub in ["alice", "bob"] {
        let token = minter().subject(sub).sign();
        for (name, answer) in get_me(&verifier, &[bearer(&token)]).await {
            assert_eq!(answer.status, 200, "{name}: {answer:?}");
            assert_eq!(answer.body, json!({"sub": sub}), "{name}");
        }
    }
}

/// A verifier that also reads the `auth_token` cookie (with an Origin check
/// on unsafe methods) and the `access_token` query parameter of WebSocket
/// upgrades.
fn browser_verifier() -> Verifier {
    crate::common::builder()
        .credential_sources(|s| {
            s.token_cookie("auth_token")
                .cookie_origins(["http://localhost:3000"])
                .websocket_query("access_token")
        })
        .build()
        .unwrap()
}

/// What a browser sends: the cookie, with and without an Origin, and the
/// query token of WebSocket upgrades.
fn browser_rows() -> Vec<Row> {
    let valid = minter().sign();
    let cookie = ("cookie", format!("theme=dark; auth_token={valid}"));
    let origin = ("origin", "http://localhost:3000".to_owned());
    let upgrade = vec![
        ("upgrade", "websocket".to_owned()),
        ("connection", "Upgrade".to_owned()),
    ];
    let with = |mut headers: Vec<(&'static str, String)>, more: &[(&'static str, String)]| {
        headers.extend_from_slice(more);
        headers
    };
    let row = |name, method, path: String, headers, status, code| Row {
        name,
        method,
        path,
        headers,
        status,
        code,
    };
    let query = format!("/me?access_token={valid}");
    vec![
        row(
            "cookie, GET",
            "GET",
            "/me".into(),
            vec![cookie.clone()],
            200,
            None,
        ),
        row(
            "cookie, POST without Origin",
            "POST",
            "/me".into(),
            vec![cookie.clone()],
            403,
            Some("origin_not_allowed"),
        ),
        row(
            "cookie, POST from another origin",
            "POST",
            "/me".into(),
            vec![cookie.clone(), ("origin", "https://evil.example".into())],
            403,
            Some("origin_not_allowed"),
        ),
        row(
            "cookie, POST from the allowed origin",
            "POST",
            "/me".into(),
            vec![cookie.clone(), origin],
            200,
            None,
        ),
        row(
            "query token on a WebSocket upgrade",
            "GET",
            query.clone(),
            upgrade.clone(),
            200,
            None,
        ),
        row(
            "query token without an upgrade is ignored",
            "GET",
            query.clone(),
            vec![],
            401,
            Some("missing_token"),
        ),
        row(
            "query token and Authorization on an upgrade",
            "GET",
            query.clone(),
            with(upgrade.clone(), &[bearer(&valid)]),
            401,
            Some("multiple_credentials"),
        ),
        row(
            "query token sent twice on an upgrade",
            "GET",
            format!("{query}&access_token={valid}"),
            upgrade.clone(),
            401,
            Some("multiple_credentials"),
        ),
        row(
            "expired query token on an upgrade",
            "GET",
            format!("/me?access_token={}", minter().expired().sign()),
            upgrade,
            401,
            Some("token_expired"),
        ),
    ]
}

#[actix_web::test]
async fn every_entry_point_reads_cookies_and_websocket_query_tokens_alike() {
    assert_answered_alike(&browser_verifier(), browser_rows()).await;
}

/// A verifier whose refusals have a body of the application's own.
fn custom_body_verifier() -> Verifier {
    crate::common::builder()
        .error_response(|err| {
            let mut response = err.to_response();
            *response.body_mut() = json!({"error": err.kind().code()}).to_string();
            response
        })
        .build()
        .unwrap()
}

#[actix_web::test]
async fn every_entry_point_renders_refusals_with_the_verifiers_error_response() {
    let verifier = custom_body_verifier();
    let expired = vec![bearer(&minter().expired().sign())];
    for (headers, code) in [(vec![], "missing_token"), (expired, "token_expired")] {
        for (name, answer) in get_me(&verifier, &headers).await {
            assert_eq!(answer.status, 401, "{name}");
            assert_eq!(answer.body, json!({"error": code}), "{name}");
            assert!(answer.header("www-authenticate").is_some(), "{name}");
        }
    }
}

#[actix_web::test]
async fn behind_the_layer_an_extractors_refusal_is_rendered_by_the_registered_verifier() {
    use jwtguard::axum::OwnerOf as AxumOwner;
    let token = minter().sign();
    let axum_app = Router::new()
        .route(
            "/api/{user_id}/tasks",
            any(|owner: AxumOwner| async move { owner.user_id().to_owned() }),
        )
        .with_state(custom_body_verifier())
        .layer(AuthLayer::new(verifier()));
    let actix_app = App::new()
        .app_data(web::Data::new(custom_body_verifier()))
        .wrap(AuthMiddleware::new(verifier()))
        .route(
            "/api/{user_id}/tasks",
            web::route()
                .to(|owner: jwtguard::actix::OwnerOf| async move { owner.user_id().to_owned() }),
        );
    let answers = parity::both(
        ["axum AuthLayer", "actix AuthMiddleware"],
        axum_app,
        actix_app,
        "GET",
        "/api/user-2/tasks",
        &[bearer(&token)],
    )
    .await;
    for (name, answer) in answers {
        assert_eq!(
            (answer.status, &answer.body),
            (403, &json!({"error": "forbidden"})),
            "{name}"
        );
    }
}
