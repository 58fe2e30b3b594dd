// One list row per upload. Tests read data-state ("uploading" | "done" | "failed"),
// data-key, data-etag and data-error-code.

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

export function formatBytes(n) {
  let i = 0;
  while (n >= 1024 && i < UNITS.length - 1) {
    n /= 1024;
    i += 1;
  }
  return i === 0 ? `${n} B` : `${n.toFixed(1)} ${UNITS[i]}`;
}

function el(tag, className, text = '') {
  const node = document.createElement(tag);
  node.className = className;
  node.textContent = text;
  return node;
}

export class UploadRow {
  constructor(file, key) {
    this.el = el('li', 'upload');
    this.el.dataset.key = key;
    this.bar = el('progress', 'bar');
    this.bar.max = 1;
    this.percent = el('span', 'percent');
    this.bytes = el('span', 'bytes');
    this.status = el('span', 'status');

    const head = el('div', 'line');
    head.append(el('span', 'name', key), this.percent);
    const foot = el('div', 'line');
    foot.append(this.bytes, this.status);
    this.el.append(head, this.bar, foot);

    this.progress({ bytesSent: 0, totalBytes: file.size });
    this.setState('uploading', 'Uploading…');
  }

  setState(state, text) {
    this.el.dataset.state = state;
    this.status.textContent = text;
  }

  progress({ bytesSent, totalBytes }) {
    const fraction = totalBytes > 0 ? bytesSent / totalBytes : 1;
    this.bar.value = fraction;
    this.percent.textContent = `${Math.floor(fraction * 100)}%`;
    this.bytes.textContent = `${formatBytes(bytesSent)} of ${formatBytes(totalBytes)}`;
  }

  done(result) {
    this.progress({ bytesSent: result.size, totalBytes: result.size });
    this.el.dataset.etag = result.etag;
    this.setState('done', `Done · ETag ${result.etag}`);
  }

  failed(error) {
    const code = error?.code ?? 'Error';
    const message = error?.message ?? String(error);
    this.el.dataset.errorCode = code;
    // The library's messages already start with the code.
    this.setState('failed', `Failed · ${message.startsWith(code) ? message : `${code}: ${message}`}`);
  }
}
