// Scenario 4: a slow link, emulated by Chromium for the page (Network.emulateNetworkConditions: 1 MB/s up, 100 ms
// latency; one budget shared by all of the page's requests), straight to Garage. Goodput = file bytes / upload time,
// against the link's rate; the largest gap between progress events (from the start) is what a user watches.
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
  ];
  const ours = median(goodputPct('resumable-s3'));
  const notes = [
    `${size / MiB} MiB, ${partSize / MiB} MiB parts, ${concurrency} in flight, link ${rate / 1e6} MB/s up with ${latencyMs} ms latency (Chromium's emulation), ${rounds} round(s).`,
    `target 4: goodput ≥ 95 % of the link: ${Number.isFinite(ours) ? ours.toFixed(1) : 'n/a'} % → ${verdict(Number.isFinite(ours) ? ours >= 95 : null)}`,
  ];
  return { title: `4. Slow link: ${rate / 1e6} MB/s, ${latencyMs} ms, ${size / MiB} MiB`, columns: ['', ...names], rows, notes, runs };
}
