#!/usr/bin/env bash
# Crash safety: create tasks concurrently, SIGKILL the server mid-way, restart
# it on the same database, and check that every task answered with 201 is there.
#
#   scripts/crash.sh [WRITERS] [SECONDS_BEFORE_KILL]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/scripts/server-lib.sh"
WRITERS=${1:-8}
KILL_AFTER=${2:-2}
build_examples
work=$(mktemp -d)
trap 'stop_server; rm -rf "$work"' EXIT

for server in tasks_axum tasks_actix; do
  port=18081
  db=${DATABASE_URL:-"sqlite:$work/$server.db"}
  start_server "$server" "$port" "$work/$server.log" DATABASE_URL="$db" RUST_LOG=warn
  user="crash-$server-$RANDOM$RANDOM"
  auth="Authorization: Bearer $(mint "$user" 60)"
  url="http://127.0.0.1:$port/api/$user/tasks"
  for writer in $(seq 1 "$WRITERS"); do
    (
      n=0
      while true; do
        n=$((n + 1))
        # Record an id only once its 201 has fully arrived.
        body=$(curl -s -m 5 -w '\n%{http_code}' -X POST -H "$auth" -d "{\"title\":\"w$writer-$n\"}" "$url") || break
        [ "${body##*$'\n'}" = 201 ] || break
        echo "${body%$'\n'*}" | sed -E 's/.*"id":"([^"]+)".*/\1/' >>"$work/acked-$writer"
      done
    ) &
  done
  sleep "$KILL_AFTER"
  kill -9 "$SERVER_PID"
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
  wait  # the writers stop at their first failed request
  acked=$(cat "$work"/acked-* 2>/dev/null | wc -l)
  start_server "$server" "$port" "$work/$server-restart.log" DATABASE_URL="$db" RUST_LOG=warn
  missing=0
  for id in $(cat "$work"/acked-*); do
    status=$(curl -s -o /dev/null -w '%{http_code}' -H "$auth" "$url/$id")
    [ "$status" = 200 ] || { echo "missing after restart: $id ($status)"; missing=$((missing + 1)); }
  done
  echo "$server: $acked creates acknowledged before SIGKILL, $missing missing after restart"
  [ "$acked" -gt 0 ] || { echo "FAIL: no create was acknowledged"; exit 1; }
  [ "$missing" = 0 ] || exit 1
  stop_server
  rm -f "$work"/acked-*
done
echo "crash: ok"
