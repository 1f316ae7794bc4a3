#!/usr/bin/env bash
# The whole test suite; stops at the first failure. Run through `make test`, which runs setup first.
set -euo pipefail
source "$(dirname "$0")/env.sh"

step() { printf '\n== %s\n' "$*"; }

step "format"
cargo fmt --all --check

step "clippy (host)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "clippy (wasm32)"
cargo clippy -p plaid-link-leptos --target wasm32-unknown-unknown --all-targets --locked -- -D warnings

step "unit tests (host)"
cargo test --workspace --locked

step "in-browser tests (wasm-bindgen-test, headless Chromium)"
cargo test -p plaid-link-leptos --target wasm32-unknown-unknown --test browser --locked

step "end-to-end (release bundle, reference backend, Plaid stand-in, headless Chromium)"
trunk build --release --offline
cargo build -p plaid-link-backend --locked
(cd e2e && npm ci --no-audit --no-fund --loglevel=error)
(cd e2e && PLAID_LINK_DEV_BIN="$root/target/debug/plaid-link-dev" node --test --test-concurrency=1 tests/)
