#!/usr/bin/env bash
# Org scan at organisation scale (issue 16): REPOS generated repositories (default 500; small histories, a few planted
# fake keys generated at run time by bench/gen-org.py), timed with hyperfine in the same session:
#   1. first run     (fresh state each time: every blob scanned)
#   2. rerun         (same state, nothing changed: incremental, 0 blobs)
#   3. 8 shards      (--shard i/8, each its own state and --out), then org-merge of the 8 shard folders
# Peak memory (maximum resident set size) of one run of each from /usr/bin/time -v.
# Usage: bench/org-scale.sh [REPOS (500)] [RUNS (3)] [COMMITS_PER_REPO (20)]   KG=/path/to/keyguard to time another build.
# The machine is shared (2 cores): read the medians and the ratios, and the load average printed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
REPOS=${1:-500}
RUNS=${2:-3}
COMMITS=${3:-20}
SHARDS=8
WORK="$PWD/bench/work/org-scale"
rm -rf "$WORK"; mkdir -p "$WORK"
export HOME="$WORK/home" GIT_CONFIG_NOSYSTEM=1; mkdir -p "$HOME"

if [ -z "${KG:-}" ]; then
  echo "== building keyguard (Release)"
  dotnet publish src/KeyGuard.Cli -c Release -o "$WORK/kg" -p:UseAppHost=true >/dev/null
  KG="$WORK/kg/keyguard"
fi

echo "== generating $REPOS repositories x $COMMITS commits"
python3 bench/gen-org.py "$WORK/repos" "$REPOS" "$COMMITS" 16
ls -d "$WORK"/repos/*.git > "$WORK/repos.txt"

SCAN="$KG org-scan --repos $WORK/repos.txt --cache $WORK/cache --jobs ${JOBS:-2} --no-progress --findings-exit-code 0"
shard_cmd() { echo "$SCAN --state $WORK/shard-$1.db --out $WORK/shards/shard-$1 --shard $1/$SHARDS"; }
ALL_SHARDS=$(for i in $(seq 0 $((SHARDS - 1))); do shard_cmd "$i"; echo ";"; done | tr '\n' ' ')
SHARD_DIRS=$(for i in $(seq 0 $((SHARDS - 1))); do printf '%s ' "$WORK/shards/shard-$i"; done)
MERGE="$KG org-merge $SHARD_DIRS --out $WORK/merged --findings-exit-code 0"

echo "== hyperfine: first run, rerun, $SHARDS shards one after another, merge"
hyperfine --style basic --runs "$RUNS" --export-json "$WORK/first.json" \
  --prepare "rm -rf $WORK/first.db* $WORK/out-first" "$SCAN --state $WORK/first.db --out $WORK/out-first >/dev/null 2>&1"
$SCAN --state "$WORK/rerun.db" --out "$WORK/out-rerun" >/dev/null 2>&1   # the state the reruns start from
hyperfine --style basic --runs "$RUNS" --export-json "$WORK/rerun.json" \
  "$SCAN --state $WORK/rerun.db --out $WORK/out-rerun >/dev/null 2>&1"
hyperfine --style basic --runs "$RUNS" --export-json "$WORK/shards.json" \
  --prepare "rm -rf $WORK/shard-*.db* $WORK/shards" "bash -c '$ALL_SHARDS' >/dev/null 2>&1"
hyperfine --style basic --runs "$RUNS" --export-json "$WORK/merge.json" "$MERGE >/dev/null 2>&1"

echo "== peak memory (/usr/bin/time -v, one run each)"
peak() { /usr/bin/time -v -o "$WORK/time-$1.txt" "${@:2}" >/dev/null 2>&1 || true; grep -E "Maximum resident" "$WORK/time-$1.txt" | awk '{print $NF}'; }
rm -rf "$WORK/first.db"* "$WORK/out-first"
first_kb=$(peak first $SCAN --state "$WORK/first.db" --out "$WORK/out-first")
rerun_kb=$(peak rerun $SCAN --state "$WORK/first.db" --out "$WORK/out-first-rerun")
shard_max=0
for i in $(seq 0 $((SHARDS - 1))); do
  kb=$(peak "shard-$i" $(shard_cmd "$i")); [ "$kb" -gt "$shard_max" ] && shard_max=$kb
done
merge_kb=$(peak merge $MERGE)
# On 8 machines the shards run side by side: the slowest one is the scan's wall time.
slowest_shard=$(for i in $(seq 0 $((SHARDS - 1))); do grep "Elapsed (wall clock)" "$WORK/time-shard-$i.txt" | awk '{print $NF}'; done \
  | python3 -c "import sys; print(f'{max(sum(float(p) * 60 ** i for i, p in enumerate(reversed(l.strip().split(\":\")))) for l in sys.stdin):.2f}')")

median() { python3 -c "import json,sys; print(f\"{json.load(open(sys.argv[1]))['results'][0]['median']:.2f}\")" "$1"; }
# CPU seconds (user + sys, hyperfine's means): the steadier number when the machine is shared.
cpu() { python3 -c "import json,sys; r=json.load(open(sys.argv[1]))['results'][0]; print(f\"{r['user'] + r['system']:.2f}\")" "$1"; }
runs() { python3 -c "import json,sys; print(' '.join(f'{t:.2f}' for t in json.load(open(sys.argv[1]))['results'][0]['times']))" "$1"; }
totals() { python3 -c "import json,sys; t=json.load(open(sys.argv[1]))['totals']; print(t['repositories'], t['blobs'], t['commits'], t['new'] + t['open'], t['failed'])" "$1/summary.json"; }
read -r fr fb fc ff ffail < <(totals "$WORK/out-first")
read -r rr rb rc rf rfail < <(totals "$WORK/out-first-rerun")
read -r mr mb mc mf mfail < <(totals "$WORK/merged")
mb_of() { python3 -c "print(f'{int(\"$1\") / 1024:.0f}')"; }

echo
echo "repositories: $REPOS x $COMMITS commits, jobs ${JOBS:-2}, hyperfine runs: $RUNS"
echo "| run | wall median (runs) | CPU mean | peak RSS | repositories | blobs scanned | commits walked | findings (new+open) |"
echo "|---|---|---|---|---|---|---|---|"
echo "| first run | $(median "$WORK/first.json") s ($(runs "$WORK/first.json")) | $(cpu "$WORK/first.json") s | $(mb_of "$first_kb") MB | $fr | $fb | $fc | $ff |"
echo "| rerun, nothing changed | $(median "$WORK/rerun.json") s ($(runs "$WORK/rerun.json")) | $(cpu "$WORK/rerun.json") s | $(mb_of "$rerun_kb") MB | $rr | $rb | $rc | $rf |"
echo "| $SHARDS shards, one after another (first run each) | $(median "$WORK/shards.json") s ($(runs "$WORK/shards.json")) | $(cpu "$WORK/shards.json") s | $(mb_of "$shard_max") MB (largest shard) | | | | |"
echo "| org-merge of the $SHARDS shards | $(median "$WORK/merge.json") s ($(runs "$WORK/merge.json")) | $(cpu "$WORK/merge.json") s | $(mb_of "$merge_kb") MB | $mr | $mb | $mc | $mf |"
echo
echo "slowest single shard (/usr/bin/time run): $slowest_shard s"
echo "failed repositories: first $ffail, rerun $rfail, merged $mfail"
for f in summary.md summary.html summary.json step-summary.md; do
  [ -f "$WORK/merged/$f" ] && echo "merged $f: $(wc -c < "$WORK/merged/$f") bytes"
done
du -k "$WORK/first.db" | awk '{print "state file (first run): " $1 " KB"}'
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
