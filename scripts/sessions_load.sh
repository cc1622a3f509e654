#!/usr/bin/env bash
# What a Better Auth session costs under load, next to a JWT: the authorized
# list (GET /api/{user}/tasks?limit=20, 20 tasks, SQLite) on each example
# server with wrk at 8 connections, for each credential:
#
#   jwt                  an HS256 JWT bearer (the baseline)
#   get-session          the signed session cookie, resolved by the real Better
#                        Auth's get-session (session-server.mjs), answers reused
#                        30 s (the default)
#   cookie cache         the session cookie with its compact cookie cache
#   sqlite               the session cookie, resolved in Better Auth's SQLite
#                        database (BETTER_AUTH_DATABASE_URL), answers reused 30 s
#   postgres             the same on PostgreSQL, when DATABASE_URL or
#                        BETTER_AUTH_DATABASE_URL is a postgres:// URL (in a
#                        schema of its own, dropped afterwards)
#   redis                the session cookie, resolved in Better Auth's Redis
#                        secondaryStorage (BETTER_AUTH_REDIS_URL), when
#                        redis-server is installed: Better Auth then keeps the
#                        session there (get-session reads it there too)
#   ... no reuse         the same store with SESSION_CACHE_TTL_SECONDS=0: a
#                        lookup per request, what the reuse saves
#
# The session is the real package's: a fresh sign-up per round (its cookie
# cache lasts 5 minutes), whose row is copied into the databases as Better
# Auth writes it. Rounds are interleaved; the table shows the median of each
# figure over the rounds, the list's requests/s as a share of the JWT's, and
# the server's CPU time per request (from /proc: steadier than requests/s
# when other work shares the cores). Fails if any answer is not 2xx.
#
#   scripts/sessions_load.sh [SECONDS] [ROUNDS]    (PROFILE=release for real numbers)
#
# Needs wrk, curl, python3, Node.js 20+ and npm (psql for PostgreSQL,
# redis-server for Redis).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/scripts/server-lib.sh"
SECONDS_PER_RUN=${1:-10}
ROUNDS=${2:-3}
CONNECTIONS=8
for tool in wrk curl python3 node; do
  command -v "$tool" >/dev/null || { echo "$tool is not installed"; exit 1; }
done
pg_url=""
for url in "${BETTER_AUTH_DATABASE_URL:-}" "${DATABASE_URL:-}"; do
  case "$url" in postgres://* | postgresql://*) pg_url=$url; break ;; esac
done
# The servers get only the settings each measurement names.
unset BETTER_AUTH_DATABASE_URL DATABASE_URL BETTER_AUTH_SESSION_URL BETTER_AUTH_COOKIE_CACHE BETTER_AUTH_REDIS_URL \
  BETTER_AUTH_BEARER SESSION_CACHE_TTL_SECONDS BETTER_AUTH_URL BETTER_AUTH_JWKS_URL
build_examples
fixture="$ROOT/tests/fixtures/better-auth"
[ -d "$fixture/node_modules/better-auth" ] ||
  (cd "$fixture" && npm ci --no-audit --no-fund --loglevel=error)

work=$(mktemp -d)
ba_pid=""
redis_pid=""
redis_url=""
schema="jwtguard_sessions_load_$$"
stop_better_auth() {
  if [ -n "$ba_pid" ]; then
    exec 7>&-          # Better Auth stops when its stdin closes
    wait "$ba_pid" 2>/dev/null || true
    ba_pid=""
  fi
}
cleanup() {
  stop_server
  stop_better_auth
  [ -n "$redis_pid" ] && kill "$redis_pid" 2>/dev/null
  wait "$redis_pid" 2>/dev/null || true
  [ -n "$pg_url" ] && psql -q "$pg_url" -c "DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT

# --- Better Auth: the real package on loopback, one sign-up per round. -------

# --- Redis, when installed: Better Auth's secondaryStorage. -------------------

if command -v redis-server >/dev/null; then
  redis_port=18094
  redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no \
    >"$work/redis.log" 2>&1 &
  redis_pid=$!
  redis_url="redis://127.0.0.1:$redis_port"
  for _ in $(seq 1 50); do
    (exec 3<>"/dev/tcp/127.0.0.1/$redis_port") 2>/dev/null && break
    sleep 0.1
  done
fi

mkfifo "$work/better-auth.in"
start_better_auth() {
  (cd "$fixture" && BA_SECRET="$BETTER_AUTH_SECRET" BA_COOKIE_CACHE=compact BA_REDIS_URL="$redis_url" \
    exec node session-server.mjs) \
    <"$work/better-auth.in" >"$work/better-auth.json" 2>"$work/better-auth.log" &
  ba_pid=$!
  exec 7>"$work/better-auth.in"
  for _ in $(seq 1 300); do
    [ -s "$work/better-auth.json" ] && return 0
    kill -0 "$ba_pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "session-server.mjs did not start:"; cat "$work/better-auth.log"; exit 1
}
field() { python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$work/better-auth.json" "$1"; }

# Better Auth's tables (its SQLite and PostgreSQL DDL), and the session row
# its sign-up wrote, so that the SQL store finds the same session.
sqlite_db="$work/better-auth.db"
python3 - "$sqlite_db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute('create table "user" ("id" text not null primary key, "name" text not null, "email" text not null unique, "emailVerified" integer not null, "image" text, "createdAt" date not null, "updatedAt" date not null)')
db.execute('create table "session" ("id" text not null primary key, "expiresAt" date not null, "token" text not null unique, "createdAt" date not null, "updatedAt" date not null, "ipAddress" text, "userAgent" text, "userId" text not null references "user" ("id") on delete cascade)')
db.commit()
PY
if [ -n "$pg_url" ]; then
  command -v psql >/dev/null || { echo "psql is not installed (for $pg_url)"; exit 1; }
  psql -q -v ON_ERROR_STOP=1 "$pg_url" >/dev/null <<SQL
CREATE SCHEMA $schema;
create table $schema."user" ("id" text not null primary key, "name" text not null, "email" text not null unique, "emailVerified" boolean not null, "image" text, "createdAt" timestamptz default CURRENT_TIMESTAMP not null, "updatedAt" timestamptz default CURRENT_TIMESTAMP not null);
create table $schema."session" ("id" text not null primary key, "expiresAt" timestamptz not null, "token" text not null unique, "createdAt" timestamptz default CURRENT_TIMESTAMP not null, "updatedAt" timestamptz not null, "ipAddress" text, "userAgent" text, "userId" text not null references $schema."user" ("id") on delete cascade);
SQL
  # The store reads the unqualified tables: the schema goes first on the path.
  case "$pg_url" in *\?*) sep='&' ;; *) sep='?' ;; esac
  pg_store_url="${pg_url}${sep}options=-c%20search_path%3D${schema}"
fi
copy_session() { # user id, session token
  local expires
  expires=$(python3 -c 'import datetime; print((datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=7)).strftime("%Y-%m-%dT%H:%M:%S.000Z"))')
  python3 - "$sqlite_db" "$1" "$2" "$expires" <<'PY'
import sqlite3, sys
path, user, token, expires = sys.argv[1:]
db = sqlite3.connect(path)
now = "2026-01-01T00:00:00.000Z"
db.execute('insert into "user" values (?, ?, ?, 1, null, ?, ?)', (user, "Ada Lovelace", user + "@example.com", now, now))
db.execute('insert into "session" values (?, ?, ?, ?, ?, ?, ?, ?)', ("s-" + user, expires, token, now, now, "127.0.0.1", "wrk", user))
db.commit()
PY
  if [ -n "$pg_url" ]; then
    psql -q -v ON_ERROR_STOP=1 "$pg_url" >/dev/null <<SQL
insert into $schema."user" ("id","name","email","emailVerified") values ('$1', 'Ada Lovelace', '$1@example.com', true);
insert into $schema."session" ("id","expiresAt","token","updatedAt","userId") values ('s-$1', '$expires', '$2', now(), '$1');
SQL
  fi
}

# --- wrk and the table. ------------------------------------------------------

# The server's CPU time so far (user + system), in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$SERVER_PID/stat"; }
tick_us=$((1000000 / $(getconf CLK_TCK)))

run() { # server, case, header
  local out="$work/wrk.txt" rps p50 p99 non2xx errors before requests cpu
  before=$(cpu_ticks)
  wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --latency -H "$3" "$list_url" >"$out"
  requests=$(awk '/requests in/ {print $1}' "$out")
  cpu=$(( ($(cpu_ticks) - before) * tick_us / requests ))
  rps=$(awk '/Requests\/sec/ {print $2}' "$out")
  p50=$(awk '$1 == "50%" {print $2}' "$out")
  p99=$(awk '$1 == "99%" {print $2}' "$out")
  non2xx=$(awk '/Non-2xx/ {print $5}' "$out"); non2xx=${non2xx:-0}
  errors=$(awk '/Socket errors/ {s=0; for (i=4;i<=NF;i+=2) s+=$i; print s}' "$out"); errors=${errors:-0}
  printf '  round %s %-12s %-24s %9s req/s  p50 %9s  p99 %9s  server CPU %4s us/req  non-2xx %s  socket errors %s\n' \
    "$round" "$1" "$2" "$rps" "$p50" "$p99" "$cpu" "$non2xx" "$errors"
  [ "$non2xx" = 0 ] || { echo "FAIL: non-2xx answers"; cat "$out"; exit 1; }
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$rps" "$p50" "$p99" "$cpu" >>"$work/results.tsv"
}

# Starts $server with the credential settings, checks each case answers 200
# once, then loads each; the cases are "label|header" lines.
measure() { # settings ("VAR=VALUE ..."), then cases
  local settings case label header
  read -r -a settings <<<"$1"
  shift
  start_server "$server" "$port" "$work/$server.log" DATABASE_URL="sqlite:$work/$server-tasks.db" \
    RUST_LOG=warn "${settings[@]}"
  for case in "$@"; do
    label=${case%%|*}; header=${case#*|}
    status=$(curl -s -o /dev/null -w '%{http_code}' -H "$header" "$list_url")
    [ "$status" = 200 ] || { echo "FAIL: $server $label answered $status"; cat "$work/$server.log"; exit 1; }
    run "$server" "$label" "$header"
  done
  stop_server
}

port=18093
: >"$work/results.tsv"
for round in $(seq 1 "$ROUNDS"); do
  start_better_auth
  user=$(field userId)
  token_cookie=$(field tokenCookie)
  browser_cookies=$(field cookieHeader)
  base=http://127.0.0.1:$(field port)
  session_token=${token_cookie#*=}; session_token=${session_token%%.*}
  copy_session "$user" "$session_token"
  jwt=$(mint "$user" 60)
  for server in tasks_axum tasks_actix; do
    list_url="http://127.0.0.1:$port/api/$user/tasks?limit=20"
    # 20 tasks for this round's user, created with the JWT.
    start_server "$server" "$port" "$work/$server.log" DATABASE_URL="sqlite:$work/$server-tasks.db" RUST_LOG=warn
    for _ in $(seq 1 20); do
      curl -sf -o /dev/null -X POST -H "Authorization: Bearer $jwt" -H 'Content-Type: application/json' \
        -d '{"title":"seed"}' "http://127.0.0.1:$port/api/$user/tasks"
    done
    stop_server
    measure "BETTER_AUTH_COOKIE_CACHE=compact BETTER_AUTH_SESSION_URL=$base" \
      "jwt|Authorization: Bearer $jwt" \
      "get-session|Cookie: $token_cookie" \
      "cookie cache (compact)|Cookie: $browser_cookies"
    measure "BETTER_AUTH_SESSION_URL=$base SESSION_CACHE_TTL_SECONDS=0" \
      "get-session, no reuse|Cookie: $token_cookie"
    measure "BETTER_AUTH_DATABASE_URL=sqlite:$sqlite_db" "sqlite|Cookie: $token_cookie"
    measure "BETTER_AUTH_DATABASE_URL=sqlite:$sqlite_db SESSION_CACHE_TTL_SECONDS=0" \
      "sqlite, no reuse|Cookie: $token_cookie"
    if [ -n "$redis_url" ]; then
      measure "BETTER_AUTH_REDIS_URL=$redis_url" "redis|Cookie: $token_cookie"
      measure "BETTER_AUTH_REDIS_URL=$redis_url SESSION_CACHE_TTL_SECONDS=0" \
        "redis, no reuse|Cookie: $token_cookie"
    fi
    if [ -n "$pg_url" ]; then
      measure "BETTER_AUTH_DATABASE_URL=$pg_store_url" "postgres|Cookie: $token_cookie"
      measure "BETTER_AUTH_DATABASE_URL=$pg_store_url SESSION_CACHE_TTL_SECONDS=0" \
        "postgres, no reuse|Cookie: $token_cookie"
    fi
  done
  stop_better_auth
done

echo
echo "medians of $ROUNDS round(s), wrk -t2 -c$CONNECTIONS -d${SECONDS_PER_RUN}s, PROFILE=$PROFILE, $(nproc) cores shared by wrk, the server and Better Auth"
python3 - "$work/results.tsv" <<'PY'
import statistics, sys

def micros(text):
    for unit, scale in (("us", 1), ("ms", 1e3), ("s", 1e6)):
        if text.endswith(unit):
            return float(text[: -len(unit)]) * scale
    raise ValueError(text)

runs = {}
for line in open(sys.argv[1]):
    server, case, rps, p50, p99, cpu = line.rstrip("\n").split("\t")
    runs.setdefault((server, case), []).append((float(rps), micros(p50), micros(p99), float(cpu)))
print("| server | credential | requests/s | of the JWT's | p50 | p99 | server CPU per request |")
print("|---|---|---|---|---|---|---|")
for (server, case), figures in runs.items():
    rps, p50, p99, cpu = (statistics.median(f[i] for f in figures) for i in range(4))
    baseline = statistics.median(f[0] for f in runs[(server, "jwt")])
    print(f"| `{server}` | {case} | {rps:,.0f} | {100 * rps / baseline:.0f} % | {p50:,.0f} µs | {p99:,.0f} µs | {cpu:.0f} µs |")
PY
echo "sessions_load: ok"
