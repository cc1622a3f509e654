//! [`HttpSessionStore`] (feature `session-http`): sessions resolved by
//! asking Better Auth itself, through its `get-session` endpoint.
//!
//! # Which store to pick
//!
//! - **`HttpSessionStore`** (this one) costs one HTTP round trip to the
//!   Next.js app per cache miss and needs nothing but the app's URL. It sees
//!   what Better Auth sees: a revoked session stops working at the next miss,
//!   and plugins that reshape the user (additional fields, `customSession`)
//!   show up as claims. It fails (503) while the app is down.
//! - **[`SqlSessionStore`](crate::SqlSessionStore)** (feature `session-sql`)
//!   costs one indexed query per miss and needs read access to Better Auth's
//!   database, but keeps working while the Next.js app is down. It reads a
//!   fixed set of user columns.
//!
//! Both sit behind the verifier's cache, so a session is looked up at most
//! once per [`DEFAULT_SESSION_CACHE_TTL`](crate::limits::DEFAULT_SESSION_CACHE_TTL).
//!
//! # Production settings: cookie names and the rate limit
//!
//! - **Cookie names.** A session token that came in a cookie is sent to
//!   `get-session` under the name it came in: the browser holds the name
//!   the app set (`__Secure-better-auth.session_token` for an `https://`
//!   app, `<cookiePrefix>.session_token`, or an `advanced.cookies` rename),
//!   which is the name the app reads. A bearer-plugin token is sent under
//!   the name Better Auth would give it: `__Secure-` when the store's URL is
//!   `https://` (as Better Auth decides from its `baseURL`), and
//!   [`cookie_prefix`](HttpSessionStore::cookie_prefix),
//!   [`secure_cookies`](HttpSessionStore::secure_cookies) or
//!   [`cookie_name`](HttpSessionStore::cookie_name) for apps configured
//!   otherwise ([`Verifier::from_env`](crate::Verifier::from_env) passes
//!   `BETTER_AUTH_COOKIE_PREFIX` and `BETTER_AUTH_SECURE_COOKIES` on).
//! - **No refresh.** Lookups ask with `disableRefresh=true`: Better Auth's
//!   refresh would extend the session (even a "don't remember me" one,
//!   whose `dont_remember` cookie the service never sees) with a
//!   `Set-Cookie` that no browser receives. The browser's own calls to the
//!   app keep refreshing it.
//! - **Better Auth's rate limit.** In production Better Auth limits every
//!   path, `get-session` included, to 100 requests per 10 s per client IP,
//!   and this service is one client: past that, lookups get 429. The store
//!   then honours Better Auth's `X-Retry-After` (or `Retry-After`): no
//!   lookup is sent until it has passed, requests that need one get 503
//!   with that `Retry-After`, and one WARN event (feature `tracing`) names
//!   the fix. The verifier already makes one lookup per token at a time and
//!   keeps answers for its cache's TTL; exempt the service in the app:
//!
//!   ```ts
//!   export const auth = betterAuth({
//!     rateLimit: {
//!       // Lookups by the Rust API: cached there, one per session per 30 s.
//!       customRules: { "/get-session": false },
//!     },
//!   });
//!   ```
//!
//!   or give it a larger rule (`{ window: 10, max: 1000 }`). A rule per
//!   client is possible too, since the client IP is read from
//!   `advanced.ipAddress.ipAddressHeaders` (default `x-forwarded-for`).
//!
//! # How a lookup runs
//!
//! ureq is blocking and the [`SessionStore`] future must not depend on any
//! particular async runtime, so each lookup runs on its own short-lived
//! thread and hands its answer back through a `futures-channel` oneshot,
//! which any executor can await. Misses are rare next to hits, and a thread
//! start costs microseconds next to the round trip, so no pool is kept. The
//! number of lookups in flight is capped: past the cap a lookup fails at
//! once (503) instead of piling up threads behind a slow app.

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use crate::offload::{Permit, on_thread};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use futures_channel::oneshot;
use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::session::store::{
    SessionLookup, SessionRecord, SessionStore, SessionStoreError, SessionToken, StoredSession,
};

/// The session-token cookie Better Auth reads by default (an app with
/// secure cookies uses `__Secure-better-auth.session_token`).
///
/// ```
/// assert_eq!(
///     jwtguard::limits::DEFAULT_SESSION_COOKIE_NAME,
///     "better-auth.session_token"
/// );
/// ```
pub const DEFAULT_SESSION_COOKIE_NAME: &str = "better-auth.session_token";

/// How long connecting to the app may take by default.
///
/// ```
/// use std::time::Duration;
/// use jwtguard::limits::SESSION_HTTP_CONNECT_TIMEOUT;
/// assert_eq!(SESSION_HTTP_CONNECT_TIMEOUT, Duration::from_secs(2));
/// ```
pub const SESSION_HTTP_CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

/// How long one whole `get-session` call may take by default.
///
/// ```
/// use std::time::Duration;
/// use jwtguard::limits::SESSION_HTTP_TIMEOUT;
/// assert_eq!(SESSION_HTTP_TIMEOUT, Duration::from_secs(5));
/// ```
pub const SESSION_HTTP_TIMEOUT: Duration = Duration::from_secs(5);

/// How many lookups may be in flight at once by default.
///
/// ```
/// assert_eq!(jwtguard::limits::DEFAULT_MAX_SESSION_LOOKUPS, 64);
/// ```
pub const DEFAULT_MAX_SESSION_LOOKUPS: usize = 64;

/// The largest `get-session` answer read by default: a session and a user
/// are well under 2 KiB, unless the user's `image` is a data URL.
///
/// ```
/// assert_eq!(jwtguard::limits::DEFAULT_MAX_GET_SESSION_LEN, 64 * 1024);
/// ```
pub const DEFAULT_MAX_GET_SESSION_LEN: u64 = 64 * 1024;

/// Better Auth's `basePath` when `baseURL` has no path of its own.
const DEFAULT_BASE_PATH: &str = "/api/auth";

/// A [`SessionStore`] that asks Better Auth: `GET {base}/get-session` with
/// the session cookie, `disableCookieCache` set so that the database is
/// consulted rather than a cookie cache the request does not carry, and
/// `disableRefresh` so that the lookup changes nothing (see the module
/// docs: cookie names, Better Auth's rate limit).
///
/// The URL must be `https://`, or `http://` to a loopback host (a Next.js
/// app on the same machine): over plain HTTP anywhere else the session
/// tokens would cross the network in the clear. Redirects are not followed
/// and, for plain HTTP, no proxy from the environment is used.
///
/// `Debug` shows the endpoint, cookie name and limits; tokens never appear
/// in `Debug` output or in errors.
///
/// ```
/// use jwtguard::HttpSessionStore;
///
/// # fn main() -> Result<(), jwtguard::SessionStoreError> {
/// // An https:// app with `advanced.cookiePrefix: "myapp"`.
/// let store = HttpSessionStore::new("https://app.example.com")?.cookie_prefix("myapp")?;
/// assert!(format!("{store:?}").contains("__Secure-myapp.session_token"));
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct HttpSessionStore {
    inner: Arc<Inner>,
    max_in_flight: usize,
    in_flight: Arc<AtomicUsize>,
    /// Set while Better Auth's rate limit holds lookups back.
    backoff: Arc<Backoff>,
}

/// Better Auth's rate limit, as this store last heard it.
#[derive(Default)]
struct Backoff {
    /// No lookup is sent before this instant.
    until: Mutex<Option<Instant>>,
    /// The WARN naming the fix was given.
    warned: AtomicBool,
}

impl Backoff {
    /// How long lookups must still wait, if they must.
    fn remaining(&self) -> Option<Duration> {
        let until = *self.until.lock().unwrap_or_else(PoisonError::into_inner);
        until.and_then(|until| until.checked_duration_since(Instant::now()))
    }

    /// Holds lookups back for `wait`, and warns the first time.
    fn hold(&self, wait: Duration) {
        let until = Instant::now() + wait;
        let mut slot = self.until.lock().unwrap_or_else(PoisonError::into_inner);
        if slot.is_none_or(|held| held < until) {
            *slot = Some(until);
        }
        drop(slot);
        if !self.warned.swap(true, Ordering::AcqRel) {
            crate::trace::get_session_rate_limited(wait.as_secs());
        }
    }
}

/// What a lookup thread needs, shared with it by one `Arc`.
#[derive(Clone)]
struct Inner {
    agent: ureq::Agent,
    /// The full `get-session` URL, query included.
    endpoint: String,
    https: bool,
    /// The cookie a bearer-plugin token is sent in (a token that came in a
    /// cookie goes back under that cookie's name).
    cookie_name: CookieName,
    connect_timeout: Duration,
    timeout: Duration,
    max_body_len: u64,
}

impl fmt::Debug for HttpSessionStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpSessionStore")
            .field("endpoint", &self.inner.endpoint)
            .field("cookie_name", &self.inner.cookie_name.to_string())
            .field("connect_timeout", &self.inner.connect_timeout)
            .field("timeout", &self.inner.timeout)
            .field("max_in_flight", &self.max_in_flight)
            .field("max_body_len", &self.inner.max_body_len)
            .finish()
    }
}

impl HttpSessionStore {
    /// A store asking the Better Auth app at `base_url`: its `baseURL`
    /// (`https://app.example.com`, so `/api/auth` is appended) or a URL that
    /// already ends in its base path (`https://app.example.com/custom/auth`),
    /// as Better Auth itself reads `baseURL`.
    ///
    /// Fails unless the URL is `https://`, or `http://` to `localhost`,
    /// `127.0.0.0/8` or `[::1]`; a URL with credentials, a query or a
    /// fragment is refused too.
    ///
    /// ```
    /// use jwtguard::HttpSessionStore;
    ///
    /// assert!(HttpSessionStore::new("https://app.example.com").is_ok());
    /// assert!(HttpSessionStore::new("http://localhost:3000").is_ok());
    /// assert!(HttpSessionStore::new("http://app.example.com").is_err());
    /// ```
    pub fn new(base_url: impl AsRef<str>) -> Result<Self, SessionStoreError> {
        let (endpoint, https) = endpoint(base_url.as_ref())?;
        let mut inner = Inner {
            agent: ureq::Agent::new_with_defaults(),
            endpoint,
            https,
            cookie_name: CookieName::Better {
                prefix: crate::session::settings::DEFAULT_COOKIE_PREFIX.to_owned(),
                secure: https,
            },
            connect_timeout: SESSION_HTTP_CONNECT_TIMEOUT,
            timeout: SESSION_HTTP_TIMEOUT,
            max_body_len: DEFAULT_MAX_GET_SESSION_LEN,
        };
        inner.agent = inner.build_agent();
        Ok(Self {
            inner: Arc::new(inner),
            max_in_flight: DEFAULT_MAX_SESSION_LOOKUPS,
            in_flight: Arc::new(AtomicUsize::new(0)),
            backoff: Arc::default(),
        })
    }

    /// Better Auth's `advanced.cookiePrefix` (default `better-auth`): a
    /// bearer-plugin token is sent as `<prefix>.session_token`, with
    /// `__Secure-` in front as [`secure_cookies`](Self::secure_cookies)
    /// says. Fails unless `<prefix>.session_token` is a valid cookie name.
    ///
    /// ```
    /// let store = jwtguard::HttpSessionStore::new("http://localhost:3000")?
    ///     .cookie_prefix("myapp")?;
    /// assert!(format!("{store:?}").contains("\"myapp.session_token\""));
    /// # Ok::<(), jwtguard::SessionStoreError>(())
    /// ```
    pub fn cookie_prefix(mut self, prefix: impl AsRef<str>) -> Result<Self, SessionStoreError> {
        let inner = Arc::make_mut(&mut self.inner);
        let secure = match &inner.cookie_name {
            CookieName::Better { secure, .. } => *secure,
            CookieName::Custom(_) => inner.https,
        };
        // Better Auth reads `cookiePrefix || "better-auth"`.
        let prefix = match prefix.as_ref() {
            "" => crate::session::settings::DEFAULT_COOKIE_PREFIX,
            prefix => prefix,
        };
        let name = CookieName::Better {
            prefix: prefix.to_owned(),
            secure,
        };
        check_cookie_name(&name.to_string())?;
        inner.cookie_name = name;
        Ok(self)
    }

    /// Whether the app uses secure cookies (`__Secure-` names): Better Auth's
    /// `advanced.useSecureCookies`. Default: `true` for an `https://` URL,
    /// as Better Auth decides from its `baseURL`.
    ///
    /// ```
    /// // A Next.js app behind a TLS proxy, reached here over loopback.
    /// let store = jwtguard::HttpSessionStore::new("http://127.0.0.1:3000")?
    ///     .secure_cookies(true);
    /// assert!(format!("{store:?}").contains("__Secure-better-auth.session_token"));
    /// # Ok::<(), jwtguard::SessionStoreError>(())
    /// ```
    #[must_use]
    pub fn secure_cookies(mut self, secure: bool) -> Self {
        let inner = Arc::make_mut(&mut self.inner);
        if let CookieName::Better {
            secure: current, ..
        } = &mut inner.cookie_name
        {
            *current = secure;
        }
        self
    }

    /// The exact cookie name a bearer-plugin token is sent in, for an app
    /// that renames it (`advanced.cookies.session_token.name`; give the
    /// `__Secure-` form if the app uses secure cookies). Replaces
    /// [`cookie_prefix`](Self::cookie_prefix) and
    /// [`secure_cookies`](Self::secure_cookies). Fails unless `name` is a
    /// valid cookie name.
    ///
    /// ```
    /// let store = jwtguard::HttpSessionStore::new("https://app.example.com")
    ///     .unwrap()
    ///     .cookie_name("__Secure-sid")
    ///     .unwrap();
    /// ```
    pub fn cookie_name(mut self, name: impl AsRef<str>) -> Result<Self, SessionStoreError> {
        let name = name.as_ref();
        check_cookie_name(name)?;
        Arc::make_mut(&mut self.inner).cookie_name = CookieName::Custom(name.to_owned());
        Ok(self)
    }

    /// How long connecting to the app may take (default
    /// [`SESSION_HTTP_CONNECT_TIMEOUT`]).
    ///
    /// ```
    /// use std::time::Duration;
    /// let store = jwtguard::HttpSessionStore::new("https://app.example.com")
    ///     .unwrap()
    ///     .connect_timeout(Duration::from_secs(1));
    /// ```
    #[must_use]
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        let inner = Arc::make_mut(&mut self.inner);
        inner.connect_timeout = timeout;
        inner.agent = inner.build_agent();
        self
    }

    /// How long one whole lookup may take, connecting included (default
    /// [`SESSION_HTTP_TIMEOUT`]). A request waits this long at most when the
    /// app hangs, then gets a 503.
    ///
    /// ```
    /// use std::time::Duration;
    /// let store = jwtguard::HttpSessionStore::new("https://app.example.com")
    ///     .unwrap()
    ///     .timeout(Duration::from_secs(3));
    /// ```
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        let inner = Arc::make_mut(&mut self.inner);
        inner.timeout = timeout;
        inner.agent = inner.build_agent();
        self
    }

    /// How many lookups may be in flight at once (default
    /// [`DEFAULT_MAX_SESSION_LOOKUPS`], at least 1). Each holds a thread;
    /// past the cap a lookup fails at once rather than queueing behind a
    /// slow app.
    ///
    /// ```
    /// let store = jwtguard::HttpSessionStore::new("https://app.example.com")
    ///     .unwrap()
    ///     .max_in_flight(16);
    /// ```
    #[must_use]
    pub fn max_in_flight(mut self, max: usize) -> Self {
        self.max_in_flight = max.max(1);
        self
    }

    /// The largest answer read, in bytes (default
    /// [`DEFAULT_MAX_GET_SESSION_LEN`]); raise it if users' `image` fields
    /// hold large data URLs.
    ///
    /// ```
    /// let store = jwtguard::HttpSessionStore::new("https://app.example.com")
    ///     .unwrap()
    ///     .max_response_len(256 * 1024);
    /// ```
    #[must_use]
    pub fn max_response_len(mut self, max: u64) -> Self {
        Arc::make_mut(&mut self.inner).max_body_len = max;
        self
    }
}

impl Inner {
    fn build_agent(&self) -> ureq::Agent {
        let config = ureq::Agent::config_builder()
            .timeout_connect(Some(self.connect_timeout))
            .timeout_global(Some(self.timeout))
            // Statuses are judged below, with messages of our own.
            .http_status_as_error(false)
            // get-session never redirects; a redirect means a wrong base URL.
            // Following it would send the cookie elsewhere (or drop it and
            // make every session look unknown), so it is an error instead.
            .max_redirects(0)
            .accept("application/json")
            .user_agent(concat!("jwtguard/", env!("CARGO_PKG_VERSION")));
        let config = if self.https {
            // TLS authenticates the app through any proxy from the
            // environment, so that one may stay.
            config.https_only(true)
        } else {
            // Plain HTTP is trusted only on this machine: no proxy from the
            // environment in the middle of it.
            config.proxy(None)
        };
        config.build().into()
    }

    /// One blocking `get-session` call, with the session cookie `cookie`
    /// (`None`: the store's name for it).
    fn lookup(
        &self,
        token: &str,
        signed: &str,
        cookie: Option<&str>,
        backoff: &Backoff,
    ) -> Result<Option<SessionRecord>, SessionStoreError> {
        if !is_cookie_value(signed) {
            // The verifier checked its signature, so this does not happen;
            // refusing it keeps anything odd out of the request's headers.
            return Err(SessionStoreError::new(
                "the signed session token is not a valid cookie value",
            ));
        }
        let cookie = match cookie {
            // One of the verifier's configured names, checked when it was built.
            Some(name) => format!("{name}={signed}"),
            None => format!("{}={signed}", self.cookie_name),
        };
        let mut response = self
            .agent
            .get(&self.endpoint)
            .header("cookie", &cookie)
            .call()
            // ureq's messages name the URL and the failure, never headers.
            .map_err(|e| {
                store_error(format_args!(
                    "get-session request to {} failed: {e}",
                    self.endpoint
                ))
            })?;
        let status = response.status();
        if status.is_redirection() {
            return Err(store_error(format_args!(
                "get-session answered {status}: redirects are not followed, \
                 give the app's final URL"
            )));
        }
        if status == ureq::http::StatusCode::TOO_MANY_REQUESTS {
            let wait = retry_after(response.headers());
            backoff.hold(wait);
            return Err(store_error(format_args!(
                "get-session answered 429: Better Auth's rate limit counts this service's \
                 lookups as one client; none is sent for {} s. Exempt it with \
                 rateLimit.customRules[\"/get-session\"] = false",
                wait.as_secs()
            ))
            .retry_after(wait));
        }
        if status != ureq::http::StatusCode::OK {
            return Err(store_error(format_args!("get-session answered {status}")));
        }
        let body = response
            .body_mut()
            .with_config()
            .limit(self.max_body_len)
            .read_to_vec()
            .map_err(|e| {
                let error = store_error(format_args!("reading the get-session answer failed: {e}"));
                // A session whose user fields outgrow the limit answers
                // so every time: kept a while, not asked for per request.
                match e {
                    ureq::Error::BodyExceedsLimit(_) => error.unusable_answer(),
                    _ => error,
                }
            })?;
        // An answer that is not a session's is kept a while too.
        parse_get_session(&body, token).map_err(SessionStoreError::unusable_answer)
    }
}

impl SessionStore for HttpSessionStore {
    fn find_session<'a>(&'a self, token: &'a SessionToken<'a>) -> SessionLookup<'a> {
        Box::pin(async move {
            if let Some(wait) = self.backoff.remaining() {
                return Err(SessionStoreError::new(
                    "Better Auth rate-limited get-session: waiting for its Retry-After",
                )
                .retry_after(wait));
            }
            let Some(permit) = Permit::acquire(&self.in_flight, self.max_in_flight) else {
                return Err(SessionStoreError::new(
                    "too many session lookups in flight: the Better Auth app is slow or down",
                ));
            };
            let inner = Arc::clone(&self.inner);
            let token_owned = token.token().to_owned();
            let signed = token.signed_value().to_owned();
            let cookie = token.cookie_name().map(str::to_owned);
            let backoff = Arc::clone(&self.backoff);
            let answer = on_thread("jwtguard-session", move || {
                let answer = inner.lookup(&token_owned, &signed, cookie.as_deref(), &backoff);
                // Free the slot before answering, so that whoever awaits
                // the answer can start the next lookup at once.
                drop(permit);
                answer
            })
            // On failure the closure, and with it the permit, is dropped.
            .map_err(|e| store_error(format_args!("could not start a lookup thread: {e}")))?;
            answer.await.unwrap_or_else(|oneshot::Canceled| {
                Err(SessionStoreError::new(
                    "the session lookup thread ended without answering",
                ))
            })
        })
    }
}

/// The `get-session` URL for `base_url`, and whether it is HTTPS.
fn endpoint(base_url: &str) -> Result<(String, bool), SessionStoreError> {
    let invalid = || {
        // The URL is named unless it may carry a password.
        let shown = if base_url.contains('@') || base_url.len() > 200 {
            "the Better Auth URL".to_owned()
        } else {
            format!("the Better Auth URL {base_url:?}")
        };
        SessionStoreError::new(format!(
            "{shown} must be https://, or http:// to localhost, 127.0.0.0/8 or [::1], \
             without credentials, query or fragment"
        ))
    };
    // `http::Uri` tolerates a fragment; a base URL has no use for one.
    if base_url.contains('#') {
        return Err(invalid());
    }
    let uri: ureq::http::Uri = base_url.parse().map_err(|_| invalid())?;
    let authority = uri.authority().ok_or_else(invalid)?;
    let https = match uri.scheme_str() {
        Some("https") => true,
        Some("http") if crate::http::is_loopback(authority.host()) => false,
        _ => return Err(invalid()),
    };
    if authority.as_str().contains('@') || uri.query().is_some() || authority.host().is_empty() {
        return Err(invalid());
    }
    // As Better Auth's `withPath`: a base URL with a path is the base path.
    let path = uri.path().trim_end_matches('/');
    let path = if path.is_empty() {
        DEFAULT_BASE_PATH
    } else {
        path
    };
    let scheme = if https { "https" } else { "http" };
    Ok((
        format!(
            "{scheme}://{authority}{path}/get-session?disableCookieCache=true&disableRefresh=true"
        ),
        https,
    ))
}

/// An RFC 6265 cookie name (an RFC 7230 token).
fn is_cookie_name(name: &str) -> bool {
    const SEPARATORS: &[u8] = b"()<>@,;:\\\"/[]?={} \t";
    !name.is_empty()
        && name.len() <= 256
        && name
            .bytes()
            .all(|b| (0x21..=0x7e).contains(&b) && !SEPARATORS.contains(&b))
}

fn check_cookie_name(name: &str) -> Result<(), SessionStoreError> {
    if is_cookie_name(name) {
        Ok(())
    } else {
        Err(SessionStoreError::new(
            "the session cookie name must be a non-empty RFC 6265 token \
             (no spaces, `=`, `;` or other separators)",
        ))
    }
}

/// The name a bearer-plugin token is sent under.
#[derive(Clone)]
enum CookieName {
    /// Better Auth's own: `[__Secure-]<prefix>.session_token`.
    Better { prefix: String, secure: bool },
    /// An `advanced.cookies` rename, as given.
    Custom(String),
}

impl fmt::Display for CookieName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Better { prefix, secure } => {
                let secure = if *secure { "__Secure-" } else { "" };
                write!(f, "{secure}{prefix}.session_token")
            }
            Self::Custom(name) => f.write_str(name),
        }
    }
}

/// How long Better Auth's 429 asks to wait: its `X-Retry-After`, else a
/// standard `Retry-After`, in whole seconds; Better Auth's window (10 s)
/// when neither is a number. At least 1 s, at most 10 minutes.
fn retry_after(headers: &ureq::http::HeaderMap) -> Duration {
    let secs = ["x-retry-after", "retry-after"]
        .iter()
        .find_map(|name| {
            headers
                .get(*name)?
                .to_str()
                .ok()?
                .trim()
                .parse::<u64>()
                .ok()
        })
        .unwrap_or(10);
    Duration::from_secs(secs.clamp(1, 600))
}

/// RFC 6265 cookie-octets: what a URL-encoded signed token is made of.
fn is_cookie_value(value: &str) -> bool {
    !value.is_empty()
        && value
            .bytes()
            .all(|b| (0x21..=0x7e).contains(&b) && !matches!(b, b'"' | b',' | b';' | b'\\'))
}

fn store_error(message: fmt::Arguments<'_>) -> SessionStoreError {
    SessionStoreError::new(message.to_string())
}

/// Reads a `get-session` answer: `null` (no such session, or expired), or
/// `{"session": {..}, "user": {..}}`.
fn parse_get_session(body: &[u8], token: &str) -> Result<Option<SessionRecord>, SessionStoreError> {
    let unexpected =
        |what: &str| store_error(format_args!("unexpected get-session answer: {what}"));
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| store_error(format_args!("get-session answer is not JSON: {e}")))?;
    let top = match value {
        Value::Null => return Ok(None),
        Value::Object(top) => top,
        _ => return Err(unexpected("neither null nor an object")),
    };
    // A shared cache between here and the app (despite `no-store`) could
    // hand back another user's session: `read` refuses another token's.
    let stored = StoredSession::read(top, token).map_err(unexpected)?;
    let expires_at = match stored.session.get("expiresAt") {
        Some(Value::String(at)) => OffsetDateTime::parse(at, &Rfc3339)
            .map_err(|_| unexpected("session.expiresAt is not an RFC 3339 date"))?
            .unix_timestamp(),
        _ => return Err(unexpected("no session.expiresAt")),
    };
    Ok(Some(stored.record(expires_at)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::net::{TcpListener, TcpStream};
    use std::sync::mpsc;
    use std::task::{Context, Poll, Wake, Waker};
    use std::time::Instant;

    const TOKEN: &str = "yPEqljFCef9Y3wpZF2g0EwLInryUqAQ0";
    const SIGNED: &str =
        "yPEqljFCef9Y3wpZF2g0EwLInryUqAQ0.uF5Wl7aF6%2B9SeKGfsgxe%2BSpzmUAcc%2FXkXjTN9UJMOJU%3D";

    /// A minimal executor: poll, park until woken.
    fn block_on<F: Future>(future: F) -> F::Output {
        struct Unpark(std::thread::Thread);
        impl Wake for Unpark {
            fn wake(self: Arc<Self>) {
                self.0.unpark();
            }
        }
        let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
        let mut cx = Context::from_waker(&waker);
        let mut future = std::pin::pin!(future);
        loop {
            if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
                return out;
            }
            std::thread::park();
        }
    }

    fn find(store: &HttpSessionStore) -> Result<Option<SessionRecord>, SessionStoreError> {
        let token = SessionToken::for_test(TOKEN, SIGNED);
        block_on(store.find_session(&token))
    }

    /// A loopback server answering each connection with the next canned
    /// response (after its delay); sends each request head it read.
    fn serve(responses: Vec<(Duration, Vec<u8>)>) -> (String, mpsc::Receiver<String>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for (delay, response) in responses {
                let Ok((mut stream, _)) = listener.accept() else {
                    return;
                };
                let head = read_head(&mut stream);
                let _ = tx.send(head);
                std::thread::sleep(delay);
                let _ = stream.write_all(&response);
                let _ = stream.flush();
            }
        });
        (url, rx)
    }

    fn read_head(stream: &mut TcpStream) -> String {
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap_or(0) == 1 {
            head.push(byte[0]);
        }
        String::from_utf8_lossy(&head).into_owned()
    }

    fn response(status: &str, body: &str) -> Vec<u8> {
        format!(
            "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncache-control: no-store\r\n\
             connection: close\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        )
        .into_bytes()
    }

    fn found_body() -> String {
        serde_json::json!({
            "session": {
                "id": "sess-1", "userId": "user-1", "token": TOKEN,
                "expiresAt": "2026-12-08T05:44:51.761Z", "ipAddress": "", "userAgent": ""
            },
            "user": {
                "id": "user-1", "email": "ada@example.com", "name": "Ada Lovelace",
                "emailVerified": false, "image": null, "role": "admin"
            }
        })
        .to_string()
    }

    /// No error message or Debug output carries the token.
    fn assert_no_secret(text: &str) {
        assert!(!text.contains(TOKEN), "token leaked: {text}");
        assert!(!text.contains("uF5Wl7aF6"), "signature leaked: {text}");
    }

    fn expect_error(store: &HttpSessionStore, contains: &str) {
        let err = find(store).expect_err("an error");
        let message = err.to_string();
        assert!(message.contains(contains), "{message}");
        assert_no_secret(&message);
        assert_no_secret(&format!("{err:?}"));
    }

    #[test]
    fn an_answer_too_large_or_not_a_session_is_marked_unusable_and_a_500_is_not() {
        let big = found_body().replace("Ada Lovelace", &"A".repeat(70 * 1024));
        let (url, _heads) = serve(vec![
            (Duration::ZERO, response("200 OK", &big)),
            (Duration::ZERO, response("200 OK", r#"{"session":1}"#)),
            (Duration::ZERO, response("500 Internal Server Error", "{}")),
        ]);
        let store = HttpSessionStore::new(&url).unwrap();
        for unusable in [true, true, false] {
            let err = find(&store).unwrap_err();
            assert_eq!(err.is_unusable_answer(), unusable, "{err}");
            assert_no_secret(&err.to_string());
        }
    }

    #[test]
    fn a_found_session_becomes_a_record_and_the_request_carries_the_cookie() {
        let (url, heads) = serve(vec![(Duration::ZERO, response("200 OK", &found_body()))]);
        let store = HttpSessionStore::new(&url).unwrap();
        let record = find(&store).unwrap().expect("a session");
        assert_eq!(record.session_id(), "sess-1");
        assert_eq!(record.user_id(), "user-1");
        assert_eq!(record.expires_at_unix(), 1_796_708_691);
        let payload: Value = serde_json::from_slice(&record.to_payload()).unwrap();
        assert_eq!(payload["email"], "ada@example.com");
        assert_eq!(payload["emailVerified"], false);
        assert_eq!(payload["role"], "admin");
        assert_eq!(payload["sub"], "user-1");
        assert_eq!(payload["sid"], "sess-1");

        let head = heads.recv().unwrap();
        assert!(
            head.starts_with(
                "GET /api/auth/get-session?disableCookieCache=true&disableRefresh=true HTTP/1.1\r\n"
            ),
            "{head}"
        );
        let cookie = format!("cookie: better-auth.session_token={SIGNED}\r\n");
        assert!(
            head.to_ascii_lowercase()
                .contains(&cookie.to_ascii_lowercase()),
            "{head}"
        );
    }

    /// The `cookie` header of a lookup of `token` through `store`.
    fn cookie_sent(
        store: impl FnOnce(&str) -> HttpSessionStore,
        token: SessionToken<'_>,
    ) -> String {
        let (url, heads) = serve(vec![(Duration::ZERO, response("200 OK", "null"))]);
        let store = store(&url);
        assert!(block_on(store.find_session(&token)).unwrap().is_none());
        let head = heads.recv().unwrap();
        head.lines()
            .find_map(|line| {
                let (name, value) = line.split_once(": ")?;
                name.eq_ignore_ascii_case("cookie")
                    .then(|| value.to_owned())
            })
            .unwrap_or_else(|| panic!("no cookie in {head}"))
    }

    #[test]
    fn a_token_from_a_cookie_goes_back_under_that_cookies_name() {
        for name in [
            "__Secure-better-auth.session_token",
            "__Secure-myapp.session_token",
            "myapp.session_token",
            "renamed_sid",
        ] {
            let token = SessionToken {
                token: TOKEN,
                signed: SIGNED,
                cookie_name: Some(name),
            };
            let sent = cookie_sent(|url| HttpSessionStore::new(url).unwrap(), token);
            assert_eq!(sent, format!("{name}={SIGNED}"));
        }
    }

    #[test]
    fn a_bearer_token_goes_in_the_cookie_better_auth_would_name() {
        let bearer = || SessionToken::for_test(TOKEN, SIGNED);
        // A loopback http:// app: no `__Secure-`, as Better Auth decides it.
        let sent = cookie_sent(|url| HttpSessionStore::new(url).unwrap(), bearer());
        assert_eq!(sent, format!("better-auth.session_token={SIGNED}"));
        let sent = cookie_sent(
            |url| {
                HttpSessionStore::new(url)
                    .unwrap()
                    .cookie_prefix("myapp")
                    .unwrap()
                    .secure_cookies(true)
            },
            bearer(),
        );
        assert_eq!(sent, format!("__Secure-myapp.session_token={SIGNED}"));
        let sent = cookie_sent(
            |url| {
                HttpSessionStore::new(url)
                    .unwrap()
                    .cookie_name("sid")
                    .unwrap()
            },
            bearer(),
        );
        assert_eq!(sent, format!("sid={SIGNED}"));

        // An https:// app sets `__Secure-` names.
        let https = HttpSessionStore::new("https://app.example.com").unwrap();
        assert_eq!(
            https.inner.cookie_name.to_string(),
            "__Secure-better-auth.session_token"
        );
        let prefixed = https.cookie_prefix("myapp").unwrap();
        assert_eq!(
            prefixed.inner.cookie_name.to_string(),
            "__Secure-myapp.session_token"
        );
        let plain = prefixed.secure_cookies(false);
        assert_eq!(plain.inner.cookie_name.to_string(), "myapp.session_token");
    }

    #[test]
    fn the_base_path_is_configurable_and_cookie_names_are_checked() {
        let (url, heads) = serve(vec![(Duration::ZERO, response("200 OK", "null"))]);
        let store = HttpSessionStore::new(format!("{url}/custom/auth/")).unwrap();
        assert!(find(&store).unwrap().is_none());
        let head = heads.recv().unwrap();
        assert!(
            head.starts_with(
                "GET /custom/auth/get-session?disableCookieCache=true&disableRefresh=true "
            ),
            "{head}"
        );
        for bad in ["", "a b", "a=b", "a;b", "é"] {
            let store = HttpSessionStore::new(&url).unwrap();
            assert!(store.clone().cookie_name(bad).is_err(), "{bad:?}");
            assert_eq!(
                store.cookie_prefix(bad).is_err(),
                !bad.is_empty(),
                "{bad:?}"
            );
        }
        // An empty prefix is Better Auth's default one, as in Better Auth.
        let store = HttpSessionStore::new(&url)
            .unwrap()
            .cookie_prefix("")
            .unwrap();
        assert_eq!(
            store.inner.cookie_name.to_string(),
            "better-auth.session_token"
        );
    }

    #[test]
    fn a_429_pauses_every_lookup_for_its_retry_after() {
        let limited = "HTTP/1.1 429 Too Many Requests\r\ncontent-type: application/json\r\n\
                       x-retry-after: 3\r\nconnection: close\r\ncontent-length: 2\r\n\r\n{}";
        let (url, heads) = serve(vec![(Duration::ZERO, limited.as_bytes().to_vec())]);
        let store = HttpSessionStore::new(&url).unwrap();
        let err = find(&store).unwrap_err();
        assert!(err.to_string().contains("429"), "{err}");
        assert!(err.to_string().contains("/get-session"), "{err}");
        assert_eq!(err.retry_after_hint(), Some(Duration::from_secs(3)));
        heads.recv().unwrap();
        // The next lookups are not sent: the server would answer nothing more.
        let started = Instant::now();
        let again = find(&store.clone()).unwrap_err();
        assert!(started.elapsed() < Duration::from_millis(200));
        let wait = again.retry_after_hint().expect("a wait");
        assert!(
            wait <= Duration::from_secs(3) && wait > Duration::from_secs(2),
            "{wait:?}"
        );
        assert!(heads.try_recv().is_err());
        assert_no_secret(&again.to_string());
    }

    #[test]
    fn retry_after_reads_better_auths_header_then_the_standard_one() {
        let headers = |pairs: &[(&'static str, &'static str)]| {
            let mut map = ureq::http::HeaderMap::new();
            for (name, value) in pairs {
                map.insert(*name, ureq::http::HeaderValue::from_static(value));
            }
            map
        };
        let secs = |pairs: &[(&'static str, &'static str)]| retry_after(&headers(pairs)).as_secs();
        assert_eq!(secs(&[("x-retry-after", "7")]), 7);
        assert_eq!(secs(&[("retry-after", "4")]), 4);
        assert_eq!(secs(&[("x-retry-after", "7"), ("retry-after", "4")]), 7);
        assert_eq!(secs(&[]), 10);
        assert_eq!(
            secs(&[("retry-after", "Wed, 21 Oct 2015 07:28:00 GMT")]),
            10
        );
        assert_eq!(secs(&[("retry-after", "0")]), 1);
        assert_eq!(secs(&[("retry-after", "99999999")]), 600);
    }

    #[test]
    fn null_means_no_session() {
        let (url, _heads) = serve(vec![(Duration::ZERO, response("200 OK", "null"))]);
        assert!(
            find(&HttpSessionStore::new(&url).unwrap())
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn a_server_error_is_a_store_error() {
        let (url, _heads) = serve(vec![(
            Duration::ZERO,
            response("500 Internal Server Error", "{}"),
        )]);
        expect_error(&HttpSessionStore::new(&url).unwrap(), "500");
    }

    #[test]
    fn redirects_are_not_followed() {
        let redirect =
            b"HTTP/1.1 302 Found\r\nlocation: http://127.0.0.2:1/x\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                .to_vec();
        let (url, heads) = serve(vec![(Duration::ZERO, redirect)]);
        expect_error(
            &HttpSessionStore::new(&url).unwrap(),
            "redirects are not followed",
        );
        heads.recv().unwrap();
        assert!(heads.try_recv().is_err());
    }

    #[test]
    fn garbage_and_unexpected_shapes_are_store_errors() {
        let user_mismatch = found_body().replace("\"id\":\"user-1\"", "\"id\":\"user-2\"");
        assert!(user_mismatch.contains("user-2"));
        let other_token = found_body().replace(TOKEN, "another-token");
        let bad_date = found_body().replace("2026-12-08T05:44:51.761Z", "next tuesday");
        let cases: Vec<(String, &str)> = vec![
            ("<html>oops</html>".into(), "not JSON"),
            (
                "{\"session\":null,\"user\":null}".into(),
                "no session or user",
            ),
            ("[]".into(), "neither null nor an object"),
            ("42".into(), "neither null nor an object"),
            (user_mismatch, "user.id differs"),
            (other_token, "another session token"),
            (bad_date, "RFC 3339"),
        ];
        for (body, contains) in cases {
            let (url, _heads) = serve(vec![(Duration::ZERO, response("200 OK", &body))]);
            expect_error(&HttpSessionStore::new(&url).unwrap(), contains);
        }
    }

    #[test]
    fn a_huge_answer_is_refused() {
        let huge = format!("{{\"pad\":\"{}\"}}", "x".repeat(100 * 1024));
        let (url, _heads) = serve(vec![(Duration::ZERO, response("200 OK", &huge))]);
        expect_error(
            &HttpSessionStore::new(&url).unwrap(),
            "reading the get-session answer",
        );

        // Without a length, as a stream closed at the end.
        let mut streamed =
            b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n"
                .to_vec();
        streamed.extend_from_slice(huge.as_bytes());
        let (url, _heads) = serve(vec![(Duration::ZERO, streamed)]);
        expect_error(
            &HttpSessionStore::new(&url).unwrap(),
            "reading the get-session answer",
        );
    }

    #[test]
    fn a_slow_app_times_out() {
        let (url, _heads) = serve(vec![(Duration::from_secs(3), response("200 OK", "null"))]);
        let store = HttpSessionStore::new(&url)
            .unwrap()
            .timeout(Duration::from_millis(300));
        let started = Instant::now();
        expect_error(&store, "get-session request to");
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{:?}",
            started.elapsed()
        );
    }

    #[test]
    fn an_unreachable_app_is_a_store_error() {
        // A port nothing listens on: bind, then close.
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let store = HttpSessionStore::new(format!("http://127.0.0.1:{port}")).unwrap();
        expect_error(&store, "get-session request to");
    }

    #[test]
    fn lookups_past_the_cap_fail_at_once() {
        let (url, heads) = serve(vec![
            (Duration::from_millis(500), response("200 OK", "null")),
            (Duration::ZERO, response("200 OK", "null")),
        ]);
        let store = HttpSessionStore::new(&url).unwrap().max_in_flight(1);
        let first = {
            let store = store.clone();
            std::thread::spawn(move || find(&store))
        };
        heads.recv().unwrap(); // the first lookup is at the server
        let started = Instant::now();
        expect_error(&store, "too many session lookups");
        assert!(started.elapsed() < Duration::from_millis(200));
        assert!(first.join().unwrap().unwrap().is_none());
        // The slot is free again.
        assert!(find(&store).unwrap().is_none());
        assert_eq!(store.in_flight.load(Ordering::Acquire), 0);
    }

    #[test]
    fn only_https_or_loopback_http() {
        for url in [
            "https://app.example.com",
            "https://app.example.com/api/auth",
            "http://localhost:3000",
            "http://LOCALHOST:3000/",
            "http://127.0.0.1:3000",
            "http://127.1.2.3",
            "http://[::1]:3000",
        ] {
            assert!(HttpSessionStore::new(url).is_ok(), "{url}");
        }
        for url in [
            "http://app.example.com",
            "http://10.0.0.1:3000",
            "http://localhost.evil.example",
            "http://127.0.0.1.nip.io",
            "ftp://localhost/",
            "localhost:3000",
            "/api/auth",
            "",
            "https://user:pw@app.example.com",
            "http://evil.example@localhost",
            "https://app.example.com/?x=1",
            "https://app.example.com/#frag",
        ] {
            assert!(HttpSessionStore::new(url).is_err(), "{url}");
        }
    }

    #[test]
    fn a_refused_url_is_named_unless_it_may_hold_a_password() {
        let err = HttpSessionStore::new("http://app.example.com").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("the Better Auth URL \"http://app.example.com\" must be https://"),
            "{err}"
        );
        let err = HttpSessionStore::new(String::from("https://user:hunter2@app.example.com"))
            .unwrap_err();
        assert!(!err.to_string().contains("hunter2"), "{err}");
    }

    #[test]
    fn the_endpoint_follows_better_auth_base_url_rules() {
        let cases = [
            (
                "https://app.example.com",
                "https://app.example.com/api/auth/get-session",
            ),
            (
                "https://app.example.com/",
                "https://app.example.com/api/auth/get-session",
            ),
            (
                "https://app.example.com/api/auth/",
                "https://app.example.com/api/auth/get-session",
            ),
            (
                "http://[::1]:3000/auth",
                "http://[::1]:3000/auth/get-session",
            ),
        ];
        for (base, expected) in cases {
            let (endpoint, _) = endpoint(base).unwrap();
            assert_eq!(
                endpoint,
                format!("{expected}?disableCookieCache=true&disableRefresh=true")
            );
        }
    }

    #[test]
    fn debug_shows_the_url_and_cookie_name_only() {
        let store = HttpSessionStore::new("https://app.example.com").unwrap();
        let debug = format!("{store:?}");
        assert!(
            debug.contains("https://app.example.com/api/auth/get-session"),
            "{debug}"
        );
        assert!(
            debug.contains("__Secure-better-auth.session_token"),
            "{debug}"
        );
    }

    #[test]
    fn an_odd_signed_value_is_never_sent() {
        let store = HttpSessionStore::new("http://127.0.0.1:9").unwrap();
        for signed in ["", "a;b", "a\r\nX-Evil: 1", "a b"] {
            let token = SessionToken::for_test("t", signed);
            let err = block_on(store.find_session(&token)).unwrap_err();
            assert!(err.to_string().contains("not a valid cookie value"));
        }
    }

    #[test]
    fn a_lookup_thread_that_ends_without_answering_is_reported() {
        // `resume_unwind`: a panic that skips the panic hook's message.
        let panics = on_thread("t", || -> u8 {
            std::panic::resume_unwind(Box::new("lookup bug"))
        });
        assert_eq!(block_on(panics.unwrap()), Err(oneshot::Canceled));
        assert_eq!(block_on(on_thread("t", || 7_u8).unwrap()), Ok(7));
    }
}
