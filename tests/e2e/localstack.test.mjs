// The core cases against a second, AWS-faithful S3: LocalStack (./support/localstack.mjs says what it checks that
// Garage does not), through the fault proxy, from headless Chromium with real files on disk; and the conditional
// writes of ifExists: "error", which LocalStack enforces as AWS does (If-None-Match on CompleteMultipartUpload and
// PutObject). Every object is read back with a separate S3 client.
import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import { HeadObjectCommand, ListMultipartUploadsCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { MiB, objectDigest, startHarness } from '../support/e2e.mjs';
import { partsResentAfterConfirmation } from '../support/fault-proxy.mjs';
import { assertSurvived, waitFor } from '../support/faults.mjs';

let h;
before(async () => { h = await startHarness({ store: 'localstack', proxy: { keepAlive: false } }); });
after(() => h?.stop());
afterEach(async () => {
  h.proxy.clearRules();
  h.proxy.resetStats();
  await h.reload();
});

const actions = (name) => h.proxy.stats().log.filter((e) => e.action === name);
const s3 = () => h.garage.s3; // the LocalStack server (the harness calls its store `garage`)
const bucket = () => h.garage.bucket;

async function unfinishedUploadsOf(key) {
  const out = await s3().send(new ListMultipartUploadsCommand({ Bucket: bucket(), Prefix: key }));
  return (out.Uploads ?? []).filter((u) => u.Key === key);
}

async function uploadAndVerify(name, size, options = {}) {
  const file = h.randomFile(name, size);
  const key = `second/${name}`;
  const run = await h.upload(file.path, { key, ...options });
  assert.equal(run.error, undefined, `upload failed: ${JSON.stringify(run.error)}`);
  const stored = await objectDigest(h.garage, key);
  assert.deepEqual([stored.contentLength, stored.sha256], [size, file.sha256], 'stored object differs from the file');
  return { file, key, run };
}

test('LocalStack: 64 MiB in 8 MiB parts checked by S3 part by part and as a whole (FULL_OBJECT CRC-64/NVME)', { timeout: 180_000 }, async () => {
  const { run } = await uploadAndVerify('random-64MiB.bin', 64 * MiB, { partSize: 8 * MiB, concurrency: 4 });
  assert.equal(run.result.checksumAlgorithm, 'CRC64NVME');
  const head = await s3().send(new HeadObjectCommand({ Bucket: bucket(), Key: 'second/random-64MiB.bin', ChecksumMode: 'ENABLED' }));
  assert.equal(head.ChecksumCRC64NVME, run.result.checksum, 'the whole-object checksum S3 stored is the one the library computed');
});

test('LocalStack: odd size (13 MiB + 12345 B) and an empty file', { timeout: 120_000 }, async () => {
  await uploadAndVerify('odd-size.bin', 13 * MiB + 12345, { partSize: 5 * MiB, concurrency: 2 });
  const { run } = await uploadAndVerify('empty.bin', 0);
  assert.equal(run.result.size, 0);
  assert.equal(actions('PutObject').at(-1).status, 200, 'the empty PutObject with its checksum header was accepted');
});

test('LocalStack: a part corrupted on the way is refused by its checksum (BadDigest) and sent again', { timeout: 120_000 }, async () => {
  h.proxy.rules([{ match: { action: 'UploadPart', partNumber: 2, times: 1 }, fault: { flipByteAt: 1000 } }]);
  await uploadAndVerify('corrupted.bin', 12 * MiB, { partSize: 5 * MiB, concurrency: 2 });
  const part2 = actions('UploadPart').filter((e) => e.partNumber === 2);
  assert.equal(part2[0].status, 400, 'LocalStack refused the flipped byte');
  assert.match(part2[0].errorCode, /BadDigest|InvalidDigest|XAmzContentChecksumMismatch/, `code ${part2[0].errorCode}`);
  assert.equal(part2.at(-1).status, 200);
});

test('LocalStack: reload mid-upload, re-drop: continues, no confirmed part sent again', { timeout: 180_000 }, async () => {
  const file = h.randomFile('reload.bin', 24 * MiB);
  const key = 'second/reload.bin';
  const options = { key, partSize: 5 * MiB, concurrency: 1 };
  h.proxy.rules([{ match: { action: 'UploadPart' }, fault: { bandwidth: 8 * MiB } }]);
  await h.start(file.path, options);
  await waitFor(() => actions('UploadPart').filter((e) => e.status === 200).length >= 2, { what: 'two parts confirmed' });
  await h.reload();
  h.proxy.clearRules();
  const run = await h.upload(file.path, options);
  await assertSurvived(h, run, file, key);
  assert.ok(run.result.resumedParts >= 2, `resumedParts ${run.result.resumedParts}`);
  assert.deepEqual(await unfinishedUploadsOf(key), [], 'the upload continued was completed: nothing left unfinished');
});

test('LocalStack: cancel removes the upload: ListMultipartUploads shows nothing left (leaks are visible here)', { timeout: 120_000 }, async () => {
  const file = h.randomFile('cancel.bin', 20 * MiB);
  const key = 'second/cancel.bin';
  h.proxy.rules([{ match: { action: 'UploadPart' }, fault: { bandwidth: 4 * MiB } }]);
  await h.start(file.path, { key, partSize: 5 * MiB, concurrency: 2 });
  await waitFor(() => actions('UploadPart').some((e) => e.status === 200), { what: 'a part confirmed' });
  await h.handle('cancel');
  const run = await h.outcome();
  assert.equal(run.error?.code, 'Cancelled');
  assert.deepEqual(await unfinishedUploadsOf(key), []);
  await assert.rejects(s3().send(new HeadObjectCommand({ Bucket: bucket(), Key: key })), /NotFound/);
});

test('LocalStack: the same file already at the key is recognised by its checksum: nothing sent', { timeout: 120_000 }, async () => {
  const { file, key } = await uploadAndVerify('twice.bin', 7 * MiB, { partSize: 5 * MiB });
  h.proxy.resetStats();
  const again = await h.upload(file.path, { key, partSize: 5 * MiB });
  assert.equal(again.error, undefined, JSON.stringify(again.error));
  assert.equal(again.result.alreadyUploaded, true);
  assert.deepEqual([actions('CreateMultipartUpload').length, actions('UploadPart').length], [0, 0]);
});

test('ifExists "error": an object written at the key during the upload is not replaced (412 from S3 → ObjectExists)', { timeout: 120_000 }, async () => {
  const file = h.randomFile('race.bin', 12 * MiB);
  const key = 'second/race.bin';
  // resume: false skips the early HeadObject: only S3's conditional Complete can catch the object now.
  h.proxy.rules([{ match: { action: 'UploadPart' }, fault: { bandwidth: 6 * MiB } }]);
  await h.start(file.path, { key, partSize: 5 * MiB, ifExists: 'error', resume: false });
  await waitFor(() => actions('UploadPart').length >= 1, { what: 'the upload under way' });
  await s3().send(new PutObjectCommand({ Bucket: bucket(), Key: key, Body: 'written by someone else' }));
  const run = await h.outcome();
  assert.equal(run.error?.code, 'ObjectExists', JSON.stringify(run.error));
  assert.equal(run.error.status, 412, 'S3 itself refused the Complete');
  assert.ok(typeof run.error.requestId === 'string' && run.error.requestId.length > 0, `requestId ${run.error.requestId}`);
  const complete = actions('CompleteMultipartUpload');
  assert.deepEqual(complete.map((e) => [e.status, e.errorCode]), [[412, 'PreconditionFailed']]);
  const kept = await objectDigest(h.garage, key);
  assert.equal(kept.contentLength, 'written by someone else'.length, 'the other object was not replaced');
});

test('ifExists "error" on an empty file: PutObject is conditional too', { timeout: 60_000 }, async () => {
  const file = h.randomFile('empty-exists.bin', 0);
  const key = 'second/empty-exists.bin';
  await s3().send(new PutObjectCommand({ Bucket: bucket(), Key: key, Body: 'x' }));
  const run = await h.upload(file.path, { key, ifExists: 'error', resume: false });
  assert.equal(run.error?.code, 'ObjectExists', JSON.stringify(run.error));
  assert.equal(actions('PutObject').at(-1).status, 412);
});

test('ifExists "error": a Complete that lost a race (409 ConditionalRequestConflict) starts a new upload and finishes', { timeout: 120_000 }, async () => {
  // AWS answers 409 when a concurrent conditional write of the key was in progress; the proxy plays it once.
  h.proxy.rules([{ match: { action: 'CompleteMultipartUpload', times: 1 }, fault: { respond: { status: 409, code: 'ConditionalRequestConflict',
    message: 'A conflicting conditional operation is currently in progress against this resource.' } } }]);
  const { run } = await uploadAndVerify('conflict.bin', 7 * MiB, { partSize: 5 * MiB, ifExists: 'error', resume: false });
  assert.equal(actions('CreateMultipartUpload').length, 2, 'a new multipart upload after the conflict');
  assert.notEqual(actions('CompleteMultipartUpload')[0].uploadId, run.result.uploadId);
  assert.deepEqual(partsResentAfterConfirmation(h.proxy.stats()).filter((p) => p.uploadId === run.result.uploadId), []);
});
