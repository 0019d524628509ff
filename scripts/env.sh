# shellcheck shell=bash
# Sourced by the other scripts: repo root, and PATH with the project's tools
# first (cargo-installed trunk / wasm-bindgen, and npm's binaryen wasm-opt,
# never Debian's binaryen, whose wasm-opt breaks the output).

CROSSTALK_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CROSSTALK_ROOT

_crosstalk_cargo_bin="${CARGO_HOME:-$HOME/.cargo}/bin"
case ":$PATH:" in
  "$CROSSTALK_ROOT/node_modules/binaryen/bin:$_crosstalk_cargo_bin:"*) ;;
  *) PATH="$CROSSTALK_ROOT/node_modules/binaryen/bin:$_crosstalk_cargo_bin:$PATH" ;;
esac
export PATH
unset _crosstalk_cargo_bin

# The browser the e2e tests drive (Debian's chromium, installed by setup.sh).
export CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}"
