#!/usr/bin/env bash
# Set up and run the whole test suite, browser tests included (Debian's Chromium, PostgreSQL and
# Redis are installed here when missing; the tests start their own app servers, a real
# `chroma run` server and PostgreSQL and Redis servers on loopback).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
fc-list 2>/dev/null | grep -i "noto.*cjk" >/dev/null || missing+=(fonts-noto-cjk)  # no -q: an early exit would fail the pipe
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
command -v redis-server >/dev/null || missing+=(redis-server)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    # The packages' own services are not needed (the tests start their own servers on loopback).
    own_policy=0
    if [ ! -e /usr/sbin/policy-rc.d ]; then
      printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && own_policy=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    [ "$own_policy" = 1 ] && rm -f /usr/sbin/policy-rc.d
  else
    echo "Missing for the tests: run 'sudo apt-get install ${missing[*]}'" >&2
  fi
fi
. .venv/bin/activate
# With Chromium present the browser tests must run (never silently skipped).
if [ -x /usr/bin/chromium ]; then export QSL_REQUIRE_BROWSER=1; fi
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 ANONYMIZED_TELEMETRY=False
python -m pytest -q "$@"
