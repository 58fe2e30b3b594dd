# Sourced by the other scripts: tool paths and a cargo wrapper for wasm32.
# shellcheck shell=bash

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export REPO_ROOT
export CACHE=${RESUMABLE_S3_CACHE:-$HOME/.cache/resumable-s3}
export PATH="$CACHE/bin:$REPO_ROOT/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export CHROMEDRIVER=/usr/bin/chromedriver
# wasm-bindgen-cli must equal the crate's pinned `wasm-bindgen = "=x.y.z"` exactly.
WASM_BINDGEN_VERSION=$(sed -n 's/^wasm-bindgen = "=\([0-9.]*\)".*/\1/p' "$REPO_ROOT/Cargo.toml")
export WASM_BINDGEN_VERSION

# Which wasm32 standard library is available: "rustup" (prebuilt std from `rustup target add`)
# or "debian" (rust-web-src from apt, compiled by cargo with -Z build-std).
wasm_std_route() {
  local libdir
  libdir=$(rustc --print target-libdir --target wasm32-unknown-unknown 2>/dev/null) &&
    compgen -G "$libdir/libstd-*.rlib" >/dev/null && { echo rustup; return; }
  echo debian
}

# `cargo` for wasm32 builds and tests, e.g. `wasm_cargo build --release --target wasm32-unknown-unknown`.
wasm_cargo() {
  if [ "$(wasm_std_route)" = rustup ]; then
    cargo "$@"
  else
    # -Z is a global cargo flag, so it goes before the subcommand (leaves `-- args` intact).
    RUSTC_BOOTSTRAP=1 cargo +deb -Z build-std=std,panic_abort "$@"
  fi
}
