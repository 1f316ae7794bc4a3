# Sourced by the other scripts: puts the wasm32-capable toolchain that setup.sh chose first on PATH,
# then the tools it installed with cargo.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
toolchain_bin=$(cat "$root/target/setup/toolchain-bin" 2>/dev/null || true)
export PATH="${toolchain_bin:+$toolchain_bin:}${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
export CHROMEDRIVER=${CHROMEDRIVER:-$(command -v chromedriver || true)}
export GECKODRIVER_PATH=${GECKODRIVER_PATH:-$(command -v geckodriver || true)}
# wasm-bindgen-test-runner: generous limits, the machine has two cores.
export WASM_BINDGEN_TEST_TIMEOUT=${WASM_BINDGEN_TEST_TIMEOUT:-120}
cd "$root"
