#!/usr/bin/env bash
# The example servers, configured with BETTER_AUTH_URL only (no shared
# secret), against real Better Auth JWT-plugin tokens: one per algorithm the
# plugin offers, minted by tests/fixtures/better-auth/mint.mjs, their JWKS
# served on loopback at {BETTER_AUTH_URL}/api/auth/jwks.
#
# Each token must list and create the user's own tasks (200, 201), be
# refused on another user's path (403) and once tampered (401).
# Needs Node.js 20+, npm, python3 and curl.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/scripts/server-lib.sh"
build_examples
work=$(mktemp -d)
jwks_pid=""
trap 'stop_server; [ -n "$jwks_pid" ] && kill "$jwks_pid" 2>/dev/null; rm -rf "$work"' EXIT

fixture="$ROOT/tests/fixtures/better-auth"
[ -d "$fixture/node_modules/better-auth" ] ||
  (cd "$fixture" && npm ci --no-audit --no-fund --loglevel=error)

jwks_port=18091
base="http://127.0.0.1:$jwks_port"
algs="EdDSA ES256 ES512 RS256 PS256"
for alg in $algs; do
  (cd "$fixture" && BA_ALG=$alg BA_BASE_URL=$base node mint.mjs) >"$work/$alg.json"
done
# One JWKS with every key, as an issuer mid-rotation would serve.
mkdir -p "$work/www/api/auth"
node -e '
  const fs = require("fs");
  const keys = process.argv.slice(1).flatMap((f) => JSON.parse(fs.readFileSync(f)).jwks.keys);
  process.stdout.write(JSON.stringify({ keys }));
' $(for alg in $algs; do echo "$work/$alg.json"; done) >"$work/www/api/auth/jwks"
python3 -m http.server "$jwks_port" --bind 127.0.0.1 --directory "$work/www" \
  >"$work/jwks.log" 2>&1 &
jwks_pid=$!
for _ in $(seq 1 50); do
  curl -sf -o /dev/null "$base/api/auth/jwks" && break
  sleep 0.1
done

field() { node -e 'const v = JSON.parse(require("fs").readFileSync(process.argv[1]));
  process.stdout.write(String(process.argv[2].split(".").reduce((o, k) => o[k], v)))' "$1" "$2"; }
status() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
expect() {
  if [ "$2" != "$3" ]; then echo "FAIL: $1: expected $2, got $3"; exit 1; fi
  echo "ok: $1 -> $3"
}

for server in tasks_axum tasks_actix; do
  port=18092
  start_server "$server" "$port" "$work/$server.log" \
    BETTER_AUTH_SECRET= BETTER_AUTH_URL="$base" DATABASE_URL="sqlite:$work/$server.db"
  for alg in $algs; do
    token=$(field "$work/$alg.json" token)
    sub=$(field "$work/$alg.json" payload.sub)
    tampered="$(echo "$token" | cut -d. -f1).$(echo "$token" | cut -d. -f2)A.$(echo "$token" | cut -d. -f3)"
    url="http://127.0.0.1:$port/api/$sub/tasks"
    expect "$server $alg list" 200 "$(status -H "Authorization: Bearer $token" "$url")"
    expect "$server $alg create" 201 "$(status -H "Authorization: Bearer $token" \
      -H 'Content-Type: application/json' -d '{"title":"from Better Auth"}' "$url")"
    expect "$server $alg other user" 403 "$(status -H "Authorization: Bearer $token" \
      "http://127.0.0.1:$port/api/someone-else/tasks")"
    expect "$server $alg tampered" 401 "$(status -H "Authorization: Bearer $tampered" "$url")"
  done
  stop_server
done
echo "better_auth: every plugin algorithm accepted by both servers, tampering refused"
