// The demo page: one Uploader for the bucket the dev server names at /config, one row per file.
import { Uploader } from 'resumable-s3';
import { acceptFiles } from './file-drop.js';
import { NetworkIndicator } from './network-indicator.js';
import { objectOptions } from './object-options.js';
import { UploadRow } from './upload-row.js';

const $ = (id) => document.getElementById(id);

async function getJson(url) {
  const res = await fetch(url, { cache: 'no-store' });
  if (!res.ok) throw new Error(`GET ${url} failed: HTTP ${res.status}`);
  return res.json();
}

// Changes of state for screen readers: a log, so that changes of several rows at once are all read.
function announce(text) {
  const log = $('announcer');
  log.append(Object.assign(document.createElement('p'), { textContent: text }));
  while (log.childElementCount > 5) log.firstElementChild.remove();
}

async function main() {
  // /config: { endpoint, region, bucket, forcePathStyle, and any other Uploader option (partSize…) }
  const config = await getJson('/config');
  $('target').textContent = `Uploading to bucket “${config.bucket}” at ${config.endpoint}`;
  const uploader = new Uploader({ ...config, credentials: () => getJson('/credentials') });

  const network = new NetworkIndicator($('network'));
  uploader.on('state', (state, handle) => network.uploadState(state, handle));

  // The key decides what a re-dropped file resumes: keep the prefix across reloads.
  const prefix = $('prefix');
  prefix.value = localStorage.getItem('prefix') ?? '';
  prefix.addEventListener('input', () => localStorage.setItem('prefix', prefix.value));

  const active = new Map(); // key → row of an upload still running
  const start = (file) => {
    const key = prefix.value.trim() + file.name;
    if (active.has(key)) {
      active.get(key).highlight();
      return null;
    }
    const fields = { metadata: $('metadata').value, disposition: $('disposition').value };
    const handle = uploader.start(file, { key, ...objectOptions(file, fields) });
    const row = new UploadRow(handle, { bucket: config.bucket, announce });
    active.set(key, row);
    handle.done.catch(() => {}).finally(() => active.delete(key));
    return row;
  };
  // The newest files on top, each batch in the order chosen.
  const onFiles = (files) => $('uploads').prepend(...files.map(start).filter(Boolean).map((row) => row.el));
  acceptFiles({ zone: $('drop'), input: $('file'), onFiles });
  document.body.dataset.ready = 'true';
}

main().catch((error) => {
  $('target').textContent = `Not ready: ${error.message}`;
  $('target').classList.add('error');
  document.body.dataset.ready = 'error';
});
