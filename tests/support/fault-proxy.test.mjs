// Unit tests of the fault proxy against a real Garage, with real SigV4-signed requests from a Node S3 client
// whose endpoint is the proxy. Run: node --test tests/support/fault-proxy.test.mjs
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import { after, before, beforeEach, test } from 'node:test';
import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand, GetObjectCommand,
  HeadObjectCommand, ListPartsCommand, PutObjectCommand, S3Client, UploadPartCommand,
} from '@aws-sdk/client-s3';
import { classify, errors, partsResentAfterConfirmation, startFaultProxy } from './fault-proxy.mjs';
import { startGarage } from './garage.mjs';
import { storeProfiles } from './store-profiles.mjs';

const KiB = 1024;
const MiB = 1024 * KiB;
const sha256 = (buf) => createHash('sha256').update(buf).digest('hex');

let garage, proxy, s3, s3Unsigned, Bucket;

// A client of the proxy: same credentials as Garage's default key, no retries (so each fault is seen as is),
// no automatic checksums unless asked for.
function proxyClient({ unsignedPayload = false } = {}) {
  const client = new S3Client({
    endpoint: proxy.url,
    region: garage.region,
    forcePathStyle: true,
    credentials: { accessKeyId: garage.accessKeyId, secretAccessKey: garage.secretAccessKey },
    maxAttempts: 1,
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });
  if (unsignedPayload) {
    // As the library signs parts: the signer keeps an x-amz-content-sha256 that is already there.
    client.middlewareStack.add((next) => (args) => {
      args.request.headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
      return next(args);
    }, { step: 'build', name: 'unsignedPayload' });
  }
  return client;
}

before(async () => {
  garage = await startGarage();
  Bucket = garage.bucket;
  proxy = await startFaultProxy({ target: garage.endpoint });
  s3 = proxyClient();
  s3Unsigned = proxyClient({ unsignedPayload: true });
});
after(async () => {
  s3?.destroy();
  s3Unsigned?.destroy();
  await proxy?.stop();
  await garage?.stop();
});
beforeEach(() => {
  proxy.clearRules();
  proxy.resetStats();
});

const create = async (Key) => (await s3.send(new CreateMultipartUploadCommand({ Bucket, Key }))).UploadId;
const uploadPart = (Key, UploadId, PartNumber, Body, client = s3) =>
  client.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber, Body, ContentLength: Body.length }));
const listParts = async (Key, UploadId) =>
  (await garage.s3.send(new ListPartsCommand({ Bucket, Key, UploadId }))).Parts ?? [];
const abort = (Key, UploadId) => garage.s3.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId }));
async function readBack(Key) {
  const { Body } = await garage.s3.send(new GetObjectCommand({ Bucket, Key }));
  return Buffer.from(await Body.transformToByteArray());
}
async function timed(fn) {
  const start = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - start };
}

// Raw request through the proxy (for preflight, CORS headers on injected answers, clients that give up).
function raw({ method = 'GET', path = '/', headers = {}, body, timeoutMs } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(`${proxy.url}${path}`, { method, headers, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (timeoutMs) req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error('gave up'), { code: 'GAVE_UP' })));
    req.end(body);
  });
}

test('classifies S3 actions from method and query', () => {
  const c = (m, u) => { const { action, partNumber } = classify(m, u); return partNumber ? [action, partNumber] : action; };
  assert.equal(c('POST', '/b/k?uploads='), 'CreateMultipartUpload');
  assert.equal(c('POST', '/b/k?uploads'), 'CreateMultipartUpload');
  assert.deepEqual(c('PUT', '/b/k?partNumber=7&uploadId=abc'), ['UploadPart', 7]);
  assert.equal(c('POST', '/b/k?uploadId=abc'), 'CompleteMultipartUpload');
  assert.equal(c('DELETE', '/b/k?uploadId=abc'), 'AbortMultipartUpload');
  assert.equal(c('GET', '/b/k?uploadId=abc&max-parts=1000'), 'ListParts');
  assert.equal(c('GET', '/b?uploads&prefix=k'), 'ListMultipartUploads');
  assert.equal(c('HEAD', '/b/k'), 'HeadObject');
  assert.equal(c('PUT', '/b/k'), 'PutObject');
  assert.equal(c('GET', '/b/k?x-id=GetObject'), 'GetObject');
  assert.equal(c('OPTIONS', '/b/k?partNumber=1&uploadId=abc'), 'Preflight');
  assert.equal(classify('PUT', '/b/dir/a%20b.bin?partNumber=1&uploadId=u').key, 'dir/a b.bin');
});

test('passes a multipart upload through unchanged, and counts it', async () => {
  const Key = 'proxy/pass.bin';
  const data = randomBytes(5 * MiB + 12345);
  const UploadId = await create(Key);
  const ETags = [];
  // Sequential, parts of 2 MiB (Garage has no minimum part size).
  for (let n = 1, off = 0; off < data.length; n += 1, off += 2 * MiB) {
    const { ETag } = await uploadPart(Key, UploadId, n, data.subarray(off, off + 2 * MiB), s3Unsigned);
    ETags.push({ ETag, PartNumber: n });
  }
  await s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: ETags } }));
  const head = await s3.send(new HeadObjectCommand({ Bucket, Key }));
  assert.equal(head.ContentLength, data.length);
  const { Body } = await s3.send(new GetObjectCommand({ Bucket, Key }));
  assert.equal(sha256(Buffer.from(await Body.transformToByteArray())), sha256(data), 'read back through the proxy');
  assert.equal(sha256(await readBack(Key)), sha256(data), 'read back directly');

  const { actions, parts, log } = proxy.stats();
  assert.deepEqual(actions.CreateMultipartUpload, { requests: 1, bytesIn: 0, completed: 1, faulted: 0 });
  assert.equal(actions.UploadPart.requests, 3);
  assert.equal(actions.UploadPart.bytesIn, data.length);
  assert.equal(actions.UploadPart.completed, 3);
  assert.deepEqual(parts[1], { requests: 1, bytesIn: 2 * MiB, completed: 1, faulted: 0 });
  assert.deepEqual(parts[3], { requests: 1, bytesIn: MiB + 12345, completed: 1, faulted: 0 });
  assert.equal(actions.CompleteMultipartUpload.completed, 1);
  assert.ok(actions.CompleteMultipartUpload.bytesIn > 0, 'Complete has an XML body');
  assert.deepEqual(log.map((e) => e.action), ['CreateMultipartUpload', 'UploadPart', 'UploadPart', 'UploadPart',
    'CompleteMultipartUpload', 'HeadObject', 'GetObject']);
  assert.ok(log.every((e) => e.outcome === 'ok' && e.status === 200 && e.fault === null && e.tEnd >= e.t), JSON.stringify(log));
  assert.deepEqual(partsResentAfterConfirmation(proxy.stats()), []);
});

test('forwards CORS preflight to Garage', async () => {
  const { status, headers } = await raw({
    method: 'OPTIONS',
    path: `/${Bucket}/proxy/x.bin?partNumber=1&uploadId=abc`,
    headers: { Origin: 'http://127.0.0.1:1234', 'Access-Control-Request-Method': 'PUT',
      'Access-Control-Request-Headers': 'authorization,x-amz-date,x-amz-content-sha256' },
  });
  assert.equal(status, 200);
  assert.ok(headers['access-control-allow-origin'], JSON.stringify(headers));
  assert.match(headers['access-control-allow-methods'], /PUT/);
  assert.deepEqual(proxy.stats().actions.Preflight, { requests: 1, bytesIn: 0, completed: 1, faulted: 0 });
});

test('resetAfterBytes: the client sees a connection reset mid-part; the retry goes through', async () => {
  const Key = 'proxy/reset.bin';
  const UploadId = await create(Key);
  const body = randomBytes(3 * MiB);
  proxy.rules([{ match: { action: 'UploadPart', partNumber: 1, nth: 1 }, fault: { resetAfterBytes: MiB } }]);
  const err = await uploadPart(Key, UploadId, 1, body, s3Unsigned).then(() => null, (e) => e);
  assert.ok(err, 'expected an error');
  assert.ok(['ECONNRESET', 'EPIPE'].includes(err.code) || /socket hang up|ECONNRESET|EPIPE/.test(err.message),
    `${err.name}: ${err.code} ${err.message}`);
  assert.deepEqual(await listParts(Key, UploadId), [], 'Garage must not have kept a cut part');

  const { ETag } = await uploadPart(Key, UploadId, 1, body, s3Unsigned); // rule fired once: passes now
  assert.ok(ETag);
  const { parts, log } = proxy.stats();
  assert.equal(parts[1].requests, 2);
  assert.equal(parts[1].faulted, 1);
  assert.equal(parts[1].completed, 1);
  assert.ok(parts[1].bytesIn >= 4 * MiB && parts[1].bytesIn <= 6 * MiB, `bytesIn ${parts[1].bytesIn}`);
  const [cut, retry] = log.filter((e) => e.action === 'UploadPart');
  assert.equal(cut.outcome, 'reset');
  assert.equal(cut.status, null);
  assert.equal(cut.fault, `resetAfterBytes=${MiB}`);
  assert.ok(cut.bytesIn >= MiB && cut.bytesIn < 3 * MiB, `cut after ${cut.bytesIn}`);
  assert.equal(retry.outcome, 'ok');
  assert.deepEqual(partsResentAfterConfirmation(proxy.stats()), [], 'a retry of a failed part is not a resend');
  await abort(Key, UploadId);
});

test('resetAfterBytes: 0 cuts a bodyless request at once', async () => {
  proxy.rules([{ match: { action: 'HeadObject' }, fault: { resetAfterBytes: 0 } }]);
  const err = await s3.send(new HeadObjectCommand({ Bucket, Key: 'proxy/none' })).then(() => null, (e) => e);
  assert.ok(err && /ECONNRESET|socket hang up/.test(`${err.code} ${err.message}`), `${err?.code} ${err?.message}`);
  assert.equal(proxy.stats().log[0].outcome, 'reset');
});

test('respond: injected S3 errors reach the client with their codes, nothing reaches Garage', async () => {
  const Key = 'proxy/respond.bin';
  const UploadId = await create(Key);
  const cases = [
    [errors.internalError(), 500],
    [errors.slowDown(), 503],
    [errors.requestTimeout(), 400],
    [errors.expiredToken(), 400],
    [errors.requestTimeTooSkewed(new Date('2030-01-02T03:04:05Z')), 403],
  ];
  for (const [respond, status] of cases) {
    proxy.rules([{ match: { action: 'UploadPart' }, fault: { respond } }]);
    const err = await uploadPart(Key, UploadId, 1, randomBytes(256 * KiB)).then(() => null, (e) => e);
    assert.ok(err, `${respond.code}: expected an error`);
    assert.equal(err.name, respond.code);
    assert.equal(err.$metadata.httpStatusCode, status);
    assert.equal(err.message, respond.message);
  }
  assert.deepEqual(await listParts(Key, UploadId), []);
  const { parts } = proxy.stats();
  assert.deepEqual(parts[1], { requests: 5, bytesIn: 5 * 256 * KiB, completed: 0, faulted: 5 }, 'bodies are drained and counted');
  await abort(Key, UploadId);
});

test('respond: the answer carries CORS headers, Date and the extra XML', async () => {
  proxy.rules([{ match: { action: 'CompleteMultipartUpload' }, fault: { respond: errors.requestTimeTooSkewed(new Date('2030-01-02T03:04:05Z')) } }]);
  const origin = 'http://127.0.0.1:4321';
  const r = await raw({ method: 'POST', path: `/${Bucket}/k?uploadId=u`, headers: { Origin: origin }, body: '<x/>' });
  assert.equal(r.status, 403);
  assert.equal(r.headers['access-control-allow-origin'], origin);
  assert.equal(r.headers['access-control-expose-headers'], 'ETag, Date, x-amz-request-id');
  assert.equal(r.headers.date, 'Wed, 02 Jan 2030 03:04:05 GMT');
  assert.ok(r.headers['x-amz-request-id']);
  assert.match(r.body, /<Error><Code>RequestTimeTooSkewed<\/Code><Message>[^<]+<\/Message>.*<ServerTime>2030-01-02T03:04:05.000Z<\/ServerTime>/);
  // Without an Origin: *
  proxy.rules([{ fault: { respond: { status: 500, code: 'InternalError', message: 'boom', headers: { 'Retry-After': '1' } } } }]);
  const r2 = await raw({ path: `/${Bucket}/k` });
  assert.equal(r2.headers['access-control-allow-origin'], '*');
  assert.equal(r2.headers['retry-after'], '1');
  assert.match(r2.body, /<Code>InternalError<\/Code><Message>boom<\/Message>/);
});

test('stallMs: holds the body for the given time, then the part goes through', async () => {
  const Key = 'proxy/stall.bin';
  const UploadId = await create(Key);
  const body = randomBytes(2 * MiB);
  const fast = await timed(() => uploadPart(Key, UploadId, 1, body, s3Unsigned));
  proxy.rules([{ match: { action: 'UploadPart', partNumber: 2 }, fault: { stallMs: 1200, afterBytes: 512 * KiB } }]);
  const slow = await timed(() => uploadPart(Key, UploadId, 2, body, s3Unsigned));
  assert.ok(slow.ms >= 1200 && slow.ms - fast.ms >= 1000, `stalled ${Math.round(slow.ms)} ms vs ${Math.round(fast.ms)} ms`);
  assert.deepEqual((await listParts(Key, UploadId)).map((p) => p.Size), [2 * MiB, 2 * MiB]);
  assert.equal(proxy.stats().parts[2].completed, 1);
  await abort(Key, UploadId);
});

test('stallMs: a client that gives up mid-stall is cleaned up', async () => {
  proxy.rules([{ match: { action: 'PutObject' }, fault: { stallMs: 5000, afterBytes: 1000 } }]);
  const start = performance.now();
  const Body = randomBytes(64 * KiB);
  const err = await s3Unsigned.send(new PutObjectCommand({ Bucket, Key: 'proxy/gaveup.bin', Body, ContentLength: Body.length }),
    { abortSignal: AbortSignal.timeout(300) }).then(() => null, (e) => e);
  assert.equal(err?.name, 'AbortError', `${err?.name}: ${err?.message}`);
  for (let i = 0; i < 50 && proxy.stats().log[0].outcome === 'pending'; i++) await new Promise((r) => setTimeout(r, 20));
  const [entry] = proxy.stats().log;
  assert.equal(entry.outcome, 'client-closed');
  assert.ok(performance.now() - start < 2000, 'did not wait for the stall to end');
});

test('latencyMs delays the request; bandwidth throttles the body', async () => {
  proxy.rules([{ match: { action: 'HeadObject' }, fault: { latencyMs: 600 } }]);
  const head = await timed(() => s3.send(new HeadObjectCommand({ Bucket, Key: 'proxy/none' })).catch((e) => e));
  assert.equal(head.value.name, 'NotFound', 'the request still reached Garage');
  assert.ok(head.ms >= 600, `${Math.round(head.ms)} ms`);

  proxy.rules([{ match: { action: 'PutObject' }, fault: { bandwidth: 2 * MiB } }]);
  const body = randomBytes(MiB + 512 * KiB);
  const put = await timed(() => s3Unsigned.send(new PutObjectCommand({ Bucket, Key: 'proxy/slow.bin', Body: body, ContentLength: body.length })));
  assert.ok(put.ms >= 700 && put.ms < 3000, `1.5 MiB at 2 MiB/s took ${Math.round(put.ms)} ms`);
  assert.equal(sha256(await readBack('proxy/slow.bin')), sha256(body));
});

test('flipByteAt: without a checksum Garage stores the corrupted part; with one it rejects it', async () => {
  const Key = 'proxy/flip.bin';
  const body = randomBytes(MiB);
  const at = 700_001;
  proxy.rules([{ match: { action: 'UploadPart' }, fault: { flipByteAt: at } }]);

  const UploadId = await create(Key);
  const { ETag } = await uploadPart(Key, UploadId, 1, body, s3Unsigned);
  await s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: [{ ETag, PartNumber: 1 }] } }));
  const stored = await readBack(Key);
  assert.equal(stored.length, body.length);
  assert.notEqual(sha256(stored), sha256(body));
  const diff = [...stored.keys()].filter((i) => stored[i] !== body[i]);
  assert.deepEqual(diff, [at]);
  assert.equal(stored[at], body[at] ^ 0xff);

  // The same with a CRC32C of the real bytes: Garage checks it.
  const UploadId2 = await create(Key);
  const crc = await s3Unsigned.send(new UploadPartCommand({
    Bucket, Key, UploadId: UploadId2, PartNumber: 1, Body: body, ContentLength: body.length, ChecksumAlgorithm: 'CRC32C',
  })).then(() => null, (e) => e);
  assert.ok(crc, 'Garage accepted a part whose CRC32C does not match');
  assert.equal(crc.$metadata.httpStatusCode, 400, `${crc.name}: ${crc.message}`);
  assert.ok(['InvalidDigest', 'BadDigest', 'InvalidRequest'].includes(crc.name), `${crc.name}: ${crc.message}`);
  // And signed payloads (the sha256 of the body in the signature) are rejected too.
  const signed = await uploadPart(Key, UploadId2, 2, body).then(() => null, (e) => e);
  assert.ok(signed && signed.$metadata.httpStatusCode >= 400, 'a signed corrupted body was accepted');
  assert.deepEqual(await listParts(Key, UploadId2), []);
  await abort(Key, UploadId2);
});

test('resetResponse: Garage keeps the part but the client never hears of it', async () => {
  const Key = 'proxy/lost-reply.bin';
  const UploadId = await create(Key);
  proxy.rules([{ match: { action: 'UploadPart' }, fault: { resetResponse: true } }]);
  const err = await uploadPart(Key, UploadId, 1, randomBytes(256 * KiB), s3Unsigned).then(() => null, (e) => e);
  assert.ok(err && /ECONNRESET|socket hang up/.test(`${err.code} ${err.message}`), `${err?.code} ${err?.message}`);
  assert.deepEqual((await listParts(Key, UploadId)).map((p) => p.PartNumber), [1]);
  const [entry] = proxy.stats().log.filter((e) => e.action === 'UploadPart');
  assert.equal(entry.outcome, 'reset');
  assert.equal(entry.status, 200, 'what Garage answered');
  assert.equal(proxy.stats().parts[1].completed, 0, 'not confirmed to the client');
  await abort(Key, UploadId);
});

test('match: nth, times, partNumber lists and first-rule-wins', async () => {
  const Key = 'proxy/match.bin';
  const UploadId = await create(Key);
  const slowDown = { respond: errors.slowDown() };
  const tryPart = (n) => uploadPart(Key, UploadId, n, Buffer.from(`part ${n}`)).then(() => 'ok', (e) => e.name);

  proxy.rules([{ match: { action: 'UploadPart', nth: 2 }, fault: slowDown }]);
  assert.deepEqual([await tryPart(1), await tryPart(1), await tryPart(1)], ['ok', 'SlowDown', 'ok']);

  proxy.rules([{ match: { action: 'UploadPart', times: 2 }, fault: slowDown }]);
  assert.deepEqual([await tryPart(1), await tryPart(2), await tryPart(3)], ['SlowDown', 'SlowDown', 'ok']);

  proxy.rules([{ match: { action: 'UploadPart', nth: 2, times: 2 }, fault: slowDown }]);
  assert.deepEqual([await tryPart(1), await tryPart(1), await tryPart(1), await tryPart(1)], ['ok', 'SlowDown', 'SlowDown', 'ok']);

  proxy.rules([{ match: { action: 'UploadPart', partNumber: [2, 4] }, fault: slowDown }]);
  assert.deepEqual([await tryPart(1), await tryPart(2), await tryPart(3), await tryPart(4)], ['ok', 'SlowDown', 'ok', 'SlowDown']);

  proxy.rules([
    { match: { action: ['UploadPart', 'ListParts'], nth: 1 }, fault: { respond: errors.internalError() } },
    { match: { action: 'UploadPart', nth: 2 }, fault: slowDown }, // counts the first request too
  ]);
  assert.deepEqual([await tryPart(1), await tryPart(1), await tryPart(1)], ['InternalError', 'SlowDown', 'ok']);
  assert.deepEqual(proxy.activeRules().map((r) => [r.seen, r.fired]), [[3, 1], [3, 1]]);

  proxy.clearRules();
  assert.equal(await tryPart(1), 'ok');
  await abort(Key, UploadId);
});

test('stats: counts per action and part, and finds parts sent again after S3 confirmed them', async () => {
  const Key = 'proxy/stats.bin';
  const UploadId = await create(Key);
  proxy.resetStats();
  proxy.rules([{ match: { action: 'UploadPart', partNumber: 2, nth: 1 }, fault: { respond: errors.internalError() } }]);
  const p = (n, size) => uploadPart(Key, UploadId, n, randomBytes(size)).catch((e) => e);
  await Promise.all([p(1, 100 * KiB), p(2, 200 * KiB)]);
  await p(2, 200 * KiB); // retry of a failed part: fine
  assert.deepEqual(partsResentAfterConfirmation(proxy.stats()), []);
  await p(1, 100 * KiB); // part 1 had been confirmed: a resend
  await garage.s3.send(new ListPartsCommand({ Bucket, Key, UploadId })); // direct, not counted

  const { actions, parts, log } = proxy.stats();
  assert.deepEqual(actions.UploadPart, { requests: 4, bytesIn: 600 * KiB, completed: 3, faulted: 1 });
  assert.deepEqual(parts[1], { requests: 2, bytesIn: 200 * KiB, completed: 2, faulted: 0 });
  assert.deepEqual(parts[2], { requests: 2, bytesIn: 400 * KiB, completed: 1, faulted: 1 });
  assert.equal(actions.ListParts, undefined);
  assert.equal(log.length, 4);
  assert.deepEqual(log.filter((e) => e.fault).map((e) => [e.partNumber, e.status, e.fault]), [[2, 500, 'respond=500 InternalError']]);
  for (let i = 1; i < log.length; i++) assert.ok(log[i].t >= log[i - 1].t, 'log is chronological');
  const resent = partsResentAfterConfirmation(proxy.stats());
  assert.equal(resent.length, 1);
  assert.equal(resent[0].partNumber, 1);
  assert.equal(resent[0].uploadId, UploadId);

  proxy.resetStats();
  assert.deepEqual(proxy.stats(), { actions: {}, parts: {}, log: [] });
  await abort(Key, UploadId);
});

test('partsResentAfterConfirmation: once per part, a part sent twice may go again after Complete refused it as InvalidPart', () => {
  const part = (partNumber, t, tEnd, outcome = 'ok', status = 200) => ({ action: 'UploadPart', uploadId: 'U', partNumber, t, tEnd, outcome, status });
  const complete = (t, tEnd, errorCode) => ({ action: 'CompleteMultipartUpload', uploadId: 'U', t, tEnd, status: 400, errorCode });
  const log = [
    part(1, 0, 10), part(2, 0, 5, 'client-closed', null), part(2, 6, 12), // part 2 sent twice, confirmed at 12
    complete(20, 21, 'InvalidPart'), part(2, 30, 40), // its one sanctioned resend
  ];
  assert.deepEqual(partsResentAfterConfirmation({ log }), []);
  const resentAt = (extra) => partsResentAfterConfirmation({ log: [...log, ...extra] }).map((r) => [r.partNumber, r.resentAt]);
  assert.deepEqual(resentAt([part(2, 50, 60)]), [[2, 50]], 'twice is not once');
  assert.deepEqual(resentAt([part(1, 50, 60)]), [[1, 50]], 'part 1 was sent once before its confirmation');
  const noRefusal = log.filter((e) => e.action !== 'CompleteMultipartUpload');
  assert.deepEqual(partsResentAfterConfirmation({ log: noRefusal }).map((r) => r.partNumber), [2], 'no InvalidPart, no excuse');
  const otherRefusal = log.map((e) => (e.action === 'CompleteMultipartUpload' ? { ...e, errorCode: 'InternalError' } : e));
  assert.deepEqual(partsResentAfterConfirmation({ log: otherRefusal }).map((r) => r.partNumber), [2]);
});

test('keepAlive: false closes every connection after its answer, forwarded or injected', async () => {
  const p2 = await startFaultProxy({ target: garage.endpoint, keepAlive: false });
  const get = (path, headers = {}) => new Promise((resolve, reject) => {
    http.get(`${p2.url}${path}`, { headers: { Connection: 'keep-alive', ...headers } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res));
    }).on('error', reject);
  });
  try {
    const forwarded = await get(`/${Bucket}/none`);
    assert.equal(forwarded.statusCode, 403, 'unsigned: Garage refuses');
    assert.equal(forwarded.headers.connection, 'close');
    p2.rules([{ fault: { respond: errors.slowDown() } }]);
    const injected = await get(`/${Bucket}/none`);
    assert.equal(injected.statusCode, 503);
    assert.equal(injected.headers.connection, 'close');
    // The default keeps connections open.
    const kept = await raw({ path: `/${Bucket}/none`, headers: { Connection: 'keep-alive' } });
    assert.equal(kept.headers.connection, 'keep-alive');
  } finally {
    await p2.stop();
  }
});

test('stop() closes the server and cuts open connections', async () => {
  const p2 = await startFaultProxy({ target: garage.endpoint });
  p2.rules([{ fault: { stallMs: 10_000 } }]);
  const pending = new Promise((resolve) => {
    const req = http.request(`${p2.url}/${Bucket}/x`, { method: 'PUT', agent: false }, () => resolve('answered'));
    req.on('error', (e) => resolve(e.code));
    req.end('hello');
  });
  await new Promise((r) => setTimeout(r, 100));
  const { ms } = await timed(() => p2.stop());
  assert.ok(ms < 1000, `stop took ${ms} ms`);
  assert.match(await pending, /ECONNRESET|socket hang up/);
  const refused = await new Promise((resolve) => http.get(`${p2.url}/`, () => resolve('answered')).on('error', (e) => resolve(e.code)));
  assert.equal(refused, 'ECONNREFUSED');
});

test('log entries time the first and last body byte', async () => {
  const Key = 'proxy/times.bin';
  proxy.rules([{ match: { action: 'PutObject' }, fault: { latencyMs: 300 } }]);
  const Body = randomBytes(256 * KiB);
  await s3Unsigned.send(new PutObjectCommand({ Bucket, Key, Body, ContentLength: Body.length }));
  const [entry] = proxy.stats().log;
  assert.ok(entry.tFirstByte >= entry.t + 290, `first byte ${entry.tFirstByte} vs start ${entry.t}: read after the latency`);
  assert.ok(entry.tLastByte >= entry.tFirstByte && entry.tLastByte <= entry.tEnd, JSON.stringify(entry));
  proxy.clearRules();
  await s3.send(new HeadObjectCommand({ Bucket, Key }));
  const head = proxy.stats().log[1];
  assert.equal(head.tFirstByte, null, 'no body');
  assert.ok(Math.abs(proxy.now() - head.tEnd) < 1000, 'now() is the log time base');
});

test('skewedOverMs + respond function: emulates S3 rejecting a skewed clock, with the proxy time as ServerTime', async () => {
  proxy.rules([{ match: { skewedOverMs: 15 * 60_000 }, fault: { respond: () => errors.requestTimeTooSkewed(new Date()) } }]);
  const skewed = new S3Client({
    endpoint: proxy.url, region: garage.region, forcePathStyle: true, maxAttempts: 1, systemClockOffset: -20 * 60_000,
    credentials: { accessKeyId: garage.accessKeyId, secretAccessKey: garage.secretAccessKey },
  });
  try {
    // (The first request only: the SDK corrects its own clock from the answer's Date header.)
    const late = await skewed.send(new CreateMultipartUploadCommand({ Bucket, Key: 'proxy/skew' })).then(() => null, (e) => e);
    assert.equal(late?.name, 'RequestTimeTooSkewed');
    assert.ok(Math.abs(Date.parse(late.ServerTime) - Date.now()) < 5000, `ServerTime ${late.ServerTime}`);
    // A request signed with the right time passes untouched.
    const head = await s3.send(new HeadObjectCommand({ Bucket, Key: 'proxy/none' })).catch((e) => e);
    assert.equal(head.name, 'NotFound');
    assert.deepEqual(proxy.stats().log.map((e) => e.fault), ['respond=403 RequestTimeTooSkewed', null]);
  } finally {
    skewed.destroy();
  }
});

test('cutAll() resets the requests in flight and keeps serving new ones', async () => {
  // (latencyMs holds the request before anything reaches Garage, which would refuse this unsigned one at once.)
  proxy.rules([{ match: { action: 'PutObject' }, fault: { latencyMs: 10_000 } }]);
  const pending = new Promise((resolve) => {
    const req = http.request(`${proxy.url}/${Bucket}/proxy/cut.bin`, { method: 'PUT', agent: false }, () => resolve('answered'));
    req.on('error', (e) => resolve(e.code));
    req.end(randomBytes(64 * KiB));
  });
  for (let i = 0; i < 50 && !proxy.stats().log.length; i++) await new Promise((r) => setTimeout(r, 20));
  const start = performance.now();
  assert.equal(proxy.cutAll(), 1);
  assert.match(await pending, /ECONNRESET|socket hang up/);
  assert.ok(performance.now() - start < 1000, 'cut at once');
  assert.equal(proxy.stats().log[0].outcome, 'cut');
  proxy.clearRules();
  // (On a new connection: the idle keep-alive ones, like the S3 client's, were cut too.)
  const after = await raw({ path: `/${Bucket}/none` });
  assert.equal(after.status, 403, 'still serving (Garage refuses the unsigned request)');
  assert.equal(proxy.cutAll(), 0);
});

test('when + rewriteResponse: header-matched refusals, and an answer passed on with its body rewritten', async () => {
  const Key = 'proxy/profiles.bin';
  proxy.rules(storeProfiles.b2);
  const refused = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key, ChecksumAlgorithm: 'CRC32C' })).then(() => null, (e) => e);
  assert.equal(refused?.name, 'InvalidArgument');
  assert.equal(refused.message, "Unsupported header 'x-amz-checksum-algorithm' received for this API call.");
  const UploadId = await create(Key); // no checksum header: forwarded
  const part = await uploadPart(Key, UploadId, 1, Buffer.from('hello'));

  proxy.rules(storeProfiles.ignoresChecksums);
  const done = await s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId,
    MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] } }));
  assert.equal(done.ETag, '"62109206880d38a4010a98e11243924a-1"', 'the rest of the answer is intact');
  assert.equal(done.ChecksumType, undefined);
  assert.deepEqual(proxy.stats().log.map((e) => [e.action, e.fault]), [['CreateMultipartUpload', 'respond=400 InvalidArgument'],
    ['CreateMultipartUpload', null], ['UploadPart', null], ['CompleteMultipartUpload', 'rewriteResponse']]);

  proxy.rules(storeProfiles.minioBefore2025);
  const crc64 = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key, ChecksumAlgorithm: 'CRC64NVME' })).then(() => null, (e) => e);
  assert.equal(crc64?.$metadata.httpStatusCode, 501);
  const crc32c = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key, ChecksumAlgorithm: 'CRC32C' }));
  await abort(Key, crc32c.UploadId);
});
