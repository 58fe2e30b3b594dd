#!/usr/bin/env node
// Side-by-side benchmark of resumable-s3 and its peers (@aws-sdk/lib-storage, @uppy/aws-s3, Amplify Storage, a bare-XHR
// floor, raw curl) in headless Chromium against one real local Garage. See bench/README.md; results in bench/RESULTS.md.
//
//   node bench/run.mjs [--quick] [--only throughput,memory,slow-link,recovery,resume,size] [--peers resumable-s3,lib-storage,uppy,amplify,xhr-floor]
//                      [--harness DIR] [--pkg DIR] [--rounds N] [--size-mib N] [--json FILE]
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { execFileSync } from 'node:child_process';
import { startEnv } from './lib/env.mjs';
import { GiB, KiB, MiB } from './lib/files.mjs';
import { formatTable } from './lib/stats.mjs';
import amplify from './peers/amplify.mjs';
import libStorage from './peers/lib-storage.mjs';
import resumableS3, { resumableS3NoChecksums } from './peers/resumable-s3.mjs';
import uppy from './peers/uppy.mjs';
import xhrFloor, { xhrFloorRead } from './peers/xhr-floor.mjs';
import { memory } from './scenarios/memory.mjs';
import { recovery } from './scenarios/recovery.mjs';
import { resume } from './scenarios/resume.mjs';
import { packageSize } from './scenarios/size.mjs';
import { slowLink } from './scenarios/slow-link.mjs';
import { throughput } from './scenarios/throughput.mjs';

const SCENARIOS = { throughput, memory, 'slow-link': slowLink, recovery, resume, size: packageSize };
// A peer with `scenarios` runs only in those (the floor: throughput; Amplify: not where its failure would only wait).
const PEERS = [resumableS3, libStorage, uppy, amplify, xhrFloor];
// Diagnostic columns (never a target's "best peer"): resumable-s3 without its per-part checksums (what they cost),
// the floor with in-memory part bodies (what reading once would cost or save).
const VARIANTS = [resumableS3NoChecksums, xhrFloorRead];

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean' },
    only: { type: 'string' },
    peers: { type: 'string' },
    harness: { type: 'string' },
    pkg: { type: 'string' },
    rounds: { type: 'string' },
    'size-mib': { type: 'string' },
    'part-mib': { type: 'string' },
    concurrency: { type: 'string' },
    json: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (args.help) {
  console.log(readUsage());
  process.exit(0);
}
function readUsage() {
  return 'node bench/run.mjs [--quick] [--only a,b] [--peers a,b] [--harness DIR] [--pkg DIR] [--rounds N] [--size-mib N] '
    + `[--part-mib N] [--concurrency N] [--json FILE]\nscenarios: ${Object.keys(SCENARIOS).join(', ')}; peers: ${[...PEERS, ...VARIANTS].map((p) => p.name).join(', ')}`;
}
const int = (name, fallback) => {
  if (args[name] === undefined) return fallback;
  const n = Number(args[name]);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got ${args[name]}`);
  return n;
};

const partSize = int('part-mib', 8) * MiB;
const concurrency = int('concurrency', 4);
const quick = Boolean(args.quick);
const cfg = {
  // Run beside the peers in the throughput and memory scenarios (a diagnostic column, never a "peer" in a target).
  diagnostics: args.peers ? [] : VARIANTS,
  peers: args.peers ? args.peers.split(',').map((n) => [...PEERS, ...VARIANTS].find((p) => p.name === n) ?? fail(`unknown peer ${n}`)) : PEERS,
  pkg: args.pkg && path.resolve(args.pkg),
  throughput: { size: int('size-mib', quick ? 128 : 512) * MiB, rounds: int('rounds', quick ? 1 : 3), partSize, concurrency },
  memory: { sizes: quick ? [256 * MiB] : [512 * MiB, 4 * GiB], partSize, concurrency },
  slowLink: { size: (quick ? 16 : 32) * MiB, rounds: quick ? 1 : 2, rate: 1e6, latencyMs: 100, partSize, concurrency },
  recovery: { size: (quick ? 16 : 32) * MiB, rate: 4e6, offlineMs: quick ? 5000 : 20_000, partSize, concurrency, timeoutMs: 120_000 },
  resume: {
    size: 64 * MiB, partSize, concurrency, perPartRate: 4 * MiB, timeoutMs: 180_000,
    // More than 2,000 parts held at the reload: the resume reads three ListParts pages (1,000 a page).
    manyParts: quick ? null : { count: 4200, part: 16 * KiB },
  },
};
if (!cfg.peers.some((p) => p.name === 'resumable-s3')) fail('--peers must include resumable-s3 (every ratio is against it)');
const only = args.only ? args.only.split(',') : Object.keys(SCENARIOS);
for (const name of only) if (!SCENARIOS[name]) fail(`unknown scenario ${name}: ${Object.keys(SCENARIOS).join(', ')}`);

function fail(message) {
  console.error(message);
  process.exit(2);
}

const log = (line) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
const started = Date.now();
const load0 = os.loadavg();
const env = await startEnv({ harnessDist: args.harness && path.resolve(args.harness) });
const sections = [];
try {
  const v = env.versions();
  const cpus = os.cpus();
  const tree = execFileSync('git', ['describe', '--always', '--dirty'], { encoding: 'utf8', cwd: new URL('..', import.meta.url) }).trim();
  const header = [
    `command: node bench/run.mjs ${process.argv.slice(2).join(' ')}`.trimEnd(),
    `resumable-s3 measured: harness page ${args.harness ?? 'tests/e2e/harness/dist'} with ${env.site.wasm}; tree at ${tree}`,
    `${v.chromium} headless (/usr/bin/chromium over a DevTools pipe), ${v.garage}, ${v.curl.split(' ').slice(0, 2).join(' ')}, Node ${v.node}`,
    `machine: ${cpus.length} cores (${cpus[0]?.model ?? '?'}), ${Math.round(os.totalmem() / GiB)} GiB RAM; load average at start ${load0.map((x) => x.toFixed(2)).join(' ')}`,
  ];
  for (const line of header) log(line);
  for (const name of only) {
    const t0 = Date.now();
    const load = os.loadavg()[0];
    try {
      const runsHere = (p) => !p.scenarios || p.scenarios.includes(name);
      const section = await SCENARIOS[name](env, { ...cfg, peers: cfg.peers.filter(runsHere), diagnostics: cfg.diagnostics.filter(runsHere) }, log);
      section.notes.push(`took ${((Date.now() - t0) / 1000).toFixed(0)} s; load average ${load.toFixed(1)} → ${os.loadavg()[0].toFixed(1)}`);
      sections.push(section);
      console.log(`\n${render(section)}\n`);
    } catch (err) {
      log(`scenario ${name} failed: ${err.stack ?? err}`);
      sections.push({ title: `${name}: scenario failed`, columns: [''], rows: [], notes: [String(err.message ?? err)] });
    }
  }
  const footer = `total ${((Date.now() - started) / 60_000).toFixed(1)} min; load average at the end ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`;
  console.log(`\n======== resumable-s3 vs peers ========\n${header.join('\n')}\n`);
  for (const s of sections) console.log(`${render(s)}\n`);
  console.log(footer);
  if (args.json) writeFileSync(args.json, JSON.stringify({ header, footer, sections }, (k, val) => (k === 'progress' ? undefined : val), 2));
} finally {
  await env.stop();
}

function render(section) {
  return [`## ${section.title}`, section.rows.length ? formatTable(section.columns, section.rows) : '', ...section.notes.map((n) => `- ${n}`)]
    .filter(Boolean).join('\n');
}
