// Keys, buckets and endpoints: odd keys upload under exactly that key (read back with a separate S3 client); keys
// S3 or the browser cannot take as given, and endpoint mistakes, are typed errors before any request (counted at
// the fault proxy); a virtual-hosted endpoint that cannot resolve (an IP address) uses path style by itself.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MiB, objectDigest } from '../support/e2e.mjs';
import { logText, useFaultHarness } from '../support/faults.mjs';

let h;
useFaultHarness((harness) => { h = harness; });

const requests = () => h.proxy.stats().log.filter((e) => e.action !== 'Preflight');

test('odd keys (spaces, + % ? #, unicode, //, a leading /, control characters) are stored under exactly that key', { timeout: 120_000 }, async () => {
  const keys = ['odd/a b+c%20d?e=f#g', 'odd/ünïcødé 😀.bin', 'odd//double//slash', '/leading-slash', 'odd/ctl\u0001\u001f\u007f', 'odd/.hidden/..x/y..'];
  for (const [i, key] of keys.entries()) {
    const file = h.randomFile(`odd-${i}.bin`, MiB + i);
    const run = await h.upload(file.path, { key, partSize: MiB, minPartSize: MiB });
    assert.equal(run.error, undefined, `${JSON.stringify(key)}: ${JSON.stringify(run.error)}\n${logText(requests())}`);
    assert.equal(run.result.key, key);
    const stored = await objectDigest(h.garage, key);
    assert.equal(stored.sha256, file.sha256, `${JSON.stringify(key)} read back`);
    h.proxy.resetStats();
  }
});

test('a "." or ".." path segment, or a key over 1,024 bytes: InvalidKey, saying why, before any request', { timeout: 60_000 }, async () => {
  const file = h.randomFile('bad-key.bin', 1000);
  const cases = [['dir/./file', /'\.' path segment/], ['dir/../file', /'\.\.' path segment/], ['é'.repeat(513), /1026 bytes/]];
  for (const [key, why] of cases) {
    const run = await h.upload(file.path, { key });
    assert.equal(run.error?.code, 'InvalidKey', JSON.stringify(run));
    assert.match(run.error.message, why);
  }
  assert.deepEqual(requests(), [], 'nothing was sent');
});

test('an endpoint with the bucket in its path: InvalidOptions naming the fix, before any request', { timeout: 60_000 }, async () => {
  const file = h.randomFile('endpoint-path.bin', 1000);
  const run = await h.upload(file.path, { key: 'k/endpoint-path.bin', endpoint: `${h.proxy.url}/${h.garage.bucket}` });
  assert.equal(run.error?.code, 'InvalidOptions', JSON.stringify(run));
  assert.match(run.error.message, /give the bucket as `bucket`/);
  assert.deepEqual(requests(), []);
});

test('virtual-hosted style to an IP address (forcePathStyle false) uses path style: bucket.127.0.0.1 cannot resolve', { timeout: 60_000 }, async () => {
  const file = h.randomFile('virtual-ip.bin', 2 * MiB);
  const key = 'k/virtual-ip.bin';
  const run = await h.upload(file.path, { key, forcePathStyle: false, partSize: MiB, minPartSize: MiB });
  assert.equal(run.error, undefined, JSON.stringify(run.error));
  assert.equal((await objectDigest(h.garage, key)).sha256, file.sha256);
});
