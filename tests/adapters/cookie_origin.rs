//! A token read from a cookie is sent by the browser with cross-site
//! requests too: with `cookie_origins`, an unsafe method needs an
//! allowed `Origin`. One table, through axum and actix alike.

use crate::common::call::{self, Answer};
use crate::common::{builder, minter};
use jwtguard::{ConfigError, Verifier};
use serde_json::json;

const APP: &str = "https://app.example.com";

fn verifier() -> Verifier {
    builder()
        .credential_sources(|s| {
            s.token_cookie("auth_token")
                .cookie_origins([APP, "https://admin.example.com/"])
        })
        .build()
        .unwrap()
}

struct Case {
    name: &'static str,
    method: &'static str,
    path: &'static str,
    headers: Vec<(&'static str, String)>,
    status: u16,
    code: Option<&'static str>,
}

fn cases() -> Vec<Case> {
    let token = minter().subject("alice").sign();
    let cookie = ("cookie", format!("auth_token={token}"));
    let bearer = ("authorization", format!("Bearer {token}"));
    let origin = |value: &str| ("origin", value.to_owned());
    let case = |name, method, headers: Vec<(&'static str, String)>, status, code| Case {
        name,
        method,
        path: "/me",
        headers,
        status,
        code,
    };
    let forbidden = Some("origin_not_allowed");
    vec![
        case(
            "cookie POST without Origin",
            "POST",
            vec![cookie.clone()],
            403,
            forbidden,
        ),
        case(
            "cookie POST from another site",
            "POST",
            vec![cookie.clone(), origin("https://evil.example")],
            403,
            forbidden,
        ),
        case(
            "cookie DELETE with Origin null",
            "DELETE",
            vec![cookie.clone(), origin("null")],
            403,
            forbidden,
        ),
        case(
            "cookie PUT from a look-alike host",
            "PUT",
            vec![
                cookie.clone(),
                origin("https://app.example.com.evil.example"),
            ],
            403,
            forbidden,
        ),
        case(
            "cookie POST from the app",
            "POST",
            vec![cookie.clone(), origin(APP)],
            200,
            None,
        ),
        case(
            "cookie PATCH from the second allowed origin",
            "PATCH",
            vec![cookie.clone(), origin("https://admin.example.com")],
            200,
            None,
        ),
        case(
            "cookie GET without Origin",
            "GET",
            vec![cookie.clone()],
            200,
            None,
        ),
        // Any Upgrade header: the frameworks' WebSocket handshakes accept
        // more shapes than one `Upgrade: websocket` (a second header, a list).
        case(
            "cookie GET with Upgrade websocket twice, without Origin",
            "GET",
            vec![
                cookie.clone(),
                ("connection", "upgrade".to_owned()),
                ("upgrade", "websocket".to_owned()),
                ("upgrade", "websocket".to_owned()),
            ],
            403,
            forbidden,
        ),
        case(
            "cookie GET with Upgrade h2c, websocket, from another site",
            "GET",
            vec![
                cookie.clone(),
                ("upgrade", "h2c, websocket".to_owned()),
                origin("https://evil.example"),
            ],
            403,
            forbidden,
        ),
        case(
            "cookie GET with an Upgrade header from the app",
            "GET",
            vec![
                cookie.clone(),
                ("upgrade", "websocket".to_owned()),
                origin(APP),
            ],
            200,
            None,
        ),
        case(
            "bearer POST without Origin",
            "POST",
            vec![bearer.clone()],
            200,
            None,
        ),
        case(
            "bearer POST from another site",
            "POST",
            vec![bearer, origin("https://evil.example")],
            200,
            None,
        ),
        Case {
            name: "optional auth: cookie POST without Origin is refused, not anonymous",
            path: "/optional",
            ..case("", "POST", vec![cookie.clone()], 403, forbidden)
        },
        Case {
            name: "optional auth: nothing sent is anonymous",
            path: "/optional",
            ..case("", "POST", vec![], 200, None)
        },
        Case {
            name: "optional auth: cookie POST from the app",
            path: "/optional",
            ..case("", "POST", vec![cookie, origin(APP)], 200, None)
        },
    ]
}

fn check(framework: &str, case: &Case, answer: &Answer) {
    assert_eq!(answer.status, case.status, "{framework}: {}", case.name);
    match case.code {
        Some(code) => assert_eq!(
            answer.body,
            json!({"detail": "Request origin is not allowed", "code": code}),
            "{framework}: {}",
            case.name
        ),
        None if case.path == "/me" => assert_eq!(answer.body["sub"], "alice", "{}", case.name),
        None => {}
    }
}

#[tokio::test]
async fn axum_checks_the_origin_of_cookie_tokens_on_unsafe_methods() {
    use axum::routing::any;
    use axum::{Json, Router};
    use jwtguard::axum::Auth;

    let app = Router::new()
        .route(
            "/me",
            any(|Auth(c): Auth| async move { Json(json!({"sub": c.sub()})) }),
        )
        .route(
            "/optional",
            any(|a: Option<Auth>| async move {
                Json(json!({"sub": a.map(|Auth(c)| c.sub().to_owned())}))
            }),
        )
        .with_state(verifier());
    for case in cases() {
        let answer = call::axum(app.clone(), case.method, case.path, &case.headers).await;
        check("axum", &case, &answer);
    }
}

#[actix_web::test]
async fn actix_checks_the_origin_of_cookie_tokens_on_unsafe_methods() {
    use actix_web::{App, HttpResponse, test, web};
    use jwtguard::actix::{Auth, OptionalAuth};

    let service = test::init_service(
        App::new()
            .app_data(web::Data::new(verifier()))
            .route(
                "/me",
                web::route().to(|Auth(c): Auth| async move {
                    HttpResponse::Ok().json(json!({"sub": c.sub()}))
                }),
            )
            .route(
                "/optional",
                web::route().to(|OptionalAuth(c): OptionalAuth| async move {
                    HttpResponse::Ok().json(json!({"sub": c.map(|c| c.sub().to_owned())}))
                }),
            ),
    )
    .await;
    for case in cases() {
        let answer = call::actix(&service, case.method, case.path, &case.headers).await;
        check("actix", &case, &answer);
    }
}

#[test]
fn verify_request_checks_the_origin_of_a_cookie_on_an_unsafe_method() {
    let token = minter().subject("alice").sign();
    let mut headers = http::HeaderMap::new();
    headers.insert("cookie", format!("auth_token={token}").parse().unwrap());
    let verifier = verifier();
    let post = |headers: &http::HeaderMap| {
        verifier
            .verify_request_now::<jwtguard::Claims, _>(&jwtguard::RequestParts::new(
                "POST", None, headers,
            ))
            .expect("no waiting")
    };
    let err = post(&headers).unwrap_err();
    assert_eq!(err.kind(), jwtguard::ErrorKind::OriginNotAllowed);
    assert_eq!(err.status(), 403);
    headers.insert("origin", APP.parse().unwrap());
    assert_eq!(post(&headers).unwrap().sub(), "alice");
}

#[test]
fn origins_need_the_cookie_and_must_be_real_origins() {
    let err = builder()
        .credential_sources(|s| s.cookie_origins([APP]))
        .build()
        .unwrap_err();
    assert_eq!(err, ConfigError::OriginsWithoutCookie);
    for bad in ["", "null", " "] {
        let err = builder()
            .credential_sources(|s| s.token_cookie("auth_token").cookie_origins([bad]))
            .build()
            .unwrap_err();
        assert_eq!(err, ConfigError::InvalidOrigin, "{bad:?}");
    }
}
