//! Every error code: the library's own, each defined once here (the JS layer's are checked against [`OURS`] by
//! `tests/error_codes.rs`), and S3's codes that the library acts on.

// The library's own codes. A new one goes here and into OURS, and is documented in js/index.d.ts.
/// A request got no readable answer (offline, unreachable endpoint, CORS refusal).
pub const NETWORK_ERROR: &str = "NetworkError";
/// The upload was ended by `Uploader.destroy()`: it stays on the server, to be resumed.
pub const STOPPED: &str = "Stopped";
/// The app cancelled the upload.
pub const CANCELLED: &str = "Cancelled";
/// A different object is at the key (with overwriting off).
pub const OBJECT_EXISTS: &str = "ObjectExists";
/// A part was stored, but the bucket's CORS rules hide its ETag.
pub const CORS_ETAG_HIDDEN: &str = "CorsEtagHidden";
/// A 2xx answer that is not what the action returns.
pub const MALFORMED_RESPONSE: &str = "MalformedResponse";
/// A request made no progress for the stall timeout (retried).
pub const STALLED: &str = "Stalled";
/// `new Uploader(options)` or `start(file, options)` was given something that cannot work.
pub const INVALID_OPTIONS: &str = "InvalidOptions";
/// The file is larger than S3's largest object.
pub const FILE_TOO_LARGE: &str = "FileTooLarge";
/// The file can no longer be read (changed or removed after it was chosen).
pub const FILE_UNREADABLE: &str = "FileUnreadable";
/// The file's bytes changed after the upload started (overwritten on disk): what S3 holds is not one file's.
pub const FILE_CHANGED: &str = "FileChanged";
/// The `credentials` callback threw or rejected.
pub const CREDENTIALS_FAILED: &str = "CredentialsFailed";
/// The `credentials` callback answered something that is not credentials.
pub const INVALID_CREDENTIALS: &str = "InvalidCredentials";
/// The `sign` callback failed or answered something unusable, or signing itself failed.
pub const SIGNING_FAILED: &str = "SigningFailed";
/// The browser threw while a request was built or handed to it (e.g. a header value it refuses): not the network.
pub const BROWSER_REFUSED: &str = "BrowserRefused";
/// A warning, not an error: the browser's storage (IndexedDB) is missing, refused or stuck, so the upload is not
/// remembered across reloads.
pub const STORAGE_UNAVAILABLE: &str = "StorageUnavailable";
/// The upload worker (worker mode) failed to start or crashed.
pub const WORKER_FAILED: &str = "WorkerFailed";
/// `checksums: "required"` and the store refuses flexible checksums (or this algorithm).
pub const CHECKSUMS_UNSUPPORTED: &str = "ChecksumsUnsupported";
/// A key S3 cannot store or a browser cannot address as given (a `.` or `..` segment, over 1,024 bytes).
pub const INVALID_KEY: &str = "InvalidKey";

/// The library's own codes.
pub const OURS: &[&str] = &[
    NETWORK_ERROR,
    STOPPED,
    CANCELLED,
    OBJECT_EXISTS,
    CORS_ETAG_HIDDEN,
    MALFORMED_RESPONSE,
    STALLED,
    INVALID_OPTIONS,
    FILE_TOO_LARGE,
    FILE_UNREADABLE,
    FILE_CHANGED,
    CREDENTIALS_FAILED,
    INVALID_CREDENTIALS,
    SIGNING_FAILED,
    BROWSER_REFUSED,
    STORAGE_UNAVAILABLE,
    WORKER_FAILED,
    CHECKSUMS_UNSUPPORTED,
    INVALID_KEY,
];

// S3's codes that change what the library does (the rest are shown to the app as S3 said them).
pub const ACCESS_DENIED: &str = "AccessDenied";
/// The signing region is not the bucket's; the body's `<Region>` names the right one.
pub const AUTHORIZATION_HEADER_MALFORMED: &str = "AuthorizationHeaderMalformed";
pub const CONDITIONAL_REQUEST_CONFLICT: &str = "ConditionalRequestConflict";
pub const INVALID_PART: &str = "InvalidPart";
pub const METHOD_NOT_ALLOWED: &str = "MethodNotAllowed";
pub const NO_SUCH_UPLOAD: &str = "NoSuchUpload";
pub const NOT_IMPLEMENTED: &str = "NotImplemented";
/// A conflicting operation on the same object or upload is in progress: retry.
pub const OPERATION_ABORTED: &str = "OperationAborted";
pub const PRECONDITION_FAILED: &str = "PreconditionFailed";
/// The bytes S3 got do not match their checksum (a part's, or at Complete the whole object's).
pub const DIGEST_MISMATCH: &[&str] = &["BadDigest", "InvalidDigest", "XAmzContentChecksumMismatch"];
pub const SIGNATURE_DOES_NOT_MATCH: &str = "SignatureDoesNotMatch";
