//! Object options: their headers go on the requests S3 documents them for, an upload made with options is never
//! continued from what the server holds without a record, and the result says what S3 stored.
use crate::sim::*;
use resumable_s3::core::machine::OpKind;
use resumable_s3::core::object_options::{ObjectOptions, ObjectOptionsInput};
use resumable_s3::core::plan::MIB;
use resumable_s3::core::s3::Response;

const KEY: &str = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";

fn with_options(size: u64, resume: bool, checksums: bool) -> Sim {
    let input = ObjectOptionsInput {
        metadata: vec![("a".into(), "1".into())],
        sse_customer_key: Some(KEY.into()),
        expected_bucket_owner: Some("111122223333".into()),
        ..Default::default()
    };
    let mut spec = spec(size, 2);
    spec.object_options = ObjectOptions::new(&input).unwrap();
    (spec.resume, spec.checksums) = (resume, checksums);
    Sim::with(spec)
}

#[test]
fn each_request_carries_the_headers_aws_documents_for_it() {
    let mut sim = with_options(6 * MIB, false, false);
    let create = sim.sends();
    assert_eq!(create[0].kind, OpKind::Create);
    assert_eq!(header(&create[0], "x-amz-meta-a"), Some("1"));
    assert_eq!(header(&create[0], "x-amz-server-side-encryption-customer-key"), Some(KEY));
    sim.answer(&create[0], answer(200, CREATED));
    let parts = sim.sends();
    for part in &parts {
        assert_eq!(header(part, "x-amz-meta-a"), None, "metadata is the object's, given once");
        assert_eq!(header(part, "x-amz-server-side-encryption-customer-key"), Some(KEY), "UploadPart repeats the SSE-C key");
        assert_eq!(header(part, "x-amz-expected-bucket-owner"), Some("111122223333"));
        sim.answer(part, part_ok(part_of(part).number));
    }
    let complete = sim.sends();
    assert_eq!(complete[0].kind, OpKind::Complete);
    assert_eq!(header(&complete[0], "x-amz-server-side-encryption-customer-algorithm"), Some("AES256"));
    let headers = vec![("x-amz-version-id".into(), "v7".into()), ("x-amz-server-side-encryption".into(), "AES256".into())];
    sim.answer(&complete[0], Ok(Response { status: 200, headers, body: COMPLETED.into() }));
    let result = sim.up.outcome().unwrap().as_ref().unwrap();
    assert_eq!((result.version_id.as_deref(), result.server_side_encryption.as_deref()), (Some("v7"), Some("AES256")));
}

#[test]
fn with_object_options_nothing_found_on_the_server_without_a_record_is_adopted() {
    let mut sim = with_options(6 * MIB, true, true);
    let head = sim.sends();
    assert_eq!(head[0].kind, OpKind::HeadObject, "no ListMultipartUploads: its uploads may have other metadata");
    assert_eq!(header(&head[0], "x-amz-server-side-encryption-customer-key"), None, "whatever is at the key may not be SSE-C");
    // The same bytes are at the key already, but with unknown metadata: the object is written again.
    let headers = vec![("content-length".into(), (6 * MIB).to_string()), ("x-amz-checksum-crc64nvme".into(), "AAAAAAAAAAE=".into())];
    sim.answer(&head[0], Ok(Response { status: 200, headers, body: String::new() }));
    assert_eq!(sim.sends()[0].kind, OpKind::Create);
}

#[test]
fn a_record_made_with_other_options_stops_discovery_too() {
    let mut spec = spec(6 * MIB, 2);
    (spec.resume, spec.recorded_otherwise) = (true, true);
    let mut sim = Sim::with(spec);
    assert_eq!(sim.sends()[0].kind, OpKind::HeadObject);
    let mut sim = Sim::options(false, true, 6 * MIB);
    assert_eq!(sim.sends()[0].kind, OpKind::FindUpload, "without options or a record, the server's uploads are listed");
}

#[test]
fn with_sse_c_an_object_head_cannot_read_is_replaced_or_refused() {
    // AWS: HEAD of an SSE-C object without its key is a 400 (the discovery HeadObject carries no key).
    let mut sim = with_options(6 * MIB, true, false);
    let head = sim.sends();
    sim.answer(&head[0], Ok(Response { status: 400, headers: vec![], body: String::new() }));
    assert_eq!(sim.sends()[0].kind, OpKind::Create);
    let input = ObjectOptionsInput { sse_customer_key: Some(KEY.into()), ..Default::default() };
    let mut spec = spec(6 * MIB, 2);
    (spec.object_options, spec.resume, spec.overwrite) = (ObjectOptions::new(&input).unwrap(), true, false);
    let mut sim = Sim::with(spec);
    let head = sim.sends();
    sim.answer(&head[0], Ok(Response { status: 400, headers: vec![], body: String::new() }));
    assert_eq!(sim.error().code, "ObjectExists");
}
