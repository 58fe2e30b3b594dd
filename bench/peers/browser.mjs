// Running a browser peer's upload: a fresh page (own browser context), the file picked with setInputFiles, then
// start / wait. `timedUpload` adds what the scenarios measure around it: CPU seconds of all Chromium processes and
// peak memory (renderer RSS, whole-tree RSS, JS heap) sampled while the upload runs.
import { settle } from '../lib/files.mjs';
import { childCpuSeconds, pageRenderers, rssNow, sampleMemory, treeCpuByKind } from '../lib/procs.mjs';

/** Opens the peer's page with `file` selected; returns a session to start, watch and close the upload. */
export async function openUpload(env, peer, file) {
  const before = new Set(pageRenderers(env.browser.pid));
  const page = await env.browser.newPage(`${env.server.url}${peer.path}`);
  const now = pageRenderers(env.browser.pid);
  // The page's renderer is the one that appeared with it (or, if Chromium reused a spare one, every page renderer).
  const fresh = now.filter((pid) => !before.has(pid));
  const rendererPids = fresh.length ? fresh : now;
  await page.setInputFiles('#file', file);
  return {
    page,
    rendererPids,
    // A peer may set things up on the Node side first (`prepare`: the floor's presigned URLs); it returns the options.
    start: async (opts) => page.evaluate(peer.start, peer.prepare ? await peer.prepare(env, opts) : peer.options(opts)),
    /** { result?, error?, ms, progress: [{ t (ms since start), bytes }] } */
    outcome: () => page.evaluate(peer.outcome),
    /** Milliseconds since the upload started, on the page's clock. */
    elapsedMs: () => page.evaluate(peer.elapsed),
    /** Selects the file again (after a reload: "dropping it again"). */
    reselect: () => page.setInputFiles('#file', file),
    close: () => page.close(),
  };
}

/**
 * One upload of `file` (size bytes) by `peer`, measured. opts: { key, partSize, concurrency, parts (expected part
 * count, for the ETag check), endpoint?, network? (page.network conditions, set before the start) }.
 * Returns { seconds, cpuSeconds, cpuByKind, serverCpuSeconds (Garage's), memory: { baseline…, peak… }, progress, error }.
 */
export async function timedUpload(env, peer, file, size, opts) {
  const s = await openUpload(env, peer, file);
  try {
    if (opts.network) await s.page.network(opts.network);
    settle();
    const baseline = { rendererRss: rssNow(s.rendererPids), heapUsed: (await s.page.heapUsage()).usedSize };
    const sampler = sampleMemory({ rootPid: env.browser.pid, rendererPids: s.rendererPids, heapUsage: s.page.heapUsage });
    const cpu0 = treeCpuByKind(env.browser.pid);
    const server0 = childCpuSeconds('garage');
    await s.start({
      endpoint: opts.endpoint ?? env.garage.endpoint, region: env.garage.region, bucket: env.garage.bucket,
      key: opts.key, size, partSize: opts.partSize, concurrency: opts.concurrency, credentials: env.credentials,
    });
    const out = await s.outcome().catch((err) => ({ error: { code: 'Hung', message: err.message }, ms: NaN, progress: [] }));
    const cpu1 = treeCpuByKind(env.browser.pid);
    const serverCpuSeconds = childCpuSeconds('garage') - server0;
    const cpuByKind = Object.fromEntries(Object.keys(cpu1).map((k) => [k, cpu1[k] - cpu0[k]]));
    const cpuSeconds = cpuByKind.total;
    const peak = await sampler.stop();
    if (out.error) return { error: `${out.error.code}: ${out.error.message}`, seconds: out.ms / 1000, progress: out.progress };
    try {
      await env.verify(opts.key, size, peer.expectedParts?.(size) ?? opts.parts); // Amplify's part size is its own
    } catch (err) {
      return { error: `reported success, but ${err.message}`, seconds: out.ms / 1000, progress: out.progress };
    }
    return { seconds: out.ms / 1000, cpuSeconds, cpuByKind, serverCpuSeconds, memory: { baseline, peak }, progress: out.progress };
  } finally {
    await s.close();
  }
}

/**
 * A diagnostic, not a contestant: in a page with `file` selected, read the whole file the way resumable-s3's checksum
 * pass does (src/web/checksum.rs: each part's slice as a byte stream, read "bring your own buffer" into one reused
 * 1 MiB buffer, each chunk copied into one more buffer, as into wasm memory) and nothing else. Returns { seconds,
 * cpuSeconds, cpuByKind } of Chromium: the cost of getting the bytes into wasm, without the CRC and without uploading.
 */
export async function timedReadPass(env, peer, file, partSize) {
  const s = await openUpload(env, peer, file);
  try {
    settle();
    const cpu0 = treeCpuByKind(env.browser.pid);
    const ms = await s.page.evaluate(async (part) => {
      const f = document.getElementById('file').files[0];
      const copy = new Uint8Array(1024 * 1024);
      const t0 = performance.now();
      for (let o = 0; o < f.size; o += part) {
        const reader = f.slice(o, Math.min(f.size, o + part)).stream().getReader({ mode: 'byob' });
        let buffer = new ArrayBuffer(1024 * 1024);
        for (;;) {
          const { done, value } = await reader.read(new Uint8Array(buffer));
          if (done) break;
          copy.set(value);
          buffer = value.buffer;
        }
      }
      return performance.now() - t0;
    }, partSize, { timeoutMs: 120_000 });
    const cpu1 = treeCpuByKind(env.browser.pid);
    const cpuByKind = Object.fromEntries(Object.keys(cpu1).map((k) => [k, cpu1[k] - cpu0[k]]));
    return { seconds: ms / 1000, cpuSeconds: cpuByKind.total, cpuByKind };
  } finally {
    await s.close();
  }
}
