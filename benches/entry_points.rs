//! The cost of one authenticated request through each entry point, side by
//! side in one run: the axum extractor, the tower `AuthLayer` (with the
//! handler reading `Extension<Claims>`, and with the `Auth` extractor
//! reading what the layer placed), the actix extractor and the actix
//! `AuthMiddleware`; accepted and refused requests.
//!
//! `cargo bench --bench entry_points --features test-util,axum,actix,tower`
//! runs criterion. `entry_points CASE N` sends N requests through CASE, for
//! `scripts/entry_points.sh`, which counts instructions per request with
//! callgrind (figures that do not move with the machine's load).

use std::hint::black_box;

use actix_web::{App, HttpMessage as _, HttpRequest, test as actix_test, web};
use axum::routing::get;
use axum::{Extension, Router};
use criterion::Criterion;
use jwtguard::testing::TokenMinter;
use jwtguard::tower::AuthLayer;
use jwtguard::{ClaimGuard, Claims, Verifier};
use tower::{Layer as _, ServiceExt};

mod common;
use common::{SECRET, SUB};

/// Every case. `_layer` wraps the whole router (as `axum::serve` would
/// serve it), `_route_layer` uses `Router::layer`, which wraps each route;
/// `_owner_` cases take `OwnerOf` on `/api/{user_id}/tasks`; `_guarded`
/// adds `require(ClaimGuard::role("user"))`.
const CASES: [&str; 12] = [
    "axum_extractor",
    "axum_layer",
    "axum_layer_guarded",
    "axum_route_layer",
    "axum_owner_extractor",
    "axum_owner_layer",
    "axum_extractor_refused",
    "axum_layer_refused",
    "actix_extractor",
    "actix_middleware",
    "actix_extractor_refused",
    "actix_middleware_refused",
];

struct Fixture {
    verifier: Verifier,
    token: String,
    forged: String,
}

impl Fixture {
    fn new() -> Self {
        let minter = TokenMinter::new(SECRET)
            .subject(SUB)
            .claim("email", "ada.lovelace@example.com")
            .claim("name", "Ada Lovelace")
            .claim("emailVerified", true)
            .claim("role", "user")
            .expires_at(4_000_000_000);
        let token = minter.sign();
        let forged = common::forged(&token);
        let verifier = Verifier::builder()
            .hs256_secret(SECRET)
            .build()
            .expect("valid configuration");
        Self {
            verifier,
            token,
            forged,
        }
    }

    fn token_for(&self, case: &str) -> &str {
        if case.ends_with("_refused") {
            &self.forged
        } else {
            &self.token
        }
    }
}

async fn hello_extractor(jwtguard::axum::Auth(claims): jwtguard::axum::Auth) -> String {
    format!("hello {}", claims.sub())
}

async fn hello_extension(Extension(claims): Extension<Claims>) -> String {
    format!("hello {}", claims.sub())
}

async fn owner_tasks(owner: jwtguard::axum::OwnerOf) -> String {
    format!("tasks of {}", owner.user_id())
}

fn axum_router(case: &str, verifier: &Verifier) -> Router {
    let state = verifier.clone();
    match case {
        "axum_extractor" | "axum_extractor_refused" => Router::new()
            .route("/me", get(hello_extractor))
            .with_state(state),
        "axum_layer" | "axum_layer_refused" => Router::new().route("/me", get(hello_extension)),
        "axum_route_layer" => Router::new()
            .route("/me", get(hello_extension))
            .layer(AuthLayer::new(state)),
        "axum_owner_extractor" | "axum_owner_layer" => Router::new()
            .route("/api/{user_id}/tasks", get(owner_tasks))
            .with_state(state),
        other => panic!("not an axum case: {other}"),
    }
}

fn axum_request(case: &str, token: &str) -> http::Request<axum::body::Body> {
    let path = if case.contains("owner") {
        "/api/Xk9mP2vL7qR4tW8yB3nF6hJ1cD5gS0aE/tasks"
    } else {
        "/me"
    };
    http::Request::get(path)
        .header("authorization", format!("Bearer {token}"))
        .body(axum::body::Body::empty())
        .expect("a valid request")
}

async fn actix_hello_extractor(jwtguard::actix::Auth(claims): jwtguard::actix::Auth) -> String {
    format!("hello {}", claims.sub())
}

async fn actix_hello_middleware(request: HttpRequest) -> String {
    let extensions = request.extensions();
    let claims = extensions.get::<Claims>().expect("the middleware's claims");
    format!("hello {}", claims.sub())
}

/// Sends `n` requests through an axum service, as `axum::serve` does: a
/// clone of the service per request.
fn send_axum<S>(service: &S, case: &str, token: &str, expected: u16, n: u64)
where
    S: tower::Service<
            http::Request<axum::body::Body>,
            Response = axum::response::Response,
            Error = std::convert::Infallible,
        > + Clone,
{
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        for _ in 0..n {
            let response = service
                .clone()
                .oneshot(axum_request(case, black_box(token)))
                .await
                .expect("infallible");
            assert_eq!(response.status(), expected, "{case}");
        }
    });
}

/// Sends `n` requests through `case`; every answer's status is checked.
fn run(fixture: &Fixture, case: &str, n: u64) {
    let token = fixture.token_for(case);
    let expected = if case.ends_with("_refused") { 401 } else { 200 };
    if matches!(
        case,
        "axum_layer" | "axum_owner_layer" | "axum_layer_refused"
    ) {
        let service =
            AuthLayer::new(fixture.verifier.clone()).layer(axum_router(case, &fixture.verifier));
        return send_axum(&service, case, token, expected, n);
    }
    if case == "axum_layer_guarded" {
        let layer = AuthLayer::new(fixture.verifier.clone()).require(ClaimGuard::role("user"));
        let service = layer.layer(axum_router("axum_layer", &fixture.verifier));
        return send_axum(&service, case, token, expected, n);
    }
    if case.starts_with("axum") {
        let router = axum_router(case, &fixture.verifier);
        return send_axum(&router, case, token, expected, n);
    }
    actix_web::rt::System::new().block_on(async {
        let verifier = fixture.verifier.clone();
        let middleware = jwtguard::actix::AuthMiddleware::new(verifier.clone());
        let app = App::new().app_data(web::Data::new(verifier));
        macro_rules! send_all {
            ($app:expr) => {{
                let service = actix_test::init_service($app).await;
                for _ in 0..n {
                    let request = actix_test::TestRequest::get()
                        .uri("/me")
                        .insert_header(("authorization", format!("Bearer {}", black_box(token))))
                        .to_request();
                    let response = actix_test::call_service(&service, request).await;
                    assert_eq!(response.status().as_u16(), expected, "{case}");
                }
            }};
        }
        match case {
            "actix_extractor" | "actix_extractor_refused" => {
                send_all!(app.route("/me", web::get().to(actix_hello_extractor)))
            }
            "actix_middleware" | "actix_middleware_refused" => send_all!(
                app.wrap(middleware)
                    .route("/me", web::get().to(actix_hello_middleware))
            ),
            other => panic!("unknown case {other}"),
        }
    });
}

fn criterion_benches(fixture: &Fixture, c: &mut Criterion) {
    let mut group = c.benchmark_group("entry_points");
    // Batches of 100 requests through one service: one request per
    // iteration would time the runtime's start-up.
    for case in CASES {
        group.bench_function(format!("{case} (x100)"), |b| {
            b.iter(|| run(fixture, case, 100))
        });
    }
    group.finish();
}

fn main() {
    let fixture = Fixture::new();
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    if let [case, n] = args.as_slice() {
        if let Ok(n) = n.parse() {
            run(&fixture, case, n);
            return;
        }
    }
    let mut criterion = Criterion::default().configure_from_args();
    criterion_benches(&fixture, &mut criterion);
    criterion.final_summary();
}
