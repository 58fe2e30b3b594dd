// The wasm engine on this thread (the page, or the worker in worker mode), loaded once on first use.
// `new URL(..., import.meta.url)` inside the wasm-bindgen glue lets webpack 5, Vite and plain ESM find the .wasm file.
import init, { Engine } from './resumable_s3.js';

let loading = null;
const load = () => (loading ??= init());

// The engine interface both modes share: start(file, { key, contentType }, emit) returns a task
// { done, pause(), resume(), cancel(), stop() } at once; emit(type, event) receives the upload's events.
export function localEngine(options) {
  const engine = load().then(() => new Engine(options));
  return {
    start(file, uploadOptions, emit) {
      const task = engine.then((e) => e.start(file, uploadOptions, emit));
      const command = (name) => () => { task.then((t) => t[name]()).catch(() => {}); };
      return {
        done: task.then((t) => t.done),
        pause: command('pause'),
        resume: command('resume'),
        cancel: command('cancel'),
        stop: command('stop'),
      };
    },
    destroy() {},
  };
}
