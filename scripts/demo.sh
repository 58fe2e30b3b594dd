#!/usr/bin/env bash
# Builds and serves the demo: Garage on 127.0.0.1:3900, the page on http://127.0.0.1:8080. Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh

# Rebuild pkg/ when any crate source is newer than it.
if [ ! -f pkg/package.json ] || [ -n "$(find src Cargo.toml Cargo.lock scripts/build.sh -newer pkg/package.json 2>/dev/null | head -1)" ]; then
  scripts/build.sh
fi
webpack --config-name demo
exec node scripts/demo.mjs
