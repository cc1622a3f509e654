//! OAuth 2.1 access tokens of the real `@better-auth/oauth-provider`:
//! `tests/fixtures/better-auth/oauth-server.mjs` runs the provider (and the
//! `jwt` plugin, whose JWKS signs its tokens) on loopback; its `/test/*`
//! routes drive the real client-credentials and authorization-code flows
//! (with DPoP when asked), hand out JWT plugin tokens, and call the
//! introspection endpoint. This service is the resource server
//! [`RESOURCE`]: requests reach it in-process, so nothing listens there.
//!
//! Needs Node.js 20+ and npm; the first run installs the packages with `npm ci`.

use std::sync::OnceLock;

use axum::routing::get;
use axum::{Extension, Router};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jwtguard::tower::AuthLayer;
use jwtguard::{
    ClaimGuard, Claims, Credential, Error, ErrorKind, OAuthSettings, RequestParts, Verifier,
    VerifierBuilder,
};
use jwtguard_test_support::{BetterAuth, env};
use p256::ecdsa::SigningKey;
use p256::ecdsa::signature::Signer as _;
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

const SECRET: &str = "better-auth-secret-0123456789abcdefghij";

/// This service's resource identifier, as the provider is configured with
/// it (`OAUTH_RESOURCE`); its tokens' `aud`.
const RESOURCE: &str = "http://127.0.0.1:4567/";

/// Where clients reach this service: a DPoP proof's `htu` is this plus the
/// request's path.
const PUBLIC_ORIGIN: &str = "http://127.0.0.1:4567";

/// Another resource server of the same provider.
const OTHER_RESOURCE: &str = "http://127.0.0.1:4568/";

/// The RFC 9728 document's path for [`RESOURCE`] (which has no path).
const METADATA_PATH: &str = "/.well-known/oauth-protected-resource";

/// The provider most tests share (each start takes a couple of seconds).
/// It is never dropped: it exits when the test process does and its stdin
/// closes. Tests that change its state (sign-out) start their own.
fn provider() -> &'static BetterAuth {
    static PROVIDER: OnceLock<BetterAuth> = OnceLock::new();
    PROVIDER.get_or_init(|| start_provider(&[]))
}

fn start_provider(extra: &[(&str, &str)]) -> BetterAuth {
    let mut vars = vec![("BA_SECRET", SECRET), ("OAUTH_RESOURCE", RESOURCE)];
    vars.extend_from_slice(extra);
    let server = BetterAuth::start_script("oauth-server.mjs", &vars);
    assert_eq!(server.text("resource"), RESOURCE);
    server
}

/// `http://127.0.0.1:<port>`: the provider's `BETTER_AUTH_URL`.
fn base_url(server: &BetterAuth) -> String {
    server.url()
}

/// A verifier for [`RESOURCE`] trusting `server`'s JWKS and issuer, with
/// `configure` applied to the OAuth settings last.
fn verifier_with(
    server: &BetterAuth,
    configure: impl FnOnce(OAuthSettings) -> OAuthSettings,
) -> Verifier {
    Verifier::builder()
        .jwks(|keys| keys.url(server.text("jwksUrl")))
        .oauth(|oauth| {
            configure(
                oauth
                    .resource(RESOURCE)
                    .issuer(server.text("issuer"))
                    .scopes_supported(["read:tasks", "write:tasks"]),
            )
        })
        .build()
        .unwrap()
}

fn verifier(server: &BetterAuth) -> Verifier {
    verifier_with(server, |oauth| oauth)
}

fn client_credentials(server: &BetterAuth, body: Value) -> Value {
    let tokens = server.post_json("/test/client-credentials", &body);
    assert_eq!(tokens["token_type"], "Bearer", "{tokens}");
    tokens
}

fn access_token(tokens: &Value) -> String {
    tokens["access_token"]
        .as_str()
        .unwrap_or_else(|| panic!("no access_token in {tokens}"))
        .to_owned()
}

/// A token's header and payload, decoded.
fn decoded(token: &str) -> (Value, Value) {
    let mut parts = token.split('.');
    let mut next = || {
        let segment = URL_SAFE_NO_PAD.decode(parts.next().unwrap()).unwrap();
        serde_json::from_slice::<Value>(&segment).unwrap()
    };
    (next(), next())
}

/// Verifies a `method path` request with `headers`, as the adapters do.
async fn verify(
    verifier: &Verifier,
    method: &str,
    path: &str,
    headers: &[(&str, String)],
) -> Result<Claims, Error> {
    let mut request = http::Request::builder().method(method).uri(path);
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    let request = request.body(()).unwrap();
    verifier
        .verify_request::<Claims, _>(&RequestParts::from(&request))
        .await
}

async fn refusal(
    verifier: &Verifier,
    method: &str,
    path: &str,
    headers: &[(&str, String)],
) -> ErrorKind {
    match verify(verifier, method, path, headers).await {
        Ok(claims) => panic!("{method} {path} accepted: {:?}", claims.sub()),
        Err(error) => error.kind(),
    }
}

fn bearer(token: &str) -> Vec<(&'static str, String)> {
    vec![("authorization", format!("Bearer {token}"))]
}

/// A DPoP key (P-256, ES256), as the provider's client holds it.
struct DpopKey(SigningKey);

impl DpopKey {
    /// The private JWK (`d`) the provider's test route returned.
    fn from_jwk(jwk: &Value) -> Self {
        assert_eq!((&jwk["kty"], &jwk["crv"]), (&json!("EC"), &json!("P-256")));
        let d = URL_SAFE_NO_PAD.decode(jwk["d"].as_str().unwrap()).unwrap();
        Self(SigningKey::from_slice(&d).unwrap())
    }

    fn random() -> Self {
        Self(SigningKey::random(&mut rand::rngs::OsRng))
    }

    fn public_jwk(&self) -> Value {
        let point = self.0.verifying_key().to_encoded_point(false);
        json!({
            "kty": "EC",
            "crv": "P-256",
            "x": URL_SAFE_NO_PAD.encode(point.x().unwrap()),
            "y": URL_SAFE_NO_PAD.encode(point.y().unwrap()),
        })
    }

    /// A fresh proof (RFC 9449 4.2) for `htm htu`, bound to `token`.
    fn proof(&self, htm: &str, htu: &str, token: &str) -> String {
        let header = json!({ "typ": "dpop+jwt", "alg": "ES256", "jwk": self.public_jwk() });
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let claims = json!({
            "jti": format!("{:032x}", rand::random::<u128>()),
            "htm": htm,
            "htu": htu,
            "iat": now,
            "ath": URL_SAFE_NO_PAD.encode(Sha256::digest(token.as_bytes())),
        });
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let signature: p256::ecdsa::Signature = self.0.sign(input.as_bytes());
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature.to_bytes()))
    }
}

/// A DPoP-bound user token from the authorization-code flow, and its key.
fn dpop_token(server: &BetterAuth) -> (String, DpopKey) {
    let tokens = server.post_json("/test/authorization-code", &json!({ "dpop": true }));
    assert_eq!(tokens["token_type"], "DPoP", "{tokens}");
    let token = access_token(&tokens);
    assert_eq!(decoded(&token).1["cnf"]["jkt"], tokens["dpop_jkt"]);
    (token, DpopKey::from_jwk(&tokens["dpop_private_jwk"]))
}

fn dpop_headers(token: &str, proof: String) -> Vec<(&'static str, String)> {
    vec![("authorization", format!("DPoP {token}")), ("dpop", proof)]
}

#[tokio::test]
async fn a_client_credentials_token_passes_the_verifier_from_env() {
    let server = provider();
    let token = access_token(&client_credentials(
        server,
        json!({ "scope": "read:tasks" }),
    ));
    let (header, payload) = decoded(&token);
    assert_eq!(header["typ"], "at+jwt");
    assert_eq!(payload["aud"], RESOURCE);

    // What a resource server gets from BETTER_AUTH_URL and OAUTH_RESOURCE
    // alone: the JWKS at /api/auth/jwks, the issuer at /api/auth.
    let vars = [
        ("BETTER_AUTH_URL", base_url(server)),
        ("OAUTH_RESOURCE", RESOURCE.to_owned()),
    ];
    let from_env = Verifier::from_env_with(env(&vars)).unwrap();
    for verifier in [from_env, verifier(server)] {
        let claims = verify(&verifier, "GET", "/tasks", &bearer(&token))
            .await
            .unwrap();
        assert_eq!(claims.credential(), Credential::AccessToken);
        assert_eq!(claims.sub(), server.text("clientId"));
        assert_eq!(claims.client_id(), Some(server.text("clientId").as_str()));
        assert!(claims.scopes().any(|scope| scope == "read:tasks"));
        assert!(!claims.scopes().any(|scope| scope == "write:tasks"));
        assert_eq!(claims.iss(), Some(server.text("issuer").as_str()));
        assert_eq!(claims.sid(), None);
    }
}

#[tokio::test]
async fn a_user_token_names_the_user_the_session_and_the_client() {
    let server = provider();
    let tokens = server.post_json("/test/authorization-code", &json!({}));
    let token = access_token(&tokens);
    // With `openid`, Better Auth adds its userinfo endpoint to `aud`.
    let aud = &decoded(&token).1["aud"];
    assert!(aud.as_array().is_some_and(|aud| aud.len() == 2), "{aud}");

    let claims = verify(&verifier(server), "GET", "/tasks", &bearer(&token))
        .await
        .unwrap();
    assert_eq!(claims.credential(), Credential::AccessToken);
    assert_eq!(claims.sub(), server.text("userId"));
    assert_eq!(claims.sid(), tokens["session_id"].as_str());
    assert_eq!(claims.client_id(), Some(server.text("clientId").as_str()));
    assert!(claims.aud().iter().any(|aud| aud == RESOURCE));
    assert!(claims.scopes().any(|scope| scope == "read:tasks"));
    assert!(claims.scopes().any(|scope| scope == "openid"));
}

#[tokio::test]
async fn a_token_for_another_resource_has_the_wrong_audience() {
    let server = provider();
    let tokens = client_credentials(server, json!({ "resource": OTHER_RESOURCE }));
    let token = access_token(&tokens);
    assert_eq!(decoded(&token).1["aud"], OTHER_RESOURCE);
    assert_eq!(
        refusal(&verifier(server), "GET", "/tasks", &bearer(&token)).await,
        ErrorKind::InvalidAudience
    );
}

#[tokio::test]
async fn a_verifier_trusting_another_issuer_refuses_the_token() {
    let server = provider();
    let token = access_token(&client_credentials(server, json!({})));
    let other = verifier_with(server, |oauth| {
        oauth.issuer("https://auth.other.example/api/auth")
    });
    assert_eq!(
        refusal(&other, "GET", "/tasks", &bearer(&token)).await,
        ErrorKind::InvalidIssuer
    );
}

#[tokio::test]
async fn jwt_plugin_tokens_and_id_tokens_are_not_access_tokens() {
    let server = provider();
    let plugin = server.post_json("/test/jwt-plugin-token", &json!({}));
    let plugin = plugin["token"].as_str().unwrap().to_owned();
    let id_token = server.post_json("/test/authorization-code", &json!({}))["id_token"]
        .as_str()
        .expect("an id_token (openid)")
        .to_owned();
    // Both are signed by the same JWKS as the access tokens.
    assert_eq!(decoded(&plugin).0["kid"], decoded(&id_token).0["kid"]);

    let verifier = verifier(server);
    for (name, token) in [("plugin token", &plugin), ("ID token", &id_token)] {
        assert_eq!(
            refusal(&verifier, "GET", "/tasks", &bearer(token)).await,
            ErrorKind::NotAnAccessToken,
            "{name}"
        );
    }
    // Nor does a DPoP scheme make them one.
    let proof = DpopKey::random().proof("GET", &format!("{PUBLIC_ORIGIN}/tasks"), &plugin);
    assert_eq!(
        refusal(&verifier, "GET", "/tasks", &dpop_headers(&plugin, proof)).await,
        ErrorKind::NotAnAccessToken
    );
}

#[tokio::test]
async fn jwt_plugin_tokens_when_accepted_follow_the_jwks_claim_rules() {
    let server = provider();
    let plugin = server.post_json("/test/jwt-plugin-token", &json!({}));
    let plugin = plugin["token"].as_str().unwrap().to_owned();
    let access = access_token(&client_credentials(server, json!({})));
    // The plugin's token carries BETTER_AUTH_URL as `iss` and `aud`, which
    // `from_env` requires of JWKS tokens.
    assert_eq!(decoded(&plugin).1["aud"], base_url(server));

    let vars = [
        ("BETTER_AUTH_URL", base_url(server)),
        ("OAUTH_RESOURCE", RESOURCE.to_owned()),
    ];
    let both = VerifierBuilder::from_env_with(env(&vars))
        .unwrap()
        .oauth(|oauth| oauth.jwt_plugin_tokens(true))
        .build()
        .unwrap();
    let claims = verify(&both, "GET", "/tasks", &bearer(&plugin))
        .await
        .unwrap();
    assert_eq!(claims.credential(), Credential::Jwt);
    assert_eq!(claims.sub(), server.text("userId"));
    let claims = verify(&both, "GET", "/tasks", &bearer(&access))
        .await
        .unwrap();
    assert_eq!(claims.credential(), Credential::AccessToken);

    // Claim rules for another app: the plugin's token is refused by them,
    // not waved through as an access token would be.
    let strict = Verifier::builder()
        .jwks(|keys| keys.url(server.text("jwksUrl")))
        .claim_rules(|rules| {
            rules
                .issuer(base_url(server))
                .audience("https://another-app.example")
        })
        .oauth(|oauth| {
            oauth
                .resource(RESOURCE)
                .issuer(server.text("issuer"))
                .jwt_plugin_tokens(true)
        })
        .build()
        .unwrap();
    assert_eq!(
        refusal(&strict, "GET", "/tasks", &bearer(&plugin)).await,
        ErrorKind::InvalidAudience
    );
    assert!(
        verify(&strict, "GET", "/tasks", &bearer(&access))
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn a_dpop_bound_token_sent_as_bearer_is_refused() {
    let server = provider();
    let (token, _) = dpop_token(server);
    assert_eq!(
        refusal(&verifier(server), "GET", "/tasks", &bearer(&token)).await,
        ErrorKind::DpopBoundToken
    );
}

#[tokio::test]
async fn a_dpop_proof_is_accepted_once() {
    let server = provider();
    let (token, key) = dpop_token(server);
    let verifier = verifier(server);
    let proof = key.proof("GET", &format!("{PUBLIC_ORIGIN}/tasks"), &token);
    let headers = dpop_headers(&token, proof);
    // The query is not part of `htu`.
    let claims = verify(&verifier, "GET", "/tasks?page=2", &headers)
        .await
        .unwrap();
    assert_eq!(claims.credential(), Credential::AccessToken);
    assert_eq!(claims.sub(), server.text("userId"));
    assert_eq!(claims.client_id(), Some(server.text("clientId").as_str()));
    assert_eq!(
        refusal(&verifier, "GET", "/tasks?page=2", &headers).await,
        ErrorKind::DpopReplay
    );
    // A new proof for the same request passes.
    let again = key.proof("GET", &format!("{PUBLIC_ORIGIN}/tasks"), &token);
    assert!(
        verify(&verifier, "GET", "/tasks", &dpop_headers(&token, again))
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn a_dpop_proof_for_another_request_or_none_is_invalid() {
    let server = provider();
    let (token, key) = dpop_token(server);
    let verifier = verifier(server);
    let url = format!("{PUBLIC_ORIGIN}/tasks");
    let cases = [
        ("another method", key.proof("POST", &url, &token)),
        (
            "another path",
            key.proof("GET", &format!("{PUBLIC_ORIGIN}/admin"), &token),
        ),
        (
            "another origin",
            key.proof("GET", "http://127.0.0.1:4568/tasks", &token),
        ),
        (
            "another token",
            key.proof("GET", &url, "another.access.token"),
        ),
    ];
    for (case, proof) in cases {
        assert_eq!(
            refusal(&verifier, "GET", "/tasks", &dpop_headers(&token, proof)).await,
            ErrorKind::InvalidDpopProof,
            "{case}"
        );
    }
    let no_proof = [("authorization", format!("DPoP {token}"))];
    assert_eq!(
        refusal(&verifier, "GET", "/tasks", &no_proof).await,
        ErrorKind::InvalidDpopProof
    );
    // None of those proofs was used up: the right one still passes.
    let proof = key.proof("GET", &url, &token);
    assert!(
        verify(&verifier, "GET", "/tasks", &dpop_headers(&token, proof))
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn a_dpop_proof_signed_by_another_key_does_not_match_the_token() {
    let server = provider();
    let (token, _) = dpop_token(server);
    let proof = DpopKey::random().proof("GET", &format!("{PUBLIC_ORIGIN}/tasks"), &token);
    assert_eq!(
        refusal(
            &verifier(server),
            "GET",
            "/tasks",
            &dpop_headers(&token, proof)
        )
        .await,
        ErrorKind::DpopKeyMismatch
    );
}

/// `/tasks` (GET and POST) answering the verified `sub`, behind the layer.
fn app(layer: AuthLayer) -> Router {
    let handler = |Extension(claims): Extension<Claims>| async move {
        axum::Json(
            json!({ "sub": claims.sub(), "credential": format!("{:?}", claims.credential()) }),
        )
    };
    Router::new()
        .route("/tasks", get(handler).post(handler))
        .layer(layer)
}

fn challenges_of(answer: &crate::call::Answer) -> Vec<String> {
    (answer.headers.get_all("www-authenticate").iter())
        .map(|value| value.to_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn the_layer_serves_the_metadata_naming_the_provider() {
    let server = provider();
    let verifier = verifier(server);
    let answer = crate::call::axum(app(AuthLayer::new(verifier)), "GET", METADATA_PATH, &[]).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(answer.header("content-type"), Some("application/json"));
    let document = answer.body;
    // The resource exactly as configured, the identifier the provider
    // knows and a client asks for (RFC 9728 3.3).
    assert_eq!(document["resource"], RESOURCE);
    assert_eq!(
        document["authorization_servers"],
        json!([server.text("issuer")])
    );
    assert_eq!(
        document["scopes_supported"],
        json!(["read:tasks", "write:tasks"])
    );
    assert_eq!(document["bearer_methods_supported"], json!(["header"]));
    assert!(
        (document["dpop_signing_alg_values_supported"]
            .as_array()
            .unwrap())
        .contains(&json!("ES256"))
    );

    // The authorization server it names publishes RFC 8414 metadata whose
    // `issuer` is that name (where a client looks it up: the path-inserted
    // well-known URL).
    let issuer = document["authorization_servers"][0].as_str().unwrap();
    let (origin, path) = issuer.split_at(issuer.find("/api/auth").unwrap());
    let url = format!("{origin}/.well-known/oauth-authorization-server{path}");
    assert_eq!(url, server.text("metadataUrl"));
    let mut response = ureq::get(&url).call().unwrap();
    let metadata: Value =
        serde_json::from_str(&response.body_mut().read_to_string().unwrap()).unwrap();
    assert_eq!(metadata["issuer"], issuer);
    assert_eq!(metadata["jwks_uri"], server.text("jwksUrl"));
}

#[tokio::test]
async fn the_layers_401_points_to_the_metadata() {
    let server = provider();
    let app = app(AuthLayer::new(verifier(server)));
    let answer = crate::call::axum(app.clone(), "GET", "/tasks", &[]).await;
    assert_eq!(answer.status, 401, "{answer:?}");
    assert_eq!(answer.code(), Some("missing_token"));
    let metadata_url = format!("{PUBLIC_ORIGIN}{METADATA_PATH}");
    assert_eq!(
        challenges_of(&answer),
        [
            format!(r#"Bearer resource_metadata="{metadata_url}""#),
            r#"DPoP algs="ES256 EdDSA PS256 RS256 ES512""#.to_owned(),
        ]
    );
    // The URL it names is the document the layer serves.
    let path = metadata_url.strip_prefix(PUBLIC_ORIGIN).unwrap();
    assert_eq!(
        crate::call::axum(app.clone(), "GET", path, &[])
            .await
            .status,
        200
    );

    // A refused token: its error, and still the pointer.
    let other = access_token(&client_credentials(
        server,
        json!({ "resource": OTHER_RESOURCE }),
    ));
    let answer = crate::call::axum(app.clone(), "GET", "/tasks", &bearer(&other)).await;
    assert_eq!(
        (answer.status, answer.code()),
        (401, Some("invalid_audience"))
    );
    let challenges = challenges_of(&answer);
    assert!(
        challenges[0].starts_with(r#"Bearer error="invalid_token""#),
        "{challenges:?}"
    );
    assert!(challenges[0].contains(&format!(r#"resource_metadata="{metadata_url}""#)));

    // A bad DPoP proof: the DPoP challenge carries the error.
    let (token, key) = dpop_token(server);
    // Signed by the bound key, for another method.
    let proof = key.proof("POST", &format!("{PUBLIC_ORIGIN}/tasks"), &token);
    let answer = crate::call::axum(app, "GET", "/tasks", &dpop_headers(&token, proof)).await;
    assert_eq!(
        (answer.status, answer.code()),
        (401, Some("invalid_dpop_proof"))
    );
    let challenges = challenges_of(&answer);
    assert_eq!(challenges.len(), 2, "{challenges:?}");
    assert!(
        challenges[0].contains("resource_metadata="),
        "{challenges:?}"
    );
    assert!(
        challenges[1].starts_with(r#"DPoP error="invalid_dpop_proof""#),
        "{challenges:?}"
    );
}

#[tokio::test]
async fn the_layer_accepts_a_dpop_request() {
    let server = provider();
    let (token, key) = dpop_token(server);
    let app = app(AuthLayer::new(verifier(server)));
    let proof = key.proof("POST", &format!("{PUBLIC_ORIGIN}/tasks"), &token);
    let answer = crate::call::axum(app, "POST", "/tasks", &dpop_headers(&token, proof)).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(answer.body["sub"], server.text("userId"));
    assert_eq!(answer.body["credential"], "AccessToken");
}

#[tokio::test]
async fn a_missing_scope_is_a_403_naming_it() {
    let server = provider();
    let token = access_token(&client_credentials(
        server,
        json!({ "scope": "read:tasks" }),
    ));
    let verifier = verifier(server);
    let writes = app(AuthLayer::new(verifier.clone()).require(ClaimGuard::scope("write:tasks")));
    let answer = crate::call::axum(writes, "POST", "/tasks", &bearer(&token)).await;
    assert_eq!(
        (answer.status, answer.code()),
        (403, Some("insufficient_scope"))
    );
    let challenges = challenges_of(&answer);
    assert_eq!(challenges.len(), 1, "{challenges:?}");
    assert!(
        challenges[0].starts_with(r#"Bearer error="insufficient_scope""#),
        "{challenges:?}"
    );
    assert!(
        challenges[0].contains(r#"scope="write:tasks""#),
        "{challenges:?}"
    );

    // The guard itself, and a token with the scope.
    let claims = verify(&verifier, "POST", "/tasks", &bearer(&token))
        .await
        .unwrap();
    let error = ClaimGuard::scope("write:tasks").check(&claims).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InsufficientClaims);
    assert_eq!(error.status(), 403);
    let writer = access_token(&client_credentials(
        server,
        json!({ "scope": "read:tasks write:tasks" }),
    ));
    let writes = app(AuthLayer::new(verifier).require(ClaimGuard::scope("write:tasks")));
    let answer = crate::call::axum(writes, "POST", "/tasks", &bearer(&writer)).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(answer.body["sub"], server.text("clientId"));
}

#[tokio::test]
async fn signing_out_deactivates_the_token_at_introspection_only() {
    // Its own provider: signing the user out must not disturb the others.
    let server = start_provider(&[("BA_ALG", "ES256")]);
    let tokens = server.post_json("/test/authorization-code", &json!({}));
    let token = access_token(&tokens);
    assert_eq!(decoded(&token).0["alg"], "ES256");
    assert_eq!(tokens["session_id"], server.minted["sessionId"]);
    let introspect = || server.post_json("/test/introspect", &json!({ "token": token }));
    let before = introspect();
    assert_eq!(before["status"], 200, "{before}");
    assert_eq!(before["body"]["active"], true, "{before}");
    assert_eq!(
        before["body"]["sid"], server.minted["sessionId"],
        "{before}"
    );

    let verifier = verifier(&server);
    let claims = verify(&verifier, "GET", "/tasks", &bearer(&token))
        .await
        .unwrap();
    assert_eq!(claims.sid(), server.minted["sessionId"].as_str());

    let signed_out = server.post_json("/test/sign-out", &json!({}));
    assert_eq!(signed_out["sessionId"], server.minted["sessionId"]);
    // Better Auth's introspection ties a user's token to its session:
    // once the session is gone, the token is inactive there.
    let after = introspect();
    assert_eq!(after["status"], 200, "{after}");
    assert_eq!(after["body"]["active"], false, "{after}");
    // A JWT access token is verified offline: jwtguard keeps accepting it
    // until its `exp` (an hour by default). A service that must see a
    // sign-out at once introspects, or uses short-lived tokens.
    assert!(
        verify(&verifier, "GET", "/tasks", &bearer(&token))
            .await
            .is_ok()
    );
}

/// A verifier that introspects opaque tokens at `server` as its client,
/// asking on every request (no cache), with `configure` applied last.
fn introspecting(
    server: &BetterAuth,
    configure: impl FnOnce(OAuthSettings) -> OAuthSettings,
) -> Verifier {
    verifier_with(server, |oauth| {
        configure(
            oauth
                .introspection(
                    server.text("introspectionEndpoint"),
                    server.text("clientId"),
                    server.text("clientSecret"),
                )
                .introspection_cache(std::time::Duration::ZERO, 100),
        )
    })
}

#[tokio::test]
async fn an_opaque_token_is_introspected_and_must_name_this_resource_unless_allowed() {
    let server = provider();
    let tokens = server.post_json("/test/opaque", &json!({}));
    let token = access_token(&tokens);
    assert!(!token.contains('.'), "an opaque token: {token}");
    // Better Auth issues opaque tokens when no `resource` was asked for:
    // they name no audience, and are refused unless that is allowed.
    let strict = introspecting(server, |oauth| oauth);
    assert_eq!(
        refusal(&strict, "GET", "/tasks", &bearer(&token)).await,
        ErrorKind::MissingClaim("aud")
    );
    let lenient = introspecting(server, |oauth| oauth.opaque_tokens_without_audience(true));
    let claims = verify(&lenient, "GET", "/tasks", &bearer(&token))
        .await
        .unwrap();
    assert_eq!(claims.credential(), Credential::AccessToken);
    assert_eq!(claims.client_id(), Some(server.text("clientId").as_str()));
    assert!(claims.scopes().any(|scope| scope == "read:tasks"));
    // A verifier without introspection reads no opaque token at all.
    assert_eq!(
        refusal(&verifier(server), "GET", "/tasks", &bearer(&token)).await,
        ErrorKind::Malformed
    );
    // Nor does one whose provider never issued it.
    let unknown = "AbCdEfGhIjKlMnOpQrStUvWxYzAbCdEf";
    assert_eq!(
        refusal(&lenient, "GET", "/tasks", &bearer(unknown)).await,
        ErrorKind::InactiveToken
    );
}

#[tokio::test]
async fn a_revoked_or_signed_out_opaque_token_is_inactive() {
    // Its own provider: it signs the user out.
    let server = start_provider(&[]);
    let verifier = introspecting(&server, |oauth| oauth.opaque_tokens_without_audience(true));
    let client = access_token(&server.post_json("/test/opaque", &json!({})));
    let user = access_token(&server.post_json("/test/opaque", &json!({ "user": true })));
    for token in [&client, &user] {
        assert!(
            verify(&verifier, "GET", "/tasks", &bearer(token))
                .await
                .is_ok()
        );
    }
    let revoked = server.post_json("/test/revoke", &json!({ "token": client }));
    assert_eq!(revoked["status"], 200, "{revoked}");
    assert_eq!(
        refusal(&verifier, "GET", "/tasks", &bearer(&client)).await,
        ErrorKind::InactiveToken
    );
    let claims = verify(&verifier, "GET", "/tasks", &bearer(&user))
        .await
        .unwrap();
    assert_eq!(claims.sub(), server.text("userId"));
    server.post_json("/test/sign-out", &json!({}));
    // Unlike a JWT access token, an introspected one follows its session.
    assert_eq!(
        refusal(&verifier, "GET", "/tasks", &bearer(&user)).await,
        ErrorKind::InactiveToken
    );
}

#[tokio::test]
async fn an_introspection_endpoint_that_cannot_answer_is_a_503() {
    let server = provider();
    let token = access_token(&server.post_json("/test/opaque", &json!({})));
    let wrong_secret = verifier_with(server, |oauth| {
        oauth.introspection(
            server.text("introspectionEndpoint"),
            server.text("clientId"),
            "not-the-secret",
        )
    });
    let closed = verifier_with(server, |oauth| {
        oauth.introspection("http://127.0.0.1:9/api/auth/oauth2/introspect", "c", "s")
    });
    for verifier in [&wrong_secret, &closed] {
        let error = verify(verifier, "GET", "/tasks", &bearer(&token))
            .await
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::IntrospectionUnavailable);
        assert_eq!(error.status(), 503);
        assert!(error.retry_after().is_some());
        // The secret never reaches what a log would show.
        assert!(!format!("{verifier:?}{error:?}").contains("not-the-secret"));
    }
}

#[tokio::test]
async fn the_environment_configures_introspection_for_the_task_api() {
    let server = provider();
    let token = access_token(&server.post_json("/test/opaque", &json!({})));
    let vars = [
        ("BETTER_AUTH_URL", server.url()),
        ("OAUTH_RESOURCE", RESOURCE.to_owned()),
        ("OAUTH_CLIENT_ID", server.text("clientId")),
        ("OAUTH_CLIENT_SECRET", server.text("clientSecret")),
    ];
    let read = env(&vars);
    let verifier = VerifierBuilder::from_env_with(read)
        .unwrap()
        .oauth(|oauth| oauth.opaque_tokens_without_audience(true))
        .build()
        .unwrap();
    let claims = verify(&verifier, "GET", "/tasks", &bearer(&token))
        .await
        .unwrap();
    assert_eq!(claims.client_id(), Some(server.text("clientId").as_str()));
}
