//! Verification keys: HS256 secrets ([`hmac`]) and, with the `jwks`
//! feature, public keys each bound to one algorithm ([`public`]).

pub(crate) mod hmac;
#[cfg(feature = "jwks")]
pub(crate) mod public;
pub(crate) mod secrets;
