//! What jwtguard's tests and its example's tests share, written once.
//!
//! * [`BetterAuth`]: the real `better-auth` package (pinned in
//!   `tests/fixtures/better-auth/package-lock.json`), running
//!   `session-server.mjs` on loopback: it signs a user up, hands out the
//!   session cookie, cookie cache and bearer token, and keeps serving
//!   `get-session` and `sign-out` until dropped. Or, through
//!   [`BetterAuth::start_script`], `oauth-server.mjs`: an OAuth 2.1
//!   authorization server (`@better-auth/oauth-provider`) whose `/test/*`
//!   routes ([`BetterAuth::post_json`]) run its flows and hand out tokens.
//!   With `BA_REDIS_URL`, its sessions live in Redis only
//!   (`@better-auth/redis-storage`, no session table).
//! * [`RedisServer`]: a `redis-server` of the test's own on a free port,
//!   which it can stop, restart, pause and resume.
//! * [`env()`]: environment variables read from a list, for the
//!   `from_env_with` constructors.
//!
//! Needs Node.js 20+ and npm for [`BetterAuth`]; the first start in a test
//! run installs the pinned packages with `npm ci`. [`RedisServer`] needs
//! `redis-server` on `PATH`.

mod better_auth;
mod env;
mod redis;

pub use better_auth::{BetterAuth, PINNED_VERSION, fixture_dir, install};
pub use env::env;
pub use redis::RedisServer;
