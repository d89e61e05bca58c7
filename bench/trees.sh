#!/usr/bin/env bash
# KeyGuard against ripgrep's key-ID search and git-secrets on any trees, in one hyperfine run per tree (issue 15).
# Usage: KEYGUARD_BENCH_BIN=path/to/keyguard bench/trees.sh RUNS TREE...
# A TREE may be a git work tree (git secrets runs inside it, as in bench/real-repos.sh) or a plain folder. This script
# fetches and generates nothing; the issue's inputs are made with:
#   python3 bench/gen-dense-tree.py /work/gen/dense 500              # keywords on most lines, runs on a quarter
#   python3 bench/gen-dense-tree.py /work/gen/dense-norun 150 10 --no-runs
#   python3 bench/gen-tree.py /work/gen/tree 500 10                  # source-like, keywords at a realistic rate
# and the real clones as bench/real-repos.sh says. The NativeAOT binary: dotnet publish src/KeyGuard.Cli -c Release
# -r linux-x64 -p:PublishAot=true -o DIR. Prints medians and the issue's two ratios per tree.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:?usage: bench/trees.sh RUNS TREE...}; shift
KG=${KEYGUARD_BENCH_BIN:?set KEYGUARD_BENCH_BIN to a keyguard binary}
WORK=bench/work; mkdir -p "$WORK"
export HOME="$PWD/$WORK/home"; mkdir -p "$HOME"
git config --global user.name bench; git config --global user.email bench@example.invalid
git secrets --register-aws --global >/dev/null 2>&1 || true
RX='(AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}'
for T in "$@"; do
  T=$(cd "$T" && pwd); NAME=$(basename "$T")
  if git -C "$T" rev-parse --show-toplevel >/dev/null 2>&1; then GS="git -C $T secrets --scan -r ."; else GS="git secrets --scan -r $T"; fi
  echo "== $NAME ($(find "$T" -type f -not -path '*/.git/*' | wc -l) files, $(du -sh --exclude=.git "$T" | cut -f1))"
  hyperfine -N -i --warmup 1 --runs "$RUNS" --export-json "$WORK/trees-$NAME.json" \
    -n keyguard "$KG scan $T --no-progress --format json --output /dev/null" \
    -n ripgrep "rg -c $RX $T" \
    -n git-secrets "$GS" 2>&1 | grep -E 'Time|Benchmark' || true
  python3 - "$WORK/trees-$NAME.json" <<'PY'
import json, sys, statistics
res = {r["command"]: statistics.median(r["times"]) for r in json.load(open(sys.argv[1]))["results"]}
kg = res["keyguard"]
print(f"medians: keyguard {kg:.3f}s  ripgrep {res['ripgrep']:.3f}s  git-secrets {res['git-secrets']:.3f}s")
print(f"ratios: keyguard/ripgrep {kg/res['ripgrep']:.2f}x   git-secrets/keyguard {res['git-secrets']/kg:.1f}x")
PY
done
