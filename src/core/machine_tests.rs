//! Scripted runs of the state machine: answers are fed in by hand, in any order, like a real network would.
use super::*;
use crate::core::plan::MIB;
use crate::core::s3::Body;

fn spec(size: u64, concurrency: usize) -> UploadSpec {
    UploadSpec {
        endpoint: Endpoint { url: "http://127.0.0.1:3900".into(), region: "us-east-1".into(), force_path_style: true },
        object: Object { bucket: "b".into(), key: "k".into() },
        content_type: None,
        plan: PartPlan::new(size, Some(5 * MIB)).unwrap(),
        concurrency,
    }
}

fn ok(body: &str) -> Result<Response, TransportError> {
    Ok(Response { status: 200, headers: vec![], body: body.into() })
}

fn part_ok(number: u32) -> Result<Response, TransportError> {
    Ok(Response { status: 200, headers: vec![("etag".into(), format!("\"etag-{number}\""))], body: String::new() })
}

const CREATED: &str = "<InitiateMultipartUploadResult><UploadId>U1</UploadId></InitiateMultipartUploadResult>";
const COMPLETED: &str = "<CompleteMultipartUploadResult><Location>http://x/b/k</Location><ETag>\"final-3\"</ETag></CompleteMultipartUploadResult>";

fn part_numbers(ops: &[Op]) -> Vec<u32> {
    ops.iter().map(|op| match op.kind { OpKind::Part(p) => p.number, _ => 0 }).collect()
}

/// Starts an upload and answers CreateMultipartUpload.
fn created(size: u64, concurrency: usize) -> Upload {
    let mut up = Upload::new(spec(size, concurrency));
    let ops = up.poll();
    assert_eq!(ops.len(), 1);
    assert_eq!(ops[0].kind, OpKind::Create);
    up.on_response(OpKind::Create, ok(CREATED));
    up
}

#[test]
fn uploads_with_bounded_concurrency_and_completes_in_ascending_order() {
    let mut up = created(12 * MIB, 2);
    let first = up.poll();
    assert_eq!(part_numbers(&first), [1, 2]);
    assert!(up.poll().is_empty(), "never more than 2 in flight");
    assert!(first[0].request.url.ends_with("?partNumber=1&uploadId=U1"));
    assert_eq!(first[1].request.body, Body::FileRange { offset: 5 * MIB, len: 5 * MIB });

    // Part 2 answers first; part 3 takes its slot.
    up.on_response(first[1].kind, part_ok(2));
    let next = up.poll();
    assert_eq!(part_numbers(&next), [3]);
    up.on_response(next[0].kind, part_ok(3));
    assert!(up.poll().is_empty(), "part 1 is still in flight: no Complete yet");
    up.on_response(first[0].kind, part_ok(1));

    let complete = up.poll();
    assert_eq!(complete.len(), 1);
    assert_eq!(complete[0].kind, OpKind::Complete);
    let Body::Xml(body) = &complete[0].request.body else { panic!("xml body") };
    let order: Vec<_> = ["etag-1", "etag-2", "etag-3"].iter().map(|e| body.find(e).unwrap()).collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{body}");
    assert_eq!(up.progress().bytes_confirmed, 12 * MIB);

    up.on_response(OpKind::Complete, ok(COMPLETED));
    let result = up.outcome().unwrap().as_ref().unwrap();
    assert_eq!((result.etag.as_str(), result.size, result.upload_id.as_deref()), ("\"final-3\"", 12 * MIB, Some("U1")));
    assert!(up.poll().is_empty());
}

#[test]
fn an_empty_file_is_one_put_object() {
    let mut up = Upload::new(spec(0, 4));
    let ops = up.poll();
    assert_eq!(ops.len(), 1);
    assert_eq!((ops[0].kind, &ops[0].request.body), (OpKind::PutEmpty, &Body::Empty));
    assert!(up.poll().is_empty());
    up.on_response(OpKind::PutEmpty, part_ok(1));
    let result = up.outcome().unwrap().as_ref().unwrap();
    assert_eq!((result.size, result.upload_id.as_deref(), result.location.as_str()), (0, None, "http://127.0.0.1:3900/b/k"));
}

#[test]
fn progress_counts_bytes_on_the_wire_and_confirmed_bytes() {
    let mut up = created(8 * MIB, 2);
    let ops = up.poll();
    up.on_part_progress(part_of(&ops[0]), MIB);
    up.on_part_progress(part_of(&ops[1]), 10 * MIB); // more than the part: clamped
    let p = up.progress();
    assert_eq!((p.bytes_sent, p.bytes_confirmed, p.total_bytes), (MIB + 3 * MIB, 0, 8 * MIB));
    up.on_response(ops[0].kind, part_ok(1));
    up.on_part_progress(part_of(&ops[0]), 2 * MIB); // late event of a finished part: ignored
    assert_eq!(up.progress().bytes_sent, 8 * MIB);
    assert_eq!(up.progress().bytes_confirmed, 5 * MIB);
}

fn part_of(op: &Op) -> Part {
    match op.kind {
        OpKind::Part(p) => p,
        _ => panic!("not a part"),
    }
}

#[test]
fn a_missing_bucket_fails_with_its_code() {
    let mut up = Upload::new(spec(MIB, 1));
    up.poll();
    let answer = Response { status: 404, headers: vec![], body: "<Error><Code>NoSuchBucket</Code><Message>no</Message></Error>".into() };
    up.on_response(OpKind::Create, Ok(answer));
    let err = up.outcome().unwrap().as_ref().unwrap_err();
    assert_eq!(err.code, "NoSuchBucket");
    assert!(up.poll().is_empty());
}

#[test]
fn a_hidden_etag_fails_with_the_cors_fix() {
    let mut up = created(MIB, 1);
    let ops = up.poll();
    up.on_response(ops[0].kind, ok(""));
    let err = up.outcome().unwrap().as_ref().unwrap_err();
    assert_eq!(err.code, "CorsEtagHidden");
    assert!(err.message.contains("ExposeHeaders"));
}

#[test]
fn no_answer_is_a_network_error_and_later_answers_are_ignored() {
    let mut up = created(12 * MIB, 2);
    let ops = up.poll();
    up.on_response(ops[0].kind, Err("Failed to fetch".into()));
    assert_eq!(up.outcome().unwrap().as_ref().unwrap_err().code, "NetworkError");
    up.on_response(ops[1].kind, part_ok(2));
    assert_eq!(up.outcome().unwrap().as_ref().unwrap_err().code, "NetworkError");
    assert!(up.poll().is_empty());
}

#[test]
fn an_error_answered_with_200_at_complete_fails() {
    let mut up = created(MIB, 1);
    let ops = up.poll();
    up.on_response(ops[0].kind, part_ok(1));
    up.poll();
    up.on_response(OpKind::Complete, ok("<Error><Code>InvalidPart</Code><Message>m</Message></Error>"));
    assert_eq!(up.outcome().unwrap().as_ref().unwrap_err().code, "InvalidPart");
}
