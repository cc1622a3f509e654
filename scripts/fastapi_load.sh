#!/usr/bin/env bash
# The example servers against the FastAPI pattern they replace, in one run:
# the authorized list (GET /api/{user}/tasks?limit=20, 20 tasks, each server
# on its own SQLite file) with wrk -t2 -c8, one server under load at a time,
# the same token for all, on
#
#   tasks_axum, tasks_actix   the examples (PROFILE's build), RUST_LOG=warn
#   fastapi-1-worker          scripts/fastapi_pattern: the pattern's jwt.py,
#   fastapi-2-workers         dependencies.py and tasks.py as written, with the
#                             SQLModel Task, session and TaskService they
#                             import; uvicorn (uvloop, httptools)
#                             --no-access-log, 1 worker, then --workers 2
#
# The servers start once and stay up; the rounds are interleaved (axum, actix,
# fastapi 1, fastapi 2, then again). Fails unless each server stores the 20
# tasks it is sent and lists them, refuses a request without a token, and
# answers every loaded request 2xx. Prints the median requests/s of each
# server, its runs, and the ratios of the Rust servers to FastAPI's.
#
#   scripts/fastapi_load.sh [SECONDS] [ROUNDS]    (defaults 10 and 3;
#                                                  PROFILE=release for real numbers)
#
# Needs wrk, curl, python3 with venv (python3-venv) and PyPI: FastAPI and its
# friends go into a venv that is kept between runs, at
# ${XDG_CACHE_HOME:-$HOME/.cache}/jwtguard-fastapi-venv (FASTAPI_VENV to move
# it), with the versions of scripts/fastapi_pattern/requirements.txt.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/scripts/server-lib.sh"
SECONDS_PER_RUN=${1:-10}
ROUNDS=${2:-3}
CONNECTIONS=8
APP="$ROOT/scripts/fastapi_pattern"
VENV=${FASTAPI_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/jwtguard-fastapi-venv}
case "$SECONDS_PER_RUN$ROUNDS" in
  *[!0-9]*) echo "usage: $0 [SECONDS] [ROUNDS]   (whole numbers)"; exit 2 ;;
esac
if [ "$SECONDS_PER_RUN" -eq 0 ] || [ "$ROUNDS" -eq 0 ]; then echo "usage: $0 [SECONDS] [ROUNDS]   (at least 1)"; exit 2; fi

command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)"; exit 1; }
for tool in curl python3 setsid; do
  command -v "$tool" >/dev/null || { echo "$tool is not installed"; exit 1; }
done
python3 -c 'import ensurepip, venv' 2>/dev/null ||
  { echo "python3's venv module is missing (apt-get install python3-venv)"; exit 1; }

# The servers get only the settings named here: an HS256 secret, and the
# issuer and audience that the pattern's jwt.py insists on when a token has
# them (mint_token writes both).
unset DATABASE_URL BETTER_AUTH_DATABASE_URL BETTER_AUTH_SESSION_URL BETTER_AUTH_COOKIE_CACHE BETTER_AUTH_REDIS_URL \
  BETTER_AUTH_BEARER SESSION_CACHE_TTL_SECONDS BETTER_AUTH_URL BETTER_AUTH_JWKS_URL BETTER_AUTH_SECRETS \
  OAUTH_RESOURCE OAUTH_CLIENT_ID
export JWT_ISSUER=nextjs-frontend JWT_AUDIENCE=fastapi-backend

# --- The FastAPI venv, reused while the pinned versions stay the same. --------

if [ ! -x "$VENV/bin/python" ]; then
  echo "creating the venv $VENV"
  python3 -m venv "$VENV"
fi
if ! cmp -s "$APP/requirements.txt" "$VENV/jwtguard-requirements.txt"; then
  echo "installing scripts/fastapi_pattern/requirements.txt into $VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check -r "$APP/requirements.txt"
  cp "$APP/requirements.txt" "$VENV/jwtguard-requirements.txt"
fi
# The app's bytecode goes to the cache, not into the repository.
export PYTHONPYCACHEPREFIX="$VENV/pycache"
versions=$("$VENV/bin/python" - <<'PY'
import importlib.metadata as metadata, sys
names = ["fastapi", "starlette", "pydantic", "python-jose", "cryptography", "sqlmodel", "sqlalchemy",
         "uvicorn", "uvloop", "httptools"]
print(f"Python {sys.version.split()[0]}, " + ", ".join(f"{n} {metadata.version(n)}" for n in names))
PY
)
echo "FastAPI side: $versions"

build_examples

work=$(mktemp -d)
rust_pids=()
uvicorn_pids=()   # each the leader of its own process group (its workers)
stop_all() {
  local pid _
  for pid in "${rust_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${uvicorn_pids[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
  for _ in $(seq 1 50); do
    local alive=0
    for pid in "${rust_pids[@]}" "${uvicorn_pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    for pid in "${uvicorn_pids[@]}"; do kill -0 -- "-$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.1
  done
  for pid in "${rust_pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  for pid in "${uvicorn_pids[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rust_pids=(); uvicorn_pids=()
}
trap 'stop_all; rm -rf "$work"' EXIT
cd "$work"   # no stray .env is read by the Rust servers

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

user="fastapi-load-$RANDOM$RANDOM"
# Long enough for every run, with room for the servers' start.
minutes=$(( (ROUNDS * 4 * (SECONDS_PER_RUN + 5) + 300) / 60 + 15 ))
token=$(mint "$user" "$minutes")
auth="Authorization: Bearer $token"

# --- The servers. -------------------------------------------------------------

servers=(tasks_axum tasks_actix fastapi-1-worker fastapi-2-workers)
declare -A ports=([tasks_axum]=18180 [tasks_actix]=18181 [fastapi-1-worker]=18182 [fastapi-2-workers]=18183)
declare -A pid_of=()

start_fastapi() { # name, port, workers
  local name=$1 port=$2 workers=$3 log="$work/$1.log" db="$work/$1.db" pid
  # The tables first, once: two workers would race to create them.
  (cd "$APP" && DATABASE_URL="sqlite:///$db" "$VENV/bin/python" -c \
    'from src.db.session import create_db_and_tables; create_db_and_tables()')
  # setsid: uvicorn leads a process group of its own, so its workers stop with it.
  (cd "$APP" && exec setsid env DATABASE_URL="sqlite:///$db" "$VENV/bin/uvicorn" src.main:app \
    --host 127.0.0.1 --port "$port" --workers "$workers" --loop uvloop --http httptools \
    --no-access-log --log-level warning) >"$log" 2>&1 &
  pid=$!
  uvicorn_pids+=("$pid")
  pid_of[$name]=$pid
  for _ in $(seq 1 300); do
    if curl -s -o /dev/null "http://127.0.0.1:$port/health"; then return 0; fi
    if ! kill -0 "$pid" 2>/dev/null; then echo "server $name exited:"; cat "$log"; exit 1; fi
    sleep 0.1
  done
  echo "server $name did not answer /health within 30 s:"; cat "$log"; exit 1
}

# 20 tasks for the token's user, created through the API; then one list must
# answer them all, and a request without the token must be refused.
seed_and_check() { # name
  local name=$1 url="http://127.0.0.1:${ports[$1]}/api/$user/tasks" status
  for i in $(seq 1 20); do
    status=$(curl -s -o "$work/create.json" -w '%{http_code}' -X POST -H "$auth" \
      -H 'Content-Type: application/json' -d "{\"title\":\"task $i\",\"description\":\"seeded\"}" "$url")
    [ "$status" = 201 ] || { echo "FAIL: $name answered create $i with $status:"; cat "$work/create.json"; exit 1; }
  done
  status=$(curl -s -o "$work/list.json" -w '%{http_code}' -H "$auth" "$url?limit=20")
  [ "$status" = 200 ] || { echo "FAIL: $name answered the list with $status:"; cat "$work/list.json"; exit 1; }
  python3 - "$work/list.json" "$user" "$name" <<'PY'
import json, sys
path, user, name = sys.argv[1:]
tasks = json.load(open(path))
if not (isinstance(tasks, list) and len(tasks) == 20 and all(t.get("user_id") == user for t in tasks)):
    sys.exit(f"FAIL: {name} did not list the 20 tasks of {user}: {json.dumps(tasks)[:400]}")
PY
  status=$(curl -s -o /dev/null -w '%{http_code}' "$url?limit=20")
  [ "$status" = 401 ] || { echo "FAIL: $name answered a list without a token with $status, not 401"; exit 1; }
}

for name in "${servers[@]}"; do
  if port_in_use "${ports[$name]}"; then
    echo "port ${ports[$name]} (for $name) is already in use: stop what listens there"; exit 1
  fi
done
for name in "${servers[@]}"; do
  case "$name" in
    tasks_*)
      start_server "$name" "${ports[$name]}" "$work/$name.log" DATABASE_URL="sqlite:$work/$name.db" RUST_LOG=warn
      rust_pids+=("$SERVER_PID")
      pid_of[$name]=$SERVER_PID
      SERVER_PID=""
      ;;
    fastapi-1-worker) start_fastapi "$name" "${ports[$name]}" 1 ;;
    fastapi-2-workers) start_fastapi "$name" "${ports[$name]}" 2 ;;
  esac
  seed_and_check "$name"
  echo "$name: up on port ${ports[$name]}, 20 tasks listed, no token refused"
done

# --- wrk, one server at a time, rounds interleaved. ---------------------------

: >"$work/results.tsv"
for round in $(seq 1 "$ROUNDS"); do
  for name in "${servers[@]}"; do
    out="$work/wrk.txt"
    wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --latency -H "$auth" \
      "http://127.0.0.1:${ports[$name]}/api/$user/tasks?limit=20" >"$out"
    rps=$(awk '/Requests\/sec/ {print $2}' "$out")
    requests=$(awk '/requests in/ {print $1}' "$out")
    p50=$(awk '$1 == "50%" {print $2}' "$out")
    p99=$(awk '$1 == "99%" {print $2}' "$out")
    non2xx=$(awk '/Non-2xx/ {print $5}' "$out"); non2xx=${non2xx:-0}
    errors=$(awk '/Socket errors/ {s=0; for (i=4;i<=NF;i+=2) s+=$i; print s}' "$out"); errors=${errors:-0}
    printf '  round %s %-18s %10s req/s  p50 %9s  p99 %9s  non-2xx %s  socket errors %s\n' \
      "$round" "$name" "$rps" "$p50" "$p99" "$non2xx" "$errors"
    if [ "$non2xx" != 0 ] || [ "${requests:-0}" -eq 0 ]; then
      echo "FAIL: $name: non-2xx answers, or none at all"; cat "$out"; exit 1
    fi
    kill -0 "${pid_of[$name]}" 2>/dev/null || { echo "FAIL: $name exited"; cat "$work/$name.log"; exit 1; }
    printf '%s\t%s\n' "$name" "$rps" >>"$work/results.tsv"
  done
done

echo
echo "medians of $ROUNDS round(s), wrk -t2 -c$CONNECTIONS -d${SECONDS_PER_RUN}s on GET /api/{user}/tasks?limit=20 (20 tasks, SQLite),"
echo "PROFILE=$PROFILE, $(nproc) cores shared by wrk and the server; $versions"
python3 - "$work/results.tsv" <<'PY'
import statistics, sys

runs = {}
for line in open(sys.argv[1]):
    name, rps = line.rstrip("\n").split("\t")
    runs.setdefault(name, []).append(float(rps))
median = {name: statistics.median(values) for name, values in runs.items()}
print("| server | median requests/s | runs |")
print("|---|---|---|")
for name, values in runs.items():
    print(f"| `{name}` | {median[name]:,.0f} | {', '.join(f'{v:,.0f}' for v in values)} |")
print()
for rust in ("tasks_axum", "tasks_actix"):
    for python in ("fastapi-1-worker", "fastapi-2-workers"):
        print(f"{rust} / {python}: {median[rust] / median[python]:.1f}x")
PY
echo "fastapi_load: ok"
