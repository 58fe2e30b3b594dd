//! Cancelling: the multipart upload is aborted until ListParts shows it is gone.
use crate::sim::*;
use resumable_s3::core::codes::CANCELLED;
use resumable_s3::core::machine::{Action, OpKind, UploadState};
use resumable_s3::core::plan::MIB;
use resumable_s3::core::s3::Method;

const ABORTED: &str = "";

#[test]
fn cancel_aborts_the_upload_until_list_parts_shows_it_is_gone() {
    let mut sim = Sim::created(15 * MIB, 2);
    let ops = sim.sends();
    sim.answer(&ops[0], part_ok(1));
    let aborts = sim.up.cancel(sim.now);
    assert_eq!(aborts, [Action::Abort(ops[1].id)]);
    assert_eq!(sim.up.state(sim.now), UploadState::Cancelling);
    let abort = sim.sends();
    assert_eq!((abort[0].kind, abort[0].request.method), (OpKind::Abort, Method::Delete));
    sim.answer(&abort[0], answer(204, ABORTED));
    let confirm = sim.sends();
    assert_eq!(confirm[0].kind, OpKind::ConfirmAbort);
    // A part that was in flight landed after the abort: the upload still answers, so abort again.
    sim.answer(&confirm[0], answer(200, "<ListPartsResult><IsTruncated>false</IsTruncated></ListPartsResult>"));
    let again = sim.sends();
    assert_eq!(again[0].kind, OpKind::Abort);
    sim.answer(&again[0], answer(204, ABORTED));
    let confirm = sim.sends();
    sim.answer(&confirm[0], error(404, "NoSuchUpload"));
    assert_eq!(sim.error().code, "Cancelled");
}

#[test]
fn cancel_while_creating_removes_the_upload_once_its_id_is_known() {
    let mut sim = Sim::new(5 * MIB, 1);
    let create = sim.sends();
    assert!(sim.up.cancel(sim.now).is_empty());
    sim.answer(&create[0], answer(200, CREATED));
    let abort = sim.sends();
    assert_eq!(abort[0].kind, OpKind::Abort);
    assert!(abort[0].request.url.ends_with("uploadId=U1"));
    sim.answer(&abort[0], error(404, "NoSuchUpload"));
    assert_eq!(sim.error().code, "Cancelled");
}

#[test]
fn cancel_before_anything_exists_ends_at_once() {
    let mut sim = Sim::options(true, true, 5 * MIB);
    let find = sim.sends();
    assert_eq!(sim.up.cancel(sim.now), [Action::Abort(find[0].id)]);
    assert_eq!(sim.error().code, "Cancelled");
}

#[test]
fn a_cancelled_upload_tells_no_error() {
    let mut sim = Sim::new(5 * MIB, 1);
    sim.up.cancel(sim.now);
    assert_eq!(sim.error().code, CANCELLED);
    assert!(sim.up.take_notices().is_empty());
}
