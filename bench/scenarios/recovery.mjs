// Scenario 5: the network goes away for 20 s at ~30 % and comes back. Through the fault proxy (it cuts the requests
// in flight, which Chromium's offline emulation leaves running, and logs every byte), on a link Chromium throttles to
// `rate` so the upload lasts long enough to be interrupted. Measured: seconds from the network's return to the first
// new part byte and to completion; bytes of parts S3 had confirmed that were sent again. A peer that gives up says so.
import { partsResentAfterConfirmation } from '../../tests/support/fault-proxy.mjs';
import { firstPartBytesAfter } from '../../tests/support/faults.mjs';
import { MiB, writeRandom } from '../lib/files.mjs';
import { confirmedParts, partBytes, sleep, sum, waitFor, within } from '../lib/proxy-log.mjs';
import { verdict } from '../lib/stats.mjs';
import { openUpload } from '../peers/browser.mjs';

export async function recovery(env, cfg, log) {
  const { size, rate, offlineMs, partSize, concurrency, timeoutMs } = cfg.recovery;
  const names = cfg.peers.map((p) => p.name);
  const results = {};
  for (const peer of cfg.peers) {
    const { proxy } = env;
    proxy.clearRules();
    proxy.resetStats();
    const file = writeRandom(env.file(`recovery-${peer.name}.bin`), size);
    const key = `bench/recovery/${peer.name}-${Date.now()}.bin`;
    const s = await openUpload(env, peer, file);
    const r = {};
    try {
      await s.page.network({ uploadBytesPerSecond: rate });
      await s.start({ endpoint: proxy.url, region: env.garage.region, bucket: env.garage.bucket, key, partSize, concurrency, credentials: env.credentials });
      let settled;
      const outcome = s.outcome().then((o) => { settled = o; return o; });
      await waitFor(() => settled || partBytes(proxy) >= 0.3 * size, { timeout: 60_000, what: '30 % of the bytes' });
      if (settled) throw new Error(`ended before the cut: ${settled.error ? settled.error.message : 'done'}`);
      r.cutAtPct = (100 * partBytes(proxy)) / size;
      // The least a client can take after the return: the bytes of every part not confirmed by the cut, at the link's rate.
      const confirmed = confirmedParts(proxy.stats().log);
      const unconfirmed = Array.from({ length: Math.ceil(size / partSize) }, (_, i) => i + 1).filter((n) => !confirmed.has(n));
      r.floorS = sum(unconfirmed.map((n) => Math.min(partSize, size - (n - 1) * partSize))) / rate;
      await s.page.network({ offline: true, uploadBytesPerSecond: rate }); // navigator.onLine false, new requests fail
      r.cut = proxy.cutAll(); // and the requests already on the wire
      await sleep(offlineMs);
      r.failedWhileOffline = settled?.error ? `${settled.error.code}: ${settled.error.message}` : null;
      const tBack = proxy.now();
      const pageBack = await s.elapsedMs();
      await s.page.network({ offline: false, uploadBytesPerSecond: rate });
      const out = await within(outcome, timeoutMs);
      const stats = proxy.stats();
      r.firstByteS = (firstPartBytesAfter(stats.log, tBack) ?? NaN) / 1000;
      if (out.timedOut) r.error = `not done ${timeoutMs / 1000} s after the network came back`;
      else if (out.error) r.error = `${out.error.code}: ${out.error.message}${r.failedWhileOffline ? ' (while offline)' : ''}`;
      else {
        r.doneS = (out.ms - pageBack) / 1000;
        await env.verify(key, size, Math.ceil(size / partSize));
      }
      const resent = partsResentAfterConfirmation(stats);
      r.resentBytes = sum(stats.log.filter((e) => e.action === 'UploadPart' && resent.some((x) => x.resentAt === e.t && x.partNumber === e.partNumber))
        .map((e) => e.bytesIn));
    } catch (err) {
      r.error = err.message;
    } finally {
      await s.close();
    }
    results[peer.name] = r;
    log(`recovery ${peer.name.padEnd(12)} cut at ${r.cutAtPct?.toFixed(0)} % (${r.cut} requests); `
      + `${r.error ? `fails: ${r.error}` : `first new part byte ${r.firstByteS.toFixed(2)} s, done ${r.doneS.toFixed(1)} s after the return`}; `
      + `bytes of confirmed parts re-sent ${r.resentBytes ?? 'n/a'}`);
  }
  const cell = (n, f) => (results[n].error ? 'fails' : f(results[n]));
  const rows = [
    ['outcome', ...names.map((n) => (results[n].error ? `fails: ${results[n].error}` : 'completed by itself'))],
    ['first new part byte after return (s)', ...names.map((n) => (Number.isFinite(results[n].firstByteS) ? results[n].firstByteS.toFixed(2) : cell(n, () => 'none')))],
    ['completed, s after return', ...names.map((n) => cell(n, (r) => r.doneS.toFixed(1)))],
    ['least possible at the link rate (s)', ...names.map((n) => results[n].floorS?.toFixed(1) ?? 'n/a')],
    ['bytes of confirmed parts re-sent', ...names.map((n) => String(results[n].resentBytes ?? 'n/a'))],
    ['cut at (% of bytes)', ...names.map((n) => results[n].cutAtPct?.toFixed(0) ?? 'n/a')],
  ];
  const ours = results['resumable-s3'];
  const notes = [
    `${size / MiB} MiB, ${partSize / MiB} MiB parts, ${concurrency} in flight, link ${rate / 1e6} MB/s (Chromium), offline ${offlineMs / 1000} s `
      + '(Chromium offline emulation + the proxy resetting every open connection), through the fault proxy.',
    `resumable-s3: ${ours?.error ? `fails: ${ours.error}` : `resumed ${ours?.firstByteS?.toFixed(2)} s after the return, completed`} → `
      + `${verdict(ours && !ours.error && ours.resentBytes === 0)} (goal: completes by itself, nothing confirmed re-sent)`,
  ];
  return { title: `5. Recovery: ${offlineMs / 1000} s offline at ~30 %`, columns: ['', ...names], rows, notes, results };
}
