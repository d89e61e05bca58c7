#!/usr/bin/env bash
# The word-likeness validator of key-ID bodies (issue 14) on real identifiers and on a million random IDs.
# Usage: bench/word-likeness.sh BEFORE_BIN AFTER_BIN TREE...
#   1. harvests the upper-case constants and enum members of the trees (bench/harvest-identifiers.py);
#   2. writes each one that fits a key ID body (underscores dropped, 16+ characters of A-Z and 2-7) after AKIA into
#      bench/work (never committed) and counts how many each keyguard binary reports as key IDs;
#   3. runs the seeded random-ID test with KEYGUARD_RANDOM_IDS=1000000 (its output line is the count).
set -euo pipefail
BEFORE=$1; AFTER=$2; shift 2
cd "$(dirname "$0")/.."
WORK=bench/work; mkdir -p "$WORK"
python3 bench/harvest-identifiers.py "$WORK/identifiers.txt" "$@"
python3 - "$WORK/identifiers.txt" "$WORK/identifier-keys.txt" <<'PY'
import re, sys
ids = [l.strip().replace("_", "") for l in open(sys.argv[1])]
bodies = sorted({i[:16] for i in ids if re.fullmatch(r"[A-Z2-7]{16,}", i)})
with open(sys.argv[2], "w") as f:
    for b in bodies: f.write(f"CONSTANT = AKIA{b}\n")
digits = sum(any(c.isdigit() for c in b) for b in bodies)
print(f"key-ID-shaped identifiers: {len(bodies)} distinct bodies ({digits} with a digit 2-7)")
PY
for which in before after; do
  bin=$BEFORE; [ $which = after ] && bin=$AFTER
  "$bin" scan "$WORK/identifier-keys.txt" --no-progress --format json --output "$WORK/identifier-keys-$which.json" >/dev/null 2>&1 || true
  python3 -c "import json,sys; f=json.load(open(sys.argv[1]))['findings']; n=sum(1 for l in open(sys.argv[2])); a=sum(1 for x in f if x['rule']=='aws-access-key-id'); print(f'$which: {n} identifiers, reported as key IDs {a}, rejected {n-a}')" "$WORK/identifier-keys-$which.json" "$WORK/identifier-keys.txt"
done
echo "== a million random key IDs (seeded) through WordLikeness.IsWordLike"
KEYGUARD_RANDOM_IDS=1000000 dotnet test tests/KeyGuard.Tests --filter "FullyQualifiedName~WordLikenessTests.Random_key_ids_are_never_rejected" \
  --logger "console;verbosity=detailed" 2>&1 | grep -E "random key IDs|Passed|Failed" || true
