// Resume, persistence, integrity, pause and cancel (issue 4), end to end: the browser → fault proxy → real Garage,
// real random files on disk. Reload-and-re-drop, cancel and pause run in every engine, the rest in Chromium only. The proxy counts every request and its body bytes per part across page
// loads, so "no part S3 had confirmed was sent again" is measured, not assumed. Each test prints (diagnostic) what
// it measured: the time from the re-drop to the first new part byte at the proxy, and the bytes re-sent.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { HeadObjectCommand, ListMultipartUploadsCommand, ListPartsCommand } from '@aws-sdk/client-s3';
import { crc64nvme } from '../support/crc64nvme.mjs';
import { MiB, objectDigest } from '../support/e2e.mjs';
import { partsResentAfterConfirmation } from '../support/fault-proxy.mjs';
import { assertSurvived, firstPartBytesAfter, logText, ms, sleep, stateNames, useFaultHarness, waitFor } from '../support/faults.mjs';
import { chromiumTest } from '../support/browsers/index.mjs';

const KiB = 1024;
let h;
let dir;
useFaultHarness((harness, tempDir) => { h = harness; dir = tempDir; }, { keepAlive: true, reload: true, tempDir: 'resumable-s3-resume-' });

// ---------------------------------------------------------------------------------------------------------------
// Helpers

let fileNumber = 0;
/** Writes `bytes` as `<dir>/<sub>/<name>` (sub: files with the same name side by side) and returns { path, size, sha256, bytes }. */
function writeFile(sub, name, bytes, mtime) {
  const folder = path.join(dir, sub);
  mkdirSync(folder, { recursive: true });
  const file = path.join(folder, name);
  writeFileSync(file, bytes);
  if (mtime) utimesSync(file, mtime, mtime);
  return { path: file, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'), bytes };
}

/** A fresh random file and a key of its own. */
function fileAndKey(name, size) {
  fileNumber += 1;
  const file = writeFile(`f${fileNumber}`, name, randomBytes(size));
  return { file, key: `resume/${fileNumber}-${name}` };
}

const uploadParts = (log) => log.filter((e) => e.action === 'UploadPart');
const controls = (log) => log.filter((e) => e.action !== 'Preflight' && e.action !== 'UploadPart');
/** Parts confirmed at the proxy so far (a 2xx answer passed back to the browser in full). */
const confirmedParts = (log) => new Set(uploadParts(log).filter((e) => e.outcome === 'ok' && e.status >= 200 && e.status < 300).map((e) => e.partNumber));
const sum = (list) => list.reduce((a, b) => a + b, 0);

/** The unfinished multipart uploads of exactly `key` (prefix also matches longer keys). */
async function uploadsOf(key) {
  const out = await h.garage.s3.send(new ListMultipartUploadsCommand({ Bucket: h.garage.bucket, Prefix: key }));
  return (out.Uploads ?? []).filter((u) => u.Key === key);
}

/** Every part of an upload (all ListParts pages), or the error's name (e.g. 'NoSuchUpload'). */
async function listAllParts(key, uploadId) {
  const parts = [];
  let marker;
  try {
    for (;;) {
      const page = await h.garage.s3.send(new ListPartsCommand({ Bucket: h.garage.bucket, Key: key, UploadId: uploadId, PartNumberMarker: marker }));
      parts.push(...(page.Parts ?? []));
      if (!page.IsTruncated) return parts;
      marker = page.NextPartNumberMarker;
    }
  } catch (err) {
    return err.name ?? err.Code ?? String(err);
  }
}

const records = () => h.page.evaluate(() => window.uploadRecords());

/**
 * Starts `file` to `key` with the proxy throttling every part to `bandwidth` B/s, and reloads the page once
 * `confirmedAtLeast` parts are confirmed and `bytesAtLeast` part bytes have reached the proxy. Returns what the
 * proxy saw before the reload.
 */
async function startAndReload(file, key, options, { bandwidth, confirmedAtLeast = 1, bytesAtLeast = 0, timeout = 60_000 }) {
  if (bandwidth) h.proxy.rules([{ match: { action: 'UploadPart' }, fault: { bandwidth } }]);
  await h.start(file.path, { key, ...options });
  await waitFor(() => {
    const { log } = h.proxy.stats();
    return confirmedParts(log).size >= confirmedAtLeast && sum(uploadParts(log).map((e) => e.bytesIn)) >= bytesAtLeast;
  }, { timeout, what: `${confirmedAtLeast} confirmed parts and ${bytesAtLeast} part bytes` });
  await h.reload();
  const tReload = h.proxy.now();
  h.proxy.clearRules();
  // Wait for what was in flight at the reload to end. Chromium cuts it with the page; WebKit lets a part already on
  // the wire go on to its answer (which no page reads): only then does ListParts say what the resume may find.
  await waitFor(() => uploadParts(h.proxy.stats().log).every((e) => e.outcome !== 'pending'),
    { timeout: 15_000, what: 'the part requests of the unloaded page to end' });
  const log = h.proxy.stats().log;
  const uploadId = uploadParts(log)[0]?.uploadId;
  assert.ok(uploadId, `no part was sent before the reload:\n${logText(log)}`);
  // What S3 holds, as S3 says (a part whose body had fully arrived when the reload cut its connection may still
  // have been stored): the parts a resume may keep. Garage may still be storing such a part: list until two
  // listings 300 ms apart agree.
  const numbers = (parts) => (Array.isArray(parts) ? parts.map((p) => p.PartNumber).join() : parts);
  let listed = await listAllParts(key, uploadId);
  for (let previous; numbers(previous) !== numbers(listed);) {
    previous = listed;
    await sleep(300);
    listed = await listAllParts(key, uploadId);
  }
  assert.ok(Array.isArray(listed), `ListParts after the reload: ${listed}`);
  const held = new Set(listed.map((p) => p.PartNumber));
  const confirmed = confirmedParts(log);
  for (const n of confirmed) assert.ok(held.has(n), `part ${n} was confirmed but S3 does not list it`);
  return {
    tReload,
    uploadId,
    confirmed,
    held,
    cutAtReload: uploadParts(log).filter((e) => !(e.status >= 200 && e.status < 300)).length,
    finishedAfterReload: uploadParts(log).filter((e) => e.tEnd > tReload && e.status >= 200 && e.status < 300).length,
    bytesBefore: sum(uploadParts(log).map((e) => e.bytesIn)),
  };
}

/**
 * Part requests before proxy time `t` that sent again a part Garage had already stored and were cut before an answer.
 * After one, Garage still lists the stored part but answers CompleteMultipartUpload with InvalidPart, every time
 * (reproduced with a Node client and a reset at the proxy); S3 keeps the stored part.
 */
function staleResends(log, t) {
  const parts = uploadParts(log);
  return parts.filter((e) => e.t < t && e.status === null
    && parts.some((o) => o.partNumber === e.partNumber && o.status >= 200 && o.status < 300 && o.tEnd <= e.t));
}

/** Part requests made after proxy time `t`, and the body bytes they carried of parts in `parts` (a Set). */
function sentAfter(log, t, parts) {
  const later = uploadParts(log).filter((e) => e.t >= t);
  return { requests: later, resentBytes: sum(later.filter((e) => parts.has(e.partNumber)).map((e) => e.bytesIn)) };
}

// ---------------------------------------------------------------------------------------------------------------
// Reload at ~50 %, drop the same file again

async function reloadAndRedrop(t, { name, clearStorage }) {
  const { file, key } = fileAndKey(name, 64 * MiB);
  const options = { partSize: 5 * MiB, concurrency: 4 };
  const partCount = Math.ceil(file.size / (5 * MiB)); // 13
  // 4 MiB/s per part, 4 at a time: ~4 s for the whole file; the reload lands once half the bytes have been sent.
  const before = await startAndReload(file, key, options, { bandwidth: 4 * MiB, bytesAtLeast: file.size / 2 });
  const stored = await records();
  assert.ok(stored.some((r) => r.uploadId === before.uploadId), `the record survives the reload: ${JSON.stringify(stored)}`);
  if (clearStorage) {
    await h.page.evaluate(() => window.clearUploadRecords());
    assert.deepEqual(await records(), [], 'IndexedDB cleared');
  }

  const tDrop = h.proxy.now();
  await h.start(file.path, { key, ...options });
  const run = await h.outcome();
  if (run.error) for (const line of `proxy log:\n${logText(h.proxy.stats().log)}`.split('\n')) t.diagnostic(line);
  const stale = staleResends(h.proxy.stats().log, tDrop);
  if (run.error?.code === 'InvalidPart' && stale.length) {
    // Known, not hidden: reported as TODO in the counts. Seen in Firefox, whose old page still runs a moment after
    // the reload has aborted its requests: the library sends again a part whose answer it lost, and the unload cuts
    // that attempt. Garage then refuses Complete for good (S3 keeps the stored part).
    return t.todo(`Garage answers InvalidPart after a cut re-send of stored part(s) ${stale.map((e) => e.partNumber)} by the page being reloaded`);
  }
  const stats = await assertSurvived(h, run, file, key);
  const { log } = stats;
  const after = log.filter((e) => e.t >= tDrop);
  const afterControls = controls(after).map((e) => e.action);
  assert.equal(run.result.uploadId, before.uploadId, 'the unfinished upload was continued, not a new one');
  assert.ok(!afterControls.includes('CreateMultipartUpload'), `no new multipart upload: ${afterControls}`);
  if (clearStorage) {
    // (b) no record: the newest unfinished upload of exactly this key, then its parts.
    assert.equal(afterControls[0], 'ListMultipartUploads', `found through ListMultipartUploads: ${afterControls}`);
    assert.ok(afterControls.indexOf('ListParts') > 0, `then ListParts: ${afterControls}`);
  } else {
    // (a) the record names the upload: straight to ListParts.
    assert.equal(afterControls[0], 'ListParts', `the record leads straight to ListParts: ${afterControls}`);
    assert.ok(!afterControls.includes('ListMultipartUploads'), `no search with a record: ${afterControls}`);
  }
  assert.ok(controls(after).filter((e) => e.action === 'ListParts').every((e) => e.uploadId === before.uploadId));
  const { resumedParts } = run.result;
  assert.ok(resumedParts > 0, 'resumedParts > 0');
  assert.ok(resumedParts >= before.confirmed.size && resumedParts <= before.held.size,
    `resumedParts ${resumedParts}: at least the ${before.confirmed.size} parts confirmed before the reload, at most the ${before.held.size} S3 listed`);
  const { requests, resentBytes } = sentAfter(log, tDrop, before.held);
  assert.equal(resentBytes, 0, `bytes of parts S3 held re-sent:\n${logText(log)}`);
  assert.equal(requests.length, partCount - resumedParts, `each missing part sent once after the re-drop:\n${logText(log)}`);
  assert.ok(!(await records()).some((r) => r.uploadId === before.uploadId), 'the record is removed on completion');
  const firstByte = firstPartBytesAfter(log, tDrop);
  t.diagnostic(`${name}: reload after ${before.confirmed.size}/${partCount} parts confirmed (${before.cutAtReload} cut in flight, `
    + `${before.finishedAfterReload} stored by S3 after the reload, `
    + `${Math.round((100 * before.bytesBefore) / file.size)} % of the bytes had reached the proxy); re-drop → first new part byte `
    + `${ms(firstByte)}; resumedParts ${resumedParts}; bytes of held parts re-sent ${resentBytes}; resumed run ${ms(run.ms)}; `
    + `requests after the re-drop: ${afterControls.join(', ')} + ${requests.length} UploadPart`);
}

test('reload at ~50 % of 64 MiB, same file dropped again: continues from the IndexedDB record, nothing confirmed re-sent',
  { timeout: 120_000 }, (t) => reloadAndRedrop(t, { name: 'reload-64MiB.bin', clearStorage: false }));

test('reload at ~50 %, IndexedDB cleared, same file again: found through ListMultipartUploads, nothing confirmed re-sent',
  { timeout: 120_000 }, (t) => reloadAndRedrop(t, { name: 'cleared-64MiB.bin', clearStorage: true }));

// ---------------------------------------------------------------------------------------------------------------
// Another file with the same name, size and modification time

async function impostor(t, { name, makeSecond, expectRecordMatch }) {
  const PART = MiB;
  const size = 8 * MiB;
  const mtime = new Date('2026-01-02T03:04:05Z');
  fileNumber += 1;
  const key = `resume/${fileNumber}-${name}`;
  const first = writeFile(`f${fileNumber}a`, name, randomBytes(size), mtime);
  const second = writeFile(`f${fileNumber}b`, name, makeSecond(first.bytes, PART), mtime);
  assert.notEqual(second.sha256, first.sha256);
  const identical = new Set();
  for (let n = 1; n <= size / PART; n++) {
    if (first.bytes.subarray((n - 1) * PART, n * PART).equals(second.bytes.subarray((n - 1) * PART, n * PART))) identical.add(n);
  }
  const options = { minPartSize: PART, partSize: PART, concurrency: 2 };
  // 1 MiB/s per part, 2 at a time: the first file is left unfinished after 3 of its 8 parts.
  const before = await startAndReload(first, key, options, { bandwidth: MiB, confirmedAtLeast: 3 });
  assert.equal((await uploadsOf(key)).length, 1, 'an unfinished upload of the first file exists');

  const tDrop = h.proxy.now();
  await h.start(second.path, { key, ...options });
  const run = await h.outcome();
  assert.equal(run.error, undefined, `upload failed: ${JSON.stringify(run.error)}`);
  assert.equal(run.result.size, size);
  assert.equal(run.result.uploadId, before.uploadId, 'the second file goes into the unfinished upload of the key');
  assert.equal((await objectDigest(h.garage, key)).sha256, second.sha256, "the object is the second file's bytes");
  const { log } = h.proxy.stats();
  // Parts of the first file that differ must be sent again; the second file's own parts only once.
  assert.deepEqual(partsResentAfterConfirmation({ log: log.filter((e) => e.t >= tDrop) }), [], 'a part confirmed after the re-drop was sent again');
  const afterControls = controls(log.filter((e) => e.t >= tDrop)).map((e) => e.action);
  assert.equal(afterControls[0], expectRecordMatch ? 'ListParts' : 'ListMultipartUploads',
    `${expectRecordMatch ? 'same fingerprint: the first file\'s record is found' : 'another fingerprint: no record'}: ${afterControls}`);
  const sentAgain = new Set(sentAfter(log, tDrop, before.held).requests.map((e) => e.partNumber));
  const reused = [...before.held].filter((n) => !sentAgain.has(n));
  for (const n of reused) assert.ok(identical.has(n), `part ${n} of the first file was reused although its bytes differ`);
  assert.equal(run.result.resumedParts, reused.length, `resumedParts ${run.result.resumedParts}, parts not sent again ${reused}`);
  assert.equal(sentAgain.size, size / PART - reused.length, 'every other part sent');
  t.diagnostic(`${name}: first file left after parts ${[...before.held].sort((a, b) => a - b)}; byte-identical parts of the second `
    + `file: ${[...identical].join(',') || 'none'}; reused ${reused.join(',') || 'none'} (resumedParts ${run.result.resumedParts}); `
    + `re-drop → first new part byte ${ms(firstPartBytesAfter(log, tDrop))}; requests after it: ${afterControls.join(', ')}`);
}

chromiumTest('another file, same name, size and mtime (all bytes differ): none of the unfinished upload\'s parts reused',
  { timeout: 60_000 }, (t) => impostor(t, {
    name: 'same-meta.bin',
    makeSecond: (bytes) => randomBytes(bytes.length),
    expectRecordMatch: false,
  }));

chromiumTest('another file, same name, size, mtime and sampled slices (one byte differs in parts 2–8): only part 1 may be reused',
  { timeout: 60_000 }, (t) => impostor(t, {
    name: 'same-samples.bin',
    // The fingerprint samples 64 KiB at the start, middle and end: change one byte 300 KiB into every part but the
    // first, away from those, so the record of the first file matches and only the per-part CRC tells them apart.
    makeSecond: (bytes, part) => {
      const copy = Buffer.from(bytes);
      for (let offset = part + 300 * KiB; offset < copy.length; offset += part) copy[offset] ^= 0xff;
      return copy;
    },
    expectRecordMatch: true,
  }));

// ---------------------------------------------------------------------------------------------------------------
// More than 2,000 parts: every ListParts page

chromiumTest('4,200 parts of 16 KiB, reload after >2,100: resume reads every ListParts page and re-sends nothing finished',
  { timeout: 180_000 }, async (t) => {
    // More than 2,000 parts must be on the server at the interrupt for the listing to need a third page
    // (1,000 parts a page): 4,200 parts, reload once 2,100 (50 %) are confirmed.
    const PART = 16 * KiB;
    const count = 4200;
    const { file, key } = fileAndKey('many-parts.bin', count * PART);
    const options = { minPartSize: PART, partSize: PART, concurrency: 8 };
    const tStart = h.proxy.now();
    const before = await startAndReload(file, key, options, { confirmedAtLeast: count / 2, timeout: 120_000 });
    const firstHalfMs = before.tReload - tStart;

    const tDrop = h.proxy.now();
    await h.start(file.path, { key, ...options });
    const run = await h.outcome();
    const { log } = await assertSurvived(h, run, file, key);
    assert.equal(run.result.uploadId, before.uploadId);
    const listings = log.filter((e) => e.t >= tDrop && e.action === 'ListParts');
    assert.ok(listings.length >= 3, `${listings.length} ListParts requests for ${before.held.size} parts held:\n${logText(controls(log))}`);
    assert.ok(listings.every((e) => e.status === 200 && e.uploadId === before.uploadId));
    assert.ok(run.result.resumedParts >= before.confirmed.size && run.result.resumedParts <= before.held.size,
      `resumedParts ${run.result.resumedParts}, confirmed before ${before.confirmed.size}, held ${before.held.size}`);
    assert.ok(run.result.resumedParts > 2000, 'parts beyond the second page were kept');
    const { requests, resentBytes } = sentAfter(log, tDrop, before.held);
    assert.equal(resentBytes, 0, 'bytes of finished parts re-sent');
    assert.equal(requests.length, count - run.result.resumedParts, 'each missing part once');
    const firstByte = firstPartBytesAfter(log, tDrop);
    const listed = listings.at(-1).tEnd - tDrop;
    t.diagnostic(`2,000+ parts: first half (${before.confirmed.size} parts confirmed) ${ms(firstHalfMs)}; reload; re-drop → `
      + `${listings.length} ListParts done ${ms(listed)}, first new part byte ${ms(firstByte)}; bytes re-sent of finished parts `
      + `${resentBytes}; resumedParts ${run.result.resumedParts}; ${requests.length} parts sent after the re-drop; resumed run ${ms(run.ms)}`);
  });

// ---------------------------------------------------------------------------------------------------------------
// Integrity

chromiumTest('a corrupted part (proxy flips a byte of part 2 once): InvalidDigest from the server, retried, object right', { timeout: 60_000 }, async (t) => {
  const { file, key } = fileAndKey('corrupt.bin', 12 * MiB);
  h.proxy.rules([{ match: { action: 'UploadPart', partNumber: 2, times: 1 }, fault: { flipByteAt: 1234567 } }]);
  const run = await h.upload(file.path, { key, partSize: 5 * MiB, concurrency: 2 });
  const { log, parts } = await assertSurvived(h, run, file, key);
  const flipped = log.find((e) => e.fault?.startsWith('flipByteAt'));
  assert.equal(flipped?.partNumber, 2, logText(log));
  assert.equal(flipped.status, 400, `the server rejected the corrupted body:\n${logText(log)}`);
  // Garage says InvalidDigest, AWS BadDigest.
  assert.ok(['InvalidDigest', 'BadDigest'].includes(flipped.errorCode), `error code ${flipped.errorCode}`);
  assert.equal(parts[2].requests, 2, 'part 2 sent once more');
  assert.equal(parts[2].completed, 1);
  assert.equal(parts[1].requests + parts[3].requests, 2, 'the other parts once each');
  // 'retrying' is the state only while nothing else is in flight: here the other parts usually are.
  const retrying = run.states.filter((s) => s.state === 'retrying');
  assert.ok(retrying.every((s) => s.errorCode === flipped.errorCode), `states ${JSON.stringify(run.states)}`);
  // The whole object's CRC-64/NVME, checked by the server at Complete, against one computed here.
  assert.equal(run.result.checksumAlgorithm, 'CRC64NVME');
  assert.equal(run.result.checksum, crc64nvme().update(file.bytes).base64(), 'full-object CRC-64/NVME');
  t.diagnostic(`corrupted part: ${flipped.status} ${flipped.errorCode}; part 2 sent ${parts[2].requests} times; `
    + `states ${stateNames(run.states).join(' → ')}; checksum ${run.result.checksum}; total ${ms(run.ms)}`);
});

// ---------------------------------------------------------------------------------------------------------------
// Cancel, stored secrets, already uploaded

test('cancel mid-upload: rejects with Cancelled, no multipart upload left, ListParts says NoSuchUpload, record gone',
  { timeout: 60_000 }, async (t) => {
    const { file, key } = fileAndKey('cancel.bin', 20 * MiB);
    h.proxy.rules([{ match: { action: 'UploadPart' }, fault: { bandwidth: 2 * MiB } }]);
    await h.start(file.path, { key, partSize: 5 * MiB, concurrency: 2 });
    await waitFor(() => {
      const parts = uploadParts(h.proxy.stats().log);
      return confirmedParts(h.proxy.stats().log).size >= 1 && parts.some((e) => e.outcome === 'pending' && e.bytesIn > 0);
    }, { what: 'a part confirmed and another on the wire' });
    const { uploadId } = uploadParts(h.proxy.stats().log)[0];
    assert.ok((await records()).some((r) => r.uploadId === uploadId), 'a record while the upload runs');
    assert.ok(Array.isArray(await listAllParts(key, uploadId)), 'the upload exists before the cancel');
    const tCancel = h.proxy.now();
    await h.handle('cancel');
    const tCancelled = h.proxy.now(); // the page has taken the command
    const run = await h.outcome();
    const cancelledAfter = h.proxy.now() - tCancel;
    assert.equal(run.error?.code, 'Cancelled', JSON.stringify(run.error ?? run.result));
    assert.ok(!stateNames(run.states).includes('done'), `states ${JSON.stringify(run.states)}`);
    assert.deepEqual(await uploadsOf(key), [], 'no multipart upload left for the key');
    assert.equal(await listAllParts(key, uploadId), 'NoSuchUpload');
    assert.ok(!(await records()).some((r) => r.uploadId === uploadId), 'the record is removed');
    await assert.rejects(h.garage.s3.send(new HeadObjectCommand({ Bucket: h.garage.bucket, Key: key })), /NotFound/, 'no object');
    const log = h.proxy.stats().log;
    const after = controls(log.filter((e) => e.t >= tCancel));
    const partsAfter = uploadParts(log).filter((e) => e.t > tCancelled + 50);
    assert.deepEqual(partsAfter, [], 'no part starts after cancel()');
    t.diagnostic(`cancel: rejected ${ms(cancelledAfter)} after cancel(); requests after it: `
      + `${after.map((e) => `${e.action} ${e.status}${e.errorCode ? ` ${e.errorCode}` : ''}`).join(', ')}; states ${stateNames(run.states).join(' → ')}`);
  });

chromiumTest('the stored record holds no secret: IndexedDB read during an upload has the uploadId, no key, secret or token',
  { timeout: 60_000 }, async (t) => {
    const { file, key } = fileAndKey('secret.bin', 12 * MiB);
    const credentials = {
      accessKeyId: h.garage.accessKeyId,
      secretAccessKey: h.garage.secretAccessKey,
      sessionToken: `SESSION-TOKEN-${randomBytes(12).toString('hex')}-MUST-NOT-BE-STORED`,
      expiration: new Date(Date.now() + 3600_000).toISOString(),
    };
    h.proxy.rules([{ match: { action: 'UploadPart' }, fault: { bandwidth: 2 * MiB } }]);
    await h.start(file.path, { key, partSize: 5 * MiB, concurrency: 2, credentials });
    const uploadId = await waitFor(() => uploadParts(h.proxy.stats().log)[0]?.uploadId, { what: 'a part on the wire' });
    const record = await waitFor(async () => (await records()).find((r) => r.uploadId === uploadId), { what: 'the record' });
    const storage = await h.page.evaluate(() => window.readStorage());
    const text = JSON.stringify(storage);
    for (const [name, secret] of Object.entries({ accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey,
      sessionToken: credentials.sessionToken })) {
      assert.ok(!text.includes(secret), `${name} found in the browser's storage: ${text}`);
    }
    assert.ok(!/secret|token|credential|signature/i.test(JSON.stringify(record)), `record fields: ${JSON.stringify(record)}`);
    assert.equal(record.partSize, 5 * MiB);
    await h.handle('cancel');
    assert.equal((await h.outcome()).error?.code, 'Cancelled');
    t.diagnostic(`stored record: ${JSON.stringify(record)}; databases ${Object.keys(storage.databases).join(', ')}; `
      + `localStorage keys ${Object.keys(storage.localStorage).length}, sessionStorage keys ${Object.keys(storage.sessionStorage).length}`);
  });

chromiumTest('the same file already at the key: alreadyUploaded, nothing sent (no Create, no UploadPart)', { timeout: 60_000 }, async (t) => {
  const { file, key } = fileAndKey('twice.bin', 12 * MiB);
  const options = { partSize: 5 * MiB, concurrency: 2 };
  const first = await h.upload(file.path, { key, ...options });
  assert.equal(first.error, undefined, JSON.stringify(first.error));
  assert.equal(first.result.alreadyUploaded, false);
  h.proxy.resetStats();
  const second = await h.upload(file.path, { key, ...options });
  assert.equal(second.error, undefined, JSON.stringify(second.error));
  assert.equal(second.result.alreadyUploaded, true);
  assert.equal(second.result.resumedParts, 0);
  assert.equal(second.result.size, file.size);
  assert.equal(second.result.checksum, first.result.checksum);
  const { actions, log } = h.proxy.stats();
  for (const action of ['CreateMultipartUpload', 'UploadPart', 'CompleteMultipartUpload', 'PutObject']) {
    assert.equal(actions[action], undefined, `${action} for a file already there:\n${logText(log)}`);
  }
  assert.equal((await objectDigest(h.garage, key)).sha256, file.sha256);
  t.diagnostic(`already there: ${controls(log).map((e) => `${e.action} ${e.status}`).join(', ')}; ${ms(second.ms)}`);
});

chromiumTest('a different file of the same size at the key: ifExists "error" rejects with ObjectExists, the default replaces it',
  { timeout: 60_000 }, async () => {
    const { file, key } = fileAndKey('other.bin', 6 * MiB);
    const other = writeFile(`f${fileNumber}b`, 'other.bin', randomBytes(file.size));
    const options = { partSize: 5 * MiB, concurrency: 2 };
    assert.equal((await h.upload(file.path, { key, ...options })).error, undefined);
    const refused = await h.upload(other.path, { key, ...options, ifExists: 'error' });
    assert.equal(refused.error?.code, 'ObjectExists', JSON.stringify(refused.error ?? refused.result));
    assert.equal((await objectDigest(h.garage, key)).sha256, file.sha256, 'the object is untouched');
    const replaced = await h.upload(other.path, { key, ...options });
    assert.equal(replaced.error, undefined, JSON.stringify(replaced.error));
    assert.equal(replaced.result.alreadyUploaded, false);
    assert.equal((await objectDigest(h.garage, key)).sha256, other.sha256, 'replaced by the other file');
  });

// ---------------------------------------------------------------------------------------------------------------
// Pause / resume

test('pause mid-upload: nothing reaches the server for 3 s, state paused; resume completes, nothing confirmed re-sent',
  { timeout: 60_000 }, async (t) => {
    const { file, key } = fileAndKey('pause.bin', 20 * MiB);
    h.proxy.rules([{ match: { action: 'UploadPart' }, fault: { bandwidth: 2 * MiB } }]);
    await h.start(file.path, { key, partSize: 5 * MiB, concurrency: 2 });
    await waitFor(() => {
      const { log } = h.proxy.stats();
      // Not near its end either: a part about to finish would complete before pause() reaches it.
      return confirmedParts(log).size >= 1 && uploadParts(log).some((e) => e.outcome === 'pending' && e.bytesIn > MiB && e.bytesIn < 3 * MiB);
    }, { what: 'a part confirmed and another 1–3 MiB into the wire' });
    const tPause = h.proxy.now();
    const bytesAtPause = h.proxy.stats().actions.UploadPart.bytesIn;
    await h.handle('pause');
    await waitFor(async () => (await h.live()).states.at(-1)?.state === 'paused', { timeout: 2000, what: "state 'paused'" });
    // The parts in flight are stopped. The proxy sees their connections close only once it has read (at its throttled
    // rate) what the kernel had buffered of them: allow for that, then nothing may move for 3 s.
    await waitFor(() => uploadParts(h.proxy.stats().log).every((e) => e.outcome !== 'pending'), { timeout: 8000, what: 'parts in flight stopped' });
    const stopped = h.proxy.now() - tPause;
    const bytesAtStop = h.proxy.stats().actions.UploadPart.bytesIn;
    // The browser cut them (the proxy did not see them complete).
    const cut = uploadParts(h.proxy.stats().log).filter((e) => e.t < tPause && e.tEnd > tPause);
    assert.ok(cut.length > 0 && cut.every((e) => e.outcome === 'client-closed'), `parts in flight at pause():\n${logText(h.proxy.stats().log)}`);
    const tQuiet = h.proxy.now();
    await sleep(3000);
    const { log: pausedLog, actions } = h.proxy.stats();
    assert.deepEqual(pausedLog.filter((e) => e.t >= tQuiet && e.action !== 'Preflight'), [], 'no request while paused');
    assert.equal(actions.UploadPart.bytesIn, bytesAtStop, 'no part bytes while paused');
    assert.equal((await h.live()).states.at(-1)?.state, 'paused');
    const confirmedAtPause = confirmedParts(pausedLog);

    h.proxy.clearRules();
    const tResume = h.proxy.now();
    await h.handle('resume');
    const run = await h.outcome();
    const { log } = await assertSurvived(h, run, file, key);
    const states = stateNames(run.states);
    assert.ok(states.join(',').includes('uploading,paused,uploading'), `states ${states}`);
    const { resentBytes } = sentAfter(log, tResume, confirmedAtPause);
    assert.equal(resentBytes, 0);
    t.diagnostic(`pause: the proxy saw the ${cut.length} parts in flight cut by the browser ${ms(stopped)} after pause() (having read `
      + `${bytesAtStop - bytesAtPause} B more of them meanwhile, at its throttled rate, from what the kernel had buffered), then 3 s without a request; resume → first new part byte `
      + `${ms(firstPartBytesAfter(log, tResume))}; ${confirmedAtPause.size} parts kept, bytes of them re-sent ${resentBytes}; `
      + `states ${states.join(' → ')}`);
  });
