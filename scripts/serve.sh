#!/usr/bin/env bash
# Installs what is missing (scripts/setup.sh), then serves the app with live
# rebuilds at http://127.0.0.1:8080 (address and port come from Trunk.toml;
# reload the page by hand after a rebuild).
# Extra arguments go to `trunk serve` (e.g. --port 9000).
set -euo pipefail
# shellcheck source=scripts/env.sh
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$CROSSTALK_ROOT"

bash scripts/setup.sh
echo
echo "Serving Crosstalk: open http://127.0.0.1:8080 once the first build finishes (Ctrl-C stops)."
echo
exec trunk serve --release --offline "$@"
