#!/usr/bin/env bash
# Sets Shire up in this checkout: the virtual environment at .venv/ with exactly the
# packages in requirements.lock and `shire` itself, the npm packages in package-lock.json,
# and the compiled front-end files under shire/core/static/shire/.
#
#   bash scripts/setup.sh          what running Shire needs
#   bash scripts/setup.sh --test   also what the tests need: Debian's Chromium
#
# Safe to run again: steps whose inputs have not changed since the last run are skipped.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$(pwd)"
VENV="$ROOT/.venv"

WITH_TEST=0
for arg in "$@"; do
  case "$arg" in
    --test) WITH_TEST=1 ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "setup: unknown option $arg (try --help)" >&2; exit 2 ;;
  esac
done

say() { echo "setup: $*"; }
die() { echo "setup: error: $*" >&2; exit 1; }

# Fingerprint of some files (and any extra words), to tell whether a step must run again.
fingerprint() { { cat "$@"; echo "${EXTRA_FINGERPRINT:-}"; } | sha256sum | cut -d' ' -f1; }

# ---------------------------------------------------------------- system packages (Debian)
as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else die "need root to run: $* (install sudo or run as root)"; fi
}

APT_UPDATED=0
apt_install() {
  command -v apt-get >/dev/null || die "these packages are missing and this is not a Debian system: $*"
  if [ "$APT_UPDATED" = 0 ]; then
    say "apt-get update"
    as_root apt-get update -qq
    APT_UPDATED=1
  fi
  say "apt-get install $*"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"
}

# WeasyPrint (PDF reports) loads these C libraries at run time: soname -> Debian package.
missing=()
while read -r soname package; do
  ldconfig -p 2>/dev/null | grep -q "$soname" || missing+=("$package")
done <<'EOF'
libgobject-2.0.so.0 libglib2.0-0
libpango-1.0.so.0 libpango-1.0-0
libpangoft2-1.0.so.0 libpangoft2-1.0-0
libharfbuzz.so.0 libharfbuzz0b
libfontconfig.so.1 libfontconfig1
EOF
# ...and at least one font to set text in.
if ! command -v fc-list >/dev/null || [ -z "$(fc-list 2>/dev/null | head -n1)" ]; then
  missing+=(fonts-dejavu-core)
fi
if [ "$WITH_TEST" = 1 ] && [ ! -x /usr/bin/chromium ]; then
  # Debian's Chromium: Playwright drives it; Playwright's own browser downloads can't be used.
  missing+=(chromium fonts-liberation)
fi
if [ ${#missing[@]} -gt 0 ]; then
  apt_install "${missing[@]}"
fi
if [ "$WITH_TEST" = 1 ]; then
  [ -x /usr/bin/chromium ] || die "/usr/bin/chromium is still missing after installing Debian's chromium package"
fi

# ---------------------------------------------------------------- Python >= 3.12
python_ok() {  # prints the path of a working Python >= 3.12, or fails
  "$1" -c 'import sys; assert sys.version_info >= (3, 12); print(sys.executable)' 2>/dev/null
}

find_python() {
  local candidate
  for candidate in python3.12 python3.13 python3.14 python3; do
    command -v "$candidate" >/dev/null 2>&1 && python_ok "$candidate" && return 0
  done
  # pyenv installs that are not on PATH (pyenv's shims refuse versions it hasn't selected).
  for candidate in $(ls -d /root/.pyenv/versions/3.1[2-9]* "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.1[2-9]* 2>/dev/null | sort -V); do
    [ -x "$candidate/bin/python3" ] && python_ok "$candidate/bin/python3" && return 0
  done
  return 1
}

if [ -x "$VENV/bin/python" ] && ! python_ok "$VENV/bin/python" >/dev/null; then
  say ".venv has $("$VENV/bin/python" --version 2>&1); Django 6.1 needs Python 3.12 or newer: making it again"
  rm -rf "$VENV"
fi
if [ ! -x "$VENV/bin/python" ]; then
  PYTHON="$(find_python)" || die "Shire needs Python 3.12 or newer (Django 6.1 does). None was found:
  tried python3.12, python3.13, python3.14 and python3 on PATH, and ~/.pyenv/versions/3.12* and newer.
  Install one (for example 'pyenv install 3.12') and run this again."
  say "making .venv with $("$PYTHON" --version) ($PYTHON)"
  "$PYTHON" -m venv "$VENV"
fi

# ---------------------------------------------------------------- Python packages
UV_VERSION=0.13.9
STAMP="$VENV/.shire-setup"
EXTRA_FINGERPRINT="$("$VENV/bin/python" --version 2>&1) uv=$UV_VERSION"
want="$(fingerprint requirements.lock pyproject.toml)"
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ] && [ -x "$VENV/bin/shire" ] \
   && "$VENV/bin/python" -c 'import shire, django' 2>/dev/null; then
  say "Python packages up to date"
else
  if [ "$("$VENV/bin/uv" --version 2>/dev/null | cut -d' ' -f2)" != "$UV_VERSION" ]; then
    say "installing uv $UV_VERSION"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "uv==$UV_VERSION"
  fi
  say "installing requirements.lock exactly (uv pip sync)"
  # Compiled now, so that no command pays for compiling polars and Django's sources at start-up.
  "$VENV/bin/uv" pip sync --quiet --compile-bytecode --python "$VENV/bin/python" requirements.lock
  "$VENV/bin/uv" pip install --quiet --python "$VENV/bin/python" --no-deps -e .
  echo "$want" > "$STAMP"
fi
unset EXTRA_FINGERPRINT

# ---------------------------------------------------------------- npm packages and assets
command -v npm >/dev/null || die "npm is missing: install Node.js 20.19 or newer with npm"
NPM_STAMP="node_modules/.shire-setup"
want="$(EXTRA_FINGERPRINT="$(node --version)" fingerprint package-lock.json)"
if [ -f "$NPM_STAMP" ] && [ "$(cat "$NPM_STAMP")" = "$want" ]; then
  say "npm packages up to date"
else
  say "npm ci"
  # Sass's optional file watcher (a native add-on) is not needed to build once.
  npm ci --omit=optional --no-audit --no-fund --loglevel=error
  echo "$want" > "$NPM_STAMP"
fi
say "npm run build"
npm run --silent build

say "done$([ "$WITH_TEST" = 1 ] && echo ' (with test tools)')"
