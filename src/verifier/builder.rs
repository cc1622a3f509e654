//! [`VerifierBuilder`]: everything a [`Verifier`] checks, decided once.

use std::fmt;

use crate::api_key::ApiKeySettings;
use crate::credential::{CredentialSources, Credentials};
use crate::error::Error;
use crate::error::config::ConfigError;
use crate::jwks::JwksSettings;
use crate::keys::secrets::Hs256Secrets;
use crate::oauth::{AccessTokens, OAuthSettings};
use crate::session::settings::SessionSettings;
use crate::token::clock::Clock;
use crate::token::header::KnownHeaders;
use crate::token::rules::ClaimRules;
use crate::verifier::Verifier;
use crate::verifier::{ErrorResponder, Inner};

/// The default cap on a token's length, in bytes.
pub const DEFAULT_MAX_TOKEN_LEN: usize = 8 * 1024;

/// Configures a [`Verifier`]. Start with [`Verifier::builder`], or with
/// [`VerifierBuilder::from_env`] to read Better Auth's variables first.
///
/// HS256 secrets are set here; the rules for a token's claims, Better
/// Auth's JWT plugin (JWKS) and its sessions each have their own settings
/// ([`ClaimRules`], `JwksSettings`, [`SessionSettings`]), changed through a
/// closure so that settings read from the environment can be adjusted.
///
/// ```
/// use std::time::Duration;
///
/// let verifier = jwtguard::Verifier::builder()
///     .hs256_secret("a-shared-secret-of-at-least-32-bytes!")
///     .claim_rules(|rules| {
///         rules
///             .issuer("nextjs-frontend")
///             .audience("fastapi-backend")
///             .leeway(Duration::from_secs(0))
///     })
///     .build()?;
/// # Ok::<(), jwtguard::ConfigError>(())
/// ```
#[must_use]
pub struct VerifierBuilder {
    secrets: Hs256Secrets,
    claim_rules: ClaimRules,
    max_token_len: usize,
    sources: CredentialSources,
    clock: Clock,
    error_responder: Option<ErrorResponder>,
    pub(super) jwks: JwksSettings,
    pub(super) sessions: SessionSettings,
    pub(super) oauth: OAuthSettings,
    pub(super) api_keys: ApiKeySettings,
}

impl Default for VerifierBuilder {
    fn default() -> Self {
        Self {
            secrets: Hs256Secrets::default(),
            claim_rules: ClaimRules::default(),
            max_token_len: DEFAULT_MAX_TOKEN_LEN,
            sources: CredentialSources::default(),
            clock: Clock::system(),
            error_responder: None,
            jwks: JwksSettings::default(),
            sessions: SessionSettings::default(),
            oauth: OAuthSettings::default(),
            api_keys: ApiKeySettings::default(),
        }
    }
}

impl fmt::Debug for VerifierBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut f = f.debug_struct("VerifierBuilder");
        f.field(
            "secrets",
            &format_args!("<{} redacted>", self.secrets.len()),
        )
        .field("claim_rules", &self.claim_rules)
        .field("max_token_len", &self.max_token_len)
        .field("sources", &self.sources)
        .field("jwks", &self.jwks)
        .field("sessions", &self.sessions)
        .field("oauth", &self.oauth)
        .field("api_keys", &self.api_keys)
        .finish()
    }
}

impl VerifierBuilder {
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
        self.secrets.push(kid, source, secret);
        self
    }

    /// Sets the rules for a token's registered claims: accepted issuers and
    /// audiences, the leeway, whether `exp` is required (see
    /// [`ClaimRules`]). `configure` gets the rules so far (those
    /// [`from_env`](Self::from_env) read, say) and returns the new ones.
    ///
    /// ```
    /// let verifier = jwtguard::Verifier::builder()
    ///     .hs256_secret("a-shared-secret-of-at-least-32-bytes!")
    ///     .claim_rules(|rules| rules.issuer("nextjs-frontend").audience("fastapi-backend"))
    ///     .build()?;
    /// # Ok::<(), jwtguard::ConfigError>(())
    /// ```
    pub fn claim_rules(mut self, configure: impl FnOnce(ClaimRules) -> ClaimRules) -> Self {
        self.claim_rules = configure(self.claim_rules);
        self
    }

    /// Accepts Better Auth's session credentials: its session cookie, the
    /// bearer plugin's token, the cookie cache (see [`SessionSettings`]).
    /// `configure` gets the settings so far and returns the new ones.
    ///
    /// ```
    /// let verifier = jwtguard::Verifier::builder()
    ///     .sessions(|sessions| {
    ///         sessions
    ///             .secret("better-auth-secret-0123456789abcdefghij")
    ///             .cookie_cache(jwtguard::CookieCacheStrategy::Compact)
    ///     })
    ///     .build()?;
    /// # Ok::<(), jwtguard::ConfigError>(())
    /// ```
    pub fn sessions(mut self, configure: impl FnOnce(SessionSettings) -> SessionSettings) -> Self {
        self.sessions = configure(self.sessions);
        self
    }

    /// Accepts tokens of Better Auth's JWT plugin, signed by the keys of a
    /// JWKS (feature `jwks`; see `JwksSettings`). `configure` gets the
    /// settings so far and returns the new ones.
    ///
    /// ```
    /// let jwks = r#"{"keys":[{"kty":"OKP","crv":"Ed25519","alg":"EdDSA","kid":"k1",
    ///     "x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}"#;
    /// let verifier = jwtguard::Verifier::builder().jwks(|keys| keys.json(jwks)).claim_rules(|rules| rules.audience("https://app.example.com")).build()?;
    /// # Ok::<(), jwtguard::ConfigError>(())
    /// ```
    #[cfg(feature = "jwks")]
    pub fn jwks(mut self, configure: impl FnOnce(JwksSettings) -> JwksSettings) -> Self {
        self.jwks = configure(self.jwks);
        self
    }

    /// Accepts OAuth 2.1 access tokens of Better Auth's
    /// `@better-auth/oauth-provider` for this service (feature `oauth`; see
    /// [`OAuthSettings`](crate::OAuthSettings)): JWT access tokens signed by
    /// the [`jwks`](Self::jwks) keys, as `Bearer` or with a DPoP proof, and
    /// the RFC 9728 metadata document. `configure` gets the settings so far
    /// and returns the new ones.
    ///
    /// ```
    /// let jwks = r#"{"keys":[{"kty":"OKP","crv":"Ed25519","alg":"EdDSA","kid":"k1",
    ///     "x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}"#;
    /// let verifier = jwtguard::Verifier::builder()
    ///     .jwks(|keys| keys.json(jwks))
    ///     .oauth(|oauth| {
    ///         oauth
    ///             .resource("https://api.example.com")
    ///             .issuer("https://app.example.com/api/auth")
    ///     })
    ///     .build()?;
    /// # Ok::<(), jwtguard::ConfigError>(())
    /// ```
    #[cfg(feature = "oauth")]
    pub fn oauth(mut self, configure: impl FnOnce(OAuthSettings) -> OAuthSettings) -> Self {
        self.oauth = configure(self.oauth);
        self
    }

    /// Accepts API keys of Better Auth's `@better-auth/api-key` plugin
    /// (feature `api-key`; see [`ApiKeySettings`](crate::ApiKeySettings)),
    /// from `x-api-key`, verified and counted in the plugin's database.
    /// `configure` gets the settings so far and returns the new ones. A
    /// verifier with API keys only needs no other key.
    ///
    /// ```no_run
    /// # async fn f() -> Result<(), Box<dyn std::error::Error>> {
    /// let pool = sqlx::PgPool::connect("postgres://app@localhost/app").await?;
    /// let verifier = jwtguard::Verifier::builder()
    ///     .hs256_secret("a-shared-secret-of-at-least-32-bytes!")
    ///     .api_keys(|keys| keys.store(jwtguard::SqlApiKeyStore::postgres(pool)))
    ///     .build()?;
    /// # Ok(()) }
    /// ```
    #[cfg(feature = "api-key")]
    pub fn api_keys(mut self, configure: impl FnOnce(ApiKeySettings) -> ApiKeySettings) -> Self {
        self.api_keys = configure(self.api_keys);
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

    /// Where a request's JWT may come from besides its `Authorization`
    /// header (a cookie, a WebSocket upgrade's query parameter), and which
    /// sites may send cookie credentials: see [`CredentialSources`].
    ///
    /// ```
    /// let verifier = jwtguard::Verifier::builder()
    ///     .hs256_secret("a-shared-secret-of-at-least-32-bytes!")
    ///     .credential_sources(|sources| {
    ///         sources
    ///             .token_cookie("auth_token")
    ///             .cookie_origins(["https://app.example.com"])
    ///     })
    ///     .build()?;
    /// # Ok::<(), jwtguard::ConfigError>(())
    /// ```
    pub fn credential_sources(
        mut self,
        configure: impl FnOnce(CredentialSources) -> CredentialSources,
    ) -> Self {
        self.sources = configure(self.sources);
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
        if self.secrets.is_empty()
            && !self.jwks.is_set()
            && !self.sessions.is_set()
            && !self.api_keys.is_set()
        {
            return Err(ConfigError::NoKeys);
        }
        if self.max_token_len == 0 {
            return Err(ConfigError::InvalidMaxTokenLength);
        }
        let policy = self.claim_rules.policy(self.clock)?;
        let sessions = self.sessions.build(&policy)?;
        if self.oauth.is_set() && !self.jwks.is_set() {
            return Err(ConfigError::InvalidOAuth {
                setting: "keys",
                problem: "access tokens are signed by the provider's JWKS: add .jwks(..) \
                          (BETTER_AUTH_URL or BETTER_AUTH_JWKS_URL)",
            });
        }
        let access_tokens = self.oauth.build(&policy)?;
        let api_keys = self.api_keys.build(&policy)?;
        self.sources.check(sessions.is_some())?;
        let keys = self.secrets.build()?;
        let known_headers = if keys.len() > 0 {
            KnownHeaders::hs256()
        } else {
            KnownHeaders::default()
        };
        // A resource server that refuses the JWT plugin's own tokens refuses
        // them everywhere, `verify` included.
        let plain_tokens =
            (access_tokens.as_ref()).is_none_or(AccessTokens::accepts_jwt_plugin_tokens);
        // Last: it may fetch, and every cheaper mistake is reported first.
        let public_keys = self.jwks.build(&policy, plain_tokens)?;
        Ok(Verifier::from_inner(Inner {
            keys,
            known_headers,
            public_keys,
            policy,
            max_token_len: self.max_token_len,
            credentials: Credentials {
                token_cookie: self.sources.token_cookie,
                cookie_origins: self.sources.cookie_origins,
                websocket_query: self.sources.websocket_query,
                sessions,
                access_tokens,
                api_keys,
            },
            error_responder: self.error_responder,
        }))
    }
}
