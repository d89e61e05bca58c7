#!/usr/bin/env bash
# A/B of two keyguard builds on work trees (issue 15): the findings must be identical (JSON compared, the run's
# duration left out), then hyperfine times old, new and ripgrep's key-ID search in one run (git-secrets too with
# AB_GIT_SECRETS=1).
#
# Usage: bench/ab.sh OLD_BINARY NEW_BINARY RUNS TREE...
# Trees: work-tree clones (see real-repos.sh for botocore and aws-sdk-js) and generated trees
# (bench/gen-tree.py, bench/gen-dense-tree.py). Exits 1 when the findings differ on any tree.
set -euo pipefail
cd "$(dirname "$0")/.."
OLD=$1; NEW=$2; RUNS=$3; shift 3
WORK=bench/work; mkdir -p "$WORK"
RX='(AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}'
# git-secrets needs its AWS patterns registered in some git config; keep it out of the user's (as scan.sh does).
# It runs from inside each tree (`git secrets --scan -r .`, as in real-repos.sh), or on the path outside a repository.
export HOME="$PWD/$WORK/home"; mkdir -p "$HOME"
git config --global user.name bench; git config --global user.email bench@example.invalid
git secrets --register-aws --global >/dev/null 2>&1 || true
status=0
for TREE in "$@"; do
  TREE=$(cd "$TREE" && pwd); NAME=$(basename "$TREE")
  "$OLD" scan "$TREE" --no-progress --format json --output "$WORK/ab-$NAME-old.json" >/dev/null 2>&1 || true
  "$NEW" scan "$TREE" --no-progress --format json --output "$WORK/ab-$NAME-new.json" >/dev/null 2>&1 || true
  if python3 - "$WORK/ab-$NAME-old.json" "$WORK/ab-$NAME-new.json" <<'PY'
import json, sys
def load(p):
    d = json.load(open(p)); d.get("stats", {}).pop("durationMs", None); return d
a, b = load(sys.argv[1]), load(sys.argv[2])
print(f"findings: old {len(a['findings'])}, new {len(b['findings'])}; files {a['stats']['filesScanned']} / {b['stats']['filesScanned']}")
sys.exit(0 if a == b else 1)
PY
  then echo "== $NAME: findings identical"; else echo "== $NAME: FINDINGS DIFFER"; status=1; fi
  extra=()
  if [ "${AB_GIT_SECRETS:-0}" = 1 ]; then
    if git -C "$TREE" rev-parse --git-dir >/dev/null 2>&1; then extra=(-n git-secrets "git -C $TREE secrets --scan -r .")
    else extra=(-n git-secrets "git secrets --scan -r $TREE"); fi
  fi
  hyperfine -N -i --warmup 1 --runs "$RUNS" --export-json "$WORK/ab-$NAME.json" \
    -n old "$OLD scan $TREE --no-progress --format json --output /dev/null" \
    -n new "$NEW scan $TREE --no-progress --format json --output /dev/null" \
    -n ripgrep "rg -c $RX $TREE" "${extra[@]}" >/dev/null 2>&1 || true
  python3 - "$WORK/ab-$NAME.json" <<'PY'
import json, sys, statistics
rs = json.load(open(sys.argv[1]))["results"]
med = {r["command"]: statistics.median(r["times"]) for r in rs}
cpu = {r["command"]: (r["user"], r["system"]) for r in rs}  # hyperfine exports CPU as means
print("medians: " + "  ".join(f"{k} {v*1000:.0f} ms (user {cpu[k][0]*1000:.0f}, sys {cpu[k][1]*1000:.0f} mean)" for k, v in med.items()))
line = f"new/old {med['new']/med['old']:.3f}x   new/ripgrep {med['new']/med['ripgrep']:.2f}x   old/ripgrep {med['old']/med['ripgrep']:.2f}x"
if "git-secrets" in med: line += f"   git-secrets/new {med['git-secrets']/med['new']:.1f}x"
print(line)
PY
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
exit $status
