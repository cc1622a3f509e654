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
# Prints each build's wall and CPU times (all cores), the medians and the
# ratios: wall time is what a user waits for on this machine, CPU time the
# work, which more cores spread.
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

build_time() { # bare, json, dependencies or guarded: "wall cpu" seconds of a
  # build from nothing (cpu: user and system time, every core's)
  local dir="$work/$1" TIMEFORMAT='%R %U %S'
  rm -rf "$dir/target"
  { time (cd "$dir" && CARGO_TARGET_DIR="$dir/target" cargo build -q); } 2>"$work/time"
  read -r wall user system <"$work/time"
  python3 -c "print(f'{$wall:.1f} {$user + $system:.1f}')"
}

services="bare json dependencies guarded"
for service in $services; do write_service "$service"; done
declare -A walls cpus
for run in $(seq 1 "$RUNS"); do
  for service in $services; do
    read -r wall cpu < <(build_time "$service")
    walls[$service]="${walls[$service]:-} $wall"
    cpus[$service]="${cpus[$service]:-} $cpu"
    echo "run $run: $service ${wall} s (cpu ${cpu} s)"
  done
done
args=()
for service in $services; do args+=("${walls[$service]}" "${cpus[$service]}"); done
python3 - "${args[@]}" <<'PY'
import statistics, sys
names = ("bare", "json", "dependencies", "guarded")
wall = {n: [float(t) for t in sys.argv[1 + 2 * i].split()] for i, n in enumerate(names)}
cpu = {n: [float(t) for t in sys.argv[2 + 2 * i].split()] for i, n in enumerate(names)}
labels = {"bare": "bare (axum, tokio)", "json": "json (+ serde, serde_json)",
          "dependencies": "dependencies (+ jwtguard's)", "guarded": "guarded (+ jwtguard/axum)"}
median = statistics.median
for n in names:
    print(f"{labels[n]:29s} wall median {median(wall[n]):5.1f} s, cpu {median(cpu[n]):5.1f} s"
          f"  (wall runs {wall[n]})")
for a, b in (("guarded", "json"), ("guarded", "bare"), ("dependencies", "json"), ("json", "bare")):
    per_run = sorted(x / y for x, y in zip(wall[a], wall[b]))
    print(f"{a + ' / ' + b + ':':22s} wall {median(wall[a]) / median(wall[b]):.2f}x"
          f" (per run {per_run[0]:.2f}-{per_run[-1]:.2f}x),"
          f" cpu {median(cpu[a]) / median(cpu[b]):.2f}x")
PY
