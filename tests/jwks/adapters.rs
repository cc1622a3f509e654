//! Both adapters with Better Auth's JWKS: the extractors wait for the reload
//! a new `kid` causes, answer refusals exactly as for HS256, and answer 503
//! at once while a background start has no keys yet.

use std::time::Duration;

use crate::background::{Answer as Fetched, Issuer, eventually};
use crate::call::Answer;
use crate::support::{JwksServer, TestKey, claims, jwks};
use jwtguard::{ClaimCheck, Verifier};
use serde_json::{Value, json};

const SECRET: &str = "test-secret-that-is-at-least-32-bytes-long";

/// What each framework answered: status, a header (the challenge, or
/// `Retry-After`), JSON body.
type Seen = (u16, Option<String>, Value);

/// A verifier on a loopback JWKS that starts with `first` only.
fn setup(first: &TestKey) -> (JwksServer, Verifier) {
    let server = JwksServer::start(jwks(&[("first", first)]));
    let verifier = Verifier::builder()
        .jwks(|keys| {
            keys.claim_check(ClaimCheck::Skip)
                .url(&server.url)
                .refresh_cooldown(Duration::ZERO)
        })
        .build()
        .unwrap();
    (server, verifier)
}

/// The same scenario for any framework: `ask` sends GET `path` with a token.
async fn scenario<F, Fut>(ask: F)
where
    F: Fn(Verifier, String, String) -> Fut,
    Fut: std::future::Future<Output = Seen>,
{
    let (first, rotated) = (TestKey::ed25519(), TestKey::ed25519());
    let (server, verifier) = setup(&first);
    let first_token = first.sign("first", &claims("user-1"));
    let (status, _, body) = ask(
        verifier.clone(),
        "/api/user-1/tasks".into(),
        first_token.clone(),
    )
    .await;
    assert_eq!((status, body), (200, json!({"owner": "user-1"})));

    // Key rotation at the issuer: the first request with the new kid is served.
    server.serve(jwks(&[("first", &first), ("rotated", &rotated)]));
    let rotated_token = rotated.sign("rotated", &claims("user-2"));
    let (status, _, body) = ask(
        verifier.clone(),
        "/api/user-2/tasks".into(),
        rotated_token.clone(),
    )
    .await;
    assert_eq!((status, body), (200, json!({"owner": "user-2"})));
    assert_eq!(server.fetches(), 2);

    // Another user's path: 403, whatever the algorithm.
    let (status, _, body) = ask(verifier.clone(), "/api/user-1/tasks".into(), rotated_token).await;
    assert_eq!(status, 403);
    assert_eq!(body["code"], "forbidden");

    // Tampered: 401 with the RFC 6750 challenge and a fixed body.
    let mut tampered = first_token.clone().into_bytes();
    let at = first_token.find('.').unwrap() + 3;
    tampered[at] = if tampered[at] == b'x' { b'y' } else { b'x' };
    let (status, challenge, body) = ask(
        verifier.clone(),
        "/api/user-1/tasks".into(),
        String::from_utf8(tampered).unwrap(),
    )
    .await;
    assert_eq!(status, 401);
    assert!(
        challenge
            .unwrap()
            .starts_with("Bearer error=\"invalid_token\"")
    );
    assert_eq!(body["code"], "invalid_signature");

    // A kid the issuer never published: one reload, then 401.
    let unknown = first.sign("made-up", &claims("user-1"));
    let (status, _, body) = ask(verifier, "/api/user-1/tasks".into(), unknown).await;
    assert_eq!((status, body["code"].clone()), (401, json!("unknown_key")));
}

/// GET `path` with `token` on `/api/{user_id}/tasks` guarded by `OwnerOf`, in axum.
async fn axum_tasks(verifier: jwtguard::Verifier, path: &str, token: &str) -> Answer {
    use axum::routing::get;
    use axum::{Json, Router};
    use jwtguard::axum::OwnerOf;

    let app: Router = Router::new()
        .route(
            "/api/{user_id}/tasks",
            get(|o: OwnerOf| async move { Json(json!({"owner": o.user_id()})) }),
        )
        .with_state(verifier);
    let bearer = [("authorization", format!("Bearer {token}"))];
    crate::call::axum(app, "GET", path, &bearer).await
}

/// The same route in actix-web.
async fn actix_tasks(verifier: jwtguard::Verifier, path: &str, token: &str) -> Answer {
    use actix_web::{App, HttpResponse, test, web};
    use jwtguard::actix::OwnerOf;

    let app =
        test::init_service(App::new().app_data(web::Data::new(verifier)).route(
            "/api/{user_id}/tasks",
            web::get().to(|o: OwnerOf| async move {
                HttpResponse::Ok().json(json!({"owner": o.user_id()}))
            }),
        ))
        .await;
    let bearer = [("authorization", format!("Bearer {token}"))];
    crate::call::actix(&app, "GET", path, &bearer).await
}

fn with_header(answer: Answer, name: &str) -> Seen {
    let header = answer.header(name).map(str::to_owned);
    (answer.status, header, answer.body)
}

#[tokio::test]
async fn axum_waits_for_the_new_key_and_answers_as_for_hs256() {
    scenario(|verifier, path, token| async move {
        with_header(
            axum_tasks(verifier, &path, &token).await,
            "www-authenticate",
        )
    })
    .await;
}

#[actix_web::test]
async fn actix_waits_for_the_new_key_and_answers_as_for_hs256() {
    scenario(|verifier, path, token| async move {
        with_header(
            actix_tasks(verifier, &path, &token).await,
            "www-authenticate",
        )
    })
    .await;
}

/// The same scenario for any framework: `ask` sends GET /api/user-1/tasks
/// with a token, while the issuer hangs and once it answers.
async fn background_scenario<F, Fut>(ask: F)
where
    F: Fn(Verifier, String) -> Fut,
    Fut: std::future::Future<Output = Seen>,
{
    let key = TestKey::ed25519();
    let issuer = Issuer::new(Fetched::Hang);
    let verifier = issuer
        .builder()
        .hs256_secret(SECRET)
        .jwks(|keys| {
            keys.claim_check(ClaimCheck::Skip)
                .background_retry(Duration::from_millis(20))
                .refresh_interval(Duration::from_millis(200))
        })
        .build()
        .unwrap();
    let token = key.sign("k", &claims("user-1"));
    let (status, retry_after, body) = ask(verifier.clone(), token.clone()).await;
    assert_eq!((status, retry_after.as_deref()), (503, Some("10")));
    assert_eq!(body["code"], "temporarily_unavailable");
    assert_eq!(issuer.returned(), 0, "answered while the fetch still hangs");
    // The shared secret's tokens pass meanwhile.
    let hs256 = jwtguard::testing::sign_raw(
        SECRET.as_bytes(),
        r#"{"alg":"HS256"}"#,
        &claims("user-1").to_string(),
    );
    let (status, _, body) = ask(verifier.clone(), hs256).await;
    assert_eq!((status, body), (200, json!({"owner": "user-1"})));

    issuer.set(Fetched::Serve(jwks(&[("k", &key)])));
    assert!(eventually(|| verifier.is_ready()));
    let (status, _, body) = ask(verifier, token).await;
    assert_eq!((status, body), (200, json!({"owner": "user-1"})));
}

#[tokio::test]
async fn axum_answers_503_at_once_until_background_keys_load() {
    background_scenario(|verifier, token| async move {
        with_header(
            axum_tasks(verifier, "/api/user-1/tasks", &token).await,
            "retry-after",
        )
    })
    .await;
}

#[actix_web::test]
async fn actix_answers_503_at_once_until_background_keys_load() {
    background_scenario(|verifier, token| async move {
        with_header(
            actix_tasks(verifier, "/api/user-1/tasks", &token).await,
            "retry-after",
        )
    })
    .await;
}
