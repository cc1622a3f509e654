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
//!
//! `--help` (or `-h`) prints the usage and exits 0; an option it does not
//! know, a missing user id or a bad lifetime prints it to stderr and exits
//! 2. A user id that starts with `-` goes after `--`.

use std::process::ExitCode;
use std::time::Duration;

use jwtguard::CookieCacheStrategy;
use jwtguard::testing::{SessionMinter, TokenMinter};

const USAGE: &str = "\
usage: cargo run --example mint_token -- [--session] [--] <user-id> [minutes]

Prints a token for <user-id>, signed with BETTER_AUTH_SECRET, lasting
[minutes] (default 15); JWT_ISSUER and JWT_AUDIENCE as for the servers.

  --session   print a Cookie header instead: a Better Auth session cookie and
              its `compact` cookie cache, for BETTER_AUTH_COOKIE_CACHE=compact
  --          what follows is the user id, even if it starts with `-`
  -h, --help  print this help
";

/// The exit status of a command line that cannot be understood (as getopt's
/// users and clap exit).
const USAGE_ERROR: u8 = 2;

/// What the command line asks for.
#[derive(Debug, PartialEq, Eq)]
enum Command {
    Help,
    Mint {
        session: bool,
        user_id: String,
        minutes: u64,
    },
}

/// Reads the arguments that follow the program's name. `--help` wins over
/// anything after it; an option it does not know is an error, never a user id.
fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Command, String> {
    let mut args = args.into_iter();
    let mut session = false;
    let mut operands = Vec::new();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "-h" | "--help" => return Ok(Command::Help),
            "--session" => session = true,
            "--" => {
                operands.extend(args);
                break;
            }
            option if option.starts_with('-') => {
                return Err(format!("unknown option {option:?}"));
            }
            _ => operands.push(arg),
        }
    }
    let mut operands = operands.into_iter();
    let user_id = match operands.next() {
        Some(id) if !id.is_empty() => id,
        _ => return Err("a user id is required".to_owned()),
    };
    let minutes = match operands.next().map(|m| m.parse()) {
        None => 15,
        Some(Ok(minutes)) if minutes > 0 => minutes,
        Some(_) => return Err("the lifetime must be a whole number of minutes".to_owned()),
    };
    if let Some(extra) = operands.next() {
        return Err(format!("unexpected argument {extra:?}"));
    }
    Ok(Command::Mint {
        session,
        user_id,
        minutes,
    })
}

fn main() -> ExitCode {
    let (session, user_id, minutes) = match parse_args(std::env::args().skip(1)) {
        Ok(Command::Help) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Ok(Command::Mint {
            session,
            user_id,
            minutes,
        }) => (session, user_id, minutes),
        Err(problem) => {
            eprint!("mint_token: {problem}\n\n{USAGE}");
            return ExitCode::from(USAGE_ERROR);
        }
    };
    let _ = dotenvy::dotenv();
    let Some(secret) = std::env::var("BETTER_AUTH_SECRET")
        .ok()
        .filter(|s| !s.is_empty())
    else {
        eprintln!(
            "mint_token: BETTER_AUTH_SECRET is not set: export the same value the server uses"
        );
        return ExitCode::FAILURE;
    };
    let seconds = minutes.saturating_mul(60);
    if session {
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let lifetime = i64::try_from(seconds).unwrap_or(i64::MAX);
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
        .expires_in(Duration::from_secs(seconds))
        .sign();
    println!("{token}");
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Command, String> {
        parse_args(args.iter().map(|arg| (*arg).to_owned()))
    }

    fn mint(session: bool, user_id: &str, minutes: u64) -> Result<Command, String> {
        Ok(Command::Mint {
            session,
            user_id: user_id.to_owned(),
            minutes,
        })
    }

    #[test]
    fn help_and_h_ask_for_help_instead_of_minting_for_a_user_named_so() {
        for args in [
            &["--help"][..],
            &["-h"],
            &["--session", "--help"],
            &["user-1", "-h"],
        ] {
            assert_eq!(parse(args), Ok(Command::Help), "{args:?}");
        }
    }

    #[test]
    fn an_unknown_option_is_a_usage_error_not_a_user_id() {
        for args in [&["--bogus"][..], &["-x", "user-1"], &["user-1", "--sesion"]] {
            let err = parse(args).unwrap_err();
            assert!(err.contains("unknown option"), "{args:?}: {err}");
        }
        assert_eq!(USAGE_ERROR, 2);
    }

    #[test]
    fn a_user_id_its_lifetime_and_session_are_read_as_before() {
        assert_eq!(parse(&["user-1"]), mint(false, "user-1", 15));
        assert_eq!(parse(&["user-1", "60"]), mint(false, "user-1", 60));
        assert_eq!(
            parse(&["--session", "user-1", "5"]),
            mint(true, "user-1", 5)
        );
        // After `--`, anything is the user id.
        assert_eq!(parse(&["--", "--help"]), mint(false, "--help", 15));
    }

    #[test]
    fn a_missing_user_a_bad_lifetime_or_an_extra_argument_is_a_usage_error() {
        for args in [
            &[][..],
            &[""],
            &["--session"],
            &["user-1", "0"],
            &["user-1", "soon"],
            &["user-1", "5", "more"],
        ] {
            assert!(parse(args).is_err(), "{args:?}");
        }
    }
}
