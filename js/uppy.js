// resumable-s3/uppy: an Uppy uploader plugin (for @uppy/core 6, a peer dependency) that sends Uppy's local files
// through one resumable-s3 Uploader:
//   new Uppy().use(Dashboard, { inline: true, target: '#uppy' })
//     .use(ResumableS3, { endpoint, region, bucket, credentials, getKey: (file) => `uploads/${file.name}` });
// Uppy → library: pause / resume (one file or all), retry (starts the file again: the library resumes it), removing a
// file or cancel-all (cancel(): AbortMultipartUpload). Library → Uppy: upload-start, upload-progress, upload-success
// (the UploadResult as the body), upload-error for the error that ends an upload. Network failures and server errors
// the library is still retrying are not Uppy errors (they are logged as warnings): the file waits and goes on.
import { BasePlugin } from '@uppy/core';
import { filterFilesToEmitUploadStarted, filterFilesToUpload } from '@uppy/core/utils';
import { Uploader } from './index.js';

export default class ResumableS3 extends BasePlugin {
  #uploader = null;
  /** File id → the UploadHandle sending it. */
  #handles = new Map();
  #listeners = {
    'upload-pause': (file, isPaused) => this.#command(file?.id, isPaused ? 'pause' : 'resume'),
    'pause-all': () => this.#handles.forEach((handle) => handle.pause()),
    'resume-all': () => this.#handles.forEach((handle) => handle.resume()),
    // cancel-all removes every file too.
    'file-removed': (file) => this.#command(file.id, 'cancel'),
  };

  /**
   * opts: the Uploader's options (endpoint, region, bucket, credentials or sign, partSize, concurrency, …), plus
   * `getKey(file)`, the object key of an Uppy file (default: its name; the same file must get the same key for
   * the upload to resume after a reload), and `id` (default 'ResumableS3').
   */
  constructor(uppy, opts = {}) {
    super(uppy, opts);
    this.type = 'uploader';
    this.id = this.opts.id ?? 'ResumableS3';
  }

  /** The Uploader, e.g. for its `part` events (`resumed: true` for parts kept from an earlier visit); null until installed. */
  get uploader() {
    return this.#uploader;
  }

  install() {
    const { id, getKey, ...uploaderOptions } = this.opts;
    this.#uploader = new Uploader(uploaderOptions);
    this.#setResumable(true); // Uppy shows pause / resume only then
    this.uppy.addUploader(this.#upload);
    for (const [event, listener] of Object.entries(this.#listeners)) this.uppy.on(event, listener);
  }

  /** Stops every upload (finished parts stay on the server: the same file resumes later) and the Uploader. */
  uninstall() {
    this.uppy.removeUploader(this.#upload);
    for (const [event, listener] of Object.entries(this.#listeners)) this.uppy.off(event, listener);
    this.#setResumable(false);
    const uploader = this.#uploader;
    this.#uploader = null;
    return uploader?.destroy();
  }

  #setResumable(resumableUploads) {
    const { capabilities } = this.uppy.getState();
    this.uppy.setState({ capabilities: { ...capabilities, resumableUploads } });
  }

  #command(fileId, name) {
    this.#handles.get(fileId)?.[name]();
  }

  #upload = async (fileIds) => {
    const files = filterFilesToUpload(this.uppy.getFilesByIds(fileIds));
    this.uppy.emit('upload-start', filterFilesToEmitUploadStarted(files));
    await Promise.allSettled(files.map((file) => this.#send(file)));
  };

  async #send(file) {
    if (file.isRemote) {
      this.uppy.emit('upload-error', file, new Error('resumable-s3 uploads local files only, not remote (Companion) ones'));
      return;
    }
    if (this.#handles.has(file.id)) return; // already on its way (upload() called again)
    const key = this.opts.getKey ? this.opts.getKey(file) : file.name;
    const uploader = this.#uploader;
    const handle = uploader.start(file.data, { key, ...(file.type ? { contentType: file.type } : {}) });
    this.#handles.set(file.id, handle);
    if (this.uppy.getFile(file.id)?.isPaused) handle.pause(); // paused before it started
    const uploadStarted = this.uppy.getFile(file.id)?.progress.uploadStarted ?? Date.now();
    const stops = [
      handle.on('progress', ({ bytesSent, totalBytes }) => {
        this.uppy.emit('upload-progress', file, { uploadStarted, bytesUploaded: bytesSent, bytesTotal: totalBytes });
      }),
      handle.on('error', ({ code, message, retryable }) => {
        if (retryable) this.uppy.log(`[ResumableS3] ${file.name}: ${code} (${message}); trying again`, 'warning');
      }),
    ];
    try {
      const result = await handle.done;
      this.uppy.emit('upload-success', file, { status: 200, body: result, uploadURL: result.location });
    } catch (error) {
      // Not when the plugin ended it (file removed: Cancelled; uninstalled: Stopped): nothing left to tell.
      if (this.#uploader === uploader && this.uppy.getFile(file.id)) this.uppy.emit('upload-error', file, error);
    } finally {
      stops.forEach((stop) => stop());
      this.#handles.delete(file.id);
    }
  }
}

export { ResumableS3 };
