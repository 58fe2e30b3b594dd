// SigV4 header signing of a request the browser will send itself (backend-signed mode).
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';

/**
 * Signs `{ method, url, query, headers }` (as returned by checkRequest) for S3 with `credentials`
 * ({ accessKeyId, secretAccessKey, sessionToken? }). Returns the headers the browser must send: its own plus
 * authorization, x-amz-date and x-amz-security-token (with a session token). Never host: browsers set it.
 */
export async function signHeaders({ method, url, query, headers }, { credentials, region }) {
  const signer = new SignatureV4({
    service: 's3',
    region,
    credentials,
    sha256: Hash.bind(null, 'sha256'),
    uriEscapePath: false, // S3 signs the path as sent (encoded once), not encoded a second time
    applyChecksum: false, // the payload hash is the browser's x-amz-content-sha256 (UNSIGNED-PAYLOAD)
  });
  const request = new HttpRequest({
    method,
    protocol: url.protocol,
    hostname: url.hostname,
    port: url.port ? Number(url.port) : undefined,
    path: url.pathname,
    query,
    headers: { ...headers, host: url.host },
  });
  // Sign exactly the headers the browser sends (plus host): smithy skips a few by default (cache-control).
  const signableHeaders = new Set(Object.keys(request.headers));
  const signed = await signer.sign(request, { signableHeaders });
  const { host, ...out } = signed.headers;
  return out;
}
