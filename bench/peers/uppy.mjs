// @uppy/core + @uppy/aws-s3 v6 with getCredentials (bench/pages/uppy.js): File.slice() parts sent by XHR to
// presigned URLs, one part at a time per file; no checksums.
import { benchPagePeer } from './bench-page.mjs';

export default benchPagePeer('uppy');
