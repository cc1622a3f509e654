//! Concurrent requests on one user's tasks: no create or toggle is lost.

use std::sync::Arc;

use crate::harness::*;
use futures_util::future::join_all;
use serde_json::json;

on_both_servers!(twenty_concurrent_creates_all_succeed,);

async fn twenty_concurrent_creates_all_succeed(server: &impl Server) {
    let user = User::new();
    let replies = join_all((0..20).map(|i| {
        server.send(
            Req::post(user.tasks())
                .auth(&user)
                .json(json!({ "title": format!("concurrent {i}") })),
        )
    }))
    .await;
    let mut ids = Vec::new();
    for reply in replies {
        let task = reply.expect(201).json();
        assert_task_shape(&task, &user);
        ids.push(id_of(&task));
    }
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 20, "every task has its own id");

    let (tasks, total) = list(server, &user, "limit=100").await;
    assert_eq!((tasks.len(), total), (20, 20));
    let mut listed: Vec<String> = tasks.iter().map(id_of).collect();
    listed.sort_unstable();
    assert_eq!(listed, ids);

    // Concurrent toggles of one task: each flips it once, so 20 flips end at false.
    let id = ids[0].clone();
    let replies =
        join_all((0..20).map(|_| server.send(Req::patch(user.complete(&id)).auth(&user)))).await;
    for reply in replies {
        reply.expect(200);
    }
    let task = server
        .send(Req::get(user.task(&id)).auth(&user))
        .await
        .expect(200)
        .json();
    assert_eq!(task["completed"], false, "a toggle was lost");
}

/// Creates from many threads at once on the multi-threaded runtime, which the
/// actix test service (not `Send`) cannot do.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn axum_parallel_creates_from_spawned_tasks_all_succeed() {
    let server = Arc::new(axum_server().await);
    let user = Arc::new(User::new());
    let handles: Vec<_> = (0..20)
        .map(|i| {
            let server = Arc::clone(&server);
            let user = Arc::clone(&user);
            tokio::spawn(async move {
                server
                    .send(
                        Req::post(user.tasks())
                            .auth(&user)
                            .json(json!({ "title": format!("parallel {i}") })),
                    )
                    .await
                    .status
            })
        })
        .collect();
    for handle in handles {
        assert_eq!(handle.await.expect("the task ran"), 201);
    }
    let (tasks, total) = list(&*server, &user, "limit=100").await;
    assert_eq!((tasks.len(), total), (20, 20));
}
