#!/usr/bin/env bash
# Builds self-contained NativeAOT release archives of keyguard, with SHA-256 checksums, and smoke-tests each one
# that this machine can run by extracting it to an empty folder and using it from there.
#
# Usage: deploy/release.sh [OUT_DIR (default artifacts/release)] [RID...]
# RIDs default to this machine's own (linux-x64, linux-arm64, osx-arm64 or win-x64). NativeAOT links with the target's
# native toolchain and does not cross-compile between operating systems: linux-arm64 needs an arm64 machine (or clang
# with an arm64 sysroot), osx-arm64 a Mac (Xcode), win-x64 Windows (Visual Studio's C++ tools; run this script from
# Git Bash). .github/workflows/release.yml runs it on one runner of each. Each archive holds the binary and every
# native library it loads at run time (libgit2 for repositories, e_sqlite3 for org-scan state), no debug symbols:
#   keyguard-VERSION-RID.tar.gz   (Linux, macOS: keyguard, libgit2-*.so|.dylib, libe_sqlite3.so|.dylib)
#   keyguard-VERSION-win-x64.zip  (keyguard.exe, git2-*.dll, e_sqlite3.dll)
# each with ARCHIVE.sha256 ("HASH  NAME", as sha256sum -c reads it).
# Needs on Linux: clang and zlib1g-dev (apt-get install -y clang zlib1g-dev on Debian/Ubuntu).
# KEYGUARD_SKIP_SMOKE=1 builds without smoke-testing (the release workflow runs deploy/release-smoke.sh as a step of
# its own, so that a wrong guess of this machine's RID cannot skip it).
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
# path, it must be the native binary, not the framework-dependent build.
set -euo pipefail
cd "$(dirname "$0")/.."
. deploy/release-common.sh
OUT=${1:-artifacts/release}; shift || true
HOST=$(host_rid)
RIDS=("$@"); [ ${#RIDS[@]} -gt 0 ] || RIDS=("$HOST")
VERSION=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' Directory.Build.props | head -1)
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

FEED="$OUT/nupkg"
mkdir -p "$FEED"
TOOL_RIDS=${KEYGUARD_TOOL_RIDS:-$(IFS=';'; echo "${RIDS[*]}")}
# Quoted for MSBuild: in -p:NAME=a;b the ';' would start another property ("MSB1006: Property is not valid").
PACK=(dotnet pack src/KeyGuard.Cli -c Release "-p:KeyGuardToolRids=\"$TOOL_RIDS\"" -o "$FEED")
LOG=$(mktemp)
echo "release: tool packages for $TOOL_RIDS (+ any)"
"${PACK[@]}" >"$LOG" 2>&1 || { tail -20 "$LOG"; echo "release: tool pointer package failed" >&2; exit 1; }
"${PACK[@]}" -r any >"$LOG" 2>&1 || { tail -20 "$LOG"; echo "release: framework-dependent tool package failed" >&2; exit 1; }

for RID in "${RIDS[@]}"; do
  NAME="keyguard-$VERSION-$RID"
  ARCHIVE="$OUT/$NAME.$(archive_ext "$RID")"
  EXE=$(exe_name "$RID")
  STAGE=$(mktemp -d)
  echo "release: building $NAME"
  # One NativeAOT compile serves both: the RID's tool package, and the archive made from the same publish folder.
  PUBLISH=src/KeyGuard.Cli/bin/Release/net10.0/$RID/publish
  rm -rf "$PUBLISH"
  "${PACK[@]}" -r "$RID" >"$STAGE/publish.log" 2>&1 \
    || { tail -20 "$STAGE/publish.log"; echo "release: $RID: publish failed" >&2; exit 1; }
  mkdir -p "$STAGE/$NAME"
  cp "$PUBLISH/$EXE" "$STAGE/$NAME/"
  # The native libraries by name (not the whole folder), so nothing else that a publish leaves there is shipped.
  for lib in "$PUBLISH"/*.so "$PUBLISH"/*.dylib "$PUBLISH"/*.dll; do
    if [ -e "$lib" ]; then cp "$lib" "$STAGE/$NAME/"; fi
  done
  for lib in git2 e_sqlite3; do
    [ -n "$(ls "$STAGE/$NAME" | grep "$lib")" ] || { echo "release: $RID: no $lib library in $PUBLISH" >&2; exit 1; }
  done
  cp LICENSE "$STAGE/$NAME/" 2>/dev/null || true
  printf 'KeyGuard %s for %s. Keep the libraries (git2, e_sqlite3) next to %s. Docs: docs/install.md in the source.\n' \
    "$VERSION" "$RID" "$EXE" > "$STAGE/$NAME/README.txt"
  rm -f "$ARCHIVE"
  pack_archive "$ARCHIVE" "$STAGE" "$NAME"
  (cd "$OUT" && sha256_file "$(basename "$ARCHIVE")" > "$(basename "$ARCHIVE").sha256")
  rm -rf "$STAGE"
  echo "release: $ARCHIVE ($(du -h "$ARCHIVE" | cut -f1)), $FEED/KeyGuard.$RID.$VERSION.nupkg"
  if [ "${KEYGUARD_SKIP_SMOKE:-0}" = 1 ]; then
    echo "release: $RID: smoke test left to the caller (KEYGUARD_SKIP_SMOKE=1)"
  elif [ "$RID" = "$HOST" ]; then
    bash deploy/release-smoke.sh "$ARCHIVE"
    bash deploy/release-smoke.sh --tool "$FEED" "$VERSION"
  else
    echo "release: $RID: not smoke-tested (not this machine's platform, $HOST)"
  fi
done
rm -f "$LOG"
