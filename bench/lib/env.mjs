// Everything a bench run needs, started once and stopped however the run ends: a real Garage on 127.0.0.1, the fault
// proxy in front of it (scenarios that cut, count or throttle go through it; throughput goes straight to Garage),
// the dev server with the pages, and headless Chromium over a DevTools pipe.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { startDevServer } from '../../tests/support/dev-server.mjs';
import { startFaultProxy } from '../../tests/support/fault-proxy.mjs';
import { startGarage } from '../../tests/support/garage.mjs';
import { launchChromium } from './chromium.mjs';
import { buildSite } from './site.mjs';

export async function startEnv({ harnessDist } = {}) {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'resumable-s3-bench-'));
  const stack = [async () => rmSync(tmp, { recursive: true, force: true })];
  let stopping;
  const stop = () => (stopping ??= (async () => {
    for (const fn of stack.reverse()) await fn().catch((err) => console.error('cleanup:', err.message));
  })());
  process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));
  // tests/support/garage.mjs stops Garage and exits on these signals; close the rest alongside.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.once(signal, () => { stop(); });
  try {
    const site = await buildSite(path.join(tmp, 'site'), { harnessDist });
    const garage = await startGarage();
    stack.push(garage.stop);
    // keepAlive: false: every answer closes its connection. Otherwise Chromium silently resends a request whose reused
    // connection the proxy cut, even while the page is offline, and the recovery scenario would measure that resend.
    const proxy = await startFaultProxy({ target: garage.endpoint, keepAlive: false });
    stack.push(proxy.stop);
    // The dev server's /config and /credentials are not used: every page gets endpoint and key from the bench.
    const server = await startDevServer({ root: site.root, garage });
    stack.push(server.stop);
    const browser = await launchChromium();
    stack.push(() => browser.close());
    const credentials = { accessKeyId: garage.accessKeyId, secretAccessKey: garage.secretAccessKey };
    return {
      tmp, site, garage, proxy, server, browser, credentials, stop,
      file: (name) => path.join(tmp, name),
      /** HeadObject through the Node SDK (not the code under test): only a complete object of the right size counts. */
      async verify(key, size, parts) {
        const head = await garage.s3.send(new HeadObjectCommand({ Bucket: garage.bucket, Key: key }));
        if (head.ContentLength !== size) throw new Error(`object ${key} is ${head.ContentLength} bytes, expected ${size}`);
        // A file of one part may go up as a single PUT (lib-storage does that): then there is no part count to check.
        if (parts > 1 && !head.ETag?.endsWith(`-${parts}"`)) throw new Error(`object ${key} has ETag ${head.ETag}, expected ${parts} parts`);
        return head;
      },
      versions: () => ({
        chromium: browser.version,
        curl: execFileSync('curl', ['--version'], { encoding: 'utf8' }).split('\n')[0],
        garage: (() => { try { return execFileSync(path.join(os.homedir(), '.cache/resumable-s3/bin/garage'), ['--version'], { encoding: 'utf8' }).trim(); } catch { return '?'; } })(),
        node: process.version,
      }),
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
