//! CORS for the Next.js front end: preflights and headers on answers.

use crate::harness::*;

on_both_servers!(
    cors_preflight_is_answered_for_the_frontend_origin,
    cors_headers_are_on_actual_responses_including_errors,
);

async fn cors_preflight_is_answered_for_the_frontend_origin(server: &impl Server) {
    let preflight = |origin: &str, method: &str| {
        Req::new("OPTIONS", "/api/u/tasks")
            .header("origin", origin)
            .header("access-control-request-method", method)
            .header(
                "access-control-request-headers",
                "authorization,content-type",
            )
    };
    let reply = server.send(preflight(FRONTEND, "POST")).await;
    assert_eq!(reply.status, 200, "{}", reply.context());
    assert_eq!(
        reply.header("access-control-allow-origin"),
        Some(FRONTEND),
        "{}",
        reply.context()
    );
    assert_eq!(
        reply.header("access-control-allow-credentials"),
        Some("true"),
        "{}",
        reply.context()
    );
    let allowed_methods = reply
        .header("access-control-allow-methods")
        .unwrap_or_default()
        .to_ascii_uppercase();
    for method in ["GET", "POST", "PUT", "PATCH", "DELETE"] {
        assert!(allowed_methods.contains(method), "{}", reply.context());
    }
    let allowed_headers = reply
        .header("access-control-allow-headers")
        .unwrap_or_default()
        .to_ascii_lowercase();
    for header in ["authorization", "content-type"] {
        assert!(allowed_headers.contains(header), "{}", reply.context());
    }
    // Every route's preflight is answered, without a token.
    for path in ["/api/u/tasks/x", "/api/u/tasks/x/complete", "/health"] {
        let mut request = preflight(FRONTEND, "PATCH");
        request.path = path.to_owned();
        let reply = server.send(request).await;
        assert_eq!(reply.status, 200, "{}", reply.context());
        assert_eq!(
            reply.header("access-control-allow-origin"),
            Some(FRONTEND),
            "{}",
            reply.context()
        );
    }
    // Another origin is not allowed (the status differs between CORS
    // implementations; the missing header is what the browser checks).
    let reply = server.send(preflight("http://evil.example", "POST")).await;
    assert!(reply.status < 500, "{}", reply.context());
    assert_eq!(
        reply.header("access-control-allow-origin"),
        None,
        "{}",
        reply.context()
    );
}

async fn cors_headers_are_on_actual_responses_including_errors(server: &impl Server) {
    let user = User::new();
    create_titled(server, &user, "cors").await;
    let reply = server
        .send(
            Req::get(user.tasks())
                .auth(&user)
                .header("origin", FRONTEND),
        )
        .await
        .expect(200);
    assert_eq!(
        reply.header("access-control-allow-origin"),
        Some(FRONTEND),
        "{}",
        reply.context()
    );
    let exposed = reply
        .header("access-control-expose-headers")
        .unwrap_or_default()
        .to_ascii_lowercase();
    for header in ["x-total-count", "location"] {
        assert!(exposed.contains(header), "{}", reply.context());
    }
    // The front end must be able to read a 401 to send the user to sign in.
    let reply = server
        .send(Req::get(user.tasks()).header("origin", FRONTEND))
        .await
        .expect(401);
    assert_eq!(
        reply.header("access-control-allow-origin"),
        Some(FRONTEND),
        "{}",
        reply.context()
    );
}
