//! What each credential costs a request: a bearer JWT next to Better Auth's
//! session credentials, all through [`Verifier::verify_request`] (what the
//! adapters call) on the same headers a browser sends.
//!
//! * `jwt_bearer`: an HS256 JWT in `Authorization` (the baseline);
//! * `cookie_cache_{compact,jwt,jwe}`: the session cookie and a fresh
//!   cookie cache (no lookup); `jwe` is a cache minted by better-auth 1.7.25;
//! * `session_cookie_store_hit`: the session cookie alone, its session in
//!   the store's cache (what all but one request per TTL cost);
//! * `forged_session_cookie`: a session cookie with a wrong signature
//!   (refused before any lookup).
//!
//! Run with `cargo bench --bench sessions --features test-util,session-jwe`.

use std::hint::black_box;
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use http::HeaderMap;
use jwtguard::testing::{SessionMinter, TokenMinter};
use jwtguard::{
    Claims, Clock, CookieCacheStrategy, RequestParts, SessionLookup, SessionRecord, SessionStore,
    SessionToken, Verifier,
};

const SECRET: &str = "better-auth-secret-0123456789abcdefghij";
/// A `jwe` cookie cache and its session cookie, minted by better-auth 1.7.25
/// with SECRET at 2026-12-01T05:44:51Z (valid for 300 s from then).
const JWE_CACHE: &str = "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2Q0JDLUhTNTEyIiwia2lkIjoic2U3ZXBFME9kSjJjeGU3Q2xhTDhCMVRHVm52RElPbnpjVm5xRzZ6eFBvYyJ9..kDMkWq8_i1AwNCBXQQRd9Q.Fn5fOeppLwuyU4H1v4pW22eCX-bNM418yKJoHsZ3hiZdqZ4n_eKMB5bN1mzNqkYl5sECh3ZFwQftHvZKehnr9sACmVTsvVHhhj4ho1psbDSSpEjN3chRuAkORkBuClTwB1uKA5SHYNJk4SniYZLyBhbvU6fNCawwTEd_ogKUoXZ1e-_vsj-JeGKytPOVIfzYuipek6QuRr92ldtZsKMAkyBl62nE79XxGMJJ6YMLBgvtqDyKxOJQrmyFSp2V-zzn37qV0TGyUYwev7mRWy_nMsZxJU_0qcY-nZ9ljxkp_QiyEM4lJ4cNK591HkAZyoVOPW8w3ew-SSB8d6ribZPuvXCXc4gert9nTTm01tW29BYfbGoNNBCxRWGQdzx51jMwxUVyxnLGnrlX0ECVP3HOql0Ik685cZS97T4XHLWOS_miQQxiY_wzoEutYv02DLe6WkY7YlkJju-r1O6Q2ALR0kJPLh4U7ILg2ujlJd9B-HzglCIwl-PPbHkGNne6mxrMVAoTupAPab9231kL82aTL6RzWfEOPZbiupPm5_w-9DOcOQApRCqzW34-tGJPkRHYOC4IIdipFH12pQywsY4yaPjnrjFa81p7oFHEzarHkCRVxGKP3N47XDonYHDgk9V_wEhKjg6a5gGBr5Dj9l2WZbPLsFx6yctSbMo6zxOLKjAYArGnchBYcc1bdBysd4134Mesv5BOzfpKCcJR-yzqFbFNCmZNard3XqiKWBZsgWy7Wo5JL-Wk__BACu2zeV2z8Ixdch0Aq4MlD-J7EqXBXczVDXyYRa7YQPXUp4pRyOg.JwjNwMzFyRJ93P1n_N4hzbUpgQstG6Dn51wK4DgoF2U";
const JWE_SESSION_COOKIE: &str =
    "E49HoTffgub1OkOqtYlCOG9X3DEyd8dH.8vDYxv6f6VUOeuxSSeP6MnAKzUE6gzalunHYzq7XbmE%3D";
const JWE_MINTED_AT: i64 = 1_796_103_891;

/// Runs a future that never waits (the store below answers at once).
fn ready<T>(future: impl Future<Output = T>) -> T {
    let mut future = pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(value) => value,
        Poll::Pending => unreachable!("nothing here waits"),
    }
}

/// One session, answered at once.
struct OneSession(SessionRecord);

impl SessionStore for OneSession {
    fn find_session<'a>(&'a self, _: &'a SessionToken<'a>) -> SessionLookup<'a> {
        let record = self.0.clone();
        Box::pin(async move { Ok(Some(record)) })
    }
}

fn headers(pairs: &[(&'static str, String)]) -> HeaderMap {
    let mut headers = HeaderMap::new();
    for (name, value) in pairs {
        headers.append(*name, value.parse().unwrap());
    }
    headers
}

fn cookie(pairs: &[(&str, &str)]) -> (&'static str, String) {
    let joined: Vec<String> = pairs.iter().map(|(n, v)| format!("{n}={v}")).collect();
    ("cookie", joined.join("; "))
}

fn bench(c: &mut Criterion) {
    let now = JWE_MINTED_AT + 10;
    let session = SessionMinter::new(SECRET)
        .at(now)
        .user_field("email", "ada@example.com");
    let verifier = |strategy: CookieCacheStrategy| {
        Verifier::builder()
            .hs256_secret(SECRET)
            .sessions(|sessions| {
                sessions
                    .secret(SECRET)
                    .cookie_cache(strategy)
                    .store(OneSession(session.record()))
                    .store_cache(Duration::from_secs(3600), 100)
            })
            .clock(Clock::fixed_unix(now))
            .build()
            .unwrap()
    };
    let jwt = TokenMinter::new(SECRET)
        .at(now)
        .subject("user-1")
        .claim("email", "ada@example.com")
        .sign();
    let token_cookie = session.cookie_value();
    let forged = SessionMinter::new("another-secret-0123456789abcdefghijkl").cookie_value();
    let compact = session.cookie_cache(CookieCacheStrategy::Compact);
    let jwt_cache = session.cookie_cache(CookieCacheStrategy::Jwt);
    let cases: Vec<(&str, Verifier, HeaderMap, bool)> = vec![
        (
            "jwt_bearer",
            verifier(CookieCacheStrategy::Compact),
            headers(&[("authorization", format!("Bearer {jwt}"))]),
            true,
        ),
        (
            "cookie_cache_compact",
            verifier(CookieCacheStrategy::Compact),
            headers(&[cookie(&[
                ("better-auth.session_token", &token_cookie),
                ("better-auth.session_data", &compact),
            ])]),
            true,
        ),
        (
            "cookie_cache_jwt",
            verifier(CookieCacheStrategy::Jwt),
            headers(&[cookie(&[
                ("better-auth.session_token", &token_cookie),
                ("better-auth.session_data", &jwt_cache),
            ])]),
            true,
        ),
        (
            "cookie_cache_jwe",
            verifier(CookieCacheStrategy::Jwe),
            headers(&[cookie(&[
                ("better-auth.session_token", JWE_SESSION_COOKIE),
                ("better-auth.session_data", JWE_CACHE),
            ])]),
            true,
        ),
        (
            "session_cookie_store_hit",
            verifier(CookieCacheStrategy::Compact),
            headers(&[cookie(&[("better-auth.session_token", &token_cookie)])]),
            true,
        ),
        (
            "forged_session_cookie",
            verifier(CookieCacheStrategy::Compact),
            headers(&[cookie(&[("better-auth.session_token", &forged)])]),
            false,
        ),
    ];
    let mut group = c.benchmark_group("credentials");
    for (name, verifier, headers, valid) in cases {
        // Checked once before timing: each case measures the path it names.
        let result =
            ready(verifier.verify_request::<Claims, _>(&RequestParts::new("GET", None, &headers)));
        assert_eq!(result.is_ok(), valid, "{name}: {result:?}");
        group.bench_function(name, |b| {
            b.iter(|| {
                ready(verifier.verify_request::<Claims, _>(&RequestParts::new(
                    "GET",
                    None,
                    black_box(&headers),
                )))
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
