#!/usr/bin/env bash
# Runs each example server with a known secret through every error path and
# checks that neither the secret nor any token, session cookie or cookie
# cache appears in its logs (at the most verbose level) or in any response.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/scripts/server-lib.sh"
BETTER_AUTH_SECRET="canary-secret-$(date +%s%N)-do-not-leak"
export BETTER_AUTH_SECRET
build_examples
work=$(mktemp -d)
trap 'stop_server; rm -rf "$work"' EXIT

for server in tasks_axum tasks_actix; do
  port=18083
  start_server "$server" "$port" "$work/$server.log" DATABASE_URL="sqlite:$work/$server.db" RUST_LOG=trace \
    BETTER_AUTH_COOKIE_CACHE=compact
  user="secret-$server"
  good=$(mint "$user" 60)
  truncated=$(echo "$good" | sed 's/\.[^.]*$/.AAAA/')
  other=$(BETTER_AUTH_SECRET=another-secret-that-is-at-least-32-bytes-long mint "$user" 60)
  forged="$(echo "$good" | cut -d. -f1).eyJzdWIiOiJhZG1pbiIsImV4cCI6NDAwMDAwMDAwMH0.$(echo "$good" | cut -d. -f3)"
  # A Better Auth session cookie and its compact cookie cache.
  cookies=$("$(example_bin mint_token)" --session "$user" 60)
  session_cookie=${cookies%%; *}
  session_value=${session_cookie#*=}
  session_token=${session_value%%.*}
  cache_value=${cookies#*session_data=}
  tampered_session="better-auth.session_token=A${session_value:1}; better-auth.session_data=$cache_value"
  url="http://127.0.0.1:$port/api/$user/tasks"
  : >"$work/responses"
  send() { curl -s -i "$@" >>"$work/responses"; echo >>"$work/responses"; }
  send "$url"
  send -H "Authorization: Bearer $good" "$url"
  send -H "Authorization: Bearer $truncated" "$url"
  send -H "Authorization: Bearer $other" "$url"
  send -H "Authorization: Bearer $forged" "$url"
  send -H "Authorization: bearer  $good" "$url"
  send -H "Authorization: Basic $good" "$url"
  send -H "Authorization: Bearer $good" -H "Authorization: Bearer $good" "$url"
  send -H "Authorization: Bearer $good" "http://127.0.0.1:$port/api/someone-else/tasks"
  send -H "Authorization: Bearer $good" -X POST -d '{"title":' "$url"
  send -H "Authorization: Bearer $good" -X POST -d '{"title":""}' "$url"
  send -H "Authorization: Bearer $good" "$url/not-a-uuid"
  send -H "Authorization: Bearer $good" "$url?limit=0"
  send -H "Authorization: Bearer $good" -X PATCH "$url"
  send "http://127.0.0.1:$port/nowhere"
  send -H "Cookie: $cookies" "$url"
  send -H "Cookie: $session_cookie" "$url"
  send -H "Cookie: $tampered_session" "$url"
  send -H "Cookie: $cookies" -H "Origin: http://localhost:3000" -X POST -d '{"title":"s"}' "$url"
  send -H "Cookie: $cookies" -X POST -d '{"title":"s"}' "$url"
  send -H "Cookie: $cookies" "http://127.0.0.1:$port/api/someone-else/tasks"
  send -H "Authorization: Bearer $session_value" "$url"
  send -H "Authorization: Bearer $cache_value" "$url"
  stop_server
  leaks=0
  for needle in "$BETTER_AUTH_SECRET" "$good" "$truncated" "$other" "$forged" \
                "$(echo "$good" | cut -d. -f3)" "$(echo "$other" | cut -d. -f3)" \
                "$session_token" "${session_value#*.}" "$cache_value"; do
    for file in "$work/$server.log" "$work/responses"; do
      if grep -qF -- "$needle" "$file"; then
        echo "LEAK in $(basename "$file"): ${needle:0:12}..."
        leaks=$((leaks + 1))
      fi
    done
  done
  statuses=$(grep -c '^HTTP/1.1' "$work/responses")
  lines=$(wc -l <"$work/$server.log")
  echo "$server: $statuses responses and $lines log lines (RUST_LOG=trace) checked, $leaks leaks"
  [ "$leaks" = 0 ] || exit 1
  grep -q '^HTTP/1.1 5' "$work/responses" && { echo "FAIL: a 5xx answer"; exit 1; }
done
echo "secrets: ok"
