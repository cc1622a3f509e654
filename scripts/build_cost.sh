#!/usr/bin/env bash
# What jwtguard adds to a user's clean build: the same small axum JSON
# service (axum, tokio, serde with derive, serde_json: what any handler that
# takes or returns a JSON body needs), built from nothing (debug profile, its
# own target directory), without and with `jwtguard = { features = ["axum"] }`.
# Prints both times and the ratio.
#   scripts/build_cost.sh
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

service() { # name, with jwtguard (yes/no)
  local dir="$work/$1"
  mkdir -p "$dir/src"
  {
    printf '[package]\nname = "%s"\nversion = "0.0.0"\nedition = "2024"\n\n[dependencies]\n' "$1"
    printf 'axum = "0.8"\ntokio = { version = "1", features = ["macros", "rt-multi-thread", "net"] }\n'
    printf 'serde = { version = "1", features = ["derive"] }\nserde_json = "1"\n'
    if [ "$2" = yes ]; then
      printf 'jwtguard = { path = "%s", features = ["axum"] }\n' "$ROOT"
    fi
    printf '\n[workspace]\n'
  } >"$dir/Cargo.toml"
  if [ "$2" = yes ]; then
    cat >"$dir/src/main.rs" <<'RS'
use axum::{Json, Router, routing::get};
use jwtguard::Verifier;
use jwtguard::axum::OwnerOf;

#[derive(serde::Serialize, serde::Deserialize)]
struct Task {
    title: String,
}

async fn tasks(owner: OwnerOf) -> Json<Vec<Task>> {
    Json(vec![Task { title: format!("a task of {}", owner.user_id()) }])
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let app = Router::new()
        .route("/api/{user_id}/tasks", get(tasks))
        .with_state(Verifier::from_env()?);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    axum::serve(listener, app).await?;
    Ok(())
}
RS
  else
    cat >"$dir/src/main.rs" <<'RS'
use axum::{Json, Router, extract::Path, routing::get};

#[derive(serde::Serialize, serde::Deserialize)]
struct Task {
    title: String,
}

async fn tasks(Path(user_id): Path<String>) -> Json<Vec<Task>> {
    Json(vec![Task { title: format!("a task of {user_id}") }])
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let app = Router::new().route("/api/{user_id}/tasks", get(tasks));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    axum::serve(listener, app).await?;
    Ok(())
}
RS
  fi
  (cd "$dir" && cargo generate-lockfile --offline -q 2>/dev/null || cargo generate-lockfile -q)
  (cd "$dir" && cargo fetch -q)
  local start end
  start=$(date +%s.%N)
  (cd "$dir" && CARGO_TARGET_DIR="$dir/target" cargo build -q)
  end=$(date +%s.%N)
  python3 -c "print(f'{$end - $start:.1f}')"
}

without=$(service plain no)
with=$(service guarded yes)
echo "axum service, clean debug build: without jwtguard ${without} s, with jwtguard/axum ${with} s"
python3 -c "print(f'ratio: {$with / $without:.2f}x')"
