// Nothing hangs (issue 15): bad input is refused before any request with a typed error, a local failure is never
// taken for the network, and callbacks or a browser store that never answer are waited for a bounded time.
// Real Chromium, real Garage behind the fault proxy (which counts what reached the server).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { MiB, objectDigest, startHarness } from '../support/e2e.mjs';
import { maxPartsInFlight } from '../support/faults.mjs';

let h, file;
before(async () => {
  h = await startHarness({ proxy: true });
  file = h.randomFile('small.bin', 64 * 1024);
});
after(() => h?.stop());

/** Runs `body(opts)` in the page with the file selected and this Garage's options; its result comes back. */
async function inPage(body, extra = {}) {
  await h.page.setInputFiles('#file', file.path);
  const opts = { endpoint: h.endpoint, region: h.garage.region, bucket: h.garage.bucket, forcePathStyle: true, ...extra };
  return h.page.evaluate(`(${body})(${JSON.stringify(opts)})`);
}

/** The requests the proxy saw while `run` ran (preflights included). */
async function requestsDuring(run) {
  h.proxy.resetStats();
  const out = await run();
  return { out, requests: h.proxy.stats().log.map((e) => e.action) };
}

test('a contentType the browser cannot send is refused with InvalidOptions before any request', { timeout: 30_000 }, async () => {
  const { out, requests } = await requestsDuring(() => h.upload(file.path, { key: 'nohang/ct.bin', contentType: 'text/plain; name=prix-5-€' }));
  assert.equal(out.error?.code, 'InvalidOptions', JSON.stringify(out.error));
  assert.match(out.error.message, /contentType must be printable ASCII/);
  assert.deepEqual(out.errors.filter((e) => e.retryable), [], 'nothing was retried');
  assert.deepEqual(requests, [], 'no request went out');
});

test('a request the browser refuses to build is a BrowserRefused error at once, not a network error retried', { timeout: 30_000 }, async () => {
  // The sign callback hands back a header value outside ISO-8859-1: Headers.append throws in the real browser.
  const { out, requests } = await requestsDuring(() => inPage(async (opts) => {
    const sign = async ({ headers }) => ({ headers: { ...headers, authorization: 'AWS4-HMAC-SHA256 x', 'x-amz-meta-note': 'prix 5 €' } });
    const errors = [];
    const started = performance.now();
    const uploader = new window.Uploader({ ...opts, sign });
    const handle = uploader.start(document.getElementById('file').files[0], { key: 'nohang/refused.bin', onError: (e) => errors.push(e) });
    const error = await handle.done.then(() => null, (e) => ({ code: e.code, message: e.message }));
    return { error, errors, ms: performance.now() - started };
  }));
  assert.equal(out.error?.code, 'BrowserRefused', JSON.stringify(out.error));
  assert.match(out.error.message, /the browser refused to send a request/);
  assert.deepEqual(out.errors.map((e) => [e.code, e.retryable]), [['BrowserRefused', false]], 'told once, not retried');
  assert.ok(out.ms < 3000, `took ${Math.round(out.ms)} ms`);
  assert.deepEqual(requests, [], 'nothing reached the server');
});

test("start('not a file') throws InvalidOptions at once; upload() rejects", { timeout: 30_000 }, async () => {
  const out = await inPage(async (opts) => {
    const uploader = new window.Uploader({ ...opts, credentials: () => fetch('/credentials').then((r) => r.json()) });
    const caught = (fn) => { try { fn(); return null; } catch (e) { return { name: e.name, code: e.code, message: e.message }; } };
    const thrown = caught(() => uploader.start('not a file', { key: 'nohang/x.bin' }));
    const rejected = await uploader.upload({ size: 3 }, { key: 'nohang/x.bin' }).then(() => null, (e) => ({ code: e.code, message: e.message }));
    return { thrown, rejected, running: uploader.uploads.length };
  });
  assert.deepEqual([out.thrown?.name, out.thrown?.code], ['UploadError', 'InvalidOptions'], JSON.stringify(out.thrown));
  assert.match(out.thrown.message, /file must be a File or Blob, got string/);
  assert.equal(out.rejected?.code, 'InvalidOptions', JSON.stringify(out.rejected));
  assert.match(out.rejected.message, /got Object/);
  assert.equal(out.running, 0, 'no handle was left behind');
});

test('new Uploader(badOptions) throws InvalidOptions at once, page and worker mode, before the wasm is even fetched', { timeout: 30_000 }, async () => {
  await h.page.reload();
  const { out, requests } = await requestsDuring(() => inPage(async (opts) => {
    const credentials = () => fetch('/credentials').then((r) => r.json());
    const base = { ...opts, credentials };
    const cases = {
      'a typo': [{ ...base, concurency: 2 }, "unknown option 'concurency'"],
      'an endpoint without scheme': [{ ...base, endpoint: 'localhost:3900' }, 'endpoint must start with http:// or https://'],
      'credentials and sign': [{ ...base, sign: credentials }, 'give exactly one of credentials'],
      'neither credentials nor sign': [{ ...opts }, 'give exactly one of credentials'],
      'an empty bucket': [{ ...base, bucket: '' }, 'region and bucket must be non-empty strings'],
      'concurrency 1e9': [{ ...base, concurrency: 1e9 }, 'concurrency 1000000000 is more than 16'],
      'a fractional partSize': [{ ...base, partSize: 5 * 2 ** 20 + 0.5 }, 'partSize must be a whole number of at least 1'],
      'a negative serverRetries': [{ ...base, serverRetries: -1 }, 'serverRetries must be a whole number of at least 0'],
      "checksums: 'yes'": [{ ...base, checksums: 'yes' }, "checksums must be true, false, 'auto', 'required' or 'off', got 'yes'"],
      'an unknown checksumAlgorithm': [{ ...base, checksumAlgorithm: 'MD5' }, "checksumAlgorithm must be 'CRC64NVME', 'CRC32C' or 'CRC32'"],
      "ifExists: 'skip'": [{ ...base, ifExists: 'skip' }, "ifExists must be 'overwrite' or 'error'"],
      "resume: 'no'": [{ ...base, resume: 'no' }, 'resume must be true or false'],
    };
    const wasmFetched = () => performance.getEntriesByType('resource').filter((e) => e.name.endsWith('.wasm')).length;
    const fetchedBefore = wasmFetched();
    const results = {};
    for (const [what, [options, message]] of Object.entries(cases)) {
      for (const worker of [false, true]) {
        let thrown = null;
        try {
          new window.Uploader({ ...options, worker });
        } catch (e) {
          thrown = { name: e.name, code: e.code, message: e.message };
        }
        results[`${what}${worker ? ' (worker)' : ''}`] = { thrown, expected: message };
      }
    }
    return { results, fetchedBefore, fetchedAfter: wasmFetched() };
  }));
  for (const [what, { thrown, expected }] of Object.entries(out.results)) {
    assert.deepEqual([thrown?.name, thrown?.code], ['UploadError', 'InvalidOptions'], `${what}: ${JSON.stringify(thrown)}`);
    assert.ok(thrown.message.includes(expected), `${what}: ${thrown.message}`);
  }
  assert.equal(out.fetchedAfter, out.fetchedBefore, 'the checks ran without the wasm');
  assert.deepEqual(requests.filter((r) => r !== 'other'), [], 'no request reached the server');
});

test('an unknown option name (a typo) is reported, in new Uploader() and in start()', { timeout: 30_000 }, async () => {
  const { out, requests } = await requestsDuring(async () => ({
    uploader: await h.upload(file.path, { key: 'nohang/typo.bin', concurency: 2 }),
    start: await inPage(async (opts) => {
      const uploader = new window.Uploader({ ...opts, credentials: () => fetch('/credentials').then((r) => r.json()) });
      const file = document.getElementById('file').files[0];
      return uploader.upload(file, { key: 'nohang/typo.bin', contentTyp: 'text/plain' })
        .then(() => ({}), (e) => ({ error: { code: e.code, message: e.message } }));
    }),
  }));
  assert.equal(out.uploader.error?.code, 'InvalidOptions', JSON.stringify(out.uploader.error));
  assert.match(out.uploader.error.message, /new Uploader\(options\): unknown option 'concurency' \(the options are endpoint, region, bucket, /);
  assert.equal(out.start.error?.code, 'InvalidOptions', JSON.stringify(out.start.error));
  assert.match(out.start.error.message, /start\(file, options\): unknown option 'contentTyp'/);
  assert.deepEqual(requests, [], 'no request went out');
});

test('concurrency: 1e9 is refused with InvalidOptions that explains the browser limit', { timeout: 30_000 }, async () => {
  const out = await h.upload(file.path, { key: 'nohang/many.bin', concurrency: 1e9, minPartSize: MiB, partSize: MiB });
  assert.equal(out.error?.code, 'InvalidOptions', JSON.stringify(out.error));
  assert.match(out.error.message, /concurrency 1000000000 is more than 16: a browser opens 6 connections to one host/);
});

test('parts the browser holds back beyond its 6 connections to a host raise no false Stalled errors', { timeout: 90_000 }, async () => {
  // 16 parts in flight by concurrency, 6 on the wire: each part takes ~2 s, so the last 4 wait ~4 s for a
  // connection, longer than the 3 s stall timeout. The watchdog must count from a part's first bytes, not its signing.
  const big = h.randomFile('queued.bin', 16 * MiB);
  h.proxy.rules([{ match: { action: 'UploadPart' }, fault: { bandwidth: MiB / 2 } }]);
  h.proxy.resetStats();
  try {
    const out = await h.upload(big.path, { key: 'nohang/queued.bin', concurrency: 16, stallTimeoutMs: 3000, minPartSize: MiB, partSize: MiB });
    assert.ok(out.result, JSON.stringify(out.error));
    const { log } = h.proxy.stats();
    assert.ok(maxPartsInFlight(log) <= 6, 'the browser kept the others back');
    assert.deepEqual(out.errors.map((e) => e.code), [], 'no request failed, none was called stalled');
    assert.equal(log.filter((e) => e.action === 'UploadPart').length, 16, 'every part sent once');
    assert.equal((await objectDigest(h.garage, 'nohang/queued.bin')).sha256, big.sha256);
  } finally {
    h.proxy.rules([]);
  }
});

/** Starts one upload in the page with `callbacks` (source text of an object with credentials or sign) and resolves
 *  to { error, errors, states, ms, credentialCalls }. */
function withCallbacks(callbacks, options) {
  return inPage(`async (opts) => {
    const calls = [];
    const real = () => fetch('/credentials').then((r) => r.json());
    const uploader = new window.Uploader({ ...opts, ...(${callbacks}) });
    const errors = [], states = [];
    const started = performance.now();
    const handle = uploader.start(document.getElementById('file').files[0], {
      key: 'nohang/callback.bin', onError: (e) => errors.push(e), onState: (s) => states.push(s.state) });
    const error = await handle.done.then(() => null, (e) => ({ code: e.code, message: e.message }));
    return { error, errors, states, calls: calls.length, ms: performance.now() - started };
  }`, options);
}

test('a credentials callback that never settles is timed out, retried, shown as waiting, then CredentialsFailed', { timeout: 60_000 }, async () => {
  const out = await withCallbacks('{ credentials: () => { calls.push(1); return new Promise(() => {}); } }', { callbackTimeoutMs: 1500 });
  assert.equal(out.error?.code, 'CredentialsFailed', JSON.stringify(out.error));
  assert.match(out.error.message, /did not answer within 1500 ms \(callbackTimeoutMs\)/);
  assert.ok(out.errors.filter((e) => e.retryable && e.code === 'CredentialsFailed').length >= 1, JSON.stringify(out.errors));
  assert.ok(out.calls >= 2, `the callback was asked again: ${out.calls} calls`);
  assert.ok(out.states.includes('waiting-for-credentials'), `states ${out.states}`);
  assert.equal(out.states.at(-1), 'failed');
});

test('a credentials callback that hangs once is asked again and the upload goes on', { timeout: 60_000 }, async () => {
  const out = await withCallbacks('{ credentials: () => (calls.push(1) === 1 ? new Promise(() => {}) : real()) }', { callbackTimeoutMs: 2000 });
  assert.equal(out.error, null, JSON.stringify(out.error));
  assert.deepEqual(out.errors.map((e) => [e.code, e.retryable]), [['CredentialsFailed', true]], JSON.stringify(out.errors));
  assert.equal(out.calls, 2);
});

test('a sign callback that never settles ends as SigningFailed, never a hang', { timeout: 60_000 }, async () => {
  const out = await withCallbacks('{ sign: () => { calls.push(1); return new Promise(() => {}); } }', { callbackTimeoutMs: 500 });
  assert.equal(out.error?.code, 'SigningFailed', JSON.stringify(out.error));
  assert.match(out.error.message, /did not answer within 500 ms/);
  assert.ok(out.calls >= 2, `asked again: ${out.calls}`);
});
