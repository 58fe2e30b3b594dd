// Files that change or vanish on disk, and one file uploaded twice: headless Chromium → fault proxy (slowing the
// parts so each step has time) → real Garage, real files on disk that the test deletes or rewrites mid-upload.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { HeadObjectCommand, ListMultipartUploadsCommand, PutBucketCorsCommand } from '@aws-sdk/client-s3';
import { putBucketCors } from '../support/garage.mjs';
import { MiB, objectDigest } from '../support/e2e.mjs';
import { logText, ms, useFaultHarness, waitFor } from '../support/faults.mjs';

let h;
useFaultHarness((harness) => { h = harness; }, { reload: true });

let fileNumber = 0;
function fileAndKey(name, size) {
  fileNumber += 1;
  return { file: h.randomFile(`${fileNumber}-${name}`, size), key: `files/${fileNumber}-${name}` };
}

// Each part takes about a second at the proxy: the test acts between parts.
const slowParts = () => h.proxy.rules([{ match: { action: 'UploadPart' }, fault: { bandwidth: 5 * MiB } }]);
const options = { partSize: 5 * MiB, concurrency: 1 };

/** The upload's outcome, or a failure after `timeout` ms (on main these uploads retried forever). */
async function outcomeWithin(timeout) {
  const outcome = h.outcome();
  const late = new Promise((resolve) => { setTimeout(() => resolve({ late: true }), timeout); });
  const run = await Promise.race([outcome, late]);
  assert.ok(!run.late, `no outcome within ${timeout} ms; states ${JSON.stringify((await h.live()).states)}`);
  return run;
}

const partsHeld = async (n) => waitFor(async () => (await h.live()).parts.length >= n, { what: `${n} part(s) held` });

async function uploadsOf(key) {
  const out = await h.garage.s3.send(new ListMultipartUploadsCommand({ Bucket: h.garage.bucket, Prefix: key }));
  return (out.Uploads ?? []).filter((u) => u.Key === key);
}

const objectMissing = async (key) => assert.rejects(
  h.garage.s3.send(new HeadObjectCommand({ Bucket: h.garage.bucket, Key: key })), /NotFound/, `no object at ${key}`);

/** Rewrites the file with other bytes of the same size and puts its modification time back to the nanosecond:
 *  Chromium, which checks only the time, then reads the new bytes without complaint. */
function overwriteKeepingMtime(path, size) {
  copyFileSync(path, `${path}.time`);
  execFileSync('touch', ['-r', path, `${path}.time`]);
  writeFileSync(path, randomBytes(size));
  execFileSync('touch', ['-r', `${path}.time`, path]);
}

test('a file deleted mid-upload ends within seconds as FileUnreadable, its finished parts kept', { timeout: 60_000 }, async (t) => {
  const { file, key } = fileAndKey('deleted.bin', 20 * MiB);
  slowParts();
  await h.start(file.path, { key, ...options });
  await partsHeld(1);
  unlinkSync(file.path);
  const deletedAt = performance.now();
  const run = await outcomeWithin(15_000);
  const tookMs = performance.now() - deletedAt;
  assert.equal(run.error?.code, 'FileUnreadable', JSON.stringify(run.error));
  assert.match(run.error.message, /choose it again/);
  assert.ok(tookMs < 10_000, `ended ${ms(tookMs)} after the deletion`);
  assert.equal(run.states.at(-1).state, 'failed');
  const [upload] = await uploadsOf(key);
  assert.ok(upload, 'the unfinished upload stays, to resume when the file is chosen again');
  t.diagnostic(`deleted mid-upload: FileUnreadable ${ms(tookMs)} after the deletion, ${run.parts.length} part(s) kept`);
});

test('a file deleted mid-upload with resume: false: its upload is removed from the server', { timeout: 60_000 }, async () => {
  const { file, key } = fileAndKey('deleted-no-resume.bin', 20 * MiB);
  slowParts();
  await h.start(file.path, { key, ...options, resume: false });
  await partsHeld(1);
  unlinkSync(file.path);
  const run = await outcomeWithin(15_000);
  assert.equal(run.error?.code, 'FileUnreadable', JSON.stringify(run.error));
  assert.deepEqual(await uploadsOf(key), [], `nothing left on the server:\n${logText(h.proxy.stats().log)}`);
  await objectMissing(key);
});

test('overwritten mid-upload with its time put back: the part S3 refuses is read again, FileChanged', { timeout: 60_000 }, async () => {
  const { file, key } = fileAndKey('overwritten.bin', 20 * MiB);
  slowParts();
  await h.start(file.path, { key, ...options });
  await partsHeld(1);
  overwriteKeepingMtime(file.path, file.size);
  const run = await outcomeWithin(15_000);
  assert.equal(run.error?.code, 'FileChanged', JSON.stringify(run.error));
  assert.match(run.error.message, /choose the file again/);
  const { log } = h.proxy.stats();
  const refused = log.filter((e) => e.action === 'UploadPart' && e.status === 400);
  assert.ok(refused.length >= 1 && refused.length <= 2, `one refused part (two at most), not four retries:\n${logText(log)}`);
  await objectMissing(key);
});

test('overwritten mid-upload with its time put back and checksums: false: never completed', { timeout: 60_000 }, async () => {
  const { file, key } = fileAndKey('overwritten-no-checksums.bin', 15 * MiB);
  slowParts();
  await h.start(file.path, { key, ...options, checksums: false });
  await partsHeld(1);
  overwriteKeepingMtime(file.path, file.size);
  const run = await outcomeWithin(20_000);
  assert.equal(run.error?.code, 'FileChanged', JSON.stringify(run.error));
  const { actions } = h.proxy.stats();
  assert.equal(actions.CompleteMultipartUpload, undefined, 'Complete never sent');
  await objectMissing(key);
  // Without checksums a resume would send every part again: the upload is removed.
  assert.deepEqual(await uploadsOf(key), []);
});

test('a file deleted after it was chosen and before start (size 0 in Chromium) never replaces the object', { timeout: 30_000 }, async () => {
  const { file, key } = fileAndKey('vanished.bin', 6 * MiB);
  const before = h.randomFile(`${fileNumber}-before.bin`, 6 * MiB);
  assert.equal((await h.upload(before.path, { key })).error, undefined, 'an object at the key first');
  await h.page.setInputFiles('#file', file.path);
  unlinkSync(file.path);
  const size = await h.page.evaluate(() => document.getElementById('file').files[0].size);
  const run = await h.page.evaluate((opts) => window.runUpload(opts),
    { endpoint: h.endpoint, region: h.garage.region, bucket: h.garage.bucket, key });
  assert.equal(run.error?.code, 'FileUnreadable', `size seen ${size}: ${JSON.stringify(run.error ?? run.result)}`);
  const stored = await objectDigest(h.garage, key);
  assert.equal(stored.sha256, before.sha256, 'the object at the key is untouched');
});

/** The harness's options for an upload to `key` on this stack. */
const uploadOptions = (key) => ({ endpoint: h.endpoint, region: h.garage.region, bucket: h.garage.bucket, key, ...options });

test('the same file started twice in one Uploader: the second start() gets the running upload', { timeout: 60_000 }, async () => {
  const { file, key } = fileAndKey('twice.bin', 10 * MiB);
  slowParts();
  await h.page.setInputFiles('#file', file.path);
  const run = await h.page.evaluate(async ({ endpoint, region, bucket, key: k, partSize, concurrency }) => {
    const credentials = async () => (await fetch('/credentials', { cache: 'no-store' })).json();
    const uploader = new window.Uploader({ endpoint, region, bucket, forcePathStyle: true, partSize, concurrency, credentials });
    const file = document.getElementById('file').files[0];
    const first = uploader.start(file, { key: k });
    await new Promise((resolve) => { setTimeout(resolve, 1500); });
    const again = new File([file], file.name, { type: file.type, lastModified: file.lastModified }); // chosen again
    const parts = [];
    const second = uploader.start(again, { key: k, onPart: (p) => parts.push(p.partNumber) });
    const [a, b] = await Promise.all([first.done, second.done]);
    return { same: first === second, etags: [a.etag, b.etag], parts, uploads: uploader.uploads.length };
  }, uploadOptions(key));
  assert.ok(run.same, 'the same handle');
  assert.ok(run.parts.length >= 1, 'the second start’s callbacks get the running upload’s events');
  const { actions } = h.proxy.stats();
  assert.equal(actions.UploadPart.requests, 2, `each part once:\n${logText(h.proxy.stats().log)}`);
  assert.equal((await objectDigest(h.garage, key)).sha256, file.sha256);
});

test('the same file in two tabs: one uploads, the other waits and finds the object done', { timeout: 60_000 }, async (t) => {
  const { file, key } = fileAndKey('two-tabs.bin', 15 * MiB);
  slowParts();
  const tab = await h.context.newPage();
  try {
    await tab.goto(`${h.server.url}/`);
    await tab.waitForFunction(() => window.harnessReady === true, null, { timeout: 15_000 });
    await h.start(file.path, { key, ...options });
    await partsHeld(1);
    await tab.setInputFiles('#file', file.path);
    const second = await tab.evaluate((opts) => window.runUpload(opts), uploadOptions(key));
    const first = await h.outcome();
    assert.equal(first.error, undefined, JSON.stringify(first.error));
    assert.equal(second.error, undefined, JSON.stringify(second.error));
    assert.equal(second.result.alreadyUploaded, true, 'the second tab found the object done');
    const { actions, log } = h.proxy.stats();
    assert.equal(actions.UploadPart.requests, 3, `each part once, no duplicate bandwidth:\n${logText(log)}`);
    assert.equal((await objectDigest(h.garage, key)).sha256, file.sha256);
    t.diagnostic(`two tabs: the second waited ${ms(second.ms)} and sent no part`);
  } finally {
    await tab.close();
  }
});

test('a bucket whose CORS hides ETag, resume: false: the CorsEtagHidden failure leaves no upload behind', { timeout: 60_000 }, async (t) => {
  const { file, key } = fileAndKey('etag-hidden.bin', 6 * MiB);
  // The bucket's CORS rule as an app might first write it: ETag not exposed, so no part's ETag is readable.
  const rule = { AllowedOrigins: ['*'], AllowedMethods: ['GET', 'PUT', 'POST', 'DELETE', 'HEAD'], AllowedHeaders: ['*'], ExposeHeaders: ['Date'] };
  await h.garage.s3.send(new PutBucketCorsCommand({ Bucket: h.garage.bucket, CORSConfiguration: { CORSRules: [rule] } }));
  t.after(() => putBucketCors(h.garage.s3, h.garage.bucket, ['*']));
  const run = await h.upload(file.path, { key, ...options, resume: false });
  assert.equal(run.error?.code, 'CorsEtagHidden', JSON.stringify(run.error ?? run.result));
  const { log } = h.proxy.stats();
  assert.ok(log.some((e) => e.action === 'AbortMultipartUpload' && e.status === 204), `aborted:\n${logText(log)}`);
  const all = await h.garage.s3.send(new ListMultipartUploadsCommand({ Bucket: h.garage.bucket, Prefix: key }))
    .then((out) => (out.Uploads ?? []).filter((u) => u.Key === key), (err) => `ListMultipartUploads failed: ${err}`);
  assert.deepEqual(all, [], 'no unfinished upload left');
});
