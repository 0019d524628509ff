#!/usr/bin/env bash
# The fuzz run (issue 12): hostile share links, scenario files and short
# simulations from tests/fuzz.rs, far more of them than `cargo test` tries.
#
#   scripts/fuzz.sh [INPUTS] [CHECKED_INPUTS]
#
# 1. INPUTS (default 1,000,000) in the release build, on every core;
# 2. CHECKED_INPUTS (default 50,000) in a build with overflow checks and
#    debug assertions (profile fuzz-checked), where arithmetic that would
#    wrap silently in a release build panics instead.
# Each pass prints the inputs tried, the panics and findings (saved under
# target/tmp/fuzz/ for replay), and the slowest input. Replay one input:
#   CROSSTALK_FUZZ_ONLY=N cargo test --release --test fuzz -- --nocapture
set -euo pipefail
# shellcheck source=scripts/env.sh
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$CROSSTALK_ROOT"

inputs="${1:-1000000}"
checked="${2:-50000}"
threads="$(nproc 2>/dev/null || echo 2)"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT

pass() {
  local name="$1" count="$2"; shift 2
  printf '\n==== fuzz, %s build: %s inputs ====\n' "$name" "$count"
  local status=0
  CROSSTALK_FUZZ_INPUTS="$count" CROSSTALK_FUZZ_THREADS="$threads" \
    cargo test "$@" --test fuzz -- --nocapture >"$log" 2>&1 || status=$?
  grep -E '^fuzz:' "$log" || true
  if [ "$status" -ne 0 ]; then
    # The assertion lists each panic and finding with its saved input.
    sed -n '/panicked at tests\/fuzz.rs/,/^$/p' "$log" | head -60
    grep -E '^error' "$log" | head -5 || true
    printf 'FAILED: the %s pass (exit %s)\n' "$name" "$status"
    return "$status"
  fi
}

pass release "$inputs" --release
pass overflow-checked "$checked" --profile fuzz-checked
printf '\nfuzz: all passes clean\n'
