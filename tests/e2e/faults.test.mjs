// Each network fault alone, end to end: the browser → fault proxy → real Garage, real random files on disk. The
// faults made at the proxy (a reset, a stall, no way out) run in every engine; CDP, offline and clock faults in Chromium.
// Every test checks that the object reads back byte-identical, that no part S3 had confirmed was sent again
// (counted at the proxy) and that the states the app saw make sense, and prints (diagnostic) the time from the
// fault's end / the network's return to the first new part bytes reaching the proxy.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MiB, startHarness } from '../support/e2e.mjs';
import { errors } from '../support/fault-proxy.mjs';
import { assertSurvived, firstPartBytesAfter, logText, maxPartsInFlight, ms, sleep, stateNames, useFaultHarness } from '../support/faults.mjs';
import { chromiumTest } from '../support/browsers/index.mjs';

const KiB = 1024;
let h;
useFaultHarness((harness) => { h = harness; });

let fileNumber = 0;
function fileAndKey(name, size) {
  fileNumber += 1;
  const file = h.randomFile(`${fileNumber}-${name}`, size);
  return { file, key: `faults/${fileNumber}-${name}` };
}

test('reset mid-part: part 2 is cut after 2.5 MiB, retried, nothing confirmed is resent', { timeout: 60_000 }, async (t) => {
  const { file, key } = fileAndKey('reset.bin', 12 * MiB);
  h.proxy.rules([{ match: { action: 'UploadPart', partNumber: 2, nth: 1 }, fault: { resetAfterBytes: 2.5 * MiB } }]);
  const run = await h.upload(file.path, { key, partSize: 5 * MiB, concurrency: 2 });
  const { log, parts } = await assertSurvived(h, run, file, key);
  const cut = log.find((e) => e.fault?.startsWith('resetAfterBytes'));
  assert.equal(cut?.outcome, 'reset', logText(log));
  assert.equal(parts[2].requests, 2, `part 2 sent twice, no more:\n${logText(log)}`);
  assert.equal(parts[1].requests + parts[3].requests, 2, 'the other parts once each');
  const recovery = firstPartBytesAfter(log, cut.tEnd, 2);
  assert.ok(recovery !== null && recovery < 2000, `part 2 again ${ms(recovery)} after the reset (backoff ≤ 500 ms)`);
  t.diagnostic(`reset mid-part: first new part-2 bytes ${ms(recovery)} after the reset; total ${ms(run.ms)}; `
    + `states ${stateNames(run.states).join(' → ')}`);
});

test('60 s stall of part 2 with stallTimeoutMs 5000: aborted, resent, done long before 60 s', { timeout: 90_000 }, async (t) => {
  const { file, key } = fileAndKey('stall.bin', 12 * MiB);
  const stallTimeoutMs = 5000;
  h.proxy.rules([{ match: { action: 'UploadPart', partNumber: 2, nth: 1 }, fault: { stallMs: 60_000, afterBytes: MiB } }]);
  const run = await h.upload(file.path, { key, partSize: 5 * MiB, concurrency: 2, stallTimeoutMs });
  const { log, parts } = await assertSurvived(h, run, file, key);
  assert.ok(run.ms < 20_000, `took ${ms(run.ms)}`);
  const stalled = log.find((e) => e.fault?.startsWith('stallMs'));
  assert.equal(parts[2].requests, 2, logText(log));
  // The proxy stops reading at 1 MiB; the browser fills socket buffers a little longer, then its XHR progress
  // stops and the watchdog fires stallTimeoutMs later; the retry follows after a backoff of up to 500 ms. (The
  // proxy, not reading the stalled socket, cannot see the abort itself: the retry is the sign.)
  const retry = log.find((e) => e.partNumber === 2 && e.t > stalled.t);
  const stalledFor = retry.t - stalled.tLastByte;
  assert.ok(stalledFor >= stallTimeoutMs - 500 && stalledFor < stallTimeoutMs + 3000,
    `part 2 sent again ${ms(stalledFor)} after its bytes stopped (stallTimeoutMs ${stallTimeoutMs})\n${logText(log)}`);
  const recovery = firstPartBytesAfter(log, stalled.tLastByte + stallTimeoutMs, 2);
  assert.ok(run.states.some((s) => s.state === 'retrying' && s.errorCode === 'Stalled') || recovery < 50,
    `states ${JSON.stringify(run.states)}`);
  t.diagnostic(`stall: part 2 bytes stopped at the proxy, new part-2 bytes ${ms(stalledFor)} later `
    + `(${ms(recovery)} after the watchdog's earliest moment, lastByte + stallTimeoutMs); total ${ms(run.ms)}; `
    + `states ${stateNames(run.states).join(' → ')}`);
});

chromiumTest('503 SlowDown storm (20) plus 4 InternalError: completes, fewer parts in flight', { timeout: 120_000 }, async (t) => {
  const { file, key } = fileAndKey('slowdown.bin', 24 * MiB);
  h.proxy.rules([
    { match: { action: 'UploadPart', nth: 5, times: 4 }, fault: { respond: errors.internalError() } },
    { match: { action: 'UploadPart', times: 20 }, fault: { respond: errors.slowDown() } },
  ]);
  const run = await h.upload(file.path, { key, partSize: 5 * MiB, concurrency: 4 });
  const { log, actions } = await assertSurvived(h, run, file, key);
  assert.equal(actions.UploadPart.faulted, 24, logText(log));
  assert.equal(actions.UploadPart.completed, 5, logText(log));
  assert.equal(actions.UploadPart.requests, 29, `no request beyond the faulted ones and one per part:\n${logText(log)}`);
  const codes = new Set(run.states.filter((s) => s.state === 'retrying').map((s) => s.errorCode));
  assert.ok(codes.has('SlowDown'), `retrying with SlowDown shown: ${JSON.stringify(run.states)}`);
  const faulted = log.filter((e) => e.fault);
  const slowDowns = faulted.filter((e) => e.status === 503);
  const stormStart = faulted[0].t;
  const stormEnd = Math.max(...faulted.map((e) => e.tEnd));
  const recovery = firstPartBytesAfter(log, stormEnd);
  // The window is halved on each SlowDown (down to 1) and grows back by about one per round of successes: once
  // four SlowDowns have come back, no more than two parts go out at once until the storm is over.
  const fourth = slowDowns[3].tEnd;
  const during = maxPartsInFlight(log, fourth, stormEnd);
  assert.ok(during <= 2, `parts in flight during the storm: ${during}\n${logText(log)}`);
  t.diagnostic(`503 storm: first new part bytes ${ms(recovery)} after the last faulted answer; storm lasted `
    + `${ms(stormEnd - stormStart)}; at most ${during} parts in flight during it (concurrency 4); total ${ms(run.ms)}; `
    + `states ${stateNames(run.states).join(' → ')}`);
});

chromiumTest('30 s offline at ~30 %: waits for the network, continues by itself within 5 s of its return', { timeout: 120_000 }, async (t) => {
  const { file, key } = fileAndKey('offline.bin', 16 * MiB);
  // 1 MiB/s per part, 2 at a time: ~8 s of upload, so that the network can go away in the middle of it.
  h.proxy.rules([{ match: { action: 'UploadPart' }, fault: { bandwidth: MiB } }]);
  const running = h.upload(file.path, { key, partSize: 5 * MiB, concurrency: 2 });
  const partBytes = () => h.proxy.stats().actions.UploadPart?.bytesIn ?? 0;
  while (partBytes() < 0.3 * file.size) await sleep(20);
  await h.context.setOffline(true); // navigator.onLine false, 'offline' fired, new requests fail
  const cut = h.proxy.cutAll(); // and the requests already on the wire
  const tOff = h.proxy.now();
  const bytesAtCut = partBytes();
  await sleep(3000);
  const offlineStates = (await h.live()).states;
  assert.equal(offlineStates.at(-1)?.state, 'waiting-for-network', `states while offline: ${JSON.stringify(offlineStates)}`);
  await sleep(27_000);
  const sentWhileOffline = h.proxy.stats().log.filter((e) => e.t > tOff + 500 && e.action !== 'Preflight');
  assert.deepEqual(sentWhileOffline, [], 'nothing reached the server while offline');
  const pageBack = await h.page.evaluate(() => performance.now());
  const tBack = h.proxy.now();
  await h.context.setOffline(false);
  const run = await running;
  const { log } = await assertSurvived(h, run, file, key);
  const recovery = firstPartBytesAfter(log, tBack);
  assert.ok(recovery !== null && recovery < 5000, `first part bytes ${ms(recovery)} after the network came back\n${logText(log)}`);
  const states = stateNames(run.states);
  assert.ok(states.includes('waiting-for-network'), `states ${states}`);
  const resumed = run.states.find((s) => s.t > pageBack && s.state === 'uploading');
  assert.ok(resumed, `uploading again after the return: ${JSON.stringify(run.states)}`);
  t.diagnostic(`offline 30 s (cut ${cut} requests at ${Math.round((100 * bytesAtCut) / file.size)} % of the bytes): first new part bytes `
    + `${ms(recovery)} after setOffline(false); state 'uploading' ${ms(resumed.t - pageBack)} after it (page clock); `
    + `total ${ms(run.ms)}; states ${states.join(' → ')}`);
});

chromiumTest('credentials that really expire: 15 s Garage keys without expiration, at 512 KiB/s per part', { timeout: 120_000 }, async (t) => {
  const { file, key } = fileAndKey('expiry.bin', 24 * MiB);
  h.proxy.rules([{ match: { action: 'UploadPart' }, fault: { bandwidth: 512 * KiB } }]);
  const mintedBefore = h.server.minted.length;
  const run = await h.upload(file.path, {
    key, partSize: 5 * MiB, concurrency: 2, credentialsUrl: '/credentials?ttl=15s&report=none',
  });
  const { log } = await assertSurvived(h, run, file, key);
  assert.ok(run.credentialCalls.length >= 2, `credentials asked ${run.credentialCalls.length} times`);
  assert.ok(h.server.minted.length - mintedBefore >= 2, 'minted keys');
  // Garage itself rejected the first key (not the proxy): 403 AccessDenied "Access key … has expired".
  const rejected = log.filter((e) => e.status === 403 && !e.fault?.startsWith('respond'));
  assert.ok(rejected.length >= 1, `no request was rejected by Garage:\n${logText(log)}`);
  const recovery = firstPartBytesAfter(log, rejected[0].tEnd);
  const next = log.find((e) => e.t >= rejected[0].tEnd && e.action !== 'Preflight');
  t.diagnostic(`expiry: ${run.credentialCalls.length} credential calls, ${rejected.length} request(s) rejected by Garage `
    + `(${rejected.map((e) => e.action + (e.partNumber ? `#${e.partNumber}` : '')).join(', ')}); next request ${ms(next && next.t - rejected[0].tEnd)}, `
    + `first new part bytes ${ms(recovery)} after the rejection; total ${ms(run.ms)}; states ${stateNames(run.states).join(' → ')}`);
});

chromiumTest('credentials expire while two parts start together: both rejected, one refresh, upload completes', { timeout: 120_000 }, async (t) => {
  // Parts 1 and 2 take 5 s at 1 MiB/s and end together; the 3 s key has expired by then, so parts 3 and 4 go out
  // together, both signed with it, and Garage refuses both. Both refusals are about the same expired key.
  const { file, key } = fileAndKey('expiry-pair.bin', 20 * MiB);
  h.proxy.rules([{ match: { action: 'UploadPart' }, fault: { bandwidth: MiB } }]);
  const run = await h.upload(file.path, {
    key, partSize: 5 * MiB, concurrency: 2, credentialsUrl: '/credentials?ttl=3s&report=none',
  });
  const log = h.proxy.stats().log;
  const rejected = log.filter((e) => e.status === 403 && !e.fault?.startsWith('respond'));
  t.diagnostic(`expiry (pair): ${run.credentialCalls.length} credential calls; rejected by Garage: `
    + `${rejected.map((e) => e.action + (e.partNumber ? `#${e.partNumber}` : '')).join(', ')}; `
    + `outcome ${run.error ? JSON.stringify(run.error) : 'done'}; total ${ms(run.ms)}; states ${stateNames(run.states).join(' → ')}`);
  if (run.error) for (const line of `proxy log:\n${logText(log)}`.split('\n')) t.diagnostic(line);
  await assertSurvived(h, run, file, key);
  assert.ok(run.credentialCalls.length >= 2, `credentials asked ${run.credentialCalls.length} times`);
});

let throttled; // the run of the throttled test, for the ETA test after it

chromiumTest('throttled 64 KB/s link (CDP): progress at least once a second, speed matches', { timeout: 120_000 }, async (t) => {
  const { file, key } = fileAndKey('throttled.bin', MiB);
  const cdp = await h.cdp();
  const rate = 64 * KiB;
  // Before the upload starts: CDP conditions do not touch requests already in flight.
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: rate });
  let run;
  try {
    run = await h.upload(file.path, { key, partSize: 5 * MiB, concurrency: 2 });
  } finally {
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
  }
  const { log } = await assertSurvived(h, run, file, key);
  throttled = { run, size: file.size, rate };
  const events = run.progress;
  let maxGap = 0;
  for (let i = 1; i < events.length; i++) maxGap = Math.max(maxGap, events[i].t - events[i - 1].t);
  assert.ok(maxGap <= 1000, `a gap of ${ms(maxGap)} between progress events`);
  // The speed reported once the ~10 s average window is full, against the link's rate.
  const late = events.filter((p) => p.t - events[0].t >= 10_000 && p.speed !== null && p.bytesSent < file.size);
  assert.ok(late.length > 0, 'speed reported after 10 s');
  const speeds = late.map((p) => p.speed);
  for (const s of speeds) assert.ok(s > 0.6 * rate && s < 1.5 * rate, `speed ${Math.round(s)} B/s vs the link's ${rate}`);
  const part = log.find((e) => e.action === 'UploadPart');
  const measured = part.bytesIn / ((part.tLastByte - part.tFirstByte) / 1000);
  const eta = late.at(-1);
  t.diagnostic(`throttled: ${events.length} progress events, largest gap ${ms(maxGap)}; reported speed `
    + `${Math.round(Math.min(...speeds))}–${Math.round(Math.max(...speeds))} B/s, measured at the proxy ${Math.round(measured)} B/s `
    + `(link ${rate}); last ETA ${eta.etaSeconds?.toFixed(1)} s with ${file.size - eta.bytesSent} B left; total ${ms(run.ms)}`);
});

chromiumTest('ETA counts down during a part (the throttled run above: one 1 MiB part at 64 KB/s)', (t) => {
  if (!throttled) return t.skip('the throttled test did not run');
  const { run, size, rate } = throttled;
  // Events with a speed, before the part is confirmed: the time left is about the bytes left to send at that speed.
  const during = run.progress.filter((p) => p.etaSeconds !== null && p.bytesConfirmed < size);
  assert.ok(during.length > 0, 'ETA reported during the part');
  const worst = during.map((p) => ({ p, expected: (size - p.bytesSent) / rate }))
    .sort((a, b) => (b.p.etaSeconds - b.expected) - (a.p.etaSeconds - a.expected))[0];
  t.diagnostic(`ETA ${worst.p.etaSeconds.toFixed(1)} s with ${size - worst.p.bytesSent} B left to send at ${Math.round(worst.p.speed)} B/s `
    + `(≈ ${worst.expected.toFixed(1)} s)`);
  assert.ok(worst.p.etaSeconds <= 1.5 * worst.expected + 2,
    `ETA ${worst.p.etaSeconds.toFixed(1)} s with ${size - worst.p.bytesSent} B left to send: it counts unconfirmed bytes as not sent`);
});

chromiumTest('browser clock 20 minutes slow: one RequestTimeTooSkewed, then corrected and done', { timeout: 60_000 }, async (t) => {
  // Garage does not check the request time at all (a request signed 20 min off is accepted), so the proxy plays
  // S3: every request signed more than 15 min away from the real time gets RequestTimeTooSkewed with ServerTime.
  const skewMs = -20 * 60_000;
  const hs = await startHarness({
    proxy: { keepAlive: false },
    initArg: skewMs,
    initScript: (skew) => {
      const realNow = Date.now.bind(Date);
      Date.now = () => realNow() + skew;
    },
  });
  try {
    assert.ok(Math.abs(await hs.page.evaluate(() => Date.now()) - (Date.now() + skewMs)) < 5000, 'the page clock is skewed');
    hs.proxy.rules([{ match: { skewedOverMs: 15 * 60_000 }, fault: { respond: () => errors.requestTimeTooSkewed(new Date()) } }]);
    const file = hs.randomFile('skew.bin', 12 * MiB);
    const key = 'faults/skew.bin';
    const run = await hs.upload(file.path, { key, partSize: 5 * MiB, concurrency: 2 });
    const { log } = await assertSurvived(hs, run, file, key);
    const skewed = log.filter((e) => e.fault);
    assert.equal(skewed.length, 1, `one request refused for the clock, no more:\n${logText(log)}`);
    const requests = log.filter((e) => e.action !== 'Preflight');
    const count = (action) => requests.filter((e) => e.action === action).length;
    assert.equal(count(skewed[0].action), 2, `the refused request once more:\n${logText(log)}`);
    assert.equal(count('UploadPart'), skewed[0].action === 'UploadPart' ? 4 : 3, logText(log));
    assert.equal(count('CreateMultipartUpload') + count('CompleteMultipartUpload'), skewed[0].action.endsWith('MultipartUpload') ? 3 : 2);
    const recovery = firstPartBytesAfter(log, skewed[0].tEnd);
    const retry = requests[requests.indexOf(skewed[0]) + 1];
    t.diagnostic(`skew: refused ${skewed[0].action}; the corrected retry went out ${ms(retry.t - skewed[0].tEnd)} later, `
      + `first part bytes ${ms(recovery)} after the refusal; total ${ms(run.ms)}; states ${stateNames(run.states).join(' → ')}`);
  } finally {
    await hs.stop();
  }
});

test('online but no way out for 20 s: probes every 2 s, parts go again within ~2 s of the way back', { timeout: 120_000 }, async (t) => {
  const { file, key } = fileAndKey('blackhole.bin', 15 * MiB);
  const bandwidth = { match: { action: 'UploadPart' }, fault: { bandwidth: 2 * MiB } };
  h.proxy.rules([bandwidth]);
  const running = h.upload(file.path, { key, partSize: 5 * MiB, concurrency: 1 });
  while (!(h.proxy.stats().parts[1]?.completed >= 1)) await sleep(50);
  // navigator.onLine stays true: every connection is reset, as on a Wi-Fi without a way out.
  h.proxy.rules([{ match: {}, fault: { resetAfterBytes: 0 } }]);
  h.proxy.cutAll();
  await sleep(20_000);
  const back = h.proxy.now();
  h.proxy.rules([bandwidth]);
  const run = await running;
  const { log } = await assertSurvived(h, run, file, key);
  const probes = log.filter((e) => e.action === 'HeadBucket' && e.t < back);
  assert.ok(probes.length >= 5, `about one probe per 2 s while cut off, saw ${probes.length}\n${logText(log)}`);
  const recovery = firstPartBytesAfter(log, back);
  assert.ok(recovery !== null && recovery < 3_000, `parts again ${ms(recovery)} after the way back (probe every 2 s)\n${logText(log)}`);
  assert.ok(!stateNames(run.states).includes('waiting-for-network'), 'the browser never said offline');
  t.diagnostic(`online without a way out: ${probes.length} probes in 20 s; first new part bytes ${ms(recovery)} after the way back; `
    + `states ${stateNames(run.states).join(' → ')}`);
});

chromiumTest('the answer to Complete is lost: the retry finds the upload gone, HeadObject confirms the object, done', { timeout: 60_000 }, async (t) => {
  const { file, key } = fileAndKey('lost-complete.bin', 7 * MiB);
  h.proxy.rules([{ match: { action: 'CompleteMultipartUpload', nth: 1 }, fault: { resetResponse: true } }]);
  const run = await h.upload(file.path, { key, partSize: 5 * MiB });
  const { log } = await assertSurvived(h, run, file, key);
  const completes = log.filter((e) => e.action === 'CompleteMultipartUpload');
  assert.equal(completes.length, 2, `Complete sent twice:\n${logText(log)}`);
  assert.equal(completes[1].status, 404, 'the retry finds the upload completed (NoSuchUpload)');
  const heads = log.filter((e) => e.action === 'HeadObject' && e.t > completes[1].t);
  assert.equal(heads.length, 1, `one HeadObject confirms it:\n${logText(log)}`);
  assert.ok(run.result.uploadId, 'the result names the upload');
  assert.equal(run.result.checksumAlgorithm, 'CRC64NVME');
  t.diagnostic(`lost Complete answer: confirmed by HeadObject ${ms(heads[0].tEnd - completes[0].tEnd)} after the lost answer`);
});

test('a stale attempt lands after its retry succeeded (a buffering proxy): Complete still makes the file', { timeout: 90_000 }, async (t) => {
  const { file, key } = fileAndKey('stale.bin', 10 * MiB);
  // A buffering proxy takes part 2's whole first attempt and answers nothing: the page gives it up after 2 s
  // without progress and sends it again; 5 s in, that stale body reaches Garage and replaces the part (same
  // bytes). Complete is held until after that.
  h.proxy.rules([
    { match: { action: 'UploadPart', partNumber: 2, nth: 1 }, fault: { holdMs: 5000 } },
    { match: { action: 'CompleteMultipartUpload', nth: 1 }, fault: { latencyMs: 6000 } },
  ]);
  const run = await h.upload(file.path, { key, partSize: 5 * MiB, concurrency: 2, stallTimeoutMs: 2000 });
  await sleep(500); // the stale request's answer from Garage
  const { log } = await assertSurvived(h, run, file, key);
  const [stale, retry] = log.filter((e) => e.partNumber === 2);
  const completes = log.filter((e) => e.action === 'CompleteMultipartUpload');
  assert.equal(stale.outcome, 'held', logText(log));
  assert.equal(stale.status, 200, `Garage stored the stale body:\n${logText(log)}`);
  assert.ok(retry.tEnd < stale.tEnd && stale.tEnd < completes.at(-1).t + 6000, `the stale body landed between the retry and Complete:\n${logText(log)}`);
  t.diagnostic(`stale attempt: reached Garage (200) ${ms(stale.tEnd - retry.tEnd)} after its retry's 200; Complete ${completes.length}×, `
    + `ListParts ${log.filter((e) => e.action === 'ListParts').length}×; total ${ms(run.ms)}`);
});

test('a stale attempt cut mid-body after its retry succeeded: InvalidPart after a relist that matched, the part goes again, done', { timeout: 90_000 }, async (t) => {
  const { file, key } = fileAndKey('stale-cut.bin', 10 * MiB);
  // As above, but the stale body's connection to Garage breaks after 3 MiB: Garage's newest attempt of part 2 is then
  // an unfinished one, for good. ListParts shows the retry's (the ETag Complete sent), Complete refuses InvalidPart.
  h.proxy.rules([
    { match: { action: 'UploadPart', partNumber: 2, nth: 1 }, fault: { holdMs: 4000, cutAfterBytes: 3 * MiB } },
    { match: { action: 'CompleteMultipartUpload', nth: 1 }, fault: { latencyMs: 6000 } },
  ]);
  const run = await h.upload(file.path, { key, partSize: 5 * MiB, concurrency: 2, stallTimeoutMs: 2000 });
  const { log } = await assertSurvived(h, run, file, key);
  const [stale, retry, again, ...more] = log.filter((e) => e.partNumber === 2);
  const completes = log.filter((e) => e.action === 'CompleteMultipartUpload');
  const refused = completes.filter((e) => e.errorCode === 'InvalidPart');
  assert.equal(stale.outcome, 'held-cut', logText(log));
  assert.ok(retry.tEnd < stale.tEnd && stale.tEnd < completes[0].t + 6000, `the stale body was cut between the retry and Complete:\n${logText(log)}`);
  assert.equal(refused.length, 2, `refused, listed, refused again with the listed ETags:\n${logText(log)}`);
  assert.ok(again?.t > refused[1].tEnd && more.length === 0, `part 2 sent once more, after the second refusal:\n${logText(log)}`);
  assert.equal(log.filter((e) => e.partNumber === 1).length, 1, 'part 1 kept');
  t.diagnostic(`stale attempt cut: Complete ${completes.length}× (${refused.length} InvalidPart), ListParts `
    + `${log.filter((e) => e.action === 'ListParts').length}×, part 2 sent ${2 + 1 + more.length}×; total ${ms(run.ms)}`);
});
