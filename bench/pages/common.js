// Shared by the peer pages (bundled by bench/lib/site.mjs): the same contract for every library.
//   window.benchStart(opts) starts uploading the file selected in #file and returns at once;
//   window.bench = { live: { t0, progress: [{ t, bytes }] }, outcome: Promise<{ result?, error?, ms, progress }> }.
// opts: { endpoint, region, bucket, key, partSize, concurrency, credentials: { accessKeyId, secretAccessKey } }.
// `upload(file, opts, onProgress)` is the library's own code path, as an app would write it.
export function exposeBench(upload) {
  window.benchStart = (opts) => {
    const file = document.getElementById('file').files[0];
    const t0 = performance.now();
    const live = { t0, progress: [] };
    const onProgress = (bytes) => live.progress.push({ t: performance.now() - t0, bytes });
    const outcome = Promise.resolve()
      .then(() => upload(file, opts, onProgress))
      .then((result) => ({ result }), (err) => ({ error: { code: err?.name ?? 'Error', message: String(err?.message ?? err) } }))
      .then((out) => ({ ...out, ms: performance.now() - t0, progress: live.progress }));
    window.bench = { live, outcome };
    return true;
  };
  window.benchReady = true;
}
