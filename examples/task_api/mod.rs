//! The example task API, for the library's targets that include this file by
//! path (`tests/better_auth.rs`, `benches/auth_cost.rs`). The code is the
//! `task-api` crate in `examples/task-api/`.

pub use ::task_api::*;
