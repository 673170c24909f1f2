#!/bin/sh
# Install the service into a virtual environment: the one command that `make setup`
# (so `make test` and CI) and the Dockerfile both use.
#   install.sh VENV [EXTRAS] [--editable]
#   make setup:  install.sh .venv dev,bench --editable
#   Dockerfile:  install.sh /opt/venv
set -eu
venv="$1"
extras="${2:-}"
editable="${3:-}"
spec="."
if [ -n "$extras" ]; then spec=".[$extras]"; fi
"${PYTHON:-python3}" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --upgrade pip
if [ "$editable" = "--editable" ]; then
  "$venv/bin/python" -m pip install --quiet -e "$spec"
else
  "$venv/bin/python" -m pip install --quiet --no-cache-dir "$spec"
fi
