// The example apps in examples/ against the packed npm package (./packed.mjs), as a user gets them: installed
// outside the repo, built by Vite with their own vite.config.js, served with a /config and /credentials backend
// (./dev-server.mjs) and opened in headless Chromium; files go through the app's own file input to a real Garage.
// useExampleApps() registers the suite's before/after hooks (package, Garage, browser) and returns the helpers.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, before } from 'node:test';
import { ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { build, createLogger } from 'vite';
import { startDevServer } from './dev-server.mjs';
import { launchChromium, objectDigest } from './e2e.mjs';
import { startFaultProxy } from './fault-proxy.mjs';
import { startGarage } from './garage.mjs';
import { REPO, installApp, packPackage } from './packed.mjs';

// Builds the app with its own vite.config.js; returns the files Vite wrote and what it warned of. Not Rolldown's
// PLUGIN_TIMINGS note: it reports a slow plugin (here vite:css on Uppy's stylesheets when the machine is loaded), not
// a problem with the build.
async function buildApp(root) {
  const logger = createLogger('warn');
  const warnings = [];
  for (const method of ['warn', 'warnOnce']) {
    const log = logger[method].bind(logger);
    logger[method] = (message, options) => {
      if (!message.includes('[PLUGIN_TIMINGS]')) warnings.push(message);
      log(message, options);
    };
  }
  const result = await build({ root, logLevel: 'warn', customLogger: logger });
  const files = [result].flat().flatMap(({ output }) => output).map((item) => {
    const bytes = Buffer.from(item.type === 'chunk' ? item.code : item.source);
    return { name: item.fileName, bytes: bytes.length, gzip: gzipSync(bytes).length };
  });
  return { files, warnings };
}

export function useExampleApps() {
  const ex = {};
  before(async () => {
    ex.tmp = mkdtempSync(path.join(os.tmpdir(), 'resumable-s3-examples-'));
    ex.tarball = await packPackage(ex.tmp);
    ex.garage = await startGarage();
    ex.browser = await launchChromium();
  });
  after(async () => {
    await ex.browser?.close();
    await ex.garage?.stop();
    if (ex.tmp) rmSync(ex.tmp, { recursive: true, force: true });
  });

  const install = (example, dir = example) =>
    installApp({ from: path.join(REPO, 'examples', example), into: path.join(ex.tmp, dir), tarball: ex.tarball });

  // One install and build per example, shared by its tests: { app, files, warnings }.
  const builds = new Map();
  function built(example) {
    if (!builds.has(example)) {
      builds.set(example, install(example).then(async (app) => ({ app, ...(await buildApp(app)) })));
    }
    return builds.get(example);
  }

  /**
   * The built example served with a backend whose /config adds `config` to the Uploader's options; `proxy: true`
   * puts a fault proxy (returned) between the page and Garage. Stopped when the test ends.
   */
  async function serve(t, example, { config = {}, proxy: withProxy = false } = {}) {
    const { app } = await built(example);
    const proxy = withProxy ? await startFaultProxy({ target: ex.garage.endpoint }) : undefined;
    if (proxy) t.after(proxy.stop);
    const server = await startDevServer({ root: path.join(app, 'dist'), garage: { ...ex.garage, endpoint: proxy?.url ?? ex.garage.endpoint }, config });
    t.after(server.stop);
    return { url: `${server.url}/`, proxy, server };
  }

  // Fresh random bytes on disk, and the key the apps upload them to.
  function randomFile(name, size) {
    const bytes = randomBytes(size);
    const file = path.join(ex.tmp, name);
    writeFileSync(file, bytes);
    return { path: file, name, key: `uploads/${name}`, size, sha256: createHash('sha256').update(bytes).digest('hex') };
  }

  // The object at the file's key, read back through a Node S3 client, must be the file byte for byte.
  async function assertStored(file) {
    const stored = await objectDigest(ex.garage, file.key);
    assert.equal(stored.contentLength, file.size);
    assert.equal(stored.sha256, file.sha256, `${file.key} differs from the file`);
  }

  // Unfinished multipart uploads of exactly this key on the server.
  async function multipartUploads(key) {
    const { Uploads = [] } = await ex.garage.s3.send(new ListMultipartUploadsCommand({ Bucket: ex.garage.bucket, Prefix: key }));
    return Uploads.filter((upload) => upload.Key === key);
  }

  /**
   * Opens the app at `url` in a fresh browser context. `settle(promise)` waits for the promise, but the first error
   * in the page (uncaught, or logged with console.error) ends the wait instead; `workers`: URLs of the workers it
   * started. Not "Failed to load resource": Chromium logs every 4xx, and a 404 for HeadObject is how a new upload
   * begins (and every request fails so while the network is down). `allowed`: a RegExp of console errors the test
   * expects.
   */
  async function openApp(t, url, { allowed } = {}) {
    const context = await ex.browser.newContext();
    t.after(() => context.close());
    const page = await context.newPage();
    const pageError = new Promise((_, reject) => {
      page.on('pageerror', (err) => reject(new Error(`error in the page: ${err.message}`)));
      page.on('console', (msg) => msg.type() === 'error' && !msg.text().startsWith('Failed to load resource') &&
        !allowed?.test(msg.text()) && reject(new Error(`console error in the page: ${msg.text()}`)));
    });
    pageError.catch(() => {}); // reported by settle()
    const workers = [];
    page.on('worker', (worker) => workers.push(worker.url()));
    await page.goto(url);
    return { page, context, workers, settle: (promise) => Promise.race([pageError, promise]) };
  }

  // Picks the file in the app's file input (enabled once the app has its Uploader).
  const choose = (ui, file, input = 'input[type=file]:enabled') =>
    ui.settle(ui.page.setInputFiles(input, file.path, { timeout: 15_000 }));

  // Waits until the app shows the file's result (its text names the key); an error the app shows fails at once.
  async function resultShown(ui, file) {
    const failed = ui.page.locator('.error').first();
    const fail = async () => assert.fail(`the app shows an error: ${await failed.textContent()}`);
    const shown = ui.page.locator('.result').filter({ hasText: file.key });
    await ui.settle(Promise.race([shown.waitFor({ timeout: 60_000 }), failed.waitFor({ timeout: 60_000 }).then(fail)]));
    return shown.textContent();
  }

  // Parts of the key S3 has confirmed (a 2xx answer passed back in full), counted at the fault proxy.
  const confirmedParts = (proxy, key) => new Set(proxy.stats().log
    .filter((e) => e.action === 'UploadPart' && e.key === key && e.outcome === 'ok' && e.status >= 200 && e.status < 300)
    .map((e) => e.partNumber)).size;

  return { ex, install, confirmedParts, built, serve, randomFile, assertStored, multipartUploads, openApp, choose, resultShown };
}
