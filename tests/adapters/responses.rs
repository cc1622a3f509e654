//! One table of requests, run against a tiny axum app and a tiny actix app:
//! both must answer each with the same status, `WWW-Authenticate` and body.

use crate::common::call::{self, Answer};
use crate::common::{NOW, builder, minter};
use jwtguard::{Claims, PathParam, Verifier};
use serde::Deserialize;
use serde_json::{Value, json};

/// Which verifier configuration an app is built with.
#[derive(Debug, Clone, Copy)]
enum Setup {
    Default,
    Cookie,
    CustomBody,
}

fn verifier_for(setup: Setup) -> Verifier {
    let builder =
        builder().claim_rules(|rules| rules.issuer("nextjs-frontend").audience("fastapi-backend"));
    match setup {
        Setup::Default => builder,
        Setup::Cookie => builder.credential_sources(|s| s.token_cookie("auth_token")),
        Setup::CustomBody => builder.error_response(|err| {
            let mut response = err.to_response();
            *response.body_mut() = json!({"error": err.kind().code()}).to_string();
            response
        }),
    }
    .build()
    .unwrap()
}

struct Case {
    name: &'static str,
    setup: Setup,
    path: String,
    headers: Vec<(&'static str, String)>,
    status: u16,
    challenge: Option<&'static str>,
    body: Value,
}

#[derive(Deserialize)]
struct Session {
    sub: String,
    email: String,
}

struct AccountId;
impl PathParam for AccountId {
    const NAME: &'static str = "account_id";
}

fn bearer(token: &str) -> (&'static str, String) {
    ("authorization", format!("Bearer {token}"))
}

const INVALID: &str = r#"Bearer error="invalid_token", error_description="#;

fn cases() -> Vec<Case> {
    let valid = minter()
        .subject("alice")
        .claim("email", "alice@example.com")
        .sign();
    let expired = minter().subject("alice").expires_at(NOW - 1).sign();
    let wrong_aud = minter().subject("alice").audience("someone-else").sign();
    let other_secret = jwtguard::testing::TokenMinter::new(crate::common::OTHER_SECRET)
        .at(NOW)
        .subject("alice")
        .sign();
    let spaced = minter().subject("user 1").sign();
    let case = |name, path: &str, headers, status, challenge, body| Case {
        name,
        setup: Setup::Default,
        path: path.to_owned(),
        headers,
        status,
        challenge,
        body,
    };
    let missing_body = json!({"detail": "Not authenticated", "code": "missing_token"});
    let forbidden_body =
        json!({"detail": "Not authorized to access this resource", "code": "forbidden"});
    vec![
        case(
            "no header",
            "/me",
            vec![],
            401,
            Some("Bearer"),
            missing_body.clone(),
        ),
        case(
            "valid token",
            "/me",
            vec![bearer(&valid)],
            200,
            None,
            json!({"sub": "alice"}),
        ),
        case(
            "lowercase scheme",
            "/me",
            vec![("authorization", format!("bearer {valid}"))],
            200,
            None,
            json!({"sub": "alice"}),
        ),
        case(
            "two authorization headers",
            "/me",
            vec![bearer(&valid), bearer(&valid)],
            401,
            Some(
                r#"Bearer error="invalid_token", error_description="Request must carry exactly one token""#,
            ),
            json!({"detail": "Request must carry exactly one token", "code": "multiple_credentials"}),
        ),
        case(
            "basic scheme",
            "/me",
            vec![("authorization", "Basic YWxpY2U6cHc=".into())],
            401,
            Some(INVALID),
            json!({"detail": "Authorization header must be 'Bearer <token>'", "code": "invalid_authorization_header"}),
        ),
        case(
            "expired",
            "/me",
            vec![bearer(&expired)],
            401,
            Some(r#"Bearer error="invalid_token", error_description="Token has expired""#),
            json!({"detail": "Token has expired", "code": "token_expired"}),
        ),
        case(
            "bad signature",
            "/me",
            vec![bearer(&other_secret)],
            401,
            Some(INVALID),
            json!({"detail": "Token signature is invalid", "code": "invalid_signature"}),
        ),
        case(
            "wrong audience",
            "/me",
            vec![bearer(&wrong_aud)],
            401,
            Some(INVALID),
            json!({"detail": "Token audience is not accepted", "code": "invalid_audience"}),
        ),
        case(
            "custom claims type",
            "/session",
            vec![bearer(&valid)],
            200,
            None,
            json!({"sub": "alice", "email": "alice@example.com"}),
        ),
        case(
            "user id",
            "/whoami",
            vec![bearer(&valid)],
            200,
            None,
            json!({"user_id": "alice"}),
        ),
        case(
            "user id without token",
            "/whoami",
            vec![],
            401,
            Some("Bearer"),
            missing_body.clone(),
        ),
        case(
            "own path",
            "/api/alice/tasks",
            vec![bearer(&valid)],
            200,
            None,
            json!({"owner": "alice"}),
        ),
        case(
            "other user's path",
            "/api/bob/tasks",
            vec![bearer(&valid)],
            403,
            None,
            forbidden_body.clone(),
        ),
        case(
            "other user's path without token",
            "/api/bob/tasks",
            vec![],
            401,
            Some("Bearer"),
            missing_body.clone(),
        ),
        case(
            "other user's path with expired token",
            "/api/alice/tasks",
            vec![bearer(&expired)],
            401,
            Some(INVALID),
            json!({"detail": "Token has expired", "code": "token_expired"}),
        ),
        case(
            "percent-encoded own path",
            "/api/user%201/tasks",
            vec![bearer(&spaced)],
            200,
            None,
            json!({"owner": "user 1"}),
        ),
        case(
            "custom path parameter",
            "/accounts/alice",
            vec![bearer(&valid)],
            200,
            None,
            json!({"owner": "alice"}),
        ),
        case(
            "custom path parameter, other user",
            "/accounts/bob",
            vec![bearer(&valid)],
            403,
            None,
            forbidden_body.clone(),
        ),
        case(
            "owner on a route without the parameter",
            "/misrouted",
            vec![bearer(&valid)],
            500,
            None,
            json!({"detail": "Internal server error", "code": "internal_error"}),
        ),
        case(
            "optional auth absent",
            "/optional",
            vec![],
            200,
            None,
            json!({"sub": null}),
        ),
        case(
            "optional auth valid",
            "/optional",
            vec![bearer(&valid)],
            200,
            None,
            json!({"sub": "alice"}),
        ),
        case(
            "optional auth invalid",
            "/optional",
            vec![bearer(&expired)],
            401,
            Some(INVALID),
            json!({"detail": "Token has expired", "code": "token_expired"}),
        ),
        Case {
            setup: Setup::Cookie,
            ..case(
                "cookie source",
                "/me",
                vec![("cookie", format!("theme=dark; auth_token={valid}"))],
                200,
                None,
                json!({"sub": "alice"}),
            )
        },
        Case {
            setup: Setup::Cookie,
            ..case(
                "cookie source, expired",
                "/me",
                vec![("cookie", format!("auth_token={expired}"))],
                401,
                Some(INVALID),
                json!({"detail": "Token has expired", "code": "token_expired"}),
            )
        },
        Case {
            setup: Setup::CustomBody,
            ..case(
                "custom error body",
                "/me",
                vec![bearer(&expired)],
                401,
                Some(INVALID),
                json!({"error": "token_expired"}),
            )
        },
        Case {
            setup: Setup::CustomBody,
            ..case(
                "custom error body, forbidden",
                "/api/bob/tasks",
                vec![bearer(&valid)],
                403,
                None,
                json!({"error": "forbidden"}),
            )
        },
    ]
}

fn check(framework: &str, case: &Case, answer: &Answer) {
    let context = format!("{framework}: {}", case.name);
    assert_eq!(answer.status, case.status, "{context}");
    let challenge = answer.header("www-authenticate");
    match case.challenge {
        None => assert_eq!(challenge, None, "{context}"),
        Some(expected) => {
            let got = challenge.unwrap_or_else(|| panic!("{context}: no challenge"));
            assert!(got.starts_with(expected), "{context}: {got}");
        }
    }
    if answer.status >= 400 {
        assert_eq!(
            answer.header("content-type"),
            Some("application/json"),
            "{context}"
        );
    }
    assert_eq!(answer.body, case.body, "{context}");
}

fn body_of_claims(claims: &Claims) -> Value {
    json!({"sub": claims.sub()})
}

mod axum_app {
    use super::*;
    use axum::routing::get;
    use axum::{Json, Router};
    use jwtguard::axum::{Auth, OwnerOf, UserId};

    pub fn app(verifier: Verifier) -> Router {
        Router::new()
            .route(
                "/me",
                get(|Auth(c): Auth| async move { Json(body_of_claims(&c)) }),
            )
            .route(
                "/session",
                get(|Auth(s): Auth<Session>| async move {
                    Json(json!({"sub": s.sub, "email": s.email}))
                }),
            )
            .route(
                "/whoami",
                get(|UserId(id): UserId| async move { Json(json!({"user_id": id})) }),
            )
            .route(
                "/api/{user_id}/tasks",
                get(|o: OwnerOf| async move { Json(json!({"owner": o.user_id()})) }),
            )
            .route(
                "/accounts/{account_id}",
                get(|o: OwnerOf<AccountId>| async move { Json(json!({"owner": o.user_id()})) }),
            )
            .route(
                "/misrouted",
                get(|o: OwnerOf| async move { Json(json!({"owner": o.user_id()})) }),
            )
            .route(
                "/optional",
                get(|a: Option<Auth>| async move {
                    Json(json!({"sub": a.map(|Auth(c)| c.sub().to_owned())}))
                }),
            )
            .with_state(verifier)
    }
}

mod actix_app {
    use super::*;
    use actix_web::{App, HttpResponse, test, web};
    use jwtguard::actix::{Auth, OptionalAuth, OwnerOf, UserId};

    pub fn configure(cfg: &mut web::ServiceConfig) {
        cfg.route(
            "/me",
            web::get()
                .to(|Auth(c): Auth| async move { HttpResponse::Ok().json(body_of_claims(&c)) }),
        )
        .route(
            "/session",
            web::get().to(|Auth(s): Auth<Session>| async move {
                HttpResponse::Ok().json(json!({"sub": s.sub, "email": s.email}))
            }),
        )
        .route(
            "/whoami",
            web::get().to(|UserId(id): UserId| async move {
                HttpResponse::Ok().json(json!({"user_id": id}))
            }),
        )
        .route(
            "/api/{user_id}/tasks",
            web::get().to(|o: OwnerOf| async move {
                HttpResponse::Ok().json(json!({"owner": o.user_id()}))
            }),
        )
        .route(
            "/accounts/{account_id}",
            web::get().to(|o: OwnerOf<AccountId>| async move {
                HttpResponse::Ok().json(json!({"owner": o.user_id()}))
            }),
        )
        .route(
            "/misrouted",
            web::get().to(|o: OwnerOf| async move {
                HttpResponse::Ok().json(json!({"owner": o.user_id()}))
            }),
        )
        .route(
            "/optional",
            web::get().to(|OptionalAuth(c): OptionalAuth| async move {
                HttpResponse::Ok().json(json!({"sub": c.map(|c| c.sub().to_owned())}))
            }),
        );
    }

    /// `GET path` with `headers` through the app, with `verifier` as its
    /// app data (none: no verifier registered).
    pub async fn answer(
        verifier: Option<Verifier>,
        path: &str,
        headers: &[(&str, String)],
    ) -> Answer {
        let mut app = App::new();
        if let Some(verifier) = verifier {
            app = app.app_data(web::Data::new(verifier));
        }
        let service = test::init_service(app.configure(configure)).await;
        call::actix(&service, "GET", path, headers).await
    }
}

#[tokio::test]
async fn axum_answers_every_case_as_specified() {
    for case in cases() {
        let app = axum_app::app(verifier_for(case.setup));
        let answer = call::axum(app, "GET", &case.path, &case.headers).await;
        check("axum", &case, &answer);
    }
}

#[actix_web::test]
async fn actix_answers_every_case_as_specified() {
    for case in cases() {
        let answer =
            actix_app::answer(Some(verifier_for(case.setup)), &case.path, &case.headers).await;
        check("actix", &case, &answer);
    }
}

#[actix_web::test]
async fn actix_without_a_registered_verifier_answers_500_without_details() {
    let token = minter().subject("alice").sign();
    let answer = actix_app::answer(None, "/me", &[bearer(&token)]).await;
    assert_eq!(answer.status, 500);
    assert_eq!(
        answer.body,
        json!({"detail": "Internal server error", "code": "internal_error"})
    );
}

#[actix_web::test]
async fn actix_accepts_a_plain_verifier_as_app_data() {
    use actix_web::{App, HttpResponse, test, web};
    use jwtguard::actix::Auth;
    let app = test::init_service(App::new().app_data(verifier_for(Setup::Default)).route(
        "/me",
        web::get().to(|Auth(c): Auth| async move { HttpResponse::Ok().body(c.sub().to_owned()) }),
    ))
    .await;
    let token = minter().subject("alice").sign();
    let request = test::TestRequest::get()
        .uri("/me")
        .insert_header(("authorization", format!("Bearer {token}")))
        .to_request();
    assert_eq!(test::call_and_read_body(&app, request).await, "alice");
}

#[tokio::test]
async fn axum_cors_layer_answers_preflight_before_the_extractor() {
    use tower_http::cors::{AllowOrigin, CorsLayer};
    let cors = CorsLayer::new()
        .allow_origin(AllowOrigin::exact("http://localhost:3000".parse().unwrap()))
        .allow_methods([http::Method::GET, http::Method::POST])
        .allow_headers([http::header::AUTHORIZATION, http::header::CONTENT_TYPE]);
    let app = axum_app::app(verifier_for(Setup::Default)).layer(cors);
    let headers = [
        ("origin", "http://localhost:3000".to_owned()),
        ("access-control-request-method", "GET".to_owned()),
        ("access-control-request-headers", "authorization".to_owned()),
    ];
    let answer = call::axum(app, "OPTIONS", "/api/alice/tasks", &headers).await;
    assert_eq!(answer.status, 200);
    assert_eq!(
        answer.header("access-control-allow-origin"),
        Some("http://localhost:3000")
    );
    assert!(
        answer
            .header("access-control-allow-headers")
            .unwrap()
            .contains("authorization")
    );
}

#[actix_web::test]
async fn actix_cors_middleware_answers_preflight_before_the_extractor() {
    use actix_web::{App, test, web};
    let cors = actix_cors::Cors::default()
        .allowed_origin("http://localhost:3000")
        .allowed_methods(["GET", "POST"])
        .allowed_headers([
            http::header::AUTHORIZATION.as_str(),
            http::header::CONTENT_TYPE.as_str(),
        ]);
    let app = test::init_service(
        App::new()
            .wrap(cors)
            .app_data(web::Data::new(verifier_for(Setup::Default)))
            .configure(actix_app::configure),
    )
    .await;
    let request = test::TestRequest::default()
        .method(actix_web::http::Method::OPTIONS)
        .uri("/api/alice/tasks")
        .insert_header(("origin", "http://localhost:3000"))
        .insert_header(("access-control-request-method", "GET"))
        .insert_header(("access-control-request-headers", "authorization"))
        .to_request();
    let response = test::call_service(&app, request).await;
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(
        response
            .headers()
            .get("access-control-allow-origin")
            .unwrap(),
        "http://localhost:3000"
    );
}
