//! JWT access tokens as `Bearer` (RFC 9068 as Better Auth issues them).

use jwtguard::{Credential, ErrorKind, Verifier};
use serde_json::json;

use super::*;

async fn bearer_kind(verifier: &Verifier, token: &str) -> Result<Claims, ErrorKind> {
    verify(verifier, "GET", "/mcp", &[bearer(token)])
        .await
        .map_err(|e| e.kind())
}

#[tokio::test]
async fn an_access_token_for_this_resource_is_accepted_with_its_client_and_scopes() {
    let claims = bearer_kind(&verifier(), &access_token(&access_claims()))
        .await
        .unwrap();
    assert_eq!(claims.sub(), "user-1");
    assert_eq!(claims.credential(), Credential::AccessToken);
    assert_eq!(claims.client_id(), Some("client-1"));
    assert_eq!(claims.sid(), Some("session-1"));
    assert_eq!(
        claims.scopes().collect::<Vec<_>>(),
        ["openid", "tasks:read"]
    );
    assert!(jwtguard::ClaimGuard::scope("tasks:read").allows(&claims));
    assert!(!jwtguard::ClaimGuard::scope("tasks:write").allows(&claims));
}

#[tokio::test]
async fn the_audience_is_compared_as_a_canonical_uri_in_a_string_or_an_array() {
    let verifier = verifier();
    for aud in [
        json!("https://api.example.com/mcp"),
        json!("HTTPS://API.EXAMPLE.COM:443/mcp/"),
        json!([RESOURCE, "https://app.example.com/api/auth/oauth2/userinfo"]),
    ] {
        let mut claims = access_claims();
        claims["aud"] = aud.clone();
        assert!(
            bearer_kind(&verifier, &access_token(&claims)).await.is_ok(),
            "{aud}"
        );
    }
    for (aud, kind) in [
        (
            json!("https://api.example.com/other"),
            ErrorKind::InvalidAudience,
        ),
        (
            json!("https://api.example.com/MCP"),
            ErrorKind::InvalidAudience,
        ),
        (
            json!("https://evil.example/mcp"),
            ErrorKind::InvalidAudience,
        ),
        (json!([]), ErrorKind::InvalidAudience),
        (json!(["https://evil.example"]), ErrorKind::InvalidAudience),
        (json!([RESOURCE, 7]), ErrorKind::InvalidClaim("aud")),
        (json!({"aud": RESOURCE}), ErrorKind::InvalidClaim("aud")),
    ] {
        let mut claims = access_claims();
        claims["aud"] = aud.clone();
        assert_eq!(
            bearer_kind(&verifier, &access_token(&claims))
                .await
                .unwrap_err(),
            kind,
            "{aud}"
        );
    }
    let mut claims = access_claims();
    claims.as_object_mut().unwrap().remove("aud");
    assert_eq!(
        bearer_kind(&verifier, &access_token(&claims))
            .await
            .unwrap_err(),
        ErrorKind::MissingClaim("aud")
    );
}

#[tokio::test]
async fn issuer_expiry_and_client_are_required() {
    let verifier = verifier();
    let cases: [(&str, Value, ErrorKind); 11] = [
        (
            "iss",
            json!("https://app.example.com"),
            ErrorKind::InvalidIssuer,
        ),
        ("iss", Value::Null, ErrorKind::MissingClaim("iss")),
        ("exp", Value::Null, ErrorKind::MissingClaim("exp")),
        ("exp", json!(now() - 120), ErrorKind::Expired),
        ("client_id", json!(42), ErrorKind::InvalidClaim("client_id")),
        (
            "scope",
            json!(["tasks:read"]),
            ErrorKind::InvalidClaim("scope"),
        ),
        ("cnf", json!("jkt"), ErrorKind::InvalidClaim("cnf")),
        // Bound to a client certificate (RFC 8705), which Better Auth's
        // provider issues as `Bearer`: nothing here can check it.
        (
            "cnf",
            json!({"x5t#S256": "bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2"}),
            ErrorKind::InvalidClaim("cnf"),
        ),
        (
            "cnf",
            json!({"jkt": "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I",
                "x5t#S256": "bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2"}),
            ErrorKind::InvalidClaim("cnf"),
        ),
        ("cnf", json!({}), ErrorKind::InvalidClaim("cnf")),
        ("cnf", json!({"jkt": ""}), ErrorKind::InvalidClaim("cnf")),
    ];
    for (name, value, kind) in cases {
        let mut claims = access_claims();
        if value.is_null() {
            claims.as_object_mut().unwrap().remove(name);
        } else {
            claims[name] = value;
        }
        assert_eq!(
            bearer_kind(&verifier, &access_token(&claims))
                .await
                .unwrap_err(),
            kind,
            "{name}"
        );
    }
    // `client_id` or `azp`: Better Auth writes both; one is enough.
    let mut claims = access_claims();
    claims.as_object_mut().unwrap().remove("client_id");
    assert_eq!(
        bearer_kind(&verifier, &access_token(&claims))
            .await
            .unwrap()
            .client_id(),
        Some("client-1")
    );
    claims.as_object_mut().unwrap().remove("azp");
    assert_eq!(
        bearer_kind(&verifier, &access_token(&claims))
            .await
            .unwrap_err(),
        ErrorKind::MissingClaim("client_id")
    );
}

#[tokio::test]
async fn a_member_sent_twice_never_picks_another_audience_or_user() {
    let verifier = verifier();
    let now = now();
    for claims in [
        format!(
            r#"{{"sub":"user-1","aud":"https://evil.example","aud":"{RESOURCE}","iss":"{ISSUER}","client_id":"c","exp":{}}}"#,
            now + 60
        ),
        format!(
            r#"{{"sub":"user-1","sub":"admin","aud":"{RESOURCE}","iss":"{ISSUER}","client_id":"c","exp":{}}}"#,
            now + 60
        ),
    ] {
        let token =
            server_key().sign_text(r#"{"alg":"EdDSA","kid":"as-key","typ":"at+jwt"}"#, &claims);
        assert!(bearer_kind(&verifier, &token).await.is_err(), "{claims}");
    }
}

#[tokio::test]
async fn what_is_not_an_access_token_is_refused_with_its_own_code() {
    let verifier = verifier();
    // A JWT plugin token and an ID token: the same key, no `at+jwt`.
    let plugin = signed(
        None,
        &json!({"sub": "user-1", "iss": "https://app.example.com",
        "aud": "https://app.example.com", "exp": now() + 900}),
    );
    let id_token = signed(
        Some("JWT"),
        &json!({"sub": "user-1", "iss": ISSUER,
        "aud": "client-1", "nonce": "n", "exp": now() + 900}),
    );
    for token in [&plugin, &id_token] {
        assert_eq!(
            bearer_kind(&verifier, token).await.unwrap_err(),
            ErrorKind::NotAnAccessToken
        );
    }
    // Better Auth's session cache signed with the same keys.
    let cache = signed(Some("better-auth.session-cache+jwt"), &access_claims());
    assert_eq!(
        bearer_kind(&verifier, &cache).await.unwrap_err(),
        ErrorKind::SessionCacheToken
    );
    // A service that also takes the app's own tokens says so.
    let both = builder(|oauth| oauth.jwt_plugin_tokens(true))
        .jwks(|keys| keys.claim_check(jwtguard::ClaimCheck::Required))
        .claim_rules(|rules| {
            rules
                .issuer("https://app.example.com")
                .audience("https://app.example.com")
        })
        .build()
        .unwrap();
    let claims = bearer_kind(&both, &plugin).await.unwrap();
    assert_eq!(claims.credential(), Credential::Jwt);
    assert_eq!(
        bearer_kind(&both, &id_token).await.unwrap_err(),
        ErrorKind::InvalidIssuer
    );
}

#[tokio::test]
async fn a_resource_server_refuses_jwt_plugin_tokens_everywhere_cache_or_not() {
    // A gRPC or WebSocket handler calling `verify` on a raw token refuses
    // them too, so the token cache never holds one for the request path.
    let jwks = support::jwks(&[(KID, server_key())]);
    let build = |accept: bool| {
        let jwks = jwks.clone();
        Verifier::builder()
            .jwks(|keys| keys.json(jwks).token_cache(10))
            .claim_rules(|rules| {
                rules
                    .issuer("https://app.example.com")
                    .audience("https://app.example.com")
            })
            .oauth(|oauth| {
                oauth
                    .resource(RESOURCE)
                    .issuer(ISSUER)
                    .jwt_plugin_tokens(accept)
            })
            .build()
            .unwrap()
    };
    let plugin = signed(
        None,
        &json!({"sub": "user-1", "iss": "https://app.example.com",
        "aud": "https://app.example.com", "exp": now() + 900}),
    );
    let (refusing, accepting) = (build(false), build(true));
    for _ in 0..2 {
        assert_eq!(
            refusing.verify(&plugin).unwrap_err().kind(),
            ErrorKind::NotAnAccessToken
        );
        assert_eq!(
            bearer_kind(&refusing, &plugin).await.unwrap_err(),
            ErrorKind::NotAnAccessToken
        );
        // Accepted: the second round comes from the cache.
        assert_eq!(accepting.verify(&plugin).unwrap().sub(), "user-1");
        assert_eq!(
            bearer_kind(&accepting, &plugin).await.unwrap().sub(),
            "user-1"
        );
    }
}

#[tokio::test]
async fn access_tokens_pass_nowhere_else() {
    let token = access_token(&access_claims());
    // A raw token: the resource's rules and DPoP need the request.
    assert_eq!(
        verifier().verify(&token).unwrap_err().kind(),
        ErrorKind::AccessTokenNotAccepted
    );
    // A verifier of the JWT plugin only, with lax claim rules.
    let jwks = support::jwks(&[(KID, server_key())]);
    let plugin_only = Verifier::builder()
        .jwks(|keys| keys.json(jwks).claim_check(jwtguard::ClaimCheck::Skip))
        .build()
        .unwrap();
    assert_eq!(
        bearer_kind(&plugin_only, &token).await.unwrap_err(),
        ErrorKind::AccessTokenNotAccepted
    );
    // An `at+jwt` signed with a shared secret is nothing Better Auth issues.
    let secret = "a-shared-secret-of-at-least-32-bytes!";
    let hs256 = jwtguard::testing::TokenMinter::new(secret)
        .header("typ", "at+jwt")
        .issuer(ISSUER)
        .audience(RESOURCE)
        .claim("client_id", "c")
        .subject("user-1")
        .sign();
    let with_secret = builder(|oauth| oauth).hs256_secret(secret).build().unwrap();
    assert_eq!(
        bearer_kind(&with_secret, &hs256).await.unwrap_err(),
        ErrorKind::AccessTokenNotAccepted
    );
}

#[tokio::test]
async fn a_token_bound_to_a_key_is_refused_as_bearer() {
    let token = bound_token(&TestKey::p256());
    assert_eq!(
        bearer_kind(&verifier(), &token).await.unwrap_err(),
        ErrorKind::DpopBoundToken
    );
}

#[test]
fn settings_that_cannot_work_are_refused_when_built() {
    let jwks = support::jwks(&[(KID, server_key())]);
    let build = |configure: fn(OAuthSettings) -> OAuthSettings| {
        let jwks = jwks.clone();
        Verifier::builder()
            .jwks(move |keys| keys.json(jwks))
            .oauth(configure)
            .build()
            .unwrap_err()
            .to_string()
    };
    assert!(build(|o| o.issuer(ISSUER)).contains("resource"));
    assert!(build(|o| o.resource("/mcp").issuer(ISSUER)).contains("absolute"));
    assert!(build(|o| o.resource(RESOURCE)).contains("issuer"));
    assert!(
        build(|o| o
            .resource(RESOURCE)
            .issuer(ISSUER)
            .dpop_algorithms(["HS256"]))
        .contains("dpop_algorithms")
    );
    assert!(
        build(|o| o
            .resource(RESOURCE)
            .issuer(ISSUER)
            .scopes_supported(["a b"]))
        .contains("scope")
    );
    assert!(
        build(|o| o
            .resource(RESOURCE)
            .issuer(ISSUER)
            .public_url("https://a.example/x"))
        .contains("origin")
    );
    let day = std::time::Duration::from_secs(86_400);
    let long = std::time::Duration::from_secs(3601);
    for (ahead, back) in [(long, day), (std::time::Duration::ZERO, long), (day, day)] {
        let jwks = jwks.clone();
        let refused = Verifier::builder()
            .jwks(move |keys| keys.json(jwks))
            .oauth(|o| {
                o.resource(RESOURCE)
                    .issuer(ISSUER)
                    .dpop_proof_window(ahead, back)
            })
            .build()
            .unwrap_err();
        assert!(
            refused.to_string().contains("dpop_proof_window"),
            "{refused}"
        );
    }
    let hour = std::time::Duration::from_secs(3600);
    let jwks_for_hour = jwks.clone();
    assert!(
        Verifier::builder()
            .jwks(move |keys| keys.json(jwks_for_hour))
            .oauth(|o| o
                .resource(RESOURCE)
                .issuer(ISSUER)
                .dpop_proof_window(hour, hour))
            .build()
            .is_ok()
    );
    let without_keys = Verifier::builder()
        .oauth(|o| o.resource(RESOURCE).issuer(ISSUER))
        .build()
        .unwrap_err();
    assert!(
        without_keys.to_string().contains(".jwks("),
        "{without_keys}"
    );
}

#[test]
fn from_env_reads_the_resource_and_defaults_the_issuer_to_the_providers() {
    // No network: an HS256 secret and a verifier whose JWKS is never needed
    // here would still fetch; so check the settings through their errors.
    let read = |name: &str| match name {
        "BETTER_AUTH_SECRET" => Some("a-shared-secret-of-at-least-32-bytes!".to_owned()),
        "OAUTH_RESOURCE" => Some(RESOURCE.to_owned()),
        _ => None,
    };
    let err = Verifier::from_env_with(read).unwrap_err();
    assert!(err.to_string().contains("OAUTH_ISSUER is not set"), "{err}");
}

#[cfg(feature = "oauth-introspection")]
#[tokio::test]
async fn an_oversized_opaque_token_is_refused_without_asking_the_provider() {
    // Nothing listens on port 9: a call would be a 503, not a 401.
    let verifier = builder(|oauth| {
        oauth.introspection(
            "http://127.0.0.1:9/api/auth/oauth2/introspect",
            "api",
            "secret",
        )
    })
    .build()
    .unwrap();
    let huge = "A".repeat(600);
    assert_eq!(
        bearer_kind(&verifier, &huge).await.unwrap_err(),
        ErrorKind::TokenTooLarge
    );
    let err = verify(
        &verifier,
        "GET",
        "/mcp",
        &[bearer("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef")],
    )
    .await
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::IntrospectionUnavailable);
}
