// Test harness page: exposes window.runUpload(opts) and window.startUpload(opts) for the end-to-end tests.
import { Uploader, contentDisposition } from 'resumable-s3';

// Every field of an UploadResult (copied one by one: the result may be a wasm-bindgen object that does not serialize).
const RESULT_FIELDS = ['bucket', 'key', 'etag', 'size', 'location', 'uploadId', 'checksumAlgorithm', 'checksum',
  'resumedParts', 'alreadyUploaded', 'versionId', 'serverSideEncryption', 'checksumType'];

/**
 * Starts uploading the file selected in #file and returns at once; the upload is window.currentUpload:
 *   { handle (the library's UploadHandle: pause(), resume(), cancel()), outcome (a promise of what runUpload
 *     resolves to), live (window.harnessLive) }.
 * opts: { endpoint, region, bucket, key, contentType?, ...any other Uploader option (forcePathStyle, default true here; partSize, minPartSize,
 *         concurrency, stallTimeoutMs, serverRetries, checksums, resume, ifExists…), passed on as is,
 *         credentials?: { accessKeyId, secretAccessKey, sessionToken, expiration } — else fetched from
 *         credentialsUrl (default '/credentials') on every call of the library's credentials callback,
 *         signUrl?: backend-signed mode instead: the library's sign callback POSTs each request to this URL,
 *         uploadOptions?: more start() options (metadata, tagging, sseCustomerKey…),
 *         abortable?: pass start() an AbortController's signal, as window.currentUpload.controller }
 * The outcome is { result, progress, states, parts, errors, credentialCalls, signCalls, ms } or { error: { code, message }, … };
 * never rejects.
 *   result:   every UploadResult field (RESULT_FIELDS)
 *   progress: [{ t, bytesSent, bytesConfirmed, totalBytes, speed, etaSeconds }], t = performance.now() (ms)
 *   states:   [{ t, state, nextTryAt?, errorCode? }]
 *   parts:    [{ t, partNumber, size, checksum, resumed, partsDone, totalParts }]
 *   errors:   [{ t, code, message, retryable }]
 *   warnings: [{ t, code, message }]
 *   checksums: [{ t, status, algorithm, message }] (the library's `checksums` events)
 *   credentialCalls / signCalls: [t…] when the library asked for credentials / a signature
 * The same record, live while the upload runs, is window.harnessLive (t0: when the upload started).
 */
window.startUpload = ({ credentials, credentialsUrl = '/credentials', signUrl, key, contentType, uploadOptions, abortable, ...options }) => {
  const file = document.getElementById('file').files[0];
  const started = performance.now();
  const live = { t0: started, progress: [], states: [], parts: [], errors: [], warnings: [], checksums: [], credentialCalls: [], signCalls: [] };
  window.harnessLive = live;
  const done = (outcome) => ({ ...outcome, progress: live.progress, states: live.states, parts: live.parts, errors: live.errors, warnings: live.warnings, checksums: live.checksums,
    credentialCalls: live.credentialCalls, signCalls: live.signCalls, ms: performance.now() - started });
  let handle = null;
  let outcome;
  const controller = abortable ? new AbortController() : undefined;
  try {
    const fetchJson = async (url, init) => {
      const response = await fetch(url, { cache: 'no-store', ...init });
      if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
      return response.json();
    };
    const sign = async (request) => {
      live.signCalls.push(performance.now());
      return fetchJson(signUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request) });
    };
    const getCredentials = async () => {
      live.credentialCalls.push(performance.now());
      return credentials ?? fetchJson(credentialsUrl);
    };
    const uploader = new Uploader({ forcePathStyle: true, ...options, ...(signUrl ? { sign } : { credentials: getCredentials }) });
    handle = uploader.start(file, {
      key,
      contentType,
      ...uploadOptions,
      ...(controller ? { signal: controller.signal } : {}),
      onProgress: ({ bytesSent, bytesConfirmed, totalBytes, speed, etaSeconds }) =>
        live.progress.push({ t: performance.now(), bytesSent, bytesConfirmed, totalBytes, speed, etaSeconds }),
      onState: (state) => live.states.push({ t: performance.now(), ...state }),
      onPart: (part) => live.parts.push({ t: performance.now(), ...part }),
      onError: (error) => live.errors.push({ t: performance.now(), ...error }),
      onWarning: (warning) => live.warnings.push({ t: performance.now(), ...warning }),
      onChecksums: (event) => live.checksums.push({ t: performance.now(), ...event }),
    });
    outcome = handle.done.then((result) => {
      const copy = {};
      for (const field of RESULT_FIELDS) copy[field] = result?.[field];
      return done({ result: copy });
    });
  } catch (err) {
    outcome = Promise.reject(err);
  }
  outcome = outcome.catch((err) => done({ error: { code: err?.code, message: err?.message ?? String(err), status: err?.status, requestId: err?.requestId } }));
  window.currentUpload = { handle, outcome, live, controller };
  return true;
};

/** Uploads the file selected in #file (see startUpload) and resolves to its outcome. */
window.runUpload = (opts) => {
  window.startUpload(opts);
  return window.currentUpload.outcome;
};

/**
 * Every record of every object store of every IndexedDB database of this origin, plus localStorage and
 * sessionStorage: { databases: { [db]: { [store]: [records…] } }, localStorage: {…}, sessionStorage: {…} }.
 * Never creates a database that does not exist (that would leave the library's store uncreated).
 */
window.readStorage = async () => {
  const request = (r) => new Promise((resolve, reject) => { r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error); });
  const databases = {};
  for (const { name } of await indexedDB.databases()) {
    const open = indexedDB.open(name);
    open.onupgradeneeded = () => open.transaction.abort(); // vanished meanwhile: do not create it
    let db;
    try { db = await request(open); } catch { continue; }
    databases[name] = {};
    for (const store of db.objectStoreNames) {
      databases[name][store] = await request(db.transaction(store, 'readonly').objectStore(store).getAll());
    }
    db.close();
  }
  const dump = (storage) => Object.fromEntries(Object.keys(storage).map((k) => [k, storage.getItem(k)]));
  return { databases, localStorage: dump(localStorage), sessionStorage: dump(sessionStorage) };
};

/** The library's upload records (database 'resumable-s3', store 'uploads'); [] when there are none. */
window.uploadRecords = async () => (await window.readStorage()).databases['resumable-s3']?.uploads ?? [];

/** Deletes the library's IndexedDB database (cleared site data). */
window.clearUploadRecords = () => new Promise((resolve, reject) => {
  const r = indexedDB.deleteDatabase('resumable-s3');
  r.onsuccess = () => resolve(true);
  r.onerror = () => reject(r.error);
  r.onblocked = () => reject(new Error('deleteDatabase blocked: a connection is still open'));
});
// The URL of every dedicated worker the page starts (the library's worker mode), as the page sees it: WebKit's driver
// has no worker events. The library looks `Worker` up when it starts one, so the subclass is what it gets.
window.harnessWorkers = [];
window.Worker = class extends window.Worker {
  constructor(url, options) {
    super(url, options);
    window.harnessWorkers.push(String(url));
  }
};
// For tests that drive the library directly (several files, one Uploader).
window.Uploader = Uploader;
window.contentDisposition = contentDisposition;
window.harnessReady = true;
