// examples/server against a real moto with auth on: the credentials it vends and the requests it signs are
// judged by moto (signature, session token, the role's IAM policy). moto does not apply session policies, so the
// session policy is checked twice over instead: as sent to AssumeRole (moto records it), and as a role's own
// policy (which moto's policy engine does apply).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { after, before, test } from 'node:test';
import {
  CompleteMultipartUploadCommand, CreateMultipartUploadCommand, DeleteObjectCommand, GetObjectCommand, GetObjectTaggingCommand,
  HeadObjectCommand, PutObjectCommand, S3Client, UploadPartCommand,
} from '@aws-sdk/client-s3';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { sessionPolicy } from '../../examples/server/policy.mjs';
import { startServer } from '../../examples/server/server.mjs';
import { crc64nvme } from '../support/crc64nvme.mjs';
import { startMoto } from '../support/moto.mjs';

const BUCKET = 'app-uploads';
const OTHER_BUCKET = 'other-bucket';
const PREFIX = 'users/alice/';
const PART = 128 * 1024; // moto's minimum part size is lowered to this (S3: 5 MiB)
const ORIGIN = 'http://app.example';
const TTL = 900;

let moto;
let app; // the example server
let backend; // its own IAM user and the role it assumes
let probe; // credentials of a role whose own policy is the session policy document
let adminKey; // an IAM user's static key allowed everything
let admin; // an S3 client with it, to read back what was uploaded

before(async () => {
  moto = await startMoto({ partMinSize: PART });
  await moto.createBucket(BUCKET);
  await moto.createBucket(OTHER_BUCKET);
  backend = await provisionBackend(moto);
  // moto ignores session policies but applies role policies: a role whose own policy is the session policy
  // document lets moto's policy engine judge that document.
  const probeRole = await moto.provisionRole({ userName: 'policy-probe', roleName: 'policy-probe', rolePolicy: sessionPolicy({ bucket: BUCKET, prefix: PREFIX }) });
  adminKey = await moto.createUser({ userName: 'admin', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } });
  await moto.enableAuth();

  admin = s3Client(adminKey);
  probe = await assumeRole(probeRole);
  app = await exampleServer(moto, backend, { durationSeconds: TTL, allowedOrigin: ORIGIN, forcePathStyle: true });
});

// The backend's IAM user and the role it assumes. The role may upload anywhere in BUCKET and nowhere else; the
// session policy narrows that to PREFIX.
const provisionBackend = (server) => server.provisionRole({
  userName: 'upload-backend',
  roleName: 'browser-uploads',
  rolePolicy: {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: ['s3:PutObject', 's3:GetObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'], Resource: `arn:aws:s3:::${BUCKET}/*` },
      { Effect: 'Allow', Action: 's3:ListBucketMultipartUploads', Resource: `arn:aws:s3:::${BUCKET}` },
    ],
  },
});

// The example server for `server` (a moto), assuming `role` (from provisionBackend; null: none).
const exampleServer = (server, role, extra = {}) => startServer({
  endpoint: server.endpoint,
  stsEndpoint: server.endpoint,
  region: server.region,
  bucket: BUCKET,
  prefix: PREFIX,
  roleArn: role?.roleArn,
  credentials: role ? { accessKeyId: role.accessKeyId, secretAccessKey: role.secretAccessKey } : undefined,
  ...extra,
});

after(async () => {
  admin?.destroy();
  await app?.stop();
  await moto?.stop();
});

function s3Client(credentials) {
  // Response checksums off: without the optional awscrt package moto reports a CRC32 as the object's CRC64NVME,
  // which the SDK rightly rejects. The tests compare the bytes themselves.
  return new S3Client({
    endpoint: moto.endpoint, region: moto.region, forcePathStyle: true, credentials, maxAttempts: 1, responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

async function assumeRole({ accessKeyId, secretAccessKey, roleArn }) {
  const sts = new STSClient({ endpoint: moto.endpoint, region: moto.region, credentials: { accessKeyId, secretAccessKey } });
  const { Credentials: c } = await sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'probe' }));
  sts.destroy();
  return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
}

// What the browser library gets from its credentials callback, as the AWS SDK wants it (a Date expiration).
const vendedCredentials = async () => {
  const { accessKeyId, secretAccessKey, sessionToken, expiration } = (await getJson('/credentials')).body;
  return { accessKeyId, secretAccessKey, sessionToken, expiration: new Date(expiration) };
};

const getJson = async (path) => {
  const res = await fetch(`${app.url}${path}`);
  return { status: res.status, body: await res.json() };
};

async function readBack(key) {
  const { Body } = await admin.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return Buffer.from(await Body.transformToByteArray());
}

/** Two parts (one full, one shorter) through the AWS SDK with `client`. */
async function sdkMultipartUpload(client, bucket, key, data) {
  const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
  const Parts = [];
  for (const [i, chunk] of [data.subarray(0, PART), data.subarray(PART)].entries()) {
    const { ETag } = await client.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: i + 1, Body: chunk }));
    Parts.push({ PartNumber: i + 1, ETag });
  }
  await client.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId, MultipartUpload: { Parts } }));
}

const crcBase64 = (bytes) => crc64nvme().update(bytes).base64();
// As the browser library encodes (RFC 3986: only A-Z a-z 0-9 - _ . ~ stay), which is how S3 signs paths.
const enc = (text) => encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const objectUrl = (key, query = '', bucket = BUCKET) => `${moto.endpoint}/${bucket}/${key.split('/').map(enc).join('/')}${query}`;

/** POST /sign as the browser library does (to the main example server unless `serverUrl`). */
async function sign(request, serverUrl = app.url) {
  const res = await fetch(`${serverUrl}/sign`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request) });
  return { status: res.status, body: await res.json() };
}

/** Signs with /sign, then sends exactly that request with exactly the returned headers, as a browser would. */
async function signedFetch(method, url, headers, body) {
  const signed = await sign({ method, url, headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', ...headers } });
  assert.equal(signed.status, 200, `/sign ${method} ${url}: ${JSON.stringify(signed.body)}`);
  const res = await fetch(url, { method, headers: signed.body.headers, body });
  const text = await res.text();
  return { status: res.status, text, headers: res.headers, signedHeaders: signed.body.headers };
}

const xmlField = (xml, name) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];

test('GET /config and GET /credentials: ASIA… credentials with a session token, expiring after durationSeconds', async () => {
  assert.deepEqual((await getJson('/config')).body, { endpoint: moto.endpoint, region: moto.region, bucket: BUCKET, prefix: PREFIX, forcePathStyle: true });
  const before = Date.now();
  const { status, body } = await getJson('/credentials');
  assert.equal(status, 200, JSON.stringify(body));
  assert.deepEqual(Object.keys(body).sort(), ['accessKeyId', 'expiration', 'secretAccessKey', 'sessionToken']);
  assert.match(body.accessKeyId, /^ASIA[A-Z0-9]{16}$/);
  assert.ok(body.secretAccessKey.length >= 20 && body.sessionToken.length >= 20, 'a secret and a session token');
  assert.match(body.expiration, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  const lifetime = (Date.parse(body.expiration) - before) / 1000;
  assert.ok(Math.abs(lifetime - TTL) < 60, `expires in ${lifetime} s, asked for ${TTL} s`);
  const again = (await getJson('/credentials')).body;
  assert.notEqual(again.accessKeyId, body.accessKeyId, 'every call assumes the role afresh');
});

test('moto accepts the vended credentials: a multipart upload under the prefix reads back byte-identical', async () => {
  const client = s3Client(await vendedCredentials());
  const data = randomBytes(PART + 1000);
  await sdkMultipartUpload(client, BUCKET, `${PREFIX}sdk/two-parts.bin`, data);
  client.destroy();
  assert.ok((await readBack(`${PREFIX}sdk/two-parts.bin`)).equals(data));
});

test('moto checks the session token: a wrong one is InvalidToken, none at all is InvalidAccessKeyId', async () => {
  const creds = await vendedCredentials();
  const put = (c) => s3Client(c).send(new PutObjectCommand({ Bucket: BUCKET, Key: `${PREFIX}token.txt`, Body: 'x' }));
  const last = creds.sessionToken.at(-1) === 'A' ? 'B' : 'A';
  await assert.rejects(put({ ...creds, sessionToken: creds.sessionToken.slice(0, -1) + last }), { name: 'InvalidToken' });
  await assert.rejects(put({ ...creds, sessionToken: undefined }), { name: 'InvalidAccessKeyId' });
  await assert.rejects(put({ ...creds, secretAccessKey: `${creds.secretAccessKey}x` }), { name: 'SignatureDoesNotMatch' });
  await put(creds); // and the untouched set works
});

test("moto applies the role's own policy to the vended credentials: another bucket is AccessDenied", async () => {
  const client = s3Client(await vendedCredentials());
  await assert.rejects(client.send(new PutObjectCommand({ Bucket: OTHER_BUCKET, Key: `${PREFIX}x.txt`, Body: 'x' })), { name: 'AccessDenied' });
  await assert.rejects(client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: `${PREFIX}sdk/two-parts.bin` })), { name: 'AccessDenied' });
  client.destroy();
});

test('moto 5.2.5 does not apply session policies: with the vended credentials a key outside the prefix is NOT denied (AWS denies it)', async (t) => {
  // If this starts failing, moto has learnt session policies: turn it into an AccessDenied assertion.
  const client = s3Client(await vendedCredentials());
  await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'users/bob/not-alices.txt', Body: 'x' }));
  client.destroy();
  t.diagnostic('session policy not enforced by moto; its document is checked by the next test instead');
});

test('the session policies the server passes to AssumeRole, as moto recorded them: /credentials with the s3:prefix listing condition, /sign without', async () => {
  // A moto of its own: its state dump (data.json) fails with a 500 once any bucket holds parts of an unfinished
  // or aborted multipart upload, as the other tests leave behind.
  const fresh = await startMoto();
  let server;
  try {
    await fresh.createBucket(BUCKET);
    const role = await provisionBackend(fresh);
    await fresh.enableAuth();
    server = await exampleServer(fresh, role);
    const vended = await fetch(`${server.url}/credentials`).then((r) => r.json());
    const signed = await sign({ method: 'POST', url: `${fresh.endpoint}/${BUCKET}/${PREFIX}x.bin?uploads=`, headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } }, server.url);
    const signerKey = /Credential=(\w+)\//.exec(signed.body.headers.authorization)[1];
    const sessions = await fresh.assumedRoles();
    const policyOf = (accessKeyId) => {
      const session = sessions.find((s) => s.access_key_id === accessKeyId);
      assert.ok(session, `moto has a session for ${accessKeyId}`);
      assert.equal(session.role_arn, role.roleArn);
      return JSON.parse(session.policy);
    };
    assert.deepEqual(policyOf(vended.accessKeyId), sessionPolicy({ bucket: BUCKET, prefix: PREFIX }));
    assert.equal(policyOf(vended.accessKeyId).Statement[0].Resource, `arn:aws:s3:::${BUCKET}/${PREFIX}*`);
    assert.deepEqual(policyOf(signerKey), sessionPolicy({ bucket: BUCKET, prefix: PREFIX, listCondition: false }));
  } finally {
    await server?.stop();
    await fresh.stop();
  }
});

test("the session policy document, judged by moto's policy engine (as a role policy): only multipart uploads under the prefix", async () => {
  const client = s3Client(probe);
  const data = randomBytes(PART + 10);
  await sdkMultipartUpload(client, BUCKET, `${PREFIX}probe.bin`, data);
  assert.ok((await readBack(`${PREFIX}probe.bin`)).equals(data));
  await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: `${PREFIX}probe.bin` })); // HeadObject needs s3:GetObject
  await assert.rejects(client.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'users/bob/x.bin' })), { name: 'AccessDenied' });
  await assert.rejects(client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'users/alice', Body: 'x' })), { name: 'AccessDenied' });
  await assert.rejects(client.send(new CreateMultipartUploadCommand({ Bucket: OTHER_BUCKET, Key: `${PREFIX}x.bin` })), { name: 'AccessDenied' });
  await assert.rejects(client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: `${PREFIX}probe.bin` })), { name: 'AccessDenied' });
  client.destroy();
});

test('/sign: Create, UploadPart ×2, ListParts, ListMultipartUploads, Complete, HeadObject sent with fetch; the object is byte-identical', async () => {
  const key = `${PREFIX}signed/a file (1).bin`; // a space and parentheses: the path must be encoded as S3 signs it
  const data = randomBytes(PART + 5000);
  const parts = [data.subarray(0, PART), data.subarray(PART)];

  const create = await signedFetch('POST', objectUrl(key, '?uploads='), {
    'content-type': 'application/octet-stream', 'x-amz-checksum-algorithm': 'CRC64NVME', 'x-amz-checksum-type': 'FULL_OBJECT',
  });
  assert.equal(create.status, 200, create.text);
  const uploadId = xmlField(create.text, 'UploadId');
  assert.ok(uploadId);
  // Signed with the role's temporary credentials, and exactly the browser's headers plus host.
  const auth = create.signedHeaders.authorization;
  assert.match(auth, /^AWS4-HMAC-SHA256 Credential=ASIA[A-Z0-9]{16}\/\d{8}\/us-east-1\/s3\/aws4_request, /);
  assert.equal(/SignedHeaders=([^,]+)/.exec(auth)[1],
    'content-type;host;x-amz-checksum-algorithm;x-amz-checksum-type;x-amz-content-sha256;x-amz-date;x-amz-security-token');
  assert.ok(create.signedHeaders['x-amz-security-token'] && create.signedHeaders['x-amz-date']);
  assert.equal(create.signedHeaders.host, undefined);

  const etags = [];
  for (const [i, part] of parts.entries()) {
    const res = await signedFetch('PUT', objectUrl(key, `?partNumber=${i + 1}&uploadId=${enc(uploadId)}`),
      { 'x-amz-checksum-crc64nvme': crcBase64(part) }, part);
    assert.equal(res.status, 200, res.text);
    etags.push(res.headers.get('etag'));
  }

  const listParts = await signedFetch('GET', objectUrl(key, `?max-parts=1000&uploadId=${enc(uploadId)}`));
  assert.equal(listParts.status, 200, listParts.text);
  assert.deepEqual([...listParts.text.matchAll(/<PartNumber>(\d+)<\/PartNumber>/g)].map((m) => m[1]), ['1', '2']);
  const listUploads = await signedFetch('GET',
    `${moto.endpoint}/${BUCKET}/?max-uploads=1000&prefix=${enc(key)}&uploads=`);
  assert.equal(listUploads.status, 200, listUploads.text);
  assert.ok(listUploads.text.includes(`<UploadId>${uploadId}</UploadId>`), listUploads.text);

  const completeXml = '<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
    + etags.map((etag, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${etag}</ETag><ChecksumCRC64NVME>${crcBase64(parts[i])}</ChecksumCRC64NVME></Part>`).join('')
    + '</CompleteMultipartUpload>';
  const complete = await signedFetch('POST', objectUrl(key, `?uploadId=${enc(uploadId)}`), {
    'content-type': 'application/xml', 'x-amz-checksum-crc64nvme': crcBase64(data), 'x-amz-checksum-type': 'FULL_OBJECT',
  }, completeXml);
  assert.equal(complete.status, 200, complete.text);
  assert.ok((await readBack(key)).equals(data), 'the object equals the data');
  const keyOf = (headers) => /Credential=(\w+)\//.exec(headers.authorization)[1];
  assert.equal(keyOf(complete.signedHeaders), keyOf(create.signedHeaders), 'the signer reuses its assumed-role credentials');

  const head = await signedFetch('HEAD', objectUrl(key), { 'x-amz-checksum-mode': 'ENABLED' });
  assert.equal(head.status, 200);
  assert.equal(Number(head.headers.get('content-length')), data.length);
});

test('/sign: AbortMultipartUpload, and PutObject of an empty file', async () => {
  const key = `${PREFIX}signed/aborted.bin`;
  const create = await signedFetch('POST', objectUrl(key, '?uploads='));
  const uploadId = xmlField(create.text, 'UploadId');
  const abort = await signedFetch('DELETE', objectUrl(key, `?uploadId=${enc(uploadId)}`));
  assert.equal(abort.status, 204, abort.text);
  const gone = await signedFetch('GET', objectUrl(key, `?uploadId=${enc(uploadId)}`));
  assert.equal(gone.status, 404);
  assert.match(gone.text, /NoSuchUpload/);

  const empty = await signedFetch('PUT', objectUrl(`${PREFIX}signed/empty.txt`), { 'content-type': 'text/plain' }, '');
  assert.equal(empty.status, 200, empty.text);
  assert.equal((await readBack(`${PREFIX}signed/empty.txt`)).length, 0);
});

test('/sign: the signature covers the request: moto rejects it sent to another key or with another header value', async () => {
  const signed = await sign({ method: 'POST', url: objectUrl(`${PREFIX}one.bin`, '?uploads='), headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', 'content-type': 'text/plain' } });
  assert.equal(signed.status, 200);
  const elsewhere = await fetch(objectUrl(`${PREFIX}two.bin`, '?uploads='), { method: 'POST', headers: signed.body.headers });
  assert.equal(elsewhere.status, 403);
  assert.match(await elsewhere.text(), /SignatureDoesNotMatch/);
  const otherType = await fetch(objectUrl(`${PREFIX}one.bin`, '?uploads='), { method: 'POST', headers: { ...signed.body.headers, 'content-type': 'text/html' } });
  assert.equal(otherType.status, 403);
  assert.match(await otherType.text(), /SignatureDoesNotMatch/);
});

test('/sign: a virtual-hosted-style URL (bucket.endpoint/key) is signed for that host, and moto accepts it', async () => {
  // Endpoint "localhost:port": moto takes the bucket from a Host of "bucket.localhost:port". fetch() sets Host
  // from the URL (which would need DNS for *.localhost), so the request goes out through node:http instead.
  const { port } = new URL(moto.endpoint);
  const vhost = await exampleServer(moto, backend, { endpoint: `http://localhost:${port}` });
  try {
    const host = `${BUCKET}.localhost:${port}`;
    const path = `/${PREFIX}virtual-host.bin?uploads=`;
    const signed = (await sign({ method: 'POST', url: `http://${host}${path}`, headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } }, vhost.url)).body;
    const send = (headers) => new Promise((resolve, reject) => {
      http.request({ host: '127.0.0.1', port, method: 'POST', path, headers }, (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (chunk) => { text += chunk; }).on('end', () => resolve({ status: res.statusCode, text }));
      }).on('error', reject).end();
    });
    const ok = await send({ ...signed.headers, host });
    assert.equal(ok.status, 200, ok.text);
    assert.ok(xmlField(ok.text, 'UploadId'));
    assert.equal(xmlField(ok.text, 'Bucket'), BUCKET);
    const otherBucket = await send({ ...signed.headers, host: `${OTHER_BUCKET}.localhost:${port}` });
    assert.equal(otherBucket.status, 403, 'the host is part of the signature');
  } finally {
    await vhost.stop();
  }
});

test('/sign with signWith (a store without STS): a static key, no x-amz-security-token, moto accepts; /credentials is 404', async () => {
  const fixed = await exampleServer(moto, null, { signWith: adminKey });
  try {
    const url = objectUrl(`${PREFIX}static-key.txt`);
    const signed = (await sign({ method: 'PUT', url, headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } }, fixed.url)).body;
    assert.match(signed.headers.authorization, new RegExp(`Credential=${adminKey.accessKeyId}/`));
    assert.equal(signed.headers['x-amz-security-token'], undefined);
    const put = await fetch(url, { method: 'PUT', headers: signed.headers, body: 'static' });
    assert.equal(put.status, 200, await put.text());
    assert.equal((await readBack(`${PREFIX}static-key.txt`)).toString(), 'static');
    assert.equal((await fetch(`${fixed.url}/credentials`)).status, 404);
  } finally {
    await fixed.stop();
  }
});

test('/sign refuses (403) anything but multipart-upload actions on the bucket and prefix', async () => {
  const id = 'upload-id';
  const sha = { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' };
  const refused = {
    'a key outside the prefix': ['PUT', objectUrl('users/bob/x.bin', `?partNumber=1&uploadId=${id}`), sha],
    'a key that only looks inside it (..)': ['POST', `${moto.endpoint}/${BUCKET}/users/alice/../bob/x.bin?uploads=`, sha],
    'the prefix without its slash': ['POST', objectUrl('users/alice', '?uploads='), sha],
    'another bucket': ['POST', objectUrl(`${PREFIX}x.bin`, '?uploads=', OTHER_BUCKET), sha],
    'another host': ['POST', objectUrl(`${PREFIX}x.bin`, '?uploads=').replace('127.0.0.1', 'localhost'), sha],
    DeleteObject: ['DELETE', objectUrl(`${PREFIX}x.bin`), sha],
    GetObject: ['GET', objectUrl(`${PREFIX}x.bin`), sha],
    GetBucketPolicy: ['GET', `${moto.endpoint}/${BUCKET}/?policy=`, sha],
    ListObjects: ['GET', `${moto.endpoint}/${BUCKET}/?prefix=${enc(PREFIX)}`, sha],
    'ListMultipartUploads outside the prefix': ['GET', `${moto.endpoint}/${BUCKET}/?prefix=users%2F&uploads=`, sha],
    'ListMultipartUploads without a prefix': ['GET', `${moto.endpoint}/${BUCKET}/?uploads=`, sha],
    'an extra query parameter': ['POST', objectUrl(`${PREFIX}x.bin`, '?uploads=&tagging='), sha],
    'part number 0': ['PUT', objectUrl(`${PREFIX}x.bin`, `?partNumber=0&uploadId=${id}`), sha],
    'UploadPartCopy (x-amz-copy-source)': ['PUT', objectUrl(`${PREFIX}x.bin`, `?partNumber=1&uploadId=${id}`), { ...sha, 'x-amz-copy-source': `${OTHER_BUCKET}/secret` }],
    'a public ACL (x-amz-acl)': ['POST', objectUrl(`${PREFIX}x.bin`, '?uploads='), { ...sha, 'x-amz-acl': 'public-read' }],
    'a key encoded unlike S3 signs it (%41 for A)': ['POST', `${moto.endpoint}/${BUCKET}/${PREFIX}%41.bin?uploads=`, sha],
    'no x-amz-content-sha256': ['POST', objectUrl(`${PREFIX}x.bin`, '?uploads='), {}],
  };
  for (const [what, [method, url, headers]] of Object.entries(refused)) {
    const { status, body } = await sign({ method, url, headers });
    assert.equal(status, 403, `${what}: ${JSON.stringify(body)}`);
    assert.equal(typeof body.error, 'string', what);
    assert.equal(body.headers, undefined, what);
  }
  // The same shapes inside the rules are signed: the refusals above are about the rule each one breaks.
  for (const [method, url] of [['PUT', objectUrl(`${PREFIX}x.bin`, `?partNumber=1&uploadId=${id}`)], ['POST', objectUrl(`${PREFIX}x.bin`, '?uploads=')],
    ['GET', `${moto.endpoint}/${BUCKET}/?prefix=${enc(PREFIX)}&uploads=`]]) {
    assert.equal((await sign({ method, url, headers: sha })).status, 200, `${method} ${url}`);
  }
  const notJson = await fetch(`${app.url}/sign`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' });
  assert.equal(notJson.status, 400);
});

test("/sign signs the object options' headers and an ACL of allowedAcls only; moto stores what they say", async () => {
  const withAcl = await exampleServer(moto, backend, { allowedAcls: ['bucket-owner-full-control'] });
  try {
    const key = `${PREFIX}signed/with-options.bin`;
    const sha = { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' };
    const options = {
      'x-amz-meta-author': 'Ann', 'content-disposition': 'attachment; filename="a.bin"', 'x-amz-tagging': 'project=blue',
      'x-amz-storage-class': 'STANDARD_IA', 'x-amz-server-side-encryption': 'AES256', 'x-amz-acl': 'bucket-owner-full-control',
      'x-amz-expected-bucket-owner': moto.accountId,
    };
    const request = { method: 'POST', url: objectUrl(key, '?uploads='), headers: { ...sha, ...options } };
    const signed = await sign(request, withAcl.url);
    assert.equal(signed.status, 200, JSON.stringify(signed.body));
    assert.equal((await sign(request)).status, 403, 'the default server allows no ACL at all');
    for (const refused of [{ 'x-amz-acl': 'public-read' }, { 'x-amz-grant-read': 'uri="http://acs.amazonaws.com/groups/global/AllUsers"' },
      { 'x-amz-website-redirect-location': 'https://elsewhere.example/' }]) {
      const { status, body } = await sign({ ...request, headers: { ...request.headers, ...refused } }, withAcl.url);
      assert.equal(status, 403, `${JSON.stringify(refused)}: ${JSON.stringify(body)}`);
    }
    const create = await fetch(request.url, { method: 'POST', headers: signed.body.headers });
    const uploadId = xmlField(await create.text(), 'UploadId');
    assert.equal(create.status, 200);
    const data = randomBytes(1000);
    const signedPut = async (method, url, headers, body) => {
      const { body: { headers: signedHeaders } } = await sign({ method, url, headers: { ...sha, ...headers } }, withAcl.url);
      const res = await fetch(url, { method, headers: signedHeaders, body });
      return { res, text: await res.text() };
    };
    const part = await signedPut('PUT', objectUrl(key, `?partNumber=1&uploadId=${enc(uploadId)}`), {}, data);
    assert.equal(part.res.status, 200, part.text);
    const xml = `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>${part.res.headers.get('etag')}</ETag></Part></CompleteMultipartUpload>`;
    const complete = await signedPut('POST', objectUrl(key, `?uploadId=${enc(uploadId)}`), { 'content-type': 'application/xml' }, xml);
    assert.equal(complete.res.status, 200, complete.text);
    const head = await admin.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
    assert.deepEqual([head.Metadata, head.ContentDisposition, head.StorageClass, head.ServerSideEncryption],
      [{ author: 'Ann' }, 'attachment; filename="a.bin"', 'STANDARD_IA', 'AES256']);
    const { TagSet } = await admin.send(new GetObjectTaggingCommand({ Bucket: BUCKET, Key: key }));
    assert.deepEqual(TagSet, [{ Key: 'project', Value: 'blue' }]);
  } finally {
    await withAcl.stop();
  }
});

test('CORS: the allowed origin gets preflight and response headers, another origin none', async () => {
  const preflight = (origin) => fetch(`${app.url}/sign`, {
    method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
  });
  const ok = await preflight(ORIGIN);
  assert.equal(ok.status, 204);
  assert.equal(ok.headers.get('access-control-allow-origin'), ORIGIN);
  assert.match(ok.headers.get('access-control-allow-methods'), /POST/);
  assert.match(ok.headers.get('access-control-allow-headers'), /content-type/);
  assert.equal((await preflight('http://evil.example')).headers.get('access-control-allow-origin'), null);
  const config = await fetch(`${app.url}/config`, { headers: { origin: ORIGIN } });
  assert.equal(config.headers.get('access-control-allow-origin'), ORIGIN);
});
