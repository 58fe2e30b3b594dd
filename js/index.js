// resumable-s3: the package's entry. `Uploader` runs many uploads that share one concurrency limit, each with an
// `UploadHandle` (events, pause / resume / cancel); the wasm engine does the work, on the page or in a worker.
import { Emitter } from './emitter.js';
import { uploadError } from './errors.js';
import { localEngine } from './engine.js';
import { workerEngine } from './worker-engine.js';

// Each event has its callback option too: start(file, { key, onProgress, onState, onPart, onError, onWarning }).
const CALLBACKS = { progress: 'onProgress', state: 'onState', part: 'onPart', error: 'onError', warning: 'onWarning' };

class UploadHandle {
  #events = new Emitter();
  #task;

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
    this.#task.cancel();
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

export class Uploader {
  #engine;
  #events = new Emitter();
  #uploads = new Set();
  #destroyed = false;

  constructor(options) {
    if (options === null || typeof options !== 'object') throw new TypeError('new Uploader(options): options must be an object');
    const { worker = false, ...engineOptions } = options;
    this.#engine = worker ? workerEngine(engineOptions) : localEngine(engineOptions);
  }

  start(file, options = {}) {
    if (this.#destroyed) throw new Error('this Uploader was destroyed: create a new one');
    // Anything but a Blob would give a handle that never settles: refuse it here, where the caller sees it.
    if (!(file instanceof Blob)) {
      const got = file === null ? 'null' : typeof file === 'object' ? file.constructor?.name ?? 'object' : typeof file;
      throw uploadError({ name: 'UploadError', code: 'InvalidOptions', message: `InvalidOptions: start(file, options): file must be a File or Blob, got ${got}` });
    }
    const { onProgress, onState, onPart, onError, onWarning, ...uploadOptions } = options;
    const callbacks = { onProgress, onState, onPart, onError, onWarning };
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
