#!/usr/bin/env bash
# Instructions per call (callgrind) of each contestant of benches/rivals,
# the same way scripts/instructions.sh counts jwtguard's own: each runs 0 and
# N times and the difference is divided by N. Under valgrind RustCrypto's
# sha2 computes SHA-256 in software while aws-lc (oxitoken) keeps its
# assembly, so compare a library only with itself across changes.
#   scripts/rivals_instructions.sh [N]     (default 20000)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
N=${1:-20000}
cd "$ROOT"
command -v valgrind >/dev/null || { echo "valgrind is not installed"; exit 1; }
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target/rivals}
bin=$(cargo bench -p jwtguard-rivals --bench rivals --no-run --message-format=json 2>/dev/null \
  | python3 -c 'import json,sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "rivals" and m.get("executable"):
        print(m["executable"])')
total() { # contestant calls
  local out
  out=$(mktemp)
  RIVALS_COUNT="$1:$2" valgrind --tool=callgrind --callgrind-out-file="$out" "$bin" >/dev/null 2>&1
  awk '/^summary:/ {print $2}' "$out"
  rm -f "$out"
}
printf '| contestant | instructions per call |\n|---|---|\n'
for contestant in jwtguard_verify jwtguard_verify_as oxitoken jsonwebtoken floor_old floor_simd \
  bad_signature_jwtguard bad_signature_oxitoken layer_refusal_jwtguard layer_refusal_axum_jwt; do
  base=$(total "$contestant" 0)
  all=$(total "$contestant" "$N")
  printf '| %s | %s |\n' "$contestant" $(( (all - base) / N ))
done
