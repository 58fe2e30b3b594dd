// S3-compatible stores that answer flexible checksums differently from Garage, as fault-proxy rule lists
// (proxy.rules(storeProfiles.b2)). Each reproduces what the store's documentation and its users' reports say:
// - b2: Backblaze B2 refuses every x-amz-checksum-* header, on any action, with 400 InvalidArgument "Unsupported
//   header '<name>' received for this API call." (backblaze.com/docs/cloud-storage-s3-compatible-api, Unsupported
//   Features); HEAD answers carry no body. That covers the B2 versions that refuse x-amz-checksum-mode on HeadObject.
// - b2HeadChecksumMode: only that HeadObject refusal.
// - gcs: Google Cloud Storage's XML API takes CreateMultipartUpload, then fails an UploadPart that carries a
//   checksum with 403 SignatureDoesNotMatch ("Invalid argument.") and a checksummed Complete with 412.
// - r2Before202507: Cloudflare R2 before July 2025 answered 501 NotImplemented to a CRC-64/NVME checksum.
// - minioBefore2025: MinIO before February 2025 had CRC32 and CRC32C, not CRC-64/NVME: 501 NotImplemented.
// - ignoresChecksums: a store that takes the headers and reports no checksum at Complete (checks nothing).
const checksumHeader = (headers) => Object.keys(headers).find((name) => name.startsWith('x-amz-checksum-'));
const saysCrc64 = (headers) => headers['x-amz-checksum-algorithm'] === 'CRC64NVME' || 'x-amz-checksum-crc64nvme' in headers;
const notImplemented = { status: 501, code: 'NotImplemented', message: 'A header you provided implies functionality that is not implemented.' };

export const storeProfiles = {
  b2: [{
    match: { when: (info) => info.action !== 'Preflight' && checksumHeader(info.headers) !== undefined },
    fault: {
      respond: (info) => ({ status: 400, code: 'InvalidArgument',
        message: `Unsupported header '${checksumHeader(info.headers)}' received for this API call.` }),
    },
  }],
  b2HeadChecksumMode: [{
    match: { action: 'HeadObject', when: (info) => 'x-amz-checksum-mode' in info.headers },
    fault: { respond: { status: 400, code: 'InvalidArgument', message: "Unsupported header 'x-amz-checksum-mode' received for this API call." } },
  }],
  gcs: [
    { match: { action: 'UploadPart', when: (info) => checksumHeader(info.headers) !== undefined },
      fault: { respond: { status: 403, code: 'SignatureDoesNotMatch', message: 'Invalid argument.' } } },
    { match: { action: 'CompleteMultipartUpload', when: (info) => checksumHeader(info.headers) !== undefined },
      fault: { respond: { status: 412, code: 'PreconditionFailed', message: 'At least one of the pre-conditions you specified did not hold.' } } },
  ],
  r2Before202507: [{
    match: { action: ['CreateMultipartUpload', 'UploadPart', 'CompleteMultipartUpload'], when: (info) => saysCrc64(info.headers) },
    fault: { respond: notImplemented },
  }],
  minioBefore2025: [{
    match: { action: ['CreateMultipartUpload', 'UploadPart', 'CompleteMultipartUpload'], when: (info) => saysCrc64(info.headers) },
    fault: { respond: notImplemented },
  }],
  ignoresChecksums: [{
    match: { action: 'CompleteMultipartUpload' },
    fault: { rewriteResponse: (body) => body.replace(/<Checksum[A-Za-z0-9]*>[^<]*<\/Checksum[A-Za-z0-9]*>/g, '') },
  }],
};
