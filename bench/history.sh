#!/usr/bin/env bash
# History sweep benchmark: `keyguard scan --history` against `git secrets --scan-history` and a
# `git cat-file --batch-all-objects --batch | rg -c` pipeline, on one generated repository, in one run.
# Usage: bench/history.sh [COMMITS (20000)] [LARGE_CHANGES (300)] [RUNS (3)] [GIT_SECRETS_TIMEOUT_S (1800; 0 skips it)]
# Every tool runs RUNS times in the same loop (git-secrets too: one run of it varied from 22 s to 33 s).
# Installs ripgrep, git-secrets and GNU time with apt when missing. Prints medians, ratios and keyguard's peak RSS.
# The machine may be shared: every tool runs in the same loop, so load hits them alike; quote ratios, not seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
COMMITS=${1:-20000}
LARGE=${2:-300}
RUNS=${3:-3}
GS_TIMEOUT=${4:-1800}
WORK=bench/work
mkdir -p "$WORK"

missing=()
command -v rg >/dev/null || missing+=(ripgrep)
command -v git-secrets >/dev/null || missing+=(git-secrets)
[ -x /usr/bin/time ] || missing+=(time)
command -v bc >/dev/null || missing+=(bc)
if [ ${#missing[@]} -gt 0 ]; then apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null; fi

echo "== building keyguard (NativeAOT, Release)"
dotnet publish src/KeyGuard.Cli -c Release -r linux-x64 -p:PublishAot=true -o "$WORK/kg-aot" >/dev/null
KG="$PWD/$WORK/kg-aot/keyguard"

REPO="$PWD/$WORK/history-$COMMITS"
if [ ! -d "$REPO/.git" ]; then
  echo "== generating $COMMITS commits ($LARGE large-file changes) in $REPO"
  rm -rf "$REPO"; mkdir -p "$REPO"; git -C "$REPO" init -q -b main
  python3 bench/gen-history.py "$REPO" "$COMMITS" "$LARGE"
fi
# fast-import stores the large files whole; a clone of a real repository has them as deltas. Repack as git gc would.
if [ ! -f "$REPO/.git/keyguard-bench-repacked" ]; then
  echo "== repacking (git repack -adf --depth=50 --window=10)"
  git -C "$REPO" repack -adf --depth=50 --window=10 -q && touch "$REPO/.git/keyguard-bench-repacked"
fi
git -C "$REPO" cat-file --batch-all-objects --batch-check='%(objecttype) %(objectsize)' \
  | awk '{n[$1]++; s[$1]+=$2} END {printf "== repo: %d commits, %d blobs, %.0f MB of blob content, ", n["commit"], n["blob"], s["blob"]/1048576}'
echo "$(du -sm "$REPO/.git/objects/pack" | cut -f1) MB packed"

# git-secrets needs its AWS patterns in some git config; keep it out of the user's.
export HOME="$PWD/$WORK/home"; mkdir -p "$HOME"
git config --global user.name bench; git config --global user.email bench@example.invalid
git secrets --register-aws --global >/dev/null 2>&1 || true

RX='(AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}'
TIMES="$WORK/history-times.txt"; : > "$TIMES"
now() { date +%s.%N; }
for run in $(seq "$RUNS"); do
  t0=$(now); "$KG" scan --history "$REPO" --no-progress --format json --output "$WORK/history-keyguard.json" || [ $? -eq 1 ]; t1=$(now)
  echo "keyguard $(echo "$t1 - $t0" | bc)" >> "$TIMES"
  t0=$(now); git -C "$REPO" cat-file --batch-all-objects --batch | rg -c "$RX" > "$WORK/history-catfile.txt" || true; t1=$(now)
  echo "catfile-rg $(echo "$t1 - $t0" | bc)" >> "$TIMES"
  # KeyGuard without git installed reads through libgit2 alone: the fallback path, for the record.
  t0=$(now); KEYGUARD_GIT=libgit2 "$KG" scan --history "$REPO" --no-progress --format json --output /dev/null || [ $? -eq 1 ]; t1=$(now)
  echo "keyguard-libgit2 $(echo "$t1 - $t0" | bc)" >> "$TIMES"
  # Without the in-process pack reader: every blob read by git cat-file after the walk (the path for loose objects).
  t0=$(now); KEYGUARD_PACK_READER=0 "$KG" scan --history "$REPO" --no-progress --format json --output /dev/null || [ $? -eq 1 ]; t1=$(now)
  echo "keyguard-catfile $(echo "$t1 - $t0" | bc)" >> "$TIMES"
  # git-secrets, bounded by a timeout (a timed-out run is recorded as its timeout, a lower bound).
  GS_OUT="$PWD/$WORK/history-git-secrets.txt"
  if [ "$GS_TIMEOUT" -gt 0 ]; then
    t0=$(now); set +e; (cd "$REPO" && timeout "$GS_TIMEOUT" git secrets --scan-history > "$GS_OUT" 2>&1); gs=$?; set -e; t1=$(now)
    echo "git-secrets $(echo "$t1 - $t0" | bc) $([ $gs -eq 124 ] && echo timeout)" >> "$TIMES"
  fi
  echo "   run $run: $(tail -5 "$TIMES" | tr '\n' ' ')"
done

# Peak resident memory of keyguard alone and with its git helpers (cat-file, diff-tree), sampled every 20 ms.
python3 bench/peakrss.py "$WORK/history-rss.txt" "$KG" scan --history "$REPO" --no-progress --format json --output /dev/null || true
KEYGUARD_HISTORY_TIMING=1 "$KG" scan --history "$REPO" --no-progress --format json --output /dev/null 2>&1 | grep '^timing' || true

python3 - "$TIMES" "$WORK/history-rss.txt" "$WORK/history-keyguard.json" "$WORK/history-catfile.txt" <<'PY'
import json, statistics, sys
times = {}
timed_out = False
for line in open(sys.argv[1]):
    parts = line.split()
    times.setdefault(parts[0], []).append(float(parts[1]))
    timed_out |= len(parts) > 2 and parts[0] == "git-secrets"
med = {k: statistics.median(v) for k, v in times.items()}
rss_self, rss_tree = (int(x) / 1024 for x in open(sys.argv[2]).read().split())
report = json.load(open(sys.argv[3]))
kg = med["keyguard"]
gs = med.get("git-secrets")
gs_text = "skipped" if gs is None else f"{'>' if timed_out else ''}{gs:.1f}s"
print(f"medians: keyguard {kg:.1f}s  cat-file|rg {med['catfile-rg']:.1f}s  git-secrets {gs_text}"
      f"  (runs: {', '.join(f'{k} {v}' for k, v in times.items())})")
print(f"ratios: cat-file|rg / keyguard {med['catfile-rg']/kg:.2f}x   git-secrets / keyguard "
      + ("n/a" if gs is None else f"{'>' if timed_out else ''}{gs/kg:.1f}x"))
print(f"keyguard (libgit2 only, KEYGUARD_GIT=libgit2): {med['keyguard-libgit2']:.1f}s; without the pack reader (KEYGUARD_PACK_READER=0): {med['keyguard-catfile']:.1f}s")
print(f"keyguard peak RSS: {rss_self:.0f} MB alone, {rss_tree:.0f} MB with its git helpers; findings {len(report['findings'])}; stats {report['stats']}")
print(f"cat-file|rg matching lines: {open(sys.argv[4]).read().strip()}")
PY
