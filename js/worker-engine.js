// Worker mode, on the page: the engine runs in a dedicated Web Worker (js/worker.js), so slicing, checksums and
// signing never block the page. Same interface as js/engine.js; the app's callbacks stay here.
import { errorFields, uploadError } from './errors.js';

export function workerEngine({ credentials, sign, ...options }) {
  // Written out in full so bundlers (webpack 5, Vite) see the worker and bundle it.
  const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  const tasks = new Map();
  let nextId = 0;
  const callbacks = { credentials, sign };

  worker.onmessage = async ({ data }) => {
    if (data.type === 'call') {
      try {
        const value = await callbacks[data.name](data.arg);
        worker.postMessage({ type: 'answer', call: data.call, value });
      } catch (error) {
        worker.postMessage({ type: 'answer', call: data.call, error: errorFields(error) });
      }
    } else if (data.type === 'event') {
      tasks.get(data.id)?.emit(data.kind, data.event);
    } else if (data.type === 'done') {
      const task = tasks.get(data.id);
      tasks.delete(data.id);
      if (data.error) task?.reject(uploadError(data.error));
      else task?.resolve(data.result);
    }
  };
  worker.onerror = (event) => {
    const error = uploadError({ name: 'UploadError', code: 'WorkerFailed', message: `WorkerFailed: the upload worker failed: ${event.message}` });
    for (const task of tasks.values()) task.reject(error);
    tasks.clear();
  };
  worker.postMessage({ type: 'create', options, signs: typeof sign === 'function' });

  return {
    start(file, uploadOptions, emit) {
      const id = nextId++;
      const done = new Promise((resolve, reject) => tasks.set(id, { resolve, reject, emit }));
      worker.postMessage({ type: 'start', id, file, uploadOptions });
      const command = (name) => () => worker.postMessage({ type: 'command', id, command: name });
      return { done, pause: command('pause'), resume: command('resume'), cancel: command('cancel'), stop: command('stop') };
    },
    destroy() {
      worker.terminate();
    },
  };
}
