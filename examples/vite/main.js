import { Uploader } from 'resumable-s3';

const $ = (id) => document.getElementById(id);

async function getJson(url) {
  const response = await fetch(url, { cache: 'no-store' });
  if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status}`);
  return response.json();
}

function show(state, text = state, isError = false) {
  $('status').dataset.state = state;
  $('status').textContent = text;
  $('status').classList.toggle('error', isError);
}

async function upload(uploader, key, file) {
  $('result').textContent = '';
  try {
    const result = await uploader.upload(file, {
      key,
      onProgress: ({ bytesSent, totalBytes }) => { $('progress').value = totalBytes ? bytesSent / totalBytes : 1; },
      onState: ({ state }) => show(state),
    });
    const { size, location, alreadyUploaded, checksum } = result;
    const how = alreadyUploaded ? 'already there' : `CRC-64/NVME ${checksum}`;
    $('result').textContent = `${size} bytes at ${location} (${how})`;
  } catch (error) {
    show('failed', `${error.code ?? error.name}: ${error.message}`, true);
  }
}

try {
  // Your backend (e.g. examples/server): GET /config → { endpoint, region, bucket, prefix?, forcePathStyle?,
  // other Uploader options… }; GET /credentials → temporary keys to write under the prefix (asked again
  // before they expire).
  const { prefix = 'uploads/', ...options } = await getJson('/config');
  const uploader = new Uploader({ ...options, credentials: () => getJson('/credentials') });
  $('file').addEventListener('change', ({ target: { files: [file] } }) => {
    if (file) upload(uploader, prefix + file.name, file);
  });
  $('file').disabled = false;
  show('ready', 'Choose a file');
} catch (error) {
  show('failed', `Not ready: ${error.message}`, true);
}
