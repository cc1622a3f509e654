//! Both servers answer alike, request for request.

use crate::harness::*;
use serde_json::{Value, json};

/// What must not differ between the two servers for one request, with the
/// user's id, task ids and timestamps masked.
fn comparable(reply: &Reply, user: &User) -> Value {
    let mut body = String::from_utf8_lossy(&reply.body).replace(&user.id, "<user>");
    if let Ok(mut value) = serde_json::from_str::<Value>(&body) {
        mask(&mut value);
        body = value.to_string();
    }
    let header = |name: &str| reply.header(name).map(|v| v.replace(&user.id, "<user>"));
    let location =
        header("location").map(|l| l.rsplit_once('/').map_or(l.clone(), |p| p.0.to_owned()));
    json!({
        "status": reply.status,
        "content-type": header("content-type"),
        "www-authenticate": header("www-authenticate"),
        "x-total-count": header("x-total-count"),
        "location": location,
        "body": body,
    })
}

fn mask(value: &mut Value) {
    match value {
        Value::Array(items) => items.iter_mut().for_each(mask),
        Value::Object(map) => {
            for (key, item) in map.iter_mut() {
                if ["id", "created_at", "updated_at"].contains(&key.as_str()) {
                    *item = json!("<masked>");
                } else {
                    mask(item);
                }
            }
        }
        _ => {}
    }
}

/// The same requests, in the same order, get the same answers from both
/// servers. Both run on the actix test runtime (axum needs only tokio).
#[actix_web::test]
async fn both_servers_answer_every_request_identically() {
    let axum = axum_server().await;
    let actix = actix_server().await;
    let (axum_user, actix_user) = (User::new(), User::new());
    let script = |user: &User| {
        let id = random_uuid();
        let mut requests = vec![
            Req::get("/health"),
            Req::get(user.tasks()).auth(user),
            Req::post(user.tasks())
                .auth(user)
                .json(json!({"title": " one ", "description": "d"})),
            Req::post(user.tasks())
                .auth(user)
                .json(json!({"title": "two"})),
            Req::get(user.tasks()).auth(user),
            Req::get(format!("{}?completed=true", user.tasks())).auth(user),
            Req::get(format!("{}?limit=1&offset=1", user.tasks())).auth(user),
            Req::get(format!("{}?limit=0&offset=-1&completed=x", user.tasks())).auth(user),
            Req::get(user.task(&id)).auth(user),
            Req::put(user.task(&id))
                .auth(user)
                .json(json!({"title": ""})),
            Req::put(user.task("bad")).auth(user).raw("[]"),
            Req::patch(user.complete(&id)).auth(user),
            Req::delete(user.task(&id)).auth(user),
            Req::post(user.tasks()).auth(user).raw("{"),
            Req::post(user.tasks())
                .auth(user)
                .json(json!({"title": 1, "description": 2})),
            Req::post(user.tasks())
                .auth(user)
                .raw(body_of_size(64 * KIB + 1)),
            Req::get(user.tasks()),
            Req::get(user.tasks()).bearer(&minter(&user.id).expired().sign()),
            Req::get("/api/someone-else/tasks").auth(user),
            Req::get("/nope").auth(user),
            Req::patch(user.tasks()).auth(user),
            Req::delete("/health"),
        ];
        // HEAD and OPTIONS without a CORS preflight are left out: the two
        // servers answer them differently (see
        // `head_and_bare_options_are_answered_alike_by_both_servers`).
        requests.extend(
            hostile_requests(user)
                .into_iter()
                .filter(|r| r.method != "HEAD" && r.method != "OPTIONS"),
        );
        requests
    };
    let (axum_script, actix_script) = (script(&axum_user), script(&actix_user));
    let mut differences = Vec::new();
    for (a, b) in axum_script.into_iter().zip(actix_script) {
        let described = a.describe().replace(&axum_user.id, "<user>");
        let from_axum = comparable(&axum.send(a).await, &axum_user);
        let from_actix = comparable(&actix.send(b).await, &actix_user);
        if from_axum != from_actix {
            differences.push(format!(
                "{described}\n    axum:  {from_axum}\n    actix: {from_actix}"
            ));
        }
    }
    assert!(
        differences.is_empty(),
        "{} and {} differ on {} requests:\n{}",
        axum.name(),
        actix.name(),
        differences.len(),
        differences.join("\n")
    );
}

/// As FastAPI does, both servers answer `HEAD` on GET routes, and a bare
/// `OPTIONS` (not a CORS preflight) with 405.
#[actix_web::test]
async fn head_and_bare_options_are_answered_alike_by_both_servers() {
    let axum = axum_server().await;
    let actix = actix_server().await;
    let user = User::new();
    for (request, expected) in [
        (Req::new("HEAD", "/health"), 200),
        (Req::new("HEAD", user.tasks()).auth(&user), 200),
        (Req::new("OPTIONS", user.tasks()).auth(&user), 405),
        (Req::new("OPTIONS", "/health"), 405),
    ] {
        let from_axum = axum.send(request.clone()).await;
        let from_actix = actix.send(request).await;
        assert_eq!(from_axum.status, expected, "{}", from_axum.context());
        assert_eq!(from_actix.status, expected, "{}", from_actix.context());
    }
}
