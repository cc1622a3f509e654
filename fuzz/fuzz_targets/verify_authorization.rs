//! Fuzzes what a client controls: the `Authorization` header value.
//!
//! The first byte picks a mode. Even: the rest is the header value, as sent.
//! Odd: the rest is `header JSON \n payload JSON`, signed with the right
//! secret, so that the fuzzer reaches the claim parser and the claim rules
//! behind a valid signature. Either way verification must return, not panic,
//! and an accepted token must satisfy the rules. Signed payloads are also
//! read into `serde_json::Value` (one strict pass) and borrowed: all three
//! ways of reading the claims must reach the same verdict.
#![no_main]

use std::sync::LazyLock;

use jwtguard::{Clock, Verifier};
use libfuzzer_sys::fuzz_target;

const SECRET: &str = "fuzzing-secret-of-at-least-32-bytes!!";
const NOW: i64 = 1_764_000_000;

static VERIFIER: LazyLock<Verifier> = LazyLock::new(|| {
    Verifier::builder()
        .hs256_secret(SECRET)
        .claim_rules(|rules| rules.issuer("nextjs-frontend").audience("fastapi-backend"))
        .clock(Clock::fixed_unix(NOW))
        .build()
        .expect("fuzzing configuration is valid")
});

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let result = if mode % 2 == 0 {
        jwtguard::low_level::bearer_token(rest).and_then(|token| VERIFIER.verify(token))
    } else {
        let text = String::from_utf8_lossy(rest);
        let (header, payload) = text.split_once('\n').unwrap_or((&text, "{}"));
        let token = jwtguard::testing::sign_raw(SECRET.as_bytes(), header, payload);
        let verdict = VERIFIER.verify(&token).err().map(|e| e.kind());
        let as_value = VERIFIER.verify_as::<serde_json::Value>(&token);
        assert_eq!(verdict, as_value.err().map(|e| e.kind()));
        let mut buffer = Vec::new();
        let borrowed = jwtguard::low_level::verify_borrowed::<serde_json::Value>(&VERIFIER, &token, &mut buffer);
        assert_eq!(verdict, borrowed.err().map(|e| e.kind()));
        VERIFIER.verify(&token)
    };
    if let Ok(claims) = result {
        assert!(!claims.sub().is_empty());
        assert!(claims.exp().is_some_and(|exp| exp.as_secs_f64() >= NOW as f64));
        assert!(claims.iss().is_none_or(|iss| iss == "nextjs-frontend"));
    }
});
