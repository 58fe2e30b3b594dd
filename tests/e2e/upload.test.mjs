// Uploads real files from the browser under test (every engine) to Garage and reads them back with a Node S3 client.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { MiB, objectDigest, startHarness } from '../support/e2e.mjs';

let h;
before(async () => { h = await startHarness(); });
after(() => h?.stop());

function assertProgress(progress, size) {
  assert.ok(progress.length > 0, 'no progress events');
  let last = 0;
  for (const p of progress) {
    assert.equal(p.totalBytes, size, 'totalBytes');
    assert.ok(p.bytesSent >= last, `progress went backwards: ${last} -> ${p.bytesSent}`);
    last = p.bytesSent;
  }
  assert.equal(last, size, 'progress did not reach totalBytes');
}

async function uploadAndVerify(name, size, options) {
  const file = h.randomFile(name, size);
  const key = `e2e/${name}`;
  const { result, error, progress } = await h.upload(file.path, { key, ...options });
  assert.equal(error, undefined, `upload failed: ${JSON.stringify(error)}`);
  assert.equal(result.size, size);
  assert.equal(result.key, key);
  assert.equal(result.bucket, h.garage.bucket);
  assert.ok(typeof result.etag === 'string' && result.etag.length > 0, `etag: ${result.etag}`);
  assertProgress(progress, size);
  const stored = await objectDigest(h.garage, key);
  assert.equal(stored.contentLength, size);
  assert.equal(stored.sha256, file.sha256, 'stored object differs from the file');
}

test('64 MiB in 8 MiB parts, 4 at a time, arrives byte-identical', { timeout: 180_000 }, () =>
  uploadAndVerify('random-64MiB.bin', 64 * MiB, { partSize: 8 * MiB, concurrency: 4 }));

test('odd size (13 MiB + 12345 B, 5 MiB parts) arrives byte-identical', { timeout: 120_000 }, () =>
  uploadAndVerify('odd-size.bin', 13 * MiB + 12345, { partSize: 5 * MiB, concurrency: 2 }));

test('empty file creates an empty object', { timeout: 60_000 }, async () => {
  const file = h.randomFile('empty.bin', 0);
  const { result, error } = await h.upload(file.path, { key: 'e2e/empty.bin' });
  assert.equal(error, undefined, `upload failed: ${JSON.stringify(error)}`);
  assert.equal(result.size, 0);
  const head = await h.garage.s3.send(new HeadObjectCommand({ Bucket: h.garage.bucket, Key: 'e2e/empty.bin' }));
  assert.equal(head.ContentLength, 0);
});
