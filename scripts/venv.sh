# Sourced by chat.sh and test.sh: sets $PY to a Python that may install packages.
# The active virtual environment if there is one, else ./.venv, made with `python3 -m venv` when
# missing (a system Python refuses pip installs under PEP 668, and `python` may not exist at all).
if [ -n "${VIRTUAL_ENV:-}" ] && [ -x "$VIRTUAL_ENV/bin/python" ]; then
  PY="$VIRTUAL_ENV/bin/python"
else
  if [ ! -x .venv/bin/python ]; then
    base=$(command -v python3 || command -v python || true)
    if [ -z "$base" ]; then
      echo "askseeds needs Python 3.10 or newer: apt-get install python3 python3-venv" >&2
      exit 1
    fi
    echo "creating .venv with $base"
    if ! "$base" -m venv .venv; then
      rm -rf .venv
      ver=$("$base" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
      echo "could not create a virtual environment: apt-get install python3-venv python${ver}-venv" >&2
      exit 1
    fi
  fi
  PY="$PWD/.venv/bin/python"
fi
"$PY" -c 'import sys; sys.exit(sys.version_info < (3, 10))' || {
  echo "askseeds needs Python 3.10 or newer; $PY is $("$PY" --version 2>&1)" >&2; exit 1; }
export PIP_DISABLE_PIP_VERSION_CHECK=1
