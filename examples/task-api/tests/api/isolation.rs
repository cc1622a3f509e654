//! User isolation: another user's path is 403 before anything else, and
//! another user's task through one's own path is 404, as a missing one.

use crate::harness::*;
use serde_json::json;

on_both_servers!(
    users_cannot_reach_each_others_tasks,
    forbidden_paths_are_403_before_validation,
);

async fn users_cannot_reach_each_others_tasks(server: &impl Server) {
    let alice = User::new();
    let bob = User::new();
    let alices = create_titled(server, &alice, "alice's task").await;
    let bobs = create(
        server,
        &bob,
        json!({"title": "bob's secret", "description": "private"}),
    )
    .await;
    let bob_id = id_of(&bobs);
    let forbidden =
        json!({"detail": "Not authorized to access this resource", "code": "forbidden"});

    // Through Bob's paths: 403, whatever the route.
    let through_bobs_path = [
        Req::get(bob.tasks()),
        Req::post(bob.tasks()).json(json!({"title": "planted"})),
        Req::get(bob.task(&bob_id)),
        Req::put(bob.task(&bob_id)).json(json!({"title": "pwned", "completed": true})),
        Req::patch(bob.complete(&bob_id)),
        Req::delete(bob.task(&bob_id)),
    ];
    for request in through_bobs_path {
        let reply = server
            .send(request.auth(&alice))
            .await
            .expect_json(403, forbidden.clone());
        assert_eq!(
            reply.header("www-authenticate"),
            None,
            "{}",
            reply.context()
        );
    }

    // Through Alice's own paths: Bob's task does not exist (no existence leak).
    let task_not_found = json!({"detail": "Task not found"});
    let through_own_path = [
        Req::get(alice.task(&bob_id)),
        Req::put(alice.task(&bob_id)).json(json!({"title": "pwned", "completed": true})),
        Req::put(alice.task(&bob_id)).json(json!({"description": null})),
        Req::patch(alice.complete(&bob_id)),
        Req::delete(alice.task(&bob_id)),
    ];
    for request in through_own_path {
        server
            .send(request.auth(&alice))
            .await
            .expect_json(404, task_not_found.clone());
    }
    // A missing task and another user's task look the same.
    server
        .send(Req::get(alice.task(&random_uuid())).auth(&alice))
        .await
        .expect_json(404, task_not_found);

    // Each list holds only its owner's tasks.
    let (tasks, total) = list(server, &bob, "").await;
    assert_eq!((&tasks, total), (&vec![bobs.clone()], 1));
    let (tasks, total) = list(server, &alice, "").await;
    assert_eq!((&tasks, total), (&vec![alices.clone()], 1));
    for query in ["completed=true", "completed=false", "limit=100&offset=0"] {
        let (tasks, _) = list(server, &alice, query).await;
        assert!(tasks.iter().all(|t| t["user_id"] == json!(alice.id)));
    }

    // Bob's task is exactly as it was, timestamps included.
    server
        .send(Req::get(bob.task(&bob_id)).auth(&bob))
        .await
        .expect_json(200, bobs);
    // And Alice's is still hers: Bob cannot reach it either.
    server
        .send(Req::get(bob.task(&id_of(&alices))).auth(&bob))
        .await
        .expect(404);
}

async fn forbidden_paths_are_403_before_validation(server: &impl Server) {
    let alice = User::new();
    let bob = User::new();
    let forbidden =
        json!({"detail": "Not authorized to access this resource", "code": "forbidden"});
    for request in [
        Req::post(bob.tasks()).raw("{"),
        Req::get(format!("{}?limit=0", bob.tasks())),
        Req::get(bob.task("not-a-uuid")),
        Req::put(bob.task("not-a-uuid")).raw("[]"),
        Req::post(bob.tasks()).raw(body_of_size(64 * KIB + 1)),
    ] {
        server
            .send(request.auth(&alice))
            .await
            .expect_json(403, forbidden.clone());
    }
    // The comparison is exact: no prefix, case or whitespace games.
    for path in [
        format!("/api/{}/tasks", alice.id.to_uppercase()),
        format!("/api/{}x/tasks", alice.id),
        format!("/api/{}/tasks", &alice.id[..alice.id.len() - 1]),
        format!("/api/%20{}/tasks", alice.id),
    ] {
        server
            .send(Req::get(path).auth(&alice))
            .await
            .expect_json(403, forbidden.clone());
    }
    // Percent-encoding is decoded before the comparison.
    let encoded = alice.id.replacen('-', "%2D", 1);
    server
        .send(Req::get(format!("/api/{encoded}/tasks")).auth(&alice))
        .await
        .expect(200);
}
