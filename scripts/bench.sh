#!/usr/bin/env bash
# Engine benchmark against SimPy: installs SimPy into .tools/simpy if missing, then runs
# `crosstalk bench`, which calls `python3 bench/simpy_mm1.py ...` for the
# same M/M/1 model and prints the events/s ratio. Extra arguments go to bench.
set -euo pipefail
# shellcheck source=scripts/env.sh
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$CROSSTALK_ROOT"

# shellcheck source=scripts/simpy.sh
. "$CROSSTALK_ROOT/scripts/simpy.sh"
if simpy_ready; then
  echo "[bench] ok: simpy $SIMPY_VERSION in $SIMPY_VENV"
else
  echo "[bench] installing: simpy $SIMPY_VERSION into $SIMPY_VENV"
  install_simpy || true
fi

exec cargo run --release --bin crosstalk -- bench "$@"
