// One list row per upload, driven by its UploadHandle's events. Tests read the data-* attributes:
// data-key, data-state (the library's state name), data-percent, data-parts-done, data-total-parts,
// data-resumed-parts, data-etag (done) and data-error-code (failed, and the last retried error meanwhile).
import { formatBytes, formatDuration, formatSpeed, percent, visibleText } from './format.js';
import { badgeText, withoutCode } from './status.js';

const FINISHED = new Set(['done', 'failed']);

function el(tag, className, text = '') {
  const node = document.createElement(tag);
  if (className) node.className = className;
  node.textContent = text;
  return node;
}

function button(text, label, onClick) {
  const node = el('button', `button button-${text.toLowerCase()}`, text);
  node.type = 'button';
  node.setAttribute('aria-label', `${text} ${label}`);
  node.addEventListener('click', onClick);
  return node;
}

export class UploadRow {
  /** announce(text): tells screen readers about a change of state (the page's aria-live region). */
  constructor(handle, { bucket, announce }) {
    this.handle = handle;
    this.key = handle.key;
    this.announce = announce;
    this.name = visibleText(handle.file.name ?? handle.key);
    this.state = handle.state;
    this.progressInfo = handle.progress;
    this.parts = { resumed: 0, done: 0, total: 0 };
    this.retried = null; // the last error that is being retried
    this.failure = null; // { code, message } that ended the upload
    this.result = null;
    this.countdown = null;
    this.spoken = '';
    this.build(bucket);

    handle.on('progress', (progress) => {
      this.progressInfo = progress;
      this.renderProgress();
    });
    handle.on('state', (state) => {
      this.state = state;
      if (state.state === 'uploading') this.retried = null;
      this.render();
    });
    handle.on('part', ({ resumed, partsDone, totalParts }) => {
      if (resumed) this.parts.resumed += 1;
      this.parts.done = partsDone;
      this.parts.total = totalParts;
      this.render();
    });
    handle.on('error', (error) => {
      if (error.retryable) this.retried = error;
      else this.failure = error;
      this.render();
    });
    handle.done.then(
      (result) => {
        this.result = result;
        this.state = { state: 'done' };
        this.render();
      },
      (error) => {
        this.failure = { code: error?.code ?? 'Error', message: error?.message ?? String(error) };
        this.state = { state: 'failed', errorCode: this.failure.code };
        this.render();
      },
    );
    this.render();
  }

  get active() {
    return !FINISHED.has(this.state.state);
  }

  get cancelled() {
    return this.state.state === 'failed' && (this.failure?.code ?? this.state.errorCode) === 'Cancelled';
  }

  build(bucket) {
    this.el = el('li', 'upload');
    this.el.dataset.key = this.key;

    const file = el('div', 'file');
    // dir="auto": a right-to-left name keeps its own direction without reordering the text around it.
    const name = Object.assign(el('span', 'name', this.name), { dir: 'auto' });
    const key = Object.assign(el('span', 'key', `s3://${bucket}/${visibleText(this.key)}`), { dir: 'auto' });
    file.append(name, key);
    this.badge = el('span', 'badge');
    const head = el('div', 'upload-head');
    head.append(file, this.badge);

    this.bar = el('div', 'bar');
    this.bar.setAttribute('role', 'progressbar');
    this.bar.setAttribute('aria-label', `Upload of ${this.name}`);
    this.bar.setAttribute('aria-valuemin', '0');
    this.bar.setAttribute('aria-valuemax', '100');
    this.barSent = el('div', 'bar-sent');
    this.barConfirmed = el('div', 'bar-confirmed');
    this.bar.append(this.barSent, this.barConfirmed);

    this.amount = el('span', 'amount');
    this.percent = el('span', 'percent');
    this.speed = el('span', 'speed');
    this.eta = el('span', 'eta');
    const figures = el('div', 'figures');
    figures.append(this.amount, this.percent, this.speed, this.eta);

    this.pauseButton = button('Pause', this.name, () => this.handle.pause());
    this.resumeButton = button('Resume', this.name, () => this.handle.resume());
    this.cancelButton = button('Cancel', this.name, () => this.handle.cancel());
    const actions = el('div', 'actions');
    actions.append(this.pauseButton, this.resumeButton, this.cancelButton);

    const foot = el('div', 'upload-foot');
    foot.append(figures, actions);
    this.note = el('p', 'note');
    this.el.append(head, this.bar, foot, this.note);
  }

  /** Draws attention to the row (the same file was dropped again while it uploads). */
  highlight() {
    this.el.scrollIntoView({ block: 'nearest' });
    this.el.classList.remove('flash');
    void this.el.offsetWidth; // restart the animation
    this.el.classList.add('flash');
  }

  renderProgress() {
    const { bytesSent, bytesConfirmed, totalBytes, speed, etaSeconds } = this.progressInfo;
    const { state } = this.state;
    // Done: all of it; cancelled: nothing is left on the server.
    const cancelled = this.cancelled;
    const [sent, confirmed] = state === 'done' ? [totalBytes, totalBytes] : cancelled ? [0, 0] : [bytesSent, bytesConfirmed];
    const width = (bytes) => `${totalBytes > 0 ? (100 * bytes) / totalBytes : 100}%`;
    const pct = percent(sent, totalBytes);
    this.barSent.style.width = width(sent);
    this.barConfirmed.style.width = width(confirmed);
    this.bar.setAttribute('aria-valuenow', String(pct));
    this.el.dataset.percent = String(pct);
    const finished = state === 'done' || cancelled;
    this.amount.textContent = finished ? formatBytes(totalBytes) : `${formatBytes(sent)} of ${formatBytes(totalBytes)}`;
    this.percent.textContent = cancelled ? '' : `${pct} %`;
    // Speed and time left only mean something while bytes move.
    const moving = state === 'uploading';
    this.speed.textContent = moving && speed !== null ? formatSpeed(speed) : '';
    this.eta.textContent = moving && etaSeconds !== null ? `${formatDuration(etaSeconds)} left` : '';
  }

  render() {
    const { state } = this.state;
    this.el.dataset.state = state;
    this.el.dataset.resumedParts = String(this.parts.resumed);
    this.el.dataset.partsDone = String(this.parts.done);
    this.el.dataset.totalParts = String(this.parts.total);
    const code = this.failure?.code ?? (state === 'failed' ? this.state.errorCode : this.retried?.code);
    if (code && state !== 'done') this.el.dataset.errorCode = code;
    else delete this.el.dataset.errorCode;
    if (this.result) this.el.dataset.etag = this.result.etag;

    this.renderBadge();
    this.renderProgress();
    this.renderNote();
    this.pauseButton.hidden = !this.active || state === 'paused' || state === 'cancelling';
    this.resumeButton.hidden = state !== 'paused';
    this.cancelButton.hidden = !this.active || state === 'cancelling';

    // The retry countdown ticks on its own.
    if (state === 'retrying' && !this.countdown) this.countdown = setInterval(() => this.renderBadge(), 250);
    if (state !== 'retrying' && this.countdown) {
      clearInterval(this.countdown);
      this.countdown = null;
    }
  }

  renderBadge() {
    const text = badgeText(this.state, {
      resumedParts: this.parts.resumed, totalParts: this.parts.total, failure: this.failure, now: Date.now(),
    });
    this.badge.textContent = text;
    // Announce changes of state, not every tick of a countdown.
    const spoken = this.state.state === 'retrying' ? 'Retrying' : text;
    if (spoken !== this.spoken) {
      this.spoken = spoken;
      this.announce(`${this.name}: ${text}`);
    }
  }

  renderNote() {
    const { state } = this.state;
    this.note.replaceChildren();
    const resumed = this.parts.resumed > 0
      ? `${this.parts.resumed} of ${this.parts.total} parts were already on the server from an earlier try`
      : '';
    if (state === 'done' && this.result) {
      this.note.append(this.result.alreadyUploaded
        ? 'Already in the bucket with the same content: nothing was sent.'
        : [`ETag ${this.result.etag}`, resumed].filter(Boolean).join(' · '));
    } else if (this.cancelled) {
      this.note.append('Removed from the server, finished parts included.');
    } else if (state === 'failed' && this.failure) {
      this.note.append('Error code ', el('code', '', this.failure.code));
    } else if (state === 'waiting-for-network' && !navigator.onLine) {
      this.note.append('Goes on by itself when the network is back.');
    } else if ((state === 'retrying' || state === 'waiting-for-network') && this.retried) {
      this.note.append('Last error: ', el('code', '', this.retried.code), ` ${withoutCode(this.retried.code, this.retried.message)}`);
    } else if (resumed) {
      this.note.append(`${resumed}: they are not sent again.`);
    }
    this.note.hidden = this.note.childNodes.length === 0;
  }
}
