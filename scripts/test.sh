#!/usr/bin/env bash
# Install askseeds with its test extras (CPU torch first, so nothing pulls CUDA builds) and run the suite.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/venv.sh
"$PY" -m pip install -q torch==2.13.0
"$PY" -m pip install -q -e ".[dev]"
export HF_HUB_OFFLINE=1 HF_HUB_DISABLE_TELEMETRY=1 GRADIO_ANALYTICS_ENABLED=False NO_PROXY=127.0.0.1,localhost
"$PY" -m pytest -q "$@"
