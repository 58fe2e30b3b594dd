// The examples in examples/{vite,vue,react} against the packed npm package (tests/support/example-apps.mjs): built
// by Vite with no wasm plugin or setting (and served by `vite dev`, package pre-bundled), then used from headless
// Chromium: real files go through each app's file input to a real Garage and must arrive byte-identical; the Vue
// and React components (on resumable-s3/vue and resumable-s3/react) must drive the upload with their pause, resume
// and cancel buttons, and unmount cleanly.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { createServer } from 'vite';
import { startDevServer } from '../support/dev-server.mjs';
import { MiB } from '../support/e2e.mjs';
import { partsResentAfterConfirmation } from '../support/fault-proxy.mjs';
import { sleep, waitFor } from '../support/faults.mjs';
import { freePort } from '../support/garage.mjs';
import { useExampleApps } from '../support/example-apps.mjs';

// The apps pass /config on to `new Uploader`: 1 MiB parts (Garage takes them) make an odd-size file of a few MiB
// several parts.
const PARTS = { partSize: MiB, minPartSize: MiB };
const TIMEOUT = { timeout: 180_000 };
const { ex, install, built, serve, confirmedParts, randomFile, assertStored, multipartUploads, openApp, choose, resultShown } = useExampleApps();

// The plain example runs the upload in the library's Web Worker: Vite must bundle the worker and its wasm too.
const BUILDS = { vite: { worker: true }, vue: {}, react: {} };
for (const [example, options] of Object.entries(BUILDS)) {
  const mode = options.worker ? ' (worker mode)' : '';
  test(`${example}: built by Vite from the packed package, no wasm plugin; the app uploads${mode}`, TIMEOUT, async (t) => {
    const { files, warnings } = await built(example);
    for (const { name, bytes, gzip } of files) t.diagnostic(`${example} ${name}: ${bytes} B, gzip ${gzip} B`);
    assert.deepEqual(warnings, [], 'Vite warned');
    assert.ok(files.some(({ name }) => name.endsWith('.wasm')), `no .wasm emitted: ${files.map((f) => f.name)}`);

    const { url } = await serve(t, example, { config: { ...PARTS, ...options } });
    const ui = await openApp(t, url);
    const file = randomFile(`${example}-build.bin`, 5 * MiB + 12345);
    await choose(ui, file);
    await resultShown(ui, file);
    if (options.worker) assert.ok(ui.workers.some((url) => /\/worker-[\w-]+\.js$/.test(url)), `no worker: ${ui.workers}`);
    await assertStored(file);
  });
}

test('vite dev: the packed package works pre-bundled (no optimizeDeps setting)', TIMEOUT, async (t) => {
  const app = await install('vite', 'vite-dev');
  const backend = await startDevServer({ root: app, garage: ex.garage, config: PARTS });
  t.after(backend.stop);
  // The example's proxy, pointed at this backend.
  const proxy = { '/config': backend.url, '/credentials': backend.url };
  const server = { host: '127.0.0.1', port: await freePort(), strictPort: true, proxy };
  const vite = await createServer({ root: app, logLevel: 'warn', server });
  await vite.listen();
  t.after(() => vite.close());
  const ui = await openApp(t, vite.resolvedUrls.local[0]);
  const file = randomFile('vite-dev.bin', 5 * MiB + 12345);
  await choose(ui, file);
  await resultShown(ui, file);
  await assertStored(file);
  const prebundled = path.join(app, 'node_modules', '.vite', 'deps', 'resumable-s3.js');
  assert.ok(existsSync(prebundled), 'resumable-s3 was not pre-bundled');
});

// Parts one at a time through a 1 MiB/s link: each upload is still running when its buttons are clicked.
async function slowApp(t, example) {
  const { url, proxy } = await serve(t, example, { config: { ...PARTS, concurrency: 1 }, proxy: true });
  proxy.rules([{ match: { action: 'UploadPart' }, fault: { bandwidth: MiB } }]);
  const ui = await openApp(t, url);
  // The file's <li>, in that state if given.
  ui.row = (file, state) => ui.page.locator(state ? `li[data-state="${state}"]` : 'li').filter({ hasText: file.key });
  ui.click = (file, name) => ui.settle(ui.row(file).getByRole('button', { name }).click());
  return { ui, proxy };
}

for (const example of ['vue', 'react']) {
  test(`${example}: the component's pause, resume and cancel buttons drive the upload`, TIMEOUT, async (t) => {
    const { ui } = await slowApp(t, example);
    const { row, click } = ui;
    const progress = (file) => row(file).locator('progress').evaluate((bar) => bar.value);

    const paused = randomFile(`${example}-paused.bin`, 3 * MiB + 12345);
    await choose(ui, paused);
    await ui.settle(row(paused, 'uploading').waitFor());
    await click(paused, 'Pause');
    await ui.settle(row(paused, 'paused').waitFor());
    const pausedAt = await progress(paused);
    await sleep(1500);
    assert.equal(await progress(paused), pausedAt, 'the progress bar moved while paused');
    assert.ok(pausedAt < 1, `paused at ${pausedAt}: nothing left to pause`);
    await click(paused, 'Resume');
    await resultShown(ui, paused);
    assert.equal(await progress(paused), 1, 'the progress bar is not full');
    assert.equal(await row(paused).getByRole('button').count(), 0, 'buttons left on a finished upload');
    await assertStored(paused);

    // Large enough (≈12 s at 1 MiB/s) that a slow, loaded machine still clicks Cancel long before the last part.
    const cancelled = randomFile(`${example}-cancelled.bin`, 12 * MiB + 12345);
    await choose(ui, cancelled);
    await ui.settle(row(cancelled, 'uploading').waitFor());
    await click(cancelled, 'Cancel');
    await ui.settle(row(cancelled).locator('.error').filter({ hasText: 'Cancelled' }).waitFor({ timeout: 30_000 }));
    assert.deepEqual(await multipartUploads(cancelled.key), [], 'the cancelled multipart upload is still on the server');
  });
}

// Runs in the page: wraps the app's Uploader (window.exampleUploader) and each handle it starts so that every
// listener added with on() and not yet removed (by the function on() returned, or off()) is counted.
function countListeners() {
  const uploader = window.exampleUploader;
  const live = new Set();
  const watch = (target) => {
    const on = target.on.bind(target);
    const off = target.off.bind(target);
    target.on = (type, listener) => {
      const entry = { type, listener };
      live.add(entry);
      const stop = on(type, listener);
      return () => { live.delete(entry); stop(); };
    };
    target.off = (type, listener) => {
      for (const entry of live) if (entry.type === type && entry.listener === listener) live.delete(entry);
      off(type, listener);
    };
  };
  watch(uploader);
  const start = uploader.start.bind(uploader);
  uploader.start = (...args) => {
    const handle = start(...args);
    watch(handle);
    return handle;
  };
  window.probe = {
    listeners: () => live.size,
    running: () => uploader.uploads.length,
    destroyed() {
      try {
        start(new Blob(['x']), { key: 'never' });
        return false;
      } catch (error) {
        return /destroyed/.test(error.message);
      }
    },
  };
}

for (const example of ['vue', 'react']) {
  test(`${example}: unmounted, the app leaves no upload running and no listener; mounted again, the same file resumes`, TIMEOUT, async (t) => {
    const { ui, proxy } = await slowApp(t, example);
    const { page } = ui;
    const file = randomFile(`${example}-unmounted.bin`, 5 * MiB + 12345);
    await ui.settle(page.waitForFunction(() => window.exampleUploader));
    await page.evaluate(countListeners);
    await choose(ui, file);
    const confirmed = () => confirmedParts(proxy, file.key);
    await ui.settle(waitFor(() => confirmed() >= 2, { what: 'two parts confirmed' }));
    assert.ok(await page.evaluate(() => window.probe.listeners()) > 0, 'the component does not listen to its upload');

    await ui.settle(page.getByRole('button', { name: 'Unmount', exact: true }).click());
    await ui.settle(page.waitForFunction(() => window.probe.running() === 0 && window.probe.destroyed(), null, { timeout: 10_000 }));
    assert.equal(await page.locator('li').count(), 0, 'the app is still shown');
    assert.equal(await page.evaluate(() => window.probe.listeners()), 0, 'listeners left after unmount');
    const unmountedAt = proxy.now();
    await sleep(1500);
    const after = proxy.stats().log.filter((entry) => entry.t > unmountedAt && entry.action !== 'Preflight');
    assert.deepEqual(after.map((entry) => entry.action), [], 'requests after unmount');
    assert.equal((await multipartUploads(file.key)).length, 1, 'the stopped upload should stay on the server, to resume');
    const kept = confirmed();
    assert.ok(kept < 6, 'the upload had finished before the unmount');

    await ui.settle(page.getByRole('button', { name: 'Mount', exact: true }).click());
    await choose(ui, file);
    const shown = await resultShown(ui, file);
    const resumed = Number(shown.match(/(\d+) parts resumed/)?.[1]);
    assert.ok(resumed >= kept, `${kept} parts confirmed before the unmount, resumed: ${shown}`);
    assert.deepEqual(partsResentAfterConfirmation(proxy.stats()), [], 'confirmed parts sent again');
    await assertStored(file);
  });
}
