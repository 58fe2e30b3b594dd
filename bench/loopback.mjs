#!/usr/bin/env node
// Loopback upload throughput: resumable-s3 in headless Chromium vs raw curl of the same parts (the physical limit),
// both against a real local Garage. See bench/README.md.
//
//   node bench/loopback.mjs [--size-mib 512] [--rounds 3] [--part-mib 8] [--concurrency 4]
//
// Needs what the end-to-end tests need: scripts/setup.sh (Garage, Chromium), then scripts/build.sh && npx webpack
// (the harness page in tests/e2e/harness/dist/, which exposes window.runUpload).
import { execFile, execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, cpSync, existsSync, fsyncSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { chromium } from 'playwright-core';
import { startDevServer } from '../tests/support/dev-server.mjs';
import { startGarage } from '../tests/support/garage.mjs';

const MiB = 1024 * 1024;
const HARNESS_DIST = fileURLToPath(new URL('../tests/e2e/harness/dist/', import.meta.url));
// As in tests/support/e2e.mjs (playwright-core adds --headless itself).
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];
const run = promisify(execFile);

const { values: opts } = parseArgs({
  options: {
    'size-mib': { type: 'string', default: '512' },
    rounds: { type: 'string', default: '3' },
    'part-mib': { type: 'string', default: '8' },
    concurrency: { type: 'string', default: '4' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (opts.help) {
  console.log('node bench/loopback.mjs [--size-mib 512] [--rounds 3] [--part-mib 8] [--concurrency 4]');
  process.exit(0);
}
const positive = (name) => {
  const n = Number(opts[name]);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got ${opts[name]}`);
  return n;
};
const SIZE = positive('size-mib') * MiB;
const ROUNDS = positive('rounds');
const PART_SIZE = positive('part-mib') * MiB;
const CONCURRENCY = positive('concurrency');
if (PART_SIZE < 5 * MiB) throw new Error('--part-mib below 5 would be raised by the library (S3 minimum): use 5 or more');
const PARTS = Math.ceil(SIZE / PART_SIZE);
const partLength = (i) => Math.min(PART_SIZE, SIZE - i * PART_SIZE); // i from 0

if (!existsSync(path.join(HARNESS_DIST, 'index.html'))) {
  console.error(`${HARNESS_DIST} is not built: run scripts/build.sh && npx webpack`);
  process.exit(1);
}

// ---------- cleanup, whatever happens ----------
const tmp = mkdtempSync(path.join(os.tmpdir(), 'resumable-s3-bench-'));
const cleanups = [];
let cleaning;
const cleanup = () => (cleaning ??= (async () => {
  for (const fn of cleanups.reverse()) await fn().catch((err) => console.error('cleanup:', err.message));
  rmSync(tmp, { recursive: true, force: true });
})());
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));
// garage.mjs stops Garage and exits on these signals; close the browser and remove the files alongside.
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.once(signal, () => { interrupted = true; cleanup(); });

// ---------- test data: fresh random bytes every upload (Garage deduplicates identical blocks) ----------
function writeRandom(file, size) {
  const fd = openSync(file, 'w');
  try {
    for (let left = size; left > 0; left -= MiB * 8) writeSync(fd, randomBytes(Math.min(left, MiB * 8)));
    fsyncSync(fd); // no writeback of our own data competing with the upload being timed
  } finally {
    closeSync(fd);
  }
}
const settle = () => execFileSync('sync'); // Garage's writes from the previous upload go to disk before the next starts

// ---------- resumable-s3 in Chromium ----------
async function uploadChromium(ctx, round) {
  const file = path.join(tmp, `chromium-${round}.bin`);
  writeRandom(file, SIZE);
  const key = `bench/chromium-${round}-${Date.now()}.bin`;
  // A fresh context and page per upload (outside the timing): no connections or preflights kept from the last round.
  const context = await ctx.browser.newContext();
  try {
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (err) => errors.push(String(err)));
    page.on('console', (msg) => msg.type() === 'error' && errors.push(msg.text()));
    await page.goto(`${ctx.server.url}/`);
    await page.waitForFunction(() => window.harnessReady === true, null, { timeout: 15_000 });
    await page.setInputFiles('#file', file);
    settle();
    // window.runUpload times itself with performance.now(): from just before `new Uploader` + `upload()` to upload()'s resolve.
    const out = await page.evaluate((o) => window.runUpload(o), {
      endpoint: ctx.garage.endpoint, region: ctx.garage.region, bucket: ctx.garage.bucket, key,
      partSize: PART_SIZE, concurrency: CONCURRENCY,
      credentials: { accessKeyId: ctx.garage.accessKeyId, secretAccessKey: ctx.garage.secretAccessKey, sessionToken: null },
    });
    if (out.error) throw new Error(`resumable-s3 upload failed: ${out.error.code}: ${out.error.message}\n${errors.join('\n')}`);
    if (out.result.size !== SIZE) throw new Error(`resumable-s3 reported size ${out.result.size}, expected ${SIZE}`);
    await verifyObject(ctx.garage, key, 'resumable-s3');
    return { seconds: out.ms / 1000, etag: out.result.etag };
  } finally {
    await context.close();
    rmSync(file, { force: true });
  }
}

// ---------- raw curl of the same parts ----------
const sha256 = (data) => createHash('sha256').update(data).digest('hex');
// curl 7.88's --aws-sigv4 sends no x-amz-content-sha256 of its own (Garage requires one); it signs the value given here.
const payloadHash = (data) => ['-H', `x-amz-content-sha256: ${sha256(data)}`];

async function curl(ctx, args) {
  try {
    const { stdout } = await run('curl', ['-sS', '--aws-sigv4', 'aws:amz:us-east-1:s3',
      '--user', `${ctx.garage.accessKeyId}:${ctx.garage.secretAccessKey}`, ...args], { maxBuffer: 16 * MiB });
    return stdout;
  } catch (err) {
    throw new Error(`curl exited with ${err.code}: ${err.stderr?.trim()}\n${err.stdout ?? ''}`.trim());
  }
}

async function uploadCurl(ctx, round) {
  const partFiles = [];
  for (let i = 0; i < PARTS; i++) {
    partFiles.push(path.join(tmp, `curl-${round}-part${i + 1}.bin`));
    writeRandom(partFiles[i], partLength(i));
  }
  const key = `bench/curl-${round}-${Date.now()}.bin`;
  const url = `${ctx.garage.endpoint}/${ctx.garage.bucket}/${key}`;
  try {
    settle();
    const started = performance.now();
    // CreateMultipartUpload (`?uploads=`, not `?uploads`: see SERVERS.md).
    const created = await curl(ctx, ['-X', 'POST', ...payloadHash(''), '-w', '\n%{http_code}', `${url}?uploads=`]);
    const uploadId = created.match(/<UploadId>([^<]+)<\/UploadId>/)?.[1];
    if (!uploadId) throw new Error(`CreateMultipartUpload failed: ${created}`);
    // UploadPart × PARTS, CONCURRENCY at a time, from one curl process (a transfer pool with keep-alive connections,
    // like the browser's). The body is not hashed: x-amz-content-sha256: UNSIGNED-PAYLOAD, as resumable-s3 sends.
    const partArgs = ['--parallel', '--parallel-immediate', '--parallel-max', String(CONCURRENCY),
      '-H', 'x-amz-content-sha256: UNSIGNED-PAYLOAD', '-w', '%{http_code} %{url} %header{etag}\n'];
    partFiles.forEach((f, i) => partArgs.push('-T', f, '-o', '/dev/null',
      `${url}?partNumber=${i + 1}&uploadId=${encodeURIComponent(uploadId)}`));
    const partsOut = await curl(ctx, partArgs);
    const etags = new Map();
    for (const line of partsOut.trim().split('\n')) {
      const [status, partUrl, etag] = line.split(' ');
      const n = Number(new URL(partUrl).searchParams.get('partNumber'));
      if (status !== '200' || !etag) throw new Error(`UploadPart ${n} failed: ${line}`);
      etags.set(n, etag);
    }
    if (etags.size !== PARTS) throw new Error(`only ${etags.size} of ${PARTS} parts answered:\n${partsOut}`);
    // CompleteMultipartUpload.
    const xml = `<CompleteMultipartUpload>${[...etags.keys()].sort((a, b) => a - b)
      .map((n) => `<Part><PartNumber>${n}</PartNumber><ETag>${etags.get(n)}</ETag></Part>`).join('')}</CompleteMultipartUpload>`;
    const xmlFile = path.join(tmp, `complete-${round}.xml`);
    writeFileSync(xmlFile, xml);
    const completed = await curl(ctx, ['-X', 'POST', ...payloadHash(xml), '-H', 'content-type: application/xml', '--data-binary', `@${xmlFile}`,
      '-w', '\n%{http_code}', `${url}?uploadId=${encodeURIComponent(uploadId)}`]);
    const seconds = (performance.now() - started) / 1000;
    if (!/<CompleteMultipartUploadResult/.test(completed) || !completed.endsWith('\n200')) {
      throw new Error(`CompleteMultipartUpload failed: ${completed}`);
    }
    await verifyObject(ctx.garage, key, 'curl');
    return { seconds, etag: completed.match(/<ETag>([^<]+)<\/ETag>/)?.[1].replaceAll('&quot;', '"') };
  } finally {
    for (const f of partFiles) rmSync(f, { force: true });
  }
}

// HeadObject through the Node SDK (not the code under test): a failed or short upload never counts as fast.
async function verifyObject(garage, key, who) {
  const head = await garage.s3.send(new HeadObjectCommand({ Bucket: garage.bucket, Key: key }));
  if (head.ContentLength !== SIZE) throw new Error(`${who}: object ${key} is ${head.ContentLength} bytes, expected ${SIZE}`);
  if (!head.ETag?.endsWith(`-${PARTS}"`)) throw new Error(`${who}: object ${key} has ETag ${head.ETag}, expected a ${PARTS}-part multipart ETag`);
}

// ---------- report ----------
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const f1 = (x) => x.toFixed(1);
const pad = (s, n) => String(s).padEnd(n);
const padl = (s, n) => String(s).padStart(n);

function report(results, info) {
  const rows = [['', 'median MB/s', 'range MB/s', 'median MiB/s', 'range MiB/s', 'median s']];
  for (const [name, runs] of Object.entries(results)) {
    const mbs = runs.map((r) => SIZE / r.seconds / 1e6);
    const mibs = runs.map((r) => SIZE / r.seconds / MiB);
    rows.push([name, f1(median(mbs)), `${f1(Math.min(...mbs))}–${f1(Math.max(...mbs))}`,
      f1(median(mibs)), `${f1(Math.min(...mibs))}–${f1(Math.max(...mibs))}`, median(runs.map((r) => r.seconds)).toFixed(2)]);
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => String(r[c]).length)));
  console.log();
  for (const r of rows) console.log(r.map((cell, c) => (c === 0 ? pad(cell, widths[c]) : padl(cell, widths[c]))).join('  '));
  const a = results['resumable-s3'];
  const b = results.curl;
  const perRound = a.map((r, i) => b[i].seconds / r.seconds); // throughput ratio = inverse time ratio
  const ratio = (SIZE / median(a.map((r) => r.seconds))) / (SIZE / median(b.map((r) => r.seconds)));
  console.log(`\nratio resumable-s3 / curl: ${ratio.toFixed(2)} (of the medians); per round ${perRound.map((x) => x.toFixed(2)).join(', ')}`);
  console.log(`\n${info}`);
}

// The browser process playwright-core started: our child whose executable is Chromium's.
function chromiumCommandLine() {
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== process.pid) continue;
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
      if (/chrom/.test(argv[0] ?? '')) return argv.join(' ');
    } catch { /* the process went away */ }
  }
  return '(not found)';
}

// ---------- main ----------
const ctx = {};
const startedAt = Date.now();
try {
  const load0 = os.loadavg();
  ctx.garage = await startGarage();
  cleanups.push(ctx.garage.stop);
  // A snapshot of the built page: a rebuild during the run (others work in this tree) must not change what is measured.
  const harness = path.join(tmp, 'harness');
  cpSync(HARNESS_DIST, harness, { recursive: true });
  const wasm = readdirSync(harness).find((f) => f.endsWith('.wasm'));
  const build = `${wasm} (${statSync(path.join(harness, wasm)).size} bytes, built ${statSync(path.join(HARNESS_DIST, wasm)).mtime.toISOString()}); `
    + `tree at ${execFileSync('git', ['describe', '--always', '--dirty'], { encoding: 'utf8', cwd: fileURLToPath(new URL('..', import.meta.url)) }).trim()}`;
  ctx.server = await startDevServer({ root: harness, garage: ctx.garage });
  cleanups.push(ctx.server.stop);
  ctx.browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  cleanups.push(() => ctx.browser.close());
  const chromiumCmd = chromiumCommandLine();
  const curlVersion = execFileSync('curl', ['--version'], { encoding: 'utf8' }).split('\n')[0];
  const garageVersion = (await run(path.join(os.homedir(), '.cache/resumable-s3/bin/garage'), ['--version'])
    .catch(() => ({ stdout: '?' }))).stdout.trim();
  const cpus = os.cpus();

  console.log(`upload of ${SIZE / MiB} MiB (${SIZE} bytes) as ${PARTS} parts of ${PART_SIZE / MiB} MiB, ${CONCURRENCY} in flight, `
    + `${ROUNDS} round(s), Garage at ${ctx.garage.endpoint}`);
  const results = { 'resumable-s3': [], curl: [] };
  for (let round = 1; round <= ROUNDS; round++) {
    // Alternate which goes first, so neither always gets the quieter (or warmer) slot.
    const order = round % 2 ? ['resumable-s3', 'curl'] : ['curl', 'resumable-s3'];
    for (const name of order) {
      const r = name === 'curl' ? await uploadCurl(ctx, round) : await uploadChromium(ctx, round);
      results[name].push(r);
      console.log(`round ${round}  ${pad(name, 12)}  ${r.seconds.toFixed(2)} s  ${padl(f1(SIZE / r.seconds / 1e6), 6)} MB/s  `
        + `${padl(f1(SIZE / r.seconds / MiB), 6)} MiB/s  (HeadObject ${SIZE} bytes ok, ETag ${r.etag})`);
    }
  }
  const load1 = os.loadavg();
  report(results, [
    `harness build measured: ${build}`,
    `Chromium: ${ctx.browser.version()} (/usr/bin/chromium via playwright-core, headless)`,
    `Chromium command line: ${chromiumCmd}`,
    `curl: ${curlVersion}`,
    `Garage: ${garageVersion}`,
    `command: node ${path.relative(process.cwd(), fileURLToPath(import.meta.url))} ${process.argv.slice(2).join(' ')}`.trimEnd(),
    `machine: ${cpus.length} cores (${cpus[0]?.model ?? '?'}), ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM, ${os.type()} ${os.release()}; `
      + `load average ${load0[0].toFixed(2)} before, ${load1[0].toFixed(2)} after (shared machine: other jobs may be running)`,
    `total bench time: ${((Date.now() - startedAt) / 1000).toFixed(0)} s`,
  ].join('\n'));
} catch (err) {
  if (!interrupted) console.error(err);
  process.exitCode = 1;
} finally {
  await cleanup();
}
