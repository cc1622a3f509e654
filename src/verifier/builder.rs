//! [`VerifierBuilder`]: everything a [`Verifier`] checks, decided once.

use std::fmt;
use std::time::Duration;

use zeroize::Zeroizing;

use crate::credential::Credentials;
use crate::error::Error;
use crate::error::config::ConfigError;
#[cfg(feature = "jwks")]
use crate::jwks::settings::{JwksSettings, JwksSource};
use crate::keys::hmac::HmacKeys;
use crate::keys::hmac::{MAX_KEYS, MIN_SECRET_LEN, is_public_default_secret};
use crate::session::cookie_cache::CookieCacheStrategy;
use crate::session::settings::{SecureCookies, SessionSettings};
use crate::session::store::SessionStore;
use crate::token::clock::Clock;
use crate::token::header::KnownHeaders;
use crate::token::policy::ClaimCheck;
use crate::token::policy::Policy;
use crate::verifier::Verifier;
use crate::verifier::{ErrorResponder, Inner};

/// The default cap on a token's length, in bytes.
pub const DEFAULT_MAX_TOKEN_LEN: usize = 8 * 1024;

/// A secret waiting for `build()`; zeroed on drop.
struct PendingSecret {
    kid: Option<String>,
    source: String,
    bytes: Zeroizing<Vec<u8>>,
}

/// Configures a [`Verifier`]. Start with [`Verifier::builder`].
///
/// ```
/// use std::time::Duration;
///
/// let verifier = jwtguard::Verifier::builder()
///     .hs256_secret("a-shared-secret-of-at-least-32-bytes!")
///     .issuer("nextjs-frontend")
///     .audience("fastapi-backend")
///     .leeway(Duration::from_secs(0))
///     .build()?;
/// # Ok::<(), jwtguard::ConfigError>(())
/// ```
#[must_use]
pub struct VerifierBuilder {
    secrets: Vec<PendingSecret>,
    issuers: Vec<String>,
    issuer_check: ClaimCheck,
    audiences: Vec<String>,
    audience_check: ClaimCheck,
    leeway: Duration,
    require_exp: bool,
    max_token_len: usize,
    cookie_name: Option<String>,
    cookie_origins: Vec<String>,
    websocket_query: Option<String>,
    clock: Clock,
    error_responder: Option<ErrorResponder>,
    #[cfg(feature = "jwks")]
    jwks: JwksSettings,
    sessions: SessionSettings,
}

impl Default for VerifierBuilder {
    fn default() -> Self {
        Self {
            secrets: Vec::new(),
            issuers: Vec::new(),
            issuer_check: ClaimCheck::Skip,
            audiences: Vec::new(),
            audience_check: ClaimCheck::Skip,
            leeway: Duration::ZERO,
            require_exp: true,
            max_token_len: DEFAULT_MAX_TOKEN_LEN,
            cookie_name: None,
            cookie_origins: Vec::new(),
            websocket_query: None,
            clock: Clock::system(),
            error_responder: None,
            #[cfg(feature = "jwks")]
            jwks: Default::default(),
            sessions: SessionSettings::default(),
        }
    }
}

impl fmt::Debug for VerifierBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifierBuilder")
            .field(
                "secrets",
                &format_args!("<{} redacted>", self.secrets.len()),
            )
            .field("issuers", &self.issuers)
            .field("issuer_check", &self.issuer_check)
            .field("audiences", &self.audiences)
            .field("audience_check", &self.audience_check)
            .field("leeway", &self.leeway)
            .field("require_exp", &self.require_exp)
            .field("max_token_len", &self.max_token_len)
            .field("cookie_name", &self.cookie_name)
            .field("cookie_origins", &self.cookie_origins)
            .field("websocket_query", &self.websocket_query)
            .field("jwks", &self.has_jwks())
            .field("sessions", &self.sessions.is_set())
            .finish()
    }
}

impl VerifierBuilder {
    fn has_jwks(&self) -> bool {
        #[cfg(feature = "jwks")]
        return self.jwks.is_set();
        #[cfg(not(feature = "jwks"))]
        false
    }

    /// Adds an HS256 secret (at least 32 bytes). Call again to keep several
    /// active during a rotation: a token without `kid` is accepted when any
    /// of them signed it.
    ///
    /// ```
    /// let verifier = jwtguard::Verifier::builder()
    ///     .hs256_secret("the-new-secret-of-at-least-32-bytes!!")
    ///     .hs256_secret(b"the-old-secret-of-at-least-32-bytes!!")
    ///     .build()?;
    /// # Ok::<(), jwtguard::ConfigError>(())
    /// ```
    pub fn hs256_secret(self, secret: impl AsRef<[u8]>) -> Self {
        let source = format!("HS256 secret #{}", self.secrets.len() + 1);
        self.push_secret(None, source, secret.as_ref())
    }

    /// Adds an HS256 secret under a key id. A token whose header carries a
    /// `kid` is checked only against the key with that id.
    ///
    /// ```
    /// let verifier = jwtguard::Verifier::builder()
    ///     .hs256_secret_with_kid("2026-11", "a-shared-secret-of-at-least-32-bytes!")
    ///     .build()?;
    /// # Ok::<(), jwtguard::ConfigError>(())
    /// ```
    pub fn hs256_secret_with_kid(self, kid: impl Into<String>, secret: impl AsRef<[u8]>) -> Self {
        let kid = kid.into();
        let source = format!("HS256 secret for kid #{}", self.secrets.len() + 1);
        self.push_secret(Some(kid), source, secret.as_ref())
    }

    /// Adds a secret whose errors name `source` (an environment variable).
    pub(crate) fn named_secret(self, source: &str, secret: &[u8]) -> Self {
        self.push_secret(None, source.to_owned(), secret)
    }

    fn push_secret(mut self, kid: Option<String>, source: String, secret: &[u8]) -> Self {
        self.secrets.push(PendingSecret {
            kid,
            source,
            bytes: Zeroizing::new(secret.to_vec()),
        });
        self
    }

    /// Accepts tokens from `issuer` (call again to accept several). Unless
    /// [`issuer_check`](Self::issuer_check) says otherwise, `iss` is then
    /// checked when a token carries it, as the FastAPI + python-jose pattern does.
    ///
    /// ```
    /// let verifier = jwtguard::Verifier::builder()
    ///     .hs256_secret("a-shared-secret-of-at-least-32-bytes!")
    ///     .issuer("nextjs-frontend")
    ///     .build()?;
    /// # Ok::<(), jwtguard::ConfigError>(())
    /// ```
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuers.push(issuer.into());
        if self.issuer_check == ClaimCheck::Skip {
            self.issuer_check = ClaimCheck::IfPresent;
        }
        self
    }

    /// Sets how `iss` is checked.
    ///
    /// ```
    /// use jwtguard::ClaimCheck;
    /// let verifier = jwtguard::Verifier::builder()
    ///     .hs256_secret("a-shared-secret-of-at-least-32-bytes!")
    ///     .issuer("nextjs-frontend")
    ///     .issuer_check(ClaimCheck::Required)
    ///     .build()?;
    /// # Ok::<(), jwtguard::ConfigError>(())
    /// ```
    pub fn issuer_check(mut self, check: ClaimCheck) -> Self {
        self.issuer_check = check;
        self
    }

    /// Accepts tokens for `audience` (call again to accept several). A token's
    /// `aud` may be a string or an array; it matches when any element does.
    /// Unless [`audience_check`](Self::audience_check) says otherwise, `aud`
    /// is then checked when a token carries it.
    ///
    /// ```
    /// let verifier = jwtguard::Verifier::builder()
    ///     .hs256_secret("a-shared-secret-of-at-least-32-bytes!")
    ///     .audience("fastapi-backend")
    ///     .build()?;
    /// # Ok::<(), jwtguard::ConfigError>(())
    /// ```
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.audiences.push(audience.into());
        if self.audience_check == ClaimCheck::Skip {
            self.audience_check = ClaimCheck::IfPresent;
        }
        self
    }

    /// Sets how `aud` is checked.
    ///
    /// ```
    /// use jwtguard::ClaimCheck;
    /// let verifier = jwtguard::Verifier::builder()
    ///     .hs256_secret("a-shared-secret-of-at-least-32-bytes!")
    ///     .audience("fastapi-backend")
    ///     .audience_check(ClaimCheck::Required)
    ///     .build()?;
    /// # Ok::<(), jwtguard::ConfigError>(())
    /// ```
    pub fn audience_check(mut self, check: ClaimCheck) -> Self {
        self.audience_check = check;
        self
    }

    /// Allowed clock skew for `exp` and `nbf` (default 0, as python-jose).
    /// `iat` may be up to 60 seconds, or the leeway if larger, in the future.
    ///
    /// ```
    /// let verifier = jwtguard::Verifier::builder()
    ///     .hs256_secret("a-shared-secret-of-at-least-32-bytes!")
    ///     .leeway(std::time::Duration::from_secs(30))
    ///     .build()?;
    /// # Ok::<(), jwtguard::ConfigError>(())
    /// ```
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }

    /// Whether `exp` must be present (default `true`). Tokens without `exp`
    /// never expire; turn this off only for issuers you control that cannot set it.
    ///
    /// ```
    /// let verifier = jwtguard::Verifier::builder()
    ///     .hs256_secret("a-shared-secret-of-at-least-32-bytes!")
    ///     .require_exp(false)
    ///     .build()?;
    /// # Ok::<(), jwtguard::ConfigError>(())
    /// ```
    pub fn require_exp(mut self, required: bool) -> Self {
        self.require_exp = required;
        self
    }

    /// Tokens longer than `bytes` are refused before any decoding (default 8 KiB).
    ///
    /// ```
    /// let verifier = jwtguard::Verifier::builder()
    ///     .hs256_secret("a-shared-secret-of-at-least-32-bytes!")
    ///     .max_token_len(4096)
    ///     .build()?;
    /// # Ok::<(), jwtguard::ConfigError>(())
    /// ```
    pub fn max_token_len(mut self, bytes: usize) -> Self {
        self.max_token_len = bytes;
        self
    }

    /// Also reads the token from the cookie `name` when a request has no
    /// `Authorization` header (the header wins when both are sent).
    ///
    /// ```
    /// let verifier = jwtguard::Verifier::builder()
    ///     .hs256_secret("a-shared-secret-of-at-least-32-bytes!")
    ///     .token_cookie("auth_token")
    ///     .build()?;
    /// # Ok::<(), jwtguard::ConfigError>(())
    /// ```
    pub fn token_cookie(mut self, name: impl Into<String>) -> Self {
        self.cookie_name = Some(name.into());
        self
    }

    /// Also reads a JWT from the query parameter `name` (for example
    /// `access_token`) of WebSocket upgrade requests, which a browser's
    /// `new WebSocket(url)` cannot give an `Authorization` header. Only a
    /// `GET` with `Upgrade: websocket` and `Connection: upgrade` is read
    /// this way; on any other request the parameter is ignored. The value
    /// must be the compact JWT as is (base64url and dots, nothing
    /// percent-encoded); a parameter sent twice, or together with an
    /// `Authorization` header, is
    /// [`MultipleCredentials`](crate::ErrorKind::MultipleCredentials). It
    /// wins over cookies, which the browser adds by itself.
    ///
    /// **Risks.** A URL is written where headers are not: proxy and access
    /// logs, browser history, `Referer` never (WebSocket URLs are not
    /// navigated). jwtguard never logs it, but a `TraceLayer` or a reverse
    /// proxy logging the request line will: keep such logs off the upgrade
    /// route or strip the query, and send short-lived tokens (Better Auth's
    /// JWT plugin issues 15-minute ones). When the page and the API share a
    /// site, Better Auth's session cookie needs no query parameter at all.
    ///
    /// ```
    /// let verifier = jwtguard::Verifier::builder()
    ///     .hs256_secret("a-shared-secret-of-at-least-32-bytes!")
    ///     .websocket_token_query("access_token")
    ///     .build()?;
    /// # Ok::<(), jwtguard::ConfigError>(())
    /// ```
    pub fn websocket_token_query(mut self, name: impl Into<String>) -> Self {
        self.websocket_query = Some(name.into());
        self
    }

    /// Guards a cookie-borne token against cross-site request forgery: a
    /// browser sends the [`token_cookie`](Self::token_cookie) with requests
    /// that other sites start. With this set, a token read from the cookie
    /// on a request whose method is not `GET`, `HEAD`, `OPTIONS` or
    /// `TRACE`, or on any request with an `Upgrade` header (a WebSocket
    /// handshake is a `GET` that opens a two-way channel any site may ask
    /// for: cross-site WebSocket hijacking), is
    /// accepted only when the request has exactly one `Origin` header equal
    /// to one of `origins` (scheme, host and port, e.g.
    /// `https://app.example.com`; compared without regard to case). A
    /// missing `Origin`, or `null`, is refused with
    /// [`ErrorKind::OriginNotAllowed`](crate::ErrorKind::OriginNotAllowed)
    /// (403). Tokens from the `Authorization` header are not checked: a
    /// browser never adds that header by itself.
    ///
    /// The method is known to the adapters' extractors; the `verify_headers*`
    /// methods, which see only headers, treat every request as unsafe.
    ///
    /// ```
    /// let verifier = jwtguard::Verifier::builder()
    ///     .hs256_secret("a-shared-secret-of-at-least-32-bytes!")
    ///     .token_cookie("auth_token")
    ///     .token_cookie_origins(["https://app.example.com"])
    ///     .build()?;
    /// # Ok::<(), jwtguard::ConfigError>(())
    /// ```
    pub fn token_cookie_origins<I>(mut self, origins: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.cookie_origins
            .extend(origins.into_iter().map(|origin| {
                origin
                    .into()
                    .trim()
                    .trim_end_matches('/')
                    .to_ascii_lowercase()
            }));
        self
    }

    /// Where "now" comes from (default: the system clock).
    ///
    /// ```
    /// let verifier = jwtguard::Verifier::builder()
    ///     .hs256_secret("a-shared-secret-of-at-least-32-bytes!")
    ///     .clock(jwtguard::Clock::fixed_unix(1_700_000_000))
    ///     .build()?;
    /// # Ok::<(), jwtguard::ConfigError>(())
    /// ```
    pub fn clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// Replaces how refusals are answered by the adapters (and by
    /// [`Verifier::reject`]). The function gets the error, which knows its
    /// [`status`](Error::status), challenge and [`code`](crate::ErrorKind::code),
    /// and returns the whole response.
    ///
    /// ```
    /// let verifier = jwtguard::Verifier::builder()
    ///     .hs256_secret("a-shared-secret-of-at-least-32-bytes!")
    ///     .error_response(|err| {
    ///         let mut response = err.to_response();
    ///         *response.body_mut() = format!(r#"{{"error":"{}"}}"#, err.kind().code());
    ///         response
    ///     })
    ///     .build()?;
    /// # Ok::<(), jwtguard::ConfigError>(())
    /// ```
    pub fn error_response(
        mut self,
        render: impl Fn(&Error) -> http::Response<String> + Send + Sync + 'static,
    ) -> Self {
        self.error_responder = Some(std::sync::Arc::new(render));
        self
    }

    /// Checks the configuration and prepares every key.
    ///
    /// Fails when there is no key, a secret is shorter than 32 bytes, there
    /// are more than [`MAX_KEYS`](crate::limits::MAX_KEYS) secrets, key ids are empty
    /// or repeated, a claim check has no accepted value, or (feature `jwks`)
    /// the JWKS cannot be fetched or has no usable key.
    ///
    /// ```
    /// let err = jwtguard::Verifier::builder().build().unwrap_err();
    /// assert_eq!(err, jwtguard::ConfigError::NoKeys);
    /// ```
    pub fn build(self) -> Result<Verifier, ConfigError> {
        if self.secrets.is_empty() && !self.has_jwks() && !self.sessions.is_set() {
            return Err(ConfigError::NoKeys);
        }
        if self.secrets.len() > MAX_KEYS {
            return Err(ConfigError::TooManyKeys { max: MAX_KEYS });
        }
        if self.max_token_len == 0 {
            return Err(ConfigError::InvalidMaxTokenLength);
        }
        let policy = Policy {
            leeway_secs: self.leeway.as_secs_f64(),
            require_exp: self.require_exp,
            issuer_check: self.issuer_check,
            issuers: self.issuers,
            audience_check: self.audience_check,
            audiences: self.audiences,
            clock: self.clock,
        };
        policy.check_values()?;
        let sessions = self.sessions.build(&policy)?;
        if !self.cookie_origins.is_empty() && self.cookie_name.is_none() && sessions.is_none() {
            return Err(ConfigError::OriginsWithoutCookie);
        }
        if self
            .cookie_origins
            .iter()
            .any(|origin| origin.is_empty() || origin == "null")
        {
            return Err(ConfigError::InvalidOrigin);
        }
        if let Some(name) = &self.websocket_query {
            let valid = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.');
            if name.is_empty() || !name.bytes().all(valid) {
                return Err(ConfigError::InvalidQueryParameter);
            }
        }
        let mut keys = HmacKeys::default();
        for secret in &self.secrets {
            if is_public_default_secret(&secret.bytes) {
                return Err(ConfigError::PublicDefaultSecret {
                    origin: secret.source.clone(),
                });
            }
            if secret.bytes.len() < MIN_SECRET_LEN {
                return Err(ConfigError::SecretTooShort {
                    origin: secret.source.clone(),
                    len: secret.bytes.len(),
                });
            }
            if let Some(kid) = &secret.kid {
                if kid.is_empty() || keys.has_kid(kid) {
                    return Err(ConfigError::InvalidKeyId);
                }
            }
            keys.push(secret.kid.clone(), &secret.bytes);
        }
        debug_assert_eq!(keys.len(), self.secrets.len());
        let known_headers = if keys.len() > 0 {
            KnownHeaders::hs256()
        } else {
            KnownHeaders::default()
        };
        #[cfg(feature = "jwks")]
        let public_key_policy = self.jwks.public_key_policy(&policy)?;
        Ok(Verifier::from_inner(Inner {
            keys,
            known_headers,
            // Last: it may fetch, and every cheaper mistake is reported first.
            #[cfg(feature = "jwks")]
            jwks: self.jwks.build()?,
            #[cfg(feature = "jwks")]
            public_key_policy,
            policy,
            max_token_len: self.max_token_len,
            credentials: Credentials {
                token_cookie: self.cookie_name,
                cookie_origins: self.cookie_origins,
                websocket_query: self.websocket_query,
                sessions,
            },
            error_responder: self.error_responder,
        }))
    }
}

/// Better Auth's session credentials: the signed session cookie, the bearer
/// plugin's token, and the cookie cache. Nothing here is accepted unless
/// [`session_store`](Self::session_store) or
/// [`session_cookie_cache`](Self::session_cookie_cache) is called.
impl VerifierBuilder {
    /// Adds Better Auth's secret (`BETTER_AUTH_SECRET`). Call it first with
    /// the current secret; during a rotation call it again for each older
    /// one, in `BETTER_AUTH_SECRETS` order. Better Auth signs session
    /// cookies and the `compact` and `jwt` caches with the current secret
    /// alone, so only that one checks them; every one decrypts a `jwe`
    /// cache. (HS256 JWT secrets are [`hs256_secret`](Self::hs256_secret);
    /// [`Verifier::from_env`] sets both.)
    ///
    /// ```
    /// let verifier = jwtguard::Verifier::builder()
    ///     .session_secret("better-auth-secret-0123456789abcdefghij")
    ///     .session_cookie_cache(jwtguard::CookieCacheStrategy::Compact)
    ///     .build()?;
    /// # Ok::<(), jwtguard::ConfigError>(())
    /// ```
    ///
    /// [`build`](Self::build) refuses an empty secret, Better Auth's public
    /// default one, and (unless [`allow_short_session_secret`](Self::allow_short_session_secret))
    /// one shorter than 32 bytes.
    pub fn session_secret(self, secret: impl AsRef<[u8]>) -> Self {
        let origin = format!("session secret #{}", self.sessions.secrets.len() + 1);
        self.named_session_secret(origin, secret.as_ref())
    }

    /// Adds a session secret whose errors name `origin` (an environment variable).
    pub(crate) fn named_session_secret(mut self, origin: String, secret: &[u8]) -> Self {
        self.sessions
            .secrets
            .push((origin, Zeroizing::new(secret.to_vec())));
        self
    }

    /// Accepts session secrets shorter than 32 bytes (never an empty one):
    /// only for an app that cannot rotate its secret yet. Better Auth
    /// itself only warns about a short secret, but anyone who guesses it
    /// can sign a session cookie and a `compact` cookie cache for any user,
    /// which this crate then accepts without a lookup. Rotate the secret
    /// (Better Auth's `BETTER_AUTH_SECRETS` keeps old sessions valid
    /// meanwhile) and remove this call.
    ///
    /// ```
    /// let verifier = jwtguard::Verifier::builder()
    ///     .session_secret("legacy-16-bytes!")
    ///     .allow_short_session_secret()
    ///     .session_cookie_cache(jwtguard::CookieCacheStrategy::Compact)
    ///     .build()?;
    /// # Ok::<(), jwtguard::ConfigError>(())
    /// ```
    pub fn allow_short_session_secret(mut self) -> Self {
        self.sessions.allow_short_secret = true;
        self
    }

    /// Better Auth's `advanced.cookiePrefix` (default `better-auth`): the
    /// cookies are `<prefix>.session_token` and `<prefix>.session_data`.
    ///
    /// ```
    /// let verifier = jwtguard::Verifier::builder()
    ///     .session_secret("better-auth-secret-0123456789abcdefghij")
    ///     .session_cookie_prefix("myapp")
    ///     .session_cookie_cache(jwtguard::CookieCacheStrategy::Compact)
    ///     .build()?;
    /// # Ok::<(), jwtguard::ConfigError>(())
    /// ```
    pub fn session_cookie_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.sessions.cookie_prefix = prefix.into();
        self
    }

    /// Better Auth's `advanced.cookies.session_token.name` and
    /// `advanced.cookies.session_data.name`, when the app renames them
    /// (`None`: the prefix's name).
    ///
    /// ```
    /// let verifier = jwtguard::Verifier::builder()
    ///     .session_secret("better-auth-secret-0123456789abcdefghij")
    ///     .session_cookie_names(Some("sid"), None)
    ///     .session_cookie_cache(jwtguard::CookieCacheStrategy::Compact)
    ///     .build()?;
    /// # Ok::<(), jwtguard::ConfigError>(())
    /// ```
    pub fn session_cookie_names(
        mut self,
        session_token: Option<&str>,
        session_data: Option<&str>,
    ) -> Self {
        self.sessions.token_cookie_name = session_token.map(str::to_owned);
        self.sessions.data_cookie_name = session_data.map(str::to_owned);
        self
    }

    /// Which of the `__Secure-` names and the plain ones are read (default:
    /// either; set [`SecureCookies::Only`] for an `https://` deployment).
    ///
    /// ```
    /// let verifier = jwtguard::Verifier::builder()
    ///     .session_secret("better-auth-secret-0123456789abcdefghij")
    ///     .session_secure_cookies(jwtguard::SecureCookies::Only)
    ///     .session_cookie_cache(jwtguard::CookieCacheStrategy::Compact)
    ///     .build()?;
    /// # Ok::<(), jwtguard::ConfigError>(())
    /// ```
    pub fn session_secure_cookies(mut self, secure: SecureCookies) -> Self {
        self.sessions.secure = secure;
        self
    }

    /// Accepts Better Auth's cookie cache (`session.cookieCache` with this
    /// `strategy`): a request with a valid session cookie and a fresh cache
    /// for it is authenticated without any lookup. A missing, stale or
    /// invalid cache falls back to the [`session_store`](Self::session_store),
    /// or is refused when there is none (the front end renews the cache on
    /// its next `getSession`).
    ///
    /// ```
    /// let verifier = jwtguard::Verifier::builder()
    ///     .session_secret("better-auth-secret-0123456789abcdefghij")
    ///     .session_cookie_cache(jwtguard::CookieCacheStrategy::Jwt)
    ///     .build()?;
    /// # Ok::<(), jwtguard::ConfigError>(())
    /// ```
    pub fn session_cookie_cache(mut self, strategy: CookieCacheStrategy) -> Self {
        self.sessions.cookie_cache = Some(strategy);
        self
    }

    /// Better Auth's `session.cookieCache.version` when set to a string
    /// (default `"1"`): a cache of another version is not used.
    ///
    /// ```
    /// let verifier = jwtguard::Verifier::builder()
    ///     .session_secret("better-auth-secret-0123456789abcdefghij")
    ///     .session_cookie_cache(jwtguard::CookieCacheStrategy::Compact)
    ///     .session_cookie_cache_version("2")
    ///     .build()?;
    /// # Ok::<(), jwtguard::ConfigError>(())
    /// ```
    pub fn session_cookie_cache_version(mut self, version: impl Into<String>) -> Self {
        self.sessions.cache_version = version.into();
        self
    }

    /// Also accepts the bearer plugin's `Authorization: Bearer
    /// <token>.<signature>` (its `set-auth-token` header's value, URL-encoded
    /// or not). Only the signed form is accepted, as with the plugin's
    /// `requireSignature: true`, so that forgeries cost no lookup.
    ///
    /// ```
    /// # struct Nobody;
    /// # impl jwtguard::SessionStore for Nobody {
    /// #     fn find_session<'a>(&'a self, _: &'a jwtguard::SessionToken<'a>) -> jwtguard::SessionLookup<'a> {
    /// #         Box::pin(async { Ok(None) })
    /// #     }
    /// # }
    /// let verifier = jwtguard::Verifier::builder()
    ///     .session_secret("better-auth-secret-0123456789abcdefghij")
    ///     .session_store(Nobody)
    ///     .session_bearer_tokens(true)
    ///     .build()?;
    /// # Ok::<(), jwtguard::ConfigError>(())
    /// ```
    pub fn session_bearer_tokens(mut self, accept: bool) -> Self {
        self.sessions.bearer = accept;
        self
    }

    /// Resolves signed session tokens through `store`: Better Auth's
    /// `get-session` ([`HttpSessionStore`](crate::HttpSessionStore)), its
    /// database ([`SqlSessionStore`](crate::SqlSessionStore)) or your own.
    /// Answers are reused for [`session_store_cache`](Self::session_store_cache)'s
    /// time to live.
    ///
    /// ```
    /// # struct Nobody;
    /// # impl jwtguard::SessionStore for Nobody {
    /// #     fn find_session<'a>(&'a self, _: &'a jwtguard::SessionToken<'a>) -> jwtguard::SessionLookup<'a> {
    /// #         Box::pin(async { Ok(None) })
    /// #     }
    /// # }
    /// let verifier = jwtguard::Verifier::builder()
    ///     .session_secret("better-auth-secret-0123456789abcdefghij")
    ///     .session_store(Nobody)
    ///     .build()?;
    /// # Ok::<(), jwtguard::ConfigError>(())
    /// ```
    pub fn session_store(mut self, store: impl SessionStore) -> Self {
        self.sessions.store = Some(std::sync::Arc::new(store));
        self
    }

    /// How long a store's answer is reused, and how many are kept (defaults
    /// [`DEFAULT_SESSION_CACHE_TTL`](crate::limits::DEFAULT_SESSION_CACHE_TTL),
    /// 30 s, and 10,000). A session revoked in Better Auth keeps working
    /// here for at most `ttl`; zero asks the store every time.
    ///
    /// ```
    /// # struct Nobody;
    /// # impl jwtguard::SessionStore for Nobody {
    /// #     fn find_session<'a>(&'a self, _: &'a jwtguard::SessionToken<'a>) -> jwtguard::SessionLookup<'a> {
    /// #         Box::pin(async { Ok(None) })
    /// #     }
    /// # }
    /// let verifier = jwtguard::Verifier::builder()
    ///     .session_secret("better-auth-secret-0123456789abcdefghij")
    ///     .session_store(Nobody)
    ///     .session_store_cache(std::time::Duration::from_secs(5), 1_000)
    ///     .build()?;
    /// # Ok::<(), jwtguard::ConfigError>(())
    /// ```
    pub fn session_store_cache(mut self, ttl: Duration, max_entries: usize) -> Self {
        self.sessions.store_cache_ttl = ttl;
        self.sessions.store_cache_entries = max_entries;
        self
    }
}

/// Better Auth's JWT plugin (feature `jwks`): where the JWKS comes from,
/// how it is kept fresh, and the verified-token cache.
#[cfg(feature = "jwks")]
#[cfg_attr(docsrs, doc(cfg(feature = "jwks")))]
impl VerifierBuilder {
    /// Accepts tokens signed by the keys of a JWKS document that does not
    /// change (EdDSA, ES256, ES512, RS256, PS256). Each key is used only with
    /// its own `alg` and key type.
    ///
    /// ```
    /// let jwks = r#"{"keys":[{"kty":"OKP","crv":"Ed25519","alg":"EdDSA","kid":"k1",
    ///     "x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}"#;
    /// let verifier = jwtguard::Verifier::builder().jwks_json(jwks).build()?;
    /// # Ok::<(), jwtguard::ConfigError>(())
    /// ```
    pub fn jwks_json(mut self, json: impl Into<String>) -> Self {
        self.jwks.source = Some(JwksSource::Json(json.into()));
        self
    }

    /// Accepts tokens signed by the keys of Better Auth's JWKS endpoint,
    /// usually `{BETTER_AUTH_URL}/api/auth/jwks`. The URL must be `https://`,
    /// or `http://` to a loopback host.
    ///
    /// [`build`](Self::build) fetches it once and fails if it cannot (or,
    /// with [`jwks_background_start`](Self::jwks_background_start), returns
    /// at once and leaves the first fetch to the background). It is
    /// then reloaded in the background every
    /// [`jwks_refresh_interval`](Self::jwks_refresh_interval), and at once
    /// when a token names an unknown `kid` (at most once per
    /// [`jwks_refresh_cooldown`](Self::jwks_refresh_cooldown)). A failed
    /// reload keeps the keys already loaded.
    ///
    /// ```no_run
    /// let verifier = jwtguard::Verifier::builder()
    ///     .jwks_url("https://app.example.com/api/auth/jwks")
    ///     .issuer("https://app.example.com")
    ///     .audience("https://app.example.com")
    ///     .build()?;
    /// # Ok::<(), jwtguard::ConfigError>(())
    /// ```
    #[cfg(feature = "jwks-fetch")]
    #[cfg_attr(docsrs, doc(cfg(feature = "jwks-fetch")))]
    pub fn jwks_url(mut self, url: impl Into<String>) -> Self {
        self.jwks.source = Some(JwksSource::Url {
            url: url.into(),
            var: None,
        });
        self
    }

    /// [`jwks_url`](Self::jwks_url), named by the environment variable `var`
    /// (so that errors say where the URL came from).
    #[cfg(feature = "jwks-fetch")]
    pub(crate) fn jwks_url_from(mut self, var: &'static str, url: String) -> Self {
        self.jwks.source = Some(JwksSource::Url {
            url,
            var: Some(var),
        });
        self
    }

    /// Like [`jwks_url`](Self::jwks_url), with your own (blocking) fetch:
    /// the function returns the JWKS document. It runs on jwtguard's
    /// background thread, never on a request, and should time out by itself.
    ///
    /// ```
    /// # let jwks = r#"{"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}"#;
    /// let verifier = jwtguard::Verifier::builder()
    ///     .jwks_fetcher(move || Ok(jwks.to_owned()))
    ///     .build()?;
    /// # Ok::<(), jwtguard::ConfigError>(())
    /// ```
    pub fn jwks_fetcher(
        mut self,
        fetch: impl Fn() -> Result<String, Box<dyn std::error::Error + Send + Sync>>
        + Send
        + Sync
        + 'static,
    ) -> Self {
        self.jwks.source = Some(JwksSource::Fetch(std::sync::Arc::new(fetch)));
        self
    }

    /// How often a fetched JWKS is reloaded (default 5 minutes; zero is refused).
    ///
    /// ```
    /// # let jwks = r#"{"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}"#;
    /// let verifier = jwtguard::Verifier::builder()
    ///     .jwks_fetcher(move || Ok(jwks.to_owned()))
    ///     .jwks_refresh_interval(std::time::Duration::from_secs(60))
    ///     .build()?;
    /// # Ok::<(), jwtguard::ConfigError>(())
    /// ```
    pub fn jwks_refresh_interval(mut self, interval: Duration) -> Self {
        self.jwks.schedule.interval = interval;
        self
    }

    /// The least time between the end of one reload and a reload caused by
    /// an unknown `kid` (default 10 seconds), so that tokens with made-up
    /// `kid`s cannot make us hammer the issuer. Within it, such tokens are
    /// refused at once. Zero turns the protection off: only for tests.
    ///
    /// ```
    /// # let jwks = r#"{"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}"#;
    /// let verifier = jwtguard::Verifier::builder()
    ///     .jwks_fetcher(move || Ok(jwks.to_owned()))
    ///     .jwks_refresh_cooldown(std::time::Duration::from_secs(30))
    ///     .build()?;
    /// # Ok::<(), jwtguard::ConfigError>(())
    /// ```
    pub fn jwks_refresh_cooldown(mut self, cooldown: Duration) -> Self {
        self.jwks.schedule.cooldown = cooldown;
        self
    }

    /// How long a fetched JWKS stays trusted while every reload fails
    /// (default 24 hours; zero is refused). A reload that fails keeps the
    /// keys already loaded, but not forever: once the last successful load
    /// is older than this, the keys are dropped (logged at WARN) and tokens
    /// signed by a JWKS key are answered 503
    /// [`KeysUnavailable`](crate::ErrorKind::KeysUnavailable) with
    /// `Retry-After`, until a reload succeeds. HS256 tokens are not
    /// affected. A key the issuer removed therefore stops working at the
    /// latest this long after it was removed, even when the JWKS cannot be
    /// reached. A static [`jwks_json`](Self::jwks_json) never ages.
    ///
    /// ```
    /// # let jwks = r#"{"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}"#;
    /// let verifier = jwtguard::Verifier::builder()
    ///     .jwks_fetcher(move || Ok(jwks.to_owned()))
    ///     .jwks_max_age(std::time::Duration::from_secs(6 * 3600))
    ///     .build()?;
    /// # Ok::<(), jwtguard::ConfigError>(())
    /// ```
    pub fn jwks_max_age(mut self, max_age: Duration) -> Self {
        self.jwks.max_age = max_age;
        self
    }

    /// Lets [`build`](Self::build) return at once, without fetching the
    /// JWKS of [`jwks_url`](Self::jwks_url) or
    /// [`jwks_fetcher`](Self::jwks_fetcher): the background thread fetches
    /// it instead, so the service starts even while Better Auth is down (as
    /// Envoy's `jwt_authn` can). Off by default: `build()` then fetches, and
    /// fails when it cannot.
    ///
    /// The first fetch is made at once; while fetches fail, the next comes
    /// after 1 s, 2 s, 4 s, ... (doubling from
    /// [`jwks_background_retry`](Self::jwks_background_retry), no jitter),
    /// never more than [`jwks_refresh_interval`](Self::jwks_refresh_interval)
    /// apart; after the first good load, reloads keep the normal schedule.
    /// Until then:
    ///
    /// - tokens signed by a JWKS key are refused at once with
    ///   [`KeysUnavailable`](crate::ErrorKind::KeysUnavailable) (503
    ///   `temporarily_unavailable`, `Retry-After: 10`) by every method and
    ///   both adapters: none waits for an issuer that may be down, and none
    ///   causes an extra fetch;
    /// - HS256 tokens pass as usual (with a secret configured);
    /// - [`Verifier::is_ready`] is `false`: answer your readiness probe with it.
    ///
    /// A JWKS-only verifier builds without any key loaded. An invalid URL is
    /// still refused by `build()`; each failed fetch is logged at WARN
    /// (feature `tracing`). With [`jwks_json`](Self::jwks_json), or without
    /// a JWKS, `build()` fails with
    /// [`ConfigError::InvalidJwksSetting`]. [`from_env`](Self::from_env)
    /// sets it from `JWKS_BACKGROUND_START`.
    ///
    /// ```
    /// let verifier = jwtguard::Verifier::builder()
    ///     .jwks_fetcher(|| Err("Better Auth is not up yet".into()))
    ///     .jwks_background_start(true)
    ///     .build()?; // at once, without keys
    /// assert!(!verifier.is_ready());
    /// # Ok::<(), jwtguard::ConfigError>(())
    /// ```
    pub fn jwks_background_start(mut self, enabled: bool) -> Self {
        self.jwks.background_start = enabled;
        self
    }

    /// With [`jwks_background_start`](Self::jwks_background_start), how long
    /// after the first failed fetch the next is made (default 1 second). The
    /// wait doubles after each further failure, up to
    /// [`jwks_refresh_interval`](Self::jwks_refresh_interval), until a fetch
    /// succeeds. Zero is refused; without a background start it has no effect.
    ///
    /// ```
    /// let verifier = jwtguard::Verifier::builder()
    ///     .jwks_fetcher(|| Err("Better Auth is not up yet".into()))
    ///     .jwks_background_start(true)
    ///     .jwks_background_retry(std::time::Duration::from_millis(250))
    ///     .build()?;
    /// # Ok::<(), jwtguard::ConfigError>(())
    /// ```
    pub fn jwks_background_retry(mut self, first_delay: Duration) -> Self {
        self.jwks.schedule.first_retry = first_delay;
        self
    }

    /// How `iss` and `aud` are checked on tokens signed by a JWKS key,
    /// overriding [`issuer_check`](Self::issuer_check) and
    /// [`audience_check`](Self::audience_check) for them only (HS256 tokens
    /// keep those). Better Auth's own `verifyJWT` requires both to be the
    /// app's base URL, so [`from_env`](Self::from_env) with
    /// `BETTER_AUTH_URL` sets [`ClaimCheck::Required`]; call this with
    /// [`ClaimCheck::IfPresent`] after it to go back to checking them only
    /// when present.
    ///
    /// ```
    /// # let jwks = r#"{"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}"#;
    /// use jwtguard::ClaimCheck;
    /// let verifier = jwtguard::Verifier::builder()
    ///     .jwks_json(jwks)
    ///     .issuer("https://app.example.com")
    ///     .audience("https://app.example.com")
    ///     .public_key_claim_check(ClaimCheck::Required)
    ///     .build()?;
    /// # Ok::<(), jwtguard::ConfigError>(())
    /// ```
    pub fn public_key_claim_check(mut self, check: ClaimCheck) -> Self {
        self.jwks.claim_check = Some(check);
        self
    }

    /// Remembers up to `max_entries` tokens whose signature was checked
    /// against a JWKS key, so that the next request with the same token
    /// skips the signature check (tens of microseconds for Ed25519, more for
    /// RSA). `exp`, `nbf` and `iat` are checked again on every hit; `iss`,
    /// `aud` and `sub` cannot change for a given token and verifier (a claims
    /// type other than [`Claims`](crate::Claims) is filled and checked again
    /// in full). Tokens longer than
    /// [`CACHE_MAX_TOKEN_LEN`](crate::limits::CACHE_MAX_TOKEN_LEN) or without `exp`
    /// are not cached; the cache is emptied whenever the keys change. An
    /// entry holds the token, its payload and its claims: about 2 KB for a
    /// Better Auth token. Off by default; HS256 tokens are never cached
    /// (checking them is cheaper than a lookup would save).
    ///
    /// ```
    /// # let jwks = r#"{"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}"#;
    /// let verifier = jwtguard::Verifier::builder()
    ///     .jwks_json(jwks)
    ///     .token_cache(10_000)
    ///     .build()?;
    /// # Ok::<(), jwtguard::ConfigError>(())
    /// ```
    pub fn token_cache(mut self, max_entries: usize) -> Self {
        self.jwks.cache_entries = Some(max_entries);
        self
    }
}
