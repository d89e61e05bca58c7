#!/usr/bin/env bash
# Smoke test of one release archive: checksum, extract into an empty folder, and run the binary from there with
# nothing else on PATH that could stand in for it: --version, a scan that must find a generated key (exit 1), a
# history sweep, and an org-scan (which loads e_sqlite3: an archive missing it fails here).
# With --tool FEED VERSION: installs the KeyGuard tool from that local feed into an empty tool path instead (as a user
# would with dotnet tool install --add-source), checks that on this machine's RID the installed `keyguard` is the
# NativeAOT binary (an ELF executable, not the framework-dependent shim), and runs the same checks with it.
# Usage: deploy/release-smoke.sh ARCHIVE.tar.gz | --tool FEED VERSION
# Prints "release-smoke: ok" and exits 0, or says what failed.
set -euo pipefail
fail() { echo "release-smoke: FAILED: $*" >&2; exit 1; }
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
if [ "${1:-}" = "--tool" ]; then
  FEED=$(cd "$2" && pwd); VERSION=$3; WHAT="tool package $VERSION from $FEED"
  # A private package folder: a KeyGuard of the same version cached by an earlier install must not stand in.
  NUGET_PACKAGES="$T/nuget-packages" dotnet tool install --tool-path "$T/tools" --add-source "$FEED" --version "$VERSION" KeyGuard \
    > "$T/install.log" 2>&1 || { cat "$T/install.log" >&2; fail "dotnet tool install"; }
  KG="$T/tools/keyguard"
  [ -x "$KG" ] || fail "no keyguard command after dotnet tool install"
  REAL=$(readlink -f "$KG")
  [ "$(head -c 4 "$REAL" | od -An -tx1 | tr -d ' \n')" = "7f454c46" ] || fail "installed keyguard ($REAL) is not an ELF executable"
  case "$REAL" in *.dll) fail "installed keyguard is the framework-dependent package" ;; esac
  [ -f "$(dirname "$REAL")/keyguard.dll" ] && fail "the native package holds keyguard.dll (framework-dependent build)"
  echo "release-smoke: installed keyguard is native: ${REAL#"$T"/tools/}"
else
  ARCHIVE=$(cd "$(dirname "$1")" && pwd)/$(basename "$1"); WHAT=$(basename "$ARCHIVE")
  (cd "$(dirname "$ARCHIVE")" && sha256sum -c "$(basename "$ARCHIVE").sha256" >/dev/null) || fail "checksum"
  tar -C "$T" -xzf "$ARCHIVE"
  KG=$(ls -d "$T"/keyguard-*/)keyguard
  [ -x "$KG" ] || fail "no executable keyguard in the archive"
fi
export HOME="$T/home" GIT_CONFIG_NOSYSTEM=1 AWS_EC2_METADATA_DISABLED=true NO_COLOR=1; mkdir -p "$HOME"
git config --global user.name smoke; git config --global user.email smoke@example.invalid; git config --global init.defaultBranch main
"$KG" --version | grep -Eq '^[0-9]+\.[0-9]+\.[0-9]+' || fail "--version"
# A key generated here (random base32 body), never a committed literal.
body=$(head -c 64 /dev/urandom | base32 | tr -d '=\n' | tr '0189' 'ABCD' | head -c 16)
secret=$(head -c 64 /dev/urandom | base64 | tr -d '=\n+/' | head -c 40)
mkdir -p "$T/repos/repo" && cd "$T/repos/repo" && git init -q .
printf 'aws_access_key_id = AKIA%s\naws_secret_access_key = %s\n' "$body" "$secret" > creds.env
set +e
"$KG" scan . --no-progress -f json -o "$T/scan.json"; rc=$?
set -e
[ $rc -eq 1 ] || fail "scan exit $rc (expected 1: findings)"
grep -q "AKIA$body" "$T/scan.json" || fail "scan did not report the generated key"
grep -q "$secret" "$T/scan.json" && fail "scan printed the secret in full"
git add creds.env && git commit -qm key
set +e
"$KG" scan --history . --no-progress > /dev/null 2>&1; rc=$?
"$KG" org-scan --dir "$T/repos" --cache "$T/cache" --no-progress > /dev/null 2>"$T/org.err"; orc=$?
set -e
[ $rc -eq 1 ] || fail "history sweep exit $rc (expected 1)"
[ $orc -eq 1 ] || { cat "$T/org.err" >&2; fail "org-scan exit $orc (expected 1; a missing native library shows here)"; }
echo "release-smoke: ok ($WHAT)"
