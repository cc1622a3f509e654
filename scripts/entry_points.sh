#!/usr/bin/env bash
# Instructions per request through each entry point (callgrind), repeatable
# whatever the load: each case runs 0 and N requests; the difference over N
# is printed. The same run covers the extractors, the tower layer and the
# actix middleware, so their figures compare.
#   scripts/entry_points.sh [N]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
N=${1:-5000}
command -v valgrind >/dev/null || { echo "valgrind is not installed"; exit 1; }
cd "$ROOT"
bin=$(cargo bench --features test-util,axum,actix,tower --bench entry_points --no-run --message-format=json 2>/dev/null \
  | python3 -c 'import json,sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "entry_points" and m.get("executable"):
        print(m["executable"])')
count() { # case n
  local out
  out=$(mktemp)
  valgrind --tool=callgrind --callgrind-out-file="$out" "$bin" "$1" "$2" >/dev/null 2>&1
  awk '/^summary:/ {print $2}' "$out"
  rm -f "$out"
}
printf '| entry point | instructions per request |\n|---|---|\n'
for case in axum_extractor axum_layer axum_layer_guarded axum_route_layer axum_owner_extractor axum_owner_layer axum_extractor_refused axum_layer_refused \
            actix_extractor actix_middleware actix_extractor_refused actix_middleware_refused; do
  base=$(count "$case" 0)
  total=$(count "$case" "$N")
  printf '| %s | %s |\n' "$case" "$(( (total - base) / N ))"
done
