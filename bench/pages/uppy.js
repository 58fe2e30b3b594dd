// @uppy/core + @uppy/aws-s3 (v6) with `getCredentials`: the plugin signs every request in the browser with temporary
// credentials from the app's backend (the mode closest to resumable-s3's; the alternatives are a signing callback
// per request or Companion). Multipart for every size, our part size; `limit` is files in parallel: v6 sends the
// parts of one file one after another, so there is no per-file part concurrency to set.
import Uppy from '@uppy/core';
import AwsS3 from '@uppy/aws-s3';
import { exposeBench } from './common.js';

exposeBench(async (file, o, onProgress) => {
  const uppy = new Uppy({ autoProceed: false });
  uppy.use(AwsS3, {
    s3Endpoint: `${o.endpoint}/${o.bucket}`, // path style: the bucket is part of the endpoint
    region: o.region,
    getCredentials: async () => ({ credentials: { ...o.credentials, sessionToken: o.credentials.sessionToken ?? '' }, region: o.region }),
    shouldUseMultipart: true,
    getChunkSize: () => o.partSize,
    limit: o.concurrency,
    generateObjectKey: () => o.key,
  });
  uppy.on('upload-progress', (_f, p) => onProgress(p.bytesUploaded));
  uppy.addFile({ name: file.name, type: file.type || 'application/octet-stream', data: file, source: 'Local' });
  const result = await uppy.upload();
  if (!result || result.failed?.length) {
    const err = result?.failed?.[0]?.error;
    throw Object.assign(new Error(typeof err === 'string' ? err : err?.message ?? 'upload failed'), { name: 'UppyError' });
  }
  const done = result.successful[0];
  return { key: done.response?.body?.key, location: done.uploadURL };
});
