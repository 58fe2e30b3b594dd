#!/usr/bin/env bash
# Builds pkg/: the npm package `resumable-s3` laid out as wasm-pack would (bundler target, .d.ts, size-tuned wasm).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$REPO_ROOT"

wasm_cargo build --release --target wasm32-unknown-unknown
rm -rf pkg
wasm-bindgen --target bundler --out-dir pkg target/wasm32-unknown-unknown/release/resumable_s3.wasm
wasm-opt -Oz pkg/resumable_s3_bg.wasm -o pkg/resumable_s3_bg.wasm

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
  main: 'resumable_s3.js',
  module: 'resumable_s3.js',
  types: 'resumable_s3.d.ts',
  exports: { '.': { types: './resumable_s3.d.ts', default: './resumable_s3.js' } },
  files: ['resumable_s3_bg.wasm', 'resumable_s3_bg.wasm.d.ts', 'resumable_s3.js', 'resumable_s3_bg.js', 'resumable_s3.d.ts'],
  // The entry module instantiates the wasm: bundlers must not tree-shake it away.
  sideEffects: ['./resumable_s3.js', './snippets/*'],
  keywords: ['s3', 'upload', 'multipart', 'resumable', 'wasm'],
};
writeFileSync('pkg/package.json', JSON.stringify(pkg, null, 2) + '\n');
JS
cp README.md pkg/
echo "pkg/ built: $(gzip -9c pkg/resumable_s3_bg.wasm | wc -c) bytes wasm gzipped, $(cat pkg/resumable_s3.js pkg/resumable_s3_bg.js | gzip -9 | wc -c) bytes JS gzipped"
