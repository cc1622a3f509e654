#!/usr/bin/env bash
# Load on loopback with wrk: the authenticated list route and the create route,
# 256 connections, for a bounded time, against each example server.
# Prints requests/s, p50 and p99 latency and errors, and fails unless every
# answer was 2xx and every acknowledged create is in the database afterwards.
#
#   scripts/load.sh [SECONDS] [CONNECTIONS]     (PROFILE=release for real numbers)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/scripts/server-lib.sh"
SECONDS_PER_RUN=${1:-10}
CONNECTIONS=${2:-256}
DATABASE_URL=${DATABASE_URL:-}
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)"; exit 1; }
build_examples
work=$(mktemp -d)
trap 'stop_server; rm -rf "$work"' EXIT

cat >"$work/create.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"title":"load test task","description":"made by wrk"}'
wrk.headers["Content-Type"] = "application/json"
LUA

report() { # label, wrk output file
  local rps p50 p99 non2xx errors
  rps=$(awk '/Requests\/sec/ {print $2}' "$2")
  p50=$(awk '$1 == "50%" {print $2}' "$2")
  p99=$(awk '$1 == "99%" {print $2}' "$2")
  non2xx=$(awk '/Non-2xx/ {print $5}' "$2"); non2xx=${non2xx:-0}
  errors=$(awk '/Socket errors/ {s=0; for (i=4;i<=NF;i+=2) s+=$i; print s}' "$2"); errors=${errors:-0}
  printf '%-34s %10s req/s  p50 %8s  p99 %8s  non-2xx %s  socket errors %s\n' "$1" "$rps" "$p50" "$p99" "$non2xx" "$errors"
  [ "$non2xx" = 0 ] || { echo "FAIL: non-2xx answers"; cat "$2"; exit 1; }
}

for server in tasks_axum tasks_actix; do
  port=18080
  db="sqlite:$work/$server.db"
  [ -n "$DATABASE_URL" ] && db=$DATABASE_URL
  start_server "$server" "$port" "$work/$server.log" DATABASE_URL="$db" RUST_LOG=warn
  user="load-$server-$RANDOM$RANDOM"
  token=$(mint "$user" 60)
  auth="Authorization: Bearer $token"
  url="http://127.0.0.1:$port/api/$user/tasks"
  for _ in $(seq 1 20); do
    curl -sf -o /dev/null -X POST -H "$auth" -d '{"title":"seed"}' "$url"
  done
  wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --latency -H "$auth" "$url?limit=20" >"$work/list.txt"
  report "$server GET list (limit=20)" "$work/list.txt"
  wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --latency -H "$auth" -s "$work/create.lua" "$url" >"$work/create.txt"
  report "$server POST create" "$work/create.txt"
  acknowledged=$(awk '/requests in/ {print $1}' "$work/create.txt")
  total=$(curl -sf -D - -o /dev/null -H "$auth" "$url?limit=1" | awk 'tolower($1) == "x-total-count:" {print $2+0}')
  expected=$((acknowledged + 20))
  echo "$server: $acknowledged creates answered 201, $total tasks stored (with 20 seeded)"
  [ "$total" -ge "$expected" ] || { echo "FAIL: acknowledged creates are missing"; exit 1; }
  rss=$(awk '/VmHWM/ {print $2 " " $3}' "/proc/$SERVER_PID/status")
  echo "$server: peak memory (VmHWM) $rss"
  stop_server
done
echo "load: ok"
