// Checks and measurements shared by the fault, chaos, resume and huge-file tests.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, afterEach, before } from 'node:test';
import { objectDigest, startHarness } from './e2e.mjs';
import { partsResentAfterConfirmation } from './fault-proxy.mjs';

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `condition` (sync or async) every 20 ms until it returns something truthy, and returns that. */
export async function waitFor(condition, { timeout = 30_000, what = 'condition' } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await condition();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await sleep(20);
  }
}

/** The states the app saw, consecutive repeats folded: ['uploading', 'retrying', 'uploading', 'done']. */
export const stateNames = (states) => states.map((s) => s.state).filter((s, i, all) => i === 0 || all[i - 1] !== s);

/**
 * What every fault test demands of a finished upload: it succeeded, the object reads back byte-identical, no part
 * S3 had confirmed was sent again (counted at the proxy), progress never went backwards and reached the end, and
 * the states started with uploading, ended with done and never said failed. Returns the proxy's stats.
 */
export async function assertSurvived(h, run, file, key) {
  const states = stateNames(run.states ?? []);
  assert.equal(run.error, undefined, `upload failed: ${JSON.stringify(run.error)}; states ${JSON.stringify(run.states)}`);
  assert.equal(run.result.size, file.size);
  const stored = await objectDigest(h.garage, key);
  assert.equal(stored.contentLength, file.size, 'stored size');
  assert.equal(stored.sha256, file.sha256, 'stored object differs from the file');
  const stats = h.proxy.stats();
  assert.deepEqual(partsResentAfterConfirmation(stats), [], 'a part S3 had confirmed was sent again');
  let sent = 0;
  let confirmed = 0;
  for (const p of run.progress) {
    assert.ok(p.bytesSent >= sent, `bytesSent went backwards: ${sent} -> ${p.bytesSent}`);
    assert.ok(p.bytesConfirmed >= confirmed, `bytesConfirmed went backwards: ${confirmed} -> ${p.bytesConfirmed}`);
    assert.ok(p.bytesConfirmed <= p.bytesSent, `confirmed ${p.bytesConfirmed} > sent ${p.bytesSent}`);
    sent = p.bytesSent;
    confirmed = p.bytesConfirmed;
  }
  assert.equal(sent, file.size, 'bytesSent did not reach the size');
  assert.equal(confirmed, file.size, 'bytesConfirmed did not reach the size');
  assert.equal(states[0], 'uploading', `states: ${states}`);
  assert.equal(states.at(-1), 'done', `states: ${states}`);
  assert.ok(!states.includes('failed'), `states: ${states}`);
  return stats;
}

/**
 * From a proxy log: how long after `at` (proxy time) the first part bytes of a request started at or after `at`
 * reached the proxy; `partNumber` narrows it to one part. null if none.
 */
export function firstPartBytesAfter(log, at, partNumber) {
  const next = log.filter((e) => e.action === 'UploadPart' && e.t >= at && e.tFirstByte !== null
    && (partNumber === undefined || e.partNumber === partNumber));
  if (!next.length) return null;
  return Math.min(...next.map((e) => e.tFirstByte)) - at;
}

/** Most UploadPart requests open at the proxy at once among those that started in [from, to). */
export function maxPartsInFlight(log, from = -Infinity, to = Infinity) {
  const parts = log.filter((e) => e.action === 'UploadPart');
  let max = 0;
  for (const e of parts) {
    if (e.t < from || e.t >= to) continue;
    const open = parts.filter((o) => o.t <= e.t && (o.tEnd === null || o.tEnd > e.t)).length;
    max = Math.max(max, open);
  }
  return max;
}

/** Rounds milliseconds for printing. */
export const ms = (value) => (value === null || value === undefined ? 'n/a' : `${Math.round(value)} ms`);

/** Short text of the log for failure messages: "t action#part status outcome fault". */
export const logText = (log) => log.filter((e) => e.action !== 'Preflight')
  .map((e) => `${Math.round(e.t)}-${e.tEnd === null ? '?' : Math.round(e.tEnd)} ${e.action}${e.partNumber ? `#${e.partNumber}` : ''} `
    + `${e.status ?? '-'} ${e.outcome} ${e.bytesIn}B${e.fault ? ` [${e.fault}]` : ''}`).join('\n');

/**
 * One harness with the fault proxy for a test file, handed to `use(h, dir)` once started; after each test the proxy's
 * rules and stats are reset and the browser is back online. By default keepAlive: false, so that a single reset
 * reaches the page (Chromium silently resends a request that failed on a reused keep-alive connection once).
 * `reload`: reload the page after each test (whatever a failed test left running dies with it); `tempDir`: a
 * temporary folder with this name prefix for the test files, removed at the end; `profile`: the proxy answers as that
 * store does (e.g. awsProfile() of ./aws-profile.mjs).
 */
export function useFaultHarness(use, { keepAlive = false, reload = false, tempDir, profile } = {}) {
  let h;
  let dir;
  before(async () => {
    h = await startHarness({ proxy: { keepAlive, profile } });
    if (tempDir) dir = mkdtempSync(path.join(os.tmpdir(), tempDir));
    use(h, dir);
  });
  after(async () => {
    await h?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  afterEach(async () => {
    h.proxy.clearRules();
    h.proxy.resetStats();
    await h.setOffline?.(false);
    if (reload) await h.reload();
  });
}
