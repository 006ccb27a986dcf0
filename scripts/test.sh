#!/usr/bin/env bash
# Set up and run the whole test suite, browser tests included (Debian's Chromium is installed
# here when missing; the tests start their own app servers and a real `chroma run` server).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "noto.*cjk"; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
  else
    echo "Chromium is missing: run 'sudo apt-get install chromium fonts-noto-cjk' for the browser tests" >&2
  fi
fi
. .venv/bin/activate
# With Chromium present the browser tests must run (never silently skipped).
if [ -x /usr/bin/chromium ]; then export QSL_REQUIRE_BROWSER=1; fi
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 ANONYMIZED_TELEMETRY=False
python -m pytest -q "$@"
