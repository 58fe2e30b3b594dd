// Failures must reject quickly with an S3 error code the app can act on.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startHarness } from '../support/e2e.mjs';

let h, file;
before(async () => {
  h = await startHarness();
  file = h.randomFile('small.bin', 64 * 1024);
});
after(() => h?.stop());

test('missing bucket rejects with NoSuchBucket', { timeout: 60_000 }, async () => {
  const { result, error } = await h.upload(file.path, { key: 'e2e/x.bin', bucket: 'no-such-bucket' });
  assert.equal(result, undefined);
  assert.equal(error.code, 'NoSuchBucket', JSON.stringify(error));
  assert.ok(error.message, 'empty message');
});

test('wrong secret key rejects with an auth error within 10 s', { timeout: 60_000 }, async () => {
  const credentials = { accessKeyId: h.garage.accessKeyId, secretAccessKey: '0'.repeat(64), sessionToken: null, expiration: null };
  const { result, error, ms } = await h.upload(file.path, { key: 'e2e/x.bin', credentials });
  assert.equal(result, undefined);
  // Garage answers a bad signature with AccessDenied; AWS says SignatureDoesNotMatch.
  assert.ok(['AccessDenied', 'SignatureDoesNotMatch'].includes(error.code), JSON.stringify(error));
  assert.ok(error.message, 'empty message');
  assert.ok(ms < 10_000, `took ${Math.round(ms)} ms`);
});

// Garage answers both with AccessDenied: the message must lead with its reason, not with IAM permissions.
for (const [what, accessKeyId, reason, fix] of [
  ['a wrong secret', null, /^AccessDenied: Forbidden: Invalid signature: /, /secret access key/],
  ['an unknown key id', `GK${'1'.repeat(24)}`, /^AccessDenied: Forbidden: No such key: GK1+: /, /access key id is not known/],
]) {
  test(`${what}: AccessDenied says the server's reason first, and never repeats its code`, { timeout: 60_000 }, async () => {
    const credentials = { accessKeyId: accessKeyId ?? h.garage.accessKeyId, secretAccessKey: '0'.repeat(64) };
    const { error, errors } = await h.upload(file.path, { key: 'e2e/x.bin', credentials });
    assert.equal(error?.code, 'AccessDenied', JSON.stringify(error));
    assert.match(error.message, reason);
    assert.match(error.message, fix);
    assert.doesNotMatch(error.message, /s3:PutObject/, 'not blamed on permissions');
    for (const { code, message } of [error, ...errors]) {
      assert.equal(message.split(code).length - 1, 1, `the code once: ${message}`);
    }
  });
}
