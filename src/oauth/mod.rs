//! OAuth 2.1 access tokens from Better Auth's `@better-auth/oauth-provider`
//! (feature `oauth`): this service as a resource server.
//!
//! - **JWT access tokens** (RFC 9068 as Better Auth issues them): header
//!   `typ` `at+jwt`, signed by the app's JWKS, `iss` the provider's issuer
//!   (`<BETTER_AUTH_URL>/api/auth`), `aud` this service's resource
//!   (compared as a canonical URI), `exp` required, `client_id` or `azp` a
//!   string, `scope` space-separated. A JWT plugin token, an ID token or the
//!   session cache presented instead is refused with its own code.
//! - **DPoP** (RFC 9449): a token bound to a key (`cnf.jkt`) comes as
//!   `Authorization: DPoP <token>` with a `DPoP` proof, checked as Better
//!   Auth checks it (`typ`, allowed `alg`, public `jwk`, signature, `htm`,
//!   `htu` on the configured public URL, `iat` 5 s ahead and 300 s back,
//!   `ath`, thumbprint) and accepted once ([`ReplayStore`]). No
//!   `DPoP-Nonce`: Better Auth's provider issues none either.
//! - **Opaque access tokens** (feature `oauth-introspection`): resolved by
//!   the provider's RFC 7662 introspection endpoint with this service's
//!   client credentials, one call per token at a time, cached briefly; the
//!   answer must be active, an access token, for this resource (or, when
//!   allowed, for none) and unexpired.
//! - **Protected Resource Metadata** (RFC 9728): the document, served by
//!   the layer and the middleware, and the `resource_metadata` every 401
//!   challenge carries.
//!
//! Settings: [`OAuthSettings`], through `VerifierBuilder::oauth`.

#[cfg(feature = "oauth")]
mod access_token;
#[cfg(feature = "oauth")]
mod dpop;
pub(crate) mod env;
#[cfg(feature = "oauth-introspection")]
mod introspection;
#[cfg(all(feature = "oauth", not(feature = "oauth-introspection")))]
#[path = "introspection_off.rs"]
mod introspection;
#[cfg(feature = "oauth")]
mod metadata;
#[cfg(not(feature = "oauth"))]
mod off;
#[cfg(all(feature = "session-redis", feature = "oauth"))]
mod redis_replay;
#[cfg(feature = "oauth")]
mod replay;
#[cfg(feature = "oauth")]
mod resource;
#[cfg(feature = "oauth")]
mod settings;

#[cfg(feature = "oauth")]
pub(crate) use access_token::AccessTokens;
#[cfg(feature = "oauth")]
pub use dpop::MAX_DPOP_PROOF_LEN;
#[cfg(feature = "oauth-introspection")]
pub use introspection::{DEFAULT_INTROSPECTION_CACHE_ENTRIES, DEFAULT_INTROSPECTION_CACHE_TTL};
#[cfg(not(feature = "oauth"))]
pub(crate) use off::{AccessTokens, OAuthSettings};
#[cfg(all(feature = "session-redis", feature = "oauth"))]
#[cfg_attr(docsrs, doc(cfg(all(feature = "session-redis", feature = "oauth"))))]
pub use redis_replay::{DEFAULT_REDIS_REPLAY_PREFIX, RedisReplayStore};
#[cfg(feature = "oauth")]
pub use replay::{
    DEFAULT_REPLAY_CAPACITY, MemoryReplayStore, ReplayCheck, ReplayStore, ReplayStoreError,
};
#[cfg(feature = "oauth")]
pub use settings::OAuthSettings;

#[cfg(any(feature = "tower", feature = "actix"))]
use crate::verifier::Verifier;

/// The metadata document's response when `method` and `path` ask for it
/// and the verifier accepts access tokens: what the layer and the
/// middleware serve before they authenticate anything.
#[cfg(any(feature = "tower", feature = "actix"))]
pub(crate) fn metadata_response(
    verifier: &Verifier,
    method: &str,
    path: &str,
) -> Option<http::Response<String>> {
    let tokens = verifier.inner.credentials.access_tokens.as_ref()?;
    tokens.metadata_response(method, path)
}
