#!/usr/bin/env bash
# Org scan benchmark: 50 generated repositories; first run vs. incremental reruns (nothing changed, and one new
# commit in 5 repositories). Wall time is the median of RUNS runs; blobs scanned come from summary.json.
# Usage: bench/org.sh [REPOS (default 50)] [RUNS (default 3)] [COMMITS_PER_REPO (default 20)]
# The machine is shared: treat times as noisy, the blob counts as exact.
set -euo pipefail
cd "$(dirname "$0")/.."
REPOS=${1:-50}
RUNS=${2:-3}
COMMITS=${3:-20}
WORK=bench/work/org
rm -rf "$WORK"; mkdir -p "$WORK"
export HOME="$PWD/$WORK/home" GIT_CONFIG_NOSYSTEM=1; mkdir -p "$HOME"
git config --global user.name bench; git config --global user.email bench@example.invalid

echo "== building keyguard (Release)"
dotnet publish src/KeyGuard.Cli -c Release -o "$WORK/kg" -p:UseAppHost=true >/dev/null
KG="$PWD/$WORK/kg/keyguard"

echo "== generating $REPOS repositories x $COMMITS commits"
python3 bench/gen-org.py "$WORK/repos" "$REPOS" "$COMMITS" 7
ls -d "$PWD/$WORK"/repos/*.git > "$WORK/repos.txt"

now() { date +%s%N; }
secs() { python3 -c "import sys; print(f'{(int(sys.argv[2]) - int(sys.argv[1])) / 1e9:.2f}')" "$1" "$2"; }
blobs() { python3 -c "import json,sys; t=json.load(open(sys.argv[1]))['totals']; print(t['blobs'], t['commits'], t['new'], t['open'])" "$1/summary.json"; }
median() { python3 -c "import statistics,sys; print(f'{statistics.median(map(float, sys.argv[1:])):.2f}')" "$@"; }
scan() { "$KG" org-scan --repos "$WORK/repos.txt" --cache "$WORK/cache" --state "$WORK/$1.db" --out "$WORK/out-$1" --jobs "${JOBS:-2}" --no-progress 2>/dev/null || true; }

first=(); again=(); after=()
for r in $(seq 1 "$RUNS"); do
  rm -f "$WORK/s$r.db"*
  t0=$(now); scan "s$r"; t1=$(now); first+=("$(secs "$t0" "$t1")")
  read -r fb fc fn fo < <(blobs "$WORK/out-s$r")
  t0=$(now); scan "s$r"; t1=$(now); again+=("$(secs "$t0" "$t1")")
  read -r ab ac an ao < <(blobs "$WORK/out-s$r")
done
# One new commit (two new files) in 5 repositories, then an incremental run on the last state.
for i in 0 10 20 30 40; do
  repo=$(sed -n "$((i + 1))p" "$WORK/repos.txt"); [ -n "$repo" ] || continue
  tmp="$WORK/wt$i"; git clone -q "$repo" "$tmp"
  echo "print($i)" > "$tmp/new_$i.py"; echo "x = $i" > "$tmp/other_$i.py"
  git -C "$tmp" add . && git -C "$tmp" commit -qm "bench change" && git -C "$tmp" push -q origin HEAD:main
done
t0=$(now); scan "s$RUNS"; t1=$(now); after+=("$(secs "$t0" "$t1")")
read -r cb cc cn co < <(blobs "$WORK/out-s$RUNS")

echo "repositories: $REPOS, commits per repository: $COMMITS, jobs: ${JOBS:-2}, runs: $RUNS"
echo "first run:               median $(median "${first[@]}") s  (${first[*]})  blobs $fb, commits $fc, findings new $fn"
echo "rerun, nothing changed:  median $(median "${again[@]}") s  (${again[*]})  blobs $ab, commits $ac, findings open $ao"
echo "rerun after 5 commits:   $(median "${after[@]}") s  blobs $cb, commits $cc"
du -sh "$WORK/s$RUNS.db" | sed 's/^/state file: /'
