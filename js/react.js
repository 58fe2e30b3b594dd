// resumable-s3/react: hooks over one Uploader. React (>= 18, for useSyncExternalStore) is a peer dependency.
import { useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { commands, createUploader, destroyLater, idleSnapshot, snapshotOf, watchUpload } from './bindings.js';

/**
 * An Uploader for the component's lifetime: null on the first render and while `options` is null (e.g. until the
 * backend's config has loaded), then one Uploader, made in an effect (so StrictMode's mount, unmount, mount makes
 * and destroys one more, never leaks it) and destroyed on unmount, which stops its uploads without removing them
 * from the server: the same file resumes when started again. Later changes of `options` are not applied, except
 * the `credentials` and `sign` callbacks, which are always the latest render's.
 */
export function useUploader(options) {
  const latest = useRef(options);
  latest.current = options;
  const [uploader, setUploader] = useState(null);
  const ready = options != null;
  useEffect(() => {
    if (!ready) return undefined;
    const created = createUploader(() => latest.current);
    setUploader(created);
    return () => {
      destroyLater(created);
      setUploader(null);
    };
  }, [ready]);
  return uploader;
}

// An external store over one handle for useSyncExternalStore: subscribed while a component shows it.
function uploadStore(handle) {
  if (!handle) return { subscribe: () => () => {}, getSnapshot: () => idleSnapshot };
  let snapshot = snapshotOf(handle);
  return {
    subscribe(notify) {
      const watch = watchUpload(handle, (next) => { snapshot = next; notify(); }, snapshot);
      snapshot = watch.snapshot;
      return watch.stop;
    },
    getSnapshot: () => snapshot,
  };
}

/**
 * One upload's { progress, state, result, error } as state (null each without a handle), plus pause(), resume()
 * and cancel(). Re-renders on progress and state events and when the upload ends, nothing else; listens only
 * while mounted.
 */
export function useUpload(handle) {
  const store = useMemo(() => uploadStore(handle), [handle]);
  const snapshot = useSyncExternalStore(store.subscribe, store.getSnapshot, store.getSnapshot);
  const actions = useMemo(() => commands(() => handle), [handle]);
  return useMemo(() => ({ ...snapshot, ...actions }), [snapshot, actions]);
}
