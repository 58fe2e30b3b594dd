// Chromium: Debian's chromium driven by playwright-core (CDP). Its page is Playwright's own, so Chromium-only tests
// may use the rest of Playwright's API (locators, context.setOffline, CDP sessions) besides the shared page API.
import { chromium } from 'playwright-core';

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

/** Debian's headless Chromium (playwright-core adds --headless), without the background traffic a closed network refuses. */
export const launchChromium = () => chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });

export async function open() {
  const browser = await launchChromium();
  try {
    const context = await browser.newContext();
    const page = await context.newPage();
    page.on('pageerror', (err) => console.error('[page error]', err));
    page.on('console', (msg) => msg.type() === 'error' && console.error('[page console]', msg.text()));
    const workers = [];
    page.on('worker', (worker) => workers.push(worker.url()));
    let cdp;
    return {
      page,
      context,
      setOffline: (offline) => context.setOffline(offline),
      addInitScript: (fn, arg) => page.addInitScript(fn, arg),
      workersSeen: () => workers.slice(),
      /** A DevTools session on the page (Network domain enabled), e.g. for Network.emulateNetworkConditions. */
      async cdp() {
        if (!cdp) {
          cdp = await context.newCDPSession(page);
          await cdp.send('Network.enable');
        }
        return cdp;
      },
      close: () => browser.close(),
    };
  } catch (err) {
    await browser.close();
    throw err;
  }
}
