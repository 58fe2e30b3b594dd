//! The S3 protocol: one module per action builds its unsigned [`Request`] and parses its [`Response`].
//! Signing ([`sign`]) is separate so that every request is signed just before it is sent, with fresh credentials and time.
pub mod abort_multipart_upload;
pub mod complete_multipart_upload;
pub mod create_multipart_upload;
pub mod error;
pub mod head_object;
pub mod list_multipart_uploads;
pub mod list_parts;
pub mod names;
pub mod put_object;
pub mod sign;
mod stored;
pub mod upload_part;
mod url;
mod xml;

pub use error::S3Error;
pub use stored::Stored;

/// A URL on the store to probe for reachability (the bucket's).
pub fn probe_url(endpoint: &Endpoint, bucket: &str) -> String {
    url::bucket_url(endpoint, bucket)
}

/// The object's URL, as a result's `location`.
pub fn object_location(endpoint: &Endpoint, object: &Object) -> String {
    url::object_url(endpoint, object, &[])
}

/// Makes `request` (CompleteMultipartUpload or PutObject) a conditional write: S3 refuses it with 412
/// PreconditionFailed when an object is already at the key, atomically, where a HeadObject first would race.
/// <https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html>
pub fn only_if_absent(request: &mut Request) {
    request.headers.push(("if-none-match".into(), "*".into()));
}

/// Where the bucket lives and how to address it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    /// `scheme://host[:port]`, e.g. `https://s3.eu-west-1.amazonaws.com` or `http://127.0.0.1:3900`.
    pub url: String,
    pub region: String,
    /// `endpoint/bucket/key` instead of `bucket.endpoint/key` (most S3-compatible stores want this). Used anyway
    /// where virtual hosts cannot work ([`names::needs_path_style`]).
    pub force_path_style: bool,
}

/// An object: the bucket and key every action works on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Object {
    pub bucket: String,
    pub key: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Get,
    Head,
    Post,
    Put,
    Delete,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Head => "HEAD",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
        }
    }
}

/// A request body. A part is a byte range of the file: the shell sends it as a `Blob` slice, so it never enters memory here.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Body {
    Empty,
    Xml(String),
    FileRange { offset: u64, len: u64 },
}

/// An HTTP request as the core describes it; headers hold only what S3 needs (the shell adds what the browser adds).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    pub method: Method,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Body,
}

/// An HTTP response as the browser let us read it: header names lower-case (only those CORS exposes are present).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// The endpoint `http://h` (path style) and object `b/k` the action tests use.
#[cfg(test)]
pub(crate) fn test_target() -> (Endpoint, Object) {
    (Endpoint { url: "http://h".into(), region: "r".into(), force_path_style: true }, Object { bucket: "b".into(), key: "k".into() })
}
