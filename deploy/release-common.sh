# Helpers shared by release.sh and release-smoke.sh (sourced, not run). Written for bash 3.2 (macOS's /bin/bash) and
# Git Bash on Windows as well as Linux, since the release workflow runs both scripts on each platform's own runner.

# This machine's .NET runtime identifier: the one RID whose archive and native tool package can be smoke-tested here.
host_rid() {
  local os arch
  case "$(uname -s)" in
    Linux) os=linux ;;
    Darwin) os=osx ;;
    MINGW*|MSYS*|CYGWIN*) os=win ;;
    *) os=unknown ;;
  esac
  case "$(uname -m)" in
    x86_64|amd64) arch=x64 ;;
    aarch64|arm64) arch=arm64 ;;
    *) arch=unknown ;;
  esac
  echo "$os-$arch"
}

# Windows gets a .zip with keyguard.exe (what Windows users can open without extra tools); the others a .tar.gz
# (keeps the executable bit).
archive_ext() { case "$1" in win-*) echo zip ;; *) echo tar.gz ;; esac; }
exe_name() { case "$1" in win-*) echo keyguard.exe ;; *) echo keyguard ;; esac; }

# sha256sum's "HASH  NAME" format on every platform: macOS has only shasum.
sha256_file() { if command -v sha256sum >/dev/null 2>&1; then sha256sum "$@"; else shasum -a 256 "$@"; fi; }
sha256_check() { if command -v sha256sum >/dev/null 2>&1; then sha256sum -c "$@"; else shasum -a 256 -c "$@"; fi; }

# A path as Windows programs read it when it reaches them through an environment variable (Git Bash converts
# arguments, not every variable); unchanged elsewhere.
native_path() { if command -v cygpath >/dev/null 2>&1; then cygpath -m "$1"; else echo "$1"; fi; }

# pack_archive ARCHIVE DIR NAME: DIR/NAME into ARCHIVE (.zip or .tar.gz). GitHub's Windows runners have 7-Zip and
# no zip; Linux and macOS have zip.
pack_archive() {
  local archive=$1 dir=$2 name=$3
  case "$archive" in
    *.zip)
      if command -v 7z >/dev/null 2>&1; then (cd "$dir" && 7z a -tzip -bd -bso0 "$archive" "$name")
      elif command -v zip >/dev/null 2>&1; then (cd "$dir" && zip -qr "$archive" "$name")
      else echo "release: no 7z or zip to make $archive" >&2; return 1; fi ;;
    *) tar -C "$dir" -czf "$archive" "$name" ;;
  esac
}

# unpack_archive ARCHIVE DIR
unpack_archive() {
  local archive=$1 dir=$2
  case "$archive" in
    *.zip)
      if command -v 7z >/dev/null 2>&1; then 7z x -bd -bso0 "-o$(native_path "$dir")" "$archive"
      elif command -v unzip >/dev/null 2>&1; then unzip -q "$archive" -d "$dir"
      else echo "release: no 7z or unzip to open $archive" >&2; return 1; fi ;;
    *) tar -C "$dir" -xzf "$archive" ;;
  esac
}

# archive_list ARCHIVE: the paths inside, one a line (.zip, .nupkg, which is a zip, or .tar.gz).
archive_list() {
  case "$1" in
    *.zip|*.nupkg)
      if command -v unzip >/dev/null 2>&1; then unzip -Z1 "$1"
      else 7z l -ba -slt "$1" | sed -n 's/^Path = //p'; fi ;;
    *) tar -tzf "$1" ;;
  esac
}
