//! Starting afresh: CreateMultipartUpload, or one PutObject for an empty file.
use super::types::OpKind;
use super::{Answer, Phase, Step, Upload};
use crate::core::s3::{self, create_multipart_upload, put_object, Response, S3Error};

impl Upload {
    pub(super) fn create_step(&self) -> Step {
        let (endpoint, object, content_type) = (&self.spec.endpoint, &self.spec.object, self.spec.content_type.as_deref());
        match self.phase {
            Phase::PuttingEmpty => {
                let mut request = put_object::request(endpoint, object, content_type, self.spec.checksum());
                if !self.spec.overwrite {
                    s3::only_if_absent(&mut request);
                }
                Step::Send(OpKind::PutEmpty, request)
            }
            _ => Step::Send(OpKind::Create, create_multipart_upload::request(endpoint, object, content_type, self.spec.checksum())),
        }
    }

    pub(super) fn on_create_answer(&mut self, kind: OpKind, resp: &Response) -> Result<Answer, S3Error> {
        if kind == OpKind::PutEmpty {
            let (etag, stored) = put_object::parse(resp).map_err(|err| self.refused_as_existing(err))?;
            self.finish(etag, String::new(), None, None, None, stored);
            return Ok(Answer::Done);
        }
        let upload_id = match create_multipart_upload::parse(resp) {
            Ok(upload_id) => upload_id,
            Err(err) => {
                // An upload was created all the same: known, it is removed when this failure ends the upload.
                if let Some(upload_id) = create_multipart_upload::unreadable_upload_id(resp) {
                    self.phase = Phase::Uploading { upload_id };
                }
                return Err(err);
            }
        };
        // Cancelled while CreateMultipartUpload was in flight: its upload is removed now that its id is known.
        let cancelled = matches!(self.phase, Phase::Creating { cancel_when_created: true });
        self.phase = match cancelled {
            true => Phase::Cancelling { upload_id, confirming: false, ending: super::cancel::cancelled() },
            false => Phase::Uploading { upload_id },
        };
        Ok(Answer::Done)
    }
}
