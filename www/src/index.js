import { Uploader } from 'resumable-s3';
import { UploadRow } from './upload-row.js';

const $ = (id) => document.getElementById(id);

async function getJson(url) {
  const res = await fetch(url, { cache: 'no-store' });
  if (!res.ok) throw new Error(`GET ${url} failed: HTTP ${res.status}`);
  return res.json();
}

async function createUploader() {
  const config = await getJson('/config');
  $('target').textContent = `Uploading to bucket “${config.bucket}” at ${config.endpoint}`;
  return new Uploader({ ...config, credentials: () => getJson('/credentials') });
}

async function upload(uploader, file) {
  const key = $('prefix').value.trim() + file.name;
  const row = new UploadRow(file, key);
  $('uploads').prepend(row.el);
  try {
    row.done(await uploader.upload(file, { key, onProgress: (p) => row.progress(p) }));
  } catch (error) {
    row.failed(error);
  }
}

function acceptFiles(uploader) {
  const input = $('file');
  const drop = $('drop');
  const start = (files) => [...files].forEach((file) => upload(uploader, file));

  input.addEventListener('change', () => {
    start(input.files);
    input.value = '';
  });
  drop.addEventListener('dragover', (event) => {
    event.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (event) => {
    event.preventDefault();
    drop.classList.remove('over');
    start(event.dataTransfer.files);
  });
  input.disabled = false;
  document.body.dataset.ready = 'true';
}

try {
  acceptFiles(await createUploader());
} catch (error) {
  $('target').textContent = `Not ready: ${error.message}`;
  $('target').classList.add('error');
  document.body.dataset.ready = 'error';
}
