// The examples in examples/{vite,vue,react} against the packed npm package (tests/support/packed.mjs), as a user
// gets them: built by Vite with no wasm plugin or setting (and served by `vite dev`, package pre-bundled), then
// used from headless Chromium: real files go through each app's file input to a real Garage and must arrive
// byte-identical; the Vue and React components' pause, resume and cancel buttons must drive the upload.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, before, test } from 'node:test';
import { ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { build, createLogger, createServer } from 'vite';
import { startDevServer } from '../support/dev-server.mjs';
import { MiB, launchChromium, objectDigest } from '../support/e2e.mjs';
import { startFaultProxy } from '../support/fault-proxy.mjs';
import { sleep } from '../support/faults.mjs';
import { freePort, startGarage } from '../support/garage.mjs';
import { REPO, installApp, packPackage } from '../support/packed.mjs';

// The apps pass /config on to `new Uploader`: 1 MiB parts (Garage takes them) make an odd-size file of a few MiB
// several parts.
const PARTS = { partSize: MiB, minPartSize: MiB };
const TIMEOUT = { timeout: 180_000 };

let tmp;
let tarball;
let garage;
let browser;
before(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'resumable-s3-examples-'));
  tarball = await packPackage(tmp);
  garage = await startGarage();
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await garage?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const install = (example, dir = example) =>
  installApp({ from: path.join(REPO, 'examples', example), into: path.join(tmp, dir), tarball });

// Builds the app with its own vite.config.js; returns the files Vite wrote and what it warned of.
async function buildApp(root) {
  const logger = createLogger('warn');
  const warnings = [];
  for (const method of ['warn', 'warnOnce']) {
    const log = logger[method].bind(logger);
    logger[method] = (message, options) => { warnings.push(message); log(message, options); };
  }
  const result = await build({ root, logLevel: 'warn', customLogger: logger });
  const files = [result].flat().flatMap(({ output }) => output).map((item) => {
    const bytes = Buffer.from(item.type === 'chunk' ? item.code : item.source);
    return { name: item.fileName, bytes: bytes.length, gzip: gzipSync(bytes).length };
  });
  return { files, warnings };
}

// One install and build per example, shared by its tests: { app, files, warnings }.
const builds = new Map();
function built(example) {
  if (!builds.has(example)) {
    builds.set(example, install(example).then(async (app) => ({ app, ...(await buildApp(app)) })));
  }
  return builds.get(example);
}

// Fresh random bytes on disk, and the key the apps upload them to.
function randomFile(name, size) {
  const bytes = randomBytes(size);
  const file = path.join(tmp, name);
  writeFileSync(file, bytes);
  return { path: file, key: `uploads/${name}`, size, sha256: createHash('sha256').update(bytes).digest('hex') };
}

async function assertStored(file) {
  const stored = await objectDigest(garage, file.key);
  assert.equal(stored.contentLength, file.size);
  assert.equal(stored.sha256, file.sha256, `${file.key} differs from the file`);
}

/**
 * Opens the app at `url` in a fresh browser context. `settle(promise)` waits for the promise, but the first error
 * in the page (uncaught, or logged with console.error) ends the wait instead; `workers`: URLs of the workers it
 * started. Not "Failed to load resource": Chromium logs every 4xx, and a 404 for HeadObject is how a new upload begins.
 */
async function openApp(t, url) {
  const context = await browser.newContext();
  t.after(() => context.close());
  const page = await context.newPage();
  const pageError = new Promise((_, reject) => {
    page.on('pageerror', (err) => reject(new Error(`error in the page: ${err.message}`)));
    page.on('console', (msg) => msg.type() === 'error' && !msg.text().startsWith('Failed to load resource') &&
      reject(new Error(`console error in the page: ${msg.text()}`)));
  });
  pageError.catch(() => {}); // reported by settle()
  const workers = [];
  page.on('worker', (worker) => workers.push(worker.url()));
  await page.goto(url);
  return { page, workers, settle: (promise) => Promise.race([pageError, promise]) };
}

// Picks the file in the app's file input (enabled once the app has its Uploader).
const choose = (ui, file) => ui.settle(ui.page.setInputFiles('input[type=file]:enabled', file.path, { timeout: 15_000 }));

// Waits until the app shows the file's result (its text names the key); an error the app shows fails at once.
async function resultShown(ui, file) {
  const failed = ui.page.locator('.error').first();
  const fail = async () => assert.fail(`the app shows an error: ${await failed.textContent()}`);
  await ui.settle(Promise.race([
    ui.page.locator('.result').filter({ hasText: file.key }).waitFor({ timeout: 60_000 }),
    failed.waitFor({ timeout: 60_000 }).then(fail),
  ]));
}

// The plain example runs the upload in the library's Web Worker: Vite must bundle the worker and its wasm too.
const BUILDS = { vite: { worker: true }, vue: {}, react: {} };
for (const [example, options] of Object.entries(BUILDS)) {
  const mode = options.worker ? ' (worker mode)' : '';
  test(`${example}: built by Vite from the packed package, no wasm plugin; the app uploads${mode}`, TIMEOUT, async (t) => {
    const { app, files, warnings } = await built(example);
    for (const { name, bytes, gzip } of files) t.diagnostic(`${example} ${name}: ${bytes} B, gzip ${gzip} B`);
    assert.deepEqual(warnings, [], 'Vite warned');
    assert.ok(files.some(({ name }) => name.endsWith('.wasm')), `no .wasm emitted: ${files.map((f) => f.name)}`);

    const server = await startDevServer({ root: path.join(app, 'dist'), garage, config: { ...PARTS, ...options } });
    t.after(server.stop);
    const ui = await openApp(t, `${server.url}/`);
    const file = randomFile(`${example}-build.bin`, 5 * MiB + 12345);
    await choose(ui, file);
    await resultShown(ui, file);
    if (options.worker) assert.ok(ui.workers.some((url) => /\/worker-[\w-]+\.js$/.test(url)), `no worker: ${ui.workers}`);
    await assertStored(file);
  });
}

test('vite dev: the packed package works pre-bundled (no optimizeDeps setting)', TIMEOUT, async (t) => {
  const app = await install('vite', 'vite-dev');
  const backend = await startDevServer({ root: app, garage, config: PARTS });
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

for (const example of ['vue', 'react']) {
  test(`${example}: the component's pause, resume and cancel buttons drive the upload`, TIMEOUT, async (t) => {
    const { app } = await built(example);
    // Parts one at a time through a 1 MiB/s link: each upload is still running when its buttons are clicked.
    const proxy = await startFaultProxy({ target: garage.endpoint });
    t.after(proxy.stop);
    proxy.rules([{ match: { action: 'UploadPart' }, fault: { bandwidth: MiB } }]);
    const server = await startDevServer({ root: path.join(app, 'dist'), garage: { ...garage, endpoint: proxy.url },
      config: { ...PARTS, concurrency: 1 } });
    t.after(server.stop);
    const ui = await openApp(t, `${server.url}/`);
    // The file's <li>, in that state if given.
    const row = (file, state) => ui.page.locator(state ? `li[data-state="${state}"]` : 'li').filter({ hasText: file.key });
    const click = (file, name) => ui.settle(row(file).getByRole('button', { name }).click());
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
    const list = new ListMultipartUploadsCommand({ Bucket: garage.bucket, Prefix: cancelled.key });
    const { Uploads = [] } = await garage.s3.send(list);
    assert.deepEqual(Uploads, [], 'the cancelled multipart upload is still on the server');
  });
}
