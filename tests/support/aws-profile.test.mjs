// Unit tests of the fault proxy's "aws" profile against a real Garage: raw HTTP where the timing or the bytes of an
// answer matter, a Node S3 client otherwise. Run: node --test tests/support/aws-profile.test.mjs
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, beforeEach, test } from 'node:test';
import {
  CompleteMultipartUploadCommand, CreateMultipartUploadCommand, HeadObjectCommand, ListMultipartUploadsCommand, ListPartsCommand,
  S3Client, UploadPartCommand,
} from '@aws-sdk/client-s3';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { awsProfile } from './aws-profile.mjs';
import { startFaultProxy } from './fault-proxy.mjs';
import { startGarage } from './garage.mjs';

let garage, proxy, Bucket;
const client = (region = garage.region) => new S3Client({
  endpoint: proxy.url, region, forcePathStyle: true, maxAttempts: 1, requestChecksumCalculation: 'WHEN_REQUIRED',
  credentials: { accessKeyId: garage.accessKeyId, secretAccessKey: garage.secretAccessKey },
});

before(async () => {
  garage = await startGarage();
  Bucket = garage.bucket;
  proxy = await startFaultProxy({ target: garage.endpoint, profile: awsProfile({ region: garage.region, completeMs: 600, keepAliveMs: 200 }) });
});
after(async () => {
  await proxy?.stop();
  await garage?.stop();
});
beforeEach(() => proxy.clearRules().resetStats());

// A one-part upload ready to complete; returns its id and the Complete body.
async function oneCompletablePart(s3, Key, ChecksumAlgorithm) {
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key, ChecksumAlgorithm }));
  const { ETag } = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: Buffer.alloc(1024, 7), ChecksumAlgorithm }));
  return { UploadId, body: `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>${ETag}</ETag></Part></CompleteMultipartUpload>` };
}

// The raw answer to a SigV4-signed CompleteMultipartUpload, with when its headers and its first non-space byte came
// (a client SDK would hide the whitespace).
async function rawComplete(Key, UploadId, body) {
  const signer = new SignatureV4({ service: 's3', region: garage.region, sha256: Hash.bind(null, 'sha256'), uriEscapePath: false,
    credentials: { accessKeyId: garage.accessKeyId, secretAccessKey: garage.secretAccessKey } });
  const request = await signer.sign({ method: 'POST', protocol: 'http:', hostname: '127.0.0.1', port: proxy.port, path: `/${Bucket}/${Key}`,
    query: { uploadId: UploadId }, headers: { host: `127.0.0.1:${proxy.port}`, 'content-length': String(Buffer.byteLength(body)) }, body });
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: proxy.port, method: 'POST', headers: request.headers,
      path: `/${Bucket}/${Key}?uploadId=${encodeURIComponent(UploadId)}` }, (res) => {
      const headersAt = Date.now() - started;
      let text = '';
      let contentAt;
      res.on('data', (c) => { text += c; if (contentAt === undefined && text.trim()) contentAt = Date.now() - started; });
      res.on('end', () => resolve({ status: res.statusCode, headersAt, contentAt, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

test('slow Complete: 200 and headers at once, whitespace, then the document (its declaration after the spaces)', async () => {
  const { UploadId, body } = await oneCompletablePart(client(), 'aws/slow', undefined);
  const answer = await rawComplete('aws/slow', UploadId, body);
  assert.equal(answer.status, 200, answer.text);
  assert.ok(answer.headersAt < 300, `headers after ${answer.headersAt} ms`);
  assert.ok(answer.contentAt >= 550, `document after ${answer.contentAt} ms`);
  assert.match(answer.text, /^ {2,}<\?xml[^>]*\?>\s*<CompleteMultipartUploadResult/);
});

test('an error inside the 200 of Complete, and 403 for a missing key on HEAD', async () => {
  const s3 = client();
  const { UploadId } = await oneCompletablePart(s3, 'aws/inside', undefined);
  proxy.rules([{ match: { action: 'CompleteMultipartUpload' }, fault: { completeMs: 100, inside: 'InternalError' } }]);
  await assert.rejects(s3.send(new CompleteMultipartUploadCommand({ Bucket, Key: 'aws/inside', UploadId, MultipartUpload: { Parts: [] } })),
    (err) => err.name === 'InternalError', 'the SDK reads the <Error> inside the 200 too');
  await assert.rejects(s3.send(new HeadObjectCommand({ Bucket, Key: 'aws/nothing-here' })), (err) => err.$metadata.httpStatusCode === 403);
});

test('signed for another region: 400 AuthorizationHeaderMalformed naming the bucket\'s', async () => {
  await assert.rejects(client('eu-west-1').send(new ListMultipartUploadsCommand({ Bucket })),
    (err) => err.name === 'AuthorizationHeaderMalformed' && err.Region === garage.region);
  assert.equal(proxy.stats().actions.ListMultipartUploads.requests, 1);
});

test('listings report the checksum an upload was created with', async () => {
  const s3 = client();
  const { UploadId } = await oneCompletablePart(s3, 'aws/crc32', 'CRC32');
  const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket, Prefix: 'aws/crc32' }));
  const listed = uploads.Uploads.find((u) => u.UploadId === UploadId);
  assert.equal(listed.ChecksumAlgorithm, 'CRC32');
  const parts = await s3.send(new ListPartsCommand({ Bucket, Key: 'aws/crc32', UploadId }));
  assert.equal(parts.ChecksumAlgorithm, 'CRC32');
});
