#!/usr/bin/env bash
# KeyGuard against ripgrep and git-secrets on REAL repositories, in the same run: their work trees
# (keyguard scan / rg -c KEYID_REGEX / git secrets --scan -r) and their whole histories (keyguard scan --history /
# git cat-file --batch-all-objects --batch --unordered | rg -c -a / git secrets --scan-history), with peak memory.
#
# Usage: bench/real-repos.sh [RUNS (default 5)] [HISTORY_RUNS (default 3)] CLONE...
# Each CLONE is a work-tree clone of a public repository. This script fetches nothing. To get botocore and
# aws-sdk-js (the issue's pair): fetch the snapshots (the session tool `fetch github:boto/botocore`), then
#   ../shared/bench/prepare-repo.sh /work/.mirror/boto+botocore/repo /work/benchrepos/botocore
#   ../shared/bench/prepare-repo.sh /work/.mirror/aws+aws-sdk-js/repo /work/benchrepos/aws-sdk-js
# (snapshots lack blobs of 4 MiB and more; prepare-repo.sh puts replace-ref placeholders in their place. KeyGuard
# reads objects as stored (--no-replace-objects), so it reports those blobs as missing: errors, not findings.)
# Installs ripgrep, git-secrets, hyperfine and GNU time with apt when missing; builds the NativeAOT binary.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-5}; HRUNS=${2:-3}; shift 2 || true
[ $# -gt 0 ] || { echo "usage: bench/real-repos.sh RUNS HISTORY_RUNS CLONE..." >&2; exit 2; }
WORK=bench/work
mkdir -p "$WORK"
missing=()
command -v rg >/dev/null || missing+=(ripgrep)
command -v git-secrets >/dev/null || missing+=(git-secrets)
command -v hyperfine >/dev/null || missing+=(hyperfine)
[ -x /usr/bin/time ] || missing+=(time)
command -v bc >/dev/null || missing+=(bc)
if [ ${#missing[@]} -gt 0 ]; then apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null; fi

if [ "${KEYGUARD_BENCH_BIN:-}" = "" ]; then
  echo "== building keyguard (NativeAOT, Release)"
  dotnet publish src/KeyGuard.Cli -c Release -r linux-x64 -p:PublishAot=true -o "$WORK/kg-aot" >/dev/null
  KG="$PWD/$WORK/kg-aot/keyguard"
else
  KG=$KEYGUARD_BENCH_BIN
fi
export HOME="$PWD/$WORK/home"; mkdir -p "$HOME"
git config --global user.name bench; git config --global user.email bench@example.invalid
git secrets --register-aws --global >/dev/null 2>&1 || true
RX='(AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}'
HRX='(AKIA|ASIA)[A-Z2-7]{16}'
now() { date +%s.%N; }

for REPO in "$@"; do
  REPO=$(cd "$REPO" && pwd); NAME=$(basename "$REPO")
  echo "== work tree: $NAME ($(git -C "$REPO" ls-files | wc -l) files, $(du -sh --exclude=.git "$REPO" | cut -f1))"
  # git secrets --scan -r scans the folder it is given, like the others (it skips nothing under .git by itself:
  # each tool is pointed at the same files by running from the repository with the same arguments).
  hyperfine -N -i --warmup 1 --runs "$RUNS" --export-json "$WORK/real-$NAME-tree.json" \
    -n keyguard "$KG scan $REPO --no-progress --format json --output /dev/null" \
    -n ripgrep "rg -c $RX $REPO" \
    -n git-secrets "git -C $REPO secrets --scan -r ." 2>&1 | grep -vE '^\s*$' || true
  python3 - "$WORK/real-$NAME-tree.json" <<'PY'
import json, sys, statistics
res = {r["command"]: statistics.median(r["times"]) for r in json.load(open(sys.argv[1]))["results"]}
kg = res["keyguard"]
print(f"medians: keyguard {kg:.3f}s  ripgrep {res['ripgrep']:.3f}s  git-secrets {res['git-secrets']:.3f}s")
print(f"ratios: keyguard/ripgrep {kg/res['ripgrep']:.2f}x   git-secrets/keyguard {res['git-secrets']/kg:.1f}x")
PY
  /usr/bin/time -f "keyguard tree peak RSS: %M KB" "$KG" scan "$REPO" --no-progress --format json --output /dev/null || true

  echo "== history: $NAME ($(git -C "$REPO" rev-list --all | wc -l) commits)"
  TIMES="$WORK/real-$NAME-history.txt"; : > "$TIMES"
  for i in $(seq 1 "$HRUNS"); do
    t0=$(now); "$KG" scan --history "$REPO" --no-progress --format json --output "$WORK/real-$NAME-history.json" >/dev/null 2>&1 || true; t1=$(now)
    echo "keyguard $(echo "$t1 - $t0" | bc)" >> "$TIMES"
    t0=$(now); git -C "$REPO" cat-file --batch-all-objects --batch --unordered | rg -c -a "$HRX" > /dev/null || true; t1=$(now)
    echo "catfile-rg $(echo "$t1 - $t0" | bc)" >> "$TIMES"
    t0=$(now); (cd "$REPO" && git secrets --scan-history > /dev/null 2>&1) || true; t1=$(now)
    echo "git-secrets $(echo "$t1 - $t0" | bc)" >> "$TIMES"
  done
  python3 bench/peakrss.py "$WORK/real-$NAME-rss.txt" "$KG" scan --history "$REPO" --no-progress --format json --output /dev/null 2>/dev/null || true
  python3 - "$TIMES" "$WORK/real-$NAME-rss.txt" <<'PY'
import sys, statistics, collections
t = collections.defaultdict(list)
for line in open(sys.argv[1]):
    name, secs = line.split()[:2]; t[name].append(float(secs))
med = {k: statistics.median(v) for k, v in t.items()}
kg = med["keyguard"]
print("runs: " + "; ".join(f"{k} " + ", ".join(f"{x:.1f}" for x in v) for k, v in t.items()))
print(f"medians: keyguard {kg:.1f}s  cat-file|rg {med['catfile-rg']:.1f}s  git-secrets {med['git-secrets']:.1f}s")
print(f"ratios: cat-file|rg / keyguard {med['catfile-rg']/kg:.2f}x   git-secrets / keyguard {med['git-secrets']/kg:.1f}x")
try: print(open(sys.argv[2]).read().strip())
except OSError: pass
PY
done
