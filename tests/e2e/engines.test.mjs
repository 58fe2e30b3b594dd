// What differs between browser engines, tested in each engine (E2E_BROWSER) against the real Garage through the
// fault proxy:
// - how the library reads a part for its CRC-64/NVME: Blob byte streams with a buffer of its own (BYOB) where they
//   exist (Chromium, Firefox), one arrayBuffer() per MiB where they do not (WebKit); either way Garage checks every
//   part's checksum (a part corrupted on the way is refused) and the whole object's at Complete;
// - how often the app hears of upload progress: browsers report it as often as they like (WebKit about every 8 KiB:
//   thousands of events a part), the library passes on about ten a second, the last always, never moving backwards,
//   in the page and from a worker (where each event is a postMessage).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { readFileSync } from 'node:fs';
import { crc64nvme } from '../support/crc64nvme.mjs';
import { BROWSER } from '../support/browsers/index.mjs';
import { MiB, objectDigest, startHarness } from '../support/e2e.mjs';
import { logText } from '../support/faults.mjs';

const KiB = 1024;
const PART = 5 * MiB;
// Whether Blob.stream() is a byte stream (getReader({ mode: 'byob' }) works), per engine, as measured here.
const BYTE_STREAMS = { chromium: true, firefox: true, webkit: false };

let h;
before(async () => { h = await startHarness({ proxy: true }); });
after(() => h?.stop());

async function assertStored(key, file) {
  const stored = await objectDigest(h.garage, key);
  assert.equal(stored.contentLength, file.size, 'stored size');
  assert.equal(stored.sha256, file.sha256, 'stored object differs from the file');
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** bytesSent steps between progress events, after checking that progress never moved back and reached the end. */
function progressSteps(progress, size) {
  const steps = [];
  let sent = 0;
  for (const p of progress) {
    assert.ok(p.bytesSent >= sent, `bytesSent went backwards: ${sent} -> ${p.bytesSent}`);
    assert.ok(p.bytesConfirmed <= p.bytesSent, `confirmed ${p.bytesConfirmed} > sent ${p.bytesSent}`);
    if (p.bytesSent > sent) steps.push(p.bytesSent - sent);
    sent = p.bytesSent;
  }
  assert.equal(sent, size, 'bytesSent reached the size');
  assert.equal(progress.at(-1).bytesConfirmed, size, 'bytesConfirmed reached the size');
  return steps;
}

test(`checksum reads in ${BROWSER}: ${BYTE_STREAMS[BROWSER] ? 'byte streams' : 'arrayBuffer() fallback'}, and Garage verifies every part's CRC`,
  { timeout: 120_000 }, async (t) => {
    const byteStreams = await h.page.evaluate(() => {
      try {
        new Blob([new Uint8Array(8)]).stream().getReader({ mode: 'byob' }).releaseLock();
        return true;
      } catch {
        return false;
      }
    });
    assert.equal(byteStreams, BYTE_STREAMS[BROWSER], `${BROWSER}: Blob.stream() is ${byteStreams ? '' : 'not '}a byte stream`);
    // Counts, in the page, what the library calls: Blob.arrayBuffer() (with the size read) and stream readers by mode.
    await h.page.evaluate(() => {
      const reads = (window.blobReads = { arrayBufferBytes: 0, arrayBufferCalls: 0, readers: {} });
      const { arrayBuffer } = Blob.prototype;
      Blob.prototype.arrayBuffer = function counted() {
        reads.arrayBufferCalls += 1;
        reads.arrayBufferBytes += this.size;
        return arrayBuffer.call(this);
      };
      const { getReader } = ReadableStream.prototype;
      ReadableStream.prototype.getReader = function counted(options) {
        const name = `${options?.mode ?? 'default'}`;
        try {
          const reader = getReader.call(this, options);
          reads.readers[`${name} ok`] = (reads.readers[`${name} ok`] ?? 0) + 1;
          return reader;
        } catch (err) {
          reads.readers[`${name} threw`] = (reads.readers[`${name} threw`] ?? 0) + 1;
          throw err;
        }
      };
    });

    const file = h.randomFile(`checksums-${BROWSER}.bin`, 2 * PART + 12_345);
    const key = `engines/${BROWSER}/checksums.bin`;
    // Part 2 arrives with one byte flipped: only a server that checks the part's CRC against its body can refuse it.
    h.proxy.rules([{ match: { action: 'UploadPart', partNumber: 2, nth: 1 }, fault: { flipByteAt: 777_777 } }]);
    h.proxy.resetStats();
    let run;
    try {
      run = await h.upload(file.path, { key, partSize: PART, concurrency: 2 });
    } finally {
      h.proxy.clearRules();
    }
    const reads = await h.page.evaluate(() => window.blobReads);
    assert.equal(run.error, undefined, `upload failed: ${JSON.stringify(run.error)}`);
    await assertStored(key, file);

    const { log } = h.proxy.stats();
    const flipped = log.find((e) => e.fault?.startsWith('flipByteAt'));
    assert.equal(flipped?.status, 400, `Garage refused the corrupted part:\n${logText(log)}`);
    assert.equal(flipped.errorCode, 'InvalidDigest', logText(log));
    const bytes = readFileSync(file.path);
    for (const p of run.parts) {
      const start = (p.partNumber - 1) * PART;
      assert.equal(p.checksum, crc64nvme().update(bytes.subarray(start, start + p.size)).base64(), `part ${p.partNumber} CRC`);
    }
    assert.equal(run.result.checksumAlgorithm, 'CRC64NVME');
    assert.equal(run.result.checksum, crc64nvme().update(bytes).base64(), 'whole-object CRC, checked by Garage at Complete');

    if (byteStreams) {
      assert.ok(reads.readers['byob ok'] >= 3, `a byte-stream reader per part: ${JSON.stringify(reads)}`);
      assert.ok(reads.arrayBufferBytes < file.size / 2, `the parts were not read with arrayBuffer(): ${JSON.stringify(reads)}`);
    } else {
      assert.ok(reads.readers['byob threw'] >= 3, `the library tried a byte stream for each part: ${JSON.stringify(reads)}`);
      assert.ok(!reads.readers['byob ok'], JSON.stringify(reads));
      // Every part read in full with arrayBuffer(), at most 1 MiB at a time (a part never sits in memory whole).
      assert.ok(reads.arrayBufferBytes >= file.size, `arrayBuffer() read ${reads.arrayBufferBytes} B of ${file.size}`);
      assert.ok(reads.arrayBufferCalls >= 3 * Math.ceil(PART / MiB) - 2, JSON.stringify(reads));
      assert.ok(reads.arrayBufferBytes / reads.arrayBufferCalls <= MiB, JSON.stringify(reads));
    }
    t.diagnostic(`${BROWSER}: byte streams ${byteStreams}; stream readers ${JSON.stringify(reads.readers)}; arrayBuffer() `
      + `${reads.arrayBufferCalls} calls, ${reads.arrayBufferBytes} B for a ${file.size} B file; corrupted part 2: `
      + `${flipped.status} ${flipped.errorCode}, retried; ${run.parts.length} part CRCs match`);
  });

for (const worker of [false, true]) {
  test(`progress events in ${BROWSER} (${worker ? 'worker' : 'page'} mode): about ten a second, the last always, never backwards`,
    { timeout: 120_000 }, async (t) => {
      const size = 16 * MiB;
      const file = h.randomFile(`progress-${worker}.bin`, size);
      const key = `engines/${BROWSER}/progress-${worker ? 'worker' : 'page'}.bin`;
      // Parts at 4 MiB/s at the proxy: seconds of browser progress reports (WebKit: ~2,000; Chromium: ~40 a part), and
      // eight parts: eight checksum reads and eight confirmations, which must not add events beyond ten a second.
      h.proxy.rules([{ match: { action: 'UploadPart' }, fault: { bandwidth: 4 * MiB } }]);
      let run;
      try {
        run = await h.upload(file.path, { key, partSize: 2 * MiB, minPartSize: 2 * MiB, concurrency: 2, worker });
      } finally {
        h.proxy.clearRules();
      }
      assert.equal(run.error, undefined, `upload failed: ${JSON.stringify(run.error)}`);
      await assertStored(key, file);
      const steps = progressSteps(run.progress, size);
      const events = run.progress;
      // Gaps while the browser is still handing bytes to the socket. After its last byte it has nothing to report
      // while the proxy drains the kernel's socket buffers (a few MiB on loopback, ~1 s at 4 MiB/s).
      const sending = events.slice(0, events.findIndex((e) => e.bytesSent === size) + 1);
      let maxGap = 0;
      for (let i = 1; i < sending.length; i++) maxGap = Math.max(maxGap, sending[i].t - sending[i - 1].t);
      t.diagnostic(`${BROWSER} ${worker ? 'worker' : 'page'}: ${events.length} progress events for ${size / MiB} MiB `
        + `(median step ${Math.round(median(steps) / KiB)} KiB, largest gap while sending ${Math.round(maxGap)} ms) in ${Math.round(run.ms)} ms`);
      // One event per 100 ms at most, milestones (a checksum read, a part confirmed) included; the held value is sent
      // early once, before the state changes (done), so that the app sees the last bytes before it sees done.
      const times = events.map((e) => e.t);
      const mostInOneSecond = Math.max(...times.map((t) => times.filter((u) => u >= t && u < t + 1000).length));
      assert.ok(mostInOneSecond <= 11, `${mostInOneSecond} progress events within one second (${events.length} in ${Math.round(run.ms)} ms)`);
      assert.ok(events.length >= 5, `only ${events.length} events in ${Math.round(run.ms)} ms`);
      assert.ok(maxGap <= 600, `a gap of ${Math.round(maxGap)} ms between progress events while sending`);
    });
}
