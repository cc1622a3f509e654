//! Background start: `build()` returns without the JWKS, the refresh thread
//! fetches it with a backoff, public-key tokens get 503 meanwhile (at once,
//! never waiting for the issuer), HS256 tokens pass, and `is_ready` says
//! when the keys are in.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::support::{JwksServer, TestKey, claims, jwks};
use jwtguard::testing::sign_raw;
use jwtguard::{ClaimCheck, Claims, ConfigError, ErrorKind, Verifier, VerifierBuilder};

const SECRET: &str = "test-secret-that-is-at-least-32-bytes-long";

/// What the fake issuer answers a JWKS fetch with.
#[derive(Clone)]
pub enum Answer {
    /// An error at once (connection refused).
    Down,
    /// Nothing until told otherwise (at most 30 s): an issuer that accepts
    /// the connection and never answers.
    Hang,
    /// This JWKS document.
    Serve(String),
}

/// A JWKS fetch function the test drives, which records when it was called.
#[derive(Clone)]
pub struct Issuer {
    answer: Arc<Mutex<Answer>>,
    calls: Arc<Mutex<Vec<Instant>>>,
    returned: Arc<AtomicUsize>,
}

impl Issuer {
    pub fn new(answer: Answer) -> Self {
        Self {
            answer: Arc::new(Mutex::new(answer)),
            calls: Arc::new(Mutex::new(Vec::new())),
            returned: Arc::new(AtomicUsize::new(0)),
        }
    }

    pub fn set(&self, answer: Answer) {
        *self.answer.lock().unwrap() = answer;
    }

    /// When each fetch started.
    pub fn calls(&self) -> Vec<Instant> {
        self.calls.lock().unwrap().clone()
    }

    /// How many fetches have returned (with a document or an error).
    pub fn returned(&self) -> usize {
        self.returned.load(Ordering::SeqCst)
    }

    /// A builder with this issuer as a background-started JWKS fetcher.
    pub fn builder(&self) -> VerifierBuilder {
        let issuer = self.clone();
        Verifier::builder().jwks(|keys| {
            keys.claim_check(ClaimCheck::Skip)
                .fetcher(move || issuer.fetch())
                .background_start(true)
        })
    }

    fn fetch(&self) -> Result<String, Box<dyn std::error::Error + Send + Sync>> {
        self.calls.lock().unwrap().push(Instant::now());
        let hang_until = Instant::now() + Duration::from_secs(30);
        let answer = loop {
            let answer = self.answer.lock().unwrap().clone();
            match answer {
                Answer::Hang if Instant::now() < hang_until => {
                    std::thread::sleep(Duration::from_millis(5));
                }
                answer => break answer,
            }
        };
        self.returned.fetch_add(1, Ordering::SeqCst);
        match answer {
            Answer::Serve(document) => Ok(document),
            Answer::Down | Answer::Hang => Err("connection refused".into()),
        }
    }
}

/// Waits (bounded) until `check` holds: for the background thread.
pub fn eventually(mut check: impl FnMut() -> bool) -> bool {
    // Not a timing assertion: only a bound on how long to wait.
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(10) {
        if check() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    false
}

fn kind<T>(result: Result<T, jwtguard::Error>) -> ErrorKind {
    result.err().expect("refused").kind()
}

fn hs256_token(sub: &str) -> String {
    sign_raw(
        SECRET.as_bytes(),
        r#"{"alg":"HS256"}"#,
        &claims(sub).to_string(),
    )
}

#[tokio::test]
async fn build_returns_without_waiting_for_an_issuer_that_does_not_answer() {
    let key = TestKey::ed25519();
    let issuer = Issuer::new(Answer::Hang);
    // JWKS-only, and no key yet: still no `NoKeys`.
    let verifier = issuer.builder().build().unwrap();
    // The fetch has not returned: build() did not wait for it.
    assert_eq!(issuer.returned(), 0);
    assert!(
        eventually(|| issuer.calls().len() == 1),
        "fetched at once, on the background thread"
    );
    assert!(!verifier.is_ready());

    // Neither path waits for the fetch in flight.
    let token = key.sign("k", &claims("user-1"));
    assert_eq!(kind(verifier.verify(&token)), ErrorKind::KeysUnavailable);
    let waited = jwtguard::low_level::verify_waiting_for_keys::<Claims>(&verifier, &token).await;
    assert_eq!(kind(waited), ErrorKind::KeysUnavailable);
    assert_eq!(issuer.returned(), 0, "refused while the fetch still hangs");

    // The issuer answers at last: the keys are in.
    issuer.set(Answer::Serve(jwks(&[("k", &key)])));
    assert!(eventually(|| verifier.is_ready()));
    assert_eq!(verifier.verify(&token).unwrap().sub(), "user-1");
}

#[test]
fn until_the_keys_load_public_key_tokens_get_503_and_hs256_tokens_pass() {
    let (key, other) = (TestKey::ed25519(), TestKey::p256());
    let issuer = Issuer::new(Answer::Down);
    let verifier = issuer
        .builder()
        .hs256_secret(SECRET)
        .jwks(|keys| {
            keys.claim_check(ClaimCheck::Skip)
                .background_retry(Duration::from_millis(20))
                .refresh_interval(Duration::from_millis(200))
        })
        .build()
        .unwrap();
    assert!(!verifier.is_ready());
    let token = key.sign("k", &claims("user-1"));
    let no_kid = key.sign_raw(&serde_json::json!({"alg": "EdDSA"}), &claims("user-1"));
    let unknown = other.sign("made-up", &claims("user-1"));
    for token in [&token, &no_kid, &unknown] {
        assert_eq!(kind(verifier.verify(token)), ErrorKind::KeysUnavailable);
    }
    let response = verifier.verify(&token).unwrap_err().to_response();
    assert_eq!(response.status(), 503);
    assert_eq!(response.headers()["retry-after"], "10");
    assert!(response.headers().get("www-authenticate").is_none());
    assert!(
        response
            .body()
            .contains(r#""code":"temporarily_unavailable""#)
    );
    assert_eq!(verifier.verify(&hs256_token("old")).unwrap().sub(), "old");
    assert!(
        eventually(|| issuer.calls().len() >= 3),
        "the thread keeps trying"
    );
    assert!(!verifier.is_ready());

    issuer.set(Answer::Serve(jwks(&[("k", &key)])));
    assert!(eventually(|| verifier.verify(&token).is_ok()));
    assert!(verifier.is_ready());
    assert_eq!(verifier.verify(&no_kid).unwrap().sub(), "user-1");
    assert_eq!(kind(verifier.verify(&unknown)), ErrorKind::UnknownKey);
    assert_eq!(verifier.verify(&hs256_token("old")).unwrap().sub(), "old");
}

#[test]
fn failed_first_fetches_back_off_doubling_then_the_normal_schedule_resumes() {
    let key = TestKey::ed25519();
    let first_retry = Duration::from_millis(50);
    let interval = Duration::from_millis(500);
    let issuer = Issuer::new(Answer::Down);
    let verifier = issuer
        .builder()
        .jwks(|keys| {
            keys.claim_check(ClaimCheck::Skip)
                .background_retry(first_retry)
                .refresh_interval(interval)
        })
        .build()
        .unwrap();
    // Three failures, then the issuer answers.
    assert!(eventually(|| issuer.calls().len() >= 3));
    issuer.set(Answer::Serve(jwks(&[("k", &key)])));
    assert!(eventually(|| verifier.is_ready()));
    let loaded_at = issuer.calls().len();
    assert!(eventually(|| issuer.calls().len() > loaded_at));

    let calls = issuer.calls();
    let gaps: Vec<Duration> = calls.windows(2).map(|w| w[1] - w[0]).collect();
    // Lower bounds only: a busy machine stretches gaps, never shortens them.
    // While failing: 50 ms, 100 ms, 200 ms, ... (capped at the interval).
    for (n, gap) in gaps[..loaded_at - 1].iter().enumerate() {
        let step = (first_retry * 2u32.pow(n as u32)).min(interval);
        assert!(*gap >= step, "gap {n}: {gap:?} < {step:?}; {gaps:?}");
    }
    // Loaded: the next reload waits a whole interval, not a backoff step.
    assert!(gaps[loaded_at - 1] >= interval, "{gaps:?}");
}

#[test]
fn background_start_needs_a_fetched_jwks_and_a_retry_above_zero() {
    let key = TestKey::ed25519();
    let document = jwks(&[("k", &key)]);
    let err = Verifier::builder()
        .jwks(|keys| {
            keys.claim_check(ClaimCheck::Skip)
                .json(&document)
                .background_start(true)
        })
        .build()
        .unwrap_err();
    assert!(matches!(err, ConfigError::InvalidJwksSetting(_)), "{err}");
    assert!(err.to_string().contains("jwks_background_start"), "{err}");
    let err = Verifier::builder()
        .hs256_secret(SECRET)
        .jwks(|keys| keys.claim_check(ClaimCheck::Skip).background_start(true))
        .build()
        .unwrap_err();
    assert!(matches!(err, ConfigError::InvalidJwksSetting(_)), "{err}");
    let err = Issuer::new(Answer::Down)
        .builder()
        .jwks(|keys| {
            keys.claim_check(ClaimCheck::Skip)
                .background_retry(Duration::ZERO)
        })
        .build()
        .unwrap_err();
    assert!(matches!(err, ConfigError::InvalidJwksSetting(_)), "{err}");
    // Off is the default, and fine with any source.
    let verifier = Verifier::builder()
        .jwks(|keys| {
            keys.claim_check(ClaimCheck::Skip)
                .json(&document)
                .background_start(false)
        })
        .build()
        .unwrap();
    assert!(verifier.is_ready());
    // An invalid URL is still refused by build(), before any fetch.
    let err = Verifier::builder()
        .jwks(|keys| {
            keys.claim_check(ClaimCheck::Skip)
                .url("http://issuer.example/api/auth/jwks")
                .background_start(true)
        })
        .build()
        .unwrap_err();
    assert_eq!(err, ConfigError::InvalidJwksUrl);
}

#[test]
fn a_verifier_without_a_fetched_jwks_is_always_ready() {
    let key = TestKey::ed25519();
    let hs256 = Verifier::builder().hs256_secret(SECRET).build().unwrap();
    assert!(hs256.is_ready());
    let fixed = Verifier::builder()
        .jwks(|keys| {
            keys.claim_check(ClaimCheck::Skip)
                .json(jwks(&[("k", &key)]))
        })
        .build()
        .unwrap();
    assert!(fixed.is_ready());
}

#[test]
fn from_env_jwks_background_start_builds_while_the_issuer_is_down() {
    let key = TestKey::ed25519();
    let server = JwksServer::start(jwks(&[("k", &key)]));
    server.set_down(true);
    let url = server.url.clone();
    let from = |background: &'static str| {
        let url = url.clone();
        Verifier::from_env_with(move |name| match name {
            "BETTER_AUTH_JWKS_URL" => Some(url.clone()),
            "JWT_AUDIENCE" => Some("https://app.example.com".to_owned()),
            "JWKS_BACKGROUND_START" => Some(background.to_owned()),
            _ => None,
        })
    };
    // Off: build() fetches, and the issuer's 503 is the error.
    for off in ["0", "false", ""] {
        let err = from(off).unwrap_err();
        assert!(err.to_string().contains("503"), "{off:?}: {err}");
    }
    let err = from("yes").unwrap_err();
    assert!(
        matches!(
            err,
            ConfigError::InvalidEnv {
                var: "JWKS_BACKGROUND_START",
                ..
            }
        ),
        "{err}"
    );
    let verifier = from("true").unwrap();
    assert!(!verifier.is_ready());
    let token = key.sign("k", &claims("user-1"));
    assert_eq!(kind(verifier.verify(&token)), ErrorKind::KeysUnavailable);
    // The default backoff (1 s, 2 s, ...) picks the issuer up once it is back.
    server.set_down(false);
    assert!(eventually(|| verifier.is_ready()));
    assert!(verifier.verify(&token).is_ok());
}
