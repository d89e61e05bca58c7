#!/usr/bin/env bash
# Long fuzz run of every parser that reads untrusted bytes (tests/KeyGuard.Tests/Fuzzing), one after another.
# Usage: bench/fuzz.sh [SECONDS_PER_PARSER (default 60)]   KEYGUARD_FUZZ_SEED=N changes the input sequence.
# Prints per parser: inputs tried, inputs/s, distinct failures (exception type + KeyGuard method, or hang/allocation).
# Each failure's smallest input is kept under $OUT/failures/<parser>-<n>.bin; replay one with
#   KEYGUARD_FUZZ_REPLAY=<parser>:<absolute file path> dotnet test tests/KeyGuard.Tests --filter FullyQualifiedName~Replay_a_saved_input
# Exit status 1 when any parser failed.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_PARSER=${1:-60}
OUT=${KEYGUARD_FUZZ_OUT:-bench/work/fuzz}
rm -rf "$OUT" && mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

echo "== building the tests (Release)"
dotnet build tests/KeyGuard.Tests -c Release -v q --nologo >"$OUT/build.log" 2>&1 || { tail -20 "$OUT/build.log"; exit 2; }

echo "== fuzzing each parser for ${SECONDS_PER_PARSER} s (seed ${KEYGUARD_FUZZ_SEED:-default})"
status=0
KEYGUARD_FUZZ_SECONDS=$SECONDS_PER_PARSER KEYGUARD_FUZZ_REPORT="$OUT/report.txt" KEYGUARD_FUZZ_FAILURES="$OUT/failures" \
    dotnet test tests/KeyGuard.Tests -c Release --no-build --filter "FullyQualifiedName~Fuzzing.FuzzTests.Parser_survives" \
    >"$OUT/test.log" 2>&1 || status=1
[ -s "$OUT/report.txt" ] || { tail -30 "$OUT/test.log"; exit 2; }
grep -v '^    base64:' "$OUT/report.txt"
awk '/ inputs /{gsub(",","",$2); n+=$2; f+=$(NF-2)} END{printf "== total: %d inputs, %d distinct failure(s)\n", n, f}' "$OUT/report.txt"
[ $status -eq 0 ] || echo "== failures: inputs under $OUT/failures, full report in $OUT/report.txt"
exit $status
