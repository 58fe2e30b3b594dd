// Scenario 4: a slow link, emulated by Chromium for the page (Network.emulateNetworkConditions: 1 MB/s up, 100 ms
// latency; one budget shared by all of the page's requests), straight to Garage. Goodput = file bytes / upload time,
// against the link's rate; the largest gap between progress events (from the start) is what a user watches. Target 5
// (issue 12): at most about 10 events a second (the most in any 1 s window), and after the first second, until the
// event that reports the last byte, no gap over 150 ms.
import { MiB, writeRandom } from '../lib/files.mjs';
import { median, medRange, roundOrder, verdict } from '../lib/stats.mjs';
import { timedUpload } from '../peers/browser.mjs';

export async function slowLink(env, cfg, log) {
  const { size, rounds, rate, latencyMs, partSize, concurrency } = cfg.slowLink;
  const names = cfg.peers.map((p) => p.name);
  const runs = Object.fromEntries(names.map((n) => [n, []]));
  for (let round = 0; round < rounds; round++) {
    for (const name of roundOrder(names, round)) {
      const file = writeRandom(env.file(`slow-${name}.bin`), size);
      const key = `bench/slow/${name}-${round}-${Date.now()}.bin`;
      const r = await timedUpload(env, cfg.peers.find((p) => p.name === name), file, size, {
        key, partSize, concurrency, parts: Math.ceil(size / partSize),
        network: { latencyMs, uploadBytesPerSecond: rate },
      });
      const times = [0, ...(r.progress ?? []).map((p) => p.t)];
      r.maxGap = Math.max(...times.slice(1).map((t, i) => t - times[i])) / 1000;
      r.events = r.progress?.length ?? 0;
      r.firstEvent = r.progress?.length ? r.progress[0].t / 1000 : NaN;
      const lastByte = (r.progress ?? []).findIndex((p) => p.bytes >= size); // times[lastByte + 1] is that event's
      const sending = lastByte < 0 ? times : times.slice(0, lastByte + 2);
      r.maxGapAfter1s = Math.max(0, ...sending.slice(1).map((t, i) => (sending[i] >= 1000 ? t - sending[i] : 0))) / 1000;
      r.maxPerSecond = Math.max(0, ...times.slice(1).map((t, i) => times.slice(1).filter((u) => u >= t && u < t + 1000).length));
      runs[name].push(r);
      log(`slow link round ${round + 1}/${rounds} ${name.padEnd(12)} ${r.error ? `FAILED ${r.error}` : `${r.seconds.toFixed(1)} s, `
        + `goodput ${(size / r.seconds / 1e3).toFixed(0)} kB/s (${((100 * size) / r.seconds / rate).toFixed(1)} % of the link), `
        + `${r.events} progress events, largest gap ${r.maxGap.toFixed(2)} s`}`);
    }
  }
  const ok = (n) => runs[n].filter((r) => !r.error);
  const cell = (n, text) => (ok(n).length ? text : `fails: ${runs[n][0].error}`);
  const goodputPct = (n) => ok(n).map((r) => (100 * size) / r.seconds / rate);
  const rows = [
    ['goodput, % of the link', ...names.map((n) => cell(n, medRange(goodputPct(n))))],
    ['goodput kB/s', ...names.map((n) => cell(n, medRange(ok(n).map((r) => size / r.seconds / 1e3), 0)))],
    ['largest gap between progress events (s)', ...names.map((n) => cell(n, medRange(ok(n).map((r) => r.maxGap), 2)))],
    ['first progress event after the start (s)', ...names.map((n) => cell(n, medRange(ok(n).map((r) => r.firstEvent), 2)))],
    ['progress events', ...names.map((n) => cell(n, medRange(ok(n).map((r) => r.events), 0)))],
    ['most progress events in 1 s', ...names.map((n) => cell(n, medRange(ok(n).map((r) => r.maxPerSecond), 0)))],
    ['largest gap after the first second, to the last byte (s)', ...names.map((n) => cell(n, medRange(ok(n).map((r) => r.maxGapAfter1s), 2)))],
  ];
  const us = 'resumable-s3';
  const ours = median(goodputPct(us));
  const notes = [
    `${size / MiB} MiB, ${partSize / MiB} MiB parts, ${concurrency} in flight, link ${rate / 1e6} MB/s up with ${latencyMs} ms latency (Chromium's emulation), ${rounds} round(s).`,
    `target 4: goodput ≥ 95 % of the link: ${Number.isFinite(ours) ? ours.toFixed(1) : 'n/a'} % → ${verdict(Number.isFinite(ours) ? ours >= 95 : null)}`,
    `target 5: ≤ 10 progress events in any second and no gap over 0.15 s after the first second (to the last byte): `
      + `${medRange(ok(us).map((r) => r.maxPerSecond), 0)} events, ${medRange(ok(us).map((r) => r.maxGapAfter1s), 2)} s → `
      + `${verdict(ok(us).length ? ok(us).every((r) => r.maxPerSecond <= 10 && r.maxGapAfter1s <= 0.15) : null)}`,
  ];
  return { title: `4. Slow link: ${rate / 1e6} MB/s, ${latencyMs} ms, ${size / MiB} MiB`, columns: ['', ...names], rows, notes, runs };
}
