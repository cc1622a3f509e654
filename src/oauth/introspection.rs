//! Opaque access tokens, resolved by the provider's RFC 7662 introspection
//! endpoint (feature `oauth-introspection`): Better Auth's
//! `POST /api/auth/oauth2/introspect`, with this service's client id and
//! secret (`client_secret_basic`). One call per token at a time, its answer
//! kept in a bounded cache for a short time; a cached answer is still
//! refused once the token's own `exp` has passed, because every request
//! checks the claims again.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::AtomicUsize;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;
use zeroize::Zeroizing;

use crate::error::ErrorKind;
use crate::offload::{Permit, on_thread};
use crate::session::store::{Lookup, Resolved, StoreCache, Unavailable};
use crate::trace;

/// How long an introspection answer is reused, by default.
pub const DEFAULT_INTROSPECTION_CACHE_TTL: Duration = Duration::from_secs(30);

/// How many answers are kept, by default.
pub const DEFAULT_INTROSPECTION_CACHE_ENTRIES: usize = 10_000;

/// The most introspection calls in flight; past it a request is 503 at once.
const MAX_IN_FLIGHT: usize = 64;

/// The largest answer read.
const MAX_ANSWER_LEN: u64 = 64 * 1024;

/// Connect and whole-call timeouts of an introspection call.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
const TIMEOUT: Duration = Duration::from_secs(5);

/// Where and as whom tokens are introspected, as configured.
#[derive(Clone)]
pub(crate) struct IntrospectionSettings {
    pub(crate) endpoint: String,
    pub(crate) client_id: String,
    pub(crate) client_secret: Zeroizing<String>,
    pub(crate) cache_ttl: Duration,
    pub(crate) cache_entries: usize,
}

impl fmt::Debug for IntrospectionSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IntrospectionSettings")
            .field("endpoint", &self.endpoint)
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("cache_ttl", &self.cache_ttl)
            .finish_non_exhaustive()
    }
}

/// The introspection client of a verifier.
pub(crate) struct Introspection {
    client: Arc<Client>,
    cache: StoreCache,
    in_flight: Arc<AtomicUsize>,
}

impl fmt::Debug for Introspection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Introspection")
            .field("endpoint", &self.client.endpoint)
            .field("client_id", &self.client.client_id)
            .finish_non_exhaustive()
    }
}

/// What a call needs, shared with its thread.
struct Client {
    endpoint: String,
    client_id: String,
    /// `Basic base64(urlencode(id):urlencode(secret))` (RFC 6749 2.3.1).
    authorization: Zeroizing<String>,
    agent: ureq::Agent,
}

/// The members of an answer read here; the rest is kept as the claims.
#[derive(Deserialize)]
struct Answer {
    active: bool,
}

impl Introspection {
    /// Checks the endpoint and prepares the client.
    pub(crate) fn new(settings: IntrospectionSettings) -> Result<Self, &'static str> {
        let https = settings.endpoint.starts_with("https://");
        let loopback = ["http://127.0.0.1", "http://localhost", "http://[::1]"]
            .iter()
            .any(|prefix| {
                settings
                    .endpoint
                    .strip_prefix(prefix)
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with([':', '/']))
            });
        if !https && !loopback {
            return Err("the introspection endpoint must be https:// (or http:// to localhost)");
        }
        if settings.client_id.is_empty() || settings.client_secret.is_empty() {
            return Err("introspection needs this service's client id and secret");
        }
        let credentials = format!(
            "{}:{}",
            form_encode(&settings.client_id),
            Zeroizing::new(form_encode(&settings.client_secret)).as_str()
        );
        let authorization = Zeroizing::new(format!(
            "Basic {}",
            Zeroizing::new(STANDARD.encode(Zeroizing::new(credentials).as_bytes())).as_str()
        ));
        let config = ureq::Agent::config_builder()
            .timeout_connect(Some(CONNECT_TIMEOUT))
            .timeout_global(Some(TIMEOUT))
            .http_status_as_error(false)
            .max_redirects(0)
            .accept("application/json")
            .user_agent(concat!("jwtguard/", env!("CARGO_PKG_VERSION")));
        let config = if https {
            config.https_only(true)
        } else {
            config.proxy(None)
        };
        Ok(Self {
            client: Arc::new(Client {
                endpoint: settings.endpoint,
                client_id: settings.client_id,
                authorization,
                agent: config.build().into(),
            }),
            cache: StoreCache::new(settings.cache_ttl, settings.cache_entries),
            in_flight: Arc::new(AtomicUsize::new(0)),
        })
    }

    /// The active token's claims from the cache, without waiting; `None`
    /// when it must be asked.
    pub(crate) fn answer_now(&self, token: &str) -> Option<Result<Arc<[u8]>, ErrorKind>> {
        Some(answer(self.cache.get_now(&StoreCache::key(token))?))
    }

    /// The active token's claims: from the cache, from the call already
    /// under way for it, or from a new call.
    pub(crate) async fn answer(&self, token: &str) -> Result<Arc<[u8]>, ErrorKind> {
        let lookup = self.cache.resolve(StoreCache::key(token), self.call(token));
        answer(lookup.await)
    }

    /// One call to the endpoint, on a thread of its own.
    async fn call(&self, token: &str) -> Lookup {
        let unavailable = Err(Unavailable {
            retry_after: None,
            unusable_answer: false,
        });
        let Some(permit) = Permit::acquire(&self.in_flight, MAX_IN_FLIGHT) else {
            trace::session_store_failed(&"too many introspection calls in flight", false);
            return unavailable;
        };
        let client = Arc::clone(&self.client);
        let token = Zeroizing::new(token.to_owned());
        let answer = on_thread("jwtguard-introspect", move || {
            let answer = client.introspect(&token);
            drop(permit);
            answer
        });
        match answer {
            Ok(receiver) => receiver.await.unwrap_or(unavailable),
            Err(_) => unavailable,
        }
    }
}

/// The claims of an answer, or why there are none.
fn answer(lookup: Lookup) -> Result<Arc<[u8]>, ErrorKind> {
    match lookup {
        Ok(Resolved {
            payload: Some(claims),
        }) => Ok(claims),
        Ok(Resolved { payload: None }) => Err(ErrorKind::InactiveToken),
        Err(_) => Err(ErrorKind::IntrospectionUnavailable),
    }
}

impl Client {
    /// One blocking call: the claims of an active token, `None` for an
    /// inactive one, or unavailable.
    fn introspect(&self, token: &str) -> Lookup {
        let failed = |problem: fmt::Arguments<'_>| {
            trace::session_store_failed(&format!("token introspection: {problem}"), false);
            Err(Unavailable {
                retry_after: None,
                unusable_answer: false,
            })
        };
        // `token_type_hint=access_token`: a refresh token is then never
        // looked up as one (Better Auth's answer for it says "Bearer" too).
        let body = Zeroizing::new(format!(
            "token={}&token_type_hint=access_token",
            form_encode(token)
        ));
        let response = self
            .agent
            .post(&self.endpoint)
            .header("authorization", self.authorization.as_str())
            .header("content-type", "application/x-www-form-urlencoded")
            .send(body.as_bytes());
        let mut response = match response {
            Ok(response) => response,
            // ureq's messages name the URL and the failure, never headers.
            Err(error) => return failed(format_args!("{} failed: {error}", self.endpoint)),
        };
        let status = response.status();
        if status != ureq::http::StatusCode::OK {
            return failed(format_args!(
                "{} answered {status} (client {})",
                self.endpoint, self.client_id
            ));
        }
        let body = match response
            .body_mut()
            .with_config()
            .limit(MAX_ANSWER_LEN)
            .read_to_vec()
        {
            Ok(body) => body,
            Err(error) => return failed(format_args!("reading the answer failed: {error}")),
        };
        match serde_json::from_slice::<Answer>(&body) {
            Ok(Answer { active: true }) => match with_subject(&body) {
                Some(claims) => Ok(Resolved {
                    payload: Some(claims.into()),
                }),
                None => failed(format_args!("the answer is not a JSON object")),
            },
            Ok(Answer { active: false }) => Ok(Resolved { payload: None }),
            Err(_) => failed(format_args!("the answer is not RFC 7662 JSON")),
        }
    }
}

/// An active answer's claims, with `sub` the client's id when the token
/// has no user (Better Auth leaves `sub` out of a client-credentials
/// token's answer, where its JWT form says `sub` = `client_id`, as RFC 9068
/// 2.2 asks). Written back as JSON, every member once.
fn with_subject(body: &[u8]) -> Option<Vec<u8>> {
    let mut claims: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(body).ok()?;
    if !claims.contains_key("sub") {
        if let Some(client) = claims.get("client_id").filter(|id| id.is_string()).cloned() {
            claims.insert("sub".to_owned(), client);
        }
    }
    serde_json::to_vec(&claims).ok()
}

/// `application/x-www-form-urlencoded` for one value: unreserved bytes as
/// they are, every other byte percent-encoded (RFC 6749 2.3.1, B).
fn form_encode(value: &str) -> String {
    let mut encoded = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(endpoint: &str) -> IntrospectionSettings {
        IntrospectionSettings {
            endpoint: endpoint.to_owned(),
            client_id: "api".to_owned(),
            client_secret: Zeroizing::new("s3cr3t:+/".to_owned()),
            cache_ttl: DEFAULT_INTROSPECTION_CACHE_TTL,
            cache_entries: 10,
        }
    }

    #[test]
    fn only_https_or_loopback_endpoints_are_used() {
        assert!(
            Introspection::new(settings(
                "https://app.example.com/api/auth/oauth2/introspect"
            ))
            .is_ok()
        );
        assert!(
            Introspection::new(settings("http://127.0.0.1:3000/api/auth/oauth2/introspect"))
                .is_ok()
        );
        assert!(Introspection::new(settings("http://app.example.com/introspect")).is_err());
        assert!(Introspection::new(settings("http://127.0.0.1.evil.example/")).is_err());
    }

    #[test]
    fn a_client_token_gets_its_client_as_subject_and_a_user_token_keeps_its_user() {
        let client: serde_json::Value =
            serde_json::from_slice(&with_subject(br#"{"active":true,"client_id":"c1"}"#).unwrap())
                .unwrap();
        assert_eq!(client["sub"], "c1");
        let user: serde_json::Value = serde_json::from_slice(
            &with_subject(br#"{"active":true,"client_id":"c1","sub":"u1"}"#).unwrap(),
        )
        .unwrap();
        assert_eq!(user["sub"], "u1");
        assert!(with_subject(b"[]").is_none());
    }

    #[test]
    fn credentials_are_form_encoded_before_basic_and_never_shown() {
        let introspection = Introspection::new(settings("https://a.example/i")).unwrap();
        let expected = format!("Basic {}", STANDARD.encode("api:s3cr3t%3A%2B%2F"));
        assert_eq!(introspection.client.authorization.as_str(), expected);
        let debug = format!("{introspection:?} {:?}", settings("https://a.example/i"));
        assert!(!debug.contains("s3cr3t"), "{debug}");
    }
}
