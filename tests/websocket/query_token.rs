//! The JWT in `?access_token=` of a WebSocket upgrade: read only there,
//! only as the bare compact token, only once, never next to an
//! `Authorization` header; the same answers from axum and actix-web.

use crate::common::{builder, minter, parity};
use crate::servers::start_all;
use crate::{assert_unauthorized, client, opens_everywhere, query_verifier, refused_everywhere};

#[tokio::test]
async fn a_valid_query_token_opens_the_socket_for_its_user() {
    let servers = start_all(&query_verifier()).await;
    let ada = minter().sign();
    let grace = minter().subject("user-2").sign();
    opens_everywhere(&servers, &format!("?access_token={ada}"), &[], "user-1").await;
    opens_everywhere(&servers, &format!("?access_token={grace}"), &[], "user-2").await;
    // Among other parameters, in any order.
    opens_everywhere(
        &servers,
        &format!("?room=7&access_token={grace}&v=2"),
        &[],
        "user-2",
    )
    .await;
    // Firefox's `Connection` header lists `keep-alive` first.
    opens_everywhere(
        &servers,
        &format!("?access_token={ada}"),
        &[("connection", "keep-alive, Upgrade")],
        "user-1",
    )
    .await;
}

#[tokio::test]
async fn an_upgrade_without_credentials_is_refused_with_a_bare_bearer_challenge() {
    let servers = start_all(&query_verifier()).await;
    let token = minter().sign();
    for suffix in [
        String::new(),
        "?room=7".to_owned(),
        // Not the configured name: not read.
        format!("?access_token_x={token}"),
        format!("?token={token}"),
        format!("?ACCESS_TOKEN={token}"),
    ] {
        let answer = refused_everywhere(&servers, &suffix, &[]).await;
        assert_unauthorized(&answer, "missing_token");
        assert_eq!(answer.header("content-type"), Some("application/json"));
    }
}

#[tokio::test]
async fn an_expired_query_token_is_refused_as_expired() {
    let servers = start_all(&query_verifier()).await;
    let expired = minter().expired().sign();
    let answer = refused_everywhere(&servers, &format!("?access_token={expired}"), &[]).await;
    assert_unauthorized(&answer, "token_expired");
    // A token signed with another secret is refused too.
    let forged = jwtguard::testing::TokenMinter::new(crate::common::OTHER_SECRET)
        .at(crate::common::NOW)
        .subject("user-1")
        .sign();
    let answer = refused_everywhere(&servers, &format!("?access_token={forged}"), &[]).await;
    assert_unauthorized(&answer, "invalid_signature");
}

#[tokio::test]
async fn a_query_token_sent_twice_is_refused() {
    let servers = start_all(&query_verifier()).await;
    let ada = minter().sign();
    let grace = minter().subject("user-2").sign();
    for suffix in [
        format!("?access_token={ada}&access_token={ada}"),
        format!("?access_token={ada}&room=7&access_token={grace}"),
        format!("?access_token={ada}&access_token="),
    ] {
        let answer = refused_everywhere(&servers, &suffix, &[]).await;
        assert_unauthorized(&answer, "multiple_credentials");
    }
}

#[tokio::test]
async fn a_query_token_with_an_authorization_header_is_refused() {
    let servers = start_all(&query_verifier()).await;
    let ada = minter().sign();
    let grace = minter().subject("user-2").sign();
    for bearer in [format!("Bearer {ada}"), format!("Bearer {grace}")] {
        let answer = refused_everywhere(
            &servers,
            &format!("?access_token={ada}"),
            &[("authorization", &bearer)],
        )
        .await;
        assert_unauthorized(&answer, "multiple_credentials");
    }
}

#[tokio::test]
async fn a_query_token_that_is_not_the_bare_jwt_is_malformed() {
    let servers = start_all(&query_verifier()).await;
    let token = minter().sign();
    let encoded = token.replacen('.', "%2E", 1);
    for suffix in [
        "?access_token=".to_owned(),
        "?access_token".to_owned(),
        format!("?access_token={encoded}"),
        format!("?access_token=Bearer%20{token}"),
    ] {
        let answer = refused_everywhere(&servers, &suffix, &[]).await;
        assert_unauthorized(&answer, "malformed_token");
    }
}

#[tokio::test]
async fn a_request_that_is_not_an_upgrade_never_reads_the_query() {
    let servers = start_all(&query_verifier()).await;
    let token = minter().sign();
    let bearer = format!("Bearer {token}");
    let websocket = [
        ("upgrade", "websocket"),
        ("connection", "upgrade"),
        ("sec-websocket-version", "13"),
        ("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ=="),
    ];
    let mut answers = Vec::new();
    for server in &servers {
        // The ordinary route works with the header...
        let answer = client::plain(server.addr, "GET", "/me", &[("authorization", &bearer)]).await;
        assert_eq!(answer.status, 200, "{:?}: {answer:?}", server.kind);
        assert_eq!(answer.body, "hello user-1", "{:?}", server.kind);
        // ...but not with the query parameter, on a plain GET...
        let path = format!("/me?access_token={token}");
        let get = client::plain(server.addr, "GET", &path, &[]).await;
        assert_unauthorized(&get, "missing_token");
        // ...nor on a POST that asks for an upgrade,
        let path = format!("/ws?access_token={token}");
        let post = client::plain(server.addr, "POST", &path, &websocket).await;
        assert_unauthorized(&post, "missing_token");
        // ...nor on a GET that asks to become something else.
        let h2c = [("upgrade", "h2c"), ("connection", "upgrade")];
        let other = client::plain(server.addr, "GET", &path, &h2c).await;
        assert_unauthorized(&other, "missing_token");
        answers.extend([
            ((server.kind, "GET"), get),
            ((server.kind, "POST"), post),
            ((server.kind, "GET h2c"), other),
        ]);
    }
    parity::assert_same_answers("the query token without a WebSocket upgrade", &answers);
}

#[tokio::test]
async fn without_websocket_token_query_the_parameter_is_ignored() {
    let servers = start_all(&crate::common::verifier()).await;
    let token = minter().sign();
    let answer = refused_everywhere(&servers, &format!("?access_token={token}"), &[]).await;
    assert_unauthorized(&answer, "missing_token");
    // Not even looked at: a malformed or repeated one is not an error.
    let answer = refused_everywhere(&servers, "?access_token=a%20b&access_token=", &[]).await;
    assert_unauthorized(&answer, "missing_token");
}

#[tokio::test]
async fn an_authorization_header_on_the_upgrade_still_works() {
    let token = minter().sign();
    let bearer = format!("Bearer {token}");
    for verifier in [query_verifier(), crate::common::verifier()] {
        let servers = start_all(&verifier).await;
        opens_everywhere(&servers, "", &[("authorization", &bearer)], "user-1").await;
        opens_everywhere(&servers, "?room=7", &[("authorization", &bearer)], "user-1").await;
    }
}

#[tokio::test]
async fn the_query_token_wins_over_the_token_cookie() {
    let verifier = builder()
        .credential_sources(|s| s.token_cookie("jwt").websocket_query("access_token"))
        .build()
        .unwrap();
    let servers = start_all(&verifier).await;
    let ada = minter().sign();
    let grace = minter().subject("user-2").sign();
    let cookie = format!("jwt={grace}");
    opens_everywhere(
        &servers,
        &format!("?access_token={ada}"),
        &[("cookie", &cookie)],
        "user-1",
    )
    .await;
    // Without the parameter, the cookie is the credential.
    opens_everywhere(&servers, "", &[("cookie", &cookie)], "user-2").await;
    // A bad query token is refused, not passed over for the cookie.
    let expired = minter().expired().sign();
    let answer = refused_everywhere(
        &servers,
        &format!("?access_token={expired}"),
        &[("cookie", &cookie)],
    )
    .await;
    assert_unauthorized(&answer, "token_expired");
}

#[tokio::test]
async fn a_cookie_borne_upgrade_needs_an_allowed_origin_when_origins_are_set() {
    // Cross-site WebSocket hijacking: a page on any site may open a socket
    // to the API, and the browser adds the cookie (no CORS check applies to
    // WebSockets). The upgrade is a GET, but it opens a two-way channel.
    let verifier = builder()
        .credential_sources(|s| {
            s.token_cookie("jwt")
                .cookie_origins(["https://app.example.com"])
                .websocket_query("access_token")
        })
        .build()
        .unwrap();
    let servers = start_all(&verifier).await;
    let token = minter().sign();
    let cookie = format!("jwt={token}");
    opens_everywhere(
        &servers,
        "",
        &[("cookie", &cookie), ("origin", "https://app.example.com")],
        "user-1",
    )
    .await;
    for origin in [None, Some("https://evil.example"), Some("null")] {
        let mut headers = vec![("cookie", cookie.as_str())];
        headers.extend(origin.map(|origin| ("origin", origin)));
        let answer = refused_everywhere(&servers, "", &headers).await;
        assert_eq!(answer.status, 403, "{origin:?}: {answer:?}");
        assert_eq!(answer.code(), Some("origin_not_allowed"), "{origin:?}");
    }
    // The query token and the header are not sent by the browser on its
    // own: no Origin check.
    let bearer = format!("Bearer {token}");
    for headers in [
        &[("origin", "https://evil.example")][..],
        &[("origin", "https://evil.example"), ("cookie", &cookie)],
    ] {
        opens_everywhere(
            &servers,
            &format!("?access_token={token}"),
            headers,
            "user-1",
        )
        .await;
    }
    opens_everywhere(
        &servers,
        "",
        &[
            ("origin", "https://evil.example"),
            ("authorization", &bearer),
        ],
        "user-1",
    )
    .await;
    // A plain GET with the cookie is still a safe request.
    for server in &servers {
        let answer = crate::client::plain(
            server.addr,
            "GET",
            "/me",
            &[("cookie", &cookie), ("origin", "https://evil.example")],
        )
        .await;
        assert_eq!(answer.status, 200, "{:?}: {answer:?}", server.kind);
    }
}
