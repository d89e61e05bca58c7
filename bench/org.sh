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
rm -rf "$WORK/repos" "$WORK"/s*.db* "$WORK"/out-* "$WORK"/wt* "$WORK/cache"; mkdir -p "$WORK"
export HOME="$PWD/$WORK/home" GIT_CONFIG_NOSYSTEM=1; mkdir -p "$HOME"
git config --global user.name bench; git config --global user.email bench@example.invalid

if [ -z "${KG:-}" ]; then   # KG=/path/to/keyguard to time another build (e.g. the NativeAOT one)
  echo "== building keyguard (Release)"
  dotnet publish src/KeyGuard.Cli -c Release -o "$WORK/kg" -p:UseAppHost=true >/dev/null
  KG="$PWD/$WORK/kg/keyguard"
fi

echo "== generating $REPOS repositories x $COMMITS commits"
python3 bench/gen-org.py "$WORK/repos" "$REPOS" "$COMMITS" 7
ls -d "$PWD/$WORK"/repos/*.git > "$WORK/repos.txt"

blobs() { python3 -c "import json,sys; t=json.load(open(sys.argv[1]))['totals']; print(t['blobs'], t['commits'], t['new'], t['open'])" "$1/summary.json"; }
median() { python3 -c "import statistics,sys; print(f'{statistics.median(map(float, sys.argv[1:])):.2f}')" "$@"; }
# Wall and CPU (user+sys) seconds of one run; CPU is the steadier number on a shared machine.
scan() {
  /usr/bin/time -f "%e %U %S" -o "$WORK/time.txt" "$KG" org-scan --repos "$WORK/repos.txt" --cache "$WORK/cache" --state "$WORK/$1.db" \
    --out "$WORK/out-$1" --jobs "${JOBS:-2}" --no-progress >/dev/null 2>&1 || true
  read -r wall user sys < <(tail -1 "$WORK/time.txt")
  LAST_WALL=$wall; LAST_CPU=$(python3 -c "print(f'{$user + $sys:.2f}')")
}

first=(); again=(); after=(); first_cpu=(); again_cpu=()
for r in $(seq 1 "$RUNS"); do
  rm -f "$WORK/s$r.db"*
  scan "s$r"; first+=("$LAST_WALL"); first_cpu+=("$LAST_CPU")
  read -r fb fc fn fo < <(blobs "$WORK/out-s$r")
  scan "s$r"; again+=("$LAST_WALL"); again_cpu+=("$LAST_CPU")
  read -r ab ac an ao < <(blobs "$WORK/out-s$r")
done
# One new commit (two new files) in 5 repositories, then an incremental run on the last state.
for i in 0 10 20 30 40; do
  repo=$(sed -n "$((i + 1))p" "$WORK/repos.txt"); [ -n "$repo" ] || continue
  tmp="$WORK/wt$i"; git clone -q "$repo" "$tmp"
  echo "print($i)" > "$tmp/new_$i.py"; echo "x = $i" > "$tmp/other_$i.py"
  git -C "$tmp" add . && git -C "$tmp" commit -qm "bench change" && git -C "$tmp" push -q origin HEAD:main
done
scan "s$RUNS"; after+=("$LAST_WALL"); after_cpu=$LAST_CPU
read -r cb cc cn co < <(blobs "$WORK/out-s$RUNS")

echo "repositories: $REPOS, commits per repository: $COMMITS, jobs: ${JOBS:-2}, runs: $RUNS"
echo "first run:               wall median $(median "${first[@]}") s (${first[*]}), CPU median $(median "${first_cpu[@]}") s; blobs $fb, commits $fc, findings new $fn"
echo "rerun, nothing changed:  wall median $(median "${again[@]}") s (${again[*]}), CPU median $(median "${again_cpu[@]}") s; blobs $ab, commits $ac, findings open $ao"
echo "rerun after 5 commits:   wall ${after[0]} s, CPU $after_cpu s; blobs $cb, commits $cc"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
du -sh "$WORK/s$RUNS.db" | sed 's/^/state file: /'
