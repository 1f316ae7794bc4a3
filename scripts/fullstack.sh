#!/usr/bin/env bash
# The full-stack example (examples/fullstack), built as cargo-leptos would build it: the server
# (--features ssr) and the browser's WebAssembly (--features hydrate, then wasm-bindgen) into
# target/fullstack/pkg with the component's stylesheet. `scripts/fullstack.sh run` then serves it on
# http://127.0.0.1:3002 (members alice and bob, passwords alice-password and bob-password).
set -euo pipefail
source "$(dirname "$0")/env.sh"

site="$root/target/fullstack"
cargo build -p plaid-link-fullstack --features ssr --locked
cargo build -p plaid-link-fullstack --lib --target wasm32-unknown-unknown --features hydrate --locked
mkdir -p "$site/pkg"
wasm-bindgen --target web --no-typescript --out-dir "$site/pkg" \
  target/wasm32-unknown-unknown/debug/plaid_link_fullstack.wasm
cp style/plaid-link.css "$site/pkg/"

if [ "${1:-}" = run ]; then
  echo "Open http://127.0.0.1:3002 and sign in as alice (alice-password) or bob (bob-password)."
  SITE_ROOT="$site" exec target/debug/plaid-link-fullstack
fi
