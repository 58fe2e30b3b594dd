// The browser the e2e tests run in: E2E_BROWSER=chromium (default) | firefox | webkit, one adapter module per engine.
//
// open() resolves to a session { page, close(), and where the engine's driver can: setOffline(offline),
// addInitScript(fn, arg) (before the page's own scripts, from the next load on), workersSeen() (URLs of the
// dedicated workers the page started), context and cdp() (Chromium) }.
// `page` is the API every engine gives, with Playwright's names and argument order (in Chromium it is Playwright's
// Page itself): goto(url), reload(), evaluate(fn, arg), waitForFunction(fn, arg, { timeout }),
// setInputFiles(selector, paths) (disk-backed File objects, replacing the selection), click(selector),
// fill(selector, text), mouse.move(x, y), screenshot({ path }), setViewportSize({ width, height }).
// Values come back JSON-copied.
import { test } from 'node:test';

export const BROWSERS = ['chromium', 'firefox', 'webkit'];
export const BROWSER = process.env.E2E_BROWSER || 'chromium';
if (!BROWSERS.includes(BROWSER)) throw new Error(`E2E_BROWSER must be one of ${BROWSERS.join(', ')}: ${BROWSER}`);

export async function open(name = BROWSER) {
  const adapter = await import(`./${name}.mjs`);
  return adapter.open();
}

/** `test` for a test about one engine's behaviour, registered only when the suite runs in that engine. */
export const testIn = (engine) => (BROWSER === engine ? test : () => {});

/**
 * `test` for the tests that run in Chromium only (CDP faults, offline emulation, init scripts, Playwright locators,
 * or simply not worth the time three times over); in the other engines they are not registered at all.
 */
export const chromiumTest = testIn('chromium');
