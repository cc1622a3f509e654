//! The core verifier, without any web framework: token form and encoding,
//! signatures, claims, configuration, requests, HTTP answers, attacks, and
//! agreement with jsonwebtoken and between our own read paths.

#[path = "../common/mod.rs"]
mod common;

mod attacks;
mod claims;
mod config;
mod differential;
mod encoding;
mod http_mapping;
mod properties;
mod requests;
mod signature;
