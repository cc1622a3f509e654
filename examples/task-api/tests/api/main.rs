//! The task API over HTTP, in-process: every scenario is written once and run
//! against both servers, the axum router (through `tower::ServiceExt::oneshot`)
//! and the actix app (through `actix_web::test`).
//!
//! The database is `sqlite::memory:` (a fresh one per test) unless
//! `TEST_DATABASE_URL` is set, for example to a PostgreSQL URL; the table is
//! then shared between tests, so every test uses its own random user ids.
//!
//! Test names read `<area>::<behaviour>::axum` and `<area>::<behaviour>::actix`,
//! so `cargo test -p task-api --test api create_` runs one behaviour on both
//! servers, and `cargo test -p task-api --test api auth::` one area.

mod harness;

mod auth;
mod concurrency;
mod cors;
mod crud;
mod isolation;
mod oauth;
mod parity;
mod redis;
mod robustness;
mod sessions;
mod validation;
