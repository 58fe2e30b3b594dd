// Scenarios 1 and 2: throughput on loopback (straight to Garage) and browser CPU seconds per GiB, measured in the
// same runs. Every round runs every contestant once, in a new order (stats.mjs roundOrder: no one always gets the
// quiet slot, the warm one or the one after curl), each with a fresh random file; ratios are taken within a round,
// then their median is reported. The bare-XHR floor (a peer marked `floor`) is no library: never the "best peer".
import { GiB, MiB, writeRandom } from '../lib/files.mjs';
import { median, medRange, roundOrder, verdict } from '../lib/stats.mjs';
import { timedReadPass, timedUpload } from '../peers/browser.mjs';
import { curlUpload } from '../peers/curl.mjs';

export async function throughput(env, cfg, log) {
  const { size, rounds, partSize, concurrency } = cfg.throughput;
  const parts = Math.ceil(size / partSize);
  const browsers = [...cfg.peers, ...cfg.diagnostics];
  const names = [...browsers.map((p) => p.name), 'curl'];
  const runs = Object.fromEntries(names.map((n) => [n, []]));
  const readPasses = [];
  const readPassFailures = [];
  for (let round = 0; round < rounds; round++) {
    for (const name of roundOrder(names, round)) {
      const key = `bench/throughput/${name}-${round}-${Date.now()}.bin`;
      let r;
      if (name === 'curl') {
        r = await curlUpload(env, size, { key, partSize, concurrency, parts });
      } else {
        const file = writeRandom(env.file(`throughput-${name}.bin`), size);
        r = await timedUpload(env, browsers.find((p) => p.name === name), file, size, { key, partSize, concurrency, parts });
      }
      r.coresBusy = (r.cpuSeconds + r.serverCpuSeconds) / r.seconds;
      runs[name][round] = r;
      log(`throughput round ${round + 1}/${rounds} ${name.padEnd(12)} ${r.error ? `FAILED ${r.error}` : `${r.seconds.toFixed(2)} s  `
        + `${(size / r.seconds / 1e6).toFixed(1)} MB/s  CPU ${r.cpuSeconds.toFixed(2)} s, Garage ${r.serverCpuSeconds.toFixed(2)} s`}`);
    }
    if (cfg.diagnostics.length) {
      const file = writeRandom(env.file('throughput-read-pass.bin'), size);
      try {
        const r = await timedReadPass(env, cfg.peers.find((p) => p.name !== 'resumable-s3') ?? cfg.peers[0], file, partSize);
        readPasses.push(r);
        log(`throughput round ${round + 1}/${rounds} read pass only (diagnostic) ${r.seconds.toFixed(2)} s, CPU ${r.cpuSeconds.toFixed(2)} s`);
      } catch (err) {
        readPassFailures.push(err.message);
        log(`throughput round ${round + 1}/${rounds} read pass only (diagnostic) FAILED: ${err.message}`);
      }
    }
  }
  const ok = (name) => runs[name].filter((r) => !r.error);
  const mbs = (name) => ok(name).map((r) => size / r.seconds / 1e6);
  const cpuPerGiB = (name) => ok(name).map((r) => r.cpuSeconds / (size / GiB));
  // Within-round ratios of resumable-s3 to each other contestant (throughput: the inverse of the time ratio).
  const us = 'resumable-s3';
  const perRound = (name, f) => runs[us].map((r, i) => (r.error || runs[name][i].error ? NaN : f(r, runs[name][i])));
  const tputRatio = (name) => median(perRound(name, (a, b) => b.seconds / a.seconds));
  const cpuRatio = (name) => median(perRound(name, (a, b) => a.cpuSeconds / b.cpuSeconds));
  const failures = (name) => runs[name].filter((r) => r.error).map((r) => r.error);

  const peers = cfg.peers.filter((p) => !p.floor && !p.diagnostic).map((p) => p.name).filter((n) => n !== us);
  const floor = cfg.peers.find((p) => p.floor)?.name;
  const bestTput = peers.filter((n) => ok(n).length).sort((a, b) => median(mbs(b)) - median(mbs(a)))[0];
  const bestCpu = peers.filter((n) => ok(n).length).sort((a, b) => median(cpuPerGiB(a)) - median(cpuPerGiB(b)))[0];
  const cell = (name, text) => (failures(name).length === runs[name].length ? `fails: ${failures(name)[0]}` : text);
  const rows = [
    ['MB/s, median (range)', ...names.map((n) => cell(n, medRange(mbs(n))))],
    ['resumable-s3 / this, throughput', ...names.map((n) => cell(n, tputRatio(n).toFixed(2)))],
    ['CPU s per GiB, median (range)', ...names.map((n) => cell(n, medRange(cpuPerGiB(n), 2)))],
    ['resumable-s3 / this, CPU', ...names.map((n) => cell(n, cpuRatio(n).toFixed(2)))],
    ['Garage CPU s per GiB', ...names.map((n) => cell(n, median(ok(n).map((r) => r.serverCpuSeconds / (size / GiB))).toFixed(2)))],
    ['cores busy (client + Garage)', ...names.map((n) => cell(n, median(ok(n).map((r) => r.coresBusy)).toFixed(2)))],
    // Where the CPU goes: the page's renderer (JS, wasm, reading Blobs into memory) vs the network service (sockets).
    ...['renderer', 'network', 'browser', 'other'].map((kind) => [`  of which ${kind} s/GiB`,
      ...names.map((n) => (n === 'curl' ? '' : cell(n, median(ok(n).map((r) => r.cpuByKind[kind] / (size / GiB))).toFixed(2))))]),
  ];
  const notes = [
    `${size / MiB} MiB as ${parts} parts of ${partSize / MiB} MiB, ${concurrency} in flight (Uppy v6 sends one file's parts one at a time${names.includes('amplify') ? '; Amplify uses its own 5 MiB parts' : ''}), ${rounds} round(s), order changed each round (balanced: who follows whom varies too); `
      + 'MB/s = 10^6 bytes/s, timed in the page from the library call to its resolve (curl: first request to Complete\'s answer).',
    'CPU: user+system seconds of every Chromium process (browser, network service, renderer, …) from the start to the end of '
      + 'the upload; curl: its own CPU (it is not a browser, shown for scale).',
    `target 1a: ≥ 1.2× the best peer (${bestTput ?? 'none'}): ${tputRatio(bestTput ?? us).toFixed(2)} → ${verdict(bestTput ? tputRatio(bestTput) >= 1.2 : null)}`,
    `target 1b: ≥ 0.90× raw curl: ${tputRatio('curl').toFixed(2)} → ${verdict(tputRatio('curl') >= 0.9)}`,
    ...(floor ? [`target 1c: ≥ 0.90× the bare-XHR floor (${floor}: file.slice() parts by XHR to presigned URLs, no library): `
      + `${tputRatio(floor).toFixed(2)} → ${verdict(Number.isFinite(tputRatio(floor)) ? tputRatio(floor) >= 0.9 : null)}`] : []),
    `target 2: CPU per GiB ≤ the best peer (${bestCpu ?? 'none'}): ${cpuRatio(bestCpu ?? us).toFixed(2)} → ${verdict(bestCpu ? cpuRatio(bestCpu) <= 1 : null)}`,
  ];
  if (readPasses.length) {
    const per = (f) => median(readPasses.map((r) => f(r) / (size / GiB))).toFixed(2);
    notes.push(`read pass only (diagnostic): reading the file as the checksum pass does (each part's byte stream, read into one `
      + `reused 1 MiB buffer and copied once more), without CRC or upload: ${per((r) => r.cpuSeconds)} CPU s/GiB (renderer ${per((r) => r.cpuByKind.renderer)}, `
      + `browser ${per((r) => r.cpuByKind.browser)}), ${median(readPasses.map((r) => size / r.seconds / 1e6)).toFixed(0)} MB/s.`);
  }
  for (const f of readPassFailures) notes.push(`read pass (diagnostic) failed once: ${f}`);
  for (const p of cfg.diagnostics) notes.push(`${p.name} (diagnostic, not a target): ${p.about}.`);
  for (const n of names) for (const f of failures(n)) notes.push(`${n} failed a round: ${f}`);
  return { title: `1–2. Throughput and browser CPU, ${size / MiB} MiB on loopback`, columns: ['', ...names], rows, notes, runs };
}
