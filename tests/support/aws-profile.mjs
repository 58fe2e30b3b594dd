// The fault proxy's "aws" profile: Amazon S3's own answers where Garage answers differently (AWS API reference:
// CompleteMultipartUpload, HeadObject, ListMultipartUploads, ListParts, and "Error responses"). Always on:
//   - CompleteMultipartUpload answers 200 and its headers at once, then a space every `keepAliveMs` for
//     `completeMs`, then the result, or Garage's error as an <Error> inside that 200;
//   - HeadObject of a missing key answers 403, not 404, when the credentials lack s3:ListBucket (`listBucket`
//     false, the default); HEAD answers never carry a body;
//   - a request signed for another region than `region` (the bucket's) is refused with 400
//     AuthorizationHeaderMalformed naming the right <Region>, as S3 does;
//   - ListMultipartUploads and ListParts report each upload's ChecksumAlgorithm and ChecksumType (as given to
//     CreateMultipartUpload, seen by the proxy), which Garage omits.
// Rule faults it adds (proxy.rules([{ match, fault }])):
//   { completeMs: T }                  this Complete takes T ms of whitespace before its answer
//   { completeMs: T, inside: 'InternalError' }  ... and then an <Error> with that code inside the 200 (not forwarded)
//   { completeMs: T, inside: 'garbled' }        ... and then the connection closes with nothing but whitespace
//                                               (forwarded: Garage completes the upload, the answer is unreadable)
//   { ok: text }                       200 with this body (not forwarded): an answer cut short or mangled on the way
//   { redirect: 'eu-west-1' }          301 PermanentRedirect to that region, without CORS headers (preflights too):
//                                      what a browser gets from an endpoint that is not the bucket's region
import { corsHeaders, errorXml } from './fault-proxy.mjs';

/** The profile to pass as startFaultProxy({ profile }) (or startHarness({ proxy: { profile } })). */
export function awsProfile({ region = 'us-east-1', listBucket = false, completeMs = 1000, keepAliveMs = 300 } = {}) {
  const checksums = new Map(); // uploadId -> { algorithm, type }, from CreateMultipartUpload
  const signedRegion = (req) => /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(req.headers.authorization ?? '')?.[1];
  const refuse = (req, res, entry, status, code, message, extraXml, headers) => {
    const body = req.method === 'HEAD' ? '' : errorXml(code, message, extraXml);
    entry.status = status;
    entry.errorCode = code;
    res.writeHead(status, { 'Content-Type': 'application/xml', 'Content-Length': Buffer.byteLength(body), ...headers });
    res.end(body);
    return true;
  };

  return {
    intercept(req, res, info, fault, entry) {
      if (fault?.redirect) {
        // No CORS headers: the page cannot read this, and a preflight refused so fails the request.
        return refuse(req, res, entry, 301, 'PermanentRedirect',
          'The bucket you are attempting to access must be addressed using the specified endpoint. Please send all future requests to this endpoint.',
          `<Endpoint>${info.bucket}.s3.${fault.redirect}.amazonaws.com</Endpoint><Bucket>${info.bucket}</Bucket>`,
          { 'x-amz-bucket-region': fault.redirect });
      }
      const signed = signedRegion(req);
      if (signed && signed !== region) {
        return refuse(req, res, entry, 400, 'AuthorizationHeaderMalformed',
          `The authorization header is malformed; the region '${signed}' is wrong; expecting '${region}'`,
          `<Region>${region}</Region>`, corsHeaders(req));
      }
      if (fault?.ok !== undefined) {
        entry.status = 200;
        res.writeHead(200, { 'Content-Type': 'application/xml', 'Content-Length': Buffer.byteLength(fault.ok), ...corsHeaders(req) });
        res.end(fault.ok);
        return true;
      }
      if (info.action === 'CompleteMultipartUpload' && fault?.inside && fault.inside !== 'garbled') {
        req.resume();
        slowAnswer(res, entry, fault.completeMs ?? completeMs, keepAliveMs, corsHeaders(req), async () => errorXml(fault.inside, 'We encountered an internal error. Please try again.'));
        return true;
      }
      return false;
    },

    answer(req, res, info, upRes, fault, entry) {
      if (info.action === 'CreateMultipartUpload') {
        const algorithm = req.headers['x-amz-checksum-algorithm'];
        const type = req.headers['x-amz-checksum-type'];
        readBody(upRes).then((body) => {
          const id = /<UploadId>([^<]*)<\/UploadId>/.exec(body)?.[1];
          if (id) checksums.set(id, { algorithm, type });
          pass(res, upRes, body);
        }, () => res.destroy());
        return true;
      }
      if (info.action === 'HeadObject' && upRes.statusCode === 404 && !listBucket) {
        upRes.resume();
        entry.status = 403;
        res.writeHead(403, { 'Content-Length': 0, ...exposedOf(upRes) });
        res.end();
        return true;
      }
      // Refusals S3 makes before it starts assembling (InvalidPart, NoSuchUpload, …) come as plain error answers.
      if (info.action === 'CompleteMultipartUpload' && upRes.statusCode === 200) {
        const headers = { 'Content-Type': 'application/xml', ...exposedOf(upRes) };
        entry.status = 200;
        slowAnswer(res, entry, fault?.completeMs ?? completeMs, keepAliveMs, headers,
          async () => (fault?.inside === 'garbled' ? (upRes.resume(), null) : readBody(upRes)));
        return true;
      }
      if ((info.action === 'ListMultipartUploads' || info.action === 'ListParts') && upRes.statusCode === 200) {
        readBody(upRes).then((body) => pass(res, upRes, withChecksums(body, info, checksums)), () => res.destroy());
        return true;
      }
      return false;
    },
  };
}

// 200 and headers now, a space every `everyMs` for `forMs`, then what `body()` gives (null: end with nothing more;
// a rejection: the connection is cut).
function slowAnswer(res, entry, forMs, everyMs, headers, body) {
  entry.status = 200;
  res.writeHead(200, headers);
  res.write(' ');
  const timer = setInterval(() => res.write(' '), everyMs);
  const due = new Promise((resolve) => setTimeout(resolve, forMs));
  Promise.all([body(), due]).then(([text]) => {
    clearInterval(timer);
    if (text) entry.errorCode = /<Error>\s*<Code>([^<]*)<\/Code>/.exec(text)?.[1] ?? null;
    // The document, XML declaration included, after the whitespace: a parser that wants the declaration first fails.
    res.end(text ?? undefined);
  }, () => {
    // The server broke off its answer: so does this one.
    clearInterval(timer);
    res.destroy();
  });
  res.once('close', () => clearInterval(timer));
}

// Adds <ChecksumAlgorithm>/<ChecksumType> as S3 lists them: to each <Upload> (ListMultipartUploads) or to the
// result (ListParts), for uploads created through the proxy with a checksum.
function withChecksums(body, info, checksums) {
  const elements = (id) => {
    const c = checksums.get(id);
    return c?.algorithm ? `<ChecksumAlgorithm>${c.algorithm}</ChecksumAlgorithm>${c.type ? `<ChecksumType>${c.type}</ChecksumType>` : ''}` : '';
  };
  if (info.action === 'ListParts') return body.replace(/<\/ListPartsResult>\s*$/, `${elements(info.uploadId)}</ListPartsResult>`);
  return body.replace(/<UploadId>([^<]*)<\/UploadId>/g, (all, id) => `${all}${elements(id)}`);
}

// Rejects when the server breaks off its answer: every caller handles that (an unhandled rejection ends the test run).
const readBody = (stream) => new Promise((resolve, reject) => {
  const chunks = [];
  stream.on('data', (c) => chunks.push(c)).once('end', () => resolve(Buffer.concat(chunks).toString('utf8'))).once('error', reject);
});

// The target's answer with a new body: its headers, a fresh length, no hop-by-hop headers.
function pass(res, upRes, body) {
  const headers = {};
  for (const [name, value] of Object.entries(upRes.headers)) {
    if (!/^(connection|keep-alive|content-length|transfer-encoding)$/i.test(name)) headers[name] = value;
  }
  res.writeHead(upRes.statusCode, { ...headers, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

// The target's headers a browser may see (CORS), for answers the profile rewrites.
function exposedOf(upRes) {
  return Object.fromEntries(Object.entries(upRes.headers).filter(([name]) => /^(access-control-|vary$|x-amz-request-id$|date$)/i.test(name)));
}
