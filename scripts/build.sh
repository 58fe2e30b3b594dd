#!/usr/bin/env bash
# Builds pkg/: the npm package `resumable-s3`: the hand-written JS layer and its types (js/) over the wasm-bindgen
# output (--target web: the wasm is found with `new URL(..., import.meta.url)`, which webpack 5, Vite and plain ESM
# all understand without plugins), with the wasm tuned for size.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$REPO_ROOT"

wasm_cargo build --release --target wasm32-unknown-unknown
rm -rf pkg
wasm-bindgen --target web --no-typescript --out-dir pkg target/wasm32-unknown-unknown/release/resumable_s3.wasm
# For size: -Oz run until nothing changes, without the producers section (bench/SIZE.md has what each flag saves).
WASM_OPT=(-Oz --converge --strip-producers)
# A copy with the name section (-g), for bench/tools/wasm-sizes.py: RESUMABLE_S3_NAMED_WASM=/tmp/named.wasm scripts/build.sh
if [ -n "${RESUMABLE_S3_NAMED_WASM:-}" ]; then
  wasm-opt "${WASM_OPT[@]}" -g pkg/resumable_s3_bg.wasm -o "$RESUMABLE_S3_NAMED_WASM"
fi
wasm-opt "${WASM_OPT[@]}" pkg/resumable_s3_bg.wasm -o pkg/resumable_s3_bg.wasm
cp js/*.js js/*.d.ts pkg/

node --input-type=module - <<'JS'
import { readFileSync, writeFileSync } from 'node:fs';
const cargo = readFileSync('Cargo.toml', 'utf8');
const field = (name) => cargo.match(new RegExp(`^${name} = "(.*)"`, 'm'))[1];
const pkg = {
  name: 'resumable-s3',
  version: field('version'),
  description: field('description'),
  license: field('license'),
  repository: { type: 'git', url: field('repository') },
  type: 'module',
  main: 'index.js',
  module: 'index.js',
  types: 'index.d.ts',
  // The framework bindings are subpaths (resumable-s3/react, /vue, /uppy), each with its own types; the framework
  // is the app's own copy (an optional peer: only the entry that imports it needs it).
  exports: {
    '.': { types: './index.d.ts', default: './index.js' },
    ...Object.fromEntries(['react', 'vue', 'uppy'].map((name) => [`./${name}`, { types: `./${name}.d.ts`, default: `./${name}.js` }])),
    './package.json': './package.json',
  },
  peerDependencies: { react: '>=18', vue: '^3.3.0', '@uppy/core': '^6.3.1' },
  peerDependenciesMeta: { react: { optional: true }, vue: { optional: true }, '@uppy/core': { optional: true } },
  files: ['*.js', '*.d.ts', 'resumable_s3_bg.wasm'],
  // Only the worker's entry does something when loaded.
  sideEffects: ['./worker.js'],
  keywords: ['s3', 'upload', 'multipart', 'resumable', 'wasm'],
};
writeFileSync('pkg/package.json', JSON.stringify(pkg, null, 2) + '\n');
JS
cp README.md pkg/
gz() { cat "$@" | gzip -9 | wc -c; }
shopt -s extglob
echo "pkg/ built, gzip -9: wasm $(gz pkg/resumable_s3_bg.wasm) B, JS $(gz pkg/!(react|vue|uppy|bindings).js) B;" \
  "entries on top of that: react $(gz pkg/react.js pkg/bindings.js) B, vue $(gz pkg/vue.js pkg/bindings.js) B, uppy $(gz pkg/uppy.js) B"
