# Helpers for the scripts that count instructions with callgrind: a bench
# binary that runs `CASE N`, and the instructions per run of one case.
# Source it from the repository root.

command -v valgrind >/dev/null || { echo "valgrind is not installed"; exit 1; }

# The executable of bench NAME, built (release) with FEATURES.
bench_binary() { # features name
  # `-p jwtguard`: the library with these features only. Without it the
  # workspace's default members (the examples) add theirs (`oauth`, the
  # session stores) to the build.
  cargo bench -p jwtguard --features "$1" --bench "$2" --no-run --message-format=json 2>/dev/null \
    | python3 -c 'import json,sys
name = sys.argv[1]
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == name and m.get("executable"):
        print(m["executable"])' "$2"
}

# Instructions per run of CASE: the binary runs it 0 and N times, and the
# difference is divided by N (start-up and set-up cancel out).
per_run() { # binary case n
  local base total
  base=$(callgrind_total "$1" "$2" 0)
  total=$(callgrind_total "$1" "$2" "$3")
  echo $(( (total - base) / $3 ))
}

callgrind_total() { # binary case n
  local out
  out=$(mktemp)
  valgrind --tool=callgrind --callgrind-out-file="$out" "$1" "$2" "$3" >/dev/null 2>&1
  awk '/^summary:/ {print $2}' "$out"
  rm -f "$out"
}
