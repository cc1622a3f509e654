//! Nothing: this unpublished crate exists for its bench target,
//! `benches/rivals.rs` (`cargo bench -p jwtguard-rivals`), which times
//! jwtguard beside oxitoken, jsonwebtoken 12 and axum-jwt. Cargo needs a
//! library or binary target in every package.
