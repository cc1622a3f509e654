//! Prints a token for a user id, signed with `BETTER_AUTH_SECRET`, shaped like
//! the ones a Better Auth front end sends: for trying the task API with curl.
//!
//! ```sh
//! export BETTER_AUTH_SECRET=...   # the same value the server uses
//! TOKEN=$(cargo run -q --example mint_token -- user-123)
//! curl -H "Authorization: Bearer $TOKEN" localhost:8000/api/user-123/tasks
//! ```
//! Optional: a lifetime in minutes as the second argument (default 15);
//! `JWT_ISSUER` / `JWT_AUDIENCE` as for the servers.
//!
//! With `--session`, it prints a `Cookie` header instead: a Better Auth
//! session cookie and its `compact` cookie cache (lasting that many
//! minutes), for a server started with `BETTER_AUTH_COOKIE_CACHE=compact`:
//!
//! ```sh
//! COOKIE=$(cargo run -q --example mint_token -- --session user-123)
//! curl -H "Cookie: $COOKIE" localhost:8000/api/user-123/tasks
//! ```

use std::process::ExitCode;
use std::time::Duration;

use jwtguard::CookieCacheStrategy;
use jwtguard::testing::{SessionMinter, TokenMinter};

fn main() -> ExitCode {
    let _ = dotenvy::dotenv();
    let mut args = std::env::args().skip(1).peekable();
    let session = args.next_if(|arg| arg == "--session").is_some();
    let Some(user_id) = args.next().filter(|id| !id.is_empty()) else {
        eprintln!("usage: cargo run --example mint_token -- [--session] <user-id> [minutes]");
        return ExitCode::FAILURE;
    };
    let minutes: u64 = match args.next().map(|m| m.parse()) {
        None => 15,
        Some(Ok(minutes)) if minutes > 0 => minutes,
        Some(_) => {
            eprintln!("mint_token: the lifetime must be a whole number of minutes");
            return ExitCode::FAILURE;
        }
    };
    let Some(secret) = std::env::var("BETTER_AUTH_SECRET")
        .ok()
        .filter(|s| !s.is_empty())
    else {
        eprintln!(
            "mint_token: BETTER_AUTH_SECRET is not set: export the same value the server uses"
        );
        return ExitCode::FAILURE;
    };
    if session {
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let lifetime = i64::try_from(minutes * 60).unwrap_or(i64::MAX);
        let session = SessionMinter::new(secret)
            .token(uuid::Uuid::new_v4().simple().to_string())
            .session_id(uuid::Uuid::new_v4().to_string())
            .user_id(user_id.as_str())
            .user_field("email", format!("{user_id}@example.com"))
            .user_field("name", user_id.as_str())
            .cache_expires_at(now.saturating_add(lifetime));
        println!(
            "better-auth.session_token={}; better-auth.session_data={}",
            session.cookie_value(),
            session.cookie_cache(CookieCacheStrategy::Compact)
        );
        return ExitCode::SUCCESS;
    }
    let var =
        |name: &str, default: &str| std::env::var(name).unwrap_or_else(|_| default.to_owned());
    let token = TokenMinter::new(secret)
        .subject(user_id.as_str())
        .claim("email", format!("{user_id}@example.com"))
        .claim("name", user_id.as_str())
        .issuer(var("JWT_ISSUER", "nextjs-frontend"))
        .audience(var("JWT_AUDIENCE", "fastapi-backend"))
        .expires_in(Duration::from_secs(minutes * 60))
        .sign();
    println!("{token}");
    ExitCode::SUCCESS
}
