//! Checksum algorithms, stores that refuse flexible checksums (see src/core/machine/fallback.rs), and what proves
//! the object is the file.
use crate::sim::*;
use resumable_s3::core::checksum::Algorithm;
use resumable_s3::core::machine::{Action, Op, OpKind, Range};
use resumable_s3::core::notice::{ChecksumNotice, Notice};
use resumable_s3::core::plan::MIB;
use resumable_s3::core::s3::{Body, Method};

fn with_checksums(size: u64, algorithm: Algorithm, required: bool) -> Sim {
    let mut spec = spec(size, 2);
    (spec.checksums, spec.checksum_algorithm, spec.checksums_required) = (true, algorithm, required);
    Sim::with(spec)
}

/// A new CRC-64/NVME upload ("auto"), CreateMultipartUpload answered.
fn created(size: u64) -> Sim {
    let mut sim = with_checksums(size, Algorithm::Crc64Nvme, false);
    let create = sim.sends();
    sim.answer(&create[0], answer(200, CREATED));
    sim
}

/// The file: part N is N repeated; CRCs of `algorithm`.
fn crc(algorithm: Algorithm, range: Range) -> u64 {
    let mut hasher = algorithm.hasher();
    hasher.update(&vec![(range.offset / (5 * MIB) + 1) as u8; range.len as usize]);
    hasher.finish()
}

/// The whole CRC (base64) of the 7 MiB test file: 5 MiB of 1s, 2 MiB of 2s.
fn whole_7_mib(algorithm: Algorithm) -> String {
    let mut hasher = algorithm.hasher();
    hasher.update(&vec![1u8; 5 * MIB as usize]);
    hasher.update(&vec![2u8; 2 * MIB as usize]);
    algorithm.to_base64(hasher.finish())
}

fn checksum_notices(sim: &mut Sim) -> Vec<ChecksumNotice> {
    let notices = sim.up.take_notices().into_iter();
    notices.filter_map(|n| if let Notice::Checksums(c) = n { Some(c) } else { None }).collect()
}

fn b2_refusal(header: &str) -> String {
    format!("<Error><Code>InvalidArgument</Code><Message>Unsupported header '{header}' received for this API call.</Message></Error>")
}

fn body(op: &Op) -> &str {
    match &op.request.body {
        Body::Xml(xml) => xml,
        _ => "",
    }
}

/// Sends every part (answering their CRCs) and confirms them; returns Complete.
fn send_all_parts(sim: &mut Sim, algorithm: Algorithm) -> Op {
    let parts = sim.sends_checksummed(|r| crc(algorithm, r));
    for op in &parts {
        sim.answer(op, part_ok(part_of(op).number));
    }
    let complete = sim.sends();
    assert_eq!(complete[0].kind, OpKind::Complete);
    complete.into_iter().next().unwrap()
}

#[test]
fn crc32c_parts_and_the_whole_object_carry_crc32c() {
    let mut sim = with_checksums(7 * MIB, Algorithm::Crc32C, false);
    let create = sim.sends();
    assert_eq!(header(&create[0], "x-amz-checksum-algorithm"), Some("CRC32C"));
    sim.answer(&create[0], answer(200, CREATED));
    let parts = sim.sends_checksummed(|r| crc(Algorithm::Crc32C, r));
    let first = crc(Algorithm::Crc32C, Range { offset: 0, len: 5 * MIB });
    assert_eq!(header(&parts[0], "x-amz-checksum-crc32c"), Some(Algorithm::Crc32C.to_base64(first).as_str()));
    assert_eq!(header(&parts[0], "x-amz-checksum-crc64nvme"), None);
    for op in &parts {
        sim.answer(op, part_ok(part_of(op).number));
    }
    let complete = sim.sends().remove(0);
    let whole = whole_7_mib(Algorithm::Crc32C);
    assert_eq!(header(&complete, "x-amz-checksum-crc32c"), Some(whole.as_str()));
    assert!(body(&complete).contains("<ChecksumCRC32C>"), "{}", body(&complete));
    let done = format!("<CompleteMultipartUploadResult><ETag>e</ETag><ChecksumCRC32C>{whole}</ChecksumCRC32C><ChecksumType>FULL_OBJECT</ChecksumType></CompleteMultipartUploadResult>");
    sim.answer(&complete, answer(200, &done));
    assert_eq!(sim.up.outcome().unwrap().as_ref().unwrap().checksum_algorithm.as_deref(), Some("CRC32C"));
}

#[test]
fn a_store_refusing_checksums_at_create_gets_the_upload_without_them_and_the_app_is_told() {
    let mut sim = with_checksums(7 * MIB, Algorithm::Crc64Nvme, false);
    let create = sim.sends();
    sim.answer(&create[0], answer(400, &b2_refusal("x-amz-checksum-algorithm")));
    let notices = checksum_notices(&mut sim);
    assert_eq!(notices.len(), 1);
    assert_eq!((notices[0].status, notices[0].algorithm.as_str()), ("disabled", "CRC64NVME"));
    assert!(notices[0].message.contains("Unsupported header"), "{}", notices[0].message);
    let again = sim.sends();
    assert_eq!(again[0].kind, OpKind::Create);
    assert_eq!(header(&again[0], "x-amz-checksum-algorithm"), None);
    sim.answer(&again[0], answer(200, CREATED));
    let parts = sim.sends();
    assert_eq!(numbers(&parts), [1, 2], "no CRC is read first");
    assert!(parts.iter().all(|p| p.request.headers.iter().all(|(n, _)| !n.starts_with("x-amz-checksum"))));
    for op in &parts {
        sim.answer(op, part_ok(part_of(op).number));
    }
    let complete = sim.sends().remove(0);
    assert!(!body(&complete).contains("Checksum") && header(&complete, "x-amz-checksum-type").is_none());
    sim.answer(&complete, answer(200, COMPLETED));
    assert_eq!(sim.up.outcome().unwrap().as_ref().unwrap().checksum_algorithm, None);
}

#[test]
fn refusals_of_r2_and_minio_are_501_not_implemented() {
    let mut sim = with_checksums(MIB, Algorithm::Crc64Nvme, false);
    let create = sim.sends();
    sim.answer(&create[0], error(501, "NotImplemented"));
    assert_eq!(header(&sim.sends()[0], "x-amz-checksum-algorithm"), None);
}

#[test]
fn required_checksums_fail_with_checksums_unsupported_naming_the_fix() {
    let mut sim = with_checksums(MIB, Algorithm::Crc64Nvme, true);
    let create = sim.sends();
    sim.answer(&create[0], answer(400, &b2_refusal("x-amz-checksum-algorithm")));
    let err = sim.error();
    assert_eq!(err.code, "ChecksumsUnsupported");
    assert!(err.message.contains("checksumAlgorithm") && err.message.contains("'auto'"), "{}", err.message);
}

#[test]
fn gcs_refuses_the_first_checksummed_part_the_upload_is_aborted_and_started_again() {
    let mut sim = created(12 * MIB);
    let parts = sim.sends_checksummed(|r| crc(Algorithm::Crc64Nvme, r));
    assert_eq!(numbers(&parts), [1, 2]);
    sim.answer(&parts[0], error(403, "SignatureDoesNotMatch"));
    let actions = sim.poll();
    assert!(actions.contains(&Action::Abort(parts[1].id)), "the other part in flight is stopped: {actions:?}");
    let sends: Vec<Op> = actions.into_iter().filter_map(|a| if let Action::Send(op) = a { Some(op) } else { None }).collect();
    let discard = sends.iter().find(|op| op.kind == OpKind::Discard).expect("the refused upload is aborted");
    assert_eq!((discard.request.method, discard.request.url.as_str()), (Method::Delete, "http://127.0.0.1:3900/b/k?uploadId=U1"));
    let create = sends.iter().find(|op| op.kind == OpKind::Create).expect("a new upload");
    assert_eq!(header(create, "x-amz-checksum-algorithm"), None);
    sim.answer(&parts[1], error(403, "SignatureDoesNotMatch")); // the stopped part's answer: ignored
    sim.answer(discard, answer(204, ""));
    sim.answer(create, answer(200, "<InitiateMultipartUploadResult><UploadId>U2</UploadId></InitiateMultipartUploadResult>"));
    let parts = sim.sends();
    assert_eq!(numbers(&parts), [1, 2]);
    assert!(parts[0].request.url.ends_with("uploadId=U2") && header(&parts[0], "x-amz-checksum-crc64nvme").is_none());
    assert_eq!(checksum_notices(&mut sim)[0].status, "disabled");
}

#[test]
fn a_signature_refusal_after_a_checksummed_part_was_taken_is_about_the_signature() {
    let mut sim = created(12 * MIB);
    let parts = sim.sends_checksummed(|r| crc(Algorithm::Crc64Nvme, r));
    sim.answer(&parts[0], part_ok(1));
    sim.answer(&parts[1], error(403, "SignatureDoesNotMatch"));
    assert_eq!(sim.error().code, "SignatureDoesNotMatch");
}

#[test]
fn gcs_refuses_a_checksummed_complete_with_412_unless_the_key_must_not_exist() {
    for overwrite in [true, false] {
        let mut spec = spec(7 * MIB, 2);
        (spec.checksums, spec.overwrite) = (true, overwrite);
        let mut sim = Sim::with(spec);
        let create = sim.sends();
        sim.answer(&create[0], answer(200, CREATED));
        let complete = send_all_parts(&mut sim, Algorithm::Crc64Nvme);
        sim.answer(&complete, error(412, "PreconditionFailed"));
        if overwrite {
            let kinds: Vec<OpKind> = sim.sends().iter().map(|op| op.kind).collect();
            assert_eq!(kinds, [OpKind::Discard, OpKind::Create]);
        } else {
            assert_eq!(sim.error().code, "ObjectExists", "If-None-Match's 412: the key exists");
        }
    }
}

#[test]
fn head_object_asks_for_checksums_only_with_them_and_drops_the_header_a_store_refuses() {
    let mut spec = spec(MIB, 2);
    spec.resume = true;
    let mut sim = Sim::with(spec.clone());
    let find = sim.sends();
    sim.answer(&find[0], answer(200, NO_UPLOADS));
    let head = sim.sends();
    assert_eq!((head[0].kind, header(&head[0], "x-amz-checksum-mode")), (OpKind::HeadObject, None), "checksums off");

    spec.checksums = true;
    let mut sim = Sim::with(spec);
    let find = sim.sends();
    sim.answer(&find[0], answer(200, NO_UPLOADS));
    let head = sim.sends();
    assert_eq!(header(&head[0], "x-amz-checksum-mode"), Some("ENABLED"));
    sim.answer(&head[0], answer(400, "")); // B2: HEAD errors have no body
    let again = sim.sends();
    assert_eq!((again[0].kind, header(&again[0], "x-amz-checksum-mode")), (OpKind::HeadObject, None));
    sim.answer(&again[0], answer(404, ""));
    let create = sim.sends();
    assert_eq!(header(&create[0], "x-amz-checksum-algorithm"), Some("CRC64NVME"), "the upload keeps its checksums");
}

#[test]
fn only_a_matching_full_object_checksum_sets_the_results_algorithm() {
    let cases = [
        ("<ChecksumType>FULL_OBJECT</ChecksumType>", true, Some("CRC64NVME")),
        ("", true, None),                                          // a store that takes the headers and says nothing
        ("<ChecksumType>COMPOSITE</ChecksumType>", true, None),    // a CRC of the parts' CRCs
        ("<ChecksumType>FULL_OBJECT</ChecksumType>", false, None), // another object's CRC
    ];
    for (checksum_type, same, expected) in cases {
        let mut sim = created(7 * MIB);
        let complete = send_all_parts(&mut sim, Algorithm::Crc64Nvme);
        checksum_notices(&mut sim);
        let value = if same { whole_7_mib(Algorithm::Crc64Nvme) } else { Algorithm::Crc64Nvme.to_base64(42) };
        let done = format!("<CompleteMultipartUploadResult><ETag>e</ETag><ChecksumCRC64NVME>{value}</ChecksumCRC64NVME>{checksum_type}</CompleteMultipartUploadResult>");
        sim.answer(&complete, answer(200, &done));
        let result = sim.up.outcome().unwrap().as_ref().unwrap().clone();
        assert_eq!(result.checksum_algorithm.as_deref(), expected, "{checksum_type} same={same}");
        let notices = checksum_notices(&mut sim);
        assert_eq!(notices.iter().map(|n| n.status).collect::<Vec<_>>(), if expected.is_some() { vec![] } else { vec!["unverified"] });
    }
}

#[test]
fn resume_keeps_only_parts_checksummed_with_this_uploads_algorithm() {
    let mut spec = spec(12 * MIB, 2);
    (spec.checksums, spec.checksum_algorithm, spec.resume, spec.known_upload_id) = (true, Algorithm::Crc32C, true, Some("U1".into()));
    let mut sim = Sim::with(spec);
    let list = sim.sends();
    assert_eq!(list[0].kind, OpKind::ListParts);
    let part1 = Range { offset: 0, len: 5 * MIB };
    let listed = format!(
        "<ListPartsResult><IsTruncated>false</IsTruncated>\
         <Part><PartNumber>1</PartNumber><ETag>\"a\"</ETag><Size>{}</Size><ChecksumCRC64NVME>{}</ChecksumCRC64NVME></Part>\
         <Part><PartNumber>2</PartNumber><ETag>\"b\"</ETag><Size>{}</Size><ChecksumCRC32C>{}</ChecksumCRC32C></Part></ListPartsResult>",
        5 * MIB,
        Algorithm::Crc64Nvme.to_base64(crc(Algorithm::Crc64Nvme, part1)),
        5 * MIB,
        Algorithm::Crc32C.to_base64(crc(Algorithm::Crc32C, Range { offset: 5 * MIB, len: 5 * MIB })),
    );
    sim.answer(&list[0], answer(200, &listed));
    let sent = sim.sends_checksummed(|r| crc(Algorithm::Crc32C, r));
    assert_eq!(numbers(&sent), [1, 3], "part 2 (CRC32C, matching) is kept; part 1 (CRC-64/NVME) is sent again");
}

#[test]
fn an_empty_file_refused_its_checksum_is_put_again_with_content_md5() {
    let mut sim = with_checksums(0, Algorithm::Crc64Nvme, false);
    let put = sim.sends();
    assert_eq!((put[0].kind, header(&put[0], "x-amz-checksum-crc64nvme")), (OpKind::PutEmpty, Some("AAAAAAAAAAA=")));
    sim.answer(&put[0], answer(400, &b2_refusal("x-amz-checksum-crc64nvme")));
    let again = sim.sends();
    assert_eq!((again[0].kind, header(&again[0], "x-amz-checksum-crc64nvme")), (OpKind::PutEmpty, None));
    assert!(header(&again[0], "content-md5").is_some(), "Object Lock buckets still get a checksum");
    assert_eq!(checksum_notices(&mut sim)[0].status, "disabled");
}
