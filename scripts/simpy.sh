# shellcheck shell=bash
# Sourced by setup.sh and bench.sh: SimPy for `crosstalk bench`'s side-by-side
# M/M/1, in its own venv under .tools/ (CROSSTALK_TOOLS overrides), so the
# system Python is left alone. `crosstalk bench` looks there first.

SIMPY_VERSION=4.1.2
SIMPY_VENV="${CROSSTALK_TOOLS:-$CROSSTALK_ROOT/.tools}/simpy"

# simpy_ready: the venv holds SimPy $SIMPY_VERSION.
simpy_ready() {
  "$SIMPY_VENV/bin/python3" -c "import simpy, sys; sys.exit(simpy.__version__ != '$SIMPY_VERSION')" 2>/dev/null
}

# install_simpy: creates the venv and installs SimPy (~15 s). A failure (no
# network, no python3-venv) only warns: the bench then says why it skipped SimPy.
install_simpy() {
  if python3 -m venv "$SIMPY_VENV" \
    && "$SIMPY_VENV/bin/python3" -m pip install --quiet --disable-pip-version-check "simpy==$SIMPY_VERSION"; then
    return 0
  fi
  printf 'WARNING: could not install SimPy into %s; `crosstalk bench` will skip the comparison\n' "$SIMPY_VENV" >&2
  return 1
}
