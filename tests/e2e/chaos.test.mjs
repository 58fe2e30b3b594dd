// Seeded chaos: random fault schedules (resets, stalls, buffered bodies delivered late, lost replies, 503 SlowDown, 500 InternalError,
// RequestTimeout, latency, an offline window, and AWS's own: slow Completes with whitespace and errors or nothing
// readable inside their 200, 409 OperationAborted, a bare 400 to HeadObject, a signing region S3 corrects) against
// one upload each, end to end through the fault proxy with the "aws" profile (../support/aws-profile.mjs).
// Each schedule must end with the object byte-identical and no part S3 had confirmed sent again.
//
//   node --test tests/e2e/chaos.test.mjs                         3 schedules, random seed (printed)
//   CHAOS_RUNS=50 node --test tests/e2e/chaos.test.mjs           the long run (≈ 10 s a schedule)
//   CHAOS_SEED=123456 CHAOS_RUNS=1 node --test tests/e2e/chaos.test.mjs   replays the schedule of seed 123456
// Schedule i of a run uses seed CHAOS_SEED + i: the test name shows it. The seed fixes the schedule (faults,
// file size, concurrency), not the exact interleaving of the browser's requests.
import { test } from 'node:test';
import { awsProfile } from '../support/aws-profile.mjs';
import { MiB } from '../support/e2e.mjs';
import { errors } from '../support/fault-proxy.mjs';
import { assertSurvived, firstPartBytesAfter, logText, ms, sleep, stateNames, useFaultHarness } from '../support/faults.mjs';

const RUNS = Number(process.env.CHAOS_RUNS ?? 3);
const SEED = process.env.CHAOS_SEED !== undefined ? Number(process.env.CHAOS_SEED) : Math.floor(Math.random() * 1e6);
const PART = 5 * MiB;
const STALL_TIMEOUT_MS = 3000;

// mulberry32: small, seedable, good enough for schedules.
function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)), pick: (list) => list[Math.floor(next() * list.length)] };
}

/** The schedule of one seed: { size, concurrency, rules, offline?: { atFraction, forMs }, text }. */
export function schedule(seed) {
  const r = rng(seed);
  const size = r.int(4 * MiB, 24 * MiB);
  const parts = Math.ceil(size / PART);
  const partLen = (n) => Math.min(PART, size - (n - 1) * PART);
  const concurrency = r.int(2, 4);
  const rules = [];
  const kinds = {
    reset: () => {
      const partNumber = r.int(1, parts);
      return { match: { action: 'UploadPart', partNumber, nth: r.int(1, 2) }, fault: { resetAfterBytes: r.int(0, partLen(partNumber) - 1) } };
    },
    stall: () => {
      const partNumber = r.int(1, parts);
      // Shorter than the watchdog (the part just waits); past it, ending while the upload goes on (the proxy then
      // delivers the attempt given up on after its retry succeeded, as buffering proxies do: Complete may find the
      // part replaced, InvalidPart, and the parts are listed again); or after the upload is complete.
      const stallMs = r.pick([r.int(500, STALL_TIMEOUT_MS - 1000), r.int(STALL_TIMEOUT_MS + 500, 4 * STALL_TIMEOUT_MS), 120_000]);
      return { match: { action: 'UploadPart', partNumber, nth: 1 }, fault: { stallMs, afterBytes: r.int(0, partLen(partNumber) - 1) } };
    },
    // A buffering proxy: the whole body taken, nothing answered, delivered to the server after the page gave it up.
    buffered: () => ({
      match: { action: 'UploadPart', partNumber: r.int(1, parts), nth: 1 }, fault: { holdMs: r.int(STALL_TIMEOUT_MS + 500, 4 * STALL_TIMEOUT_MS) },
    }),
    lostReply: () => ({ match: { action: 'UploadPart', partNumber: r.int(1, parts), nth: 1 }, fault: { resetResponse: true } }),
    slowDown: () => ({ match: { action: 'UploadPart', nth: r.int(1, parts + 2), times: r.int(1, 4) }, fault: { respond: errors.slowDown() } }),
    internalError: () => ({
      match: { action: r.pick(['UploadPart', 'UploadPart', 'CreateMultipartUpload', 'CompleteMultipartUpload']), nth: r.int(1, 2), times: r.int(1, 2) },
      fault: { respond: errors.internalError() },
    }),
    requestTimeout: () => ({ match: { action: 'UploadPart', partNumber: r.int(1, parts), nth: 1 }, fault: { respond: errors.requestTimeout() } }),
    // AWS's own (the profile makes every Complete answer 200 at once, then whitespace, then the result).
    slowComplete: () => ({ match: { action: 'CompleteMultipartUpload', nth: 1 }, fault: { completeMs: r.int(1000, 5 * STALL_TIMEOUT_MS) } }),
    errorInsideComplete: () => ({
      match: { action: 'CompleteMultipartUpload', nth: 1 }, fault: { completeMs: r.int(200, 3000), inside: r.pick(['InternalError', 'garbled']) },
    }),
    operationAborted: () => ({
      match: { action: r.pick(['CreateMultipartUpload', 'CompleteMultipartUpload']), nth: 1, times: r.int(1, 2) }, fault: { respond: errors.operationAborted() },
    }),
    headBare400: () => ({ match: { action: 'HeadObject', nth: 1 }, fault: { respond: errors.expiredToken() } }),
    latency: () => ({
      match: { action: r.pick(['UploadPart', 'CreateMultipartUpload', 'CompleteMultipartUpload', 'ListMultipartUploads']), nth: r.int(1, 3), times: r.int(1, 3) },
      fault: { latencyMs: r.int(200, 2000) },
    }),
  };
  const names = Object.keys(kinds);
  // Two bare 400s to HEAD in a row cannot be told from a real Bad Request: at most one per schedule.
  const once = new Set(['headBare400']);
  const count = r.int(3, 6);
  for (let i = 0; i < count; i++) {
    const name = r.pick(names);
    if (once.has(name) && rules.some((rule) => rule.kind === name)) continue;
    rules.push({ ...kinds[name](), kind: name });
  }
  // The first rule that fires decides a request's fault: faults of one part first, then the ones of any request,
  // latency last (else a broad rule would take every request and the others would never fire).
  const rank = (rule) => (rule.fault.latencyMs ? 2 : rule.match.partNumber ? 0 : 1);
  rules.sort((a, b) => rank(a) - rank(b));
  // Last, so it applies to every part request no other rule faults: a few seconds of upload, for the offline
  // window to land in.
  rules.push({ match: { action: 'UploadPart' }, fault: { bandwidth: r.int(2, 8) * MiB } });
  const offline = r.next() < 0.5 ? { atFraction: 0.1 + 0.6 * r.next(), forMs: r.int(1000, 5000) } : undefined;
  // Signed for another region than the bucket's: S3 names the right one.
  const region = r.next() < 0.25 ? 'eu-west-1' : undefined;
  const text = `size ${size} B, ${parts} parts, concurrency ${concurrency}; `
    + rules.map((rule) => `${rule.match.action}${rule.match.partNumber ? `#${rule.match.partNumber}` : ''}`
      + `${rule.match.nth ? ` nth ${rule.match.nth}` : ''}${rule.match.times ? ` ×${rule.match.times}` : ''}: `
      + Object.entries(rule.fault).map(([k, v]) => (k === 'respond' ? `${v.status} ${v.code}` : `${k}=${v}`)).join(',')).join('; ')
    + (offline ? `; offline ${offline.forMs} ms at ${Math.round(offline.atFraction * 100)} % of the part bytes` : '')
    + (region ? `; signed for ${region}` : '');
  return { size, concurrency, rules, offline, region, text };
}

let h;
useFaultHarness((harness) => { h = harness; }, { profile: awsProfile() });

for (let i = 0; i < RUNS; i++) {
  const seed = SEED + i;
  test(`chaos schedule seed=${seed} (replay: CHAOS_SEED=${seed} CHAOS_RUNS=1)`, { timeout: 180_000 }, async (t) => {
    const plan = schedule(seed);
    t.diagnostic(`seed ${seed}: ${plan.text}`);
    const file = h.randomFile(`chaos-${seed}.bin`, plan.size);
    const key = `chaos/${seed}.bin`;
    h.proxy.rules(plan.rules);
    let finished = false;
    const regionOption = plan.region ? { region: plan.region } : {};
    const running = h.upload(file.path, { key, partSize: PART, concurrency: plan.concurrency, stallTimeoutMs: STALL_TIMEOUT_MS, ...regionOption })
      .finally(() => { finished = true; });
    let offlineAt, backAt;
    if (plan.offline) {
      const stats = () => h.proxy.stats().actions;
      while (!finished && (stats().UploadPart?.bytesIn ?? 0) < plan.offline.atFraction * plan.size) await sleep(20);
      // Not once Complete has gone out: a lost reply to Complete is not what this schedule is about.
      if (!finished && !stats().CompleteMultipartUpload) {
        await h.context.setOffline(true);
        h.proxy.cutAll();
        offlineAt = h.proxy.now();
        await sleep(plan.offline.forMs);
        backAt = h.proxy.now();
        await h.context.setOffline(false);
      }
    }
    const run = await running;
    const log = h.proxy.stats().log;
    if (run.error) for (const line of `proxy log:\n${logText(log)}`.split('\n')) t.diagnostic(line);
    await assertSurvived(h, run, file, key);
    // Recovery after each fault that ended a request, and after the network's return.
    const ended = log.filter((e) => e.fault && !e.fault.startsWith('bandwidth') && !e.fault.startsWith('latency') && e.tEnd !== null);
    const recoveries = ended.map((e) => firstPartBytesAfter(log, e.tEnd)).filter((v) => v !== null);
    const back = backAt === undefined ? null : firstPartBytesAfter(log, backAt);
    if (back !== null && back >= 5000) throw new Error(`part bytes only ${ms(back)} after the network came back\n${logText(log)}`);
    t.diagnostic(`seed ${seed}: done in ${ms(run.ms)}; ${ended.length} requests ended by a fault, first new part bytes after each: `
      + `${recoveries.map((v) => Math.round(v)).join(', ') || 'none'} ms`
      + `${plan.offline ? (offlineAt === undefined ? '; offline window missed (upload done first)' : `; back online → part bytes ${ms(back)}`) : ''}`
      + `; parts listed again after Complete ${log.filter((e) => e.action === 'ListParts').length} times`
      + `; states ${stateNames(run.states).join(' → ')}`);
  });
}
