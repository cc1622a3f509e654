//! The token itself, independent of keys: the compact form, the JOSE header,
//! the claims and the policy they must meet, and the strict JSON reading
//! all of them share.

pub(crate) mod access_control;
pub(crate) mod claims;
pub(crate) mod clock;
pub(crate) mod compact;
pub(crate) mod decode;
pub(crate) mod guard;
pub(crate) mod header;
pub(crate) mod policy;
pub(crate) mod rules;
mod strict_de;
pub(crate) mod strict_json;
