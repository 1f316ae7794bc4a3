#!/usr/bin/env bash
# The development loop: the reference backend (with Plaid's stand-in) on 127.0.0.1:3000, and
# `trunk serve` on http://127.0.0.1:8080 proxying /api and /plaid to it. Ctrl-C stops both.
set -euo pipefail
source "$(dirname "$0")/env.sh"

cargo build -p plaid-link-backend --locked
# Trunk builds with --offline: every crate the bundle needs must be downloaded first (a fresh
# clone has only what the builds before this one asked for).
cargo fetch --locked -q
mkdir -p target/demo
# The demo's own token key, made once: the demo database stays readable from one run to the next
# (the backend refuses to start on a database written under a key it does not have).
key_file="$root/target/demo/token-encryption.key"
if [ ! -s "$key_file" ]; then
  (umask 077 && head -c 32 /dev/urandom | base64 >"$key_file")
fi
# trunk serve serves the page itself and cannot add the CSRF token the backend checks otherwise.
PLAID_ENV=local PLAID_LINK_CSRF=off PLAID_LINK_ADDR=127.0.0.1:3000 PLAID_LINK_DB="$root/target/demo/plaid-link.db" \
  TOKEN_ENCRYPTION_KEY="$(cat "$key_file")" target/debug/plaid-link-dev &
backend=$!
trap 'kill "$backend" 2>/dev/null; wait "$backend" 2>/dev/null' EXIT INT TERM

echo "Open http://127.0.0.1:8080 and sign in to any bank with user_good / pass_good."
trunk serve --offline
