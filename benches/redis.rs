//! A session lookup on a cache miss: `RedisSessionStore` (two `GET`s on
//! Better Auth's Redis) next to `HttpSessionStore` (Better Auth's own
//! `get-session`, which reads the same keys), against the same real
//! servers: a `redis-server` started here and the real Better Auth
//! (`tests/fixtures/better-auth/session-server.mjs` with `BA_REDIS_URL`).
//! Both verifiers keep no answer (`store_cache` TTL zero), so every
//! request is a lookup, through [`Verifier::verify_request`] as the
//! adapters call it.
//!
//! * `redis_store_miss`: the session cookie, resolved in Redis in one
//!   round trip (the store read this token before, so it knows the user
//!   whose watermark it pipelines);
//! * `redis_store_miss_two_round_trips`: the same through a connection given
//!   to `with_connection`, which never pipelines: a token's first lookup;
//! * `get_session_miss`: the same cookie, resolved by `get-session`.
//!
//! Needs `redis-server` on `PATH`, Node.js 20+ and npm. Run with
//! `cargo bench --bench redis --features session-redis,session-http`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use http::HeaderMap;
use jwtguard::{HttpSessionStore, RedisSessionStore, RequestParts, SessionStore, Verifier};
use jwtguard_test_support::{BetterAuth, RedisServer};

const SECRET: &str = "better-auth-secret-0123456789abcdefghij";

/// A verifier resolving every session token through `store`, keeping no
/// answer.
fn without_cache(store: impl SessionStore) -> Verifier {
    Verifier::builder()
        .sessions(|sessions| {
            sessions
                .secret(SECRET)
                .store(store)
                .store_cache(Duration::ZERO, 1)
        })
        .build()
        .expect("valid settings")
}

fn lookups(c: &mut Criterion) {
    let redis = RedisServer::start();
    let app = BetterAuth::start(&[("BA_SECRET", SECRET), ("BA_REDIS_URL", &redis.url())]);
    let mut headers = HeaderMap::new();
    headers.insert("cookie", app.token_cookie().parse().expect("a cookie"));
    let request = RequestParts::new("GET", None, &headers);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");

    let redis_verifier = without_cache(RedisSessionStore::new(redis.url()).expect("a URL"));
    let manager = runtime
        .block_on(redis::aio::ConnectionManager::new(
            redis::Client::open(redis.url()).expect("a URL"),
        ))
        .expect("a connection");
    let two_trips_verifier = without_cache(RedisSessionStore::with_connection(manager));
    let http_verifier = without_cache(HttpSessionStore::new(app.url()).expect("a URL"));
    let user = app.text("userId");
    for verifier in [&redis_verifier, &two_trips_verifier, &http_verifier] {
        let claims = runtime
            .block_on(verifier.verify_request::<jwtguard::Claims, _>(&request))
            .expect("the session is found");
        assert_eq!(claims.sub(), user);
    }

    let mut group = c.benchmark_group("session_lookup_miss");
    group.bench_function("redis_store_miss", |b| {
        b.iter(|| {
            runtime
                .block_on(redis_verifier.verify_request::<jwtguard::Claims, _>(black_box(&request)))
                .expect("found")
        });
    });
    group.bench_function("redis_store_miss_two_round_trips", |b| {
        b.iter(|| {
            runtime
                .block_on(
                    two_trips_verifier.verify_request::<jwtguard::Claims, _>(black_box(&request)),
                )
                .expect("found")
        });
    });
    group.bench_function("get_session_miss", |b| {
        b.iter(|| {
            runtime
                .block_on(http_verifier.verify_request::<jwtguard::Claims, _>(black_box(&request)))
                .expect("found")
        });
    });
    group.finish();
    let asked = app.get_session_count();
    assert!(
        asked > 0,
        "get-session was never asked: the cache was not off"
    );
}

criterion_group!(benches, lookups);
criterion_main!(benches);
