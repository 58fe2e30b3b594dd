// The package's JS API end to end: events, several files sharing one concurrency limit, worker mode,
// backend-signed mode (through examples/server), and destroy() leaving the upload to resume. Worker mode runs in every
// engine, the rest in Chromium only.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { MiB, objectDigest, startHarness } from '../support/e2e.mjs';
import { crc64nvme } from '../support/crc64nvme.mjs';
import { firstPartBytesAfter, maxPartsInFlight } from '../support/faults.mjs';
import { startServer } from '../../examples/server/server.mjs';
import { readFileSync } from 'node:fs';
import { chromiumTest } from '../support/browsers/index.mjs';

const SMALL_PARTS = { minPartSize: MiB, partSize: MiB };

let h;
before(async () => {
  h = await startHarness({ proxy: true });
});
after(() => h?.stop());

async function assertStored(key, file) {
  const { sha256, contentLength } = await objectDigest(h.garage, key);
  assert.equal(contentLength, file.size);
  assert.equal(sha256, file.sha256, `${key} is not the file's bytes`);
}

const crcBase64 = (bytes) => {
  const crc = crc64nvme();
  crc.update(bytes);
  return crc.base64();
};

chromiumTest('events: every part once with its CRC, progress never moves back, the state ends done', { timeout: 120_000 }, async () => {
  const file = h.randomFile('events.bin', 3 * MiB + 12_345);
  const out = await h.upload(file.path, { key: 'pkg/events.bin', ...SMALL_PARTS });
  assert.ok(out.result, JSON.stringify(out.error));
  await assertStored('pkg/events.bin', file);

  const bytes = readFileSync(file.path);
  const parts = [...out.parts].sort((a, b) => a.partNumber - b.partNumber);
  assert.deepEqual(parts.map((p) => p.partNumber), [1, 2, 3, 4], 'each part told once');
  for (const p of parts) {
    const start = (p.partNumber - 1) * MiB;
    assert.equal(p.size, Math.min(MiB, file.size - start));
    assert.equal(p.checksum, crcBase64(bytes.subarray(start, start + p.size)), `part ${p.partNumber} CRC`);
    assert.equal(p.resumed, false);
    assert.equal(p.totalParts, 4);
  }
  assert.deepEqual(out.parts.map((p) => p.partsDone), [1, 2, 3, 4], 'partsDone counts up in the order told');
  const sent = out.progress.map((p) => p.bytesSent);
  assert.ok(sent.every((n, i) => i === 0 || n >= sent[i - 1]), 'bytesSent never decreases');
  assert.equal(out.progress.at(-1).bytesConfirmed, file.size);
  assert.equal(out.states.at(-1).state, 'done');
  assert.ok(!out.states.some((s) => s.state === 'queued'), 'a lone file never waits for a slot');
  assert.deepEqual(out.errors, [], 'no request failed');
});

chromiumTest('a retried error is told as retryable, and the upload still succeeds', { timeout: 120_000 }, async () => {
  const file = h.randomFile('retry.bin', 2 * MiB);
  h.proxy.rules([{ match: { action: 'UploadPart', partNumber: 2, times: 1 }, fault: { respond: { status: 503, code: 'SlowDown', message: 'Reduce your request rate.' } } }]);
  try {
    const out = await h.upload(file.path, { key: 'pkg/retry.bin', ...SMALL_PARTS });
    assert.ok(out.result, JSON.stringify(out.error));
    assert.deepEqual(out.errors.map(({ code, retryable }) => ({ code, retryable })), [{ code: 'SlowDown', retryable: true }]);
    assert.match(out.errors[0].message, /SlowDown/);
    await assertStored('pkg/retry.bin', file);
  } finally {
    h.proxy.rules([]);
  }
});

chromiumTest('files of one Uploader share its concurrency: never more parts in flight than the limit, later files queue', { timeout: 180_000 }, async () => {
  const files = ['a', 'b', 'c'].map((name) => h.randomFile(`queue-${name}.bin`, 4 * MiB));
  // Slow parts, so that all three files are under way at once.
  h.proxy.rules([{ match: { action: 'UploadPart' }, fault: { bandwidth: 4 * MiB } }]);
  h.proxy.resetStats();
  try {
    await h.page.setInputFiles('#file', files.map((f) => f.path));
    const outcome = await h.page.evaluate(async ({ endpoint, region, bucket }) => {
      const uploader = new window.Uploader({
        endpoint, region, bucket, forcePathStyle: true, concurrency: 2, minPartSize: 1 << 20, partSize: 1 << 20,
        credentials: () => fetch('/credentials').then((r) => r.json()),
      });
      const states = {};
      uploader.on('state', ({ state }, upload) => (states[upload.key] ??= []).push(state));
      const handles = [...document.getElementById('file').files].map((file) => uploader.start(file, { key: `pkg/queue/${file.name}` }));
      const running = uploader.uploads.length;
      const results = await Promise.all(handles.map((u) => u.done));
      return { states, running, left: uploader.uploads.length, results: results.map((r) => r.key) };
    }, { endpoint: h.endpoint, region: h.garage.region, bucket: h.garage.bucket });
    assert.equal(outcome.running, 3);
    assert.equal(outcome.left, 0, 'finished uploads leave uploader.uploads');
    const inFlight = maxPartsInFlight(h.proxy.stats().log);
    assert.ok(inFlight <= 2, `${inFlight} parts in flight at once with concurrency 2`);
    assert.equal(inFlight, 2, 'the limit is used');
    const queued = Object.values(outcome.states).filter((s) => s.includes('queued'));
    assert.ok(queued.length >= 1, `some file waited for a slot: ${JSON.stringify(outcome.states)}`);
    for (const file of files) await assertStored(`pkg/queue/${file.path.split('/').pop()}`, file);
  } finally {
    h.proxy.rules([]);
  }
});

test('worker mode: the upload runs in a Web Worker, with the same events and callbacks on the page', { timeout: 120_000 }, async () => {
  const file = h.randomFile('worker.bin', 5 * MiB + 7);
  const startedBefore = { page: await h.page.evaluate(() => window.harnessWorkers.length), browser: h.workersSeen?.().length };
  const out = await h.upload(file.path, { key: 'pkg/worker.bin', worker: true, ...SMALL_PARTS });
  assert.ok(out.result, JSON.stringify(out.error));
  await assertStored('pkg/worker.bin', file);
  const started = (await h.page.evaluate(() => window.harnessWorkers)).slice(startedBefore.page);
  assert.equal(started.length, 1, `one dedicated worker was started: ${started}`);
  // Where the driver reports workers (not WebKit's), the browser agrees.
  if (h.workersSeen) assert.deepEqual(h.workersSeen().slice(startedBefore.browser), started, 'the worker the browser started');
  assert.ok(out.credentialCalls.length >= 1, 'the credentials callback ran on the page');
  assert.equal(out.parts.length, 6);
  assert.equal(out.progress.at(-1).bytesConfirmed, file.size);
  assert.equal(out.states.at(-1).state, 'done');
  assert.equal(out.result.checksumAlgorithm, 'CRC64NVME');
});

test('worker mode: pause and resume reach the worker', { timeout: 120_000 }, async () => {
  const file = h.randomFile('worker-pause.bin', 6 * MiB);
  h.proxy.rules([{ match: { action: 'UploadPart' }, fault: { bandwidth: 2 * MiB } }]);
  try {
    await h.start(file.path, { key: 'pkg/worker-pause.bin', worker: true, concurrency: 1, ...SMALL_PARTS });
    await h.page.waitForFunction(() => window.harnessLive.parts.length >= 1, null, { timeout: 30_000 });
    await h.handle('pause');
    await h.page.waitForFunction(() => window.harnessLive.states.at(-1)?.state === 'paused', null, { timeout: 10_000 });
    const partsWhenPaused = (await h.live()).parts.length;
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal((await h.live()).parts.length, partsWhenPaused, 'nothing finishes while paused');
    h.proxy.rules([]);
    await h.handle('resume');
    const out = await h.outcome();
    assert.ok(out.result, JSON.stringify(out.error));
    await assertStored('pkg/worker-pause.bin', file);
  } finally {
    h.proxy.rules([]);
  }
});

// Chromium's offline emulation (context.setOffline) does not reach dedicated workers: their requests still go out.
// The outage is made at the proxy instead (every connection reset), as on a Wi-Fi without a way out.
test('worker mode: a network outage stops the upload and it goes on by itself when the way out is back', { timeout: 120_000 }, async () => {
  const file = h.randomFile('worker-outage.bin', 6 * MiB);
  const slow = { match: { action: 'UploadPart' }, fault: { bandwidth: 2 * MiB } };
  h.proxy.rules([slow]);
  try {
    await h.start(file.path, { key: 'pkg/worker-outage.bin', worker: true, concurrency: 2, ...SMALL_PARTS });
    await h.page.waitForFunction(() => window.harnessLive.parts.length >= 1, null, { timeout: 30_000 });
    h.proxy.rules([{ match: {}, fault: { resetAfterBytes: 0 } }]);
    h.proxy.cutAll();
    await h.page.waitForFunction(() => window.harnessLive.states.at(-1)?.state === 'retrying', null, { timeout: 10_000 });
    const partsCutOff = (await h.live()).parts.length;
    await new Promise((resolve) => setTimeout(resolve, 5000));
    assert.equal((await h.live()).parts.length, partsCutOff, 'nothing finishes without a way out');
    const back = h.proxy.now();
    h.proxy.rules([slow]);
    const out = await h.outcome();
    assert.ok(out.result, JSON.stringify(out.error));
    await assertStored('pkg/worker-outage.bin', file);
    assert.equal(out.states.at(-1).state, 'done');
    const recovery = firstPartBytesAfter(h.proxy.stats().log, back);
    assert.ok(recovery !== null && recovery < 5_000, `parts again ${recovery} ms after the way back (probes every 2 s)`);
  } finally {
    h.proxy.rules([]);
  }
});

chromiumTest('backend-signed mode: examples/server signs every request, the browser holds no secret', { timeout: 120_000 }, async () => {
  const file = h.randomFile('signed.bin', 3 * MiB + 1);
  const signer = await startServer({
    endpoint: h.endpoint, region: h.garage.region, bucket: h.garage.bucket, prefix: 'signed/', forcePathStyle: true,
    signWith: { accessKeyId: h.garage.accessKeyId, secretAccessKey: h.garage.secretAccessKey },
    allowedOrigin: h.server.url,
  });
  try {
    const out = await h.upload(file.path, { key: 'signed/file.bin', signUrl: `${signer.url}/sign`, ...SMALL_PARTS });
    assert.ok(out.result, JSON.stringify(out.error));
    await assertStored('signed/file.bin', file);
    assert.equal(out.credentialCalls.length, 0, 'no credentials were asked for');
    // ListMultipartUploads, HeadObject, Create, 4 parts, Complete.
    assert.ok(out.signCalls.length >= 8, `${out.signCalls.length} requests signed by the backend`);
    const storage = JSON.stringify(await h.page.evaluate(() => window.readStorage()));
    assert.ok(!storage.includes(h.garage.secretAccessKey), 'no secret in the browser storage');

    // The backend refuses keys outside its prefix: the upload fails with the sign callback's error, not a hang.
    const refused = await h.upload(file.path, { key: 'elsewhere/file.bin', signUrl: `${signer.url}/sign`, ...SMALL_PARTS });
    assert.equal(refused.error?.code, 'SigningFailed', JSON.stringify(refused.error));
    assert.match(refused.error.message, /sign callback failed/);
  } finally {
    await signer.stop();
  }
});

chromiumTest('destroy() ends the uploads with Stopped and leaves them on the server: the same file resumes', { timeout: 120_000 }, async () => {
  const file = h.randomFile('destroy.bin', 6 * MiB);
  h.proxy.rules([{ match: { action: 'UploadPart' }, fault: { bandwidth: 2 * MiB } }]);
  try {
    await h.page.setInputFiles('#file', file.path);
    const stopped = await h.page.evaluate(async ({ endpoint, region, bucket }) => {
      const file = document.getElementById('file').files[0];
      const uploader = new window.Uploader({
        endpoint, region, bucket, forcePathStyle: true, concurrency: 1, minPartSize: 1 << 20, partSize: 1 << 20,
        credentials: () => fetch('/credentials').then((r) => r.json()),
      });
      const upload = uploader.start(file, { key: 'pkg/destroy.bin' });
      await new Promise((resolve) => upload.on('part', ({ partsDone }) => partsDone >= 2 && resolve()));
      await uploader.destroy();
      return upload.done.then(() => ({ code: 'resolved' }), (e) => ({ code: e.code, name: e.name }));
    }, { endpoint: h.endpoint, region: h.garage.region, bucket: h.garage.bucket });
    assert.deepEqual(stopped, { code: 'Stopped', name: 'UploadError' });
    h.proxy.rules([]);
    const out = await h.upload(file.path, { key: 'pkg/destroy.bin', concurrency: 1, ...SMALL_PARTS });
    assert.ok(out.result, JSON.stringify(out.error));
    assert.ok(out.result.resumedParts >= 2, `resumed ${out.result.resumedParts} parts`);
    assert.ok(out.parts.filter((p) => p.resumed).length >= 2, 'resumed parts are told with resumed: true');
    await assertStored('pkg/destroy.bin', file);
  } finally {
    h.proxy.rules([]);
  }
});
