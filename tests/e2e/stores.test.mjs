// Stores without flexible checksums, or without CRC-64/NVME, reproduced by the fault proxy's store profiles
// (tests/support/store-profiles.mjs) in front of Garage; and the checksum algorithms on Garage itself, which
// computes and checks CRC-64/NVME, CRC32C and CRC32 FULL_OBJECT checksums (its answer is compared with ours).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MiB } from '../support/e2e.mjs';
import { assertSurvived, logText, useFaultHarness } from '../support/faults.mjs';
import { storeProfiles } from '../support/store-profiles.mjs';

let h;
useFaultHarness((harness) => { h = harness; });

let fileNumber = 0;
function fileAndKey(name) {
  fileNumber += 1;
  const file = h.randomFile(`${fileNumber}-${name}`, 3 * MiB + 4321);
  return { file, key: `stores/${fileNumber}-${name}` };
}
const small = { partSize: MiB, minPartSize: MiB, concurrency: 2 };
const checksumHeaders = (log) => log.filter((e) => e.fault !== null).map((e) => `${e.action} ${e.status} ${e.errorCode}`);

test('B2 refuses checksum headers: HEAD is sent without x-amz-checksum-mode, the upload starts again without checksums, the app is told', { timeout: 60_000 }, async () => {
  const { file, key } = fileAndKey('b2.bin');
  h.proxy.rules(storeProfiles.b2);
  const run = await h.upload(file.path, { key, ...small });
  const { log } = await assertSurvived(h, run, file, key);
  assert.deepEqual(checksumHeaders(log), ['HeadObject 400 InvalidArgument', 'CreateMultipartUpload 400 InvalidArgument'],
    `only the first HEAD and the first Create were refused:\n${logText(log)}`);
  assert.equal(run.result.checksumAlgorithm, null);
  assert.deepEqual(run.checksums.map((c) => [c.status, c.algorithm]), [['disabled', 'CRC64NVME']]);
  assert.match(run.checksums[0].message, /Unsupported header 'x-amz-checksum-algorithm'/);
});

test('checksums: "required" on B2 fails with ChecksumsUnsupported, naming the fix, before any part', { timeout: 60_000 }, async () => {
  const { file, key } = fileAndKey('b2-required.bin');
  h.proxy.rules(storeProfiles.b2);
  const run = await h.upload(file.path, { key, ...small, checksums: 'required' });
  assert.equal(run.error?.code, 'ChecksumsUnsupported', JSON.stringify(run.error));
  assert.match(run.error.message, /checksumAlgorithm/);
  assert.equal(h.proxy.stats().actions.UploadPart, undefined, 'no part was sent');
});

test('GCS refuses a checksummed part (SignatureDoesNotMatch): that upload is aborted, a new one without checksums completes', { timeout: 60_000 }, async () => {
  const { file, key } = fileAndKey('gcs.bin');
  h.proxy.rules(storeProfiles.gcs);
  const run = await h.upload(file.path, { key, ...small });
  const { log } = await assertSurvived(h, run, file, key);
  const creates = log.filter((e) => e.action === 'CreateMultipartUpload');
  assert.equal(creates.length, 2, logText(log));
  const refused = log.filter((e) => e.errorCode === 'SignatureDoesNotMatch');
  assert.ok(refused.length >= 1 && refused.length <= 2, `the first parts in flight only:\n${logText(log)}`);
  const aborted = log.filter((e) => e.action === 'AbortMultipartUpload');
  assert.deepEqual(aborted.map((e) => e.uploadId), [refused[0].uploadId], 'the refused upload is aborted');
  assert.equal(run.result.checksumAlgorithm, null);
  assert.deepEqual(run.checksums.map((c) => c.status), ['disabled']);
});

test('R2 before 2025-07 answers 501 to CRC-64/NVME: the upload goes on without checksums', { timeout: 60_000 }, async () => {
  const { file, key } = fileAndKey('r2.bin');
  h.proxy.rules(storeProfiles.r2Before202507);
  const run = await h.upload(file.path, { key, ...small });
  const { log } = await assertSurvived(h, run, file, key);
  assert.deepEqual(checksumHeaders(log), ['CreateMultipartUpload 501 NotImplemented'], logText(log));
  assert.equal(run.result.checksumAlgorithm, null);
});

test('MinIO before 2025 has CRC32C and not CRC-64/NVME: checksumAlgorithm "CRC32C" uploads with checksums, verified', { timeout: 60_000 }, async () => {
  const { file, key } = fileAndKey('minio.bin');
  h.proxy.rules(storeProfiles.minioBefore2025);
  const run = await h.upload(file.path, { key, ...small, checksumAlgorithm: 'CRC32C', checksums: 'required' });
  const { log } = await assertSurvived(h, run, file, key);
  assert.deepEqual(checksumHeaders(log), [], logText(log));
  // Garage checks each part's CRC32C and computes the whole object's; the library compared it with the file's.
  assert.equal(run.result.checksumAlgorithm, 'CRC32C');
  assert.deepEqual(run.checksums, []);
  assert.ok(run.parts.every((p) => typeof p.checksum === 'string' && Buffer.from(p.checksum, 'base64').length === 4), JSON.stringify(run.parts));
});

test('CRC32 on Garage: FULL_OBJECT checksum reported equal to the file\'s', { timeout: 60_000 }, async () => {
  const { file, key } = fileAndKey('crc32.bin');
  const run = await h.upload(file.path, { key, ...small, checksumAlgorithm: 'CRC32' });
  await assertSurvived(h, run, file, key);
  assert.equal(run.result.checksumAlgorithm, 'CRC32');
  assert.equal(Buffer.from(run.result.checksum, 'base64').length, 4);
});

test('a store that takes checksum headers and reports none: checksumAlgorithm null and an "unverified" event', { timeout: 60_000 }, async () => {
  const { file, key } = fileAndKey('ignores.bin');
  h.proxy.rules(storeProfiles.ignoresChecksums);
  const run = await h.upload(file.path, { key, ...small });
  await assertSurvived(h, run, file, key);
  assert.equal(run.result.checksumAlgorithm, null);
  assert.deepEqual(run.checksums.map((c) => [c.status, c.algorithm]), [['unverified', 'CRC64NVME']]);
});

test('checksums off: HeadObject carries no x-amz-checksum-mode (a store refusing it is never asked)', { timeout: 60_000 }, async () => {
  const { file, key } = fileAndKey('no-checksums.bin');
  h.proxy.rules(storeProfiles.b2HeadChecksumMode);
  const run = await h.upload(file.path, { key, ...small, checksums: false });
  const { log } = await assertSurvived(h, run, file, key);
  assert.ok(log.some((e) => e.action === 'HeadObject'), logText(log));
  assert.deepEqual(checksumHeaders(log), [], logText(log));
  assert.deepEqual(run.checksums, []);
});
