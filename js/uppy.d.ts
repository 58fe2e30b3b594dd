// resumable-s3/uppy: an Uppy uploader plugin (@uppy/core 6 is a peer dependency).
import { BasePlugin, type PluginOpts, type Uppy } from "@uppy/core";
import type { Body, Meta, UppyFile } from "@uppy/core/utils";
import type { Uploader, UploaderOptions, UploadResult } from "./index.js";

/** The Uploader's options, plus the plugin's. */
export type ResumableS3Options<M extends Meta, B extends Body> = PluginOpts & UploaderOptions & {
  /** The object key of a file. Default: its name. The same file must get the same key to resume after a reload. */
  getKey?: (file: UppyFile<M, B>) => string;
};

/** What `upload-success` carries as `response.body` (and `response.uploadURL`: its `location`). */
export type ResumableS3Body = UploadResult & Body;

/** Sends Uppy's local files with resumable-s3: pause / resume, retry and remove map to the upload's commands. */
export default class ResumableS3<M extends Meta, B extends Body> extends BasePlugin<ResumableS3Options<M, B>, M, B> {
  constructor(uppy: Uppy<M, B>, opts: ResumableS3Options<M, B>);
  /** The Uploader (e.g. for its `part` events); null until installed. */
  readonly uploader: Uploader | null;
}
export { ResumableS3 };
