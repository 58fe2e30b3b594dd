// The demo page (www/, built into www/dist) as a person uses it: the browser at 1280×800 → fault proxy (a
// throttled link) → real Garage, real random files on disk chosen with the file picker and dropped on the page.
// Each step checks what is on screen (text and element states) and saves a screenshot into
// test-output/screenshots/<browser>/: idle, uploading, offline, resumed (reload, drop the same files again), done,
// and failed (a key the server refuses, and a cancelled upload); then the metadata and Content-Disposition fields and a
// name with a bidi control. The main path (idle, uploading, resumed, done) runs in every engine; offline (the browser's
// offline mode), retrying and failed in Chromium only.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { HeadObjectCommand, ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { startDevServer } from '../support/dev-server.mjs';
import { MiB, objectDigest, startHarness } from '../support/e2e.mjs';
import { errors } from '../support/fault-proxy.mjs';
import { waitFor } from '../support/faults.mjs';
import { BROWSER, chromiumTest } from '../support/browsers/index.mjs';

const KiB = 1024;
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DEMO_DIST = path.join(ROOT, 'www', 'dist');
const SCREENSHOTS = path.join(ROOT, 'test-output', 'screenshots', BROWSER);
const PART = 512 * KiB;
// Per part request, at most 4 at once: ~0.8 MB/s in all, so that uploading and offline are states that last.
const LINK = { match: { action: 'UploadPart' }, fault: { bandwidth: 192 * KiB } };
const PREFIX = 'e2e/';

let h; // Garage, fault proxy, the browser (tests/support/e2e.mjs); its page is pointed at the demo
let demo; // the dev server serving www/dist
let page;
let files; // { name: { path, size, sha256 } }

before(async () => {
  if (!existsSync(path.join(DEMO_DIST, 'index.html'))) throw new Error(`${DEMO_DIST} is not built: run scripts/build.sh && npx webpack`);
  mkdirSync(SCREENSHOTS, { recursive: true });
  h = await startHarness({ proxy: true });
  demo = await startDevServer({
    root: DEMO_DIST,
    garage: { ...h.garage, endpoint: h.proxy.url },
    config: { minPartSize: PART, partSize: PART, concurrency: 4 },
  });
  page = h.page;
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(`${demo.url}/`);
  await ready();
  files = {
    'camera-roll.mov': h.randomFile('camera-roll.mov', 24 * MiB),
    'dataset.csv': h.randomFile('dataset.csv', 10 * MiB),
    'slides.pdf': h.randomFile('slides.pdf', 6 * MiB),
  };
});

after(async () => {
  await demo?.stop();
  await h?.stop();
});

// ---------------------------------------------------------------------------------------------------------------
// Helpers

// Everything is read in the page with the page API every engine has (tests/support/browsers/index.mjs).
const ready = () => page.waitForFunction(() => document.body.dataset.ready === 'true', null, { timeout: 15_000 });
const keyOf = (name) => PREFIX + name;
const rowSelector = (name) => `.upload[data-key="${keyOf(name)}"]`;
const text = (selector) => page.evaluate((sel) => document.querySelector(sel).textContent.trim(), selector);
const attribute = (selector, name) => page.evaluate(([sel, attr]) => document.querySelector(sel).getAttribute(attr), [selector, name]);
const count = (selector) => page.evaluate((sel) => document.querySelectorAll(sel).length, selector);
const network = () => text('#network .network-text');
/** Clicks a row's pause, resume or cancel button, after checking its accessible name ("Pause slides.pdf"). */
async function clickButton(name, action) {
  const selector = `${rowSelector(name)} .button-${action}`;
  assert.equal(await attribute(selector, 'aria-label'), `${action[0].toUpperCase()}${action.slice(1)} ${name}`);
  await page.click(selector);
}

const until = (condition, what, timeout = 30_000) => waitFor(condition, { what, timeout });

/** What one row shows (badge, figures, buttons, data-*), read in one go so that the parts agree. */
function look(name) {
  return page.evaluate((selector) => {
    const el = document.querySelector(selector);
    const text = (selector) => el.querySelector(selector).textContent.trim();
    const shown = (selector) => el.querySelector(selector).checkVisibility();
    return {
      name: text('.name'),
      key: text('.key'),
      flash: el.classList.contains('flash'),
      state: el.dataset.state,
      badge: text('.badge'),
      percent: text('.percent'),
      valuenow: Number(el.querySelector('[role="progressbar"]').getAttribute('aria-valuenow')),
      amount: text('.amount'),
      speed: text('.speed'),
      eta: text('.eta'),
      note: shown('.note') ? text('.note') : '',
      resumedParts: Number(el.dataset.resumedParts),
      totalParts: Number(el.dataset.totalParts),
      etag: el.dataset.etag,
      buttons: { pause: shown('.button-pause'), resume: shown('.button-resume'), cancel: shown('.button-cancel') },
    };
  }, rowSelector(name));
}

async function screenshot(t, name) {
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.mouse.move(0, 0); // no hover left on a button
  await page.screenshot({ path: file });
  t.diagnostic(`screenshot: ${file}`);
}

/** Drops files from disk on the drop zone as a drag from the desktop does: dragenter, dragover, drop with a
 *  DataTransfer holding the files (disk-backed File objects, picked up by a temporary input of the test's own). */
async function dropFiles(paths) {
  await page.evaluate(() => {
    const input = Object.assign(document.createElement('input'), { id: 'drop-source', type: 'file', multiple: true, hidden: true });
    document.body.append(input);
  });
  await page.setInputFiles('#drop-source', paths);
  const highlighted = await page.evaluate(() => {
    const input = document.getElementById('drop-source');
    const data = new DataTransfer();
    for (const file of input.files) data.items.add(file);
    input.remove();
    const zone = document.getElementById('drop');
    const fire = (type) => zone.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: data }));
    fire('dragenter');
    fire('dragover');
    const over = zone.classList.contains('over');
    fire('drop');
    return over && !zone.classList.contains('over');
  });
  assert.ok(highlighted, 'the drop zone lights up while files are dragged over it, and not after the drop');
}

const pick = (names) => page.setInputFiles('#file', names.map((name) => files[name].path));

// ---------------------------------------------------------------------------------------------------------------

test('idle: bucket and endpoint, key prefix, drop zone, online, no uploads', async (t) => {
  assert.match(await text('#target'), new RegExp(`bucket “${h.garage.bucket}” at ${h.proxy.url}`));
  assert.equal(await network(), 'Online');
  assert.equal(await attribute('#network', 'data-network'), 'online');
  const idle = await page.evaluate(() => {
    const prefix = [...document.querySelectorAll('label')].find((l) => l.textContent.trim() === 'Key prefix')?.control;
    const drop = document.querySelector('.drop-title');
    return { prefix: prefix?.id, editable: prefix && !prefix.disabled && !prefix.readOnly, drop: drop.textContent.trim(),
      dropShown: drop.checkVisibility(), picker: !document.getElementById('file').disabled };
  });
  assert.deepEqual(idle, { prefix: 'prefix', editable: true, drop: 'Drop files here or choose files', dropShown: true, picker: true });
  await page.fill('#prefix', PREFIX);
  assert.equal(await count('.upload'), 0);
  await screenshot(t, 'idle');
});

test('uploading: two files from the picker and one dropped; speed, ETA, progress; pause and resume', { timeout: 90_000 }, async (t) => {
  h.proxy.rules([LINK]);
  await pick(['camera-roll.mov', 'dataset.csv']);
  await dropFiles([files['slides.pdf'].path]);
  assert.equal(await count('.upload'), 3);
  // The same file again while it uploads: no second upload, its row is pointed out.
  await pick(['dataset.csv']);
  assert.equal(await count('.upload'), 3, 'no second row for a file already uploading');
  assert.ok((await look('dataset.csv')).flash, 'the row is pointed out');
  for (const [name, { size }] of Object.entries(files)) {
    const l = await look(name);
    assert.equal(l.name, name);
    assert.equal(l.key, `s3://${h.garage.bucket}/${keyOf(name)}`);
    assert.match(l.amount, / of \d+(\.\d)? MB$/, `${name}: size shown (${size} B)`);
  }
  const big = 'camera-roll.mov';
  // Speed is known after a few samples: wait for it and for the ETA.
  const seen = await until(async () => {
    const l = await look(big);
    return l.state === 'uploading' && l.speed && l.eta && l.valuenow > 0 ? l : null;
  }, 'speed and ETA of an uploading file');
  assert.equal(seen.badge, 'Uploading');
  assert.match(seen.speed, /^\d+\.\d+ MB\/s$/);
  assert.match(seen.eta, /^(\d+ s|\d+ min( \d+ s)?|\d+ h( \d+ min)?) left$/);
  assert.ok(seen.valuenow > 0 && seen.valuenow < 100, `progress ${seen.valuenow} %`);
  assert.equal(seen.percent, `${seen.valuenow} %`);
  assert.deepEqual(seen.buttons, { pause: true, resume: false, cancel: true });
  const speed = Number.parseFloat(seen.speed);
  assert.ok(speed > 0.05 && speed < 20, `speed ${seen.speed} on a ~0.8 MB/s link`);
  await screenshot(t, 'uploading');

  // Pause and resume the dropped file from its row.
  const small = 'slides.pdf';
  await clickButton(small, 'pause');
  await until(async () => (await look(small)).badge === 'Paused', 'badge "Paused"', 10_000);
  const paused = await look(small);
  assert.deepEqual(paused.buttons, { pause: false, resume: true, cancel: true });
  assert.equal(paused.speed, '', 'no speed while paused');
  assert.match(await text('#announcer'), new RegExp(`${small}: Paused`), 'announced to screen readers');
  await clickButton(small, 'resume');
  await until(async () => ['uploading', 'queued'].includes((await look(small)).state), 'the dropped file going on', 10_000);
});

chromiumTest('offline: the indicator says offline, uploads wait for the network, and go on when it is back', { timeout: 90_000 }, async (t) => {
  await h.setOffline(true); // navigator.onLine false, 'offline' fired, new requests fail
  h.proxy.cutAll(); // and what was on the wire
  await until(async () => (await network()).startsWith('Offline'), 'the indicator saying Offline', 5000);
  const waiting = await until(async () => {
    const rows = await Promise.all(Object.keys(files).map(look));
    return rows.some((l) => l.badge === 'Waiting for network') ? rows : null;
  }, 'a row waiting for the network', 15_000);
  assert.match(await network(), /^Offline · \d+ uploads? waiting$/);
  assert.equal(await attribute('#network', 'data-network'), 'offline');
  for (const l of waiting.filter((w) => w.state === 'waiting-for-network')) {
    assert.equal(l.badge, 'Waiting for network');
    assert.equal(l.speed, '', 'no speed while waiting');
    assert.equal(l.note, 'Goes on by itself when the network is back.');
    assert.ok(l.buttons.pause && l.buttons.cancel);
  }
  await screenshot(t, 'offline');

  await h.setOffline(false);
  await until(async () => (await network()) === 'Online', 'the indicator back to Online', 10_000);
  await until(async () => (await look('camera-roll.mov')).state === 'uploading', 'uploading again', 30_000);
});

test('resumed: reload, drop the same files again: "Resumed N of M parts", nothing lost', { timeout: 120_000 }, async (t) => {
  const big = 'camera-roll.mov';
  const totalParts = Math.ceil(files[big].size / PART);
  const partsDone = async () => Number(await attribute(rowSelector(big), 'data-parts-done'));
  await until(async () => (await partsDone()) >= 6, `6 parts of ${big} on the server`, 60_000);
  // Parts S3 has confirmed (as the page counts them); more may be confirmed before the reload cuts the rest.
  const confirmed = await partsDone();
  await page.reload();
  await ready();
  assert.equal(await count('.upload'), 0, 'a fresh page');
  assert.equal(await page.evaluate(() => document.getElementById('prefix').value), PREFIX, 'the key prefix is kept across reloads');

  await pick([big, 'dataset.csv']);
  await dropFiles([files['slides.pdf'].path]);
  // The count goes up as the kept parts are checked against the file.
  const resumed = await until(async () => {
    const l = await look(big);
    const found = l.badge.match(/^Resumed (\d+) of (\d+) parts$/);
    return found && Number(found[1]) >= confirmed ? { ...l, n: Number(found[1]), m: Number(found[2]) } : null;
  }, `badge "Resumed N of M parts" on ${big}, N at least the ${confirmed} parts confirmed before the reload`);
  const { n, m } = resumed;
  assert.equal(m, totalParts);
  assert.equal(resumed.resumedParts, n);
  assert.equal(resumed.state, 'uploading');
  // The badge follows the part events; the bar follows the progress events, paced to one per 100 ms (the newest held
  // value always follows): the bar catches up within that interval, not in the same instant.
  await until(async () => (await look(big)).valuenow >= Math.floor((100 * n) / m), `progress counting the ${n} resumed parts of ${m}`, 2000);
  assert.match(resumed.note, new RegExp(`^${n} of ${m} parts were already on the server`));
  await screenshot(t, 'resumed');
});

test('done: every row "Done" at 100 %, objects byte-identical to the files', { timeout: 120_000 }, async (t) => {
  h.proxy.clearRules();
  await until(async () => {
    const states = await page.evaluate(() => [...document.querySelectorAll('.upload')].map((r) => r.dataset.state));
    return states.length === 3 && states.every((s) => s === 'done');
  }, 'every row done', 90_000);
  for (const [name, file] of Object.entries(files)) {
    const l = await look(name);
    assert.equal(l.badge, 'Done');
    assert.equal(l.percent, '100 %');
    assert.equal(l.valuenow, 100);
    assert.deepEqual(l.buttons, { pause: false, resume: false, cancel: false });
    assert.ok(l.etag, `${name}: data-etag`);
    assert.ok(l.note.startsWith(`ETag ${l.etag}`), `${name}: note ${l.note}`);
    const stored = await objectDigest(h.garage, keyOf(name));
    assert.equal(stored.contentLength, file.size, `${name}: stored size`);
    assert.equal(stored.sha256, file.sha256, `${name}: stored bytes`);
  }
  assert.ok((await look('camera-roll.mov')).resumedParts > 0, 'the resumed file still says so');
  assert.equal(await network(), 'Online');
  await screenshot(t, 'done');
});

chromiumTest('retrying: server errors on every part for a while: "Retrying in N s", the error shown, then done', { timeout: 90_000 }, async (t) => {
  const flaky = h.randomFile('flaky.bin', 2 * MiB);
  h.proxy.rules([{ match: { action: 'UploadPart', key: keyOf('flaky.bin'), times: 8 }, fault: { respond: errors.internalError() } }]);
  // Every text the row's badge and note show, as they change.
  await page.evaluate(() => {
    window.seen = [];
    new MutationObserver(() => {
      const el = document.querySelector('.upload[data-key$="flaky.bin"]');
      if (el) window.seen.push({ badge: el.querySelector('.badge').textContent, note: el.querySelector('.note').textContent, t: Date.now() });
    }).observe(document.getElementById('uploads'), { subtree: true, childList: true, characterData: true });
  });
  await page.setInputFiles('#file', flaky.path);
  await until(async () => (await look('flaky.bin')).state === 'done', 'flaky.bin done', 60_000);
  const seen = await page.evaluate(() => window.seen);
  const retrying = seen.filter((s) => /^Retrying in \d+ s$/.test(s.badge));
  assert.ok(retrying.length > 0, `badges seen: ${[...new Set(seen.map((s) => s.badge))].join(', ')}`);
  assert.ok(retrying.some((s) => /^Last error: InternalError .{10,}/.test(s.note)), `notes while retrying: ${[...new Set(retrying.map((s) => s.note))].join(' | ')}`);
  t.diagnostic(`flaky.bin badges: ${seen.map((s) => s.badge).filter((b, i, all) => b !== all[i - 1]).join(' → ')}`);
  assert.equal((await objectDigest(h.garage, keyOf('flaky.bin'))).sha256, flaky.sha256);
});

chromiumTest('failed: the server refuses a key: "Failed: <what to fix>" and its code; a cancelled upload says so', { timeout: 60_000 }, async (t) => {
  const locked = h.randomFile('locked.bin', 2 * MiB);
  const other = h.randomFile('draft.bin', 8 * MiB);
  // Garage's own answer to a key without write permission, on every try (the library asks for fresh credentials
  // once first), and a slow link for the other file so that it can be cancelled mid-way.
  h.proxy.rules([
    { match: { action: 'CreateMultipartUpload', key: keyOf('locked.bin') }, fault: { respond: errors.accessDenied() } },
    LINK,
  ]);
  await page.setInputFiles('#file', [locked.path, other.path]);
  const failed = await until(async () => {
    const l = await look('locked.bin');
    return l.state === 'failed' && l.badge.startsWith('Failed: ') ? l : null;
  }, 'locked.bin failed, with a message');
  assert.equal(await attribute(rowSelector('locked.bin'), 'data-error-code'), 'AccessDenied');
  assert.match(failed.badge, /^Failed: \S.{20,}/, 'a message that says what to fix');
  assert.ok(!failed.badge.includes('Failed: AccessDenied:'), `the code is shown on its own: ${failed.badge}`);
  assert.equal(failed.note, 'Error code AccessDenied');
  assert.deepEqual(failed.buttons, { pause: false, resume: false, cancel: false });

  await until(async () => (await look('draft.bin')).valuenow > 0, 'draft.bin under way');
  await clickButton('draft.bin', 'cancel');
  const cancelled = await until(async () => {
    const l = await look('draft.bin');
    return l.state === 'failed' ? l : null;
  }, 'draft.bin cancelled');
  assert.equal(cancelled.badge, 'Cancelled');
  assert.equal(cancelled.note, 'Removed from the server, finished parts included.');
  assert.deepEqual(cancelled.buttons, { pause: false, resume: false, cancel: false });
  const unfinished = () => h.garage.s3.send(new ListMultipartUploadsCommand({ Bucket: h.garage.bucket, Prefix: keyOf('draft.bin') }));
  await until(async () => !(await unfinished()).Uploads?.length, 'no multipart upload left of the cancelled file', 10_000);
  assert.equal(await attribute(rowSelector('draft.bin'), 'data-error-code'), 'Cancelled');
  await screenshot(t, 'failed');
  h.proxy.clearRules();
});

chromiumTest('object options: the Metadata and Content-Disposition fields reach the object, a unicode file name included', { timeout: 60_000 }, async (t) => {
  const name = 'Résumé 2026.pdf';
  const file = h.randomFile(name, 64 * KiB);
  await page.getByLabel('Metadata').fill('author=Ann; city=Zürich');
  await page.getByLabel('Content-Disposition').selectOption('attachment');
  await page.setInputFiles('#file', file.path);
  await until(async () => (await look(name)).state === 'done', `${name} done`);
  await screenshot(t, 'object-options');
  const stored = await h.garage.s3.send(new HeadObjectCommand({ Bucket: h.garage.bucket, Key: keyOf(name) }));
  assert.deepEqual(stored.Metadata, { author: 'Ann', city: `=?UTF-8?B?${Buffer.from('Zürich').toString('base64')}?=` });
  assert.equal(stored.ContentDisposition, `attachment; filename="R_sum_ 2026.pdf"; filename*=UTF-8''R%C3%A9sum%C3%A9%202026.pdf`);
  await page.getByLabel('Metadata').fill('');
  await page.getByLabel('Content-Disposition').selectOption('');
});

chromiumTest('a file name with a right-to-left override is shown with the control marked, not as another name', { timeout: 60_000 }, async () => {
  const name = 'invoice\u202Efdp.exe'; // reads "invoiceexe.pdf" where the override is obeyed
  const file = h.randomFile(name, 64 * KiB);
  await page.setInputFiles('#file', file.path);
  await until(async () => (await look(name)).state === 'done', 'the file uploaded');
  const shown = await page.evaluate((selector) => {
    const el = document.querySelector(selector);
    const name = el.querySelector('.name');
    return { name: name.textContent, key: el.querySelector('.key').textContent, label: el.querySelector('.button-cancel').getAttribute('aria-label'), dir: name.dir };
  }, rowSelector(name));
  assert.equal(shown.name, 'invoice‹U+202E›fdp.exe');
  assert.ok(shown.key.endsWith(`${PREFIX}invoice‹U+202E›fdp.exe`), shown.key);
  assert.equal(shown.label, 'Cancel invoice‹U+202E›fdp.exe');
  assert.equal(shown.dir, 'auto', 'isolated from the text around it');
  assert.equal((await objectDigest(h.garage, keyOf(name))).sha256, file.sha256, 'the key itself is the real name');
});
