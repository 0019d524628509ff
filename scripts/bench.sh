#!/usr/bin/env bash
# Engine benchmark against SimPy: installs SimPy if missing, then runs
# `crosstalk bench`, which calls `python3 bench/simpy_mm1.py ...` for the
# same M/M/1 model and prints the events/s ratio. Extra arguments go to bench.
set -euo pipefail
# shellcheck source=scripts/env.sh
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$CROSSTALK_ROOT"

SIMPY_VERSION=4.1.2
if python3 -c 'import simpy' >/dev/null 2>&1; then
  echo "[bench] ok: simpy $(python3 -c 'import simpy; print(simpy.__version__)')"
else
  echo "[bench] installing: simpy $SIMPY_VERSION (pip)"
  python3 -m pip install --quiet "simpy==$SIMPY_VERSION"
fi

exec cargo run --release --bin crosstalk -- bench "$@"
