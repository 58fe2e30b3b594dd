#!/usr/bin/env bash
# One-shot setup for a fresh Debian 12 machine (run as root). Idempotent: every step checks
# first and is skipped when already done, so a second run takes a few seconds.
set -euo pipefail
shopt -s inherit_errexit # steps run inside $(...): let their failures stop the script too
cd "$(dirname "$0")/.."
source scripts/env.sh

APT_UPDATED=
apt_install() {
  [ -n "$APT_UPDATED" ] || { apt-get update -qq; APT_UPDATED=1; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"
}
missing_debs() {
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || echo "$p"
  done
}

# Runs one step and prints how long it took; the step prints what it did.
step() {
  local t0=$SECONDS what
  what=$("$@")
  printf 'setup: %-22s %-40s %4ss\n' "$1" "$what" "$((SECONDS - t0))"
}

# Installs those of the Debian packages given that are missing; leading options (e.g. --no-install-recommends) go to apt.
install_debs() {
  local options=() missing
  while [[ $1 == -* ]]; do options+=("$1"); shift; done
  missing=$(missing_debs "$@")
  [ -z "$missing" ] && { echo "present"; return; }
  apt_install "${options[@]}" $missing >&2
  echo "installed $(echo $missing)"
}

system_packages() {
  install_debs chromium chromium-driver curl build-essential pkg-config
}

# The other engines of the e2e tests: Firefox ESR (puppeteer-core over WebDriver BiDi) and WebKitGTK's MiniBrowser
# (libwebkit2gtk-4.1-0, a dependency of its WebKitWebDriver), which has no headless mode: Xvfb gives it a display.
other_browsers() {
  install_debs --no-install-recommends firefox-esr webkit2gtk-driver xvfb
}

wasm32_std() {
  if [ "$(wasm_std_route)" = rustup ]; then echo "rustup target present"; return; fi
  if rustup toolchain list | grep -q '^deb' && [ -z "$(missing_debs rust-web-src lld-22)" ]; then
    echo "debian toolchain present"; return
  fi
  if timeout 300 rustup target add wasm32-unknown-unknown >&2 && [ "$(wasm_std_route)" = rustup ]; then
    echo "rustup target added"; return
  fi
  # rust-web-src compiles std for wasm32 (-Z build-std); lld-22 provides the rust-lld that rust-web-llvm links to.
  apt_install rustc-web cargo-web rust-web-src rust-web-llvm lld-22 >&2
  rustup toolchain link deb /usr >&2
  echo "debian route installed"
}

rust_components() {
  # The test command starts with cargo fmt --check and cargo clippy.
  if cargo fmt --version >/dev/null 2>&1 && cargo clippy --version >/dev/null 2>&1; then echo "rustfmt, clippy present"; return; fi
  timeout 300 rustup component add rustfmt clippy >&2
  echo "rustfmt, clippy added"
}

wasm_bindgen_cli() {
  [ -n "$WASM_BINDGEN_VERSION" ] || { echo 'Cargo.toml must pin wasm-bindgen = "=x.y.z"' >&2; return 1; }
  if wasm-bindgen --version 2>/dev/null | grep -qwF "$WASM_BINDGEN_VERSION"; then echo "$WASM_BINDGEN_VERSION present"; return; fi
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --locked --root "$CACHE" >&2
  echo "$WASM_BINDGEN_VERSION installed"
}

garage_server() {
  # prints e.g. "garage cargo:2.5.0 [features: bundled-libs, lmdb]"
  if "$CACHE/bin/garage" --version 2>/dev/null | grep -qwF '2.5.0'; then echo "2.5.0 present"; return; fi
  cargo install garage@2.5.0 --locked --no-default-features --features bundled-libs,lmdb --root "$CACHE" >&2
  echo "2.5.0 installed"
}

moto_server() {
  # moto (PyPI) in its own venv: the only local server that verifies STS session tokens (examples/server tests).
  if "$CACHE/moto/bin/python" -c 'import importlib.metadata as m; assert m.version("moto") == "5.2.5"; import flask_cors' 2>/dev/null; then
    echo "5.2.5 present"; return
  fi
  # Debian's python3 ships venv's pip bootstrap (ensurepip) separately, in python3-venv.
  python3 -c 'import ensurepip' 2>/dev/null || apt_install python3-venv >&2
  python3 -m venv "$CACHE/moto" >&2
  "$CACHE/moto/bin/pip" install -q "moto[s3,iam,sts]==5.2.5" flask flask-cors >&2
  echo "5.2.5 installed"
}

localstack_server() {
  # LocalStack's S3 (PyPI localstack-core): the second, AWS-faithful upload server of the e2e suite. Its 2026.3
  # release needs Python >= 3.13 (warnings.deprecated) and, at run time, these pins: cbor2 6 dropped the module it
  # imports, pyOpenSSL 24.3 dropped X509.add_extensions (which needs cryptography < 44), and Twisted's TLS wants
  # service_identity.
  local pins=("localstack-core[base-runtime]==2026.3.0" "cbor2==5.6.5" "pyopenssl==24.2.1" "cryptography==43.0.3" "service_identity==24.2.0")
  if "$CACHE/localstack/bin/python" -c 'import importlib.metadata as m; assert m.version("localstack-core") == "2026.3.0"; import localstack.aws.components' 2>/dev/null; then
    echo "2026.3.0 present"; return
  fi
  local python
  python=$(ls -d "$(pyenv root 2>/dev/null || echo /root/.pyenv)"/versions/3.1[3-9]*/bin/python3 2>/dev/null | sort -V | tail -n 1)
  [ -n "$python" ] || python=$(command -v python3.13 || true)
  [ -n "$python" ] || { echo "LocalStack needs Python >= 3.13 (pyenv versions or python3.13 on PATH)" >&2; return 1; }
  rm -rf "$CACHE/localstack"
  "$python" -m venv "$CACHE/localstack" >&2
  "$CACHE/localstack/bin/pip" install -q "${pins[@]}" >&2
  echo "2026.3.0 installed ($("$python" --version))"
}

npm_packages() {
  command -v node >/dev/null || { echo "node (>= 20) is required" >&2; return 1; }
  # npm writes node_modules/.package-lock.json at the end of every install.
  if [ node_modules/.package-lock.json -nt package-lock.json ] && [ node_modules/.package-lock.json -nt package.json ]; then
    echo "node_modules up to date"; return
  fi
  npm ci --no-audit --no-fund >&2
  echo "npm ci done"
}

mkdir -p "$CACHE"
t0=$SECONDS
step system_packages
step other_browsers
step wasm32_std
step rust_components
step wasm_bindgen_cli
step garage_server
step moto_server
step localstack_server
step npm_packages
echo "setup: done in $((SECONDS - t0))s"
