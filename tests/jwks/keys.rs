//! Better Auth's JWT plugin: tokens signed with EdDSA, ES256, ES512, RS256
//! and PS256 keys from a JWKS, static or served over loopback HTTP.

use std::time::{Duration, Instant};

use crate::support::{JwksServer, TestKey, claims, jwks};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jwtguard::testing::sign_raw;
use jwtguard::{ClaimCheck, ConfigError, ErrorKind, JwksError, Verifier};
use serde_json::json;

const SECRET: &str = "test-secret-that-is-at-least-32-bytes-long";

fn kind<T>(result: Result<T, jwtguard::Error>) -> ErrorKind {
    result.err().expect("refused").kind()
}

/// Flips one character of the payload, keeping it base64url.
fn tamper(token: &str) -> String {
    let dot = token.find('.').unwrap();
    let mut bytes = token.as_bytes().to_vec();
    bytes[dot + 5] = if bytes[dot + 5] == b'A' { b'B' } else { b'A' };
    String::from_utf8(bytes).unwrap()
}

/// Waits (bounded) until `check` holds: for the background reload.
fn eventually(mut check: impl FnMut() -> bool) -> bool {
    // Not a timing assertion: only a bound on how long to wait.
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(10) {
        if check() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

#[test]
fn every_algorithm_verifies_with_its_own_key_and_refuses_tampering() {
    for key in TestKey::every_algorithm() {
        let alg = key.alg();
        let verifier = Verifier::builder()
            .jwks(|keys| {
                keys.claim_check(ClaimCheck::Skip)
                    .json(jwks(&[("k1", &key)]))
            })
            .build()
            .unwrap();
        let token = key.sign("k1", &claims("user-1"));
        let verified = verifier
            .verify(&token)
            .unwrap_or_else(|e| panic!("{alg}: {e}"));
        assert_eq!(verified.sub(), "user-1", "{alg}");
        assert_eq!(verified.get("email"), Some(&json!("ada@example.com")));
        assert_eq!(
            kind(verifier.verify(&tamper(&token))),
            ErrorKind::InvalidSignature,
            "{alg}"
        );
        // Another key of the same algorithm under the same kid: refused.
        let impostor = match key {
            TestKey::Rs256(_) | TestKey::Ps256(_) => continue,
            _ => TestKey::every_algorithm()
                .into_iter()
                .find(|k| k.alg() == alg)
                .unwrap(),
        };
        let forged = impostor.sign("k1", &claims("user-1"));
        assert_eq!(
            kind(verifier.verify(&forged)),
            ErrorKind::InvalidSignature,
            "{alg}"
        );
    }
}

#[test]
fn a_key_is_used_only_with_its_own_algorithm() {
    let (ed, rsa, p256) = (TestKey::ed25519(), TestKey::rs256(), TestKey::p256());
    let verifier = Verifier::builder()
        .hs256_secret(SECRET)
        .jwks(|keys| {
            keys.claim_check(ClaimCheck::Skip).json(jwks(&[
                ("ed", &ed),
                ("rsa", &rsa),
                ("p256", &p256),
            ]))
        })
        .build()
        .unwrap();
    let c = claims("user-1");
    // An Ed25519 key named by a token whose header says RS256.
    let token = rsa.sign_raw(&json!({"alg": "RS256", "kid": "ed"}), &c);
    assert_eq!(kind(verifier.verify(&token)), ErrorKind::KeyMismatch);
    // An RS256 key asked to check PS256, an ES256 key asked to check ES512.
    let token = TestKey::ps256().sign_raw(&json!({"alg": "PS256", "kid": "rsa"}), &c);
    assert_eq!(kind(verifier.verify(&token)), ErrorKind::KeyMismatch);
    let token = TestKey::p521().sign_raw(&json!({"alg": "ES512", "kid": "p256"}), &c);
    assert_eq!(kind(verifier.verify(&token)), ErrorKind::KeyMismatch);
    // An HS256 token whose kid names a public key, signed with that key's
    // public material as the HMAC secret (the classic confusion attack).
    let jwk = ed.jwk("ed").to_string();
    let header = r#"{"alg":"HS256","kid":"ed"}"#;
    let payload = c.to_string();
    for secret in [jwk.as_bytes(), SECRET.as_bytes()] {
        let token = sign_raw(secret, header, &payload);
        assert_eq!(kind(verifier.verify(&token)), ErrorKind::KeyMismatch);
    }
    // Without a secret there is no HS256 at all.
    let jwks_only = Verifier::builder()
        .jwks(|keys| {
            keys.claim_check(ClaimCheck::Skip)
                .json(jwks(&[("ed", &ed)]))
        })
        .build()
        .unwrap();
    let token = sign_raw(jwk.as_bytes(), r#"{"alg":"HS256"}"#, &payload);
    assert_eq!(
        kind(jwks_only.verify(&token)),
        ErrorKind::UnsupportedAlgorithm
    );
    // And without a JWKS there are no public-key algorithms.
    let secret_only = Verifier::builder().hs256_secret(SECRET).build().unwrap();
    assert_eq!(
        kind(secret_only.verify(&ed.sign("ed", &c))),
        ErrorKind::UnsupportedAlgorithm
    );
}

#[test]
fn one_verifier_accepts_the_shared_secret_and_the_plugin_during_a_migration() {
    let ed = TestKey::ed25519();
    let verifier = Verifier::builder()
        .hs256_secret(SECRET)
        .jwks(|keys| {
            keys.claim_check(ClaimCheck::Skip)
                .json(jwks(&[("ed", &ed)]))
        })
        .build()
        .unwrap();
    let hs = sign_raw(
        SECRET.as_bytes(),
        r#"{"alg":"HS256"}"#,
        &claims("old").to_string(),
    );
    assert_eq!(verifier.verify(&hs).unwrap().sub(), "old");
    assert_eq!(
        verifier
            .verify(&ed.sign("ed", &claims("new")))
            .unwrap()
            .sub(),
        "new"
    );
}

#[test]
fn a_token_without_kid_needs_exactly_one_key_of_its_algorithm() {
    let (a, b) = (TestKey::ed25519(), TestKey::ed25519());
    let c = claims("user-1");
    let no_kid = a.sign_raw(&json!({"alg": "EdDSA"}), &c);
    let one = Verifier::builder()
        .jwks(|keys| keys.claim_check(ClaimCheck::Skip).json(jwks(&[("a", &a)])))
        .build()
        .unwrap();
    assert_eq!(one.verify(&no_kid).unwrap().sub(), "user-1");
    let two = Verifier::builder()
        .jwks(|keys| {
            keys.claim_check(ClaimCheck::Skip)
                .json(jwks(&[("a", &a), ("b", &b)]))
        })
        .build()
        .unwrap();
    assert_eq!(kind(two.verify(&no_kid)), ErrorKind::UnknownKey);
}

#[test]
fn the_registered_claims_are_checked_as_for_hs256() {
    let key = TestKey::ed25519();
    let verifier = Verifier::builder()
        .jwks(|keys| keys.json(jwks(&[("k", &key)])))
        .claim_rules(|rules| {
            rules
                .issuer("http://localhost:3000")
                .audience("http://localhost:3000")
        })
        .build()
        .unwrap();
    let mut c = claims("user-1");
    c["iss"] = json!("http://localhost:3000");
    c["aud"] = json!("http://localhost:3000");
    assert!(verifier.verify(&key.sign("k", &c)).is_ok());
    let mut other = c.clone();
    other["aud"] = json!("https://elsewhere.example");
    assert_eq!(
        kind(verifier.verify(&key.sign("k", &other))),
        ErrorKind::InvalidAudience
    );
    let mut expired = c.clone();
    expired["exp"] = json!(1_000);
    assert_eq!(
        kind(verifier.verify(&key.sign("k", &expired))),
        ErrorKind::Expired
    );
    let mut no_exp = c.clone();
    no_exp.as_object_mut().unwrap().remove("exp");
    assert_eq!(
        kind(verifier.verify(&key.sign("k", &no_exp))),
        ErrorKind::MissingClaim("exp")
    );
    // Duplicate `sub` members cannot pick another user.
    let dup = key.sign_text(
        r#"{"alg":"EdDSA","kid":"k"}"#,
        r#"{"sub":"user-1","sub":"user-2","exp":9999999999}"#,
    );
    assert_eq!(kind(verifier.verify(&dup)), ErrorKind::Malformed);
}

#[test]
fn oversized_and_malformed_signatures_are_refused_before_any_key_work() {
    let key = TestKey::ed25519();
    let verifier = Verifier::builder()
        .jwks(|keys| {
            keys.claim_check(ClaimCheck::Skip)
                .json(jwks(&[("k", &key)]))
        })
        .build()
        .unwrap();
    let token = key.sign("k", &claims("user-1"));
    let (input, _) = token.rsplit_once('.').unwrap();
    for signature in ["", "AA", &"A".repeat(700), "!!!!", &"A".repeat(86)] {
        let forged = format!("{input}.{signature}");
        assert_eq!(
            kind(verifier.verify(&forged)),
            ErrorKind::InvalidSignature,
            "{signature}"
        );
    }
}

#[test]
fn building_fails_clearly_when_the_jwks_is_unusable_or_unreachable() {
    let not_jwks = Verifier::builder()
        .jwks(|keys| keys.claim_check(ClaimCheck::Skip).json("<html>"))
        .build()
        .unwrap_err();
    assert_eq!(
        not_jwks,
        ConfigError::Jwks {
            origin: "JwksSettings::json(..)".into(),
            error: JwksError::NotAJwks
        }
    );
    // A port nothing listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/api/auth/jwks", closed.local_addr().unwrap());
    drop(closed);
    let err = Verifier::builder()
        .jwks(|keys| keys.claim_check(ClaimCheck::Skip).url(&url))
        .build()
        .unwrap_err();
    assert!(
        matches!(&err, ConfigError::Jwks { origin, error: JwksError::Fetch(_) } if *origin == url),
        "{err}"
    );
    // The message names the URL: the first thing to check.
    assert!(
        err.to_string()
            .starts_with(&format!("JWKS from {url}: fetching the JWKS failed")),
        "{err}"
    );
    let server = JwksServer::start(r#"{"keys":[]}"#.into());
    let err = Verifier::builder()
        .jwks(|keys| keys.claim_check(ClaimCheck::Skip).url(&server.url))
        .build()
        .unwrap_err();
    assert_eq!(
        err,
        ConfigError::Jwks {
            origin: server.url.clone(),
            error: JwksError::NoUsableKeys { skipped: vec![] }
        }
    );
    server.set_down(true);
    let err = Verifier::builder()
        .jwks(|keys| keys.claim_check(ClaimCheck::Skip).url(&server.url))
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("503"), "{err}");
    let err = Verifier::builder()
        .jwks(|keys| {
            keys.claim_check(ClaimCheck::Skip)
                .url("http://issuer.example/api/auth/jwks")
        })
        .build()
        .unwrap_err();
    assert_eq!(err, ConfigError::InvalidJwksUrl);
    let err = Verifier::builder()
        .hs256_secret(SECRET)
        .jwks(|keys| keys.claim_check(ClaimCheck::Skip).token_cache(10))
        .build()
        .unwrap_err();
    assert_eq!(err, ConfigError::CacheWithoutJwks);
    let key = TestKey::ed25519();
    let json = jwks(&[("k", &key)]);
    let err = Verifier::builder()
        .jwks(|keys| {
            keys.claim_check(ClaimCheck::Skip)
                .json(&json)
                .token_cache(0)
        })
        .build()
        .unwrap_err();
    assert!(matches!(err, ConfigError::InvalidJwksSetting(_)), "{err}");
    let err = Verifier::builder()
        .jwks(|keys| {
            keys.claim_check(ClaimCheck::Skip)
                .json(&json)
                .refresh_interval(Duration::ZERO)
        })
        .build()
        .unwrap_err();
    assert!(matches!(err, ConfigError::InvalidJwksSetting(_)), "{err}");
}

#[tokio::test]
async fn rotation_a_new_kid_is_fetched_once_and_a_removed_key_stops_working() {
    let (old, new) = (TestKey::ed25519(), TestKey::p256());
    let server = JwksServer::start(jwks(&[("old", &old)]));
    let cooldown = Duration::from_millis(100);
    let verifier = Verifier::builder()
        .jwks(|keys| {
            keys.claim_check(ClaimCheck::Skip)
                .url(&server.url)
                .refresh_cooldown(cooldown)
        })
        .build()
        .unwrap();
    assert_eq!(server.fetches(), 1);
    let old_token = old.sign("old", &claims("user-1"));
    assert!(verifier.verify(&old_token).is_ok());

    // The issuer adds a key and signs with it: the first token naming it
    // waits for one reload and passes.
    server.serve(jwks(&[("old", &old), ("new", &new)]));
    std::thread::sleep(cooldown + cooldown / 2);
    let new_token = new.sign("new", &claims("user-2"));
    let verified =
        jwtguard::low_level::verify_waiting_for_keys::<jwtguard::Claims>(&verifier, &new_token)
            .await;
    assert_eq!(verified.unwrap().sub(), "user-2");
    assert_eq!(server.fetches(), 2);
    assert!(verifier.verify(&old_token).is_ok());

    // The issuer removes the old key; the next reload drops it.
    server.serve(jwks(&[("new", &new)]));
    std::thread::sleep(cooldown + cooldown / 2);
    let unknown = new.sign("not-yet-published", &claims("user-3"));
    let err =
        jwtguard::low_level::verify_waiting_for_keys::<jwtguard::Claims>(&verifier, &unknown).await;
    assert_eq!(err.unwrap_err().kind(), ErrorKind::UnknownKey);
    assert_eq!(server.fetches(), 3);
    assert_eq!(kind(verifier.verify(&old_token)), ErrorKind::UnknownKey);
    assert!(verifier.verify(&new_token).is_ok());
}

#[tokio::test]
async fn a_flood_of_unknown_kids_causes_at_most_one_fetch_per_cooldown() {
    let key = TestKey::ed25519();
    let server = JwksServer::start(jwks(&[("k", &key)]));
    let verifier = Verifier::builder()
        .jwks(|keys| {
            keys.claim_check(ClaimCheck::Skip)
                .url(&server.url)
                .refresh_cooldown(Duration::from_secs(3600))
        })
        .build()
        .unwrap();
    let mut tasks = Vec::new();
    for i in 0..200 {
        let (verifier, token) = (
            verifier.clone(),
            key.sign(&format!("random-{i}"), &claims("u")),
        );
        tasks.push(tokio::spawn(async move {
            jwtguard::low_level::verify_waiting_for_keys::<jwtguard::Claims>(&verifier, &token)
                .await
        }));
    }
    for task in tasks {
        assert_eq!(
            task.await.unwrap().unwrap_err().kind(),
            ErrorKind::UnknownKey
        );
    }
    // Only the start-up fetch: the cooldown counts from it.
    assert_eq!(server.fetches(), 1);

    // Past the cooldown, concurrent unknown kids share one reload.
    let cooldown = Duration::from_millis(300);
    let verifier = Verifier::builder()
        .jwks(|keys| {
            keys.claim_check(ClaimCheck::Skip)
                .url(&server.url)
                .refresh_cooldown(cooldown)
        })
        .build()
        .unwrap();
    std::thread::sleep(cooldown + cooldown / 2);
    let before = server.fetches();
    let token = key.sign("random", &claims("u"));
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let (verifier, token) = (verifier.clone(), token.clone());
            tokio::spawn(async move {
                jwtguard::low_level::verify_waiting_for_keys::<jwtguard::Claims>(&verifier, &token)
                    .await
            })
        })
        .collect();
    for task in tasks {
        assert_eq!(
            task.await.unwrap().unwrap_err().kind(),
            ErrorKind::UnknownKey
        );
    }
    assert_eq!(server.fetches() - before, 1);
}

#[test]
fn an_outage_keeps_the_last_good_keys_and_recovery_picks_up_new_ones() {
    let (a, b) = (TestKey::ed25519(), TestKey::ed25519());
    let server = JwksServer::start(jwks(&[("a", &a)]));
    let verifier = Verifier::builder()
        .jwks(|keys| {
            keys.claim_check(ClaimCheck::Skip)
                .url(&server.url)
                .refresh_interval(Duration::from_millis(50))
        })
        .build()
        .unwrap();
    let token_a = a.sign("a", &claims("user-1"));
    server.set_down(true);
    let fetched = server.fetches();
    assert!(
        eventually(|| server.fetches() >= fetched + 3),
        "reloads go on"
    );
    assert!(verifier.verify(&token_a).is_ok(), "last good keys kept");
    // Garbage is no better than an outage.
    server.serve("{".into());
    server.set_down(false);
    let fetched = server.fetches();
    assert!(eventually(|| server.fetches() >= fetched + 2));
    assert!(verifier.verify(&token_a).is_ok());
    server.serve(jwks(&[("b", &b)]));
    let token_b = b.sign("b", &claims("user-2"));
    assert!(eventually(|| verifier.verify(&token_b).is_ok()));
    assert_eq!(kind(verifier.verify(&token_a)), ErrorKind::UnknownKey);
}

#[test]
fn the_sync_methods_never_wait_but_start_the_reload() {
    let (a, b) = (TestKey::ed25519(), TestKey::ed25519());
    let server = JwksServer::start(jwks(&[("a", &a)]));
    let verifier = Verifier::builder()
        .jwks(|keys| {
            keys.claim_check(ClaimCheck::Skip)
                .url(&server.url)
                .refresh_cooldown(Duration::ZERO)
        })
        .build()
        .unwrap();
    server.serve(jwks(&[("a", &a), ("b", &b)]));
    let token_b = b.sign("b", &claims("user-2"));
    assert_eq!(kind(verifier.verify(&token_b)), ErrorKind::UnknownKey);
    assert!(eventually(|| verifier.verify(&token_b).is_ok()));
}

#[test]
fn cached_tokens_are_still_checked_for_time_and_forgotten_when_keys_change() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicI64, Ordering};

    let (a, b) = (TestKey::ed25519(), TestKey::ed25519());
    let server = JwksServer::start(jwks(&[("a", &a), ("b", &b)]));
    let now = Arc::new(AtomicI64::new(1_800_000_000));
    let clock_now = Arc::clone(&now);
    let verifier = Verifier::builder()
        .jwks(|keys| {
            keys.claim_check(ClaimCheck::Skip)
                .url(&server.url)
                .refresh_cooldown(Duration::ZERO)
                .token_cache(100)
        })
        .clock(jwtguard::Clock::from_fn(move || {
            time::OffsetDateTime::from_unix_timestamp(clock_now.load(Ordering::SeqCst)).unwrap()
        }))
        .build()
        .unwrap();
    let c = json!({"sub": "user-1", "iat": 1_800_000_000, "exp": 1_800_000_900});
    let token = a.sign("a", &c);
    for _ in 0..3 {
        assert_eq!(verifier.verify(&token).unwrap().sub(), "user-1");
        let typed: serde_json::Value = verifier.verify_as(&token).unwrap();
        assert_eq!(typed["exp"], 1_800_000_900);
    }
    // A hit still checks `exp`.
    now.store(1_800_000_901, Ordering::SeqCst);
    assert_eq!(kind(verifier.verify(&token)), ErrorKind::Expired);
    now.store(1_800_000_100, Ordering::SeqCst);
    assert!(verifier.verify(&token).is_ok());
    // The issuer drops key `a`: once the keys reload, the cached token goes with it.
    server.serve(jwks(&[("b", &b)]));
    assert!(verifier.verify(&b.sign("b", &c)).is_ok());
    assert_eq!(
        kind(verifier.verify(&b.sign("unknown", &c))),
        ErrorKind::UnknownKey
    );
    assert!(eventually(|| {
        verifier.verify(&token).err().map(|e| e.kind()) == Some(ErrorKind::UnknownKey)
    }));
}

#[test]
fn debug_output_shows_no_key_material() {
    let key = TestKey::ed25519();
    let jwk = key.jwk("k");
    let verifier = Verifier::builder()
        .jwks(|keys| {
            keys.claim_check(ClaimCheck::Skip)
                .json(jwks(&[("k", &key)]))
                .token_cache(10)
        })
        .build()
        .unwrap();
    let debug = format!("{verifier:?}");
    assert!(debug.contains("jwks"), "{debug}");
    assert!(!debug.contains(jwk["x"].as_str().unwrap()), "{debug}");
}

#[test]
fn from_env_reads_the_jwks_url_or_the_better_auth_url() {
    let key = TestKey::ed25519();
    let server = JwksServer::start(jwks(&[("k", &key)]));
    let base = server.url.trim_end_matches("/api/auth/jwks").to_owned();
    let mut c = claims("user-1");
    c["iss"] = json!(base);
    c["aud"] = json!(base);
    let token = key.sign("k", &c);
    let mut elsewhere = c.clone();
    elsewhere["iss"] = json!("https://elsewhere.example");
    let foreign = key.sign("k", &elsewhere);

    let from = |vars: Vec<(&'static str, String)>| {
        Verifier::from_env_with(move |name| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.clone())
        })
    };
    // The JWKS URL alone names no audience: refused, as Better Auth's
    // provider signs ID tokens for other clients with the same keys.
    let err = from(vec![("BETTER_AUTH_JWKS_URL", server.url.clone())]).unwrap_err();
    assert!(err.to_string().contains("BETTER_AUTH_URL"), "{err}");
    // With the audience named (JWT_AUDIENCE): checked when present.
    let verifier = from(vec![
        ("BETTER_AUTH_JWKS_URL", server.url.clone()),
        ("JWT_AUDIENCE", base.clone()),
    ])
    .unwrap();
    assert!(verifier.verify(&token).is_ok());
    assert!(verifier.verify(&foreign).is_ok());
    let mut for_a_client = c.clone();
    for_a_client["aud"] = json!("oauth-client-1");
    assert_eq!(
        kind(verifier.verify(&key.sign("k", &for_a_client))),
        ErrorKind::InvalidAudience
    );
    // The base URL: its JWKS, and `iss`/`aud` must be the base URL.
    let verifier = from(vec![("BETTER_AUTH_URL", format!("{base}/"))]).unwrap();
    assert!(verifier.verify(&token).is_ok());
    assert_eq!(kind(verifier.verify(&foreign)), ErrorKind::InvalidIssuer);
    // With the secret too: both kinds of token (a migration).
    let verifier = from(vec![
        ("BETTER_AUTH_URL", base.clone()),
        ("BETTER_AUTH_SECRET", SECRET.to_owned()),
    ])
    .unwrap();
    let hs = sign_raw(
        SECRET.as_bytes(),
        r#"{"alg":"HS256"}"#,
        &claims("old").to_string(),
    );
    assert!(verifier.verify(&hs).is_ok() && verifier.verify(&token).is_ok());
    // Neither: the secret is what is missing.
    let err = from(vec![]).unwrap_err();
    assert!(matches!(
        err,
        ConfigError::MissingEnv {
            var: "BETTER_AUTH_SECRET",
            ..
        }
    ));
    let err = from(vec![("BETTER_AUTH_URL", "http://app.example.com".into())]).unwrap_err();
    assert_eq!(err, ConfigError::InvalidJwksUrl);
}

/// An RSA JWK with a modulus of `bits` bits (not a real key: enough to load
/// and to check forged signatures against).
fn rsa_jwk(kid: &str, bits: usize) -> serde_json::Value {
    use base64::Engine as _;
    let mut n = vec![0xC5u8; bits / 8];
    n[0] = 0xF1;
    n[bits / 8 - 1] = 0x01;
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    json!({"kty": "RSA", "alg": "RS256", "kid": kid, "n": b64(&n), "e": "AQAB"})
}

#[test]
fn a_reload_with_unusable_keys_still_rotates_the_usable_ones() {
    let (old, new) = (TestKey::ed25519(), TestKey::ed25519());
    let server = JwksServer::start(jwks(&[("old", &old)]));
    let verifier = Verifier::builder()
        .jwks(|keys| {
            keys.claim_check(ClaimCheck::Skip)
                .url(&server.url)
                .refresh_interval(Duration::from_millis(50))
        })
        .build()
        .unwrap();
    let old_token = old.sign("old", &claims("user-1"));
    assert!(verifier.verify(&old_token).is_ok());
    // The issuer retires `old`, publishes `new`, and also an RSA-1024 key,
    // an Ed448 key and a key with a malformed member: only `new` is usable.
    let mut keys = vec![
        rsa_jwk("weak", 1024),
        json!({"kty": "OKP", "crv": "Ed448", "alg": "EdDSA", "kid": "ed448", "x": "AAAA"}),
        json!({"kty": "EC", "crv": "P-256", "kid": "odd", "x": 1, "y": 2}),
        new.jwk("new"),
    ];
    server.serve(json!({ "keys": keys }).to_string());
    let new_token = new.sign("new", &claims("user-2"));
    assert!(eventually(|| verifier.verify(&new_token).is_ok()));
    assert_eq!(kind(verifier.verify(&old_token)), ErrorKind::UnknownKey);
    // Thirty-two usable keys before it: the cap counts usable keys, so the
    // unusable ones do not push a usable key out.
    let filler: Vec<TestKey> = (0..jwtguard::limits::MAX_JWKS_KEYS - 1)
        .map(|_| TestKey::ed25519())
        .collect();
    keys.extend(
        filler
            .iter()
            .enumerate()
            .map(|(i, key)| key.jwk(&format!("f{i}"))),
    );
    server.serve(json!({ "keys": keys }).to_string());
    let filler_token = filler[30].sign("f30", &claims("user-3"));
    assert!(eventually(|| verifier.verify(&filler_token).is_ok()));
    assert!(verifier.verify(&new_token).is_ok());
}

#[test]
fn keys_past_their_maximum_age_are_dropped_and_answered_503() {
    let key = TestKey::ed25519();
    let server = JwksServer::start(jwks(&[("k", &key)]));
    let max_age = Duration::from_millis(400);
    let verifier = Verifier::builder()
        .hs256_secret(SECRET)
        .jwks(|keys| {
            keys.claim_check(ClaimCheck::Skip)
                .url(&server.url)
                .refresh_interval(Duration::from_millis(50))
                .max_age(max_age)
                .token_cache(10)
        })
        .build()
        .unwrap();
    let token = key.sign("k", &claims("user-1"));
    assert!(verifier.verify(&token).is_ok(), "and now cached");
    server.set_down(true);
    assert!(eventually(|| {
        verifier.verify(&token).err().map(|e| e.kind()) == Some(ErrorKind::KeysUnavailable)
    }));
    let err = verifier.verify(&token).unwrap_err();
    let response = err.to_response();
    assert_eq!(response.status(), 503);
    assert_eq!(response.headers()["retry-after"], "10");
    assert!(response.headers().get("www-authenticate").is_none());
    assert!(
        response
            .body()
            .contains(r#""code":"temporarily_unavailable""#)
    );
    // HS256 tokens are not affected.
    let hs = sign_raw(
        SECRET.as_bytes(),
        r#"{"alg":"HS256"}"#,
        &claims("user-2").to_string(),
    );
    assert_eq!(verifier.verify(&hs).unwrap().sub(), "user-2");
    // The JWKS comes back: so do its keys.
    server.set_down(false);
    assert!(eventually(|| verifier.verify(&token).is_ok()));
    let err = Verifier::builder()
        .jwks(|keys| {
            keys.claim_check(ClaimCheck::Skip)
                .url(&server.url)
                .max_age(Duration::ZERO)
        })
        .build()
        .unwrap_err();
    assert!(matches!(err, ConfigError::InvalidJwksSetting(_)), "{err}");
}

#[test]
fn rsa_keys_up_to_8192_bits_load_and_forged_signatures_are_refused() {
    let json = json!({ "keys": [rsa_jwk("big", 8192)] }).to_string();
    let verifier = Verifier::builder()
        .jwks(|keys| keys.claim_check(ClaimCheck::Skip).json(json))
        .build()
        .unwrap();
    let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"RS256","kid":"big"}"#);
    let payload = URL_SAFE_NO_PAD.encode(claims("user-1").to_string());
    for signature in [vec![0x5A; 1024], vec![0x5A; 512], vec![0xFF; 1024]] {
        let forged = format!("{header}.{payload}.{}", URL_SAFE_NO_PAD.encode(signature));
        assert_eq!(kind(verifier.verify(&forged)), ErrorKind::InvalidSignature);
    }
    let too_big = json!({ "keys": [rsa_jwk("huge", 8200)] }).to_string();
    let err = Verifier::builder()
        .jwks(|keys| keys.claim_check(ClaimCheck::Skip).json(too_big))
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("8192"), "{err}");
}

#[test]
fn better_auths_session_cache_jwt_is_never_a_bearer_token() {
    let key = TestKey::ed25519();
    let verifier = Verifier::builder()
        .hs256_secret(SECRET)
        .jwks(|keys| {
            keys.claim_check(ClaimCheck::Skip)
                .json(jwks(&[("k", &key)]))
        })
        .build()
        .unwrap();
    // As the JWT plugin signs the `session_data` cookie (jwt strategy).
    let mut c = claims("user-1");
    c["aud"] = json!("better-auth:session-cache");
    c["iss"] = json!("https://app.example.com");
    c["sid"] = json!("session-token");
    let header = json!({"alg": "EdDSA", "kid": "k", "typ": "better-auth.session-cache+jwt"});
    let cache = key.sign_raw(&header, &c);
    assert_eq!(kind(verifier.verify(&cache)), ErrorKind::SessionCacheToken);
    // Its `aud` alone gives it away, whatever the audience setting.
    let cache = key.sign("k", &c);
    assert_eq!(kind(verifier.verify(&cache)), ErrorKind::SessionCacheToken);
    c["aud"] = json!(["https://app.example.com", "better-auth:session-cache"]);
    let hs = sign_raw(SECRET.as_bytes(), r#"{"alg":"HS256"}"#, &c.to_string());
    assert_eq!(kind(verifier.verify(&hs)), ErrorKind::SessionCacheToken);
    let typed = verifier.verify_as::<serde_json::Value>(&hs);
    assert_eq!(kind(typed), ErrorKind::SessionCacheToken);
    let err = verifier.verify(&hs).unwrap_err();
    assert_eq!(err.status(), 401);
    assert_eq!(err.kind().code(), "session_cache_token");
}

#[test]
fn better_auth_url_requires_iss_and_aud_on_plugin_tokens_only() {
    let key = TestKey::ed25519();
    let server = JwksServer::start(jwks(&[("k", &key)]));
    let base = server.url.trim_end_matches("/api/auth/jwks").to_owned();
    let vars = [
        ("BETTER_AUTH_URL", base.clone()),
        ("BETTER_AUTH_SECRET", SECRET.to_owned()),
    ];
    let lookup = move |name: &str| {
        vars.iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.clone())
    };
    let verifier = Verifier::from_env_with(lookup.clone()).unwrap();
    let mut c = claims("user-1");
    c["iss"] = json!(base);
    c["aud"] = json!(base);
    assert!(verifier.verify(&key.sign("k", &c)).is_ok());
    for (missing, claim) in [("iss", "iss"), ("aud", "aud")] {
        let mut partial = c.clone();
        partial.as_object_mut().unwrap().remove(missing);
        assert_eq!(
            kind(verifier.verify(&key.sign("k", &partial))),
            ErrorKind::MissingClaim(claim)
        );
    }
    // HS256 tokens from the shared secret keep the FastAPI pattern's rule:
    // checked when present.
    let hs = sign_raw(
        SECRET.as_bytes(),
        r#"{"alg":"HS256"}"#,
        &claims("old").to_string(),
    );
    assert!(verifier.verify(&hs).is_ok());
    // The one-line way back, on the builder from_env gives.
    let lenient = jwtguard::VerifierBuilder::from_env_with(lookup)
        .unwrap()
        .jwks(|keys| keys.claim_check(jwtguard::ClaimCheck::IfPresent))
        .build()
        .unwrap();
    let no_iss = key.sign("k", &claims("user-1"));
    assert!(lenient.verify(&no_iss).is_ok());
    assert_eq!(
        kind(verifier.verify(&no_iss)),
        ErrorKind::MissingClaim("iss")
    );
}

#[test]
fn a_jwks_verifier_names_an_audience_or_says_it_checks_none() {
    // Better Auth's OAuth provider signs the ID tokens it issues to other
    // clients with the JWT plugin's keys: `aud` is the client, `sub` the
    // user. Unchecked, such a token would pass as the user's own.
    let key = TestKey::ed25519();
    let document = jwks(&[("k", &key)]);
    let err = Verifier::builder()
        .jwks(|keys| keys.json(&document))
        .build()
        .unwrap_err();
    assert!(matches!(err, ConfigError::InvalidJwksSetting(_)), "{err}");
    assert!(err.to_string().contains("audience"), "{err}");
    let mut id_token = claims("user-1");
    id_token["iss"] = json!("https://app.example.com/api/auth");
    id_token["aud"] = json!("oauth-client-1");
    let id_token = key.sign("k", &id_token);
    let named = Verifier::builder()
        .jwks(|keys| keys.json(&document))
        .claim_rules(|rules| {
            rules
                .issuer("https://app.example.com")
                .audience("https://app.example.com")
        })
        .build()
        .unwrap();
    assert_eq!(kind(named.verify(&id_token)), ErrorKind::InvalidIssuer);
    // Said on purpose: any audience.
    let any = Verifier::builder()
        .jwks(|keys| keys.json(&document).claim_check(ClaimCheck::Skip))
        .build()
        .unwrap();
    assert!(any.verify(&id_token).is_ok());
}
