#!/usr/bin/env bash
# What jwtguard adds to a user's clean build. Four small axum services, each
# built from nothing (debug profile, its own target directory), RUNS times,
# interleaved so that the machine's noise hits them alike:
#   bare     axum and tokio only, a route with a path parameter;
#   json     the same with serde (derive) and serde_json: what any handler
#            that takes or returns a JSON body needs;
#   dependencies  the json service with jwtguard's own dependencies, as
#            `features = ["axum"]` resolves them (read from Cargo.toml), and
#            no jwtguard code: the least any jwtguard built on these crates
#            can cost;
#   guarded  the json service with `jwtguard = { features = ["axum"] }`,
#            its route taking `OwnerOf`.
# jwtguard comes in as `cargo add` brings it: not a path dependency (which
# cargo builds incrementally, as it does the user's own code) but a git one,
# the repository's last commit, built once like any crates.io dependency.
# Prints each build's times, the medians and the ratios.
#   scripts/build_cost.sh [RUNS]     (default 3)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
RUNS=${1:-3}

jwtguard_dependencies() { # [dependencies] lines: the ones `axum` and the defaults
  # enable, serde and serde_json with jwtguard's features (the json service's and more)
  python3 - "$ROOT/Cargo.toml" <<'PY'
import sys, tomllib
manifest = tomllib.load(open(sys.argv[1], "rb"))
features, enabled, todo = manifest["features"], set(), ["default", "axum"]
while todo:
    for item in features.get(todo.pop(), []):
        if item.startswith("dep:"):
            enabled.add(item[4:])
        elif "/" not in item and item not in enabled:
            enabled.add(item)
            todo.append(item)
for name, spec in manifest["dependencies"].items():
    if name == "axum":
        continue  # the service's own, with more features
    if isinstance(spec, str):
        spec = {"version": spec}
    if spec.pop("optional", False) and name not in enabled:
        continue
    fields = ", ".join(
        f"{key} = " + ("true" if value is True else "false" if value is False
                       else f'"{value}"' if isinstance(value, str)
                       else "[" + ", ".join(f'"{v}"' for v in value) + "]")
        for key, value in spec.items())
    print(f"{name} = {{ {fields} }}")
PY
}

write_service() { # bare, json, dependencies or guarded
  local dir="$work/$1"
  mkdir -p "$dir/src"
  {
    printf '[package]\nname = "%s"\nversion = "0.0.0"\nedition = "2024"\n\n[dependencies]\n' "$1"
    printf 'axum = "0.8"\ntokio = { version = "1", features = ["macros", "rt-multi-thread", "net"] }\n'
    if [ "$1" = json ] || [ "$1" = guarded ]; then
      printf 'serde = { version = "1", features = ["derive"] }\nserde_json = "1"\n'
    fi
    if [ "$1" = dependencies ]; then jwtguard_dependencies; fi
    if [ "$1" = guarded ]; then
      printf 'jwtguard = { git = "file://%s", features = ["axum"] }\n' "$ROOT"
    fi
    printf '\n[workspace]\n'
  } >"$dir/Cargo.toml"
  case "$1" in
  guarded)
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
    ;;
  json | dependencies)
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
    ;;
  bare)
    cat >"$dir/src/main.rs" <<'RS'
use axum::{Router, extract::Path, routing::get};

async fn tasks(Path(user_id): Path<String>) -> String {
    format!("the tasks of {user_id}")
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let app = Router::new().route("/api/{user_id}/tasks", get(tasks));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    axum::serve(listener, app).await?;
    Ok(())
}
RS
    ;;
  esac
  if ! (cd "$dir" && cargo generate-lockfile --offline -q 2>/dev/null); then
    (cd "$dir" && cargo generate-lockfile -q)
  fi
  (cd "$dir" && cargo fetch -q)
}

build_time() { # bare, json, dependencies or guarded: seconds for a build from nothing
  local dir="$work/$1" start end
  rm -rf "$dir/target"
  start=$(date +%s.%N)
  (cd "$dir" && CARGO_TARGET_DIR="$dir/target" cargo build -q)
  end=$(date +%s.%N)
  python3 -c "print(f'{$end - $start:.1f}')"
}

services="bare json dependencies guarded"
for service in $services; do write_service "$service"; done
declare -A times
for run in $(seq 1 "$RUNS"); do
  for service in $services; do
    t=$(build_time "$service")
    times[$service]="${times[$service]:-} $t"
    echo "run $run: $service ${t} s"
  done
done
python3 - "${times[bare]}" "${times[json]}" "${times[dependencies]}" "${times[guarded]}" <<'PY'
import statistics, sys
names = ("bare", "json", "dependencies", "guarded")
runs = {name: [float(t) for t in arg.split()] for name, arg in zip(names, sys.argv[1:])}
labels = {"bare": "bare (axum, tokio)", "json": "json (+ serde, serde_json)",
          "dependencies": "dependencies (+ jwtguard's)", "guarded": "guarded (+ jwtguard/axum)"}
for name in names:
    print(f"{labels[name]:29s} median {statistics.median(runs[name]):5.1f} s  runs {runs[name]}")
m = {name: statistics.median(runs[name]) for name in names}
print(f"guarded / json:      {m['guarded'] / m['json']:.2f}x")
print(f"guarded / bare:      {m['guarded'] / m['bare']:.2f}x")
print(f"dependencies / json: {m['dependencies'] / m['json']:.2f}x")
print(f"json / bare:         {m['json'] / m['bare']:.2f}x")
PY
