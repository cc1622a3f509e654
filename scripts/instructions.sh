#!/usr/bin/env bash
# Instructions per verification (callgrind), repeatable whatever the load:
# each case runs 0 and N times; the difference over N is printed.
#   scripts/instructions.sh [N]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
N=${1:-20000}
cd "$ROOT"
. scripts/callgrind-lib.sh
bin=$(bench_binary test-util instructions)
printf '| case | instructions per token |\n|---|---|\n'
for case in jwtguard_verify jwtguard_verify_as jwtguard_verify_borrowed jsonwebtoken_decode jwtguard_bad_signature floor; do
  printf '| %s | %s |\n' "$case" "$(per_run "$bin" "$case" "$N")"
done
