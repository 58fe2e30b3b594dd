// Scenario 3: peak memory while uploading large files (512 MiB and 4 GiB in the full run), straight to Garage.
// Sampled every 100 ms: RSS of the page's renderer process and of the whole Chromium tree, the page's V8 heap and
// its ArrayBuffer backing stores; "Δ" is the peak minus the value just before the upload started (page loaded, file
// picked). The target is about what the upload adds: ≤ concurrency × part size + 32 MiB, and flat in file size.
import { MiB, writeRandom } from '../lib/files.mjs';
import { mib, roundOrder, verdict } from '../lib/stats.mjs';
import { timedUpload } from '../peers/browser.mjs';

export async function memory(env, cfg, log) {
  const { sizes, partSize, concurrency } = cfg.memory;
  const limit = concurrency * partSize + 32 * MiB;
  const browsers = [...cfg.peers, ...cfg.diagnostics];
  const names = browsers.map((p) => p.name);
  const results = Object.fromEntries(names.map((n) => [n, {}]));
  for (const [i, size] of sizes.entries()) {
    // One file per size, fresh for each peer (Garage deduplicates); the order changes with the size.
    for (const name of roundOrder(names, i)) {
      const file = writeRandom(env.file(`memory-${name}.bin`), size);
      const key = `bench/memory/${name}-${size}-${Date.now()}.bin`;
      const r = await timedUpload(env, browsers.find((p) => p.name === name), file, size,
        { key, partSize, concurrency, parts: Math.ceil(size / partSize) });
      results[name][size] = r;
      const m = r.memory;
      log(`memory ${size / MiB} MiB ${name.padEnd(12)} ${r.error ? `FAILED ${r.error}` : `${r.seconds.toFixed(1)} s; renderer RSS `
        + `${mib(m.baseline.rendererRss)} → peak ${mib(m.peak.rendererRss)} MiB; tree RSS peak ${mib(m.peak.treeRss)} MiB; `
        + `JS heap ${mib(m.baseline.heapUsed)} → ${mib(m.peak.heapUsed)} MiB; ArrayBuffers peak ${mib(m.peak.heapBacking)} MiB`}`);
    }
  }
  const get = (name, size, f) => { const r = results[name][size]; return r.error ? `fails: ${r.error}` : f(r.memory); };
  const rows = [];
  for (const size of sizes) {
    const label = `${size / MiB >= 1024 ? `${size / 1024 / MiB} GiB` : `${size / MiB} MiB`}`;
    rows.push([`${label}: renderer RSS Δ peak (MiB)`, ...names.map((n) => get(n, size, (m) => mib(m.peak.rendererRss - m.baseline.rendererRss)))]);
    rows.push([`${label}: renderer RSS peak (MiB)`, ...names.map((n) => get(n, size, (m) => mib(m.peak.rendererRss)))]);
    rows.push([`${label}: all Chromium RSS peak (MiB)`, ...names.map((n) => get(n, size, (m) => mib(m.peak.treeRss)))]);
    rows.push([`${label}: JS heap used Δ peak (MiB)`, ...names.map((n) => get(n, size, (m) => mib(m.peak.heapUsed - m.baseline.heapUsed)))]);
    rows.push([`${label}: ArrayBuffers peak (MiB)`, ...names.map((n) => get(n, size, (m) => mib(m.peak.heapBacking)))]);
  }
  const us = results['resumable-s3'];
  const delta = (r) => (r && !r.error ? r.memory.peak.rendererRss - r.memory.baseline.rendererRss : NaN);
  const deltas = sizes.map((s) => delta(us?.[s]));
  const within = deltas.every((d) => d <= limit);
  const flat = deltas.length < 2 || deltas.at(-1) <= deltas[0] + 16 * MiB;
  const notes = [
    `${concurrency} in flight × ${partSize / MiB} MiB parts; target: renderer RSS Δ ≤ ${mib(limit, 0)} MiB and flat in file size.`,
    `target 3 (resumable-s3): renderer RSS Δ ${deltas.map((d) => mib(d)).join(' / ')} MiB → ≤ ${mib(limit, 0)} MiB ${verdict(deltas.every(Number.isFinite) ? within : null)}; `
      + `flat (largest size within 16 MiB of the smallest) ${verdict(deltas.every(Number.isFinite) ? flat : null)}`,
    'All Chromium RSS includes the browser and network-service processes, which read and send Blob bodies; its absolute value '
      + 'includes Chromium\'s own idle footprint (several hundred MiB here, the same for every peer).',
  ];
  return { title: '3. Peak memory, large files (loopback)', columns: ['', ...names], rows, notes, results };
}
