//! Requests no client should send are answered, never with a 5xx.

use crate::harness::*;
use serde_json::json;

on_both_servers!(
    hostile_inputs_never_cause_a_server_error,
    nul_characters_in_task_fields_are_not_a_server_error,
    user_ids_with_control_characters_are_not_a_server_error,
);

async fn hostile_inputs_never_cause_a_server_error(server: &impl Server) {
    let user = User::new();
    create_titled(server, &user, "victim").await;
    assert_no_server_error(server, hostile_requests(&user)).await;
    // The database still answers, and the user's data is intact.
    server.send(Req::get("/health")).await.expect(200);
    let (tasks, _) = list(server, &user, "limit=100").await;
    assert!(titles(&tasks).contains(&"victim"));
    assert!(tasks.iter().all(|t| t["user_id"] == json!(user.id)));
}

/// U+0000 is valid JSON and a valid Rust string, but PostgreSQL cannot store
/// it in TEXT: a title or description holding it must be refused (422) or
/// stored, never answered with a 5xx, whatever the database.
async fn nul_characters_in_task_fields_are_not_a_server_error(server: &impl Server) {
    let user = User::new();
    let task = create_titled(server, &user, "plain").await;
    let path = user.task(&id_of(&task));
    assert_no_server_error(
        server,
        vec![
            Req::post(user.tasks())
                .auth(&user)
                .raw(r#"{"title":"nul \u0000 inside"}"#),
            Req::post(user.tasks())
                .auth(&user)
                .raw(r#"{"title":"t","description":"\u0000"}"#),
            Req::put(path.clone())
                .auth(&user)
                .raw(r#"{"title":"\u0000"}"#),
            Req::put(path.clone())
                .auth(&user)
                .raw(r#"{"description":"a\u0000"}"#),
        ],
    )
    .await;
}

/// A `sub` with a control character (which only the issuer could mint) must
/// not reach the database or the `Location` header as is: U+0000 is refused
/// (PostgreSQL cannot store it), a line break is percent-encoded.
async fn user_ids_with_control_characters_are_not_a_server_error(server: &impl Server) {
    let mut requests = Vec::new();
    for (sub, encoded) in [
        ("nul\u{0}owner", "nul%00owner"),
        ("line\nbreak", "line%0Abreak"),
    ] {
        let path = format!("/api/{encoded}/tasks");
        requests.push(Req::get(path.clone()).bearer(&token_for(sub)));
        requests.push(
            Req::post(path)
                .bearer(&token_for(sub))
                .json(json!({"title": "x"})),
        );
    }
    assert_no_server_error(server, requests).await;
}
