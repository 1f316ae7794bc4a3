#!/usr/bin/env bash
# Installs what building, serving and testing this project needs, and only what is missing.
# Idempotent: a second run checks versions and returns in seconds.
#
# What it guarantees afterwards (see scripts/env.sh, which every Makefile recipe sources):
#   - a Rust toolchain that can build for wasm32-unknown-unknown (rustup's target where it can be
#     downloaded; otherwise Debian's rustc-web with a wasm32 standard library built from its sources),
#   - trunk, wasm-bindgen-cli (exactly the version Cargo.lock names) and wasm-opt on PATH,
#   - Chromium and ChromeDriver, Firefox ESR and geckodriver, for the in-browser and end-to-end tests,
#   - esbuild (npm, in scripts/node_modules), which minifies the release bundle's JavaScript.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"

TRUNK_VERSION=0.21.14
GECKODRIVER_VERSION=0.37.1
# binaryen 116; Debian's binaryen 108 breaks wasm-bindgen's externref table (see CONTRIBUTING.md).
WASM_OPT_VERSION=0.116.1
state_dir="$here/target/setup"
mkdir -p "$state_dir"

say() { printf '[setup] %s\n' "$*"; }
apt_updated=0
apt_install() {
  if [ "$apt_updated" = 0 ]; then
    say "apt-get update"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    apt_updated=1
  fi
  say "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# A toolchain is usable when its wasm32 target directory holds a core library.
has_wasm_std() {
  local rustc=$1 dir
  dir=$("$rustc" --print target-libdir --target wasm32-unknown-unknown 2>/dev/null) || return 1
  compgen -G "$dir/libcore-*.rlib" >/dev/null
}

# --- 1. A wasm32-capable Rust toolchain -------------------------------------------------------
toolchain_bin=""
if command -v rustc >/dev/null && has_wasm_std "$(command -v rustc)"; then
  toolchain_bin=$(dirname "$(command -v rustc)")
elif [ -x /usr/bin/rustc ] && has_wasm_std /usr/bin/rustc \
     && [ -x /usr/bin/cargo-clippy ] && [ -x /usr/bin/rustfmt ]; then
  toolchain_bin=/usr/bin
elif command -v rustup >/dev/null \
     && timeout 30 rustup target add wasm32-unknown-unknown >/dev/null 2>&1 \
     && has_wasm_std "$(command -v rustc)"; then
  say "installed rustup's wasm32-unknown-unknown target"
  toolchain_bin=$(dirname "$(command -v rustc)")
else
  say "rustup cannot download wasm32's standard library here: using Debian's Rust and building it"
  need=()
  for p in rustc-web cargo-web rust-web-src rust-web-llvm lld-22 rust-web-clippy rustfmt-web; do
    dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
  done
  [ ${#need[@]} -eq 0 ] || apt_install "${need[@]}"
  if ! has_wasm_std /usr/bin/rustc; then
    say "building the wasm32 standard library from /usr/lib/rustlib/src (about a minute)"
    work=$(mktemp -d)
    mkdir -p "$work/src"
    printf '[package]\nname = "sysroot-probe"\nversion = "0.0.0"\nedition = "2021"\n[lib]\npath = "src/lib.rs"\n' >"$work/Cargo.toml"
    echo '#![no_std]' >"$work/src/lib.rs"
    # -Cembed-bitcode=yes: without it, release builds with lto = true cannot use these rlibs.
    (cd "$work" && PATH=/usr/bin:$PATH RUSTC_BOOTSTRAP=1 RUSTFLAGS=-Cembed-bitcode=yes \
      CARGO_TARGET_DIR="$work/target" /usr/bin/cargo build -q --release \
      --target wasm32-unknown-unknown -Zbuild-std=std,panic_abort,test,proc_macro)
    libdir=/usr/lib/rustlib/wasm32-unknown-unknown/lib
    as_root mkdir -p "$libdir"
    find "$work/target/wasm32-unknown-unknown/release/deps" -name '*.rlib' ! -name 'libsysroot_probe-*' \
      -exec cp {} "$libdir/" \;
    rm -rf "$work"
  fi
  has_wasm_std /usr/bin/rustc || { say "the wasm32 standard library is still missing"; exit 1; }
  toolchain_bin=/usr/bin
fi
echo "$toolchain_bin" >"$state_dir/toolchain-bin"
export PATH="$toolchain_bin:$HOME/.cargo/bin:$PATH"
say "Rust: $(rustc --version) from $toolchain_bin"

# --- 1b. The component crate's minimum Rust version, which `make test` checks it with ---------
# Through rustup, whose download host is not reachable from every machine (../shared/TOOLCHAIN.md):
# where it is not, the run says so loudly and skips that one check (target/setup/msrv-missing)
# rather than fail every other test with it.
msrv=$(sed -n 's/^rust-version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
rm -f "$state_dir/msrv-missing"
if ! has_wasm_std "$(rustup which --toolchain "$msrv" rustc 2>/dev/null || echo /nonexistent)"; then
  say "rustup toolchain install $msrv (the crate's rust-version; about a minute)"
  if ! command -v rustup >/dev/null \
     || ! timeout 180 rustup toolchain install "$msrv" --profile minimal --target wasm32-unknown-unknown >/dev/null 2>&1 \
     || ! has_wasm_std "$(rustup which --toolchain "$msrv" rustc 2>/dev/null || echo /nonexistent)"; then
    say "WARNING: cannot install Rust $msrv with wasm32-unknown-unknown through rustup (no rustup, or its"
    say "WARNING: download host is unreachable): make test will NOT check the crate at its rust-version"
    echo "$msrv" >"$state_dir/msrv-missing"
  fi
fi
[ -e "$state_dir/msrv-missing" ] || say "MSRV toolchain: $(rustup run "$msrv" rustc --version)"

# --- 2. Host tools from crates.io --------------------------------------------------------------
version_of() { "$1" --version 2>/dev/null | awk 'NR == 1 {print $2}'; }

if [ "$(version_of trunk)" != "$TRUNK_VERSION" ]; then
  say "cargo install trunk $TRUNK_VERSION (about 10 minutes)"
  cargo install -q trunk --version "$TRUNK_VERSION" --locked
fi

# wasm-bindgen-cli must equal the wasm-bindgen crate in Cargo.lock exactly.
bindgen_version=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/"/, "", $3); print $3; exit}' Cargo.lock)
[ -n "$bindgen_version" ] || { say "Cargo.lock names no wasm-bindgen"; exit 1; }
if [ "$(version_of wasm-bindgen)" != "$bindgen_version" ] \
   || [ "$(version_of wasm-bindgen-test-runner)" != "$bindgen_version" ]; then
  say "cargo install wasm-bindgen-cli $bindgen_version (about 6 minutes)"
  # No --locked: its lock file names a webpki-roots that not every registry mirror serves.
  cargo install -q wasm-bindgen-cli --version "$bindgen_version" --force
fi

if ! wasm-opt --version 2>/dev/null | grep -q 'version 116'; then
  say "cargo install wasm-opt $WASM_OPT_VERSION (about 8 minutes)"
  cargo install -q wasm-opt --version "$WASM_OPT_VERSION" --locked
fi

# --- 3. Browsers: Chromium, and Firefox (the tests run in both engines) ---------------------------
need=()
command -v chromium >/dev/null || need+=(chromium)
command -v chromedriver >/dev/null || need+=(chromium-driver)
command -v firefox-esr >/dev/null || need+=(firefox-esr)
[ ${#need[@]} -eq 0 ] || apt_install "${need[@]}"

# geckodriver (Firefox's WebDriver) is a Rust crate; Debian does not package it.
if [ "$(version_of geckodriver)" != "$GECKODRIVER_VERSION" ]; then
  say "cargo install geckodriver $GECKODRIVER_VERSION (about 3 minutes)"
  cargo install -q geckodriver --version "$GECKODRIVER_VERSION" --locked
fi

# --- 4. Node.js, for the end-to-end suite (Playwright drives the Chromium above) --------------------
command -v node >/dev/null && command -v npm >/dev/null || apt_install nodejs npm

# --- 5. Build-time npm tools (esbuild, run by Trunk's post-build hook) -------------------------------
esbuild_version=$(node -p 'require("./scripts/package.json").devDependencies.esbuild')
if [ "$(node -p 'try { require("./scripts/node_modules/esbuild/package.json").version } catch { "" }')" != "$esbuild_version" ]; then
  say "npm ci in scripts/ (esbuild $esbuild_version)"
  (cd scripts && npm ci --no-audit --no-fund --loglevel=error)
fi

# --- 6. PostgreSQL 15 (Debian's), for the store's tests and the two-instance load round ------------
# The tests start throwaway clusters of their own (scripts/with-postgres.sh): the package's own
# service is not started (policy-rc.d), so nothing listens until a test asks. `make demo` uses SQLite.
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  policy=/usr/sbin/policy-rc.d
  made_policy=
  if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && made_policy=1; fi
  apt_install postgresql
  [ -z "$made_policy" ] || rm -f "$policy"
fi

say "ready: trunk $(version_of trunk), wasm-bindgen $(version_of wasm-bindgen), $(wasm-opt --version), $(chromium --version 2>/dev/null), $(firefox-esr --version 2>/dev/null), geckodriver $(version_of geckodriver), node $(node --version), $(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)/postgres"
