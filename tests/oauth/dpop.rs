//! DPoP-bound access tokens with their proofs (RFC 9449), as Better Auth
//! checks them, and the replay store.

use jwtguard::ErrorKind;
use serde_json::json;

use super::*;

const URL: &str = "https://api.example.com/mcp/tools";

async fn dpop_kind(verifier: &Verifier, token: &str, proof: &str) -> Result<Claims, ErrorKind> {
    verify(verifier, "POST", "/mcp/tools", &dpop(token, proof))
        .await
        .map_err(|e| e.kind())
}

#[tokio::test]
async fn a_bound_token_with_its_proof_is_accepted_once() {
    let verifier = verifier();
    for key in TestKey::every_algorithm() {
        let token = bound_token(&key);
        let proof = proof(&key, "POST", URL, &token);
        let claims = dpop_kind(&verifier, &token, &proof).await.unwrap();
        assert_eq!(claims.sub(), "user-1", "{}", key.alg());
        assert_eq!(claims.credential(), jwtguard::Credential::AccessToken);
        assert_eq!(
            dpop_kind(&verifier, &token, &proof).await.unwrap_err(),
            ErrorKind::DpopReplay,
            "{}",
            key.alg()
        );
    }
}

#[tokio::test]
async fn a_proof_for_another_request_token_or_time_is_refused() {
    let verifier = verifier();
    let key = TestKey::p256();
    let token = bound_token(&key);
    let other_token = {
        let mut claims = access_claims();
        claims["jti"] = json!("another-token");
        claims["cnf"] = json!({"jkt": thumbprint(&key)});
        access_token(&claims)
    };
    let cases: Vec<(&str, String)> = vec![
        ("method", proof(&key, "GET", URL, &token)),
        (
            "url",
            proof(&key, "POST", "https://api.example.com/mcp/other", &token),
        ),
        (
            "host",
            proof(&key, "POST", "https://evil.example/mcp/tools", &token),
        ),
        (
            "scheme",
            proof(&key, "POST", "http://api.example.com/mcp/tools", &token),
        ),
        (
            "fragment",
            proof(&key, "POST", "https://api.example.com/mcp/tools#x", &token),
        ),
        // Two URLs for Better Auth's `normalizeDpopHtu` too.
        (
            "trailing slash",
            proof(&key, "POST", "https://api.example.com/mcp/tools/", &token),
        ),
        ("token", proof(&key, "POST", URL, &other_token)),
        (
            "stale",
            proof_with(&key, "POST", URL, &token, |_, c| {
                c["iat"] = json!(now() - 310)
            }),
        ),
        (
            "ahead",
            proof_with(&key, "POST", URL, &token, |_, c| {
                c["iat"] = json!(now() + 30)
            }),
        ),
        (
            "no ath",
            proof_with(&key, "POST", URL, &token, |_, c| {
                c.as_object_mut().unwrap().remove("ath");
            }),
        ),
        (
            "no jti",
            proof_with(&key, "POST", URL, &token, |_, c| {
                c.as_object_mut().unwrap().remove("jti");
            }),
        ),
        (
            "long jti",
            proof_with(&key, "POST", URL, &token, |_, c| {
                c["jti"] = json!("j".repeat(513))
            }),
        ),
        (
            "iat text",
            proof_with(&key, "POST", URL, &token, |_, c| {
                c["iat"] = json!(now().to_string())
            }),
        ),
        (
            "typ",
            proof_with(&key, "POST", URL, &token, |h, _| h["typ"] = json!("JWT")),
        ),
        (
            "no typ",
            proof_with(&key, "POST", URL, &token, |h, _| {
                h.as_object_mut().unwrap().remove("typ");
            }),
        ),
        (
            "alg none",
            proof_with(&key, "POST", URL, &token, |h, _| h["alg"] = json!("none")),
        ),
        (
            "alg HS256",
            proof_with(&key, "POST", URL, &token, |h, _| h["alg"] = json!("HS256")),
        ),
        (
            "alg of another key type",
            proof_with(&key, "POST", URL, &token, |h, _| h["alg"] = json!("EdDSA")),
        ),
        (
            "private jwk",
            proof_with(&key, "POST", URL, &token, |h, _| {
                h["jwk"]["d"] = json!("AAAA")
            }),
        ),
        (
            "no jwk",
            proof_with(&key, "POST", URL, &token, |h, _| {
                h.as_object_mut().unwrap().remove("jwk");
            }),
        ),
        (
            "crit",
            proof_with(&key, "POST", URL, &token, |h, _| h["crit"] = json!(["x"])),
        ),
        ("not a JWT", "a.b".to_owned()),
        (
            "huge",
            format!("{}.{}.{}", "a".repeat(50_000), "b".repeat(50_000), "c"),
        ),
    ];
    for (what, proof) in cases {
        assert_eq!(
            dpop_kind(&verifier, &token, &proof).await.unwrap_err(),
            ErrorKind::InvalidDpopProof,
            "{what}"
        );
    }
    // A signature by another key than the embedded one.
    let forged = {
        let good = proof(&key, "POST", URL, &token);
        let other = proof(&TestKey::p256(), "POST", URL, &token);
        let (head, _) = good.rsplit_once('.').unwrap();
        format!("{head}.{}", other.rsplit_once('.').unwrap().1)
    };
    assert_eq!(
        dpop_kind(&verifier, &token, &forged).await.unwrap_err(),
        ErrorKind::InvalidDpopProof
    );
}

#[tokio::test]
async fn the_query_is_not_part_of_htu_and_the_method_is_compared_without_case() {
    let verifier = verifier();
    let key = TestKey::ed25519();
    let token = bound_token(&key);
    let proof = proof(
        &key,
        "post",
        "https://API.example.com/mcp/tools?page=2",
        &token,
    );
    assert!(dpop_kind(&verifier, &token, &proof).await.is_ok());
}

#[tokio::test]
async fn a_token_bound_to_another_key_or_to_none_is_refused() {
    let verifier = verifier();
    let (key, other) = (TestKey::p256(), TestKey::p256());
    let token = bound_token(&key);
    let proof_by_other = proof(&other, "POST", URL, &token);
    assert_eq!(
        dpop_kind(&verifier, &token, &proof_by_other)
            .await
            .unwrap_err(),
        ErrorKind::DpopKeyMismatch
    );
    let unbound = access_token(&access_claims());
    let proof = proof(&key, "POST", URL, &unbound);
    assert_eq!(
        dpop_kind(&verifier, &unbound, &proof).await.unwrap_err(),
        ErrorKind::DpopKeyMismatch
    );
}

#[tokio::test]
async fn the_proof_header_must_be_there_once() {
    let verifier = verifier();
    let key = TestKey::p256();
    let token = bound_token(&key);
    let proof = proof(&key, "POST", URL, &token);
    let without = [("authorization", format!("DPoP {token}"))];
    let twice = [
        ("authorization", format!("DPoP {token}")),
        ("dpop", proof.clone()),
        ("dpop", proof.clone()),
    ];
    for headers in [&without[..], &twice[..]] {
        let err = verify(&verifier, "POST", "/mcp/tools", headers)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidDpopProof);
    }
}

#[tokio::test]
async fn only_the_configured_algorithms_are_accepted() {
    let verifier = builder(|oauth| oauth.dpop_algorithms(["ES256"]))
        .build()
        .unwrap();
    let key = TestKey::ed25519();
    let token = bound_token(&key);
    let proof = proof(&key, "POST", URL, &token);
    assert_eq!(
        dpop_kind(&verifier, &token, &proof).await.unwrap_err(),
        ErrorKind::InvalidDpopProof
    );
    // No algorithms: no DPoP at all; the scheme is not one we read.
    let off = builder(|oauth| oauth.dpop_algorithms(Vec::<String>::new()))
        .build()
        .unwrap();
    assert_eq!(
        dpop_kind(&off, &token, &proof).await.unwrap_err(),
        ErrorKind::InvalidAuthorizationHeader
    );
}

#[tokio::test]
async fn behind_a_proxy_htu_is_the_public_url() {
    let verifier = builder(|oauth| oauth.public_url("https://public.example.com"))
        .build()
        .unwrap();
    let key = TestKey::p256();
    let token = bound_token(&key);
    let public = proof(&key, "POST", "https://public.example.com/mcp/tools", &token);
    assert!(dpop_kind(&verifier, &token, &public).await.is_ok());
    let internal = proof(&key, "POST", URL, &token);
    assert_eq!(
        dpop_kind(&verifier, &token, &internal).await.unwrap_err(),
        ErrorKind::InvalidDpopProof
    );
}

#[tokio::test]
async fn a_replay_store_that_cannot_answer_is_a_503_never_an_accepted_proof() {
    let verifier = builder(|oauth| oauth.replay_store(DownStore))
        .build()
        .unwrap();
    let key = TestKey::p256();
    let token = bound_token(&key);
    let proof = proof(&key, "POST", URL, &token);
    let err = verify(&verifier, "POST", "/mcp/tools", &dpop(&token, &proof))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ReplayStoreUnavailable);
    assert_eq!(err.status(), 503);
    assert!(err.retry_after().is_some());
}

#[tokio::test]
async fn two_verifiers_sharing_a_store_refuse_each_others_replays() {
    #[derive(Clone, Default)]
    struct Shared(std::sync::Arc<jwtguard::oauth::MemoryReplayStore>);
    impl ReplayStore for Shared {
        fn first_use<'a>(&'a self, key: &'a str, until: u64) -> jwtguard::oauth::ReplayCheck<'a> {
            self.0.first_use(key, until)
        }
    }
    let shared = Shared::default();
    let a = builder(|oauth| oauth.replay_store(shared.clone()))
        .build()
        .unwrap();
    let b = builder(|oauth| oauth.replay_store(shared)).build().unwrap();
    let key = TestKey::p256();
    let token = bound_token(&key);
    let proof = proof(&key, "POST", URL, &token);
    assert!(dpop_kind(&a, &token, &proof).await.is_ok());
    assert_eq!(
        dpop_kind(&b, &token, &proof).await.unwrap_err(),
        ErrorKind::DpopReplay
    );
}

#[tokio::test]
async fn inside_a_nested_axum_router_htu_is_the_path_the_client_asked_for() {
    use axum::routing::post;
    use jwtguard::axum::Auth;
    // `Router::nest` hands the inner router a URI without its prefix; the
    // proof names the whole URL.
    let handler = |Auth(claims): Auth| async move { claims.sub().to_owned() };
    let extractor = axum::Router::new()
        .nest("/mcp", axum::Router::new().route("/tools", post(handler)))
        .with_state(verifier());
    let layered = axum::Router::new().nest(
        "/mcp",
        axum::Router::new()
            .route("/tools", post(|| async { "ok" }))
            .route_layer(jwtguard::tower::AuthLayer::new(verifier())),
    );
    for app in [extractor, layered] {
        let key = TestKey::p256();
        let token = bound_token(&key);
        let accepted = call::axum(
            app.clone(),
            "POST",
            "/mcp/tools",
            &dpop(&token, &proof(&key, "POST", URL, &token)),
        )
        .await;
        assert_eq!(accepted.status, 200, "{accepted:?}");
        // A proof for the path as the inner router sees it is not one for
        // this request.
        let inner = proof(&key, "POST", "https://api.example.com/tools", &token);
        let refused = call::axum(app, "POST", "/mcp/tools", &dpop(&token, &inner)).await;
        assert_eq!(refused.status, 401, "{refused:?}");
        assert_eq!(refused.code(), Some("invalid_dpop_proof"));
    }
}
