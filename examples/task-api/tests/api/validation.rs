//! Invalid input: FastAPI-shaped 422s, body limits (413), unknown routes
//! (404) and wrong methods (405).

use crate::harness::*;
use serde_json::json;

on_both_servers!(
    list_rejects_invalid_query_parameters_with_422,
    create_rejects_invalid_bodies_with_422,
    title_and_description_limits_count_characters_not_bytes,
    update_rejects_invalid_bodies_with_422,
    malformed_task_id_in_path_is_422_on_every_route,
    bodies_over_64_kib_are_413,
    unknown_routes_are_404_and_wrong_methods_are_405,
);

async fn list_rejects_invalid_query_parameters_with_422(server: &impl Server) {
    let user = User::new();
    create_titled(server, &user, "one").await;
    let cases: [(&str, &str, &str); 10] = [
        ("limit=0", "greater_than_equal", "limit"),
        ("limit=101", "less_than_equal", "limit"),
        ("limit=-1", "greater_than_equal", "limit"),
        ("limit=abc", "int_parsing", "limit"),
        ("limit=", "int_parsing", "limit"),
        ("limit=2.5", "int_parsing", "limit"),
        ("offset=-1", "greater_than_equal", "offset"),
        ("offset=abc", "int_parsing", "offset"),
        ("completed=maybe", "bool_parsing", "completed"),
        ("limit=50&limit=0", "greater_than_equal", "limit"),
    ];
    for (query, kind, name) in cases {
        server
            .send(Req::get(format!("{}?{query}", user.tasks())).auth(&user))
            .await
            .expect_problem(kind, &["query", name]);
    }
    // Every problem is reported at once.
    let reply = server
        .send(Req::get(format!("{}?limit=0&offset=-1", user.tasks())).auth(&user))
        .await
        .expect_problem("greater_than_equal", &["query", "limit"])
        .expect_problem("greater_than_equal", &["query", "offset"]);
    assert_eq!(reply.json()["detail"].as_array().unwrap().len(), 2);
    // The boundaries are accepted.
    for query in ["limit=1", "limit=100", "offset=0", "limit=%31%30"] {
        list(server, &user, query).await;
    }
}

async fn create_rejects_invalid_bodies_with_422(server: &impl Server) {
    let user = User::new();
    let cases: &[(&[u8], &str, &[&str])] = &[
        (b"{", "json_invalid", &["body"]),
        (b"not json", "json_invalid", &["body"]),
        (b"{\"title\": \"a\",}", "json_invalid", &["body"]),
        (b"\xff\xfe", "json_invalid", &["body"]),
        (b"[]", "model_attributes_type", &["body"]),
        (b"[{\"title\":\"a\"}]", "model_attributes_type", &["body"]),
        (b"\"title\"", "model_attributes_type", &["body"]),
        (b"42", "model_attributes_type", &["body"]),
        (b"null", "model_attributes_type", &["body"]),
        (b"{}", "missing", &["body", "title"]),
        (
            b"{\"description\":\"no title\"}",
            "missing",
            &["body", "title"],
        ),
        (b"{\"Title\":\"wrong case\"}", "missing", &["body", "title"]),
        (b"{\"title\":null}", "string_type", &["body", "title"]),
        (b"{\"title\":42}", "string_type", &["body", "title"]),
        (b"{\"title\":true}", "string_type", &["body", "title"]),
        (b"{\"title\":[\"a\"]}", "string_type", &["body", "title"]),
        (b"{\"title\":{\"a\":1}}", "string_type", &["body", "title"]),
        (b"{\"title\":\"\"}", "string_too_short", &["body", "title"]),
        (
            b"{\"title\":\"   \\t\\n \"}",
            "string_too_short",
            &["body", "title"],
        ),
        (
            b"{\"title\":\"ok\",\"description\":5}",
            "string_type",
            &["body", "description"],
        ),
        (
            b"{\"title\":\"ok\",\"description\":[]}",
            "string_type",
            &["body", "description"],
        ),
    ];
    for &(body, kind, loc) in cases {
        server
            .send(Req::post(user.tasks()).auth(&user).raw(body))
            .await
            .expect_problem(kind, loc);
    }
    // An empty body is not JSON.
    server
        .send(Req::post(user.tasks()).auth(&user))
        .await
        .expect_problem("json_invalid", &["body"]);
    // Several problems are reported together.
    server
        .send(
            Req::post(user.tasks())
                .auth(&user)
                .json(json!({"description": 1})),
        )
        .await
        .expect_problem("missing", &["body", "title"])
        .expect_problem("string_type", &["body", "description"]);
    // Nothing was created.
    let (tasks, total) = list(server, &user, "").await;
    assert_eq!((tasks.len(), total), (0, 0));
}

async fn title_and_description_limits_count_characters_not_bytes(server: &impl Server) {
    let user = User::new();
    for letter in ["a", "é", "😀"] {
        let title = letter.repeat(200);
        let task = create(server, &user, json!({ "title": title })).await;
        assert_eq!(task["title"], json!(title), "200 characters are accepted");

        // Surrounding whitespace does not count.
        let padded = format!("  {title}\n");
        let task = create(server, &user, json!({ "title": padded })).await;
        assert_eq!(task["title"], json!(title));

        server
            .send(
                Req::post(user.tasks())
                    .auth(&user)
                    .json(json!({"title": letter.repeat(201)})),
            )
            .await
            .expect_problem("string_too_long", &["body", "title"]);

        let description = letter.repeat(1000);
        let task = create(
            server,
            &user,
            json!({"title": "t", "description": description}),
        )
        .await;
        assert_eq!(task["description"], json!(description));
        server
            .send(
                Req::post(user.tasks())
                    .auth(&user)
                    .json(json!({"title": "t", "description": letter.repeat(1001)})),
            )
            .await
            .expect_problem("string_too_long", &["body", "description"]);
    }

    // The same limits apply to updates.
    let task = create_titled(server, &user, "short").await;
    let path = user.task(&id_of(&task));
    server
        .send(
            Req::put(path.clone())
                .auth(&user)
                .json(json!({"title": "é".repeat(200)})),
        )
        .await
        .expect(200);
    server
        .send(
            Req::put(path.clone())
                .auth(&user)
                .json(json!({"title": "é".repeat(201)})),
        )
        .await
        .expect_problem("string_too_long", &["body", "title"]);
    server
        .send(
            Req::put(path.clone())
                .auth(&user)
                .json(json!({"description": "é".repeat(1000)})),
        )
        .await
        .expect(200);
    server
        .send(
            Req::put(path)
                .auth(&user)
                .json(json!({"description": "é".repeat(1001)})),
        )
        .await
        .expect_problem("string_too_long", &["body", "description"]);
}

async fn update_rejects_invalid_bodies_with_422(server: &impl Server) {
    let user = User::new();
    let task = create(
        server,
        &user,
        json!({"title": "stay", "description": "same"}),
    )
    .await;
    let path = user.task(&id_of(&task));
    let cases: &[(&[u8], &str, &[&str])] = &[
        (b"{", "json_invalid", &["body"]),
        (b"", "json_invalid", &["body"]),
        (b"[]", "model_attributes_type", &["body"]),
        (b"\"x\"", "model_attributes_type", &["body"]),
        (
            b"{\"completed\":\"yes\"}",
            "bool_type",
            &["body", "completed"],
        ),
        (
            b"{\"completed\":\"true\"}",
            "bool_type",
            &["body", "completed"],
        ),
        (b"{\"completed\":1}", "bool_type", &["body", "completed"]),
        (b"{\"completed\":[]}", "bool_type", &["body", "completed"]),
        (b"{\"title\":\"\"}", "string_too_short", &["body", "title"]),
        (
            b"{\"title\":\"  \"}",
            "string_too_short",
            &["body", "title"],
        ),
        (b"{\"title\":7}", "string_type", &["body", "title"]),
        (
            b"{\"description\":false}",
            "string_type",
            &["body", "description"],
        ),
    ];
    for &(body, kind, loc) in cases {
        server
            .send(Req::put(path.clone()).auth(&user).raw(body))
            .await
            .expect_problem(kind, loc);
    }
    // A valid field next to an invalid one changes nothing.
    server
        .send(
            Req::put(path.clone())
                .auth(&user)
                .json(json!({"title": "changed", "completed": "yes"})),
        )
        .await
        .expect_problem("bool_type", &["body", "completed"]);
    // The task is unchanged.
    server
        .send(Req::get(path).auth(&user))
        .await
        .expect_json(200, task);
    // A bad id and a bad body are reported together.
    server
        .send(
            Req::put(user.task("nope"))
                .auth(&user)
                .json(json!({"completed": 3})),
        )
        .await
        .expect_problem("uuid_parsing", &["path", "task_id"])
        .expect_problem("bool_type", &["body", "completed"]);
}

async fn malformed_task_id_in_path_is_422_on_every_route(server: &impl Server) {
    let user = User::new();
    create_titled(server, &user, "exists").await;
    for bad in [
        "not-a-uuid",
        "123",
        "00000000-0000-0000-0000-00000000000g",
        "00000000-0000-0000-0000-0000000000000",
        "%20",
        "%E2%9C%93",
    ] {
        let requests = [
            Req::get(user.task(bad)),
            Req::put(user.task(bad)).json(json!({"title": "x"})),
            Req::delete(user.task(bad)),
            Req::patch(user.complete(bad)),
        ];
        for request in requests {
            server
                .send(request.auth(&user))
                .await
                .expect_problem("uuid_parsing", &["path", "task_id"]);
        }
    }
    let (tasks, total) = list(server, &user, "").await;
    assert_eq!((tasks.len(), total), (1, 1));
}

async fn bodies_over_64_kib_are_413(server: &impl Server) {
    let user = User::new();
    let too_large = json!({"detail": "Request body too large"});

    // Exactly 64 KiB is read (and then refused for its long description).
    server
        .send(
            Req::post(user.tasks())
                .auth(&user)
                .raw(body_of_size(64 * KIB)),
        )
        .await
        .expect_problem("string_too_long", &["body", "description"]);
    server
        .send(
            Req::post(user.tasks())
                .auth(&user)
                .raw(body_of_size(64 * KIB + 1)),
        )
        .await
        .expect_json(413, too_large.clone());
    server
        .send(
            Req::post(user.tasks())
                .auth(&user)
                .raw(body_of_size(1024 * KIB)),
        )
        .await
        .expect_json(413, too_large.clone());
    // Not JSON at all: the size is checked first.
    server
        .send(
            Req::post(user.tasks())
                .auth(&user)
                .raw(vec![b'x'; 100 * KIB]),
        )
        .await
        .expect_json(413, too_large.clone());

    let task = create_titled(server, &user, "small").await;
    server
        .send(
            Req::put(user.task(&id_of(&task)))
                .auth(&user)
                .raw(body_of_size(64 * KIB + 1)),
        )
        .await
        .expect_json(413, too_large);
    let (tasks, total) = list(server, &user, "").await;
    assert_eq!((tasks, total), (vec![task], 1));
}

async fn unknown_routes_are_404_and_wrong_methods_are_405(server: &impl Server) {
    let user = User::new();
    let id = random_uuid();
    let not_found = json!({"detail": "Not Found"});
    let not_allowed = json!({"detail": "Method Not Allowed"});
    for path in [
        "/".to_owned(),
        "/nope".to_owned(),
        "/api".to_owned(),
        format!("/api/{}", user.id),
        format!("/api/{}/task", user.id),
        format!("{}/complete/extra", user.task(&id)),
        "/health/extra".to_owned(),
        "/docs".to_owned(),
    ] {
        for request in [Req::get(path.clone()), Req::post(path.clone())] {
            server
                .send(request.auth(&user))
                .await
                .expect_json(404, not_found.clone());
        }
        server
            .send(Req::get(path))
            .await
            .expect_json(404, not_found.clone());
    }
    let wrong_methods = [
        Req::patch(user.tasks()),
        Req::put(user.tasks()).json(json!({"title": "x"})),
        Req::delete(user.tasks()),
        Req::post(user.task(&id)).json(json!({"title": "x"})),
        Req::patch(user.task(&id)),
        Req::get(user.complete(&id)),
        Req::put(user.complete(&id)),
        Req::post(user.complete(&id)),
        Req::delete("/health"),
        Req::post("/health"),
        Req::put("/health"),
    ];
    for request in wrong_methods {
        // With or without a token, the method decides first.
        server
            .send(request.clone())
            .await
            .expect_json(405, not_allowed.clone());
        server
            .send(request.auth(&user))
            .await
            .expect_json(405, not_allowed.clone());
    }
}
