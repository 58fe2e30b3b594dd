// resumable-s3 through the e2e harness page (tests/e2e/harness: window.startUpload, documented there), with its
// defaults: CRC-64/NVME per part on (`checksums: true`), resume on.
const resumableS3 = {
  name: 'resumable-s3',
  path: '/resumable-s3/',
  options: ({ endpoint, region, bucket, key, partSize, concurrency, credentials, minPartSize }) => ({
    endpoint, region, bucket, key, partSize, concurrency, checksums: true, resume: true,
    credentials: { ...credentials, sessionToken: null },
    ...(minPartSize ? { minPartSize } : {}),
  }),
  // In-page functions (serialized: no closures).
  start: (o) => window.startUpload(o),
  outcome: () => window.currentUpload.outcome.then((o) => ({
    result: o.result, error: o.error, ms: o.ms,
    progress: o.progress.map((p) => ({ t: p.t - window.currentUpload.live.t0, bytes: p.bytesSent })),
  })),
  elapsed: () => performance.now() - window.currentUpload.live.t0,
};

export default resumableS3;

/** The same with `checksums: false` (no CRC per part): not a peer, a diagnostic of what the checksums cost. */
export const resumableS3NoChecksums = {
  ...resumableS3,
  name: 'rs3-no-crc',
  diagnostic: true, // never the "best peer" of a target, even when named in --peers
  about: 'resumable-s3 with checksums: false, to show what the per-part CRC costs',
  options: (o) => ({ ...resumableS3.options(o), checksums: false }),
};
