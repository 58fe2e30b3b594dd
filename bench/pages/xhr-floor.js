// The bare-XHR floor (bench/peers/xhr-floor.mjs): no library. Each part is a file-backed Blob (`file.slice()`) PUT
// with XMLHttpRequest to its presigned URL, `concurrency` parts in flight; the ETags go into Complete (POSTed with
// fetch to its presigned URL). Upload progress from xhr.upload.onprogress, as any uploader reports it.
// With `readOnce` (the xhr-floor-read diagnostic) each part is first read into a buffer of a reused pool (one per lane,
// a BYOB read of the slice's stream) and that buffer is the body: what "read once, send what was read" costs at best.
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

// Reads `blob` into `buffer` (at least blob.size bytes) and returns the filled view. XHR copies a view's bytes at send().
async function readInto(blob, buffer) {
  const reader = blob.stream().getReader({ mode: 'byob' });
  let filled = 0;
  while (filled < blob.size) {
    const { value, done } = await reader.read(new Uint8Array(buffer, filled, blob.size - filled));
    if (done) break;
    filled += value.byteLength;
    buffer = value.buffer; // a BYOB read transfers the buffer: keep the one handed back
  }
  return { view: new Uint8Array(buffer, 0, filled), buffer };
}

exposeBench(async (file, o, onProgress) => {
  const { partUrls, completeUrl, partSize, readOnce } = o;
  const loaded = new Array(partUrls.length).fill(0);
  const etags = [];
  let next = 0;
  const lane = async () => {
    let buffer = readOnce ? new ArrayBuffer(partSize) : null;
    while (next < partUrls.length) {
      const i = next++;
      let body = file.slice(i * partSize, Math.min(file.size, (i + 1) * partSize));
      if (readOnce) ({ view: body, buffer } = await readInto(body, buffer));
      etags[i] = await putPart(partUrls[i], body, (bytes) => {
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
