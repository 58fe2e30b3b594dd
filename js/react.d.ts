// resumable-s3/react: hooks over one Uploader (React >= 18 is a peer dependency).
import type { Uploader, UploaderOptions, UploadError, UploadHandle, UploadProgress, UploadResult, UploadState } from "./index.js";

/** One upload as the bindings show it: null each without a handle; `result` / `error` once it ended. */
export interface UploadSnapshot {
  progress: UploadProgress | null;
  state: UploadState | null;
  result: UploadResult | null;
  /** An UploadError, e.g. code `Cancelled` after cancel(). */
  error: UploadError | null;
}

export interface UploadCommands {
  pause(): void;
  resume(): void;
  cancel(): void;
}

/**
 * An Uploader for the component's lifetime: null on the first render and while `options` is null, then one
 * Uploader (made in an effect), destroyed on unmount (its uploads stop and resume when the same file is started
 * again). Later changes of `options` are not applied, except the `credentials` / `sign` callbacks: the latest
 * render's are called.
 */
export function useUploader(options: UploaderOptions | null | undefined): Uploader | null;

/** The upload's progress, state and outcome as state, re-rendering on progress and state events only. */
export function useUpload(handle: UploadHandle | null | undefined): UploadSnapshot & UploadCommands;
