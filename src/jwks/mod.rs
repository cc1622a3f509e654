//! Better Auth's JWT plugin keys: the JWKS document, the live key set with
//! its maximum age, the background refresh, the cache of verified tokens,
//! and (feature `jwks-fetch`) fetching over HTTPS, all behind feature
//! `jwks`. Without it, `off.rs` gives the verifier the same interface
//! ([`PublicKeys`], [`Stop`], [`JwksSettings`]) refusing public-key tokens,
//! so that the switch is here and not in the verifier.

#[cfg(feature = "jwks")]
pub(crate) mod cache;
#[cfg(feature = "jwks")]
pub(crate) mod document;
pub(crate) mod env;
#[cfg(feature = "jwks-fetch")]
pub(crate) mod fetch;
#[cfg(not(feature = "jwks"))]
mod off;
#[cfg(feature = "jwks")]
mod public_keys;
#[cfg(feature = "jwks")]
pub(crate) mod refresh;
#[cfg(feature = "jwks")]
pub(crate) mod settings;
#[cfg(feature = "jwks")]
pub(crate) mod store;

#[cfg(not(feature = "jwks"))]
pub(crate) use off::{JwksSettings, PublicKeys, Stop};
#[cfg(feature = "jwks")]
pub(crate) use public_keys::{PublicKeys, Stop};
#[cfg(feature = "jwks")]
pub(crate) use settings::JwksSettings;
