//! Better Auth's JWT plugin keys (feature `jwks`): the JWKS document, the
//! live key set with its maximum age, the background refresh, the cache of
//! verified tokens, and (feature `jwks-fetch`) fetching over HTTPS.

pub(crate) mod cache;
pub(crate) mod document;
#[cfg(feature = "jwks-fetch")]
pub(crate) mod fetch;
pub(crate) mod refresh;
pub(crate) mod settings;
pub(crate) mod store;
