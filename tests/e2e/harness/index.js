// Test harness page: exposes window.runUpload(opts) for the end-to-end tests.
import { Uploader } from 'resumable-s3';

/**
 * Uploads the file selected in #file.
 * opts: { endpoint, region, bucket, key, contentType?, ...any other Uploader option (partSize, concurrency,
 *         stallTimeoutMs, serverRetries…), passed on as is,
 *         credentials?: { accessKeyId, secretAccessKey, sessionToken, expiration } — else fetched from
 *         credentialsUrl (default '/credentials') on every call of the library's credentials callback }
 * Resolves to { result, progress, states, credentialCalls, ms } or { error: { code, message }, … }; never rejects.
 *   progress: [{ t, bytesSent, bytesConfirmed, totalBytes, speed, etaSeconds }], t = performance.now() (ms)
 *   states:   [{ t, state, nextTryAt?, errorCode? }]
 *   credentialCalls: [t…] when the library asked for credentials
 * The same record, live while the upload runs, is window.harnessLive (t0: when the upload started).
 */
window.runUpload = async ({ credentials, credentialsUrl = '/credentials', key, contentType, ...options }) => {
  const file = document.getElementById('file').files[0];
  const started = performance.now();
  const live = { t0: started, progress: [], states: [], credentialCalls: [] };
  window.harnessLive = live;
  const done = (outcome) => ({ ...outcome, progress: live.progress, states: live.states, credentialCalls: live.credentialCalls,
    ms: performance.now() - started });
  try {
    const uploader = new Uploader({
      ...options,
      forcePathStyle: true,
      credentials: async () => {
        live.credentialCalls.push(performance.now());
        if (credentials) return credentials;
        const response = await fetch(credentialsUrl, { cache: 'no-store' });
        if (!response.ok) throw new Error(`${credentialsUrl}: HTTP ${response.status}`);
        return response.json();
      },
    });
    const result = await uploader.upload(file, {
      key,
      contentType,
      onProgress: ({ bytesSent, bytesConfirmed, totalBytes, speed, etaSeconds }) =>
        live.progress.push({ t: performance.now(), bytesSent, bytesConfirmed, totalBytes, speed, etaSeconds }),
      onState: (state) => live.states.push({ t: performance.now(), ...state }),
    });
    // Copy the fields: the result may be a wasm-bindgen object that does not serialize.
    const { bucket, key: resultKey, etag, size, location, uploadId } = result;
    return done({ result: { bucket, key: resultKey, etag, size, location, uploadId } });
  } catch (err) {
    return done({ error: { code: err?.code, message: err?.message ?? String(err) } });
  }
};
window.harnessReady = true;
