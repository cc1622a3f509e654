#!/usr/bin/env python3
"""Prints the medians of the last `cargo bench --bench verify` run as a table,
with each jwtguard figure as a ratio to jsonwebtoken and to the floor
(HMAC + base64url + JSON, measured in the same run)."""
import json
import pathlib
import sys

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "target/criterion")


def median_ns(group, bench):
    path = root / group / bench / "new" / "estimates.json"
    if not path.exists():
        return None
    return json.loads(path.read_text())["median"]["point_estimate"]


def fmt(ns):
    return f"{ns / 1000:.2f} µs" if ns >= 1000 else f"{ns:.0f} ns"


print("| group | bench | median | tokens/s | vs jsonwebtoken | vs floor |")
print("|---|---|---|---|---|---|")
for group in ["small", "large"]:
    base = median_ns(group, "jsonwebtoken_decode")
    floor = sum(median_ns(group, f"floor_{p}") or 0 for p in ["hmac", "base64", "json"])
    for bench in ["jwtguard_verify", "jwtguard_verify_as", "jwtguard_verify_borrowed", "jsonwebtoken_decode",
                  "floor_hmac", "floor_base64", "floor_json"]:
        ns = median_ns(group, bench)
        if ns is None:
            continue
        vs_base = f"{base / ns:.2f}x faster" if bench.startswith("jwtguard") else ""
        vs_floor = f"{ns / floor:.2f}x floor" if bench.startswith("jwtguard") else ""
        print(f"| {group} | {bench} | {fmt(ns)} | {1e9 / ns:,.0f} | {vs_base} | {vs_floor} |")
    print(f"| {group} | floor (sum) | {fmt(floor)} | {1e9 / floor:,.0f} | | |")
for bench in ["bad_signature", "alg_none", "junk_100k"]:
    ns = median_ns("reject", bench)
    if ns is not None:
        print(f"| reject | {bench} | {fmt(ns)} | {1e9 / ns:,.0f} | | |")
one, two = median_ns("threads", "verify_1"), median_ns("threads", "verify_2")
if one and two:
    print(f"| threads | verify_1 | {fmt(one)} | {1e9 / one:,.0f} | | |")
    print(f"| threads | verify_2 | {fmt(two)} | {1e9 / two:,.0f} | scaling {one / two:.2f}x | |")
