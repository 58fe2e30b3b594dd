// The browser's store misbehaving (issue 15): IndexedDB missing, throwing, or blocked for good (a deleteDatabase
// elsewhere waiting on a connection that never closes). The upload goes on without it, within bounded waits, the
// app hears a `warning`, cancel() settles, and the library's own connection never blocks a deleteDatabase.
// The faults are made in the page by an init script, chosen per page load through sessionStorage.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { MiB, objectDigest, startHarness } from '../support/e2e.mjs';
import { waitFor } from '../support/faults.mjs';

function storageFault() {
  const fault = sessionStorage.getItem('idb-fault');
  if (fault === 'missing') Object.defineProperty(window, 'indexedDB', { get: () => undefined, configurable: true });
  if (fault === 'throws') {
    IDBFactory.prototype.open = () => { throw new DOMException('The user denied permission to access the database.', 'SecurityError'); };
  }
  if (fault === 'blocked') {
    // Holds a connection without a versionchange handler, then asks to delete the database: the delete waits for
    // it, and every later open of the database waits behind the delete.
    const held = indexedDB.open('resumable-s3');
    held.onsuccess = () => { window.heldConnection = held.result; indexedDB.deleteDatabase('resumable-s3'); };
  }
}

let h, file;
before(async () => {
  h = await startHarness({ proxy: true, initScript: storageFault });
  file = h.randomFile('stored.bin', 2 * MiB + 5);
});
after(() => h?.stop());

async function withFault(fault) {
  await h.page.evaluate((f) => (f ? sessionStorage.setItem('idb-fault', f) : sessionStorage.removeItem('idb-fault')), fault);
  await h.reload();
}

const PARTS = { minPartSize: MiB, partSize: MiB };

for (const [fault, reason] of [['missing', /no IndexedDB/], ['throws', /denied permission/], ['blocked', /did not answer within 5 s/]]) {
  test(`IndexedDB ${fault}: the upload goes on without it and the app is told it cannot resume after a reload`, { timeout: 60_000 }, async () => {
    await withFault(fault);
    const key = `storage/${fault}.bin`;
    const out = await h.upload(file.path, { key, ...PARTS });
    assert.ok(out.result, JSON.stringify(out.error));
    assert.equal((await objectDigest(h.garage, key)).sha256, file.sha256);
    assert.deepEqual(out.warnings.map((w) => w.code), ['StorageUnavailable'], JSON.stringify(out.warnings));
    assert.match(out.warnings[0].message, /cannot be resumed after a reload/);
    assert.match(out.warnings[0].message, reason);
    assert.ok(out.ms < 20_000, `took ${Math.round(out.ms)} ms`);
  });
}

test('cancel() settles while IndexedDB never answers', { timeout: 60_000 }, async () => {
  await withFault('blocked');
  await h.start(file.path, { key: 'storage/cancelled.bin', ...PARTS });
  await h.handle('cancel');
  const out = await h.outcome();
  assert.equal(out.error?.code, 'Cancelled', JSON.stringify(out.error));
  assert.ok(out.ms < 15_000, `took ${Math.round(out.ms)} ms`);
});

test("the library's connection does not block a deleteDatabase (cleared site data) while it uploads", { timeout: 60_000 }, async () => {
  await withFault(null);
  const slow = h.randomFile('slow.bin', 4 * MiB);
  h.proxy.rules([{ match: { action: 'UploadPart' }, fault: { bandwidth: MiB } }]);
  try {
    await h.start(slow.path, { key: 'storage/slow.bin', ...PARTS });
    await waitFor(async () => (await h.page.evaluate(() => window.uploadRecords())).length > 0, { what: 'the upload remembered', timeout: 20_000 });
    // window.clearUploadRecords rejects when the delete is blocked by an open connection.
    assert.equal(await h.page.evaluate(() => window.clearUploadRecords()), true);
    const out = await h.outcome();
    assert.ok(out.result, JSON.stringify(out.error));
    assert.equal((await objectDigest(h.garage, 'storage/slow.bin')).sha256, slow.sha256);
  } finally {
    h.proxy.rules([]);
  }
});
