// resumable-s3: the package's entry. `Uploader` runs many uploads that share one concurrency limit, each with an
// `UploadHandle` (events, pause / resume / cancel); the wasm engine does the work, on the page or in a worker.
import { Emitter } from './emitter.js';
import { checkStartOptions, checkUploaderOptions, invalidOptions } from './options.js';
import { localEngine } from './engine.js';
import { workerEngine } from './worker-engine.js';

// Each event has its callback option too: start(file, { key, onProgress, onState, onPart, onError, onChecksums, onWarning }).
const CALLBACKS = { progress: 'onProgress', state: 'onState', part: 'onPart', error: 'onError', checksums: 'onChecksums', warning: 'onWarning' };

// The same file: the same Blob, or a File chosen again (same name, size, modification time and type).
const sameFile = (a, b) => a === b || (a instanceof File && b instanceof File
  && a.name === b.name && a.size === b.size && a.lastModified === b.lastModified && a.type === b.type);

class UploadHandle {
  #events = new Emitter();
  #task;
  #cancelled = false;

  constructor(file, key, task, done) {
    this.file = file;
    this.key = key;
    this.#task = task;
    this.done = done;
    this.progress = { bytesSent: 0, bytesConfirmed: 0, totalBytes: file.size, speed: null, etaSeconds: null };
    this.state = { state: 'queued' };
  }

  on(type, listener) {
    return this.#events.on(type, listener);
  }

  off(type, listener) {
    this.#events.off(type, listener);
  }

  pause() {
    this.#task.pause();
  }

  resume() {
    this.#task.resume();
  }

  cancel() {
    this.#cancelled = true;
    this.#task.cancel();
  }

  /** @internal Is this upload running `file` to `key`, not cancelled? */
  sends(file, key) {
    return !this.#cancelled && this.key === key && sameFile(this.file, file);
  }

  /** @internal Ends the upload without removing it from the server (Uploader.destroy). */
  stop() {
    this.#task.stop();
  }

  /** @internal */
  emit(type, event) {
    if (type === 'progress') this.progress = event;
    if (type === 'state') this.state = event;
    this.#events.emit(type, event);
  }
}

// Aborting the signal is cancel(), as lib-storage's abortController and fetch users expect: done rejects with
// code Cancelled once the multipart upload is removed from the server.
function abortWith(signal, handle) {
  if (signal.aborted) return handle.cancel();
  const abort = () => handle.cancel();
  signal.addEventListener('abort', abort, { once: true });
  const stopListening = () => signal.removeEventListener('abort', abort);
  handle.done.then(stopListening, stopListening);
}

/**
 * A Content-Disposition value for any file name (RFC 6266): an ASCII fallback in `filename`, the exact name
 * UTF-8 percent-encoded in `filename*` (RFC 8187), which browsers prefer when saving the object.
 */
export function contentDisposition(filename, type = 'attachment') {
  const fallback = String(filename).replace(/[^\x20-\x7e]|["\\]/g, '_');
  const encoded = encodeURIComponent(filename).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${type}; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

export class Uploader {
  #engine;
  #events = new Emitter();
  #uploads = new Set();
  #destroyed = false;

  constructor(options) {
    checkUploaderOptions(options);
    const { worker = false, ...engineOptions } = options;
    this.#engine = worker ? workerEngine(engineOptions) : localEngine(engineOptions);
  }

  start(file, options = {}) {
    if (this.#destroyed) throw new Error('this Uploader was destroyed: create a new one');
    // Anything but a Blob would give a handle that never settles: refuse it here, where the caller sees it.
    if (!(file instanceof Blob)) {
      const got = file === null ? 'null' : typeof file === 'object' ? file.constructor?.name ?? 'object' : typeof file;
      throw invalidOptions(`start(file, options): file must be a File or Blob, got ${got}`);
    }
    checkStartOptions(options);
    const { onProgress, onState, onPart, onError, onChecksums, onWarning, signal, ...uploadOptions } = options;
    if (signal !== undefined && typeof signal?.addEventListener !== 'function') {
      throw invalidOptions('signal must be an AbortSignal (e.g. new AbortController().signal)');
    }
    const callbacks = { onProgress, onState, onPart, onError, onChecksums, onWarning };
    // The same file to the same key again while it uploads: the running upload, with these callbacks added.
    const running = this.uploads.find((upload) => upload.sends(file, uploadOptions.key));
    if (running) {
      for (const [type, name] of Object.entries(CALLBACKS)) if (callbacks[name]) running.on(type, callbacks[name]);
      return running;
    }
    let handle = null;
    const emit = (type, event) => {
      handle.emit(type, event);
      callbacks[CALLBACKS[type]]?.(event);
      this.#events.emit(type, event, handle);
    };
    const task = this.#engine.start(file, uploadOptions, emit);
    handle = new UploadHandle(file, uploadOptions.key, task, task.done);
    this.#uploads.add(handle);
    const forget = () => this.#uploads.delete(handle);
    task.done.then(forget, forget);
    if (signal) abortWith(signal, handle);
    return handle;
  }

  upload(file, options) {
    try {
      return this.start(file, options).done;
    } catch (error) {
      return Promise.reject(error);
    }
  }

  on(type, listener) {
    return this.#events.on(type, listener);
  }

  off(type, listener) {
    this.#events.off(type, listener);
  }

  get uploads() {
    return [...this.#uploads];
  }

  async destroy() {
    this.#destroyed = true;
    const running = this.uploads;
    running.forEach((upload) => upload.stop());
    await Promise.allSettled(running.map((upload) => upload.done));
    this.#engine.destroy();
  }
}
