#!/usr/bin/env bash
# Install askseeds with its test extras (CPU torch first, so nothing pulls CUDA builds) and run the suite.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/venv.sh
"$PY" -m pip install -q torch==2.13.0
"$PY" -m pip install -q -e ".[dev]"
# The browser tests drive Debian's chromium (Playwright cannot download its own here); OCR
# (scanned PDFs, pictures of text) runs Debian's tesseract and poppler's pdftoppm.
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v tesseract >/dev/null 2>&1 || need+=(tesseract-ocr tesseract-ocr-eng)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian ${need[*]} for the browser and OCR tests"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}") >/dev/null
  else
    echo "missing ${need[*]}: the browser and OCR tests will fail; install them with: sudo apt-get install -y ${need[*]}" >&2
  fi
fi
export HF_HUB_OFFLINE=1 HF_HUB_DISABLE_TELEMETRY=1 GRADIO_ANALYTICS_ENABLED=False NO_PROXY=127.0.0.1,localhost
"$PY" -m pytest -q "$@"
