// The examples in examples/{vite,vue,react} against the packed npm package (tests/support/packed.mjs), as a user
// gets them: built by Vite with no wasm plugin or setting (and served by `vite dev`, package pre-bundled), then
// used from headless Chromium: a real file goes through each app's file input to a real Garage and must arrive
// byte-identical.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import { build, createLogger, createServer } from 'vite';
import { startDevServer } from '../support/dev-server.mjs';
import { MiB, objectDigest } from '../support/e2e.mjs';
import { freePort, startGarage } from '../support/garage.mjs';
import { REPO, installApp, packPackage } from '../support/packed.mjs';

// As tests/support/e2e.mjs launches it.
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];
// The apps pass /config on to `new Uploader`: 1 MiB parts (Garage takes them) make an odd-size file of a few MiB
// several parts.
const PARTS = { partSize: MiB, minPartSize: MiB };
const SIZE = 5 * MiB + 12345;

let tmp;
let tarball;
let garage;
let browser;
before(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'resumable-s3-examples-'));
  tarball = await packPackage(tmp);
  garage = await startGarage();
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
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

// Picks a fresh random file in the app at `url` and waits for the app to show the result (whose text names the
// key) or an error; then the object in Garage must be the file. `worker`: the upload must run in the library's worker.
async function uploadThroughApp(url, name, { worker = false } = {}) {
  const bytes = randomBytes(SIZE);
  const file = path.join(tmp, `${name}.bin`);
  writeFileSync(file, bytes);
  const key = `uploads/${name}.bin`;
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    // The first error in the page ends the wait. Not "Failed to load resource": Chromium logs every 4xx, and a
    // 404 for HeadObject is how a new upload begins.
    const pageError = new Promise((_, reject) => {
      page.on('pageerror', (err) => reject(new Error(`error in the page: ${err.message}`)));
      page.on('console', (msg) => msg.type() === 'error' && !msg.text().startsWith('Failed to load resource') &&
        reject(new Error(`console error in the page: ${msg.text()}`)));
    });
    pageError.catch(() => {}); // only the races below report it
    const workers = [];
    page.on('worker', (w) => workers.push(w.url()));
    await page.goto(url);
    // Enabled once the app has its Uploader.
    await Promise.race([pageError, page.setInputFiles('input[type=file]:enabled', file, { timeout: 15_000 })]);
    const failed = page.locator('.error').first();
    await Promise.race([
      pageError,
      page.locator('.result').filter({ hasText: key }).waitFor({ timeout: 60_000 }),
      failed.waitFor({ timeout: 60_000 }).then(async () => assert.fail(`the app shows an error: ${await failed.textContent()}`)),
    ]);
    if (worker) assert.ok(workers.some((w) => /\/worker-[\w-]+\.js$/.test(w)), `no upload worker started: ${workers}`);
  } finally {
    await context.close();
  }
  const stored = await objectDigest(garage, key);
  assert.equal(stored.contentLength, SIZE);
  assert.equal(stored.sha256, createHash('sha256').update(bytes).digest('hex'), 'stored object differs from the file');
}

// The plain example runs the upload in the library's Web Worker: Vite must bundle the worker and its wasm too.
const BUILDS = { vite: { worker: true }, vue: {}, react: {} };
for (const [example, options] of Object.entries(BUILDS)) {
  test(`${example}: the packed package builds with Vite, no wasm plugin, and uploads from the built app` +
    (options.worker ? ' (worker mode)' : ''), { timeout: 180_000 }, async (t) => {
    const app = await install(example);
    const { files, warnings } = await buildApp(app);
    for (const { name, bytes, gzip } of files) t.diagnostic(`${example} ${name}: ${bytes} B, gzip ${gzip} B`);
    assert.deepEqual(warnings, [], 'Vite warned');
    assert.ok(files.some(({ name }) => name.endsWith('.wasm')), `no .wasm emitted: ${files.map((f) => f.name)}`);

    const server = await startDevServer({ root: path.join(app, 'dist'), garage, config: { ...PARTS, ...options } });
    t.after(server.stop);
    await uploadThroughApp(`${server.url}/`, `${example}-build`, options);
  });
}

test('vite dev: the packed package works pre-bundled by the dev server (no optimizeDeps setting)',
  { timeout: 180_000 }, async (t) => {
    const app = await install('vite', 'vite-dev');
    const backend = await startDevServer({ root: app, garage, config: PARTS });
    t.after(backend.stop);
    // The example's proxy, pointed at this backend.
    const proxy = { '/config': backend.url, '/credentials': backend.url };
    const vite = await createServer({ root: app, logLevel: 'warn', server: { host: '127.0.0.1', port: await freePort(), strictPort: true, proxy } });
    await vite.listen();
    t.after(() => vite.close());
    await uploadThroughApp(vite.resolvedUrls.local[0], 'vite-dev');
    assert.ok(existsSync(path.join(app, 'node_modules', '.vite', 'deps', 'resumable-s3.js')), 'resumable-s3 was not pre-bundled');
  });
