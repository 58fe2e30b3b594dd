// The examples in examples/{vite,vue,react}, built with Vite against the packed npm package (tests/support/packed.mjs)
// with no wasm plugin or config, then used from headless Chromium: a real file goes through each app's file input
// to a real Garage and must arrive byte-identical.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import { build, createLogger } from 'vite';
import { startDevServer } from '../support/dev-server.mjs';
import { MiB, objectDigest } from '../support/e2e.mjs';
import { startGarage } from '../support/garage.mjs';
import { REPO, installApp, packPackage } from '../support/packed.mjs';

// As tests/support/e2e.mjs launches it.
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];
// Odd, and over two parts of the default (and S3's smallest) 5 MiB: the apps set no part size.
const SIZE = 11 * MiB + 12345;

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

// Builds the app with Vite's defaults plus its own vite.config.js; returns what it wrote and what it warned of.
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

function randomFile(name, size) {
  const bytes = randomBytes(size);
  const file = path.join(tmp, name);
  writeFileSync(file, bytes);
  return { path: file, sha256: createHash('sha256').update(bytes).digest('hex') };
}

// Picks the file in the app's file input and waits for the app to show the result (whose text names the key)
// or a failure; returns the page's errors too.
async function uploadThroughPage(url, file, key) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (err) => errors.push(err.message));
    page.on('console', (msg) => msg.type() === 'error' && errors.push(msg.text()));
    await page.goto(url);
    // Enabled once the app has its Uploader.
    await page.setInputFiles('input[type=file]:enabled', file.path, { timeout: 15_000 });
    const result = page.locator('.result').filter({ hasText: key });
    const failed = page.locator('.error').first();
    const outcome = await Promise.race([
      result.waitFor({ timeout: 60_000 }).then(() => ({ result: true })),
      failed.waitFor({ timeout: 60_000 }).then(async () => ({ failure: await failed.textContent() })),
    ]);
    return { ...outcome, errors };
  } finally {
    await context.close();
  }
}

for (const example of ['vite', 'vue', 'react']) {
  test(`${example}: the packed package builds with Vite, no wasm plugin, and uploads from the built app`,
    { timeout: 180_000 }, async (t) => {
      const app = await installApp({ from: path.join(REPO, 'examples', example), into: path.join(tmp, example), tarball });
      const { files, warnings } = await buildApp(app);
      for (const { name, bytes, gzip } of files) t.diagnostic(`${name}: ${(bytes / 1024).toFixed(1)} kB, gzip ${(gzip / 1024).toFixed(1)} kB`);
      assert.deepEqual(warnings, [], 'Vite warned');
      assert.ok(files.some(({ name }) => name.endsWith('.wasm')), `no .wasm emitted: ${files.map((f) => f.name)}`);

      const server = await startDevServer({ root: path.join(app, 'dist'), garage });
      t.after(server.stop);
      const file = randomFile(`${example}.bin`, SIZE);
      const key = `uploads/${example}.bin`;
      const { result, failure, errors } = await uploadThroughPage(`${server.url}/`, file, key);
      assert.equal(failure, undefined, `the app shows a failure: ${failure}`);
      assert.ok(result);
      assert.deepEqual(errors, [], 'errors in the page');
      const stored = await objectDigest(garage, key);
      assert.equal(stored.contentLength, SIZE);
      assert.equal(stored.sha256, file.sha256, 'stored object differs from the file');
    });
}
