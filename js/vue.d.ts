// resumable-s3/vue: composables over one Uploader (Vue >= 3.3 is a peer dependency).
import type { MaybeRefOrGetter, ShallowRef } from "vue";
import type { Uploader, UploaderOptions, UploadError, UploadHandle, UploadProgress, UploadResult, UploadState } from "./index.js";

/**
 * A shallowRef holding an Uploader for the current effect scope: null while `options` is null, then one Uploader,
 * destroyed when the scope is disposed (its uploads stop and resume when the same file is started again). Later
 * changes of `options` are not applied, except the `credentials` / `sign` callbacks, read at each call.
 */
export function useUploader(options: MaybeRefOrGetter<UploaderOptions | null | undefined>): ShallowRef<Uploader | null>;

export interface UseUpload {
  progress: ShallowRef<UploadProgress | null>;
  state: ShallowRef<UploadState | null>;
  result: ShallowRef<UploadResult | null>;
  /** An UploadError, e.g. code `Cancelled` after cancel(). */
  error: ShallowRef<UploadError | null>;
  pause(): void;
  resume(): void;
  cancel(): void;
}

/** One upload's progress, state and outcome as shallowRefs; pass a ref or getter to follow a changing handle. */
export function useUpload(handle: MaybeRefOrGetter<UploadHandle | null | undefined>): UseUpload;
