#!/usr/bin/env bash
# Database outage: with PostgreSQL stopped, requests get 503 {"detail": ...}
# quickly and /health says so; once it is back, the server recovers without
# a restart. Needs a local PostgreSQL cluster (as .ci/run sets up) and
# DATABASE_URL pointing at it; run as root (it stops and starts the cluster).
#
#   DATABASE_URL=postgres://... scripts/outage.sh
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/scripts/server-lib.sh"
: "${DATABASE_URL:?set DATABASE_URL to the PostgreSQL database to use}"
version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
build_examples
work=$(mktemp -d)
trap 'pg_ctlcluster "$version" main start 2>/dev/null || true; stop_server; rm -rf "$work"' EXIT

check() { # label, expected status, curl args...
  local label=$1 expected=$2
  shift 2
  local out status time
  out=$(curl -s -m 10 -w '\n%{http_code} %{time_total}' "$@")
  status=$(echo "${out##*$'\n'}" | cut -d' ' -f1)
  time=$(echo "${out##*$'\n'}" | cut -d' ' -f2)
  printf '  %-28s %s in %ss: %s\n' "$label" "$status" "$time" "${out%$'\n'*}"
  [ "$status" = "$expected" ] || { echo "FAIL: expected $expected"; exit 1; }
  if [ "$status" = 503 ]; then
    echo "$out" | grep -qE '"(detail|database)"' || { echo "FAIL: 503 without a JSON body"; exit 1; }
  fi
  awk -v t="$time" 'BEGIN { exit !(t < 5) }' || { echo "FAIL: too slow"; exit 1; }
}

for server in tasks_axum tasks_actix; do
  port=18082
  start_server "$server" "$port" "$work/$server.log" DATABASE_URL="$DATABASE_URL" RUST_LOG=warn
  user="outage-$server-$RANDOM"
  auth="Authorization: Bearer $(mint "$user" 60)"
  url="http://127.0.0.1:$port/api/$user/tasks"
  echo "$server, database up:"
  check "create" 201 -X POST -H "$auth" -d '{"title":"before"}' "$url"
  pg_ctlcluster "$version" main stop
  echo "$server, database down:"
  check "health" 503 "http://127.0.0.1:$port/health"
  check "list" 503 -H "$auth" "$url"
  check "create" 503 -X POST -H "$auth" -d '{"title":"during"}' "$url"
  check "no token (auth first)" 401 "$url"
  pg_ctlcluster "$version" main start
  for _ in $(seq 1 50); do pg_isready -q -d "$DATABASE_URL" && break; sleep 0.2; done
  echo "$server, database back:"
  check "health" 200 "http://127.0.0.1:$port/health"
  check "create" 201 -X POST -H "$auth" -d '{"title":"after"}' "$url"
  check "list" 200 -H "$auth" "$url"
  stop_server
done
echo "outage: ok"
