//! Minting Better Auth session credentials for tests: what its
//! `setSessionCookie` and `setCookieCache` write (better-auth 1.7).

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::{Map, Value, json};
use time::OffsetDateTime;
use zeroize::Zeroizing;

use crate::keys::hmac::HmacKey;
use crate::session::cookie_cache::CookieCacheStrategy;
use crate::session::store::SessionRecord;
use crate::testing::sign_raw;
use crate::token::clock::Clock;

/// Better Auth's default session lifetime (`session.expiresIn`): 7 days.
const SESSION_LIFETIME: Duration = Duration::from_secs(7 * 24 * 3600);

/// Better Auth's default cookie-cache lifetime (`cookieCache.maxAge`): 5 minutes.
const CACHE_LIFETIME: Duration = Duration::from_secs(300);

/// Builds a Better Auth session and mints its credentials: the signed
/// session cookie, the bearer plugin's token, and the cookie cache
/// (`compact` or `jwt`), signed with `secret` as Better Auth signs them.
///
/// ```
/// use jwtguard::testing::SessionMinter;
///
/// let session = SessionMinter::new("better-auth-secret-0123456789abcdefghij")
///     .user_id("user-1")
///     .user_field("email", "ada@example.com");
/// let cookie = format!(
///     "better-auth.session_token={}; better-auth.session_data={}",
///     session.cookie_value(),
///     session.cookie_cache(jwtguard::CookieCacheStrategy::Compact),
/// );
/// assert!(cookie.contains("%3D"));
/// ```
#[derive(Clone)]
#[must_use]
pub struct SessionMinter {
    secret: Zeroizing<Vec<u8>>,
    token: String,
    session_id: String,
    user_id: String,
    user: Map<String, Value>,
    now: i64,
    expires_at: i64,
    cache_expires_at: i64,
    version: String,
}

impl std::fmt::Debug for SessionMinter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionMinter")
            .field("session_id", &self.session_id)
            .field("user_id", &self.user_id)
            .finish_non_exhaustive()
    }
}

impl SessionMinter {
    /// A session of user `user-1`, id `session-1`, token
    /// `testSessionToken0123456789abcdef`, starting now, lasting 7 days, with
    /// a 5-minute cookie cache.
    ///
    /// ```
    /// let session = jwtguard::testing::SessionMinter::new("better-auth-secret-0123456789abcdefghij");
    /// assert_eq!(session.session_token(), "testSessionToken0123456789abcdef");
    /// ```
    pub fn new(secret: impl AsRef<[u8]>) -> Self {
        let now = Clock::system().now_unix() as i64;
        Self {
            secret: Zeroizing::new(secret.as_ref().to_vec()),
            token: "testSessionToken0123456789abcdef".to_owned(),
            session_id: "session-1".to_owned(),
            user_id: "user-1".to_owned(),
            user: Map::new(),
            now,
            expires_at: now + SESSION_LIFETIME.as_secs() as i64,
            cache_expires_at: now + CACHE_LIFETIME.as_secs() as i64,
            version: "1".to_owned(),
        }
    }

    /// The session token (`[A-Za-z0-9_-]`, as stored in `session.token`).
    ///
    /// ```
    /// let session = jwtguard::testing::SessionMinter::new("s").token("abc");
    /// assert_eq!(session.session_token(), "abc");
    /// ```
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = token.into();
        self
    }

    /// The session id (`session.id`).
    ///
    /// ```
    /// let session = jwtguard::testing::SessionMinter::new("s").session_id("s-2");
    /// ```
    pub fn session_id(mut self, id: impl Into<String>) -> Self {
        self.session_id = id.into();
        self
    }

    /// The user id (`session.userId` and `user.id`).
    ///
    /// ```
    /// let session = jwtguard::testing::SessionMinter::new("s").user_id("user-2");
    /// ```
    pub fn user_id(mut self, id: impl Into<String>) -> Self {
        self.user_id = id.into();
        self
    }

    /// A field of the user (`email`, `name`, `role`...).
    ///
    /// ```
    /// let session = jwtguard::testing::SessionMinter::new("s").user_field("role", "admin");
    /// ```
    pub fn user_field(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.user.insert(name.into(), value.into());
        self
    }

    /// Moves "now" to `unix_seconds`: the session and its cache start then.
    ///
    /// ```
    /// let session = jwtguard::testing::SessionMinter::new("s").at(1_700_000_000);
    /// ```
    pub fn at(mut self, unix_seconds: i64) -> Self {
        let (lifetime, cache) = (self.expires_at - self.now, self.cache_expires_at - self.now);
        self.now = unix_seconds;
        self.expires_at = unix_seconds + lifetime;
        self.cache_expires_at = unix_seconds + cache;
        self
    }

    /// When the session expires (`session.expiresAt`), in seconds since the epoch.
    ///
    /// ```
    /// let expired = jwtguard::testing::SessionMinter::new("s").expires_at(1);
    /// ```
    pub fn expires_at(mut self, unix_seconds: i64) -> Self {
        self.expires_at = unix_seconds;
        self
    }

    /// When the cookie cache expires, in seconds since the epoch.
    ///
    /// ```
    /// let stale = jwtguard::testing::SessionMinter::new("s").cache_expires_at(1);
    /// ```
    pub fn cache_expires_at(mut self, unix_seconds: i64) -> Self {
        self.cache_expires_at = unix_seconds;
        self
    }

    /// The cookie cache's `version` (default `"1"`).
    ///
    /// ```
    /// let session = jwtguard::testing::SessionMinter::new("s").cache_version("2");
    /// ```
    pub fn cache_version(mut self, version: impl Into<String>) -> Self {
        self.version = version.into();
        self
    }

    /// The session token as stored.
    ///
    /// ```
    /// # let session = jwtguard::testing::SessionMinter::new("s");
    /// let token: &str = session.session_token();
    /// ```
    pub fn session_token(&self) -> &str {
        &self.token
    }

    /// `<token>.<signature>`: the bearer plugin's `set-auth-token` value.
    ///
    /// ```
    /// let session = jwtguard::testing::SessionMinter::new("s");
    /// assert!(session.bearer_value().ends_with('='));
    /// ```
    pub fn bearer_value(&self) -> String {
        let tag = HmacKey::new(&self.secret).tag(self.token.as_bytes());
        format!("{}.{}", self.token, STANDARD.encode(tag))
    }

    /// The session cookie's value: [`bearer_value`](Self::bearer_value)
    /// URL-encoded, as in Better Auth's `Set-Cookie`.
    ///
    /// ```
    /// let session = jwtguard::testing::SessionMinter::new("s");
    /// assert!(session.cookie_value().ends_with("%3D"));
    /// ```
    pub fn cookie_value(&self) -> String {
        self.bearer_value()
            .replace('+', "%2B")
            .replace('/', "%2F")
            .replace('=', "%3D")
    }

    /// The session as a store returns it.
    ///
    /// ```
    /// let session = jwtguard::testing::SessionMinter::new("s");
    /// assert_eq!(session.record().user_id(), "user-1");
    /// ```
    pub fn record(&self) -> SessionRecord {
        let mut user = self.user.clone();
        user.insert("id".into(), self.user_id.clone().into());
        SessionRecord::new(&self.session_id, &self.user_id, self.expires_at).user_fields(user)
    }

    /// The `session_data` cookie in `strategy` (`compact` or `jwt`; `jwe`
    /// is minted by Better Auth itself in the interop tests).
    ///
    /// ```
    /// let session = jwtguard::testing::SessionMinter::new("s");
    /// let jwt = session.cookie_cache(jwtguard::CookieCacheStrategy::Jwt);
    /// assert_eq!(jwt.split('.').count(), 3);
    /// ```
    pub fn cookie_cache(&self, strategy: CookieCacheStrategy) -> String {
        let data = self.session_data();
        match strategy {
            CookieCacheStrategy::Jwt => {
                let mut claims = data.as_object().cloned().unwrap_or_default();
                claims.insert("iat".into(), self.now.into());
                claims.insert("exp".into(), self.cache_expires_at.into());
                sign_raw(
                    &self.secret,
                    r#"{"alg":"HS256"}"#,
                    &Value::Object(claims).to_string(),
                )
            }
            _ => {
                let data = data.to_string();
                let expires_at_ms = self.cache_expires_at * 1000;
                let signed = format!(
                    "{},\"expiresAt\":{expires_at_ms}}}",
                    &data[..data.len() - 1]
                );
                let signature =
                    URL_SAFE_NO_PAD.encode(HmacKey::new(&self.secret).tag(signed.as_bytes()));
                let outer = format!(
                    r#"{{"session":{data},"expiresAt":{expires_at_ms},"signature":"{signature}"}}"#
                );
                URL_SAFE_NO_PAD.encode(outer)
            }
        }
    }

    /// `{session, user, updatedAt, version}` as Better Auth caches it.
    fn session_data(&self) -> Value {
        let mut user = self.user.clone();
        user.insert("id".into(), self.user_id.clone().into());
        for (name, value) in [
            ("name", Value::from("Test User")),
            ("email", Value::from("user@example.com")),
            ("emailVerified", Value::from(true)),
            ("createdAt", Value::from(iso_date(self.now))),
            ("updatedAt", Value::from(iso_date(self.now))),
        ] {
            user.entry(name).or_insert(value);
        }
        json!({
            "session": {
                "expiresAt": iso_date(self.expires_at),
                "token": self.token,
                "createdAt": iso_date(self.now),
                "updatedAt": iso_date(self.now),
                "ipAddress": "",
                "userAgent": "",
                "userId": self.user_id,
                "id": self.session_id,
            },
            "user": user,
            "updatedAt": self.now * 1000,
            "version": self.version,
        })
    }
}

/// `Date.toJSON`: `2026-12-08T05:44:51.000Z`.
fn iso_date(unix_seconds: i64) -> String {
    let at =
        OffsetDateTime::from_unix_timestamp(unix_seconds).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.000Z",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    )
}
