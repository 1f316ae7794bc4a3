#!/usr/bin/env bash
# The development loop: trunk serve on http://127.0.0.1:8080, rebuilding on every change.
set -euo pipefail
source "$(dirname "$0")/env.sh"
exec trunk serve --offline
