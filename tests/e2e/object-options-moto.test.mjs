// Object options Garage does not store, checked on moto (auth off; its bucket CORS answers the page): tags (object
// and URL-encoded), a canned ACL, the storage class, SSE-KMS with a bucket key and SSE-S3, an extra header
// (x-amz-website-redirect-location), expected bucket owner and requester pays; the result's versionId and
// serverSideEncryption from a versioned bucket (PutObject: moto's Complete answer has no CORS headers). The empty
// file goes through PutObject with the same options.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { GetObjectAclCommand, GetObjectTaggingCommand, HeadObjectCommand, PutBucketVersioningCommand, S3Client } from '@aws-sdk/client-s3';
import { startHarness } from '../support/e2e.mjs';
import { putBucketCors } from '../support/garage.mjs';
import { startMoto } from '../support/moto.mjs';

const BUCKET = 'options';
const CREDENTIALS = { accessKeyId: 'AKIAOPTIONSOPTIONS00', secretAccessKey: 'any: moto runs without auth here' };
const KMS_KEY = 'arn:aws:kms:us-east-1:123456789012:key/11112222-3333-4444-5555-666677778888';
const ALL_USERS = 'http://acs.amazonaws.com/groups/global/AllUsers';

let h, moto, s3;
before(async () => {
  h = await startHarness();
  moto = await startMoto();
  await moto.createBucket(BUCKET);
  s3 = new S3Client({ endpoint: moto.endpoint, region: moto.region, forcePathStyle: true, credentials: CREDENTIALS, responseChecksumValidation: 'WHEN_REQUIRED' });
  await s3.send(new PutBucketVersioningCommand({ Bucket: BUCKET, VersioningConfiguration: { Status: 'Enabled' } }));
  await putBucketCors(s3, BUCKET, ['*']); // the README's rule, as every test server has it
});
after(async () => {
  s3?.destroy();
  await moto?.stop();
  await h?.stop();
});

const upload = (file, key, uploadOptions) => h.upload(file.path, { endpoint: moto.endpoint, bucket: BUCKET, credentials: CREDENTIALS, key, uploadOptions });
const readBack = async (Key) => {
  const [headed, { TagSet }, { Grants }] = await Promise.all([
    s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key })),
    s3.send(new GetObjectTaggingCommand({ Bucket: BUCKET, Key })),
    s3.send(new GetObjectAclCommand({ Bucket: BUCKET, Key })),
  ]);
  return { head: headed, tags: Object.fromEntries(TagSet.map((t) => [t.Key, t.Value])), grants: Grants };
};

test('moto stores tags, the ACL, storage class, SSE-KMS and extra headers of a multipart upload', { timeout: 120_000 }, async () => {
  const key = 'moto/everything.bin';
  const { result, error } = await upload(h.randomFile('moto.bin', 300 * 1024), key, {
    metadata: { author: 'Ann' }, tagging: { project: 'blue sky', path: 'a/b' }, acl: 'public-read', storageClass: 'STANDARD_IA',
    serverSideEncryption: 'aws:kms', sseKmsKeyId: KMS_KEY,
    headers: { 'x-amz-website-redirect-location': '/elsewhere.html' }, expectedBucketOwner: moto.accountId, requestPayer: 'requester',
  });
  assert.equal(error, undefined, JSON.stringify(error));
  const { head, tags, grants } = await readBack(key);
  assert.deepEqual(tags, { project: 'blue sky', path: 'a/b' });
  assert.ok(grants.some((g) => g.Grantee?.URI === ALL_USERS && g.Permission === 'READ'), JSON.stringify(grants));
  assert.deepEqual([head.Metadata, head.StorageClass, head.ServerSideEncryption, head.SSEKMSKeyId, head.WebsiteRedirectLocation],
    [{ author: 'Ann' }, 'STANDARD_IA', 'aws:kms', KMS_KEY, '/elsewhere.html']);
  // moto sends x-amz-version-id and x-amz-server-side-encryption on Complete but no CORS headers with that answer,
  // so the page cannot read them (result.versionId is null here); the PutObject test below reads them.
  assert.equal(result.uploadId.length > 0, true);
});

test('an empty file (PutObject) carries them too: URL-encoded tags, SSE-S3, metadata, a KMS bucket key; the result has its version and encryption', { timeout: 60_000 }, async () => {
  const key = 'moto/empty.txt';
  const { result, error } = await upload(h.randomFile('empty.txt', 0), key, {
    metadata: { kind: 'empty' }, tagging: 'kind=empty&note=two+words', serverSideEncryption: 'AES256', storageClass: 'GLACIER_IR',
  });
  assert.equal(error, undefined, JSON.stringify(error));
  const { head, tags } = await readBack(key);
  assert.deepEqual(tags, { kind: 'empty', note: 'two words' });
  assert.deepEqual([head.Metadata, head.ServerSideEncryption, head.StorageClass, head.ContentLength], [{ kind: 'empty' }, 'AES256', 'GLACIER_IR', 0]);
  assert.deepEqual([result.versionId, result.serverSideEncryption], [head.VersionId, 'AES256']);
  // moto keeps the bucket key only from PutObject (its CreateMultipartUpload ignores the header).
  const kms = await upload(h.randomFile('empty-kms.txt', 0), 'moto/empty-kms.txt', {
    serverSideEncryption: 'aws:kms', sseKmsKeyId: KMS_KEY, bucketKeyEnabled: true,
  });
  assert.equal(kms.error, undefined, JSON.stringify(kms.error));
  const kmsHead = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'moto/empty-kms.txt' }));
  assert.deepEqual([kmsHead.ServerSideEncryption, kmsHead.SSEKMSKeyId, kmsHead.BucketKeyEnabled], ['aws:kms', KMS_KEY, true]);
  assert.equal(kms.result.serverSideEncryption, 'aws:kms');
});
