#!/usr/bin/env bash
# Sets up everything Fanloop needs in this checkout: .venv/, Python packages, browser
# packages for the UI. Safe to run again: each step is skipped when nothing changed.
#   scripts/setup.sh          run-time set-up (make run)
#   scripts/setup.sh dev      plus test and lint tools and Chromium for browser tests (make test)
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-runtime}"

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }
die() { printf '\033[31m[setup] %s\033[0m\n' "$*" >&2; exit 1; }

python_ok() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; }

find_python() {
  local candidate
  for candidate in ${PYTHON:-} python3 python3.13 python3.12 python3.14 python; do
    if command -v "$candidate" >/dev/null 2>&1 && python_ok "$candidate"; then
      command -v "$candidate"; return 0
    fi
  done
  return 1
}

if [ ! -x .venv/bin/python ] || ! python_ok .venv/bin/python; then
  python=$(find_python) || die "Fanloop needs Python 3.12 or newer, and none was found on PATH.
Install one (Debian/Ubuntu: 'apt install python3.12 python3.12-venv'; pyenv: 'pyenv install 3.13';
or python.org), or point PYTHON=/path/to/python3.12 at it, then run this command again."
  say "creating .venv with $python ($("$python" --version))"
  rm -rf .venv
  "$python" -m venv .venv || die "could not create .venv; on Debian/Ubuntu install the pythonX.Y-venv package"
fi

stamp_of() { cat "$@" | sha256sum | cut -c1-16; }

extras=""
[ "$mode" = dev ] && extras="[dev]"
want="$(stamp_of pyproject.toml)-$mode"
if [ "$(cat .venv/.fanloop-python 2>/dev/null)" != "$want" ] && \
   ! { [ "$mode" = runtime ] && [ "$(cat .venv/.fanloop-python 2>/dev/null)" = "$(stamp_of pyproject.toml)-dev" ]; }; then
  say "installing Python packages${extras:+ (with test tools)}"
  .venv/bin/python -m pip install --quiet --upgrade pip >/dev/null
  .venv/bin/python -m pip install --quiet -e ".$extras"
  echo "$want" > .venv/.fanloop-python
fi

want="$(stamp_of frontend/package.json frontend/package-lock.json)"
if [ ! -d frontend/node_modules ] || [ "$(cat frontend/node_modules/.fanloop-stamp 2>/dev/null)" != "$want" ]; then
  command -v npm >/dev/null 2>&1 || die "Fanloop needs npm (Node.js) to fetch its browser packages
(htmx, ECharts, Bootstrap) from the npm registry. Install it ('apt install npm' or nodejs.org)
and run this command again."
  say "installing browser packages (htmx, ECharts, Bootstrap) with npm"
  (cd frontend && npm ci --no-audit --no-fund --loglevel=error)
  echo "$want" > frontend/node_modules/.fanloop-stamp
fi

if [ "$mode" = dev ]; then
  chromium="${FANLOOP_CHROMIUM:-/usr/bin/chromium}"
  if [ ! -x "$chromium" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      say "installing Debian's chromium for the browser tests"
      apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    else
      say "no Chromium at $chromium: browser tests will be skipped (install Debian's 'chromium' package)"
    fi
  fi
fi
say "ready"
