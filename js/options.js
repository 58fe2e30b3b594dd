// The option names and the Uploader's own settings, checked synchronously: `new Uploader(badOptions)` throws at
// once and a typo in start() throws from start(), although the wasm loads only on first use. This file is the one
// home of these rules; the wasm reads values that passed here. The object options' values (metadata, tagging, acl,
// SSE, …) and the endpoint/bucket rules are the core's (src/core): they reject the upload's `done`, before any request.
import { uploadError } from './errors.js';

// What `new Uploader()` reads, besides the object options (each a default of the same option of start()).
const SETTINGS = ['endpoint', 'region', 'bucket', 'credentials', 'sign', 'forcePathStyle', 'partSize', 'minPartSize', 'concurrency',
  'stallTimeoutMs', 'serverRetries', 'checksums', 'checksumAlgorithm', 'resume', 'ifExists', 'callbackTimeoutMs', 'worker'];
// Read by the core for each object (src/web/read.rs RawObjectOptions; tests/option_names.rs keeps the lists equal).
export const OBJECT_OPTIONS = ['metadata', 'cacheControl', 'contentDisposition', 'contentEncoding', 'contentLanguage', 'expires', 'tagging',
  'acl', 'storageClass', 'serverSideEncryption', 'sseKmsKeyId', 'bucketKeyEnabled', 'sseCustomerKey', 'expectedBucketOwner', 'requestPayer',
  'headers'];
const START = ['key', 'contentType', 'signal', 'onProgress', 'onState', 'onPart', 'onError', 'onChecksums', 'onWarning'];

/** Browsers open 6 connections to one host over HTTP/1.1 (S3's protocol); parts beyond that wait in the browser,
 * signed, and one waiting long enough outlives its signature. Stores on HTTP/2 can use a few more. */
const MAX_CONCURRENCY = 16;

export const invalidOptions = (message) => uploadError({ name: 'UploadError', code: 'InvalidOptions', message });
const shown = (value) => (typeof value === 'string' ? `'${value}'` : typeof value === 'function' ? 'a function' : String(value));

/** A name nobody reads (a typo such as `concurency`) is an error, not silently ignored; undefined values are no option. */
function refuseUnknown(options, known, what) {
  for (const [name, value] of Object.entries(options)) {
    if (value !== undefined && !known.includes(name)) throw invalidOptions(`${what}: unknown option '${name}' (the options are ${known.join(', ')})`);
  }
}

function wholeNumber(options, name, min) {
  const n = options[name];
  if (n !== undefined && (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > 2 ** 53)) {
    throw invalidOptions(`${name} must be a whole number of at least ${min}, got ${shown(n)}`);
  }
}

function oneOf(options, name, values) {
  const value = options[name];
  if (value !== undefined && !values.includes(value)) {
    throw invalidOptions(`${name} must be ${values.map(shown).join(', ').replace(/, ([^,]*)$/, ' or $1')}, got ${shown(value)}`);
  }
}

/** Throws InvalidOptions for `new Uploader(options)` settings that cannot work. */
export function checkUploaderOptions(options) {
  if (options === null || typeof options !== 'object') throw new TypeError('new Uploader(options): options must be an object');
  refuseUnknown(options, [...SETTINGS, ...OBJECT_OPTIONS], 'new Uploader(options)');
  const { endpoint, region, bucket, credentials, sign } = options;
  if (typeof endpoint !== 'string' || !/^https?:\/\//.test(endpoint)) throw invalidOptions(`endpoint must start with http:// or https://, got ${shown(endpoint)}`);
  if (typeof region !== 'string' || !region || typeof bucket !== 'string' || !bucket) {
    throw invalidOptions(`region and bucket must be non-empty strings, got region ${shown(region)}, bucket ${shown(bucket)}`);
  }
  if ((typeof credentials === 'function') === (typeof sign === 'function')) {
    throw invalidOptions('give exactly one of credentials (a function that returns (a promise of) { accessKeyId, secretAccessKey, sessionToken, '
      + 'expiration }) and sign (a function that signs { method, url, headers } on your backend)');
  }
  for (const name of ['forcePathStyle', 'resume', 'worker']) oneOf(options, name, [true, false]);
  wholeNumber(options, 'partSize', 1);
  wholeNumber(options, 'minPartSize', 1);
  wholeNumber(options, 'concurrency', 1);
  if (options.concurrency > MAX_CONCURRENCY) {
    throw invalidOptions(`concurrency ${options.concurrency} is more than ${MAX_CONCURRENCY}: a browser opens 6 connections to one host (HTTP/1.1), `
      + 'further parts only wait in it while their signatures age');
  }
  wholeNumber(options, 'stallTimeoutMs', 1);
  wholeNumber(options, 'serverRetries', 0);
  wholeNumber(options, 'callbackTimeoutMs', 1);
  oneOf(options, 'checksums', [true, false, 'auto', 'required', 'off']);
  oneOf(options, 'checksumAlgorithm', ['CRC64NVME', 'CRC32C', 'CRC32']);
  oneOf(options, 'ifExists', ['overwrite', 'error']);
}

/** Throws InvalidOptions for names `start(file, options)` does not read. */
export function checkStartOptions(options) {
  if (options === null || typeof options !== 'object') throw invalidOptions('start(file, options): options must be an object with a key');
  refuseUnknown(options, [...START, ...OBJECT_OPTIONS], 'start(file, options)');
}
