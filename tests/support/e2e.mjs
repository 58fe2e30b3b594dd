// Shared setup of the end-to-end tests: Garage + dev server serving the harness page + a browser (E2E_BROWSER, see
// ./browsers/index.mjs: Chromium unless told otherwise).
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { BROWSER, open } from './browsers/index.mjs';
import { startDevServer } from './dev-server.mjs';
import { startFaultProxy } from './fault-proxy.mjs';
import { startGarage } from './garage.mjs';
import { startLocalStack } from './localstack.mjs';

const HARNESS_DIST = fileURLToPath(new URL('../e2e/harness/dist/', import.meta.url));
export { launchChromium } from './browsers/chromium.mjs';

export const MiB = 1024 * 1024;

/**
 * Garage + dev server + a browser (`browser`, default E2E_BROWSER) with the harness page loaded. `proxy: true` puts
 * the fault proxy (./fault-proxy.mjs) between the page and Garage: the page's endpoint (upload() default and /config)
 * is then the proxy's URL, returned as `h.proxy`.
 * `proxy: { keepAlive: false }` passes options on (see startFaultProxy).
 * `initScript`: a function run in the page before its own scripts (addInitScript: Chromium and Firefox), with
 * `initArg` as its argument, e.g. to skew the page's clock.
 * `store: 'localstack'` uploads to LocalStack's S3 (./localstack.mjs) instead of Garage; `h.garage` is then that server.
 * `h.page` is the page API of ./browsers/index.mjs; `h.setOffline`, `h.workersSeen`, `h.context` and `h.cdp` exist
 * where the engine's driver has them.
 */
export async function startHarness({ proxy: withProxy = false, initScript, initArg, store = 'garage', browser = BROWSER } = {}) {
  if (!existsSync(path.join(HARNESS_DIST, 'index.html'))) {
    throw new Error(`${HARNESS_DIST} is not built: run scripts/build.sh && npx webpack`);
  }
  const stack = [];
  const stop = async () => {
    for (const close of stack.reverse()) await close().catch((err) => console.error('cleanup:', err));
  };
  try {
    const garage = await (store === 'localstack' ? startLocalStack() : startGarage());
    stack.push(garage.stop);
    const proxyOptions = typeof withProxy === 'object' ? withProxy : {};
    const proxy = withProxy ? await startFaultProxy({ ...proxyOptions, target: garage.endpoint }) : undefined;
    if (proxy) stack.push(proxy.stop);
    const endpoint = proxy?.url ?? garage.endpoint;
    const server = await startDevServer({ root: HARNESS_DIST, garage: { ...garage, endpoint } });
    stack.push(server.stop);
    const session = await open(browser);
    stack.push(() => session.close());
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'resumable-s3-e2e-'));
    stack.push(async () => rmSync(tmp, { recursive: true, force: true }));

    const { page } = session;
    if (initScript) {
      if (!session.addInitScript) throw new Error(`${browser}: no init scripts over this driver`);
      await session.addInitScript(initScript, initArg);
    }
    await page.goto(`${server.url}/`);
    await page.waitForFunction(() => window.harnessReady === true, null, { timeout: 15_000 });

    const h = {
      browser,
      garage,
      proxy,
      page,
      context: session.context,
      setOffline: session.setOffline,
      workersSeen: session.workersSeen,
      cdp: session.cdp,
      server,
      endpoint,
      stop,
      // Writes `size` fresh random bytes (Garage deduplicates identical blocks) and returns path and sha256.
      randomFile(name, size) {
        const file = path.join(tmp, name);
        const hash = createHash('sha256');
        const chunks = [];
        for (let left = size; left > 0; left -= MiB) {
          const chunk = randomBytes(Math.min(left, MiB));
          hash.update(chunk);
          chunks.push(chunk);
        }
        writeFileSync(file, Buffer.concat(chunks));
        return { path: file, size, sha256: hash.digest('hex') };
      },
      // Selects the file in the page and runs window.runUpload; defaults point at this Garage's bucket.
      async upload(filePath, options) {
        await page.setInputFiles('#file', filePath);
        return page.evaluate((opts) => window.runUpload(opts),
          { endpoint, region: garage.region, bucket: garage.bucket, ...options });
      },
      // Selects the file and starts window.startUpload (returns at once): the page then holds the handle in
      // window.currentUpload, for pause()/resume()/cancel() (see `handle`) and `outcome()`.
      async start(filePath, options) {
        await page.setInputFiles('#file', filePath);
        return page.evaluate((opts) => window.startUpload(opts),
          { endpoint, region: garage.region, bucket: garage.bucket, ...options });
      },
      // Calls pause, resume or cancel on the handle of the upload started last.
      handle: (method) => page.evaluate((m) => { window.currentUpload.handle[m](); }, method),
      // What the upload started last ends with (as h.upload resolves to).
      outcome: () => page.evaluate(() => window.currentUpload.outcome),
      // Reloads the page (uploads in flight die with it; IndexedDB stays) and waits for the harness.
      async reload() {
        await page.reload();
        await page.waitForFunction(() => window.harnessReady === true, null, { timeout: 15_000 });
      },
      // What the running (or last) upload has reported so far: { progress, states, credentialCalls } (see the harness).
      live: () => page.evaluate(() => window.harnessLive && JSON.parse(JSON.stringify(window.harnessLive))),
    };
    return h;
  } catch (err) {
    await stop();
    throw err;
  }
}

// sha256 and length of an object, read back through a Node S3 client (not the code under test).
export async function objectDigest(garage, key) {
  const { Body, ContentLength } = await garage.s3.send(new GetObjectCommand({ Bucket: garage.bucket, Key: key }));
  const hash = createHash('sha256');
  for await (const chunk of Body) hash.update(chunk);
  return { sha256: hash.digest('hex'), contentLength: ContentLength };
}
