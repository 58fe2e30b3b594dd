// A peer on its own bench page (bench/pages/<name>.js, the window.benchStart contract of bench/pages/common.js).
export const benchPagePeer = (name) => ({
  name,
  path: `/${name}/`,
  options: ({ endpoint, region, bucket, key, partSize, concurrency, credentials }) =>
    ({ endpoint, region, bucket, key, partSize, concurrency, credentials }),
  start: (o) => window.benchStart(o),
  outcome: () => window.bench.outcome,
  elapsed: () => performance.now() - window.bench.live.t0,
});
