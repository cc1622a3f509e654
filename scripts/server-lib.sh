# Helpers for the scripts that drive an example server on loopback.
# Source it; it expects $ROOT (the repository) and sets $SERVER_PID.

: "${PROFILE:=debug}"          # debug or release: which build of the examples to run
: "${BETTER_AUTH_SECRET:=script-secret-that-is-at-least-32-bytes-long}"
export BETTER_AUTH_SECRET

# The examples are the task-api crate's; cargo puts them in the workspace's target.
example_bin() { echo "${CARGO_TARGET_DIR:-$ROOT/target}/$PROFILE/examples/$1"; }

build_examples() {
  local flag=""
  [ "$PROFILE" = release ] && flag="--release"
  (cd "$ROOT" && cargo build -q $flag --example tasks_axum --example tasks_actix --example mint_token)
}

# start_server NAME PORT LOGFILE [VAR=VALUE ...]: runs the example in the background.
start_server() {
  local name=$1 port=$2 log=$3
  shift 3
  env PORT="$port" HOST=127.0.0.1 "$@" "$(example_bin "$name")" >"$log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 100); do
    if curl -s -o /dev/null "http://127.0.0.1:$port/health"; then return 0; fi
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      echo "server $name exited:"; cat "$log"; return 1
    fi
    sleep 0.1
  done
  echo "server $name did not start"; cat "$log"; return 1
}

stop_server() {
  [ -n "${SERVER_PID:-}" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  SERVER_PID=""
  return 0
}

mint() { "$(example_bin mint_token)" "$1" "${2:-60}"; }
