// Object options against Garage (through the fault proxy, which counts requests): what Garage stores (metadata,
// the content headers, SSE-C) read back with a separate S3 client; invalid values refused before any request;
// an AbortSignal; resume only into an upload made with the same options; the SSE-C key never in IndexedDB.
// Tags, ACLs, storage classes, SSE-S3/KMS, extra headers and versions are checked on moto (object-options-moto).
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { GetObjectCommand, HeadObjectCommand, ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { MiB, startHarness } from '../support/e2e.mjs';

const SSE_KEY = randomBytes(32).toString('base64');
const SSE_KEY_MD5 = createHash('md5').update(Buffer.from(SSE_KEY, 'base64')).digest('base64');
// Garage takes parts under 5 MiB: 3 parts for 3 MiB, one at a time (throttled: about a second each).
const SMALL_PARTS = { minPartSize: MiB, partSize: MiB, concurrency: 1 };
const THROTTLED = [{ match: { action: 'UploadPart' }, fault: { bandwidth: MiB } }];

let h;
before(async () => { h = await startHarness({ proxy: true }); });
after(() => h?.stop());

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
async function until(what, check, timeoutMs = 30_000) {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(100)) {
    if (await check()) return;
  }
  throw new Error(`timed out waiting for ${what}`);
}
const partsHeld = async (n, resumed = false) => ((await h.live()).parts.filter((p) => p.resumed === resumed).length >= n);
const head = (Key, extra = {}) => h.garage.s3.send(new HeadObjectCommand({ Bucket: h.garage.bucket, Key, ...extra }));
/** RFC 2047 `=?UTF-8?B?…?=`, the form S3 returns non-ASCII metadata in. */
const decodeWord = (value) => {
  const word = /^=\?UTF-8\?B\?([^?]*)\?=$/i.exec(value);
  return word ? Buffer.from(word[1], 'base64').toString('utf8') : value;
};

test('Garage stores metadata (non-ASCII as RFC 2047), the content headers and SSE-C; the key is on every part and never in IndexedDB', { timeout: 120_000 }, async () => {
  const file = h.randomFile('options.bin', 3 * MiB);
  const key = 'e2e/options/everything.bin';
  const disposition = await h.page.evaluate(() => window.contentDisposition('Résumé "final".pdf'));
  assert.equal(disposition, `attachment; filename="R_sum_ _final_.pdf"; filename*=UTF-8''R%C3%A9sum%C3%A9%20%22final%22.pdf`);
  const expires = new Date('2037-01-01T00:00:00Z');
  h.proxy.rules(THROTTLED);
  await h.start(file.path, {
    key, ...SMALL_PARTS, uploadOptions: {
      metadata: { Author: 'Ann', city: 'Zürich' }, cacheControl: 'max-age=3600', contentDisposition: disposition,
      contentEncoding: 'gzip', contentLanguage: 'de-CH', expires: expires.getTime(), sseCustomerKey: SSE_KEY,
    },
  });
  // While it uploads the record is in IndexedDB, with the options' fingerprint: never the key nor its MD5.
  await until('a part', () => partsHeld(1));
  const storage = JSON.stringify(await h.page.evaluate(() => window.readStorage()));
  const records = await h.page.evaluate(() => window.uploadRecords());
  assert.equal(records.length, 1, storage);
  assert.match(records[0].optionsHash, /^[0-9a-f]{16}$/);
  assert.ok(!storage.includes(SSE_KEY) && !storage.includes(SSE_KEY_MD5), `the SSE-C key is stored: ${storage}`);
  h.proxy.rules([]);
  const { result, error } = await h.outcome();
  assert.equal(error, undefined, JSON.stringify(error));
  assert.equal(result.uploadId?.length > 0, true);
  assert.equal(result.checksumType, 'FULL_OBJECT', 'Garage answers Complete with the checksum type');

  // Garage encrypts each part with the key its UploadPart carried: the object reads back only with the key.
  await assert.rejects(head(key), 'readable without the SSE-C key');
  const withKey = { SSECustomerAlgorithm: 'AES256', SSECustomerKey: SSE_KEY };
  const stored = await head(key, withKey);
  assert.deepEqual({ ...stored.Metadata, city: decodeWord(stored.Metadata.city) }, { author: 'Ann', city: 'Zürich' });
  assert.equal(stored.Metadata.city, `=?UTF-8?B?${Buffer.from('Zürich').toString('base64')}?=`);
  assert.deepEqual([stored.CacheControl, stored.ContentDisposition, stored.ContentEncoding, stored.ContentLanguage],
    ['max-age=3600', disposition, 'gzip', 'de-CH']);
  assert.equal(stored.ExpiresString ?? stored.Expires?.toUTCString(), expires.toUTCString());
  assert.equal(stored.SSECustomerAlgorithm, 'AES256');
  const { Body } = await h.garage.s3.send(new GetObjectCommand({ Bucket: h.garage.bucket, Key: key, ...withKey }));
  assert.equal(createHash('sha256').update(await Body.transformToByteArray()).digest('hex'), file.sha256);
});

test('invalid options reject with InvalidOptions before any request', { timeout: 60_000 }, async () => {
  const file = h.randomFile('invalid.bin', 64 * 1024);
  const cases = {
    'metadata over 2 KB': [{ metadata: { a: 'x'.repeat(2048) } }, /2 KB|S3 allows 2048/],
    'a metadata name with a space': [{ metadata: { 'my name': 'x' } }, /HTTP header name/],
    'a tag with a semicolon': [{ tagging: { a: 'x;y' } }, /letters, digits/],
    'eleven tags': [{ tagging: Object.fromEntries([...Array(11).keys()].map((i) => [`k${i}`, 'v'])) }, /11 tags/],
    'an unknown ACL': [{ acl: 'public' }, /acl must be one of/],
    'an unknown storage class': [{ storageClass: 'COLD' }, /storageClass/],
    'SSE-S3 and SSE-C together': [{ serverSideEncryption: 'AES256', sseCustomerKey: SSE_KEY }, /exclude each other/],
    'a short SSE-C key': [{ sseCustomerKey: 'c2hvcnQ=' }, /256-bit/],
    'a KMS key without aws:kms': [{ sseKmsKeyId: 'k' }, /aws:kms/],
    'a non-ASCII Content-Disposition': [{ contentDisposition: 'attachment; filename="é.pdf"' }, /contentDisposition\(name\)/],
    'an invalid expires': [{ expires: 'not a date' }, /expires/],
    'a header the library sets': [{ headers: { 'x-amz-checksum-crc32': 'x' } }, /not allowed here/],
    'a header an option sets': [{ headers: { 'Cache-Control': 'no-store' } }, /its own option/],
    'a signal that is not one': [{ signal: 'stop' }, /AbortSignal/],
  };
  const sent = h.proxy.stats().log.length;
  for (const [what, [uploadOptions, message]] of Object.entries(cases)) {
    const { error } = await h.upload(file.path, { key: 'e2e/options/invalid.bin', uploadOptions });
    assert.equal(error?.code, 'InvalidOptions', `${what}: ${JSON.stringify(error)}`);
    assert.match(error.message, message, what);
  }
  // The Uploader's defaults are checked as well.
  const { error } = await h.upload(file.path, { key: 'e2e/options/invalid.bin', requestPayer: 'me' });
  assert.equal(error?.code, 'InvalidOptions', JSON.stringify(error));
  assert.equal(h.proxy.stats().log.length, sent, 'a request went out');
});

test('aborting the signal cancels: nothing of the upload is left on the server', { timeout: 60_000 }, async () => {
  const file = h.randomFile('aborted.bin', 3 * MiB);
  const key = 'e2e/options/aborted.bin';
  h.proxy.rules(THROTTLED);
  await h.start(file.path, { key, ...SMALL_PARTS, abortable: true });
  await until('a part', () => partsHeld(1));
  await h.page.evaluate(() => window.currentUpload.controller.abort());
  const { error } = await h.outcome();
  h.proxy.rules([]);
  assert.equal(error?.code, 'Cancelled', JSON.stringify(error));
  const { Uploads = [] } = await h.garage.s3.send(new ListMultipartUploadsCommand({ Bucket: h.garage.bucket, Prefix: key }));
  assert.deepEqual(Uploads, []);
  assert.deepEqual(await h.page.evaluate(() => window.uploadRecords()), []);
});

test('a re-drop with the same metadata resumes; with changed metadata it starts a new upload and the object has the new metadata', { timeout: 120_000 }, async () => {
  const file = h.randomFile('changed.bin', 3 * MiB);
  const key = 'e2e/options/changed.bin';
  const withVersion = (version) => ({ key, ...SMALL_PARTS, uploadOptions: { metadata: { version } } });
  h.proxy.rules(THROTTLED);
  await h.start(file.path, withVersion('1'));
  await until('a part', () => partsHeld(1));
  const [first] = await h.page.evaluate(() => window.uploadRecords());
  await h.reload();
  await h.start(file.path, withVersion('1'));
  await until('a resumed part', () => partsHeld(1, true));
  await h.reload();
  h.proxy.rules([]);
  const { result, error } = await h.upload(file.path, withVersion('2'));
  assert.equal(error, undefined, JSON.stringify(error));
  assert.notEqual(result.uploadId, first.uploadId, 'the upload made with version 1 was continued');
  assert.equal(result.resumedParts, 0);
  assert.deepEqual((await head(key)).Metadata, { version: '2' });
});
