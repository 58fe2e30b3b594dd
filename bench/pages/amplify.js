// AWS Amplify v6 Storage `uploadData` (aws-amplify/storage), configured as an app without Amplify's own backend
// does it: Storage.S3 { bucket, region } and a custom credentials provider handing out the same keys as the other
// peers. Pointing it at a local S3 needs Storage.S3.dangerouslyConnectToHttpEndpointForTesting (the only way v6
// sends to an http:// endpoint; it is hard-wired to http://localhost:20005, path style); bench/peers/amplify.mjs
// forwards that port to Garage. Amplify picks its part size (5 MiB until 10,000 parts) and sends 4 parts at a time:
// neither can be set. Everything else is left at its default (it keeps resumable uploads in localStorage).
import { Amplify } from 'aws-amplify';
import { uploadData } from 'aws-amplify/storage';
import { exposeBench } from './common.js';

exposeBench(async (file, o, onProgress) => {
  const credentials = { ...o.credentials, sessionToken: o.credentials.sessionToken ?? undefined };
  Amplify.configure(
    { Storage: { S3: { bucket: o.bucket, region: o.region, dangerouslyConnectToHttpEndpointForTesting: 'true' } } },
    { Auth: { credentialsProvider: { getCredentialsAndIdentityId: async () => ({ credentials }), clearCredentialsAndIdentityId: () => {} } } },
  );
  const task = uploadData({
    path: o.key,
    data: file,
    options: { contentType: file.type || 'application/octet-stream', onProgress: (p) => onProgress(p.transferredBytes) },
  });
  const out = await task.result;
  return { etag: out.eTag, key: out.path };
});
