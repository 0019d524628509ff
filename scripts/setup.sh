#!/usr/bin/env bash
# Installs whatever this machine lacks to build, serve and test Crosstalk, and
# skips what is already there (a re-run on a ready machine takes seconds):
#   - the wasm32-unknown-unknown target (and clippy / rustfmt)
#   - trunk 0.21.14                      (cargo install, ~10 min the first time)
#   - wasm-bindgen-cli = Cargo.lock's wasm-bindgen (cargo install, a few min)
#   - binaryen (wasm-opt), terser (glue minifier) + playwright-core from
#     package-lock.json (npm ci)
#   - Debian's chromium + chromium-driver for the browser tests (apt-get)
#   - SimPy in a venv under .tools/ for `crosstalk bench` (pip, ~15 s; optional)
# Needs: rustup/cargo, node/npm, and root or sudo for apt-get.
set -euo pipefail
# shellcheck source=scripts/env.sh
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$CROSSTALK_ROOT"

TRUNK_VERSION=0.21.14
WASM_OPT_VERSION=132

installed=()
skipped=()
say() { printf '[setup] %s\n' "$*"; }
die() { printf '[setup] ERROR: %s\n' "$*" >&2; exit 1; }
skip() { say "ok (skip): ${*:2}"; skipped+=("$1"); }
doing() { say "installing: ${*:2}"; installed+=("$1"); }

for tool in rustup cargo node npm; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is not on PATH (need Rust via rustup, Node 20 + npm)"
done

# --- Rust: wasm target, clippy, rustfmt ------------------------------------
if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  skip wasm32-target "rust target wasm32-unknown-unknown"
else
  doing wasm32-target "rust target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

missing_components=()
cargo clippy --version >/dev/null 2>&1 || missing_components+=(clippy)
cargo fmt --version >/dev/null 2>&1 || missing_components+=(rustfmt)
if [ ${#missing_components[@]} -eq 0 ]; then
  skip clippy+rustfmt "clippy and rustfmt"
else
  doing "${missing_components[*]}" "rustup components ${missing_components[*]}"
  rustup component add "${missing_components[@]}"
fi

# --- trunk -------------------------------------------------------------------
have_trunk="$(trunk --version 2>/dev/null | awk '{print $2}' || true)"
if [ "$have_trunk" = "$TRUNK_VERSION" ]; then
  skip trunk "trunk $TRUNK_VERSION"
else
  # Plain `cargo install trunk` picks a newer trunk that needs a newer rustc.
  doing trunk "trunk $TRUNK_VERSION (was: ${have_trunk:-none}; takes ~10-12 min)"
  cargo install trunk --version "$TRUNK_VERSION" --locked --force
fi

# --- wasm-bindgen-cli: must equal the wasm-bindgen crate in Cargo.lock -------
want_wbg="$(awk '$0 == "name = \"wasm-bindgen\"" { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)"
want_wbg="${want_wbg:-0.2.130}"
have_wbg="$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)"
if [ "$have_wbg" = "$want_wbg" ]; then
  skip wasm-bindgen-cli "wasm-bindgen-cli $want_wbg"
else
  # No --locked: the CLI's own lock file names a crate version the registry lacks.
  doing wasm-bindgen-cli "wasm-bindgen-cli $want_wbg (was: ${have_wbg:-none}; takes ~6 min)"
  cargo install wasm-bindgen-cli --version "$want_wbg" --force
fi

# --- npm: binaryen (wasm-opt), terser and playwright-core, exactly as locked -
# shellcheck disable=SC2016 # JS template literal, not shell
npm_ok="$(node -e '
  const fs = require("fs");
  const want = JSON.parse(fs.readFileSync("package.json", "utf8")).devDependencies || {};
  let ok = true;
  for (const [name, version] of Object.entries(want)) {
    try {
      const got = JSON.parse(fs.readFileSync(`node_modules/${name}/package.json`, "utf8")).version;
      if (got !== version) ok = false;
    } catch { ok = false; }
  }
  process.stdout.write(ok ? "yes" : "no");
')"
if [ "$npm_ok" = yes ]; then
  skip npm-packages "npm packages (binaryen, terser, playwright-core) in node_modules"
else
  doing npm-packages "npm packages from package-lock.json (npm ci)"
  npm ci --no-audit --no-fund
fi
have_wasm_opt="$(wasm-opt --version 2>/dev/null || true)"
case "$have_wasm_opt" in
  *"version $WASM_OPT_VERSION"*) ;;
  *) die "wasm-opt on PATH is '$(command -v wasm-opt || echo none)' ($have_wasm_opt), want binaryen $WASM_OPT_VERSION from node_modules" ;;
esac

# --- chromium + chromedriver (Debian) for the browser tests ------------------
if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
  skip chromium "chromium + chromium-driver ($(/usr/bin/chromium --version 2>/dev/null || echo '?'))"
else
  doing chromium "chromium + chromium-driver (apt-get)"
  SUDO=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || die "not root and no sudo: install chromium and chromium-driver by hand"
    SUDO=(sudo)
  fi
  "${SUDO[@]}" apt-get update
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium chromium-driver
fi

# --- SimPy for the bench's side-by-side M/M/1 (optional: only warns) --------
# shellcheck source=scripts/simpy.sh
. "$CROSSTALK_ROOT/scripts/simpy.sh"
if simpy_ready; then
  skip simpy "simpy $SIMPY_VERSION in $SIMPY_VENV"
else
  doing simpy "simpy $SIMPY_VERSION into $SIMPY_VENV (python3 -m venv + pip, ~15 s)"
  install_simpy || true
fi

say "tools: $(trunk --version), $(wasm-bindgen --version), $(wasm-opt --version), node $(node --version)"
say "installed: ${installed[*]:-nothing}"
say "already present: ${skipped[*]:-nothing}"
