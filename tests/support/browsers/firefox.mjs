// Firefox: Debian's firefox-esr, driven by puppeteer-core over WebDriver BiDi (no geckodriver); a fresh temporary
// profile per launch.
import puppeteer from 'puppeteer-core';

export async function open() {
  const browser = await puppeteer.launch({ browser: 'firefox', executablePath: '/usr/bin/firefox-esr', headless: true });
  try {
    const raw = (await browser.pages())[0] ?? (await browser.newPage());
    // Firefox reports every request that found no server (an outage made at the proxy) as a CORS error, "CORS request
    // did not succeed": not a page error.
    raw.on('pageerror', (err) => /CORS request did not succeed/.test(err.message) || console.error('[page error]', err));
    raw.on('console', (msg) => msg.type() === 'error' && console.error('[page console]', msg.text()));
    const workers = [];
    raw.on('workercreated', (worker) => workers.push(worker.url()));
    // The e2e page API (see ./index.mjs): Playwright's names and argument order over puppeteer's page.
    const page = {
      goto: (url) => raw.goto(url),
      reload: () => raw.reload(),
      evaluate: (fn, arg) => raw.evaluate(fn, arg),
      waitForFunction: (fn, arg, { timeout = 30_000 } = {}) => raw.waitForFunction(fn, { timeout, polling: 50 }, arg).then((h) => h.jsonValue()),
      async setInputFiles(selector, paths) {
        const input = await raw.$(selector);
        await input.uploadFile(...[paths].flat());
        await input.dispose();
      },
      click: (selector) => raw.click(selector),
      fill: (selector, value) => raw.locator(selector).fill(value),
      mouse: { move: (x, y) => raw.mouse.move(x, y) },
      screenshot: ({ path }) => raw.screenshot({ path }),
      setViewportSize: ({ width, height }) => raw.setViewport({ width, height }),
    };
    return {
      page,
      setOffline: (offline) => raw.setOfflineMode(offline),
      addInitScript: (fn, arg) => raw.evaluateOnNewDocument(fn, arg),
      workersSeen: () => workers.slice(),
      close: () => browser.close(),
    };
  } catch (err) {
    await browser.close();
    throw err;
  }
}
