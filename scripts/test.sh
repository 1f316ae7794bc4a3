#!/usr/bin/env bash
# The whole test suite; stops at the first failure. Run through `make test`, which runs setup first.
set -euo pipefail
source "$(dirname "$0")/env.sh"

step() { printf '\n== %s\n' "$*"; }

# What the run's tools leave in the temporary directory goes into one of the run's own, removed at
# the end: chromedriver's browser profiles (66 MB each; wasm-bindgen-test-runner leaves them), the
# tests' databases. Readable by all, as the PostgreSQL cluster's user must go through it.
scratch=$(mktemp -d /tmp/plaid-link-test.XXXXXX)
chmod 755 "$scratch"
trap 'rm -rf "$scratch"' EXIT
export TMPDIR=$scratch
# A full disk shows up late and as something else (the linker dies of SIGBUS): say so first.
free_gb=$(df -Pk "$root" | awk 'NR == 2 { print int($4 / 1048576) }')
if [ "$free_gb" -lt 8 ]; then
  echo "warning: ${free_gb} GB free on the disk of $root; a test run from a clean clone writes about 8 GB" >&2
fi

step "format"
cargo fmt --all --check

# The library leaves Leptos' rendering mode to the app: it is checked with none, and in each mode.
step "clippy (host: no rendering feature, then ssr)"
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo clippy -p plaid-link-leptos --all-targets --features ssr --locked -- -D warnings

step "clippy (wasm32: csr with the bundle, then hydrate)"
cargo clippy -p plaid-link-leptos --target wasm32-unknown-unknown --all-targets --features bundle --locked -- -D warnings
cargo clippy -p plaid-link-leptos --target wasm32-unknown-unknown --lib --test hydrate --example ssr --features hydrate --locked -- -D warnings

step "clippy (the full-stack example: its server, then its browser half)"
cargo clippy -p plaid-link-fullstack --all-targets --features ssr --locked -- -D warnings
cargo clippy -p plaid-link-fullstack --lib --target wasm32-unknown-unknown --features hydrate --locked -- -D warnings

step "the crates as users get them: docs without warnings, the examples in each mode, cargo publish --dry-run"
RUSTDOCFLAGS="-D warnings" cargo doc -p plaid-link-leptos -p plaid-link-server -p plaid-link-standin -p plaid-link-api \
  --no-deps --features plaid-link-leptos/embed --locked
cargo build -p plaid-link-leptos --target wasm32-unknown-unknown --examples --features csr --locked
cargo build -p plaid-link-leptos --target wasm32-unknown-unknown --example ssr --features hydrate --locked
cargo build -p plaid-link-leptos --example ssr --features ssr --locked
# Each publishable crate's rust-version is at least its locked dependencies' highest.
node scripts/msrv.mjs
# The four publishable crates packed with the files their `include` names, each built alone from
# its package (the component with no rendering feature), as crates.io would take them: about two
# minutes, their dependencies being built again under the packages' own profile.
cargo publish --dry-run --workspace --allow-dirty --locked

# The declared rust-version, with exactly that toolchain (set-up installs it): browser (csr) and
# server (ssr). A target dir of its own: one per toolchain.
msrv=$(sed -n 's/^rust-version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
step "the component crate at its MSRV, Rust $msrv: csr for wasm32, ssr for the host"
if [ -e "$root/target/setup/msrv-missing" ]; then
  echo "WARNING: NOT CHECKED: set-up could not install Rust $msrv through rustup on this machine" >&2
else
  CARGO_TARGET_DIR="$root/target/msrv" rustup run "$msrv" cargo check -p plaid-link-leptos --features csr --target wasm32-unknown-unknown --locked
  CARGO_TARGET_DIR="$root/target/msrv" rustup run "$msrv" cargo check -p plaid-link-leptos --features ssr --locked
fi

step "unit tests (host), and server-side rendering"
# The store's tests run on SQLite and on a PostgreSQL cluster of their own, stopped after.
scripts/with-postgres.sh cargo test --workspace --locked
cargo test -p plaid-link-leptos --features ssr --test ssr --locked
# The embed API's own examples, and the README's options table against the embed options' list
# (the feature is off above).
cargo test -p plaid-link-leptos --features embed --doc --locked
cargo test -p plaid-link-leptos --features embed --lib --locked

# wasm-bindgen-test-runner takes GECKODRIVER before CHROMEDRIVER: each run names its one driver.
for engine in Chromium Firefox; do
  step "in-browser tests (wasm-bindgen-test, headless $engine): csr, then hydrating the server's markup"
  if [ "$engine" = Chromium ]; then drivers=(-u GECKODRIVER CHROMEDRIVER="$CHROMEDRIVER"); else drivers=(-u CHROMEDRIVER GECKODRIVER="$GECKODRIVER_PATH"); fi
  env "${drivers[@]}" cargo test -p plaid-link-leptos --target wasm32-unknown-unknown --features csr,embed --test browser --locked
  env "${drivers[@]}" cargo test -p plaid-link-leptos --target wasm32-unknown-unknown --features hydrate --test hydrate --locked
done

step "end-to-end (release bundle, reference backend, Plaid stand-in; headless Chromium, core paths in Firefox)"
# The plain bundle (no size stage) too: one test connects through it, so that turning the stage off
# is always a working way out (docs/size-stage.md).
# Its own target directory: the two builds differ in their linker, which cargo rebuilds every crate for.
CARGO_TARGET_DIR=target/plain PLAID_LINK_SHRINK=0 scripts/bundle.sh --dist target/dist-plain
scripts/bundle.sh
# Each step of the size stage on the pinned toolchain's own output, and on that output changed where
# the step relies on it (scripts/shrink/stage.test.mjs).
PLAID_LINK_PLAIN_DIST="$root/target/dist-plain" PLAID_LINK_DIST="$root/dist" node --test scripts/shrink/
cargo build -p plaid-link-backend --locked
# The full-stack example: its server and its hydrating WebAssembly, into target/fullstack.
scripts/fullstack.sh
(cd e2e && npm ci --no-audit --no-fund --loglevel=error)
(cd e2e && PLAID_LINK_DEV_BIN="$root/target/debug/plaid-link-dev" PLAID_LINK_PLAIN_DIST="$root/target/dist-plain" \
  PLAID_LINK_FULLSTACK_BIN="$root/target/debug/plaid-link-fullstack" PLAID_LINK_FULLSTACK_SITE="$root/target/fullstack" \
  GECKODRIVER="$GECKODRIVER_PATH" node --test --test-concurrency=1 tests/)
