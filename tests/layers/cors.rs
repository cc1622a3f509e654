//! CORS outside the layer or the middleware: the CORS layer answers a
//! preflight (which never carries the token) before authentication runs,
//! and adds its headers to refusals, so that the browser lets the page read
//! the 401.

use actix_web::{App, HttpResponse, test, web};
use axum::routing::get;
use axum::{Extension, Router};
use jwtguard::Claims;
use jwtguard::actix::AuthMiddleware;
use jwtguard::tower::AuthLayer;

use crate::common::call::{self, Answer};
use crate::common::verifier;

const ORIGIN: &str = "http://localhost:3000";

fn preflight() -> Vec<(&'static str, String)> {
    vec![
        ("origin", ORIGIN.to_owned()),
        ("access-control-request-method", "GET".to_owned()),
        ("access-control-request-headers", "authorization".to_owned()),
    ]
}

fn axum_app() -> Router {
    use tower_http::cors::{AllowOrigin, CorsLayer};
    let cors = CorsLayer::new()
        .allow_origin(AllowOrigin::exact(ORIGIN.parse().unwrap()))
        .allow_methods([http::Method::GET])
        .allow_headers([http::header::AUTHORIZATION]);
    Router::new()
        .route(
            "/me",
            get(|Extension(claims): Extension<Claims>| async move { claims.sub().to_owned() }),
        )
        // The last layer added is the outermost.
        .layer(AuthLayer::new(verifier()))
        .layer(cors)
}

async fn actix(method: &str, headers: &[(&str, String)]) -> Answer {
    let cors = actix_cors::Cors::default()
        .allowed_origin(ORIGIN)
        .allowed_methods(["GET"])
        .allowed_headers([http::header::AUTHORIZATION.as_str()]);
    let app = test::init_service(
        App::new()
            // The last middleware wrapped is the outermost.
            .wrap(AuthMiddleware::new(verifier()))
            .wrap(cors)
            .route(
                "/me",
                web::get().to(|claims: web::ReqData<Claims>| async move {
                    HttpResponse::Ok().body(claims.sub().to_owned())
                }),
            ),
    )
    .await;
    call::actix(&app, method, "/me", headers).await
}

#[actix_web::test]
async fn a_preflight_is_answered_by_cors_outside_the_layer() {
    let answers = [
        call::axum(axum_app(), "OPTIONS", "/me", &preflight()).await,
        actix("OPTIONS", &preflight()).await,
    ];
    for answer in answers {
        assert_eq!(answer.status, 200, "{answer:?}");
        assert_eq!(answer.header("access-control-allow-origin"), Some(ORIGIN));
    }
}

#[actix_web::test]
async fn a_refusal_carries_the_cors_headers_so_the_page_can_read_it() {
    let origin = [("origin", ORIGIN.to_owned())];
    let answers = [
        call::axum(axum_app(), "GET", "/me", &origin).await,
        actix("GET", &origin).await,
    ];
    for answer in answers {
        assert_eq!(
            (answer.status, answer.code()),
            (401, Some("missing_token")),
            "{answer:?}"
        );
        assert_eq!(answer.header("access-control-allow-origin"), Some(ORIGIN));
    }
}
