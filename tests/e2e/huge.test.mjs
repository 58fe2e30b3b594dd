// Huge files end to end (issue 4): offsets beyond 4 GiB read by the browser from a sparse file on disk, and a huge
// part whose checksum takes a while to compute. Headless Chromium → fault proxy → real Garage; the uploads are
// cancelled as soon as what is measured has happened (nobody waits for gigabytes of zeros).
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { ListMultipartUploadsCommand, ListPartsCommand } from '@aws-sdk/client-s3';
import { crc64nvme } from '../support/crc64nvme.mjs';
import { MiB } from '../support/e2e.mjs';
import { logText, ms, stateNames, useFaultHarness, waitFor } from '../support/faults.mjs';

const GiB = 1024 * MiB;
let h;
let dir;
useFaultHarness((harness, tempDir) => { h = harness; dir = tempDir; }, { keepAlive: true, reload: true, tempDir: 'resumable-s3-huge-' });

/** A sparse file of `size` bytes, zeros except `tail` written at `tailAt`. */
function sparseFile(name, size, tail, tailAt) {
  const file = path.join(dir, name);
  const fd = openSync(file, 'w');
  try {
    ftruncateSync(fd, size);
    if (tail) writeSync(fd, tail, 0, tail.length, tailAt);
  } finally {
    closeSync(fd);
  }
  return file;
}

const uploadParts = () => h.proxy.stats().log.filter((e) => e.action === 'UploadPart');

async function cancelAndCheck(key) {
  await h.handle('cancel');
  const run = await h.outcome();
  assert.equal(run.error?.code, 'Cancelled', JSON.stringify(run.error ?? run.result));
  const { Uploads = [] } = await h.garage.s3.send(new ListMultipartUploadsCommand({ Bucket: h.garage.bucket, Prefix: key }));
  assert.deepEqual(Uploads.filter((u) => u.Key === key), [], 'nothing left on the server');
  return run;
}

test('offsets beyond 4 GiB: part 2 = [4 GiB, 4 GiB + 6 MiB) of a sparse file reaches S3 with the right bytes', { timeout: 60_000 }, async (t) => {
  const tail = randomBytes(6 * MiB);
  const file = sparseFile('beyond-4GiB.bin', 4 * GiB + tail.length, tail, 4 * GiB);
  const key = 'huge/beyond-4GiB.bin';
  const t0 = h.proxy.now();
  // Part 1 is the 4 GiB of zeros (its checksum alone takes a while); with 2 at a time part 2 starts at once.
  await h.start(file, { key, partSize: 4 * GiB, concurrency: 2 });
  // Garage checks the part's x-amz-checksum-crc64nvme against the body: a 200 means the browser read the bytes the
  // library checksummed, at the offsets it planned.
  const part2 = await waitFor(() => uploadParts().find((e) => e.partNumber === 2 && e.outcome === 'ok' && e.status === 200),
    { timeout: 30_000, what: 'part 2 answered 200' });
  const uploadId = part2.uploadId;
  const listed = await h.garage.s3.send(new ListPartsCommand({ Bucket: h.garage.bucket, Key: key, UploadId: uploadId }));
  const p2 = listed.Parts?.find((p) => p.PartNumber === 2);
  assert.ok(p2, `part 2 listed: ${JSON.stringify(listed.Parts)}`);
  assert.equal(p2.Size, tail.length, 'part 2 is the 6 MiB beyond 4 GiB');
  assert.equal(p2.ETag.replaceAll('"', ''), createHash('md5').update(tail).digest('hex'), 'part 2 holds exactly the bytes at 4 GiB');
  const crc = crc64nvme().update(tail).base64();
  if (p2.ChecksumCRC64NVME !== undefined) assert.equal(p2.ChecksumCRC64NVME, crc, 'its CRC-64/NVME');
  assert.equal(part2.bytesIn, tail.length);
  const part2At = part2.tEnd - t0;
  const part1 = uploadParts().find((e) => e.partNumber === 1);
  const run = await cancelAndCheck(key);
  t.diagnostic(`beyond 4 GiB: part 2 (6 MiB at offset 4 GiB) confirmed ${ms(part2At)} after start, ETag = MD5 of the bytes at 4 GiB`
    + `${p2.ChecksumCRC64NVME ? `, CRC64NVME ${p2.ChecksumCRC64NVME}` : ''}; part 1 (4 GiB) ${part1 ? `had sent ${part1.bytesIn} B` : 'not on the wire yet (checksumming)'} `
    + `when cancelled; states ${stateNames(run.states).join(' → ')}`);
});

test('a huge part whose checksum takes longer than stallTimeoutMs is still sent (not aborted as stalled before its first byte)',
  { timeout: 60_000 }, async (t) => {
    // The same race as a 5 GiB part (a 48.8 TiB file's part size) read at < 170 MB/s under the default 30 s
    // stallTimeoutMs, scaled down: a 1 GiB part takes ~5 s to checksum here, the watchdog is set to 1.5 s.
    const file = sparseFile('huge-part.bin', GiB + MiB);
    const key = 'huge/huge-part.bin';
    const stallTimeoutMs = 1500;
    const t0 = h.proxy.now();
    await h.start(file, { key, partSize: GiB, concurrency: 1, stallTimeoutMs });
    let firstByte = null;
    try {
      await waitFor(() => uploadParts().some((e) => e.partNumber === 1 && e.bytesIn > 0), { timeout: 12_000, what: 'part 1 bytes' });
      firstByte = uploadParts().find((e) => e.partNumber === 1).tFirstByte - t0;
    } catch {
      // reported below
    }
    const { states } = await h.live();
    const stalls = states.filter((s) => s.state === 'retrying' && s.errorCode === 'Stalled').length;
    await cancelAndCheck(key);
    t.diagnostic(`huge part: first byte of part 1 ${firstByte === null ? 'never (in 12 s)' : ms(firstByte)} after start; `
      + `${stalls} 'Stalled' retries before; stallTimeoutMs ${stallTimeoutMs}`);
    assert.ok(firstByte !== null, `part 1 never left the browser: aborted as stalled ${stalls} times while its checksum was being `
      + `computed (the watchdog counts the checksum time as silence); states ${stateNames(states).join(' → ')}\n${logText(h.proxy.stats().log)}`);
    assert.equal(stalls, 0, 'no stall before the first byte');
  });
