// The bare-XHR floor (bench/peers/xhr-floor.mjs): no library. Each part is a file-backed Blob (`file.slice()`) PUT
// with XMLHttpRequest to its presigned URL, `concurrency` parts in flight; the ETags go into Complete (POSTed with
// fetch to its presigned URL). Upload progress from xhr.upload.onprogress, as any uploader reports it.
import { exposeBench } from './common.js';

function putPart(url, body, onLoaded) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', url);
    xhr.upload.onprogress = (e) => onLoaded(e.loaded);
    xhr.onload = () => {
      const etag = xhr.getResponseHeader('ETag');
      if (xhr.status === 200 && etag) resolve(etag);
      else reject(new Error(`UploadPart: HTTP ${xhr.status}${etag ? '' : ' without a readable ETag'} ${xhr.responseText.slice(0, 200)}`));
    };
    xhr.onerror = () => reject(Object.assign(new Error('UploadPart: network error'), { name: 'NetworkError' }));
    xhr.send(body);
  });
}

exposeBench(async (file, o, onProgress) => {
  const { partUrls, completeUrl, partSize } = o;
  const loaded = new Array(partUrls.length).fill(0);
  const etags = [];
  let next = 0;
  const lane = async () => {
    while (next < partUrls.length) {
      const i = next++;
      etags[i] = await putPart(partUrls[i], file.slice(i * partSize, Math.min(file.size, (i + 1) * partSize)), (bytes) => {
        loaded[i] = bytes;
        onProgress(loaded.reduce((a, b) => a + b, 0));
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(o.concurrency, partUrls.length) }, lane));
  const xml = `<CompleteMultipartUpload>${etags.map((etag, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${etag}</ETag></Part>`).join('')}</CompleteMultipartUpload>`;
  const res = await fetch(completeUrl, { method: 'POST', body: xml });
  const text = await res.text();
  if (!res.ok || !text.includes('<CompleteMultipartUploadResult')) throw new Error(`CompleteMultipartUpload: HTTP ${res.status} ${text.slice(0, 200)}`);
  return { etag: text.match(/<ETag>([^<]+)<\/ETag>/)?.[1] };
});
