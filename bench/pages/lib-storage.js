// @aws-sdk/lib-storage `Upload` with an S3Client, as its README shows for the browser: the File is the Body.
// Defaults otherwise (retries, request checksums), as an app gets them.
import { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { exposeBench } from './common.js';

exposeBench(async (file, o, onProgress) => {
  const client = new S3Client({ endpoint: o.endpoint, region: o.region, forcePathStyle: true, credentials: o.credentials });
  const upload = new Upload({
    client,
    params: { Bucket: o.bucket, Key: o.key, Body: file, ContentType: file.type || 'application/octet-stream' },
    partSize: o.partSize,
    queueSize: o.concurrency,
  });
  upload.on('httpUploadProgress', (p) => onProgress(p.loaded));
  const out = await upload.done();
  return { etag: out.ETag, key: out.Key };
});
