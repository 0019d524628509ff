#!/usr/bin/env bash
# THE test command: installs what is missing (scripts/setup.sh), then runs every
# check in order and stops at the first failure with a banner naming the step.
#   fmt, clippy (native + wasm app), cargo test --release, release build of the
#   runner, Trunk release build into dist/, browser tests (tests/e2e/run.mjs).
set -euo pipefail
# shellcheck source=scripts/env.sh
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$CROSSTALK_ROOT"

summary=()
total_start=$SECONDS

banner() { printf '\n==== %s ====\n' "$*"; }

# step NAME COMMAND...: runs COMMAND, times it, and on failure stops everything.
step() {
  local name="$1"; shift
  local start=$SECONDS status=0
  banner "$name: $*"
  "$@" || status=$?
  local took=$((SECONDS - start))
  if [ "$status" -ne 0 ]; then
    printf '\n' >&2
    printf '########################################################\n' >&2
    printf '## FAILED: %s (exit %s, after %ss)\n' "$name" "$status" "$took" >&2
    printf '## command: %s\n' "$*" >&2
    printf '########################################################\n' >&2
    exit "$status"
  fi
  summary+=("$(printf '%-10s %5ss' "$name" "$took")")
  printf -- '---- %s passed in %ss\n' "$name" "$took"
}

e2e() {
  if [ -f tests/e2e/run.mjs ]; then
    node tests/e2e/run.mjs
  else
    echo "note: tests/e2e/run.mjs does not exist yet; skipping the browser tests"
  fi
}

step setup      bash scripts/setup.sh
step fmt        cargo fmt --check
step clippy     cargo clippy --all-targets -- -D warnings
step clippy-ui  cargo clippy --features ui --target wasm32-unknown-unknown --bin crosstalk-app -- -D warnings
step test       cargo test --release
step runner     cargo build --release --bin crosstalk
step trunk      trunk build --release --offline
step e2e        e2e

banner "all steps passed in $((SECONDS - total_start))s"
printf '  %s\n' "${summary[@]}"
