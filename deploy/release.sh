#!/usr/bin/env bash
# Builds self-contained NativeAOT release archives of keyguard, with SHA-256 checksums, and smoke-tests each one
# that this machine can run by extracting it to an empty folder and using it from there.
#
# Usage: deploy/release.sh [OUT_DIR (default artifacts/release)] [RID...]
# RIDs default to this machine's own (linux-x64 or linux-arm64). NativeAOT links with the target's native toolchain
# and does not cross-compile between operating systems: linux-arm64 needs an arm64 machine (or clang with an arm64
# sysroot), osx-arm64 a Mac, win-x64 Windows. Each archive holds the binary and every native library it loads at run
# time (libgit2 for repositories, e_sqlite3 for org-scan state); debug symbols stay out.
# Needs: clang and zlib1g-dev (apt-get install -y clang zlib1g-dev on Debian/Ubuntu).
#
# Also makes the .NET tool packages in OUT_DIR/nupkg (.NET 10 RID-specific tool packages):
#   KeyGuard.VERSION.nupkg      the package `dotnet tool install KeyGuard` and `dnx KeyGuard` ask for: it names one
#                               package per RID (ToolPackageRuntimeIdentifiers) and holds no binary itself;
#   KeyGuard.RID.VERSION.nupkg  the NativeAOT binary and its libgit2/e_sqlite3 libraries, for each RID built here;
#   KeyGuard.any.VERSION.nupkg  framework-dependent (needs the .NET 10 runtime): what every other platform installs.
# KEYGUARD_TOOL_RIDS (';'-separated) names the RIDs whose native packages the published feed will hold, when a
# release gathers them from several machines (each runs this script for its own RID); by default, the RIDs built by
# this run. A RID listed there whose package is missing from the feed makes installs on that platform fail, so list
# only those built. The tool package is smoke-tested like the archive: installed from the feed into an empty tool
# path, it must be the native ELF binary, not the framework-dependent shim.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-artifacts/release}; shift || true
case "$(uname -m)" in x86_64) HOST=linux-x64 ;; aarch64) HOST=linux-arm64 ;; *) HOST=unknown ;; esac
RIDS=("$@"); [ ${#RIDS[@]} -gt 0 ] || RIDS=("$HOST")
VERSION=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' Directory.Build.props | head -1)
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

FEED="$OUT/nupkg"
mkdir -p "$FEED"
TOOL_RIDS=${KEYGUARD_TOOL_RIDS:-$(IFS=';'; echo "${RIDS[*]}")}
PACK=(dotnet pack src/KeyGuard.Cli -c Release "-p:KeyGuardToolRids=$TOOL_RIDS" -o "$FEED")
LOG=$(mktemp)
echo "release: tool packages for $TOOL_RIDS (+ any)"
"${PACK[@]}" >"$LOG" 2>&1 || { tail -20 "$LOG"; echo "release: tool pointer package failed" >&2; exit 1; }
"${PACK[@]}" -r any >"$LOG" 2>&1 || { tail -20 "$LOG"; echo "release: framework-dependent tool package failed" >&2; exit 1; }

for RID in "${RIDS[@]}"; do
  NAME="keyguard-$VERSION-$RID"
  STAGE=$(mktemp -d)
  echo "release: building $NAME"
  # One NativeAOT compile serves both: the RID's tool package, and the archive made from the same publish folder.
  PUBLISH=src/KeyGuard.Cli/bin/Release/net10.0/$RID/publish
  rm -rf "$PUBLISH"
  "${PACK[@]}" -r "$RID" >"$STAGE/publish.log" 2>&1 \
    || { tail -20 "$STAGE/publish.log"; echo "release: $RID: publish failed" >&2; exit 1; }
  mkdir -p "$STAGE/$NAME"
  cp "$PUBLISH/keyguard" "$STAGE/$NAME/"
  cp "$PUBLISH"/*.so "$STAGE/$NAME/" 2>/dev/null || true
  cp LICENSE "$STAGE/$NAME/" 2>/dev/null || true
  printf 'KeyGuard %s for %s. Keep the .so files next to keyguard. Docs: docs/install.md in the source.\n' "$VERSION" "$RID" > "$STAGE/$NAME/README.txt"
  tar -C "$STAGE" -czf "$OUT/$NAME.tar.gz" "$NAME"
  (cd "$OUT" && sha256sum "$NAME.tar.gz" > "$NAME.tar.gz.sha256")
  rm -rf "$STAGE"
  echo "release: $OUT/$NAME.tar.gz ($(du -h "$OUT/$NAME.tar.gz" | cut -f1)), $FEED/KeyGuard.$RID.$VERSION.nupkg"
  if [ "$RID" = "$HOST" ]; then
    bash deploy/release-smoke.sh "$OUT/$NAME.tar.gz"
    bash deploy/release-smoke.sh --tool "$FEED" "$VERSION"
  else
    echo "release: $RID: not smoke-tested (not this machine's platform)"
  fi
done
rm -f "$LOG"
