// The bare-XHR floor: no upload library. The bench (Node) creates the multipart upload and presigns every UploadPart
// and the Complete request (SigV4 query signing, @smithy/signature-v4, UNSIGNED-PAYLOAD); the page
// (bench/pages/xhr-floor.js) PUTs each part as a file-backed Blob (`file.slice()`) with XMLHttpRequest, `concurrency`
// at a time, then POSTs Complete. What no browser uploader can beat: it signs nothing, reads nothing, checks nothing.
// CreateMultipartUpload runs before the page's clock starts (one loopback round trip, ≈ms): a floor, not a contestant.
import { CreateMultipartUploadCommand } from '@aws-sdk/client-s3';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { benchPagePeer } from './bench-page.mjs';

async function presigner(endpoint, region, credentials) {
  const signer = new SignatureV4({ service: 's3', region, credentials, sha256: Hash.bind(null, 'sha256'), uriEscapePath: false, applyChecksum: false });
  const base = new URL(endpoint);
  return async (method, path, query) => {
    const request = new HttpRequest({
      method, protocol: base.protocol, hostname: base.hostname, port: Number(base.port) || undefined, path, query,
      headers: { host: base.host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
    });
    const signed = await signer.presign(request, { expiresIn: 3600 }); // every x-amz- header goes into the query
    const qs = new URLSearchParams(signed.query).toString();
    return `${base.origin}${signed.path}?${qs}`;
  };
}

const page = benchPagePeer('xhr-floor');

const xhrFloor = {
  ...page,
  floor: true, // not a library: never the "best peer" of a target
  scenarios: ['throughput'],
  /** Node-side set-up before the page is told to start: the upload and its presigned URLs (the page's options). */
  async prepare(env, o) {
    const { UploadId } = await env.garage.s3.send(new CreateMultipartUploadCommand({ Bucket: o.bucket, Key: o.key }));
    const sign = await presigner(o.endpoint, o.region, o.credentials);
    const path = `/${o.bucket}/${o.key}`;
    const parts = Math.ceil(o.size / o.partSize);
    const partUrls = await Promise.all(Array.from({ length: parts },
      (_, i) => sign('PUT', path, { partNumber: String(i + 1), uploadId: UploadId })));
    const completeUrl = await sign('POST', path, { uploadId: UploadId });
    return { ...page.options(o), partUrls, completeUrl };
  },
};
export default xhrFloor;

// Diagnostic: the floor with every part read into a pooled buffer that is then the XHR body (bench/pages/xhr-floor.js
// `readOnce`). Beside xhr-floor it measures what an in-memory body costs or saves against a file-backed Blob.
export const xhrFloorRead = {
  ...xhrFloor,
  name: 'xhr-floor-read',
  floor: false,
  diagnostic: true,
  about: 'the bare-XHR floor with each part read into a pooled buffer sent as the body (read once, send what was read)',
  prepare: async (env, o) => ({ ...(await xhrFloor.prepare(env, o)), readOnce: true }),
};
