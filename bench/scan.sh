#!/usr/bin/env bash
# Whole-process timing of `keyguard scan` against ripgrep and git-secrets on the same trees, in one run.
# Usage: bench/scan.sh [SIZE_MB (default 500)] [RUNS (default 5)]
# Installs ripgrep, git-secrets, hyperfine and GNU time with apt when missing. Prints medians and ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE_MB=${1:-500}
RUNS=${2:-5}
WORK=bench/work
mkdir -p "$WORK"

missing=()
command -v rg >/dev/null || missing+=(ripgrep)
command -v git-secrets >/dev/null || missing+=(git-secrets)
command -v hyperfine >/dev/null || missing+=(hyperfine)
[ -x /usr/bin/time ] || missing+=(time)
if [ ${#missing[@]} -gt 0 ]; then apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null; fi

echo "== building keyguard (NativeAOT, Release)"
dotnet publish src/KeyGuard.Cli -c Release -r linux-x64 -p:PublishAot=true -o "$WORK/kg-aot" >/dev/null
KG_DIR="$WORK/kg-aot"
KG="$PWD/$KG_DIR/keyguard"

TREE="$WORK/tree-${SIZE_MB}mb"
[ -d "$TREE" ] || python3 bench/gen-tree.py "$TREE" "$SIZE_MB" 10

# A real open-source tree: the AWS SDK for JavaScript v2 from the npm registry (source, docs, tests).
OSS="$WORK/aws-sdk-js"
if [ ! -d "$OSS" ]; then
  (cd "$WORK" && npm pack aws-sdk@2 --silent >/dev/null && mkdir -p aws-sdk-js && tar -xzf aws-sdk-2*.tgz -C aws-sdk-js --strip-components=1 && rm aws-sdk-2*.tgz)
fi

# git-secrets needs its AWS patterns registered in some git config; keep it out of the user's.
export HOME="$PWD/$WORK/home"; mkdir -p "$HOME"
git config --global user.name bench; git config --global user.email bench@example.invalid
git secrets --register-aws --global >/dev/null

RX='(AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}'
for T in "$TREE" "$OSS"; do
  echo "== $(du -sh "$T" | cut -f1) $T ($(find "$T" -type f | wc -l) files)"
  hyperfine -N -i --warmup 1 --runs "$RUNS" --export-json "$WORK/$(basename "$T").json" \
    -n keyguard "$KG scan $T --no-progress --format json --output /dev/null" \
    -n ripgrep "rg -c --no-ignore $RX $T" \
    -n git-secrets "git secrets --scan -r $T" 2>&1 | grep -vE '^\s*$' || true
  python3 - "$WORK/$(basename "$T").json" <<'PY'
import json, sys, statistics
res = {r["command"]: statistics.median(r["times"]) for r in json.load(open(sys.argv[1]))["results"]}
kg = res["keyguard"]
print(f"medians: keyguard {kg:.3f}s  ripgrep {res['ripgrep']:.3f}s  git-secrets {res['git-secrets']:.3f}s")
print(f"ratios: keyguard/ripgrep {kg/res['ripgrep']:.2f}x   git-secrets/keyguard {res['git-secrets']/kg:.1f}x faster")
PY
  /usr/bin/time -f "keyguard peak RSS: %M KB" "$KG" scan "$T" --no-progress --format json --output /dev/null || true
done
