#!/usr/bin/env bash
# Instructions per request through each entry point (callgrind), repeatable
# whatever the load: each case runs 0 and N requests; the difference over N
# is printed. The same run covers the extractors, the tower layer and the
# actix middleware, so their figures compare.
#   scripts/entry_points.sh [N]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
N=${1:-5000}
cd "$ROOT"
. scripts/callgrind-lib.sh
bin=$(bench_binary test-util,axum,actix,tower entry_points)
printf '| entry point | instructions per request |\n|---|---|\n'
for case in axum_extractor axum_layer axum_layer_guarded axum_route_layer axum_owner_extractor axum_owner_layer \
            axum_extractor_refused axum_layer_refused \
            actix_extractor actix_middleware actix_extractor_refused actix_middleware_refused; do
  printf '| %s | %s |\n' "$case" "$(per_run "$bin" "$case" "$N")"
done
