//! Building a verifier: builder checks, the environment, and secrecy.

use std::collections::HashMap;

use crate::common::{OTHER_SECRET, SECRET, minter};
use jwtguard::limits::MAX_KEYS;
use jwtguard::{ClaimCheck, ConfigError, Verifier};

fn from_vars(vars: &[(&str, &str)]) -> Result<Verifier, ConfigError> {
    let vars: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Verifier::from_env_with(|name| vars.get(name).cloned())
}

#[test]
fn a_verifier_without_keys_is_refused() {
    assert_eq!(
        Verifier::builder().build().unwrap_err(),
        ConfigError::NoKeys
    );
}

#[test]
fn secrets_shorter_than_32_bytes_are_refused_with_a_clear_message() {
    let err = Verifier::builder()
        .hs256_secret("x".repeat(31))
        .build()
        .unwrap_err();
    assert_eq!(
        err,
        ConfigError::SecretTooShort {
            origin: "HS256 secret #1".into(),
            len: 31
        }
    );
    let message = err.to_string();
    assert!(message.contains("at least 32 bytes"), "{message}");
    assert!(!message.contains(&"x".repeat(31)), "{message}");
    assert!(
        Verifier::builder()
            .hs256_secret("x".repeat(32))
            .build()
            .is_ok()
    );
}

#[test]
fn too_many_keys_are_refused() {
    let mut builder = Verifier::builder();
    for i in 0..=MAX_KEYS {
        builder = builder.hs256_secret(format!("{SECRET}-{i}"));
    }
    assert_eq!(
        builder.build().unwrap_err(),
        ConfigError::TooManyKeys { max: MAX_KEYS }
    );
}

#[test]
fn key_ids_must_be_unique_and_non_empty() {
    let dup = Verifier::builder()
        .hs256_secret_with_kid("k", SECRET)
        .hs256_secret_with_kid("k", OTHER_SECRET)
        .build();
    assert_eq!(dup.unwrap_err(), ConfigError::InvalidKeyId);
    let empty = Verifier::builder()
        .hs256_secret_with_kid("", SECRET)
        .build();
    assert_eq!(empty.unwrap_err(), ConfigError::InvalidKeyId);
}

#[test]
fn a_claim_check_without_accepted_values_is_refused() {
    let err = Verifier::builder()
        .hs256_secret(SECRET)
        .claim_rules(|rules| rules.issuer_check(ClaimCheck::Required))
        .build()
        .unwrap_err();
    assert_eq!(
        err,
        ConfigError::CheckWithoutValues {
            claim: "iss",
            setter: "issuer"
        }
    );
    let err = Verifier::builder()
        .hs256_secret(SECRET)
        .claim_rules(|rules| rules.audience_check(ClaimCheck::IfPresent))
        .build()
        .unwrap_err();
    assert_eq!(
        err,
        ConfigError::CheckWithoutValues {
            claim: "aud",
            setter: "audience"
        }
    );
}

#[test]
fn zero_token_cap_is_refused() {
    let err = Verifier::builder()
        .hs256_secret(SECRET)
        .max_token_len(0)
        .build();
    assert_eq!(err.unwrap_err(), ConfigError::InvalidMaxTokenLength);
}

#[test]
fn a_websocket_query_parameter_name_must_be_a_plain_word() {
    for bad in ["", "a b", "a&b", "a=b", "a%5Fb", "a+b", "a#b", "tökén"] {
        let err = Verifier::builder()
            .hs256_secret(SECRET)
            .credential_sources(|s| s.websocket_query(bad))
            .build()
            .unwrap_err();
        assert_eq!(err, ConfigError::InvalidQueryParameter, "{bad:?}");
        assert!(err.to_string().contains("query parameter"), "{err}");
    }
    for good in ["access_token", "token", "jwt-1", "a.b", "X"] {
        assert!(
            Verifier::builder()
                .hs256_secret(SECRET)
                .credential_sources(|s| s.websocket_query(good))
                .build()
                .is_ok(),
            "{good:?}"
        );
    }
}

#[test]
fn environment_without_secret_names_the_variable_and_the_fix() {
    let err = from_vars(&[]).unwrap_err();
    let message = err.to_string();
    assert!(
        message.starts_with("BETTER_AUTH_SECRET is not set"),
        "{message}"
    );
    assert!(message.contains("Next.js"), "{message}");
    let blank = from_vars(&[("BETTER_AUTH_SECRET", "   ")]).unwrap_err();
    assert!(matches!(
        blank,
        ConfigError::MissingEnv {
            var: "BETTER_AUTH_SECRET",
            ..
        }
    ));
}

#[test]
fn environment_with_a_short_secret_names_the_variable() {
    let err = from_vars(&[("BETTER_AUTH_SECRET", "short-secret")]).unwrap_err();
    assert_eq!(
        err,
        ConfigError::SecretTooShort {
            origin: "BETTER_AUTH_SECRET".into(),
            len: 12
        }
    );
    assert!(!err.to_string().contains("short-secret"));
    let err = from_vars(&[
        ("BETTER_AUTH_SECRET", SECRET),
        ("BETTER_AUTH_SECRET_PREVIOUS", "old"),
    ])
    .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("BETTER_AUTH_SECRET_PREVIOUS is too short (3 bytes)")
    );
}

#[test]
fn environment_configures_rotation_issuer_audience_and_leeway() {
    let verifier = from_vars(&[
        ("BETTER_AUTH_SECRET", SECRET),
        ("BETTER_AUTH_SECRET_PREVIOUS", OTHER_SECRET),
        ("JWT_ISSUER", "nextjs-frontend"),
        ("JWT_AUDIENCE", "fastapi-backend"),
        ("JWT_LEEWAY_SECONDS", "30"),
    ])
    .unwrap();
    let now = jwtguard::Clock::system().now_unix() as i64;
    let fresh = |secret: &str| jwtguard::testing::TokenMinter::new(secret).subject("u");
    assert!(verifier.verify(&fresh(SECRET).sign()).is_ok());
    assert!(verifier.verify(&fresh(OTHER_SECRET).sign()).is_ok());
    assert!(
        verifier
            .verify(&fresh(SECRET).issuer("nextjs-frontend").sign())
            .is_ok()
    );
    assert!(
        verifier
            .verify(&fresh(SECRET).issuer("other").sign())
            .is_err()
    );
    assert!(
        verifier
            .verify(&fresh(SECRET).audience("other").sign())
            .is_err()
    );
    assert!(
        verifier
            .verify(&fresh(SECRET).expires_at(now - 10).sign())
            .is_ok(),
        "leeway 30"
    );
    assert!(
        verifier
            .verify(&fresh(SECRET).expires_at(now - 60).sign())
            .is_err()
    );
}

#[test]
fn environment_with_a_bad_leeway_is_refused() {
    for bad in ["ten", "-1", "1.5"] {
        let err =
            from_vars(&[("BETTER_AUTH_SECRET", SECRET), ("JWT_LEEWAY_SECONDS", bad)]).unwrap_err();
        assert!(
            matches!(
                err,
                ConfigError::InvalidEnv {
                    var: "JWT_LEEWAY_SECONDS",
                    ..
                }
            ),
            "{bad}"
        );
    }
}

#[test]
fn debug_output_never_contains_a_secret() {
    let builder = Verifier::builder()
        .hs256_secret(SECRET)
        .hs256_secret_with_kid("k2", OTHER_SECRET);
    let builder_debug = format!("{builder:?}");
    let verifier = builder.build().unwrap();
    let verifier_debug = format!("{verifier:?} {verifier:#?}");
    let minter_debug = format!("{:?}", minter());
    for text in [builder_debug, verifier_debug, minter_debug] {
        assert!(!text.contains(SECRET), "{text}");
        assert!(!text.contains(OTHER_SECRET), "{text}");
        assert!(text.contains("redacted"), "{text}");
    }
}

#[test]
fn verifier_is_cheap_to_clone_and_shareable_across_threads() {
    fn assert_shareable<T: Clone + Send + Sync + 'static>() {}
    assert_shareable::<Verifier>();
    let verifier = crate::common::verifier();
    let token = minter().sign();
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let verifier = verifier.clone();
            let token = token.clone();
            std::thread::spawn(move || verifier.verify(&token).map(|c| c.sub().to_owned()))
        })
        .collect();
    for handle in handles {
        assert_eq!(handle.join().unwrap().unwrap(), "user-1");
    }
}
