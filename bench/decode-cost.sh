#!/usr/bin/env bash
# What the decoding stage (issue 14) costs a working-tree scan: two keyguard binaries, before and after, timed by
# hyperfine in the same run on the same trees, and their findings compared.
# Usage: bench/decode-cost.sh BEFORE_BIN AFTER_BIN [RUNS (default 10)] TREE...
# Build each binary with: dotnet publish src/KeyGuard.Cli -c Release -r linux-x64 -p:PublishAot=true -o DIR
# (from a checkout of the commit to measure). Installs hyperfine with apt when missing.
set -euo pipefail
BEFORE=$1; AFTER=$2; RUNS=${3:-10}; shift 3
command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine >/dev/null; }
WORK=$(dirname "$0")/work; mkdir -p "$WORK"
for T in "$@"; do
  name=$(basename "$T")
  echo "== $name: $(du -sh --exclude=.git "$T" | cut -f1) ($(find "$T" -path "$T/.git" -prune -o -type f -print | wc -l) files)"
  hyperfine -N -i --warmup 2 --runs "$RUNS" --export-json "$WORK/decode-$name.json" \
    -n before "$BEFORE scan $T --no-progress --format json --output /dev/null" \
    -n after "$AFTER scan $T --no-progress --format json --output /dev/null" 2>&1 | grep -vE '^\s*$' || true
  python3 - "$WORK/decode-$name.json" <<'PY'
import json, sys, statistics
res = {r["command"]: r["times"] for r in json.load(open(sys.argv[1]))["results"]}
b, a = statistics.median(res["before"]), statistics.median(res["after"])
print(f"medians: before {b:.3f}s  after {a:.3f}s  after/before {a/b:.3f}  (min {min(res['before']):.3f} / {min(res['after']):.3f})")
PY
  for which in before after; do
    bin=$BEFORE; [ $which = after ] && bin=$AFTER
    "$bin" scan "$T" --no-progress --format json --output "$WORK/decode-$name-$which.json" >/dev/null 2>&1 || true
  done
  python3 - "$WORK/decode-$name-before.json" "$WORK/decode-$name-after.json" <<'PY'
import json, sys
def load(p):
    return {(f["rule"], f["path"], f["line"], f["fingerprint"]): f.get("encoding") for f in json.load(open(p))["findings"]}
b, a = load(sys.argv[1]), load(sys.argv[2])
print(f"findings: before {len(b)}, after {len(a)}; only after: {len(set(a) - set(b))}, only before: {len(set(b) - set(a))}")
for k in sorted(set(a) - set(b))[:20]: print("  + ", k[0], k[1], k[2], a[k] or "")
for k in sorted(set(b) - set(a))[:20]: print("  - ", k[0], k[1], k[2])
PY
done
