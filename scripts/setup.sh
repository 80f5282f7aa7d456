#!/usr/bin/env bash
# Install Jingzhun into .venv. `setup.sh demo` installs the app; `setup.sh test` adds test tools
# and the browser (Debian chromium) and CJK fonts when apt is available.
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-demo}"

PYTHON="${PYTHON:-python3}"
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
. .venv/bin/activate
python -m pip install -q --upgrade pip >/dev/null
if [ "$mode" = test ]; then
  python -m pip install -q -e '.[test,spark]'
  if ! command -v chromium >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 \
      && [ "$(id -u)" = 0 ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
      --no-install-recommends chromium fonts-noto-cjk) >/dev/null 2>&1 \
      || echo "note: could not install chromium; browser tests will be skipped"
  fi
else
  python -m pip install -q -e '.[postgres]'
fi
