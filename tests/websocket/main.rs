//! `CredentialSources::websocket_query` end to end: real WebSocket
//! handshakes (tokio-tungstenite) over loopback TCP against real axum and
//! actix-web servers, each authenticated by its extractor and by the
//! whole-app layer (tower `AuthLayer`, actix `AuthMiddleware`). Every server
//! must give the same answer.

#[path = "../common/mod.rs"]
mod common;

mod client;
#[cfg(feature = "tracing")]
mod never_logged;
mod query_token;
mod servers;

use common::call::Answer;
use common::parity;
use jwtguard::Verifier;
use servers::Server;

/// The verifier of most tests: the test secret and clock, and the JWT
/// read from `access_token` on upgrades.
fn query_verifier() -> Verifier {
    common::builder()
        .credential_sources(|s| s.websocket_query("access_token"))
        .build()
        .unwrap()
}

/// The handshake to `/ws<suffix>` with `headers` succeeds on every server,
/// and each greets `sub`.
async fn opens_everywhere(servers: &[Server], suffix: &str, headers: &[(&str, &str)], sub: &str) {
    for server in servers {
        let greeting = client::upgrade(&server.ws(suffix), headers)
            .await
            .unwrap_or_else(|answer| panic!("{:?} refused /ws{suffix}: {answer:?}", server.kind));
        assert_eq!(greeting, format!("hello {sub}"), "{:?}", server.kind);
    }
}

/// The handshake to `/ws<suffix>` with `headers` is refused by every
/// server with the same answer (as [`parity::seen`] reads it); that answer.
async fn refused_everywhere(servers: &[Server], suffix: &str, headers: &[(&str, &str)]) -> Answer {
    let mut answers = Vec::new();
    for server in servers {
        match client::upgrade(&server.ws(suffix), headers).await {
            Err(answer) => answers.push((server.kind, answer)),
            Ok(greeting) => panic!("{:?} opened /ws{suffix}: {greeting:?}", server.kind),
        }
    }
    parity::assert_same_answers(&format!("/ws{suffix} with {headers:?}"), &answers);
    answers.into_iter().next().expect("at least one server").1
}

/// A 401 with `code`: a bare `Bearer` challenge without credentials, an
/// `invalid_token` one otherwise (RFC 6750 3).
fn assert_unauthorized(answer: &Answer, code: &str) {
    assert_eq!(answer.status, 401, "{answer:?}");
    assert_eq!(answer.code(), Some(code), "{answer:?}");
    let challenge = answer.header("www-authenticate").unwrap();
    if code == "missing_token" {
        assert_eq!(challenge, "Bearer");
    } else {
        assert!(
            challenge.starts_with(r#"Bearer error="invalid_token""#),
            "{challenge}"
        );
    }
}
