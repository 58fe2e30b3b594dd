// Headless Chromium driven over a raw DevTools pipe (--remote-debugging-pipe), not Playwright.
//
// Why not Playwright: it keeps the DevTools Network domain on for every page, and Chromium then copies every
// in-memory request body into a DevTools event. @aws-sdk/lib-storage sends its parts as byte arrays, so under
// Playwright it would be measured ≈10× slower than it is for a user (see /work/shared/TOOLCHAIN.md). Here no
// domain that observes requests is ever enabled, except Network when a scenario needs its emulation (slow link,
// offline): then for every peer alike.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const CHROMIUM = '/usr/bin/chromium';
// As tests/support/e2e.mjs, plus what Playwright adds so a headless tab is never throttled as a background one.
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
  '--disable-background-timer-throttling', '--disable-renderer-backgrounding', '--disable-backgrounding-occluded-windows'];

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts Chromium with a fresh profile; returns { pid, version, send, newPage, close }. */
export async function launchChromium() {
  const profile = mkdtempSync(path.join(os.tmpdir(), 'resumable-s3-bench-chromium-'));
  // fd 3: commands to Chromium, fd 4: its answers and events, each message ending with a NUL byte.
  const child = spawn(CHROMIUM, [...CHROMIUM_ARGS, '--remote-debugging-pipe', `--user-data-dir=${profile}`, 'about:blank'],
    { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stdio[2].on('data', (d) => { stderr = (stderr + d).slice(-4000); });
  const exited = new Promise((resolve) => child.once('exit', resolve));

  let nextId = 1;
  const pending = new Map();
  const listeners = new Set();
  // Chunks of the message being received: a NUL is looked for in each new chunk only (messages can be megabytes).
  let chunks = [];
  child.stdio[4].on('data', (chunk) => {
    let start = 0;
    for (let end = chunk.indexOf(0); end >= 0; start = end + 1, end = chunk.indexOf(0, start)) {
      chunks.push(chunk.subarray(start, end));
      const text = Buffer.concat(chunks).toString('utf8');
      chunks = [];
      if (process.env.BENCH_CDP_DEBUG && text.length > 100_000) console.error(`[cdp] ${text.length} bytes: ${text.slice(0, 200)}`);
      onMessage(JSON.parse(text));
    }
    if (start < chunk.length) chunks.push(chunk.subarray(start));
  });
  function onMessage(msg) {
    {
      if (msg.id !== undefined && pending.has(msg.id)) {
        const { resolve, reject, method } = pending.get(msg.id);
        pending.delete(msg.id);
        if (msg.error) reject(new Error(`${method}: ${msg.error.message}`));
        else resolve(msg.result);
      } else if (msg.method) {
        for (const fn of listeners) fn(msg);
      }
    }
  }
  exited.then(() => {
    for (const { reject, method } of pending.values()) reject(new Error(`${method}: Chromium exited\n${stderr}`));
    pending.clear();
  });

  const send = (method, params = {}, sessionId) => new Promise((resolve, reject) => {
    const id = nextId++;
    pending.set(id, { resolve, reject, method });
    child.stdio[3].write(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }) + '\0');
  });

  const { product } = await send('Browser.getVersion');

  /** A page in a fresh browser context (no cookies, cache, IndexedDB or connections of earlier pages). */
  async function newPage(url, { ready = 'window.benchReady === true || window.harnessReady === true' } = {}) {
    const { browserContextId } = await send('Target.createBrowserContext', { disposeOnDetach: true });
    const { targetId } = await send('Target.createTarget', { url: 'about:blank', browserContextId });
    const { sessionId } = await send('Target.attachToTarget', { targetId, flatten: true });
    const call = (method, params) => send(method, params, sessionId);
    const errors = [];
    const onEvent = (msg) => {
      if (msg.sessionId !== sessionId) return;
      if (msg.method === 'Runtime.exceptionThrown') errors.push(msg.params.exceptionDetails?.exception?.description ?? 'exception');
    };
    listeners.add(onEvent);

    const evaluateRaw = async (expression) => {
      const out = await call('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true });
      if (out.exceptionDetails) {
        throw new Error(`in the page: ${out.exceptionDetails.exception?.description ?? out.exceptionDetails.text}`);
      }
      return out.result.value;
    };
    const waitReady = async (timeoutMs = 20_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const ok = await evaluateRaw(`(${ready})`).catch(() => false);
        if (ok) return;
        if (Date.now() > deadline) throw new Error(`${url}: page not ready after ${timeoutMs} ms (${ready}); errors: ${errors.join('; ')}`);
        await sleep(50);
      }
    };
    await call('Runtime.enable'); // exceptions only; Runtime does not observe requests
    await call('Page.navigate', { url });
    await waitReady();

    return {
      sessionId,
      errors,
      /**
       * Runs `fn(arg)` in the page (fn: a function without closures) and returns its JSON-able result. Rejects if the
       * page has not answered within `timeoutMs` (a hung page must end as a reported failure, not a stuck run).
       */
      evaluate(fn, arg, { timeoutMs = 15 * 60_000 } = {}) {
        let timer;
        const timeout = new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`the page did not answer within ${timeoutMs / 1000} s`)), timeoutMs);
        });
        return Promise.race([evaluateRaw(`(${fn})(${JSON.stringify(arg ?? null)})`), timeout]).finally(() => clearTimeout(timer));
      },
      /** Selects real files on disk in the <input type=file> (a disk-backed File, as a user's pick gives). */
      async setInputFiles(selector, files) {
        // The element by a JS reference, not a DOM nodeId: nodeIds from DOM.getDocument were once found stale by the
        // time of the next call ("Could not find node with given id") while a heavy page was still settling.
        const { result } = await call('Runtime.evaluate', { expression: `document.querySelector(${JSON.stringify(selector)})` });
        if (!result.objectId) throw new Error(`no ${selector} in ${url}`);
        await call('DOM.setFileInputFiles', { objectId: result.objectId, files: [].concat(files) });
        await call('Runtime.releaseObject', { objectId: result.objectId });
      },
      /** Reloads (the page's uploads die with it; IndexedDB stays) and waits until it is ready again. */
      async reload() {
        // Clear the ready flags first, so the wait below cannot see the old page's.
        await evaluateRaw('window.benchReady = false; window.harnessReady = false').catch(() => {});
        await call('Page.reload', { ignoreCache: true });
        await waitReady();
      },
      /** { usedSize, totalSize, backingStorageSize? } of the page's V8 heap. */
      heapUsage: () => call('Runtime.getHeapUsage'),
      /**
       * Link emulation for this page: { offline, latencyMs, uploadBytesPerSecond } (-1 / 0: unlimited). It applies
       * to requests that start afterwards only: requests in flight keep going (cut them another way).
       */
      async network({ offline = false, latencyMs = 0, uploadBytesPerSecond = -1 } = {}) {
        if (!this.networkOn) {
          this.networkOn = true;
          // The emulation needs the domain. maxPostDataSize 1: no request body is copied into requestWillBeSent
          // events (0 means no limit: lib-storage's 8 MiB byte-array parts then arrive here as 45 MB messages).
          await call('Network.enable', { maxPostDataSize: 1, maxResourceBufferSize: 1, maxTotalBufferSize: 1 });
        }
        await call('Network.emulateNetworkConditions', {
          offline, latency: latencyMs, downloadThroughput: -1, uploadThroughput: uploadBytesPerSecond,
        });
      },
      async close() {
        listeners.delete(onEvent);
        await send('Target.disposeBrowserContext', { browserContextId }).catch(() => {});
      },
    };
  }

  return {
    pid: child.pid,
    version: product,
    send,
    newPage,
    async close() {
      if (child.exitCode === null && child.signalCode === null) {
        await send('Browser.close').catch(() => {});
        const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
