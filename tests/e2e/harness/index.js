// Test harness page: exposes window.runUpload(opts) for the end-to-end tests.
import { Uploader } from 'resumable-s3';

/**
 * Uploads the file selected in #file.
 * opts: { endpoint, region, bucket, key, partSize?, concurrency?, contentType?,
 *         credentials?: { accessKeyId, secretAccessKey, sessionToken, expiration } — else fetched from /credentials }
 * Resolves to { result, progress, ms } or { error: { code, message }, progress, ms }; never rejects.
 */
window.runUpload = async ({ credentials, key, contentType, ...options }) => {
  const file = document.getElementById('file').files[0];
  const progress = [];
  const started = performance.now();
  try {
    const uploader = new Uploader({
      ...options,
      forcePathStyle: true,
      credentials: async () => credentials ?? (await fetch('/credentials')).json(),
    });
    const result = await uploader.upload(file, {
      key,
      contentType,
      onProgress: ({ bytesSent, totalBytes }) => progress.push({ bytesSent, totalBytes }),
    });
    // Copy the fields: the result may be a wasm-bindgen object that does not serialize.
    const { bucket, key: resultKey, etag, size, location } = result;
    return { result: { bucket, key: resultKey, etag, size, location }, progress, ms: performance.now() - started };
  } catch (err) {
    return { error: { code: err?.code, message: err?.message ?? String(err) }, progress, ms: performance.now() - started };
  }
};
window.harnessReady = true;
