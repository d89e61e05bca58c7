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
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-artifacts/release}; shift || true
case "$(uname -m)" in x86_64) HOST=linux-x64 ;; aarch64) HOST=linux-arm64 ;; *) HOST=unknown ;; esac
RIDS=("$@"); [ ${#RIDS[@]} -gt 0 ] || RIDS=("$HOST")
VERSION=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' Directory.Build.props | head -1)
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

for RID in "${RIDS[@]}"; do
  NAME="keyguard-$VERSION-$RID"
  STAGE=$(mktemp -d)
  echo "release: building $NAME"
  dotnet publish src/KeyGuard.Cli -c Release -r "$RID" -p:PublishAot=true -o "$STAGE/publish" >"$STAGE/publish.log" 2>&1 \
    || { tail -20 "$STAGE/publish.log"; echo "release: $RID: publish failed" >&2; exit 1; }
  mkdir -p "$STAGE/$NAME"
  cp "$STAGE/publish/keyguard" "$STAGE/$NAME/"
  cp "$STAGE"/publish/*.so "$STAGE/$NAME/" 2>/dev/null || true
  cp LICENSE "$STAGE/$NAME/" 2>/dev/null || true
  printf 'KeyGuard %s for %s. Keep the .so files next to keyguard. Docs: docs/install.md in the source.\n' "$VERSION" "$RID" > "$STAGE/$NAME/README.txt"
  tar -C "$STAGE" -czf "$OUT/$NAME.tar.gz" "$NAME"
  (cd "$OUT" && sha256sum "$NAME.tar.gz" > "$NAME.tar.gz.sha256")
  rm -rf "$STAGE"
  echo "release: $OUT/$NAME.tar.gz ($(du -h "$OUT/$NAME.tar.gz" | cut -f1))"
  if [ "$RID" = "$HOST" ]; then bash deploy/release-smoke.sh "$OUT/$NAME.tar.gz"; else echo "release: $RID: not smoke-tested (not this machine's platform)"; fi
done
