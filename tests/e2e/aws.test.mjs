// What Amazon S3 does that Garage does not, end to end: Chromium → fault proxy with the "aws" profile
// (../support/aws-profile.mjs: slow Complete with whitespace, HEAD 403 without s3:ListBucket and body-less HEAD
// errors, AuthorizationHeaderMalformed naming the bucket's region, checksums in the listings) → real Garage.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { AbortMultipartUploadCommand, CreateMultipartUploadCommand, S3Client, UploadPartCommand } from '@aws-sdk/client-s3';
import { awsProfile } from '../support/aws-profile.mjs';
import { crc64nvme } from '../support/crc64nvme.mjs';
import { MiB } from '../support/e2e.mjs';
import { errors } from '../support/fault-proxy.mjs';
import { assertSurvived, logText, useFaultHarness, waitFor } from '../support/faults.mjs';

let h;
useFaultHarness((harness) => { h = harness; }, { profile: awsProfile({ region: 'us-east-1' }) });

let fileNumber = 0;
function fileAndKey(name, size = 7 * MiB) {
  fileNumber += 1;
  const file = h.randomFile(`${fileNumber}-${name}`, size);
  return { file, key: `aws/${fileNumber}-${name}` };
}
const requests = (log, action) => log.filter((e) => e.action === action);
const opts = (key, more) => ({ key, partSize: 5 * MiB, concurrency: 2, ...more });

test('slow Complete: 200 at once, whitespace past the control timeout, then the result: done', { timeout: 60_000 }, async () => {
  const { file, key } = fileAndKey('slow-complete.bin');
  // stallTimeoutMs 1000: other control requests are given up after 4 s; Complete only after 10 minutes.
  h.proxy.rules([{ match: { action: 'CompleteMultipartUpload' }, fault: { completeMs: 6000 } }]);
  const run = await h.upload(file.path, opts(key, { stallTimeoutMs: 1000 }));
  const { log } = await assertSurvived(h, run, file, key);
  assert.equal(requests(log, 'CompleteMultipartUpload').length, 1, logText(log));
  assert.match(run.result.etag, /-2"$/);
});

test('an InternalError inside the 200 of Complete is retried like any server error', { timeout: 60_000 }, async () => {
  const { file, key } = fileAndKey('error-inside.bin');
  h.proxy.rules([{ match: { action: 'CompleteMultipartUpload', nth: 1 }, fault: { completeMs: 500, inside: 'InternalError' } }]);
  const run = await h.upload(file.path, opts(key));
  const { log } = await assertSurvived(h, run, file, key);
  assert.equal(requests(log, 'CompleteMultipartUpload').length, 2, logText(log));
  assert.ok(run.errors.some((e) => e.code === 'InternalError' && e.retryable), JSON.stringify(run.errors));
});

test('an unreadable 200 at Complete (S3 completed it): retried, then confirmed with HeadObject', { timeout: 60_000 }, async () => {
  const { file, key } = fileAndKey('garbled.bin');
  h.proxy.rules([{ match: { action: 'CompleteMultipartUpload', nth: 1 }, fault: { completeMs: 500, inside: 'garbled' } }]);
  const run = await h.upload(file.path, opts(key));
  const { log } = await assertSurvived(h, run, file, key);
  assert.ok(requests(log, 'CompleteMultipartUpload').length >= 2, logText(log));
  assert.equal(run.result.checksumAlgorithm, 'CRC64NVME');
});

test('HeadObject: bare 400s drop the checksum mode, then ask for fresh credentials once; 403 for a missing key is "not there"', { timeout: 60_000 }, async () => {
  const { file, key } = fileAndKey('head-400.bin');
  // HEAD answers have no body: an expired token shows as a bare 400 (so does a store refusing x-amz-checksum-mode).
  h.proxy.rules([{ match: { action: 'HeadObject', nth: 1, times: 2 }, fault: { respond: errors.expiredToken() } }]);
  const run = await h.upload(file.path, opts(key));
  const { log } = await assertSurvived(h, run, file, key);
  const heads = requests(log, 'HeadObject');
  assert.deepEqual(heads.map((e) => e.status), [400, 400, 403], logText(log));
  assert.ok(run.credentialCalls.length >= 2, `credentials asked ${run.credentialCalls.length} times`);
});

test('Complete lost and the upload gone: a 403 HeadObject says "unknown", not AccessDenied', { timeout: 60_000 }, async () => {
  const { file, key } = fileAndKey('confirm-403.bin');
  h.proxy.rules([
    { match: { action: 'CompleteMultipartUpload', nth: 1 }, fault: { respond: errors.internalError() } },
    { match: { action: 'CompleteMultipartUpload', nth: 2 }, fault: { latencyMs: 3000 } },
  ]);
  const running = h.upload(file.path, opts(key));
  // While the retry waits at the proxy, the upload disappears (a lifecycle rule, another client's abort).
  const second = await waitFor(() => requests(h.proxy.stats().log, 'CompleteMultipartUpload')[1], { what: 'the retried Complete' });
  await h.garage.s3.send(new AbortMultipartUploadCommand({ Bucket: h.garage.bucket, Key: key, UploadId: second.uploadId }));
  const run = await running;
  assert.equal(run.error?.code, 'NoSuchUpload', JSON.stringify(run));
  assert.match(run.error.message, /HeadObject was refused \(403\)/);
  assert.doesNotMatch(run.error.message, /s3:PutObject/, 'not the AccessDenied advice');
});

test('signed for the wrong region: S3 names the right one, the upload signs for it and completes', { timeout: 60_000 }, async () => {
  const { file, key } = fileAndKey('region.bin');
  const run = await h.upload(file.path, opts(key, { region: 'eu-west-1' }));
  const { log } = await assertSurvived(h, run, file, key);
  const refused = log.filter((e) => e.errorCode === 'AuthorizationHeaderMalformed');
  assert.ok(refused.length >= 1 && refused.length <= 2, logText(log));
});

test('an endpoint in another region: 301 without CORS headers fails as NetworkError naming the region', { timeout: 60_000 }, async () => {
  const { file, key } = fileAndKey('redirect.bin');
  h.proxy.rules([{ match: {}, fault: { redirect: 'eu-west-1' } }]);
  const run = await h.upload(file.path, opts(key));
  assert.equal(run.error?.code, 'NetworkError', JSON.stringify(run));
  assert.match(run.error.message, /not the endpoint of bucket '[^']+''s region \(the app says 'us-east-1'/);
});

test('409 OperationAborted at Create and Complete is retried', { timeout: 60_000 }, async () => {
  const { file, key } = fileAndKey('aborted.bin');
  h.proxy.rules(['CreateMultipartUpload', 'CompleteMultipartUpload']
    .map((action) => ({ match: { action, nth: 1 }, fault: { respond: errors.operationAborted() } })));
  const run = await h.upload(file.path, opts(key));
  const { log } = await assertSurvived(h, run, file, key);
  assert.equal(log.filter((e) => e.errorCode === 'OperationAborted').length, 2, logText(log));
});

test('BadDigest at Complete: the parts are listed again once, then a clear failure, not ten retries', { timeout: 60_000 }, async () => {
  const { file, key } = fileAndKey('bad-digest.bin');
  h.proxy.rules([{ match: { action: 'CompleteMultipartUpload' }, fault: { respond: errors.badDigest() } }]);
  const run = await h.upload(file.path, opts(key, { serverRetries: 3 }));
  assert.equal(run.error?.code, 'BadDigest', JSON.stringify(run.error));
  assert.match(run.error.message, /the file changed while it was uploading/);
  const log = h.proxy.stats().log;
  assert.equal(requests(log, 'CompleteMultipartUpload').length, 2, logText(log));
  assert.equal(requests(log, 'UploadPart').length, 2, 'no part resent: S3 holds them as sent');
  assert.ok(requests(log, 'ListParts').length >= 1, logText(log));
});

test('an unfinished upload of the key with another checksum (CRC32) is not continued: a new one is', { timeout: 60_000 }, async () => {
  const { file, key } = fileAndKey('other-checksum.bin', 11 * MiB);
  // Another client started the key with CRC32 through the same endpoint and sent part 1 of this very file.
  const other = new S3Client({ endpoint: h.proxy.url, region: h.garage.region, forcePathStyle: true,
    credentials: { accessKeyId: h.garage.accessKeyId, secretAccessKey: h.garage.secretAccessKey } });
  const { UploadId } = await other.send(new CreateMultipartUploadCommand({ Bucket: h.garage.bucket, Key: key, ChecksumAlgorithm: 'CRC32' }));
  const part1 = readFileSync(file.path).subarray(0, 5 * MiB);
  await other.send(new UploadPartCommand({ Bucket: h.garage.bucket, Key: key, UploadId, PartNumber: 1, Body: part1, ChecksumAlgorithm: 'CRC32' }));
  h.proxy.resetStats();
  const run = await h.upload(file.path, opts(key));
  const { log } = await assertSurvived(h, run, file, key);
  assert.equal(requests(log, 'CreateMultipartUpload').length, 1, `a new upload:\n${logText(log)}`);
  assert.notEqual(run.result.uploadId, UploadId);
  assert.equal(run.result.resumedParts, 0);
  // (Garage dropped the CRC32 upload when the new one completed: nothing left to abort.)
});

// An unfinished upload of `key` with CRC64NVME and `parts` of this very file, started by another client through
// the proxy, as a browser whose IndexedDB was cleared leaves it. Returns its upload id.
async function leftBehind(key, file, parts) {
  const other = new S3Client({ endpoint: h.proxy.url, region: h.garage.region, forcePathStyle: true,
    credentials: { accessKeyId: h.garage.accessKeyId, secretAccessKey: h.garage.secretAccessKey }, requestChecksumCalculation: 'WHEN_REQUIRED' });
  const Bucket = h.garage.bucket;
  const { UploadId } = await other.send(new CreateMultipartUploadCommand({ Bucket, Key: key, ChecksumAlgorithm: 'CRC64NVME', ChecksumType: 'FULL_OBJECT' }));
  const bytes = readFileSync(file.path);
  for (let n = 1; n <= parts; n++) {
    const Body = bytes.subarray((n - 1) * 5 * MiB, n * 5 * MiB);
    await other.send(new UploadPartCommand({ Bucket, Key: key, UploadId, PartNumber: n, Body, ChecksumCRC64NVME: crc64nvme().update(Body).base64() }));
  }
  other.destroy();
  h.proxy.resetStats();
  return UploadId;
}

test('a key with U+0001, which XML 1.0 cannot carry: its unfinished upload, with no record, is found (encoding-type=url) and resumed', { timeout: 60_000 }, async () => {
  const { file, key: base } = fileAndKey('ctl.bin', 11 * MiB);
  const key = `${base}-\u0001`;
  const UploadId = await leftBehind(key, file, 1);
  const run = await h.upload(file.path, opts(key));
  const { log } = await assertSurvived(h, run, file, key);
  assert.equal(requests(log, 'CreateMultipartUpload').length, 0, `found by ListMultipartUploads:\n${logText(log)}`);
  assert.equal(run.result.uploadId, UploadId);
  assert.equal(run.result.resumedParts, 1);
  assert.deepEqual(requests(log, 'UploadPart').map((e) => e.partNumber).sort(), [2, 3], 'part 1 kept');
});

for (const [action, garbage] of [['ListMultipartUploads', '<ListMultipartUploadsResult><Upload><Key>'], ['ListParts', '{"not": "xml"}']]) {
  test(`an unreadable ${action} answer while an upload of the key is there: a new upload, done`, { timeout: 60_000 }, async () => {
    const { file, key } = fileAndKey(`unreadable-${action}.bin`);
    const UploadId = await leftBehind(key, file, 1);
    h.proxy.rules([{ match: { action }, fault: { ok: garbage } }]);
    const run = await h.upload(file.path, opts(key));
    const { log } = await assertSurvived(h, run, file, key);
    assert.equal(requests(log, action).length, 1, logText(log));
    assert.equal(requests(log, 'CreateMultipartUpload').length, 1, `a new upload:\n${logText(log)}`);
    assert.notEqual(run.result.uploadId, UploadId);
    assert.equal(run.result.resumedParts, 0);
  });
}
