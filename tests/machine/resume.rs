//! Resuming: an unfinished upload of the key is found, its parts that match the file are kept; or the same file is
//! found at the key already; or a new upload starts.
use crate::sim::*;
use resumable_s3::core::machine::{Action, OpKind, Range};
use resumable_s3::core::plan::MIB;
use resumable_s3::core::s3::{Body, Response};

/// A 15 MiB file resumed: S3 holds parts 1 and 3 of an earlier upload of the key.
pub fn resuming(part3_crc: u64) -> Sim {
    let mut sim = Sim::options(true, true, 15 * MIB);
    let find = sim.sends();
    assert_eq!(find[0].kind, OpKind::FindUpload);
    assert!(find[0].request.url.contains("prefix=k&uploads="));
    let uploads = "<ListMultipartUploadsResult><IsTruncated>false</IsTruncated>\
        <Upload><Key>k</Key><UploadId>OLD</UploadId><Initiated>2026-01-01T00:00:00.000Z</Initiated></Upload>\
        <Upload><Key>k</Key><UploadId>NEW</UploadId><Initiated>2026-02-01T00:00:00.000Z</Initiated></Upload>\
        <Upload><Key>k2</Key><UploadId>OTHER</UploadId><Initiated>2026-03-01T00:00:00.000Z</Initiated></Upload>\
        </ListMultipartUploadsResult>";
    sim.answer(&find[0], answer(200, uploads));
    let list = sim.sends();
    assert_eq!(list[0].kind, OpKind::ListParts);
    assert!(list[0].request.url.ends_with("uploadId=NEW"), "the newest upload of exactly this key");
    let page1 = format!(
        "<ListPartsResult><IsTruncated>true</IsTruncated><NextPartNumberMarker>1</NextPartNumberMarker>\
        <Part><PartNumber>1</PartNumber><ETag>\"e1\"</ETag><Size>{}</Size><ChecksumCRC64NVME>{}</ChecksumCRC64NVME></Part></ListPartsResult>",
        5 * MIB,
        b64(crc_of(1, 5 * MIB))
    );
    sim.answer(&list[0], answer(200, &page1));
    let list = sim.sends();
    assert!(list[0].request.url.contains("part-number-marker=1"), "every page is read");
    let page2 = format!(
        "<ListPartsResult><IsTruncated>false</IsTruncated>\
        <Part><PartNumber>3</PartNumber><ETag>\"e3\"</ETag><Size>{}</Size><ChecksumCRC64NVME>{}</ChecksumCRC64NVME></Part></ListPartsResult>",
        5 * MIB,
        b64(part3_crc)
    );
    sim.answer(&list[0], answer(200, &page2));
    sim
}

#[test]
fn resume_keeps_listed_parts_that_match_the_file_and_sends_only_the_rest() {
    let mut sim = resuming(crc_of(3, 5 * MIB));
    let plan = sim.up.plan();
    let range = |n| Range::from(plan.part(n));
    assert_eq!(sim.poll(), [Action::Checksum(range(1)), Action::Checksum(range(2))], "part 1 is checked, part 2 read to be sent");
    sim.up.on_checksum(range(1), crc_of(1, 5 * MIB), sim.now);
    sim.up.on_checksum(range(2), crc_of(2, 5 * MIB), sim.now);
    let actions = sim.poll();
    let [Action::Send(op2), Action::Checksum(r3)] = &actions[..] else { panic!("{actions:?}") };
    assert!(op2.kind == OpKind::Part(plan.part(2)) && op2.request.url.ends_with("uploadId=NEW"));
    assert_eq!(*r3, range(3));
    sim.up.on_checksum(range(3), crc_of(3, 5 * MIB), sim.now);
    sim.answer(op2, part_ok(2));
    let complete = sim.sends();
    assert_eq!(complete[0].kind, OpKind::Complete, "parts 1 and 3 were not sent again");
    let Body::Xml(body) = &complete[0].request.body else { panic!() };
    assert!(
        body.contains("<PartNumber>1</PartNumber><ETag>&quot;e1&quot;</ETag>")
            && body.contains("<PartNumber>3</PartNumber><ETag>&quot;e3&quot;</ETag>"),
        "{body}"
    );
    assert_eq!(sim.up.progress().bytes_confirmed, 15 * MIB);
    sim.answer(&complete[0], answer(200, COMPLETED));
    assert_eq!(sim.up.outcome().unwrap().as_ref().unwrap().resumed_parts, 2);
}

#[test]
fn a_listed_part_of_another_file_is_sent_again() {
    let mut sim = resuming(crc_of(9, 5 * MIB)); // part 3 on S3 holds other bytes
    let plan = sim.up.plan();
    let mut checked = vec![];
    let complete = loop {
        let mut complete = None;
        for action in sim.poll() {
            match action {
                Action::Checksum(range) => {
                    sim.up.on_checksum(range, part_crc(range, plan), sim.now);
                    checked.push(range.offset / plan.part_size + 1);
                }
                Action::Send(op) => match op.kind {
                    OpKind::Part(part) => {
                        sim.up.on_signed(op.id, None, sim.now);
                        sim.answer(&op, part_ok(part.number));
                    }
                    _ => complete = Some(op),
                },
                other => panic!("{other:?}"),
            }
        }
        if let Some(op) = complete {
            break op;
        }
    };
    assert_eq!(checked, [1, 2, 3], "parts 1 and 3 checked, part 2 read to be sent");
    assert_eq!(complete.kind, OpKind::Complete);
    sim.answer(&complete, answer(200, COMPLETED));
    assert_eq!(sim.up.outcome().unwrap().as_ref().unwrap().resumed_parts, 1, "only part 1 was kept");
}

#[test]
fn no_unfinished_upload_means_a_new_one() {
    let mut sim = Sim::options(true, true, 5 * MIB);
    let find = sim.sends();
    sim.answer(&find[0], answer(200, NO_UPLOADS));
    let head = sim.sends();
    assert_eq!(head[0].kind, OpKind::HeadObject);
    assert_eq!(header(&head[0], "x-amz-checksum-mode"), Some("ENABLED"));
    sim.answer(&head[0], answer(404, ""));
    assert_eq!(sim.sends()[0].kind, OpKind::Create);
}

/// Resume finds no unfinished upload, and HeadObject answers with an object of `size` bytes and `crc`.
fn existing_object(overwrite: bool, size: u64, crc: u64) -> Sim {
    let mut spec = spec(5 * MIB, 1);
    (spec.checksums, spec.resume, spec.overwrite) = (true, true, overwrite);
    let mut sim = Sim::with(spec);
    let find = sim.sends();
    sim.answer(&find[0], answer(200, NO_UPLOADS));
    let head = sim.sends();
    let headers = vec![("content-length".into(), size.to_string()), ("etag".into(), "\"old\"".into()), ("x-amz-checksum-crc64nvme".into(), b64(crc))];
    sim.answer(&head[0], Ok(Response { status: 200, headers, body: String::new() }));
    sim
}

const WHOLE_FILE: Range = Range { offset: 0, len: 5 * MIB };

#[test]
fn the_same_file_already_at_the_key_is_done_without_sending_anything() {
    let mut sim = existing_object(true, 5 * MIB, 42);
    assert_eq!(sim.poll(), [Action::Checksum(WHOLE_FILE)]);
    assert!(sim.poll().is_empty(), "asked once");
    sim.up.on_checksum(WHOLE_FILE, 42, sim.now);
    let result = sim.up.outcome().unwrap().as_ref().unwrap();
    assert!(result.already_uploaded);
    assert_eq!((result.etag.as_str(), result.upload_id.as_deref()), ("\"old\"", None));
    assert_eq!(sim.up.progress().bytes_confirmed, 5 * MIB);
}

#[test]
fn a_different_object_at_the_key_is_overwritten_or_refused_as_asked() {
    let mut sim = existing_object(true, 5 * MIB, 42);
    sim.poll();
    sim.up.on_checksum(WHOLE_FILE, 43, sim.now);
    assert_eq!(sim.sends()[0].kind, OpKind::Create);

    let mut sim = existing_object(false, 5 * MIB, 42);
    sim.poll();
    sim.up.on_checksum(WHOLE_FILE, 43, sim.now);
    assert_eq!(sim.error().code, "ObjectExists");
    assert!(sim.error().message.contains("choose another key"), "{}", sim.error().message);

    let mut sim = existing_object(false, 7 * MIB, 42); // another size: no need to read the file
    assert_eq!(sim.error().code, "ObjectExists");
}

#[test]
fn a_resumed_upload_keeps_the_part_size_it_was_started_with() {
    let mut sim = Sim::options(true, true, 20 * MIB); // asks for 5 MiB parts
    let find = sim.sends();
    let uploads = "<ListMultipartUploadsResult><IsTruncated>false</IsTruncated><Upload><Key>k</Key><UploadId>U</UploadId><Initiated>x</Initiated></Upload></ListMultipartUploadsResult>";
    sim.answer(&find[0], answer(200, uploads));
    let list = sim.sends();
    let page = format!("<ListPartsResult><IsTruncated>false</IsTruncated><Part><PartNumber>1</PartNumber><ETag>e</ETag><Size>{}</Size><ChecksumCRC64NVME>AAAAAAAAAAA=</ChecksumCRC64NVME></Part></ListPartsResult>", 8 * MIB);
    sim.answer(&list[0], answer(200, &page));
    assert_eq!(sim.up.plan().part_size, 8 * MIB);
    assert_eq!(sim.up.plan().count(), 3);
}

#[test]
fn not_allowed_to_list_uploads_starts_afresh() {
    let mut sim = Sim::options(true, true, 5 * MIB);
    let find = sim.sends();
    sim.answer(&find[0], error(403, "AccessDenied"));
    assert_eq!(sim.sends()[0].kind, OpKind::Create);
}

#[test]
fn a_remembered_upload_is_listed_directly_and_a_vanished_one_is_searched_for() {
    let mut spec = spec(5 * MIB, 1);
    (spec.checksums, spec.resume, spec.known_upload_id) = (true, true, Some("REMEMBERED".into()));
    let mut sim = Sim::with(spec);
    let list = sim.sends();
    assert_eq!(list[0].kind, OpKind::ListParts);
    assert!(list[0].request.url.ends_with("uploadId=REMEMBERED"));
    sim.answer(&list[0], error(404, "NoSuchUpload"));
    let find = sim.sends();
    assert_eq!(find[0].kind, OpKind::FindUpload);
    sim.answer(&find[0], answer(200, NO_UPLOADS));
    let head = sim.sends();
    sim.answer(&head[0], answer(404, ""));
    let create = sim.sends();
    sim.answer(&create[0], answer(200, CREATED));
    assert_eq!(sim.up.current_upload(), Some(("U1", 5 * MIB)));
}

#[test]
fn an_upload_created_with_another_checksum_is_not_continued() {
    let mut sim = Sim::options(true, true, 5 * MIB);
    let find = sim.sends();
    assert!(find[0].request.url.contains("encoding-type=url"), "keys come URL-encoded");
    // As S3 reports them: an upload of the key with CRC32 (COMPOSITE), skipped; one with ours, continued.
    let upload = |id: &str, algorithm: &str, kind: &str, day: u8| {
        format!("<Upload><Key>k</Key><UploadId>{id}</UploadId><Initiated>2026-01-{day:02}T00:00:00.000Z</Initiated><ChecksumAlgorithm>{algorithm}</ChecksumAlgorithm><ChecksumType>{kind}</ChecksumType></Upload>")
    };
    let page = format!(
        "<ListMultipartUploadsResult><IsTruncated>false</IsTruncated>{}{}</ListMultipartUploadsResult>",
        upload("OURS", "CRC64NVME", "FULL_OBJECT", 1),
        upload("CRC32", "CRC32", "COMPOSITE", 2)
    );
    sim.answer(&find[0], answer(200, &page));
    let list = sim.sends();
    assert!(list[0].request.url.ends_with("uploadId=OURS"), "{}", list[0].request.url);
    // A store that does not say (Garage): the listed parts show the algorithm.
    let other = "<ListPartsResult><IsTruncated>false</IsTruncated><Part><PartNumber>1</PartNumber><ETag>e</ETag><Size>5</Size>\
        <ChecksumCRC32>AAAAAA==</ChecksumCRC32></Part></ListPartsResult>";
    sim.answer(&list[0], answer(200, other));
    let head = sim.sends();
    assert_eq!(head[0].kind, OpKind::HeadObject, "a new upload, after the usual check");
    sim.answer(&head[0], answer(404, ""));
    assert_eq!(sim.sends()[0].kind, OpKind::Create);
}

#[test]
fn a_discovery_answer_that_cannot_be_read_starts_a_new_upload() {
    for garbled in ["<ListMultipartUploadsResult><Upload>", "<html>proxy error</html>", ""] {
        let mut sim = Sim::options(true, true, 5 * MIB);
        let find = sim.sends();
        sim.answer(&find[0], answer(200, garbled));
        assert_eq!(sim.sends()[0].kind, OpKind::HeadObject, "{garbled:?}: {:?}", sim.up.outcome());
    }
    let mut spec = spec(5 * MIB, 1);
    (spec.checksums, spec.resume, spec.known_upload_id) = (true, true, Some("REMEMBERED".into()));
    let mut sim = Sim::with(spec);
    let list = sim.sends();
    sim.answer(&list[0], answer(200, "<ListPartsResult><Part><PartNumber>x"));
    assert_eq!(sim.sends()[0].kind, OpKind::HeadObject);
}
