// Reading the fault proxy's log (tests/support/fault-proxy.mjs) for the recovery and resume scenarios.
import { ListPartsCommand } from '@aws-sdk/client-s3';
import { sleep, waitFor } from '../../tests/support/faults.mjs';

export { sleep, waitFor };
export const sum = (xs) => xs.reduce((a, b) => a + b, 0);

export const uploadParts = (log) => log.filter((e) => e.action === 'UploadPart');
/** Part bytes that reached the proxy so far. */
export const partBytes = (proxy) => proxy.stats().actions.UploadPart?.bytesIn ?? 0;
/** Part numbers answered 2xx (passed back to the browser in full). */
export const confirmedParts = (log) => new Set(uploadParts(log)
  .filter((e) => e.outcome === 'ok' && e.status >= 200 && e.status < 300).map((e) => e.partNumber));

/** The part numbers S3 holds for an upload (every ListParts page), as S3 says: what a resume may keep. */
export async function heldParts(garage, key, uploadId) {
  const held = new Set();
  let marker;
  for (;;) {
    const page = await garage.s3.send(new ListPartsCommand({ Bucket: garage.bucket, Key: key, UploadId: uploadId, PartNumberMarker: marker }));
    for (const p of page.Parts ?? []) held.add(p.PartNumber);
    if (!page.IsTruncated) return held;
    marker = page.NextPartNumberMarker;
  }
}

/** Waits for a page-side promise with a deadline: resolves to its value or { timedOut: true }. */
export const within = (promise, ms) => Promise.race([promise, sleep(ms).then(() => ({ timedOut: true }))]);
