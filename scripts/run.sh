#!/usr/bin/env bash
# Set up, build the index (first run only) and start the web app on the embedded defaults:
# chat UI at http://127.0.0.1:7860/ , help-desk console, widget, REST API under /api/v1.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
. .venv/bin/activate
python -m assistant index
exec python app.py "$@"
