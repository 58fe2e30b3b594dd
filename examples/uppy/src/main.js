import Uppy from '@uppy/core';
import Dashboard from '@uppy/dashboard';
import ResumableS3 from 'resumable-s3/uppy';
import '@uppy/core/css/style.min.css';
import '@uppy/dashboard/css/style.min.css';

async function getJson(url) {
  const response = await fetch(url, { cache: 'no-store' });
  if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status}`);
  return response.json();
}

// One line per finished (or failed) file under the Dashboard, replaced when the file is tried again.
function show(className, text, file) {
  const item = document.createElement('li');
  item.className = className;
  item.textContent = text;
  if (file) item.dataset.file = file.id;
  document.getElementById('results').append(item);
}
const forget = (file) => document.querySelectorAll('#results li').forEach((item) => item.dataset.file === file.id && item.remove());

async function main() {
  // Your backend (e.g. examples/server): GET /config → { endpoint, region, bucket, prefix?, forcePathStyle?, other
  // Uploader options… }; GET /credentials → temporary keys to write under the prefix (asked again before they expire).
  const { prefix = 'uploads/', ...options } = await getJson('/config');
  const uppy = new Uppy()
    .use(Dashboard, { inline: true, target: '#uppy', showProgressDetails: true, proudlyDisplayPoweredByUppy: false })
    // Every Uploader option passes through. A key that depends only on the file lets a file dropped again after a
    // reload continue where it stopped (a random one would start afresh).
    .use(ResumableS3, { ...options, credentials: () => getJson('/credentials'), getKey: (file) => prefix + file.name });

  // The body is resumable-s3's UploadResult; resumedParts: parts kept from an earlier visit, not sent again.
  uppy.on('upload-success', (file, { body }) => {
    show('result', `${body.key}: ${body.size} bytes, ${body.resumedParts} parts resumed, CRC-64/NVME ${body.checksum}`, file);
  });
  // The message starts with the error's code (e.g. "AccessDenied: …") and says what to fix.
  uppy.on('upload-error', (file, error) => show('error', `${file.name}: ${error.message}`, file));
  uppy.on('upload-retry', forget);
  uppy.on('retry-all', (files) => files.forEach(forget));
  window.exampleUppy = uppy; // for the browser console (and the test suite)
}

main().catch((error) => show('error', `Not ready: ${error.message}`));
