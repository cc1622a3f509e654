//! The routes' behaviour with valid input: create, list (order, paging,
//! filter), read, update, toggle, delete, health (with the database and the
//! JWKS keys).

use crate::harness::*;
use serde_json::{Value, json};
use time::OffsetDateTime;

on_both_servers!(
    health_is_public_and_reports_the_database,
    create_returns_201_with_location_and_task,
    create_without_description_stores_null,
    list_is_newest_first_with_total_count_and_pagination,
    list_default_limit_is_50_and_limit_100_is_accepted,
    list_filters_by_completed,
    get_returns_the_task_or_404,
    update_changes_only_the_given_fields,
    update_of_a_missing_task_is_404,
    toggle_flips_completed_and_back,
    delete_returns_204_then_the_task_is_gone,
    location_is_a_valid_uri_for_any_user_id,
);

async fn health_is_public_and_reports_the_database(server: &impl Server) {
    server
        .send(Req::get("/health"))
        .await
        .expect_json(200, json!({"status": "ok", "database": "ok"}));
    // A token is not needed, and an invalid one does not matter either.
    server
        .send(Req::get("/health").bearer("not-a-token"))
        .await
        .expect_json(200, json!({"status": "ok", "database": "ok"}));
}

/// Started while Better Auth is down (`JWKS_BACKGROUND_START`): `/health`
/// answers 503 until the JWKS keys load, the shared secret's tokens work
/// meanwhile and the plugin's get 503 with `Retry-After`; then all is 200.
async fn health_is_503_until_the_jwks_keys_load(server: &impl Server, issuer: &JwksIssuer) {
    server.send(Req::get("/health")).await.expect_json(
        503,
        json!({"status": "degraded", "database": "ok", "auth_keys": "not loaded"}),
    );
    let user = User::new();
    server
        .send(Req::get(user.tasks()).auth(&user))
        .await
        .expect(200);
    let plugin_token = issuer.token_for(&user.id);
    let reply = server
        .send(Req::get(user.tasks()).bearer(&plugin_token))
        .await
        .expect(503);
    assert_eq!(
        reply.header("retry-after"),
        Some("10"),
        "{}",
        reply.context()
    );
    assert_eq!(reply.json()["code"], "temporarily_unavailable");

    issuer.serve();
    // Not a timing assertion: only a bound on how long to wait.
    let started = std::time::Instant::now();
    let mut reply = server.send(Req::get("/health")).await;
    while reply.status != 200 && started.elapsed() < std::time::Duration::from_secs(10) {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        reply = server.send(Req::get("/health")).await;
    }
    reply.expect_json(200, json!({"status": "ok", "database": "ok"}));
    server
        .send(Req::get(user.tasks()).bearer(&plugin_token))
        .await
        .expect(200);
}

mod health_is_503_until_the_jwks_keys_load {
    use crate::harness::{JwksIssuer, actix_server_with, axum_server_with};

    #[tokio::test]
    async fn axum() {
        let issuer = JwksIssuer::down();
        let server = axum_server_with(issuer.verifier()).await;
        super::health_is_503_until_the_jwks_keys_load(&server, &issuer).await;
    }

    #[actix_web::test]
    async fn actix() {
        let issuer = JwksIssuer::down();
        let server = actix_server_with(issuer.verifier()).await;
        super::health_is_503_until_the_jwks_keys_load(&server, &issuer).await;
    }
}

async fn create_returns_201_with_location_and_task(server: &impl Server) {
    let user = User::new();
    let before = OffsetDateTime::now_utc();
    let reply = server
        .send(
            Req::post(user.tasks())
                .auth(&user)
                .json(json!({"title": "  Buy milk  ", "description": "2 litres"})),
        )
        .await
        .expect(201);
    assert_eq!(
        reply.header("content-type"),
        Some("application/json"),
        "{}",
        reply.context()
    );
    let task = reply.json();
    assert_task_shape(&task, &user);
    assert_eq!(task["title"], "Buy milk", "the title is trimmed");
    assert_eq!(task["description"], "2 litres");
    assert_eq!(task["completed"], false);
    assert_eq!(task["created_at"], task["updated_at"]);
    let created = timestamp(&task["created_at"]);
    let slack = time::Duration::seconds(60);
    assert!(
        created >= before - slack && created <= OffsetDateTime::now_utc() + slack,
        "created_at is not now: {task}"
    );

    let id = id_of(&task);
    let location = reply
        .header("location")
        .unwrap_or_else(|| panic!("no Location: {}", reply.context()));
    assert_eq!(location, user.task(&id), "{}", reply.context());

    // The Location is where the task is.
    server
        .send(Req::get(location).auth(&user))
        .await
        .expect_json(200, task.clone());
    let (tasks, total) = list(server, &user, "").await;
    assert_eq!((tasks, total), (vec![task], 1));
}

async fn create_without_description_stores_null(server: &impl Server) {
    let user = User::new();
    let absent = create(server, &user, json!({"title": "no description"})).await;
    assert_task_shape(&absent, &user);
    assert_eq!(absent["description"], Value::Null);
    let null = create(server, &user, json!({"title": "null", "description": null})).await;
    assert_eq!(null["description"], Value::Null);
    let empty = create(server, &user, json!({"title": "empty", "description": ""})).await;
    assert_eq!(empty["description"], "");
    // Unknown fields are ignored, as FastAPI does; `completed` is not settable on create.
    let extra = create(
        server,
        &user,
        json!({"title": "extra", "completed": true, "id": "x", "user_id": "someone-else"}),
    )
    .await;
    assert_task_shape(&extra, &user);
    assert_eq!(extra["completed"], false);
    assert_ne!(extra["id"], "x");
}

async fn list_is_newest_first_with_total_count_and_pagination(server: &impl Server) {
    let user = User::new();
    let (tasks, total) = list(server, &user, "").await;
    assert_eq!((tasks.len(), total), (0, 0), "a new user has no tasks");

    for i in 0..7 {
        create_titled(server, &user, &format!("task {i}")).await;
    }
    let (tasks, total) = list(server, &user, "").await;
    assert_eq!(total, 7);
    assert_eq!(
        titles(&tasks),
        [
            "task 6", "task 5", "task 4", "task 3", "task 2", "task 1", "task 0"
        ]
    );
    for task in &tasks {
        assert_task_shape(task, &user);
    }

    // The 4th to 6th newest; the total is counted before paging.
    let (page, total) = list(server, &user, "limit=3&offset=3").await;
    assert_eq!(total, 7);
    assert_eq!(titles(&page), ["task 3", "task 2", "task 1"]);

    let (page, total) = list(server, &user, "offset=6&limit=3").await;
    assert_eq!((titles(&page), total), (vec!["task 0"], 7));

    let (page, total) = list(server, &user, "limit=1").await;
    assert_eq!((titles(&page), total), (vec!["task 6"], 7));

    let (page, total) = list(server, &user, "offset=7").await;
    assert_eq!((page.len(), total), (0, 7), "past the end is an empty page");

    let (page, total) = list(server, &user, "offset=1000000").await;
    assert_eq!((page.len(), total), (0, 7));

    // Unknown parameters are ignored; a repeated one takes its last value.
    let (page, _) = list(server, &user, "sort=asc&limit=7&limit=2").await;
    assert_eq!(titles(&page), ["task 6", "task 5"]);
}

async fn list_default_limit_is_50_and_limit_100_is_accepted(server: &impl Server) {
    let user = User::new();
    for i in 0..55 {
        create_titled(server, &user, &format!("task {i}")).await;
    }
    let (page, total) = list(server, &user, "").await;
    assert_eq!((page.len(), total), (50, 55), "the default limit is 50");
    assert_eq!(page[0]["title"], "task 54");
    assert_eq!(page[49]["title"], "task 5");

    let (page, total) = list(server, &user, "limit=100").await;
    assert_eq!((page.len(), total), (55, 55));

    let (page, total) = list(server, &user, "offset=50").await;
    assert_eq!(
        (titles(&page), total),
        (vec!["task 4", "task 3", "task 2", "task 1", "task 0"], 55)
    );

    server
        .send(Req::get(format!("{}?limit=101", user.tasks())).auth(&user))
        .await
        .expect_problem("less_than_equal", &["query", "limit"]);
}

async fn list_filters_by_completed(server: &impl Server) {
    let user = User::new();
    let first = create_titled(server, &user, "first").await;
    create_titled(server, &user, "second").await;
    let third = create_titled(server, &user, "third").await;
    create_titled(server, &user, "fourth").await;
    for task in [&first, &third] {
        server
            .send(Req::patch(user.complete(&id_of(task))).auth(&user))
            .await
            .expect(200);
    }

    let (done, total) = list(server, &user, "completed=true").await;
    assert_eq!((titles(&done), total), (vec!["third", "first"], 2));
    assert!(done.iter().all(|t| t["completed"] == true));

    let (open, total) = list(server, &user, "completed=false").await;
    assert_eq!((titles(&open), total), (vec!["fourth", "second"], 2));
    assert!(open.iter().all(|t| t["completed"] == false));

    // The filter and paging combine; the total is the filtered total.
    let (page, total) = list(server, &user, "completed=false&limit=1&offset=1").await;
    assert_eq!((titles(&page), total), (vec!["second"], 2));

    let (all, total) = list(server, &user, "").await;
    assert_eq!((all.len(), total), (4, 4));

    // FastAPI's boolean spellings.
    let (done, _) = list(server, &user, "completed=1").await;
    assert_eq!(done.len(), 2);
    let (open, _) = list(server, &user, "completed=no").await;
    assert_eq!(open.len(), 2);
}

async fn get_returns_the_task_or_404(server: &impl Server) {
    let user = User::new();
    let task = create_titled(server, &user, "read me").await;
    let id = id_of(&task);
    server
        .send(Req::get(user.task(&id)).auth(&user))
        .await
        .expect_json(200, task.clone());
    // The id is a UUID in any spelling uuid accepts; answers use the canonical form.
    server
        .send(Req::get(user.task(&id.to_uppercase())).auth(&user))
        .await
        .expect_json(200, task);
    server
        .send(Req::get(user.task(&random_uuid())).auth(&user))
        .await
        .expect_json(404, json!({"detail": "Task not found"}));
}

async fn update_changes_only_the_given_fields(server: &impl Server) {
    let user = User::new();
    let task = create(
        server,
        &user,
        json!({"title": "original", "description": "keep me"}),
    )
    .await;
    let id = id_of(&task);
    let put = |body: Value| Req::put(user.task(&id)).auth(&user).json(body);

    // Only the title.
    let updated = server
        .send(put(json!({"title": "  renamed  "})))
        .await
        .expect(200)
        .json();
    assert_task_shape(&updated, &user);
    assert_eq!(updated["id"], task["id"]);
    assert_eq!(updated["title"], "renamed");
    assert_eq!(updated["description"], "keep me");
    assert_eq!(updated["completed"], false);
    assert_eq!(updated["created_at"], task["created_at"]);
    assert!(timestamp(&updated["updated_at"]) >= timestamp(&task["updated_at"]));

    // Only completed.
    let updated = server
        .send(put(json!({"completed": true})))
        .await
        .expect(200)
        .json();
    assert_eq!(
        (
            &updated["title"],
            &updated["description"],
            &updated["completed"]
        ),
        (&json!("renamed"), &json!("keep me"), &json!(true))
    );

    // Only the description.
    let updated = server
        .send(put(json!({"description": "new text"})))
        .await
        .expect(200)
        .json();
    assert_eq!(
        (
            &updated["title"],
            &updated["description"],
            &updated["completed"]
        ),
        (&json!("renamed"), &json!("new text"), &json!(true))
    );

    // Nothing: nothing changes but updated_at.
    let updated = server.send(put(json!({}))).await.expect(200).json();
    assert_eq!(
        (
            &updated["title"],
            &updated["description"],
            &updated["completed"]
        ),
        (&json!("renamed"), &json!("new text"), &json!(true))
    );

    // null leaves title and completed, and clears the description.
    let updated = server
        .send(put(
            json!({"title": null, "completed": null, "description": null}),
        ))
        .await
        .expect(200)
        .json();
    assert_eq!(
        (
            &updated["title"],
            &updated["description"],
            &updated["completed"]
        ),
        (&json!("renamed"), &Value::Null, &json!(true))
    );

    // All at once.
    let updated = server
        .send(put(
            json!({"title": "final", "description": "done", "completed": false}),
        ))
        .await
        .expect(200)
        .json();
    assert_eq!(
        (
            &updated["title"],
            &updated["description"],
            &updated["completed"]
        ),
        (&json!("final"), &json!("done"), &json!(false))
    );
    assert_eq!(updated["created_at"], task["created_at"]);

    // The change is stored.
    server
        .send(Req::get(user.task(&id)).auth(&user))
        .await
        .expect_json(200, updated);
}

async fn update_of_a_missing_task_is_404(server: &impl Server) {
    let user = User::new();
    server
        .send(
            Req::put(user.task(&random_uuid()))
                .auth(&user)
                .json(json!({"title": "x"})),
        )
        .await
        .expect_json(404, json!({"detail": "Task not found"}));
    let (tasks, total) = list(server, &user, "").await;
    assert_eq!((tasks.len(), total), (0, 0), "PUT does not create");
}

async fn toggle_flips_completed_and_back(server: &impl Server) {
    let user = User::new();
    let task = create(
        server,
        &user,
        json!({"title": "toggle", "description": "d"}),
    )
    .await;
    let id = id_of(&task);
    let once = server
        .send(Req::patch(user.complete(&id)).auth(&user))
        .await
        .expect(200)
        .json();
    assert_task_shape(&once, &user);
    assert_eq!(once["completed"], true);
    assert_eq!(
        (&once["title"], &once["description"]),
        (&json!("toggle"), &json!("d"))
    );
    assert_eq!(once["created_at"], task["created_at"]);

    let twice = server
        .send(Req::patch(user.complete(&id)).auth(&user))
        .await
        .expect(200)
        .json();
    assert_eq!(twice["completed"], false);
    assert!(timestamp(&twice["updated_at"]) >= timestamp(&once["updated_at"]));

    // A body, if any, is ignored.
    let thrice = server
        .send(
            Req::patch(user.complete(&id))
                .auth(&user)
                .json(json!({"completed": false})),
        )
        .await
        .expect(200)
        .json();
    assert_eq!(thrice["completed"], true);

    server
        .send(Req::patch(user.complete(&random_uuid())).auth(&user))
        .await
        .expect_json(404, json!({"detail": "Task not found"}));
}

async fn delete_returns_204_then_the_task_is_gone(server: &impl Server) {
    let user = User::new();
    let keep = create_titled(server, &user, "keep").await;
    let task = create_titled(server, &user, "delete me").await;
    let id = id_of(&task);
    let reply = server
        .send(Req::delete(user.task(&id)).auth(&user))
        .await
        .expect(204);
    assert!(reply.body.is_empty(), "{}", reply.context());

    server
        .send(Req::get(user.task(&id)).auth(&user))
        .await
        .expect_json(404, json!({"detail": "Task not found"}));
    server
        .send(Req::delete(user.task(&id)).auth(&user))
        .await
        .expect_json(404, json!({"detail": "Task not found"}));
    server
        .send(Req::patch(user.complete(&id)).auth(&user))
        .await
        .expect_json(404, json!({"detail": "Task not found"}));
    server
        .send(
            Req::put(user.task(&id))
                .auth(&user)
                .json(json!({"title": "x"})),
        )
        .await
        .expect_json(404, json!({"detail": "Task not found"}));
    let (tasks, total) = list(server, &user, "").await;
    assert_eq!((tasks, total), (vec![keep], 1));
}

/// The `Location` of a created task percent-encodes the user id, so an id
/// that needs escaping in a path (a space, non-ASCII) still gives a URI
/// reference (RFC 9110 §10.2.2).
async fn location_is_a_valid_uri_for_any_user_id(server: &impl Server) {
    for (sub, path) in [
        ("user 1", "/api/user%201/tasks"),
        ("✓", "/api/%E2%9C%93/tasks"),
    ] {
        let reply = server
            .send(
                Req::post(path)
                    .bearer(&token_for(sub))
                    .json(json!({"title": "x"})),
            )
            .await
            .expect(201);
        let id = id_of(&reply.json());
        assert_eq!(
            reply.header("location"),
            Some(format!("{path}/{id}").as_str()),
            "{}",
            reply.context()
        );
    }
}
