//! Authentication comes first: a missing, invalid or refused token is 401
//! on every route, before any validation.

use crate::harness::*;
use jwtguard::testing::TokenMinter;
use serde_json::json;

on_both_servers!(requests_without_a_valid_token_are_401,);

async fn requests_without_a_valid_token_are_401(server: &impl Server) {
    let user = User::new();
    let task = create_titled(server, &user, "guarded").await;
    let id = id_of(&task);
    let routes = || {
        [
            Req::get(user.tasks()),
            Req::post(user.tasks()).json(json!({"title": "x"})),
            Req::get(user.task(&id)),
            Req::put(user.task(&id)).json(json!({"title": "x"})),
            Req::patch(user.complete(&id)),
            Req::delete(user.task(&id)),
        ]
    };
    let missing = json!({"detail": "Not authenticated", "code": "missing_token"});

    // No token at all.
    for request in routes() {
        let reply = server.send(request).await.expect_json(401, missing.clone());
        assert_eq!(
            reply.header("www-authenticate"),
            Some("Bearer"),
            "{}",
            reply.context()
        );
    }
    // Authentication comes before validation: no 422 for a bad body or id.
    server
        .send(Req::post(user.tasks()).raw("{"))
        .await
        .expect_json(401, missing.clone());
    server
        .send(Req::get(user.task("not-a-uuid")))
        .await
        .expect_json(401, missing.clone());
    server
        .send(Req::get(format!("{}?limit=0", user.tasks())))
        .await
        .expect_json(401, missing.clone());
    // Someone else's path without a token is 401, not 403.
    let other = User::new();
    server
        .send(Req::get(other.tasks()))
        .await
        .expect_json(401, missing.clone());

    // Tokens that are sent but refused.
    let refused: [(&str, String, &str); 8] = [
        (
            "expired",
            minter(&user.id).expired().sign(),
            "token_expired",
        ),
        (
            "another secret",
            TokenMinter::new(OTHER_SECRET)
                .subject(&user.id)
                .issuer(ISSUER)
                .audience(AUDIENCE)
                .sign(),
            "invalid_signature",
        ),
        (
            "wrong audience",
            minter(&user.id).audience("someone-else").sign(),
            "invalid_audience",
        ),
        (
            "wrong issuer",
            minter(&user.id).issuer("evil").sign(),
            "invalid_issuer",
        ),
        (
            "not yet valid",
            minter(&user.id).not_yet_valid().sign(),
            "token_not_yet_valid",
        ),
        ("garbage", "not.a.token".to_owned(), "malformed_token"),
        (
            "alg none",
            minter(&user.id).header("alg", "none").sign(),
            "unsupported_algorithm",
        ),
        ("huge", "a".repeat(20 * KIB), "token_too_large"),
    ];
    for (label, token, code) in refused {
        for request in routes() {
            let reply = server.send(request.bearer(&token)).await.expect(401);
            assert_eq!(reply.json()["code"], code, "{label}: {}", reply.context());
            let challenge = reply.header("www-authenticate").unwrap_or_default();
            assert!(
                challenge.starts_with(r#"Bearer error="invalid_token""#),
                "{label}: {}",
                reply.context()
            );
        }
    }
    // An expired token on someone else's path is 401 too.
    let expired = minter(&user.id).expired().sign();
    let reply = server
        .send(Req::get(other.tasks()).bearer(&expired))
        .await
        .expect(401);
    assert_eq!(reply.json()["code"], "token_expired");
    // Not a Bearer credential.
    let reply = server
        .send(Req::get(user.tasks()).header("authorization", "Basic dXNlcjpwdw=="))
        .await
        .expect(401);
    assert_eq!(reply.json()["code"], "invalid_authorization_header");

    // After all that, the task is untouched.
    server
        .send(Req::get(user.task(&id)).auth(&user))
        .await
        .expect_json(200, task);
}
