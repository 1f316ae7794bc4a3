#!/usr/bin/env bash
# Size and speed, as numbers, side by side with the React peer (bench/peer): the release bundle's
# bytes per file, then one table (transfer size, time to Link ready on loopback and under a mobile
# profile, onSuccess → exchange request, memory over mount/unmount cycles), then a bounded load test
# of the reference backend on loopback (e2e/load.js). Run through `make bench`.
set -euo pipefail
source "$(dirname "$0")/env.sh"

trunk build --release --offline >/dev/null 2>&1 || trunk build --release --offline
printf '\n%-32s %10s %10s\n' "release bundle (dist/)" "raw B" "gzip -9 B"
total_raw=0; total_gz=0
for f in dist/plaid-link-leptos_bg.wasm dist/plaid-link-leptos.js dist/plaid-link.js dist/plaid-link-prefetch.js dist/plaid-link.css; do
  raw=$(stat -c%s "$f"); gz=$(gzip -9c "$f" | wc -c)
  total_raw=$((total_raw + raw)); total_gz=$((total_gz + gz))
  printf '%-32s %10d %10d\n' "${f#dist/}" "$raw" "$gz"
done
printf '%-32s %10d %10d\n' "total" "$total_raw" "$total_gz"

(cd bench/peer && npm ci --no-audit --no-fund --loglevel=error && node build.mjs)
cargo build -q -p plaid-link-backend --locked
(cd e2e && npm ci --no-audit --no-fund --loglevel=error)
(cd e2e && PLAID_LINK_DEV_BIN="$root/target/debug/plaid-link-dev" node bench.js)
(cd e2e && PLAID_LINK_DEV_BIN="$root/target/debug/plaid-link-dev" node load.js)
