#!/usr/bin/env bash
# Smoke test of one release archive: checksum, no debug symbols inside, extract into an empty folder, and run the
# binary from there with nothing else on PATH that could stand in for it: --version, a scan that must find a generated
# key (exit 1), a history sweep, and an org-scan (which loads e_sqlite3: an archive missing it fails here).
# With --tool FEED [VERSION]: installs the KeyGuard tool from that local feed into an empty tool path instead (as a
# user would with dotnet tool install --add-source), checks that the feed's packages carry no debug symbols and that
# on this machine's RID the installed `keyguard` is the NativeAOT binary (an ELF, Mach-O or PE executable from the
# KeyGuard.RID package, with no keyguard.dll: not the framework-dependent build), and runs the same checks with it.
# VERSION defaults to Directory.Build.props's.
# Runs on Linux, macOS (bash 3.2) and Git Bash on Windows: the release workflow runs it on each platform's runner.
# Usage: deploy/release-smoke.sh ARCHIVE.tar.gz|ARCHIVE.zip | --tool FEED [VERSION]
# Prints "release-smoke: ok" and exits 0, or says what failed.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/deploy/release-common.sh"
fail() { echo "release-smoke: FAILED: $*" >&2; exit 1; }
HOST=$(host_rid)
EXE=$(exe_name "$HOST")
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
SYMBOLS='\.(pdb|dbg)$|\.dSYM(/|$)'
# no_symbols ARCHIVE: fails when the archive or package holds debug symbols. The listing is taken first, so that an
# archive that cannot be listed fails here instead of passing as "no match".
no_symbols() {
  local list found
  list=$(archive_list "$1") || fail "cannot list $1"
  [ -n "$list" ] || fail "$1 is empty"
  found=$(printf '%s\n' "$list" | grep -E "$SYMBOLS" || true)
  [ -z "$found" ] || fail "$(basename "$1") ships debug symbols: $(echo "$found" | tr '\n' ' ')"
}
if [ "${1:-}" = "--tool" ]; then
  FEED=$(cd "$2" && pwd)
  VERSION=${3:-$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' "$ROOT/Directory.Build.props" | head -1)}
  WHAT="tool package $VERSION from $FEED"
  for pkg in "$FEED"/KeyGuard*."$VERSION".nupkg; do
    [ -e "$pkg" ] || fail "no KeyGuard $VERSION packages in $FEED"
    no_symbols "$pkg"
  done
  # A private package folder: a KeyGuard of the same version cached by an earlier install must not stand in.
  NUGET_PACKAGES=$(native_path "$T/nuget-packages") dotnet tool install --tool-path "$T/tools" --add-source "$FEED" --version "$VERSION" KeyGuard \
    > "$T/install.log" 2>&1 || { cat "$T/install.log" >&2; fail "dotnet tool install"; }
  KG="$T/tools/$EXE"
  [ -x "$KG" ] || { ls -la "$T/tools" >&2; fail "no $EXE command after dotnet tool install"; }
  # The binary in the tool store, whatever form the command itself takes (a symlink on Unix, a shim on Windows).
  REAL=$(find "$T/tools/.store" -type f -name "$EXE" -path "*keyguard.$HOST*" | head -1)
  [ -n "$REAL" ] || { find "$T/tools/.store" -name 'keyguard*' >&2; fail "no $EXE from the KeyGuard.$HOST package: the framework-dependent fallback was installed"; }
  case "$HOST" in
    linux-*) magic=7f454c46 ;;   # ELF
    osx-*) magic=cffaedfe ;;     # 64-bit Mach-O
    win-*) magic=4d5a ;;         # PE ("MZ")
    *) fail "unknown platform $HOST" ;;
  esac
  head=$(head -c 4 "$REAL" | od -An -tx1 | tr -d ' \n')
  case "$head" in "$magic"*) ;; *) fail "installed $REAL is not a native executable for $HOST (starts $head)" ;; esac
  if [ -n "$(find "$T/tools/.store" -name keyguard.dll)" ]; then fail "the tool store holds keyguard.dll (framework-dependent build)"; fi
  [ -z "$(find "$T/tools/.store" | grep -E "$SYMBOLS" || true)" ] || fail "the installed tool carries debug symbols"
  echo "release-smoke: installed keyguard is native: ${REAL#"$T"/tools/}"
else
  ARCHIVE=$(cd "$(dirname "$1")" && pwd)/$(basename "$1"); WHAT=$(basename "$ARCHIVE")
  (cd "$(dirname "$ARCHIVE")" && sha256_check "$(basename "$ARCHIVE").sha256" >/dev/null) || fail "checksum"
  no_symbols "$ARCHIVE"
  unpack_archive "$ARCHIVE" "$T"
  KG=$(ls -d "$T"/keyguard-*/)$EXE
  [ -x "$KG" ] || fail "no executable $EXE in the archive"
fi
export HOME GIT_CONFIG_NOSYSTEM=1 AWS_EC2_METADATA_DISABLED=true NO_COLOR=1
HOME=$(native_path "$T/home"); mkdir -p "$HOME"
git config --global user.name smoke; git config --global user.email smoke@example.invalid; git config --global init.defaultBranch main
"$KG" --version | grep -Eq '^[0-9]+\.[0-9]+\.[0-9]+' || fail "--version"
# A key generated here (random: 16 base32 characters after AKIA, a 40-character secret), never a committed literal.
# tr -dc over a fixed amount of random bytes, cut to length: portable (no base32 on macOS), and no SIGPIPE under pipefail.
body=$(head -c 1000 /dev/urandom | LC_ALL=C tr -dc 'A-Z2-7' | cut -c1-16)
secret=$(head -c 1000 /dev/urandom | LC_ALL=C tr -dc 'A-Za-z0-9' | cut -c1-40)
[ ${#body} -eq 16 ] && [ ${#secret} -eq 40 ] || fail "could not generate a test key"
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
