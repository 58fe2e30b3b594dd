//! S3 error answers: `<Error><Code>…</Code><Message>…</Message></Error>`, or a bare status (HEAD has no body).
//! Bodies are read after leading whitespace: a slow CompleteMultipartUpload answers 200 at once, then sends spaces
//! to keep the connection open until its result (or an `<Error>`) is ready.
//! AWS API reference: <https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html>
use super::xml;
use super::Response;
use crate::core::codes;
use roxmltree::{Document, Node};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct S3Error {
    pub status: u16,
    /// S3's error code (`NoSuchBucket`, `SlowDown`, …), or one derived from the status when the body has none.
    pub code: String,
    pub message: String,
    pub request_id: Option<String>,
    /// `ServerTime` of a RequestTimeTooSkewed answer.
    pub server_time: Option<String>,
}

impl S3Error {
    /// The error a failed response carries.
    pub fn from_response(resp: &Response) -> Self {
        let parsed = Document::parse(resp.body.trim_start()).ok();
        match parsed.as_ref().and_then(|doc| xml::root(doc, "Error")) {
            Some(node) => {
                let err = Self::from_node(resp.status, node);
                Self { request_id: err.request_id.clone().or_else(|| request_id(resp)), ..err }
            }
            None => Self {
                status: resp.status,
                code: code_for_status(resp.status).to_string(),
                message: String::new(),
                request_id: request_id(resp),
                server_time: None,
            },
        }
    }

    fn from_node(status: u16, node: Node) -> Self {
        Self {
            status,
            code: xml::text(node, "Code").unwrap_or_else(|| code_for_status(status).to_string()),
            message: xml::text(node, "Message").unwrap_or_default(),
            request_id: xml::text(node, "RequestId"),
            server_time: xml::text(node, "ServerTime"),
        }
    }

    /// An error of the library's own making, or one S3 gave without a body.
    pub fn new(status: u16, code: &str, message: &str) -> Self {
        Self { status, code: code.into(), message: message.into(), request_id: None, server_time: None }
    }

    /// A 2xx answer that is not what the action returns.
    pub fn malformed(resp: &Response, expected: &str) -> Self {
        Self {
            status: resp.status,
            code: codes::MALFORMED_RESPONSE.into(),
            message: format!("expected {expected}, got: {}", resp.body.chars().take(200).collect::<String>()),
            request_id: None,
            server_time: None,
        }
    }
}

/// The region S3 says the bucket is in: `<Region>` of an AuthorizationHeaderMalformed or PermanentRedirect body,
/// or the `x-amz-bucket-region` header.
pub fn named_region(resp: &Response) -> Option<String> {
    let doc = Document::parse(resp.body.trim_start()).ok();
    let from_body = doc.as_ref().and_then(|doc| xml::root(doc, "Error")).and_then(|node| xml::text(node, "Region"));
    from_body.or_else(|| resp.header("x-amz-bucket-region").map(str::to_string)).map(|r| r.trim().to_string()).filter(|r| !r.is_empty())
}

/// S3 names every request in `x-amz-request-id` (readable when the bucket's CORS rule exposes it).
fn request_id(resp: &Response) -> Option<String> {
    resp.header("x-amz-request-id").map(str::to_string)
}

fn code_for_status(status: u16) -> &'static str {
    match status {
        400 => "BadRequest",
        403 => "AccessDenied",
        404 => "NotFound",
        405 => "MethodNotAllowed",
        409 => "Conflict",
        412 => "PreconditionFailed",
        429 => "TooManyRequests",
        500 => "InternalError",
        501 => "NotImplemented",
        503 => "ServiceUnavailable",
        _ => "UnknownError",
    }
}

/// The XML document a successful action answers with, read by `read` from its root `root`.
/// CompleteMultipartUpload can answer 200 with an `<Error>` body: that is an error too.
pub(super) fn parse_xml<T>(resp: &Response, root: &str, read: impl FnOnce(Node) -> Option<T>) -> Result<T, S3Error> {
    if !resp.is_success() {
        return Err(S3Error::from_response(resp));
    }
    let body = xml::readable(resp.body.trim_start());
    let doc = Document::parse(&body).map_err(|_| S3Error::malformed(resp, root))?;
    if let Some(error) = xml::root(&doc, "Error") {
        return Err(S3Error::from_node(resp.status, error));
    }
    xml::root(&doc, root).and_then(read).ok_or_else(|| S3Error::malformed(resp, root))
}

/// An action whose success has no body worth reading.
pub(super) fn expect_success(resp: &Response) -> Result<(), S3Error> {
    if resp.is_success() {
        Ok(())
    } else {
        Err(S3Error::from_response(resp))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_error_body() {
        // From the S3 API reference, "Error responses".
        let body = r#"<?xml version="1.0" encoding="UTF-8"?>
<Error>
  <Code>NoSuchKey</Code>
  <Message>The resource you requested does not exist</Message>
  <Resource>/mybucket/myfoto.jpg</Resource>
  <RequestId>4442587FB7D0A2F9</RequestId>
</Error>"#;
        let err = S3Error::from_response(&Response { status: 404, headers: vec![], body: body.into() });
        assert_eq!(err.code, "NoSuchKey");
        assert_eq!(err.message, "The resource you requested does not exist");
        assert_eq!(err.request_id.as_deref(), Some("4442587FB7D0A2F9"));
    }

    #[test]
    fn reads_server_time_from_a_skew_error() {
        let body = "<Error><Code>RequestTimeTooSkewed</Code><Message>The difference between the request time and the current time is too large.</Message><RequestTime>20260101T000000Z</RequestTime><ServerTime>2026-01-01T00:20:00Z</ServerTime><MaxAllowedSkewMilliseconds>900000</MaxAllowedSkewMilliseconds></Error>";
        let err = S3Error::from_response(&Response { status: 403, headers: vec![], body: body.into() });
        assert_eq!(err.code, "RequestTimeTooSkewed");
        assert_eq!(err.server_time.as_deref(), Some("2026-01-01T00:20:00Z"));
    }

    #[test]
    fn a_bodiless_failure_gets_a_code_from_its_status() {
        let resp = Response { status: 404, headers: vec![("x-amz-request-id".into(), "R1".into())], body: String::new() };
        let err = S3Error::from_response(&resp);
        assert_eq!((err.code.as_str(), err.request_id.as_deref()), ("NotFound", Some("R1")));
    }

    #[test]
    fn names_the_region_s3_says_the_bucket_is_in() {
        let body = "<Error><Code>AuthorizationHeaderMalformed</Code><Message>The authorization header is malformed; the region 'us-east-1' is wrong; expecting 'eu-west-1'</Message><Region>eu-west-1</Region><RequestId>R</RequestId></Error>";
        assert_eq!(named_region(&Response { status: 400, headers: vec![], body: body.into() }).as_deref(), Some("eu-west-1"));
        let headers = vec![("x-amz-bucket-region".into(), "ap-south-1".into())];
        assert_eq!(named_region(&Response { status: 301, headers, body: String::new() }).as_deref(), Some("ap-south-1"));
        assert_eq!(named_region(&Response { status: 400, headers: vec![], body: "<Error><Code>X</Code></Error>".into() }), None);
    }

    #[test]
    fn whitespace_before_the_document_is_what_a_slow_complete_sends() {
        let resp = Response { status: 200, headers: vec![], body: format!("{}<?xml version=\"1.0\"?>\n<R><A>1</A></R>", " \n".repeat(50)) };
        assert_eq!(parse_xml(&resp, "R", |root| xml::text(root, "A")).unwrap(), "1");
        let resp = Response { status: 200, headers: vec![], body: "   \n<Error><Code>InternalError</Code><Message>m</Message></Error>".into() };
        assert_eq!(parse_xml(&resp, "R", |_| Some(())).unwrap_err().code, "InternalError");
    }

    #[test]
    fn an_answer_echoing_a_key_with_control_characters_is_read() {
        // Garage's CreateMultipartUpload answer for the key "odd/ctl\x01\x1f".
        let body =
            "<InitiateMultipartUploadResult><Bucket>demo</Bucket><Key>odd/ctl\u{1}\u{1f}</Key><UploadId>U</UploadId></InitiateMultipartUploadResult>";
        let resp = Response { status: 200, headers: vec![], body: body.into() };
        assert_eq!(parse_xml(&resp, "InitiateMultipartUploadResult", |root| xml::text(root, "UploadId")).unwrap(), "U");
    }

    #[test]
    fn an_error_inside_a_200_is_an_error() {
        let resp = Response {
            status: 200,
            headers: vec![],
            body: "<Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again.</Message></Error>".into(),
        };
        let err = parse_xml(&resp, "CompleteMultipartUploadResult", |_| Some(())).unwrap_err();
        assert_eq!(err.code, "InternalError");
    }
}
