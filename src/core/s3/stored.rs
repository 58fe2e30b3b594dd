//! What S3 says about the object it stored, in the headers of PutObject, CompleteMultipartUpload and HeadObject
//! answers. A browser sees them only when the bucket's CORS rule lists them in `ExposeHeaders`.
use super::Response;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stored {
    /// `x-amz-version-id`: in a versioned bucket, this object's version.
    pub version_id: Option<String>,
    /// `x-amz-server-side-encryption`: how S3 encrypted it (`AES256`, `aws:kms`, `aws:kms:dsse`).
    pub server_side_encryption: Option<String>,
    /// `x-amz-checksum-type`: `FULL_OBJECT` or `COMPOSITE`.
    pub checksum_type: Option<String>,
}

impl Stored {
    pub fn from_headers(resp: &Response) -> Self {
        let header = |name| resp.header(name).map(str::trim).filter(|v| !v.is_empty()).map(str::to_string);
        Self {
            version_id: header("x-amz-version-id"),
            server_side_encryption: header("x-amz-server-side-encryption"),
            checksum_type: header("x-amz-checksum-type"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_documented_headers() {
        let headers = vec![
            ("x-amz-version-id".into(), "3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY+MTRCxf3vjVBH40Nr8X8gdRQBpUMLUo".into()),
            ("X-Amz-Server-Side-Encryption".into(), "aws:kms".into()),
        ];
        let stored = Stored::from_headers(&Response { status: 200, headers, body: String::new() });
        assert_eq!(stored.version_id.as_deref(), Some("3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY+MTRCxf3vjVBH40Nr8X8gdRQBpUMLUo"));
        assert_eq!((stored.server_side_encryption.as_deref(), stored.checksum_type), (Some("aws:kms"), None));
    }
}
