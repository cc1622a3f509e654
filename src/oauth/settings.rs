//! [`OAuthSettings`]: the builder's settings for OAuth 2.1 access tokens
//! from Better Auth's `@better-auth/oauth-provider` (feature `oauth`), and
//! checking them into [`AccessTokens`] when the verifier is built.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::error::config::ConfigError;
use crate::oauth::AccessTokens;
use crate::oauth::dpop::Freshness;
use crate::oauth::introspection::{Introspection, IntrospectionSettings};
use crate::oauth::metadata::{Metadata, ResourceNames};
use crate::oauth::replay::{MemoryReplayStore, ReplayStore};
use crate::oauth::resource::{canonical_uri, origin_and_path};
use crate::token::header::Algorithm;
use crate::token::policy::{ClaimCheck, Policy};

/// The DPoP proof algorithms accepted by default: every asymmetric one
/// jwtguard verifies (Better Auth's provider accepts the same family).
/// The widest `dpop_proof_window` side: an hour.
const MAX_PROOF_WINDOW: Duration = Duration::from_secs(3600);

const DEFAULT_DPOP_ALGORITHMS: [Algorithm; 5] = [
    Algorithm::Es256,
    Algorithm::EdDsa,
    Algorithm::Ps256,
    Algorithm::Rs256,
    Algorithm::Es512,
];

/// How a verifier accepts OAuth 2.1 access tokens issued by Better Auth's
/// `@better-auth/oauth-provider` for this service, a resource server
/// (RFC 9068 JWT access tokens, RFC 9449 DPoP, RFC 9728 metadata). Set
/// through [`VerifierBuilder::oauth`](crate::VerifierBuilder::oauth), next
/// to `.jwks(..)`, whose keys sign the tokens.
///
/// An access token is accepted when its header `typ` is `at+jwt`, a JWKS
/// key signed it, `iss` is the provider's issuer, `aud` names this
/// [`resource`](Self::resource) (compared as a canonical URI), it has not
/// expired, and `client_id` is a string. A token bound to a key (`cnf.jkt`)
/// must come as `Authorization: DPoP` with a valid proof.
///
/// ```
/// let jwks = r#"{"keys":[{"kty":"OKP","crv":"Ed25519","alg":"EdDSA","kid":"k1",
///     "x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}"#;
/// let verifier = jwtguard::Verifier::builder()
///     .jwks(|keys| keys.json(jwks))
///     .oauth(|oauth| {
///         oauth
///             .resource("https://api.example.com/mcp")
///             .issuer("https://app.example.com/api/auth")
///             .scopes_supported(["tasks:read", "tasks:write"])
///     })
///     .build()?;
/// # Ok::<(), jwtguard::ConfigError>(())
/// ```
#[derive(Clone, Default)]
#[must_use]
pub struct OAuthSettings {
    resource: Option<String>,
    issuer: Option<String>,
    public_url: Option<String>,
    scopes_supported: Vec<String>,
    challenge_scope: Option<String>,
    resource_name: Option<String>,
    jwt_plugin_tokens: bool,
    dpop_algorithms: Option<Vec<String>>,
    freshness: Freshness,
    replay_store: Option<Arc<dyn ReplayStore>>,
    introspection: Option<IntrospectionSettings>,
    opaque_without_audience: bool,
}

impl fmt::Debug for OAuthSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthSettings")
            .field("resource", &self.resource)
            .field("issuer", &self.issuer)
            .field("public_url", &self.public_url)
            .field("scopes_supported", &self.scopes_supported)
            .field("jwt_plugin_tokens", &self.jwt_plugin_tokens)
            .field("dpop_algorithms", &self.dpop_algorithms)
            .field("custom_replay_store", &self.replay_store.is_some())
            .field("introspection", &self.introspection)
            .field("opaque_without_audience", &self.opaque_without_audience)
            .finish_non_exhaustive()
    }
}

impl OAuthSettings {
    /// This service's resource identifier (RFC 8707; MCP's canonical
    /// server URI), for example `https://api.example.com/mcp`: an access
    /// token's `aud` must name it. Compared as a canonical URI: scheme and
    /// host in any case, a trailing slash or the default port make no
    /// difference. Required.
    ///
    /// ```
    /// let oauth = jwtguard::OAuthSettings::default().resource("https://api.example.com");
    /// ```
    pub fn resource(mut self, uri: impl Into<String>) -> Self {
        self.resource = Some(uri.into());
        self
    }

    /// The provider's issuer identifier: an access token's `iss` must be
    /// exactly this. Better Auth writes its base URL plus `/api/auth`
    /// (`https://app.example.com/api/auth`); `from_env` sets that from
    /// `BETTER_AUTH_URL`. Required. It is also the authorization server the
    /// metadata document names.
    ///
    /// ```
    /// let oauth = jwtguard::OAuthSettings::default().issuer("https://app.example.com/api/auth");
    /// ```
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuer = Some(issuer.into());
        self
    }

    /// The public origin clients reach this service at, when a proxy
    /// changes scheme or host (`https://api.example.com`): a DPoP proof's
    /// `htu` must be this origin plus the request's path, and the metadata
    /// URL is built on it. Default: the [`resource`](Self::resource)'s
    /// origin.
    ///
    /// ```
    /// let oauth = jwtguard::OAuthSettings::default().public_url("https://api.example.com");
    /// ```
    pub fn public_url(mut self, origin: impl Into<String>) -> Self {
        self.public_url = Some(origin.into());
        self
    }

    /// The scopes listed in the metadata document's `scopes_supported`.
    ///
    /// ```
    /// let oauth = jwtguard::OAuthSettings::default().scopes_supported(["tasks:read"]);
    /// ```
    pub fn scopes_supported<I>(mut self, scopes: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.scopes_supported = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// The `scope` a 401's challenge asks for (space-separated), so that a
    /// client requests them on its first authorization (MCP's scope
    /// selection). Default: none in the challenge.
    ///
    /// ```
    /// let oauth = jwtguard::OAuthSettings::default().challenge_scope("tasks:read");
    /// ```
    pub fn challenge_scope(mut self, scope: impl Into<String>) -> Self {
        self.challenge_scope = Some(scope.into());
        self
    }

    /// A human-readable `resource_name` for the metadata document.
    ///
    /// ```
    /// let oauth = jwtguard::OAuthSettings::default().resource_name("Task API");
    /// ```
    pub fn resource_name(mut self, name: impl Into<String>) -> Self {
        self.resource_name = Some(name.into());
        self
    }

    /// Whether the JWT plugin's own tokens (signed by the same JWKS, but
    /// not access tokens) are still accepted next to access tokens, under
    /// the `.jwks(..)` claim rules. Default `false`: a resource server
    /// refuses them with [`NotAnAccessToken`](crate::ErrorKind::NotAnAccessToken),
    /// as Better Auth's docs ask (a session token signed with the same key
    /// must not pass as an access token). Turn it on for a service that
    /// also takes the Next.js app's own tokens.
    ///
    /// This holds everywhere: on requests and in
    /// [`Verifier::verify`](crate::Verifier::verify) on a raw token (which
    /// refuses access tokens, whose rules need the request). Refused, the
    /// JWT plugin's tokens need no audience rule on `.jwks(..)`; accepted,
    /// they do (see `JwksSettings::claim_check`).
    ///
    /// ```
    /// let oauth = jwtguard::OAuthSettings::default().jwt_plugin_tokens(true);
    /// ```
    pub fn jwt_plugin_tokens(mut self, accept: bool) -> Self {
        self.jwt_plugin_tokens = accept;
        self
    }

    /// The algorithms a DPoP proof may be signed with (JWA names: `ES256`,
    /// `EdDSA`, `PS256`, `RS256`, `ES512`), as the metadata's
    /// `dpop_signing_alg_values_supported` lists them. Default: all five.
    /// An empty list turns DPoP off: DPoP-bound tokens are then refused.
    ///
    /// ```
    /// let oauth = jwtguard::OAuthSettings::default().dpop_algorithms(["ES256", "EdDSA"]);
    /// ```
    pub fn dpop_algorithms<I>(mut self, algorithms: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.dpop_algorithms = Some(algorithms.into_iter().map(Into::into).collect());
        self
    }

    /// How far a DPoP proof's `iat` may lie ahead of and behind the clock.
    /// Default: Better Auth's 5 s ahead, 300 s back; at most an hour each
    /// (the replay store keeps every proof for the whole window).
    ///
    /// ```
    /// use std::time::Duration;
    /// let oauth = jwtguard::OAuthSettings::default()
    ///     .dpop_proof_window(Duration::from_secs(5), Duration::from_secs(60));
    /// ```
    pub fn dpop_proof_window(mut self, ahead: Duration, back: Duration) -> Self {
        self.freshness = Freshness { ahead, back };
        self
    }

    /// Where used DPoP proofs are remembered, so that each is accepted
    /// once. Default: a [`MemoryReplayStore`] of this process; instances
    /// behind one load balancer share one store through this.
    ///
    /// ```
    /// let oauth = jwtguard::OAuthSettings::default()
    ///     .replay_store(jwtguard::oauth::MemoryReplayStore::new(10_000));
    /// ```
    pub fn replay_store(mut self, store: impl ReplayStore) -> Self {
        self.replay_store = Some(Arc::new(store));
        self
    }

    /// Accepts opaque access tokens (no dots: Better Auth issues them when
    /// a client asks for no `resource`, or with `disableJwtPlugin`),
    /// resolved by the provider's RFC 7662 introspection `endpoint`
    /// (Better Auth: `<BETTER_AUTH_URL>/api/auth/oauth2/introspect`) as the
    /// confidential client `client_id` (`client_secret_basic`; the secret
    /// is never logged or shown by `Debug`). Feature `oauth-introspection`.
    ///
    /// An answer is kept [`DEFAULT_INTROSPECTION_CACHE_TTL`](crate::oauth::DEFAULT_INTROSPECTION_CACHE_TTL)
    /// (a sign-out or revocation takes that long to be seen), and never
    /// past the token's `exp`. An endpoint that does not answer is a 503
    /// with `Retry-After`.
    ///
    /// ```
    /// let oauth = jwtguard::OAuthSettings::default().introspection(
    ///     "https://app.example.com/api/auth/oauth2/introspect",
    ///     "task-api",
    ///     "the-client-secret",
    /// );
    /// ```
    #[cfg(feature = "oauth-introspection")]
    #[cfg_attr(docsrs, doc(cfg(feature = "oauth-introspection")))]
    pub fn introspection(
        mut self,
        endpoint: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
    ) -> Self {
        self.introspection = Some(IntrospectionSettings {
            endpoint: endpoint.into(),
            client_id: client_id.into(),
            client_secret: zeroize::Zeroizing::new(client_secret.into()),
            cache_ttl: crate::oauth::DEFAULT_INTROSPECTION_CACHE_TTL,
            cache_entries: crate::oauth::DEFAULT_INTROSPECTION_CACHE_ENTRIES,
        });
        self
    }

    /// How long an introspection answer is reused (`Duration::ZERO`: ask
    /// for every request) and how many are kept. Call after
    /// [`introspection`](Self::introspection).
    ///
    /// ```
    /// use std::time::Duration;
    /// let oauth = jwtguard::OAuthSettings::default()
    ///     .introspection("https://app.example.com/api/auth/oauth2/introspect", "api", "secret")
    ///     .introspection_cache(Duration::from_secs(5), 1_000);
    /// ```
    #[cfg(feature = "oauth-introspection")]
    #[cfg_attr(docsrs, doc(cfg(feature = "oauth-introspection")))]
    pub fn introspection_cache(mut self, ttl: Duration, max_entries: usize) -> Self {
        if let Some(settings) = &mut self.introspection {
            settings.cache_ttl = ttl;
            settings.cache_entries = max_entries.max(1);
        }
        self
    }

    /// Accepts introspected tokens that name no audience at all (Better
    /// Auth's opaque tokens issued without a `resource`: valid at every
    /// resource server of the provider). Default `false`: an opaque token,
    /// like a JWT, must name this resource.
    ///
    /// ```
    /// let oauth = jwtguard::OAuthSettings::default().opaque_tokens_without_audience(true);
    /// ```
    #[cfg(feature = "oauth-introspection")]
    #[cfg_attr(docsrs, doc(cfg(feature = "oauth-introspection")))]
    pub fn opaque_tokens_without_audience(mut self, accept: bool) -> Self {
        self.opaque_without_audience = accept;
        self
    }

    /// Whether anything was set: without it, no access token is accepted.
    pub(crate) fn is_set(&self) -> bool {
        self.resource.is_some() || self.issuer.is_some()
    }

    /// Checks the settings; `None` when OAuth was not configured.
    pub(crate) fn build(self, rules: &Policy) -> Result<Option<AccessTokens>, ConfigError> {
        if !self.is_set() {
            return Ok(None);
        }
        let invalid = |setting, problem| ConfigError::InvalidOAuth { setting, problem };
        let resource = (self.resource.as_deref())
            .ok_or(invalid(
                "resource",
                "set this service's resource URI with .resource(..) (OAUTH_RESOURCE)",
            ))
            .and_then(|uri| {
                canonical_uri(uri).ok_or(invalid(
                    "resource",
                    "must be an absolute http(s) URI without user info or fragment",
                ))
            })?;
        let issuer = self.issuer.filter(|issuer| !issuer.is_empty()).ok_or(invalid(
            "issuer",
            "set the provider's issuer with .issuer(..) (Better Auth: BETTER_AUTH_URL + /api/auth)",
        ))?;
        let public_url = match self.public_url.as_deref() {
            None => origin_and_path(&resource).0.to_owned(),
            Some(url) => match canonical_uri(url) {
                Some(url) if origin_and_path(&url).1.is_empty() && !url.contains('?') => url,
                _ => {
                    return Err(invalid(
                        "public_url",
                        "must be an origin: scheme://host[:port]",
                    ));
                }
            },
        };
        let dpop_algorithms = match self.dpop_algorithms {
            None => DEFAULT_DPOP_ALGORITHMS.to_vec(),
            Some(names) => names
                .iter()
                .map(|name| {
                    Algorithm::from_name(name)
                        .filter(|alg| *alg != Algorithm::Hs256)
                        .ok_or(invalid(
                            "dpop_algorithms",
                            "names an algorithm that is not ES256, EdDSA, PS256, RS256 or ES512",
                        ))
                })
                .collect::<Result<_, _>>()?,
        };
        if self.freshness.ahead > MAX_PROOF_WINDOW || self.freshness.back > MAX_PROOF_WINDOW {
            return Err(invalid(
                "dpop_proof_window",
                "each side is at most an hour: every proof is remembered that long",
            ));
        }
        let valid_scope = |scope: &str| {
            !scope.is_empty()
                && scope
                    .bytes()
                    .all(|b| b == 0x21 || (0x23..=0x5b).contains(&b) || (0x5d..=0x7e).contains(&b))
        };
        if !self.scopes_supported.iter().all(|scope| valid_scope(scope))
            || !(self.challenge_scope.iter()).all(|scope| scope.split(' ').all(valid_scope))
        {
            return Err(invalid(
                "scopes",
                "scope names must be RFC 6749 scope tokens (no spaces, quotes or backslashes)",
            ));
        }
        let policy = Policy {
            leeway_secs: rules.leeway_secs,
            require_exp: true,
            issuer_check: ClaimCheck::Required,
            issuers: vec![issuer.clone()],
            // `aud` is compared as a canonical URI by the access-token kind.
            audience_check: ClaimCheck::Skip,
            audiences: Vec::new(),
            clock: rules.clock.clone(),
        };
        // RFC 9728 3.3: the document names the resource exactly as clients
        // (and the provider's `resources`) know it, not its canonical form.
        let configured = self.resource.as_deref().unwrap_or_default().trim();
        let names = ResourceNames {
            configured,
            canonical: &resource,
            public_url: &public_url,
        };
        let metadata = Metadata::new(
            names,
            &issuer,
            &self.scopes_supported,
            self.resource_name.as_deref(),
            &dpop_algorithms,
            self.challenge_scope.as_deref(),
        );
        Ok(Some(AccessTokens {
            resource,
            public_url,
            policy,
            jwt_plugin_tokens: self.jwt_plugin_tokens,
            dpop_algorithms,
            freshness: self.freshness,
            replay_store: (self.replay_store)
                .unwrap_or_else(|| Arc::new(MemoryReplayStore::default())),
            metadata,
            introspection: (self.introspection)
                .map(Introspection::new)
                .transpose()
                .map_err(|problem| invalid("introspection", problem))?,
            opaque_without_audience: self.opaque_without_audience,
        }))
    }
}
