//! Better Auth's sessions in Redis (`secondaryStorage`), through
//! `RedisSessionStore`, against a real `redis-server` started here.
//!
//! Each test starts its own `redis-server` on a free port (nothing
//! persisted) and, where it needs one, the real Better Auth
//! (`tests/fixtures/better-auth/session-server.mjs` with `BA_REDIS_URL`:
//! `@better-auth/redis-storage` on ioredis, and a database without a session
//! table), so the keys read are the ones Better Auth wrote. With feature
//! `api-key`, the plugin's keys kept in Redis too (`api_keys`). Needs
//! `redis-server` on `PATH`, Node.js 20+ and npm.

#[path = "../common/jwks.rs"]
mod support;

#[cfg(feature = "api-key")]
mod api_keys;
mod dpop;
mod outage;
mod sessions;

use std::time::{Duration, Instant};

use jwtguard::{Claims, Error, RedisSessionStore, RequestParts, Verifier, VerifierBuilder};
use jwtguard_test_support::{BetterAuth, RedisServer, env};

pub const SECRET: &str = "better-auth-secret-0123456789abcdefghij";

/// A real Better Auth whose sessions live in `redis` only, with `more`
/// variables (`BA_REDIS_PREFIX`, `BA_ADMIN`...).
pub fn better_auth(redis: &RedisServer, more: &[(&str, &str)]) -> BetterAuth {
    let url = redis.url();
    let mut vars = vec![("BA_SECRET", SECRET), ("BA_REDIS_URL", url.as_str())];
    vars.extend_from_slice(more);
    BetterAuth::start(&vars)
}

/// The verifier `from_env` builds from `BETTER_AUTH_SECRET`,
/// `BETTER_AUTH_REDIS_URL` and `more`, its store's answers reused for
/// `cache_ttl`.
pub fn from_env(redis: &RedisServer, more: &[(&str, &str)], cache_ttl: Duration) -> Verifier {
    let mut vars = vec![
        ("BETTER_AUTH_SECRET", SECRET.to_owned()),
        ("BETTER_AUTH_REDIS_URL", redis.url()),
    ];
    vars.extend(
        more.iter()
            .map(|(name, value)| (*name, (*value).to_owned())),
    );
    VerifierBuilder::from_env_with(env(&vars))
        .unwrap()
        .sessions(|sessions| sessions.store_cache(cache_ttl, 100))
        .build()
        .unwrap()
}

/// A verifier resolving session tokens through `store`, its answers reused
/// for `cache_ttl`.
pub fn with_store(store: RedisSessionStore, cache_ttl: Duration) -> Verifier {
    Verifier::builder()
        .sessions(|sessions| {
            sessions
                .secret(SECRET)
                .store(store)
                .store_cache(cache_ttl, 100)
        })
        .build()
        .unwrap()
}

/// Verifies a GET carrying the cookie `cookie` (`name=value`) alone.
pub async fn verify_cookie(verifier: &Verifier, cookie: &str) -> Result<Claims, Error> {
    let mut headers = http::HeaderMap::new();
    headers.insert("cookie", cookie.parse().unwrap());
    verifier
        .verify_request(&RequestParts::new("GET", None, &headers))
        .await
}

/// Waits up to `within` for `check` to hold, polling every 50 ms.
pub async fn eventually<F: AsyncFn() -> bool>(within: Duration, check: F) -> bool {
    let started = Instant::now();
    loop {
        if check().await {
            return true;
        }
        if started.elapsed() > within {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A connection of the test's own to `redis`, to read and write keys as
/// Better Auth would.
pub async fn connect(redis: &RedisServer) -> redis::aio::MultiplexedConnection {
    redis::Client::open(redis.url())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap()
}

/// The token of a `name=<token>.<signature>` cookie.
pub fn token_of(cookie: &str) -> &str {
    let value = cookie.split_once('=').expect("name=value").1;
    value.split_once('.').expect("token.signature").0
}
