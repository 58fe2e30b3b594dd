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
wasm-opt -Oz pkg/resumable_s3_bg.wasm -o pkg/resumable_s3_bg.wasm
cp js/*.js js/index.d.ts pkg/

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
  exports: { '.': { types: './index.d.ts', default: './index.js' }, './package.json': './package.json' },
  files: ['*.js', 'index.d.ts', 'resumable_s3_bg.wasm'],
  // Only the worker's entry does something when loaded.
  sideEffects: ['./worker.js'],
  keywords: ['s3', 'upload', 'multipart', 'resumable', 'wasm'],
};
writeFileSync('pkg/package.json', JSON.stringify(pkg, null, 2) + '\n');
JS
cp README.md pkg/
echo "pkg/ built: $(gzip -9c pkg/resumable_s3_bg.wasm | wc -c) bytes wasm gzipped, $(cat pkg/*.js | gzip -9 | wc -c) bytes JS gzipped"
