#!/usr/bin/env node
// The loopback throughput of resumable-s3 against raw curl (the command the top-level README quotes): now the
// throughput scenario of bench/run.mjs with only resumable-s3 in the browser. Flags are passed on, e.g.
//   node bench/loopback.mjs --size-mib 512 --rounds 3
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const run = fileURLToPath(new URL('./run.mjs', import.meta.url));
const { status, signal } = spawnSync(process.execPath, [run, '--only', 'throughput', '--peers', 'resumable-s3', ...process.argv.slice(2)],
  { stdio: 'inherit' });
process.exit(status ?? (signal ? 1 : 0));
