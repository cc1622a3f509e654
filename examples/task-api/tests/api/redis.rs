//! Better Auth's sessions in Redis (`secondaryStorage`), through both
//! servers: `BETTER_AUTH_REDIS_URL` alone makes the servers read the
//! sessions the real Better Auth (`session-server.mjs` with `BA_REDIS_URL`,
//! no session table) wrote there, from the session cookie alone.
//!
//! Needs `redis-server` on `PATH` (each test starts its own), Node.js 20+
//! and npm.

use jwtguard::Verifier;
use jwtguard_test_support::{BetterAuth, RedisServer, env};
use serde_json::json;
use task_api::config::Config;

use crate::harness::*;

const SECRET: &str = "better-auth-secret-0123456789abcdefghij";

on_both_servers_with!(
    the_session_cookie_alone_is_resolved_in_better_auths_redis,
    a_stopped_redis_is_a_503_with_retry_after,
);

/// Better Auth with its sessions in `redis`, and the servers' configuration
/// from Better Auth's variables: answers not reused, so each request reads
/// Redis.
async fn start(redis: &RedisServer) -> (BetterAuth, Config) {
    let better_auth = BetterAuth::start(&[("BA_SECRET", SECRET), ("BA_REDIS_URL", &redis.url())]);
    let config = Config::from_env_with(env(&[
        ("BETTER_AUTH_SECRET", SECRET.to_owned()),
        ("BETTER_AUTH_REDIS_URL", redis.url()),
        ("BETTER_AUTH_BEARER", "true".to_owned()),
        ("SESSION_CACHE_TTL_SECONDS", "0".to_owned()),
    ]))
    .await
    .unwrap_or_else(|error| panic!("{error}"));
    (better_auth, config)
}

async fn the_session_cookie_alone_is_resolved_in_better_auths_redis<S: Server>(
    serve: impl AsyncFn(Verifier) -> S,
) {
    let redis = RedisServer::start();
    let (better_auth, config) = start(&redis).await;
    let store = format!(
        "session cookie resolved by Better Auth's Redis {} (no cache)",
        redis.url()
    );
    assert!(
        config.credentials.contains(&store),
        "{:?}",
        config.credentials
    );
    let server = serve(config.verifier).await;
    let path = format!("/api/{}/tasks", better_auth.text("userId"));
    let cookie = better_auth.token_cookie();

    server
        .send(Req::get(&path).header("cookie", &cookie))
        .await
        .expect(200);
    let created = server
        .send(
            Req::post(&path)
                .header("cookie", &cookie)
                .header("origin", FRONTEND)
                .json(json!({ "title": "from a session in Redis" })),
        )
        .await
        .expect(201)
        .json();
    assert_eq!(created["user_id"], json!(better_auth.text("userId")));
    let bearer = better_auth.text("bearer");
    server
        .send(Req::get(&path).bearer(&bearer))
        .await
        .expect(200);
    // Never through the app's get-session.
    assert_eq!(better_auth.get_session_count(), 0);

    better_auth.sign_out_cookie(&cookie);
    for request in [
        Req::get(&path).header("cookie", &cookie),
        Req::get(&path).bearer(&bearer),
    ] {
        let reply = server.send(request).await.expect(401);
        assert_eq!(
            reply.json()["code"],
            json!("session_not_found"),
            "{}",
            reply.context()
        );
    }
}

async fn a_stopped_redis_is_a_503_with_retry_after<S: Server>(serve: impl AsyncFn(Verifier) -> S) {
    let mut redis = RedisServer::start();
    let (better_auth, config) = start(&redis).await;
    let server = serve(config.verifier).await;
    let path = format!("/api/{}/tasks", better_auth.text("userId"));
    let cookie = better_auth.token_cookie();
    server
        .send(Req::get(&path).header("cookie", &cookie))
        .await
        .expect(200);

    redis.stop();
    let reply = server
        .send(Req::get(&path).header("cookie", &cookie))
        .await
        .expect(503);
    assert_eq!(reply.json()["code"], json!("temporarily_unavailable"));
    assert!(reply.header("retry-after").is_some(), "{}", reply.context());

    // Restarted (empty): a new sign-in is served by the same server.
    redis.restart();
    let cookie = better_auth.sign_in();
    let mut status = 0;
    for _ in 0..50 {
        status = server
            .send(Req::get(&path).header("cookie", &cookie))
            .await
            .status;
        if status == 200 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(status, 200, "no recovery after Redis restarted");
}
