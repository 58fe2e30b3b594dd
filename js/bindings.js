// What the framework bindings (react.js, vue.js) share. An upload is shown as a snapshot { progress, state, result,
// error }, replaced (never changed in place) on each progress or state event and when `done` settles, so a framework
// can tell a change by identity. Part and error events do not touch it: a page re-renders at most at the progress rate.
import { Uploader } from './index.js';

export const idleSnapshot = Object.freeze({ progress: null, state: null, result: null, error: null });

/** The handle's latest progress and state (its outcome comes from `done`, which only watchUpload waits for). */
export const snapshotOf = (handle) => ({ progress: handle.progress, state: handle.state, result: null, error: null });

/**
 * Calls onChange(snapshot) on every change until `stop()`; `snapshot` is the latest. `previous` (a snapshot of the
 * same handle) is kept as long as it is still current, so re-subscribing alone is no change.
 */
export function watchUpload(handle, onChange, previous) {
  let snapshot = previous?.progress === handle.progress && previous?.state === handle.state
    ? previous
    : snapshotOf(handle);
  let watching = true;
  const set = (change) => {
    snapshot = { ...snapshot, ...change };
    if (watching) onChange(snapshot);
  };
  const stops = [handle.on('progress', (progress) => set({ progress })), handle.on('state', (state) => set({ state }))];
  // `done` cannot be unsubscribed from: after stop() it settles into nothing.
  if (!snapshot.result && !snapshot.error) handle.done.then((result) => set({ result }), (error) => set({ error }));
  return {
    get snapshot() { return snapshot; },
    stop() {
      watching = false;
      stops.forEach((off) => off());
    },
  };
}

/** The handle's commands as plain functions (safe to pass as event handlers); no-ops without a handle. */
export const commands = (getHandle) => ({
  pause: () => getHandle()?.pause(),
  resume: () => getHandle()?.resume(),
  cancel: () => getHandle()?.cancel(),
});

/**
 * A new Uploader from the options `current()` returns now. Its `credentials` / `sign` callbacks call the ones
 * `current()` returns at the time of each call: an Uploader lives as long as the component, the component's
 * callbacks may be replaced on every render.
 */
export function createUploader(current) {
  const options = { ...current() };
  for (const name of ['credentials', 'sign']) {
    const first = options[name];
    if (typeof first === 'function') options[name] = (...args) => (current()?.[name] ?? first)(...args);
  }
  return new Uploader(options);
}

/** destroy() for cleanups, which cannot wait: what it ends rejects with `Stopped` anyway. */
export function destroyLater(uploader) {
  uploader.destroy().catch((error) => queueMicrotask(() => { throw error; }));
}
