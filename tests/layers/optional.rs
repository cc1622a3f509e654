//! `.optional()`: requests without any credentials reach the handler with no
//! claims in their extensions; invalid credentials are refused exactly as
//! without it; valid ones put the claims there as usual.

use actix_web::{App, HttpResponse, test, web};
use axum::routing::get;
use axum::{Extension, Json, Router};
use jwtguard::actix::AuthMiddleware;
use jwtguard::tower::AuthLayer;
use jwtguard::{ClaimGuard, Claims};
use serde_json::{Value, json};

use crate::bearer;
use crate::common::call::{self, Answer};
use crate::common::parity;
use crate::common::{NOW, minter, verifier};

/// The handler answers with the claims' `sub`, or `null` when there are none.
fn sub_of(claims: Option<&Claims>) -> Value {
    json!({"sub": claims.map(Claims::sub)})
}

async fn axum(layer: AuthLayer, headers: &[(&str, String)]) -> Answer {
    let app = Router::new()
        .route(
            "/",
            get(|claims: Option<Extension<Claims>>| async move {
                Json(sub_of(claims.as_ref().map(|Extension(claims)| claims)))
            }),
        )
        .layer(layer);
    call::axum(app, "GET", "/", headers).await
}

async fn actix(middleware: AuthMiddleware, headers: &[(&str, String)]) -> Answer {
    let app = test::init_service(App::new().wrap(middleware).route(
        "/",
        web::get().to(|claims: Option<web::ReqData<Claims>>| async move {
            HttpResponse::Ok().json(sub_of(claims.as_deref()))
        }),
    ))
    .await;
    call::actix(&app, "GET", "/", headers).await
}

#[actix_web::test]
async fn without_credentials_the_handler_runs_without_claims() {
    let axum = axum(AuthLayer::new(verifier()).optional(), &[]).await;
    let actix = actix(AuthMiddleware::new(verifier()).optional(), &[]).await;
    for answer in [axum, actix] {
        assert_eq!((answer.status, &answer.body), (200, &json!({"sub": null})));
    }
}

#[actix_web::test]
async fn with_valid_credentials_the_handler_gets_the_claims() {
    let headers = [bearer(&minter().sign())];
    let axum = axum(AuthLayer::new(verifier()).optional(), &headers).await;
    let actix = actix(AuthMiddleware::new(verifier()).optional(), &headers).await;
    for answer in [axum, actix] {
        assert_eq!(
            (answer.status, &answer.body),
            (200, &json!({"sub": "user-1"}))
        );
    }
}

#[actix_web::test]
async fn invalid_credentials_are_refused_as_if_credentials_were_required() {
    let invalid = [
        vec![bearer(&minter().expires_at(NOW - 1).sign())],
        vec![bearer("not-a-jwt")],
        vec![("authorization", "Basic YWxpY2U6cHc=".to_owned())],
    ];
    for headers in invalid {
        let required = axum(AuthLayer::new(verifier()), &headers).await;
        assert_eq!(required.status, 401, "{headers:?}");
        let answers = [
            ("required axum AuthLayer", required),
            (
                "optional axum AuthLayer",
                axum(AuthLayer::new(verifier()).optional(), &headers).await,
            ),
            (
                "optional actix AuthMiddleware",
                actix(AuthMiddleware::new(verifier()).optional(), &headers).await,
            ),
        ];
        parity::assert_same_answers(&format!("{headers:?}"), &answers);
    }
}

#[actix_web::test]
async fn a_guard_applies_only_to_requests_that_carry_claims() {
    let admin = ClaimGuard::role("admin");
    let layer = || AuthLayer::new(verifier()).optional().require(admin.clone());
    let middleware = || {
        AuthMiddleware::new(verifier())
            .optional()
            .require(admin.clone())
    };
    let anonymous = [axum(layer(), &[]).await, actix(middleware(), &[]).await];
    for answer in anonymous {
        assert_eq!((answer.status, &answer.body), (200, &json!({"sub": null})));
    }
    let user = [bearer(&minter().claim("role", "user").sign())];
    let refused = [axum(layer(), &user).await, actix(middleware(), &user).await];
    for answer in refused {
        assert_eq!(
            (answer.status, answer.code()),
            (403, Some("insufficient_scope"))
        );
    }
}

#[actix_web::test]
async fn behind_an_optional_middleware_the_extractors_take_an_anonymous_request_as_it_did() {
    // No verifier registered as app data: the middleware's is the only one.
    let app = test::init_service(
        App::new()
            .wrap(AuthMiddleware::new(verifier()).optional())
            .route(
                "/optional",
                web::get().to(
                    |jwtguard::actix::OptionalAuth(claims): jwtguard::actix::OptionalAuth| async move {
                        HttpResponse::Ok().json(sub_of(claims.as_ref()))
                    },
                ),
            )
            .route(
                "/required",
                web::get().to(|jwtguard::actix::Auth(claims): jwtguard::actix::Auth| async move {
                    HttpResponse::Ok().json(sub_of(Some(&claims)))
                }),
            ),
    )
    .await;
    let optional = call::actix(&app, "GET", "/optional", &[]).await;
    assert_eq!(
        (optional.status, &optional.body),
        (200, &json!({"sub": null}))
    );
    let required = call::actix(&app, "GET", "/required", &[]).await;
    assert_eq!(
        (
            required.status,
            required.header("www-authenticate"),
            &required.body
        ),
        (
            401,
            Some("Bearer"),
            &json!({"detail": "Not authenticated", "code": "missing_token"})
        )
    );
}
