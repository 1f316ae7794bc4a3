#!/usr/bin/env bash
# Builds the release bundle into dist/ (or where `--dist DIR` says): Trunk's output through the
# size stage (scripts/shrink/: its linker, then the post-build steps), or with PLAID_LINK_SHRINK=0
# Trunk's plain, untouched output. Extra arguments go to `trunk build`.
set -euo pipefail
source "$(dirname "$0")/env.sh"

if [ "${PLAID_LINK_SHRINK:-1}" != 0 ]; then
  # The linker only the release bundle uses: rust-lld minus wasm-streams' class exports (see the file).
  export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER="$root/scripts/shrink/wasm-ld"
fi
# The bundle names no directory of the machine that built it: a panic's location reads
# `reactive_graph-0.2.16/src/owner.rs`, not `/home/<who built it>/.cargo/registry/src/…/`. (The
# standard library's already read `/rustc/<commit>/library/…`.)
# (rustc applies the last prefix that matches: each registry's own, else the parent of them all.)
sources="${CARGO_HOME:-$HOME/.cargo}/registry/src"
remap=("--remap-path-prefix=$sources/=")
for source in "$sources"/*/; do
  [ -d "$source" ] && remap+=("--remap-path-prefix=$source=")
done
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="${remap[*]}"
# Trunk builds with --offline: the bundle's crates must be downloaded first (on a fresh clone no
# earlier build may have asked for them).
cargo fetch --locked -q
trunk build --release --offline "$@"
