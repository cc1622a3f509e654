#!/usr/bin/env bash
# Instructions per verification (callgrind), repeatable whatever the load:
# each case runs 0 and N times; the difference over N is printed.
#   scripts/instructions.sh [N]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
N=${1:-20000}
command -v valgrind >/dev/null || { echo "valgrind is not installed"; exit 1; }
cd "$ROOT"
bin=$(cargo bench --features test-util --bench instructions --no-run --message-format=json 2>/dev/null \
  | python3 -c 'import json,sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "instructions" and m.get("executable"):
        print(m["executable"])')
count() { # case n
  local out
  out=$(mktemp)
  valgrind --tool=callgrind --callgrind-out-file="$out" "$bin" "$1" "$2" >/dev/null 2>&1
  awk '/^summary:/ {print $2}' "$out"
  rm -f "$out"
}
printf '| case | instructions per token |\n|---|---|\n'
for case in jwtguard_verify jwtguard_verify_as jwtguard_verify_borrowed jsonwebtoken_decode jwtguard_bad_signature floor; do
  base=$(count "$case" 0)
  total=$(count "$case" "$N")
  printf '| %s | %s |\n' "$case" "$(( (total - base) / N ))"
done
