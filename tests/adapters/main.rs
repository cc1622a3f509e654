//! The axum and actix-web adapters: one table of requests answered alike,
//! the owner check decoded as each framework's own path extractor decodes,
//! and the Origin check of cookie-borne tokens.

#[path = "../common/mod.rs"]
mod common;

mod cookie_origin;
mod owner_parity;
mod responses;
