// WebKit: WebKitGTK's MiniBrowser (Debian libwebkit2gtk-4.1-0) driven by WebKitWebDriver (webkit2gtk-driver) on a
// private Xvfb display (MiniBrowser has no headless mode), over plain WebDriver (./webdriver.mjs). Plain WebDriver
// has no init scripts, no offline emulation, no console or worker events: tests that need them are Chromium-only,
// and faults come from the fault proxy.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { freePort, waitForServer } from '../garage.mjs';
import { createSession } from './webdriver.mjs';

const MINIBROWSER = '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// setpriv --pdeathsig: the kernel kills the child if this Node process dies without cleaning up (as for Garage).
const child = (command, args, options) => spawn('setpriv', ['--pdeathsig', 'KILL', '--', command, ...args], options);

/** Starts Xvfb on a display it picks itself (-displayfd) and resolves to { display, stop }. */
function startXvfb() {
  const xvfb = child('Xvfb', ['-displayfd', '3', '-nolisten', 'tcp', '-screen', '0', '1920x1080x24'], { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
  let stderr = '';
  xvfb.stderr.on('data', (chunk) => { stderr += chunk; });
  return new Promise((resolve, reject) => {
    xvfb.once('exit', (code) => reject(new Error(`Xvfb exited (${code}): ${stderr.slice(-2000)}`)));
    xvfb.stdio[3].once('data', (chunk) => resolve({ display: `:${String(chunk).trim()}`, stop: () => xvfb.kill('SIGKILL') }));
  });
}

export async function open() {
  const stack = [];
  const close = async () => {
    for (const stop of stack.reverse()) await stop();
  };
  try {
    const xvfb = await startXvfb();
    stack.push(xvfb.stop);
    const port = await freePort();
    const driver = child('WebKitWebDriver', [`--port=${port}`, '--host=127.0.0.1'], { stdio: 'ignore', env: { ...process.env, DISPLAY: xvfb.display } });
    const exited = new Promise((resolve) => driver.once('exit', resolve));
    stack.push(() => driver.kill('SIGKILL'));
    const driverUrl = `http://127.0.0.1:${port}`;
    await waitForServer('WebKitWebDriver', exited, async () => {
      if (!(await fetch(`${driverUrl}/status`)).ok) throw new Error('not ready');
    });
    const session = await createSession(driverUrl, { 'webkitgtk:browserOptions': { binary: MINIBROWSER, args: ['--automation'] } });
    stack.push(() => session.close().catch(() => {}));
    return { page: webDriverPage(session), close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** The e2e page API (see ./index.mjs) over a WebDriver session. */
function webDriverPage(session) {
  let evaluations = 0;
  const page = {
    goto: (url) => session.send('POST', '/url', { url }),
    reload: () => session.send('POST', '/refresh', {}),
    /**
     * Runs `fn(arg)` in the page and resolves to its (awaited) value, JSON-copied. Started by one command and
     * collected by short polls: a long wait (an upload's outcome) must not hold the session's command queue.
     */
    async evaluate(fn, arg) {
      const id = ++evaluations;
      await session.execute(`const [arg, id] = arguments; const slot = ((window.__e2e ??= {})[id] = { done: false });
        Promise.resolve().then(() => (${fn})(arg)).then(
          (value) => { slot.json = value === undefined ? undefined : JSON.stringify(value); slot.done = true; },
          (error) => { slot.error = String(error) + (error?.stack ? '\\n' + error.stack : ''); slot.done = true; });`, [arg ?? null, id]);
      for (let wait = 0; ; wait = Math.min(wait + 10, 50)) {
        const slot = await session.execute(`const s = window.__e2e?.[arguments[0]];
          if (s?.done) delete window.__e2e[arguments[0]];
          return s ? { done: s.done, json: s.json, error: s.error } : { lost: true };`, [id]);
        if (slot.lost) throw new Error('evaluate: the page went away (reload or navigation) before the function returned');
        if (slot.error !== undefined && slot.error !== null) throw new Error(`evaluate: ${slot.error}`);
        if (slot.done) return slot.json === null || slot.json === undefined ? undefined : JSON.parse(slot.json);
        await sleep(wait);
      }
    },
    async waitForFunction(fn, arg, { timeout = 30_000 } = {}) {
      const deadline = Date.now() + timeout;
      for (;;) {
        const value = await page.evaluate(fn, arg);
        if (value) return value;
        if (Date.now() > deadline) throw new Error(`waitForFunction: timed out after ${timeout} ms: ${fn}`);
        await sleep(50);
      }
    },
    async setInputFiles(selector, paths) {
      const input = await session.find(selector);
      // Send-keys adds to what an <input multiple> holds: empty it first, as choosing files anew does.
      await session.execute('arguments[0].value = "";', [input]);
      await session.send('POST', `/element/${session.elementId(input)}/value`, { text: [paths].flat().join('\n') });
    },
    async click(selector) {
      const element = await session.find(selector);
      await session.send('POST', `/element/${session.elementId(element)}/click`, {});
    },
    async fill(selector, value) {
      const id = session.elementId(await session.find(selector));
      await session.send('POST', `/element/${id}/clear`, {});
      await session.send('POST', `/element/${id}/value`, { text: value });
    },
    mouse: {
      move: (x, y) => session.send('POST', '/actions', { actions: [{ type: 'pointer', id: 'mouse', parameters: { pointerType: 'mouse' },
        actions: [{ type: 'pointerMove', duration: 0, origin: 'viewport', x, y }] }] }),
    },
    async screenshot({ path }) {
      writeFileSync(path, Buffer.from(await session.send('GET', '/screenshot'), 'base64'));
    },
    async setViewportSize({ width, height }) {
      // The window rect includes the browser's own chrome: add what it takes.
      const [outer, inner] = await session.execute('return [outerHeight, innerHeight];');
      await session.send('POST', '/window/rect', { width, height: height + outer - inner });
    },
  };
  return page;
}
