// examples/uppy: Uppy's Dashboard with the resumable-s3/uppy plugin, built by Vite from the packed package
// (tests/support/example-apps.mjs), used in headless Chromium through the Dashboard's own input and buttons, with
// the fault proxy between the page and Garage: a connection reset and an offline window do not fail the file;
// pause / resume, an error that ends the upload and Retry, Cancel map between Uppy and the library; after a reload,
// the same file dropped again continues with no confirmed part sent again. Every object is read back.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MiB } from '../support/e2e.mjs';
import { errors, partsResentAfterConfirmation } from '../support/fault-proxy.mjs';
import { sleep, waitFor } from '../support/faults.mjs';
import { useExampleApps } from '../support/example-apps.mjs';

const PARTS = { partSize: MiB, minPartSize: MiB, concurrency: 1 };
const TIMEOUT = { timeout: 180_000 };
const { built, serve, randomFile, assertStored, multipartUploads, openApp, choose, resultShown, confirmedParts } = useExampleApps();

// The example served through a fault proxy whose part PUTs go at `bandwidth`; `allowed`: console errors the test
// expects (Uppy logs the error that ends an upload).
async function dashboard(t, { bandwidth = 2 * MiB, allowed } = {}) {
  const { url, proxy } = await serve(t, 'uppy', { config: PARTS, proxy: true });
  const confirmed = (file) => confirmedParts(proxy, file.key);
  const throttle = { match: { action: 'UploadPart' }, fault: { bandwidth } };
  proxy.rules([throttle]);
  const ui = await openApp(t, url, { allowed });
  const { page } = ui;
  Object.assign(ui, {
    throttle,
    // Drops the file on the Dashboard (its file input) and presses its Upload button.
    async drop(file) {
      await choose(ui, file, 'input.uppy-Dashboard-input >> nth=0');
      await ui.settle(page.locator('.uppy-StatusBar-actionBtn--upload').click());
    },
    // Uppy's own view of its only file.
    uppyFile: () => page.evaluate(() => {
      const [file] = window.exampleUppy.getFiles();
      return file && { error: file.error ?? null, isPaused: !!file.isPaused, progress: file.progress };
    }),
  });
  return { ui, proxy, confirmed };
}

test('uppy: built by Vite from the packed package; Dashboard uploads through a connection reset and an offline window', TIMEOUT, async (t) => {
  const { files, warnings } = await built('uppy');
  for (const { name, bytes, gzip } of files) t.diagnostic(`uppy ${name}: ${bytes} B, gzip ${gzip} B`);
  assert.deepEqual(warnings, [], 'Vite warned');
  const { ui, proxy, confirmed } = await dashboard(t);
  // Part 2 is reset after 256 KiB, twice (Chromium resends once by itself after a reset on a reused connection).
  proxy.rules([{ match: { action: 'UploadPart', partNumber: 2, times: 2 }, fault: { resetAfterBytes: 256 * 1024 } }, ui.throttle]);
  const file = randomFile('uppy-outage.bin', 8 * MiB + 12345);
  await ui.drop(file);
  await ui.settle(waitFor(() => confirmed(file) >= 3, { what: 'three parts confirmed' }));
  assert.equal(proxy.activeRules()[0].fired, 2, 'the resets did not happen');

  await ui.context.setOffline(true);
  proxy.cutAll();
  await sleep(4000);
  const offline = await ui.uppyFile();
  assert.equal(offline.error, null, 'the file failed while offline');
  assert.ok(offline.progress.percentage < 100, `${offline.progress.percentage} % while offline: nothing was left to send`);
  await ui.context.setOffline(false);

  const shown = await resultShown(ui, file);
  assert.match(shown, /0 parts resumed/);
  const done = await ui.uppyFile();
  assert.equal(done.progress.uploadComplete, true);
  assert.equal(done.progress.percentage, 100);
  await ui.settle(ui.page.locator('.uppy-Dashboard-Item.is-complete').waitFor());
  assert.deepEqual(partsResentAfterConfirmation(proxy.stats()), [], 'confirmed parts sent again');
  await assertStored(file);
});

test('uppy: the Dashboard pauses and resumes; an error that ends the upload shows, Retry resumes it; Cancel removes it', TIMEOUT, async (t) => {
  const { ui, proxy, confirmed } = await dashboard(t, { bandwidth: MiB, allowed: /s3:PutObject/ }); // Uppy logs the AccessDenied message
  const { page } = ui;
  const file = randomFile('uppy-retry.bin', 6 * MiB + 12345);
  // AccessDenied is tried once more with fresh credentials, then ends the upload: part 3 gets it three times.
  proxy.rules([{ match: { action: 'UploadPart', partNumber: 3, times: 2 }, fault: { respond: errors.accessDenied() } },
    ui.throttle]);
  await ui.drop(file);
  await ui.settle(waitFor(() => confirmed(file) >= 1, { what: 'a part confirmed' }));
  await ui.settle(page.getByRole('button', { name: 'Pause upload' }).click());
  await ui.settle(waitFor(async () => (await ui.uppyFile()).isPaused));
  // The library's upload is paused too, and sends nothing more: no new part request, no progress. (Bytes already in
  // the socket buffers still reach the throttled proxy after the abort, so its byte count is no measure.)
  const libraryState = () => page.evaluate(() => window.exampleUppy.getPlugin('ResumableS3').uploader.uploads[0]?.state.state);
  await ui.settle(waitFor(async () => (await libraryState()) === 'paused', { what: "the library's upload paused" }));
  const pausedAt = { t: proxy.now(), bytes: (await ui.uppyFile()).progress.bytesUploaded };
  await sleep(1500);
  const started = proxy.stats().log.filter((e) => e.action === 'UploadPart' && e.t > pausedAt.t);
  assert.deepEqual(started, [], 'part requests while paused');
  assert.equal((await ui.uppyFile()).progress.bytesUploaded, pausedAt.bytes, 'the progress moved while paused');
  await ui.settle(page.getByRole('button', { name: 'Resume upload' }).click());

  const failed = page.locator('.uppy-Dashboard-Item.is-error');
  await ui.settle(failed.waitFor({ timeout: 60_000 }));
  assert.match((await ui.uppyFile()).error, /^AccessDenied: Access Denied: the credentials need s3:PutObject/, 'the error that ended it, as the library words it');
  const kept = confirmed(file);
  await ui.settle(page.getByRole('button', { name: 'Retry upload' }).first().click());
  const shown = await resultShown(ui, file);
  const resumed = Number(shown.match(/(\d+) parts resumed/)?.[1]);
  assert.ok(resumed >= kept && kept >= 2, `${kept} parts confirmed before the error, resumed: ${shown}`);
  assert.deepEqual(partsResentAfterConfirmation(proxy.stats()), [], 'confirmed parts sent again');
  await assertStored(file);

  // A new Dashboard file, cancelled while uploading: AbortMultipartUpload, nothing left on the server.
  await ui.settle(page.evaluate(() => window.exampleUppy.clear()));
  const cancelled = randomFile('uppy-cancelled.bin', 6 * MiB + 12345);
  await ui.drop(cancelled);
  await ui.settle(waitFor(() => confirmed(cancelled) >= 1, { what: 'a part of the second file confirmed' }));
  await ui.settle(page.locator('[data-cy=cancel]').click());
  await ui.settle(waitFor(async () => (await multipartUploads(cancelled.key)).length === 0 && proxy.stats().actions.AbortMultipartUpload,
    { what: 'the cancelled upload gone from the server' }));
  const left = () => page.evaluate(() => window.exampleUppy.getPlugin('ResumableS3').uploader.uploads.length);
  await ui.settle(waitFor(async () => (await left()) === 0, { what: 'the cancelled upload ended in the library' }));
  assert.equal(await page.locator('#results .error').count(), 0, 'a cancelled file shown as failed');
});

test('uppy: after a reload, the same file dropped again continues where it stopped, no confirmed part sent again', TIMEOUT, async (t) => {
  const { ui, proxy, confirmed } = await dashboard(t, { bandwidth: MiB });
  const file = randomFile('uppy-reload.bin', 8 * MiB + 12345);
  await ui.drop(file);
  await ui.settle(waitFor(() => confirmed(file) >= 3, { what: 'three parts confirmed' }));
  await ui.page.reload(); // the upload dies with the page; IndexedDB keeps its record
  const kept = confirmed(file);
  assert.ok(kept < 9, 'the upload had finished before the reload');
  await ui.drop(file);
  const shown = await resultShown(ui, file);
  const resumed = Number(shown.match(/(\d+) parts resumed/)?.[1]);
  assert.ok(resumed >= kept, `${kept} parts confirmed before the reload, resumed: ${shown}`);
  assert.deepEqual(partsResentAfterConfirmation(proxy.stats()), [], 'confirmed parts sent again');
  await assertStored(file);
});
