#!/usr/bin/env bash
# Install askseeds (CPU torch first) and start the web chat on seeds/ at http://127.0.0.1:7860.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/venv.sh
"$PY" -m pip install -q torch==2.13.0
"$PY" -m pip install -q -e .
export HF_HUB_OFFLINE=1 HF_HUB_DISABLE_TELEMETRY=1 GRADIO_ANALYTICS_ENABLED=False
exec "$PY" app.py "$@"
