// Scenario 6: reload the page at ~50 % and drop the same file again (what a user does after a crash or a closed
// tab). Through the fault proxy, which throttles each part (`perPartRate`) so the reload lands mid-upload and counts
// every part byte across both page loads. Measured: bytes re-sent of parts S3 already held (ListParts right after
// the reload), whether the same multipart upload was continued, and the time from the re-drop to the first new part
// byte. Peers without resume across reloads start a new upload: their re-sent bytes are measured the same way.
// The 2,000-part case (resumable-s3 only: the peers' smallest part is 5 MiB, so 2,000+ parts would need 10 GB):
// tiny parts, reload once more than 2,000 are confirmed, so the resume must read three ListParts pages.
import { firstPartBytesAfter } from '../../tests/support/faults.mjs';
import { KiB, MiB, writeRandom } from '../lib/files.mjs';
import { confirmedParts, heldParts, partBytes, sleep, sum, uploadParts, waitFor, within } from '../lib/proxy-log.mjs';
import { mib, verdict } from '../lib/stats.mjs';
import { openUpload } from '../peers/browser.mjs';

async function reloadAndRedrop(env, peer, { name, size, partSize, minPartSize, concurrency, perPartRate, reloadWhen, timeoutMs }) {
  const { proxy } = env;
  proxy.clearRules();
  proxy.resetStats();
  const file = writeRandom(env.file(`resume-${name}.bin`), size);
  const key = `bench/resume/${name}-${Date.now()}.bin`;
  const opts = { endpoint: proxy.url, region: env.garage.region, bucket: env.garage.bucket, key, partSize, minPartSize, concurrency, credentials: env.credentials };
  const s = await openUpload(env, peer, file);
  const r = {};
  try {
    if (perPartRate) proxy.rules([{ match: { action: 'UploadPart' }, fault: { bandwidth: perPartRate } }]);
    await s.start(opts);
    await waitFor(() => reloadWhen(proxy), { timeout: timeoutMs, what: 'the reload point' });
    await s.page.reload();
    proxy.clearRules();
    await sleep(200); // the requests the reload cut are logged by now
    const before = proxy.stats().log;
    r.uploadId = uploadParts(before)[0]?.uploadId;
    r.confirmedBefore = confirmedParts(before).size;
    r.pctBefore = (100 * sum(uploadParts(before).map((e) => e.bytesIn))) / size;
    const held = await heldParts(env.garage, key, r.uploadId);
    r.held = held.size;
    r.heldBytes = sum([...held].map((n) => Math.min(partSize, size - (n - 1) * partSize)));

    const tDrop = proxy.now();
    await s.reselect();
    await s.start(opts);
    const out = await within(s.outcome(), timeoutMs);
    const log = proxy.stats().log.filter((e) => e.t >= tDrop);
    const after = uploadParts(log);
    r.firstByteS = (firstPartBytesAfter(log, tDrop) ?? NaN) / 1000;
    r.resentBytes = sum(after.filter((e) => held.has(e.partNumber)).map((e) => e.bytesIn));
    r.sameUpload = after.length ? after.every((e) => e.uploadId === r.uploadId) : null;
    r.controls = [...new Set(log.filter((e) => e.action !== 'UploadPart' && e.action !== 'Preflight').map((e) => e.action))].join(', ');
    if (out.timedOut) r.error = `not done ${timeoutMs / 1000} s after the re-drop`;
    else if (out.error) r.error = `${out.error.code}: ${out.error.message}`;
    else {
      r.resumedS = out.ms / 1000;
      await env.verify(key, size, Math.ceil(size / partSize));
    }
  } catch (err) {
    r.error = err.message;
  } finally {
    await s.close();
  }
  return r;
}

export async function resume(env, cfg, log) {
  const { size, partSize, concurrency, perPartRate, timeoutMs, manyParts } = cfg.resume;
  const names = cfg.peers.map((p) => p.name);
  const results = {};
  const describe = (r) => (r.error && r.uploadId === undefined ? `fails: ${r.error}`
    : `reload at ${r.pctBefore?.toFixed(0)} % (${r.confirmedBefore} parts confirmed, ${r.held} held by S3); `
      + `${r.sameUpload ? 'continued the same upload' : 'started a new upload'}; re-sent ${mib(r.resentBytes)} MiB of held parts; `
      + `first new part byte ${r.firstByteS?.toFixed(2)} s after the re-drop; requests: ${r.controls}${r.error ? `; fails: ${r.error}` : ''}`);
  for (const peer of cfg.peers) {
    results[peer.name] = await reloadAndRedrop(env, peer, {
      name: peer.name, size, partSize, concurrency, perPartRate, timeoutMs,
      reloadWhen: (proxy) => confirmedParts(proxy.stats().log).size >= 1 && partBytes(proxy) >= size / 2,
    });
    log(`resume ${peer.name.padEnd(12)} ${describe(results[peer.name])}`);
  }
  let many;
  const us = cfg.peers.find((p) => p.name === 'resumable-s3');
  if (manyParts && us) {
    const { count, part } = manyParts;
    many = await reloadAndRedrop(env, us, {
      name: 'many-parts', size: count * part, partSize: part, minPartSize: part, concurrency, timeoutMs,
      reloadWhen: (proxy) => confirmedParts(proxy.stats().log).size >= count / 2,
    });
    log(`resume ${count} parts of ${part / KiB} KiB (resumable-s3) ${describe(many)}`);
  }
  const cell = (r, f) => (r.error ? `fails: ${r.error}` : f(r));
  const rows = [
    ['continues the same upload', ...names.map((n) => cell(results[n], (r) => (r.sameUpload ? 'yes' : 'no: new upload')))],
    ['MiB of held parts re-sent', ...names.map((n) => `${mib(results[n].resentBytes)} of ${mib(results[n].heldBytes)}`)],
    ['re-drop → first new part byte (s)', ...names.map((n) => results[n].firstByteS?.toFixed(2) ?? 'n/a')],
    ['re-drop → done (s)', ...names.map((n) => cell(results[n], (r) => r.resumedS.toFixed(1)))],
  ];
  if (many) {
    const { count, part } = manyParts;
    rows.push([`${count} × ${part / KiB} KiB parts: MiB re-sent`, ...names.map((n) => (n === 'resumable-s3' ? `${mib(many.resentBytes, 2)} of ${mib(many.heldBytes, 2)}` : 'n/a: parts ≥ 5 MiB'))]);
    rows.push([`${count} × ${part / KiB} KiB parts: first new byte (s)`, ...names.map((n) => (n === 'resumable-s3' ? cell(many, (r) => r.firstByteS.toFixed(2)) : 'n/a'))]);
  }
  const ours = results['resumable-s3'];
  const notes = [
    `${size / MiB} MiB, ${partSize / MiB} MiB parts, ${concurrency} in flight, each part throttled to ${perPartRate / MiB} MiB/s at the proxy until the reload; `
      + 'the re-drop runs at full speed. "held": parts ListParts lists right after the reload.',
    'lib-storage keeps no state across a reload (a new Upload starts a new multipart upload); Uppy resumes across reloads only with '
      + '@uppy/golden-retriever, which is not among the installed packages, so both start again: measured, not assumed.',
    `target 6 (resumable-s3): 0 bytes re-sent → ${verdict(ours && !ours.error ? ours.resentBytes === 0 && (!many || many.resentBytes === 0) : null)}`,
  ];
  return { title: '6. Resume: reload at ~50 %, same file dropped again', columns: ['', ...names], rows, notes, results, many };
}
