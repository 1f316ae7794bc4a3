#!/usr/bin/env bash
# Size and speed, as numbers, side by side with the React peer (bench/peer): the release bundle's
# bytes per file, through the size stage and plain (PLAID_LINK_SHRINK=0), then one table (transfer
# size, time to Link ready on loopback and under a mobile profile, onSuccess → exchange request,
# memory over mount/unmount cycles), then a bounded load test of the reference backend on loopback
# (e2e/load.js). Run through `make bench`.
set -euo pipefail
source "$(dirname "$0")/env.sh"

quiet() { "$@" >/dev/null 2>&1 || "$@"; }
CARGO_TARGET_DIR=target/plain PLAID_LINK_SHRINK=0 quiet scripts/bundle.sh --dist target/dist-plain
quiet scripts/bundle.sh
printf '\n%-28s %10s %10s %14s %14s\n' "release bundle" "raw B" "gzip -9 B" "plain raw B" "plain gzip B"
totals=(0 0 0 0)
for f in plaid-link-leptos_bg.wasm plaid-link-leptos.js plaid-link.js plaid-link-prefetch.js plaid-link.css; do
  sizes=()
  for dir in dist target/dist-plain; do
    sizes+=("$(stat -c%s "$dir/$f")" "$(gzip -9c "$dir/$f" | wc -c)")
  done
  for i in 0 1 2 3; do totals[i]=$((totals[i] + sizes[i])); done
  printf '%-28s %10d %10d %14d %14d\n' "$f" "${sizes[@]}"
done
printf '%-28s %10d %10d %14d %14d\n' "total" "${totals[@]}"

# What a user's own Leptos app pays: bench/apps, built as such an app is (a workspace and a Trunk
# configuration of their own, no size stage).
(cd bench/apps && cargo fetch --locked -q)
for app in counter floor component hook; do
  (cd "bench/apps/$app" && quiet trunk build --release --offline=true --dist "../target/bench-dist/$app" index.html)
done
node scripts/bench-apps.mjs bench/apps/target/bench-dist dist

(cd bench/peer && npm ci --no-audit --no-fund --loglevel=error && node build.mjs)
cargo build -q -p plaid-link-backend --locked
(cd e2e && npm ci --no-audit --no-fund --loglevel=error)
(cd e2e && PLAID_LINK_DEV_BIN="$root/target/debug/plaid-link-dev" node bench.js)
# The load test runs through the full-stack example too (the library under an app's own members);
# its second part runs two instances on one PostgreSQL, a cluster of its own.
quiet scripts/fullstack.sh
(cd e2e && PLAID_LINK_DEV_BIN="$root/target/debug/plaid-link-dev" \
  PLAID_LINK_FULLSTACK_BIN="$root/target/debug/plaid-link-fullstack" PLAID_LINK_FULLSTACK_SITE="$root/target/fullstack" \
  ../scripts/with-postgres.sh node load.js)
