#!/usr/bin/env node
// CRC-64/NVME speed in the browser (wasm, headless Chromium) beside the same code natively: the `crc` crate's
// table variants (the package uses Table<16>), built from bench/crc-wasm/ with the package's release profile and
// wasm-opt -Oz as scripts/build.sh does. The data is made inside wasm memory (no copy in the timing); each variant
// is warmed up on 1 MiB, then the best of 5 runs over the buffer counts (NoTable, bit by bit: over 1/16 of it).
//
//   node bench/crc-wasm.mjs [--mib 256] [--opt-level z] [--core]
//     --opt-level: build both with another opt-level than the package's "z" (e.g. 3: what speed would cost in size)
//     --core: also run `cargo bench --bench core` (the package's own CRC path, natively)
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { launchChromium } from './lib/chromium.mjs';
import { formatTable } from './lib/stats.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CRATE = path.join(ROOT, 'bench/crc-wasm');
const { values: args } = parseArgs({ options: { mib: { type: 'string', default: '256' }, 'opt-level': { type: 'string', default: 'z' }, core: { type: 'boolean' } } });
const mib = Number(args.mib);
const opt = args['opt-level'];
const TARGET = path.join(ROOT, `target/crc-wasm-O${opt}`);
const sh = (cmd, cwd = CRATE) => execFileSync('bash', ['-c', `source "${ROOT}/scripts/env.sh" && ${cmd}`],
  { cwd, encoding: 'utf8', env: { ...process.env, CARGO_PROFILE_RELEASE_OPT_LEVEL: opt } });

sh(`wasm_cargo build --release --target wasm32-unknown-unknown --target-dir "${TARGET}" 2>&1`);
const wasmFile = path.join(TARGET, 'crc.opt.wasm');
sh(`wasm-opt -O${opt === 'z' ? 'z' : opt} "${TARGET}/wasm32-unknown-unknown/release/crc_wasm_bench.wasm" -o "${wasmFile}"`);
const native = sh(`cargo run -q --release --example native --target-dir "${TARGET}" -- ${mib}`).trim().split('\n')
  .map((line) => line.split('\t')).map(([name, gbs, check]) => ({ name, gbs: Number(gbs), check }));

const browser = await launchChromium();
let wasm;
try {
  const page = await browser.newPage('about:blank', { ready: 'true' });
  wasm = await page.evaluate(async ({ b64, len, names }) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const { instance } = await WebAssembly.instantiate(bytes);
    const x = instance.exports;
    const ptr = x.buffer(len);
    return names.map(([name, fn]) => {
      const n = name === 'NoTable' ? len / 16 : len;
      const check = x[fn](ptr, 1 << 20).toString(16).padStart(16, '0');
      let best = Infinity;
      for (let i = 0; i < 5; i++) {
        const t0 = performance.now();
        x[fn](ptr, n);
        best = Math.min(best, performance.now() - t0);
      }
      return { name, gbs: n / (best / 1000) / 1e9, check };
    });
  }, { b64: readFileSync(wasmFile).toString('base64'), len: mib * 2 ** 20,
    names: [['Table<16>', 'crc64_table16'], ['Table<1>', 'crc64_table1'], ['NoTable', 'crc64_notable']] }, { timeoutMs: 300_000 });
  await page.close();
} finally {
  await browser.close();
}

const rows = native.map((nat) => {
  const w = wasm.find((v) => v.name === nat.name);
  if (w.check !== nat.check) throw new Error(`${nat.name}: wasm CRC ${w.check} ≠ native ${nat.check}`);
  return [nat.name + (nat.name === 'Table<16>' ? ' (the package)' : ''), nat.gbs.toFixed(3), w.gbs.toFixed(3), (w.gbs / nat.gbs).toFixed(2)];
});
console.log(`CRC-64/NVME over ${mib} MiB (GB = 10^9 bytes), ${browser.version} headless vs native (${process.arch}), opt-level "${opt}" + LTO; load average ${os.loadavg()[0].toFixed(1)}`);
console.log(formatTable(['variant', 'native GB/s', 'wasm GB/s', 'wasm / native'], rows));
if (args.core) console.log(`\ncargo bench --bench core (opt-level ${opt}):\n${sh('cargo bench -q --bench core 2>/dev/null', ROOT).trim()}`);
