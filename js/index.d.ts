// resumable-s3: resumable multipart uploads from the browser straight to S3 (or any S3-compatible store).

/** Temporary credentials from your backend (e.g. STS AssumeRole). Never stored by the library. */
export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string | null;
  /** When they expire (Date, ISO 8601 string or epoch milliseconds); the library asks again 5 minutes before. */
  expiration?: Date | string | number | null;
}

/** A request the library is about to send, for backend-signed mode (`sign`). */
export interface UnsignedRequest {
  method: "GET" | "HEAD" | "PUT" | "POST" | "DELETE";
  /** The full URL, query included. */
  url: string;
  /** Lowercase names; always `x-amz-content-sha256: UNSIGNED-PAYLOAD`, plus content-type and checksum headers
   *  where they apply. The browser sets `host` itself. */
  headers: Record<string, string>;
}

/** What `sign` returns: the headers to send (with `authorization`, `x-amz-date`, `x-amz-security-token`…),
 *  and optionally another URL (e.g. a presigned one, with the signature in the query). */
export interface SignedRequest {
  headers: Record<string, string>;
  url?: string;
}

/** How the object is made, as CreateMultipartUpload and PutObject take it (the same names as `@aws-sdk/client-s3`'s
 *  params, camelCased). Give them to `start()`, or to `new Uploader()` as defaults that `start()` overrides, each
 *  option whole. Every value is checked before any request (an `InvalidOptions` error says what is wrong). Headers
 *  are signed like the rest, and a resumed upload is continued only if it was made with the same options. */
export interface ObjectOptions {
  /** `x-amz-meta-<name>`. Names are HTTP header names (S3 stores them lower-case); names and values together at
   *  most 2 KB. Values with non-ASCII characters are sent RFC 2047-encoded (`=?UTF-8?B?…?=`), as S3 stores and
   *  returns them. */
  metadata?: Record<string, string>;
  cacheControl?: string;
  /** Printable ASCII: for any file name use `contentDisposition(name)` (RFC 6266 `filename*`). */
  contentDisposition?: string;
  contentEncoding?: string;
  contentLanguage?: string;
  /** Sent as an HTTP date. */
  expires?: Date | string | number;
  /** `{ project: "blue" }` or `"project=blue&team=a"` (URL-encoded): at most 10 tags, keys of 1–128 and values of
   *  up to 256 characters (letters, digits, spaces and `+ - = . _ : / @`). `x-amz-tagging`; needs `s3:PutObjectTagging`. */
  tagging?: Record<string, string> | string;
  /** A canned ACL (`x-amz-acl`); needs `s3:PutObjectAcl`, and a bucket whose Object Ownership allows ACLs. */
  acl?: "private" | "public-read" | "public-read-write" | "authenticated-read" | "aws-exec-read" | "bucket-owner-read" | "bucket-owner-full-control";
  /** `x-amz-storage-class`: one of S3's classes (STANDARD, STANDARD_IA, INTELLIGENT_TIERING, GLACIER_IR, …). */
  storageClass?: string;
  serverSideEncryption?: "AES256" | "aws:kms" | "aws:kms:dsse";
  /** The KMS key (id, ARN or alias) for `aws:kms` / `aws:kms:dsse`. */
  sseKmsKeyId?: string;
  /** S3 Bucket Key for `aws:kms`. */
  bucketKeyEnabled?: boolean;
  /** SSE-C: your 256-bit key in base64. Every UploadPart, ListParts and CompleteMultipartUpload repeats it (with
   *  its MD5); it is never stored (the resume record holds only a checksum of its MD5). Reading the object needs
   *  the same key. */
  sseCustomerKey?: string;
  /** `x-amz-expected-bucket-owner` on every request: a 12-digit account id. */
  expectedBucketOwner?: string;
  /** `x-amz-request-payer` on every request, for requester-pays buckets. */
  requestPayer?: "requester";
  /** Any other header CreateMultipartUpload / PutObject take (e.g. `x-amz-grant-read`,
   *  `x-amz-website-redirect-location`); refused if the library or one of the options above sets it. */
  headers?: Record<string, string>;
}

interface CommonOptions extends ObjectOptions {
  /** e.g. "https://s3.eu-west-1.amazonaws.com" or "http://127.0.0.1:3900". */
  endpoint: string;
  region: string;
  bucket: string;
  /** endpoint/bucket/key instead of bucket.endpoint/key (most S3-compatible stores). Default false. Path style is
   *  used anyway where a virtual host cannot work: an IP address or localhost endpoint, and over https a bucket name
   *  with dots, uppercase letters or underscores (the store's wildcard certificate does not cover it). */
  forcePathStyle?: boolean;
  /** Bytes per part; raised to max(minPartSize, size / 10,000) when smaller. Default: that minimum. */
  partSize?: number;
  /** The store's smallest part. S3 rejects parts under 5 MiB (the default); only lower it for stores that
   *  accept smaller parts (e.g. in tests). */
  minPartSize?: number;
  /** Parts in flight at once, shared by every file of this Uploader (halved for a while when S3 throttles). Default 4,
   *  at most 16: a browser opens 6 connections to one host over HTTP/1.1 (S3's protocol), and parts beyond them wait
   *  in the browser, signed, until a connection is free. */
  concurrency?: number;
  /** A part that makes no progress for this long is aborted and sent again, counted from its first bytes on the
   *  wire (a part the browser holds back for a free connection is not stalled). Default 30000. */
  stallTimeoutMs?: number;
  /** How long the `credentials` or `sign` callback may take to settle: one that does not counts as a failed
   *  callback (retried like the network; the upload fails with CredentialsFailed / SigningFailed only if the
   *  store was never reached). Default 30000. */
  callbackTimeoutMs?: number;
  /** Server errors (500, 503, RequestTimeout…) tolerated per request before the upload fails. Network failures
   *  have no limit once the server has answered once: the upload waits for the network. Default 10. */
  serverRetries?: number;
  /** A CRC (checksumAlgorithm) on every part, and S3 checks the whole object's at Complete (FULL_OBJECT).
   *  - "auto" (the default; `true` is the same): a store that refuses flexible checksums (Backblaze B2, Google Cloud
   *    Storage's XML API, R2 before 2025-07, MinIO before 2025-02) refuses the first checksummed request; that
   *    upload is aborted and started again without checksums, a `checksums` event says so, and the result has
   *    checksumAlgorithm: null. Only the first request is lost (for GCS: the first parts in flight).
   *  - "required": that refusal fails the upload with ChecksumsUnsupported instead.
   *  - false / "off": no checksums (the result says checksumAlgorithm: null; resume cannot check listed parts
   *    without a local record, so it sends them again). */
  checksums?: boolean | "auto" | "required" | "off";
  /** "CRC64NVME" (default), "CRC32C" or "CRC32": for stores that support one and not another (MinIO before
   *  2025-02 has CRC32 and CRC32C only). An unfinished upload is resumed only if it used the same algorithm. */
  checksumAlgorithm?: "CRC64NVME" | "CRC32C" | "CRC32";
  /** Continue an unfinished upload of the same file and key (IndexedDB, else ListMultipartUploads, then
   *  ListParts), keeping only the parts whose checksum matches the file. Default true. */
  resume?: boolean;
  /** When a different object is already at the key: replace it ("overwrite", the default) or reject with
   *  ObjectExists ("error"). The same file (same size and CRC-64/NVME) is never sent again. */
  ifExists?: "overwrite" | "error";
  /** Run slicing, checksums and signing in a dedicated Web Worker, so even a 50 GB upload never blocks the
   *  page. Callbacks and events still run on the page. Default false. */
  worker?: boolean;
}

/** Sign in the browser with temporary credentials from your backend. */
export interface CredentialsOptions extends CommonOptions {
  /** Called before the first request and again before the credentials expire. */
  credentials: () => Credentials | Promise<Credentials>;
  sign?: never;
}

/** Backend-signed mode: your backend signs every request; the browser never holds a secret. */
export interface SignOptions extends CommonOptions {
  sign: (request: UnsignedRequest) => SignedRequest | Promise<SignedRequest>;
  credentials?: never;
}

export type UploaderOptions = CredentialsOptions | SignOptions;

export interface UploadProgress {
  /** Confirmed bytes plus bytes the browser has sent of parts in flight; never decreases. */
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
  /** Waiting for a free slot: other files of this Uploader use every one. */
  | { state: "queued" }
  | { state: "uploading" }
  | { state: "paused" }
  | { state: "cancelling" }
  | { state: "waiting-for-network" }
  /** Nothing is on the wire and a request has waited over a second for the `credentials` or `sign` callback
   *  (a callback that does not settle within `callbackTimeoutMs` is asked again). */
  | { state: "waiting-for-credentials" }
  /** The next try is at `nextTryAt` (epoch ms) after `errorCode`. */
  | { state: "retrying"; nextTryAt: number; errorCode: string }
  | { state: "done" }
  | { state: "failed"; errorCode: string };

/** A part S3 holds: sent now, or kept from an earlier unfinished upload (`resumed`). */
export interface PartEvent {
  partNumber: number;
  size: number;
  /** The part's CRC (base64, of checksumAlgorithm) as S3 confirmed it; null without checksums. */
  checksum: string | null;
  resumed: boolean;
  /** Parts S3 holds now, and parts in all. */
  partsDone: number;
  totalParts: number;
}

/** A failed request: retried (`retryable`), or the end of the upload. */
export interface ErrorEvent {
  code: string;
  message: string;
  retryable: boolean;
  /** As on UploadError. */
  requestId?: string;
  status?: number;
}

/** The checksums did not do what they were asked to: `disabled`, the store refused them and the upload started
 *  again without them (checksums: "auto"); `unverified`, the store took them but reported no FULL_OBJECT checksum
 *  equal to the file's (some stores accept the headers and check nothing), so checksumAlgorithm is null. */
export interface ChecksumsEvent {
  status: "disabled" | "unverified";
  algorithm: "CRC64NVME" | "CRC32C" | "CRC32";
  message: string;
}

/** Something to know that does not stop the upload. `StorageUnavailable`: IndexedDB is missing, refused or did
 *  not answer within 5 s, so this upload is not remembered across reloads (it goes on without). */
export interface WarningEvent {
  code: "StorageUnavailable";
  message: string;
}

export interface UploadEvents {
  progress: UploadProgress;
  state: UploadState;
  part: PartEvent;
  error: ErrorEvent;
  checksums: ChecksumsEvent;
  warning: WarningEvent;
}

export interface UploadOptions extends ObjectOptions {
  /** The object key, exactly as given (spaces, +, %, ?, #, unicode, //, a leading / are all kept). Rejected with
   *  InvalidKey before any request: a "." or ".." path segment (browsers remove it from the URL), over 1,024
   *  bytes of UTF-8. */
  key: string;
  /** Default: the file's type, if it has one. Printable ASCII only (a MIME type), else InvalidOptions. */
  contentType?: string;
  /** Aborting it is `cancel()`: the upload is removed from the server and `done` rejects with code `Cancelled`. */
  signal?: AbortSignal;
  onProgress?: (progress: UploadProgress) => void;
  onState?: (state: UploadState) => void;
  onPart?: (part: PartEvent) => void;
  onError?: (error: ErrorEvent) => void;
  onChecksums?: (event: ChecksumsEvent) => void;
  onWarning?: (warning: WarningEvent) => void;
}

export interface UploadResult {
  bucket: string;
  key: string;
  etag: string;
  size: number;
  location: string;
  /** null for an empty file (sent with one PutObject). */
  uploadId: string | null;
  /** The algorithm ("CRC64NVME", "CRC32C", "CRC32") only when S3 reported a FULL_OBJECT checksum equal to the
   *  file's (it checked every part and the whole object); null without checksums or without that proof (a
   *  `checksums` event then says why). */
  checksumAlgorithm: "CRC64NVME" | "CRC32C" | "CRC32" | null;
  /** The whole object's checksum (base64) as S3 reported it. */
  checksum: string | null;
  /** Parts of an earlier unfinished upload that matched the file and were not sent again. */
  resumedParts: number;
  /** The same file was already at the key (same size and checksum): nothing was sent. Never with object options
   *  (the object there may have been made with other ones). */
  alreadyUploaded: boolean;
  /** As S3 returned them (`x-amz-version-id`, `x-amz-server-side-encryption`, `x-amz-checksum-type`); null when
   *  it did not, or when the bucket's CORS rule does not list them in ExposeHeaders. */
  versionId: string | null;
  serverSideEncryption: string | null;
  checksumType: string | null;
}

/** What an upload rejects with: `code` is S3's error code or one of ours (CorsEtagHidden, NetworkError,
 *  InvalidOptions, InvalidCredentials, CredentialsFailed, SigningFailed, FileTooLarge, FileUnreadable, FileChanged, Cancelled,
 *  Stopped, ObjectExists, MalformedResponse, Stalled, WorkerFailed, ChecksumsUnsupported, InvalidKey, BrowserRefused, StorageUnavailable); `message` says what to fix.
 *  FileUnreadable, FileChanged: the file was removed or changed on disk after it was chosen: choose it again.
 *  ChecksumsUnsupported: checksums: "required" and the store refuses them (choose another checksumAlgorithm, or
 *  "auto"); InvalidKey: the key has a "." or ".." segment or is over 1,024 bytes (before any request); a wrong
 *  endpoint (a path after the host, the bucket in the host, another AWS region than `region`) is InvalidOptions.
 *  InvalidOptions also covers unknown option names (a typo), a contentType that is not printable ASCII and a
 *  concurrency above 16. BrowserRefused: the browser threw while a request was built (e.g. a header value from the
 *  sign callback it refuses): not retried. StorageUnavailable only reaches `warning` events.
 *  Stalled only reaches `error` events (the request is sent again). */
export interface UploadError extends Error {
  name: "UploadError";
  code: string;
  /** S3's `x-amz-request-id` of the answer that failed (the bucket's CORS rule must expose it): what an operator or
   *  AWS support needs to find the request. */
  requestId?: string;
  /** The HTTP status of that answer; absent when no answer came (network, callbacks, local checks). */
  status?: number;
}

/** One file's upload. */
export interface UploadHandle {
  readonly file: Blob;
  readonly key: string;
  /** Resolves to the result, or rejects with an UploadError (code `Cancelled` after `cancel()`). */
  readonly done: Promise<UploadResult>;
  /** The latest progress and state. */
  readonly progress: UploadProgress;
  readonly state: UploadState;
  /** Listens to one kind of event; returns a function that stops listening. */
  on<K extends keyof UploadEvents>(type: K, listener: (event: UploadEvents[K]) => void): () => void;
  off<K extends keyof UploadEvents>(type: K, listener: (event: UploadEvents[K]) => void): void;
  /** Stops the parts in flight and sends nothing until `resume()`; finished parts are kept. */
  pause(): void;
  resume(): void;
  /** Removes the upload from the server, finished parts included (AbortMultipartUpload, repeated until
   *  ListParts shows it is gone). A Complete already in flight wins. */
  cancel(): void;
}

/** A Content-Disposition value for any file name (RFC 6266): `attachment; filename="<ASCII fallback>";
 *  filename*=UTF-8''<percent-encoded name>`. `type` is "attachment" (the default) or "inline". */
export declare function contentDisposition(filename: string, type?: "attachment" | "inline"): string;

/** Uploads files to one bucket with S3 multipart uploads that survive network loss, reloads and crashes. */
export declare class Uploader {
  /** Throws an UploadError with code InvalidOptions at once (before the wasm loads) for an unknown option name or a
   *  setting of the wrong type or outside its values; the endpoint/bucket rules and the object options' values are
   *  checked by the core and reject each upload's `done`, before any request. */
  constructor(options: UploaderOptions);
  /** Starts uploading `file` to `options.key` (more files can be started at any time: they share `concurrency`).
   *  The same file (the same Blob, or a File with the same name, size, modification time and type) started again
   *  to the same key while it uploads gets the running upload's handle, with the new callbacks added. Across tabs
   *  of one origin, a Web Lock makes a second upload of the same file to the same object wait for the first, which
   *  it then finds done (`alreadyUploaded`, with checksums) or resumes. Throws an UploadError with code
   *  InvalidOptions at once when `file` is not a File or Blob. */
  start(file: Blob, options: UploadOptions): UploadHandle;
  /** `start(file, options).done` (rejects, never throws). */
  upload(file: Blob, options: UploadOptions): Promise<UploadResult>;
  /** Events of every upload of this Uploader; the listener also gets the upload's handle. */
  on<K extends keyof UploadEvents>(type: K, listener: (event: UploadEvents[K], upload: UploadHandle) => void): () => void;
  off<K extends keyof UploadEvents>(type: K, listener: (event: UploadEvents[K], upload: UploadHandle) => void): void;
  /** Uploads started and not finished yet. */
  readonly uploads: readonly UploadHandle[];
  /** Ends every upload without removing it from the server (their `done` rejects with code `Stopped`; the same
   *  file resumes where it stopped when uploaded again) and, in worker mode, ends the worker. Call it when the
   *  Uploader is no longer needed, e.g. when a component unmounts; `start()` throws afterwards. */
  destroy(): Promise<void>;
}
