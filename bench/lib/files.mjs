// Test data: fresh random bytes for every upload (Garage deduplicates identical 1 MiB blocks, so reused data would
// make the server's job easier for whoever goes second).
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';

export const KiB = 1024;
export const MiB = 1024 * KiB;
export const GiB = 1024 * MiB;

/** Writes `size` fresh random bytes to `file` and fsyncs it: no writeback of our own data during a timed upload. */
export function writeRandom(file, size) {
  const fd = openSync(file, 'w');
  try {
    for (let left = size; left > 0; left -= 8 * MiB) writeSync(fd, randomBytes(Math.min(left, 8 * MiB)));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return file;
}

/** Flushes everything (e.g. Garage's writes of the previous upload) before the next timed run starts. */
export const settle = () => execFileSync('sync');
