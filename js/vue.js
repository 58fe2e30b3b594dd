// resumable-s3/vue: composables over one Uploader. Vue (>= 3.3, for toValue) is a peer dependency.
// The library's objects are held in shallowRefs and marked raw: their private (#) fields do not work through Vue's
// deep reactive proxies, and they change through their own events anyway.
import { markRaw, onScopeDispose, shallowRef, toValue, watch } from 'vue';
import { commands, createUploader, destroyLater, idleSnapshot, watchUpload } from './bindings.js';

/**
 * A shallowRef holding an Uploader for the current effect scope (a component's setup): null while `options` (an
 * object, ref or getter) is null, e.g. until the backend's config has loaded, then one Uploader, destroyed when
 * the scope is disposed (the component unmounts): its uploads stop without being removed from the server, and
 * the same file resumes when started again. Later changes of `options` are not applied, except the `credentials`
 * and `sign` callbacks, which are read at each call.
 */
export function useUploader(options) {
  const uploader = shallowRef(null);
  watch(() => toValue(options) != null, (ready) => {
    if (ready && !uploader.value) uploader.value = markRaw(createUploader(() => toValue(options)));
  }, { immediate: true });
  onScopeDispose(() => {
    if (uploader.value) destroyLater(uploader.value);
    uploader.value = null;
  });
  return uploader;
}

/**
 * One upload's `progress`, `state`, `result` and `error` as shallowRefs (null each without a handle), plus pause(),
 * resume() and cancel(). `handle`: an UploadHandle, or a ref or getter of one (e.g. `() => props.handle`) to follow
 * it when it changes. Each ref changes only with its event; listening ends when the scope is disposed.
 */
export function useUpload(handle) {
  const refs = { progress: shallowRef(null), state: shallowRef(null), result: shallowRef(null), error: shallowRef(null) };
  const show = (snapshot) => {
    for (const name of Object.keys(refs)) refs[name].value = snapshot[name];
  };
  let watching = null;
  watch(() => toValue(handle), (current) => {
    watching?.stop();
    watching = current ? watchUpload(current, show) : null;
    show(watching?.snapshot ?? idleSnapshot);
  }, { immediate: true });
  onScopeDispose(() => watching?.stop());
  return { ...refs, ...commands(() => toValue(handle)) };
}
