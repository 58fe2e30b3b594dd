//! TypeScript types for the JS API (wasm-bindgen writes them into the package's .d.ts), and values handed to JS.
use serde::Serialize;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
/** Temporary credentials from your backend (e.g. STS AssumeRole). Never stored by the library. */
export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string | null;
  /** When they expire (Date, ISO 8601 string or epoch milliseconds); the library asks again 5 minutes before. */
  expiration?: Date | string | number | null;
}

export interface UploaderOptions {
  /** e.g. "https://s3.eu-west-1.amazonaws.com" or "http://127.0.0.1:3900". */
  endpoint: string;
  region: string;
  bucket: string;
  /** endpoint/bucket/key instead of bucket.endpoint/key (most S3-compatible stores). Default false. */
  forcePathStyle?: boolean;
  /** Called for credentials before the first request and again before they expire. */
  credentials: () => Credentials | Promise<Credentials>;
  /** Bytes per part; raised to max(minPartSize, size / 10,000) when smaller. */
  partSize?: number;
  /** The store's smallest part. S3 rejects parts under 5 MiB (the default); only lower it for stores that
   *  accept smaller parts (e.g. in tests). */
  minPartSize?: number;
  /** Parts in flight at once per upload (halved for a while when S3 throttles). Default 4. */
  concurrency?: number;
  /** A part that makes no progress for this long is aborted and sent again. Default 30000. */
  stallTimeoutMs?: number;
  /** Server errors (500, 503, RequestTimeout…) tolerated per request before the upload fails. Network failures
   *  have no limit once the server has answered once: the upload waits for the network. Default 10. */
  serverRetries?: number;
  /** A CRC-64/NVME on every part, and S3 checks the whole object's at Complete. Turn off for stores without
   *  flexible checksums (the result then says checksumAlgorithm: null). Default true. */
  checksums?: boolean;
  /** Continue an unfinished upload of the same key (ListMultipartUploads, then ListParts), keeping only the parts
   *  whose checksum matches the file. Needs s3:ListBucketMultipartUploads; without it, starts afresh. Default true. */
  resume?: boolean;
  /** With resume on, when a different object is already at the key: replace it ("overwrite", the default) or
   *  reject with ObjectExists ("error"). The same file (same size and CRC-64/NVME) is never sent again. */
  ifExists?: "overwrite" | "error";
}

export interface UploadProgress {
  /** Confirmed bytes plus bytes the browser has sent of parts in flight; never decreases (a retried part holds it). */
  bytesSent: number;
  /** Bytes in parts S3 has confirmed. */
  bytesConfirmed: number;
  totalBytes: number;
  /** Bytes per second over the last ~10 s; null until known. */
  speed: number | null;
  /** Seconds left at that speed; null until known. */
  etaSeconds: number | null;
}

export type UploadState =
  | { state: "uploading" }
  | { state: "paused" }
  | { state: "cancelling" }
  | { state: "waiting-for-network" }
  | { state: "retrying"; nextTryAt: number; errorCode: string }
  | { state: "done" }
  | { state: "failed"; errorCode: string };

export interface UploadOptions {
  key: string;
  /** Default: the file's type, if it has one. */
  contentType?: string;
  onProgress?: (progress: UploadProgress) => void;
  /** Called when the state changes: uploading, waiting-for-network, retrying (with the next try's time), done, failed. */
  onState?: (state: UploadState) => void;
}

export interface UploadResult {
  bucket: string;
  key: string;
  etag: string;
  size: number;
  location: string;
  /** null for an empty file (sent with one PutObject). */
  uploadId: string | null;
  /** "CRC64NVME" when S3 checked every part and the whole object; null without checksums. */
  checksumAlgorithm: string | null;
  /** The whole object's CRC-64/NVME (base64) as S3 computed it. */
  checksum: string | null;
  /** Parts of an earlier unfinished upload that matched the file and were not sent again. */
  resumedParts: number;
  /** The same file was already at the key (same size and checksum): nothing was sent. */
  alreadyUploaded: boolean;
}

/** What an upload rejects with: `code` is S3's error code or one of ours (CorsEtagHidden, NetworkError,
 *  InvalidOptions, InvalidCredentials, CredentialsFailed, FileTooLarge, FileUnreadable, Cancelled, ObjectExists); `message` says what to fix. */
export interface UploadError extends Error {
  name: "UploadError";
  code: string;
}
"#;

/// A plain JS object (numbers as numbers, maps as objects).
pub fn to_js<T: Serialize>(value: &T) -> JsValue {
    value.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).unwrap_or(JsValue::UNDEFINED)
}
