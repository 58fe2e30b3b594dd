// Decides whether a request the browser wants signed is one of the multipart-upload actions on the allowed
// bucket and key prefix. Everything is an allowlist: method + exact query parameter set + header names.

/** A request the signer will not sign (answered 403). */
export class Refused extends Error {}

// Each action: method, whether it addresses the bucket or an object, required and optional query parameters.
// The required sets differ per method, so at most one action matches a request.
const ACTIONS = [
  { action: 'CreateMultipartUpload', method: 'POST', on: 'object', required: ['uploads'] },
  { action: 'UploadPart', method: 'PUT', on: 'object', required: ['partNumber', 'uploadId'] },
  { action: 'CompleteMultipartUpload', method: 'POST', on: 'object', required: ['uploadId'] },
  { action: 'AbortMultipartUpload', method: 'DELETE', on: 'object', required: ['uploadId'] },
  { action: 'ListParts', method: 'GET', on: 'object', required: ['uploadId'], optional: ['max-parts', 'part-number-marker'] },
  { action: 'HeadObject', method: 'HEAD', on: 'object', required: [] },
  { action: 'PutObject', method: 'PUT', on: 'object', required: [] }, // the library uses it for empty files only
  { action: 'ListMultipartUploads', method: 'GET', on: 'bucket', required: ['uploads', 'prefix'],
    optional: ['key-marker', 'upload-id-marker', 'max-uploads', 'delimiter', 'encoding-type'] },
];

// Headers the browser may have signed. Anything else is refused: x-amz-copy-source would turn UploadPart or
// PutObject into a copy of any object the signing role can read, x-amz-grant-* could publish the object (and
// x-amz-acl may only name an ACL of `allowedAcls`), x-amz-website-redirect-location could send readers of the
// object anywhere, x-amz-date / x-amz-security-token / authorization are the signer's to set. The object options'
// headers (tags, storage class, encryption, SSE-C, bucket owner, requester pays) are the library's to send.
const HEADERS = new Set([
  'x-amz-content-sha256', 'content-type', 'content-md5', 'content-disposition', 'content-encoding', 'content-language',
  'cache-control', 'expires', 'if-match', 'if-none-match', 'x-amz-checksum-algorithm', 'x-amz-checksum-type',
  'x-amz-checksum-mode', 'x-amz-checksum-crc32', 'x-amz-checksum-crc32c', 'x-amz-checksum-crc64nvme',
  'x-amz-checksum-sha1', 'x-amz-checksum-sha256', 'x-amz-sdk-checksum-algorithm', 'x-amz-mp-object-size',
  'x-amz-tagging', 'x-amz-storage-class', 'x-amz-server-side-encryption', 'x-amz-server-side-encryption-aws-kms-key-id',
  'x-amz-server-side-encryption-bucket-key-enabled', 'x-amz-server-side-encryption-customer-algorithm',
  'x-amz-server-side-encryption-customer-key', 'x-amz-server-side-encryption-customer-key-md5',
  'x-amz-expected-bucket-owner', 'x-amz-request-payer',
]);
// Metadata names as the library sends them: HTTP token characters, lower-case.
const headerAllowed = (name) => HEADERS.has(name) || /^x-amz-meta-[a-z0-9!#$%&'*+.^_`|~-]+$/.test(name);

// S3 signs the path and query as sent, encoded once. The browser library encodes exactly like this (RFC 3986
// unreserved characters stay); anything encoded differently is refused rather than guessed at, so what we
// check (the decoded key) is exactly what S3 will see.
const encode = (text) => encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
function decodeCanonical(raw, what) {
  let text;
  try {
    text = decodeURIComponent(raw);
  } catch {
    throw new Refused(`${what} is not valid percent-encoding: ${raw}`);
  }
  if (encode(text) !== raw) throw new Refused(`${what} must be encoded once, RFC 3986 style: ${raw}`);
  return text;
}

function parseQuery(search) {
  const query = Object.create(null); // a parameter named __proto__ must be an ordinary entry (and be refused)
  for (const pair of search.replace(/^\?/, '').split('&').filter(Boolean)) {
    const eq = pair.indexOf('=');
    const name = decodeCanonical(eq < 0 ? pair : pair.slice(0, eq), 'a query parameter name');
    const value = eq < 0 ? '' : decodeCanonical(pair.slice(eq + 1), `query parameter ${name}`);
    if (Object.hasOwn(query, name)) throw new Refused(`query parameter ${name} appears twice`);
    query[name] = value;
  }
  return query;
}

// Bucket and raw (still encoded) key path from a path-style (endpoint/bucket/key) or virtual-hosted-style
// (bucket.endpoint/key) URL. Any other host is refused: we only sign for the configured store.
function locate(url, endpoint) {
  if (url.protocol !== endpoint.protocol) throw new Refused(`the URL must use ${endpoint.protocol}`);
  if (url.username || url.password || url.hash) throw new Refused('the URL must not carry credentials or a fragment');
  if (url.host === endpoint.host) {
    const [, bucket = '', keyPath = ''] = /^\/([^/]*)\/?(.*)$/s.exec(url.pathname);
    return { bucket: decodeCanonical(bucket, 'the bucket'), keyPath };
  }
  if (url.host.endsWith(`.${endpoint.host}`)) {
    return { bucket: url.host.slice(0, -endpoint.host.length - 1), keyPath: url.pathname.slice(1) };
  }
  throw new Refused(`not the configured S3 endpoint: ${url.host}`);
}

/**
 * Checks `{ method, url, headers }` against the policy. Returns `{ action, method, url, query, headers }` (the
 * parsed URL, decoded query, lowercase headers) or throws Refused with the reason.
 */
export function checkRequest({ method, url, headers }, { endpoint, bucket, prefix, allowedAcls = [] }) {
  if (typeof method !== 'string' || typeof url !== 'string') throw new Refused('method and url must be strings');
  if (headers === null || typeof headers !== 'object' || Array.isArray(headers)) throw new Refused('headers must be an object');
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    throw new Refused(`not a URL: ${url}`);
  }
  const where = locate(parsed, new URL(endpoint));
  if (where.bucket !== bucket) throw new Refused(`only bucket ${bucket} is allowed, not ${where.bucket}`);
  const key = where.keyPath.split('/').map((segment) => decodeCanonical(segment, 'the key')).join('/');
  const query = parseQuery(parsed.search);

  const names = Object.keys(query);
  method = method.toUpperCase();
  const match = ACTIONS.find((a) => a.method === method && (a.on === 'bucket') === (key === '')
    && a.required.every((q) => names.includes(q))
    && names.every((q) => a.required.includes(q) || a.optional?.includes(q)));
  if (!match) throw new Refused(`not a multipart-upload action: ${method} ${parsed.pathname}${parsed.search}`);

  if (match.on === 'object' && !key.startsWith(prefix)) throw new Refused(`the key must start with ${prefix}: ${key}`);
  if (match.on === 'bucket' && !query.prefix.startsWith(prefix)) {
    throw new Refused(`the listing prefix must start with ${prefix}: ${query.prefix}`);
  }
  if ('uploads' in query && query.uploads !== '') throw new Refused('uploads takes no value');
  if ('partNumber' in query && !(/^[1-9]\d{0,4}$/.test(query.partNumber) && Number(query.partNumber) <= 10_000)) {
    throw new Refused(`partNumber must be 1 to 10000: ${query.partNumber}`);
  }
  if ('uploadId' in query && query.uploadId === '') throw new Refused('uploadId is empty');

  const lowercase = Object.create(null);
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (typeof value !== 'string') throw new Refused(`header ${lower} must be a string`);
    if (lower === 'x-amz-acl' && typeof value === 'string') {
      if (!allowedAcls.includes(value)) throw new Refused(`ACL ${value} is not allowed (allowedAcls: ${allowedAcls.join(', ') || 'none'})`);
    } else if (!headerAllowed(lower)) {
      throw new Refused(`header ${lower} may not be signed`);
    }
    lowercase[lower] = value;
  }
  if (!lowercase['x-amz-content-sha256']) throw new Refused('x-amz-content-sha256 is required (e.g. UNSIGNED-PAYLOAD)');
  return { action: match.action, method, url: parsed, query, headers: lowercase };
}
