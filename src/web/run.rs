//! Drives one upload: feeds the core's state machine the time, answers, progress and network changes; starts
//! what it asks for, signing each request just before it goes out; aborts what it gives up on.
use super::callback::Answered;
use super::checksum::range_crc;
use super::handle::{Command, Control};
use super::network::{is_online, NetworkWatch};
use super::persist::Persistence;
use super::shared::Shared;
use super::signer::SigningTime;
use super::types::ToJs;
use super::{errors::refused, fetch, xhr};
use crate::core::codes::{CANCELLED, STOPPED};
use crate::core::error::UploadError;
use crate::core::machine::{Action, Op, OpId, OpKind, Range, TransportError, Upload, UploadResult, UploadSpec, UploadState};
use crate::core::notice::{ErrorNotice, Notice, WarningNotice};
use crate::core::pacer::{Pacer, PROGRESS_INTERVAL_MS};
use crate::core::s3::{probe_url, Body, Response};
use futures_util::future::{abortable, select, AbortHandle, Either, LocalBoxFuture};
use futures_util::stream::{FuturesUnordered, StreamExt};
use gloo_timers::future::TimeoutFuture;
use js_sys::Function;
use std::cell::{Cell, RefCell};
use std::pin::pin;
use std::rc::Rc;
use wasm_bindgen::JsValue;
use web_sys::Blob;

/// `navigator.onLine` is read at least this often, whatever else happens.
const MAX_SLEEP_MS: u64 = 1_000;
/// A callback answering within this long is not worth a state of its own (no flicker on every signature).
const SHOW_WAITING_FOR_CREDENTIALS_MS: u64 = 1_000;

/// One upload's state machine, shared with the XHR progress callbacks, and what the app has been told.
struct Live {
    upload: RefCell<Upload>,
    /// `emit(type, event)`: the JS layer's dispatcher.
    emit: Function,
    last_state: RefCell<Option<UploadState>>,
    /// Parts of this upload waiting for, and holding, one of the slots shared by the `Uploader`'s uploads.
    queued_parts: Cell<u32>,
    sending_parts: Cell<u32>,
    /// Requests waiting for the credentials or sign callback, since when the first of them has, and requests on
    /// the wire.
    signing: Cell<u32>,
    signing_since_ms: Cell<u64>,
    on_wire: Cell<u32>,
    /// Part progress from the browser is paced (the app hears it about ten times a second); a timer is set while
    /// a value is held.
    pacer: RefCell<Pacer>,
    release_set: Cell<bool>,
}

impl Live {
    fn tell(&self, kind: &str, event: JsValue) {
        // An app listener that throws must not stop the upload.
        let _ = self.emit.call2(&JsValue::UNDEFINED, &kind.into(), &event);
    }

    /// Progress (bytes on the wire, a checksum read, a part confirmed) goes through the pacer: about ten events a
    /// second; a held value is sent when its interval ends, or before the next state change.
    fn report_progress(self: &Rc<Self>) {
        let now = now_ms();
        if self.pacer.borrow_mut().offer(now) {
            return self.tell_progress();
        }
        let Some(due) = self.pacer.borrow().due_ms() else { return };
        if self.release_set.replace(true) {
            return;
        }
        let live = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            TimeoutFuture::new(due.saturating_sub(now) as u32).await;
            live.release_set.set(false);
            if live.pacer.borrow_mut().release(now_ms()) {
                live.tell_progress();
            }
        });
    }

    fn tell_progress(&self) {
        let snapshot = self.upload.borrow().progress();
        self.tell("progress", snapshot.to_js());
    }

    /// Tells the app the state when it has changed.
    fn report_state(&self, now_ms: u64) {
        let mut state = self.upload.borrow().state(now_ms);
        if state == UploadState::Uploading && self.sending_parts.get() == 0 && self.queued_parts.get() > 0 {
            state = UploadState::Queued;
        }
        let waited_ms = now_ms.saturating_sub(self.signing_since_ms.get());
        if state == UploadState::Uploading && self.on_wire.get() == 0 && self.signing.get() > 0 && waited_ms >= SHOW_WAITING_FOR_CREDENTIALS_MS {
            state = UploadState::WaitingForCredentials;
        }
        if self.last_state.borrow().as_ref() == Some(&state) {
            return;
        }
        // The app sees the newest bytes before it sees the state that follows them (done, paused, failed).
        if self.pacer.borrow_mut().flush(now_ms) {
            self.tell_progress();
        }
        self.tell("state", state.to_js());
        *self.last_state.borrow_mut() = Some(state);
    }

    /// The shell itself ended the upload (a callback answered nonsense): tell the app
    /// as the machine's own failures are told.
    fn failed_here(&self, err: UploadError) -> UploadError {
        self.tell("error", ErrorNotice::of(&err, false).to_js());
        self.tell("state", UploadState::Failed { error_code: err.code.clone() }.to_js());
        err
    }

    /// The browser's storage failed (`reason`): the upload goes on without it, and the app is told that it could
    /// not resume after a reload. Returns what persistence there is now: none.
    fn storage_failed(&self, reason: &str) -> Option<Persistence> {
        self.tell("warning", WarningNotice::storage_unavailable(reason).to_js());
        None
    }

    /// Tells the app which parts S3 now holds and which requests failed.
    fn report_notices(&self) {
        let notices = self.upload.borrow_mut().take_notices();
        for notice in notices {
            match notice {
                Notice::Part(part) => self.tell("part", part.to_js()),
                Notice::Error(error) => self.tell("error", error.to_js()),
                Notice::Checksums(checksums) => self.tell("checksums", checksums.to_js()),
            }
        }
    }
}

/// Counts a part in one of [`Live`]'s counters for as long as it lives.
struct Counted<'a>(&'a Cell<u32>);

impl<'a> Counted<'a> {
    fn new(counter: &'a Cell<u32>) -> Self {
        counter.set(counter.get() + 1);
        Self(counter)
    }
}

impl Drop for Counted<'_> {
    fn drop(&mut self) {
        self.0.set(self.0.get() - 1);
    }
}

fn now_ms() -> u64 {
    js_sys::Date::now() as u64
}

/// What a request or a local checksum gave.
enum Event {
    Answer(OpId, OpKind, Result<Response, TransportError>),
    /// The CRC of a range of the file, or why it could not be read.
    Checksum(Range, Result<u64, UploadError>),
    Probed(bool),
    /// The credentials or sign callback failed for this attempt.
    CallbackFailed(OpId, OpKind, UploadError),
}

pub async fn run(
    engine: &Shared,
    file: Blob,
    spec: UploadSpec,
    emit: Function,
    control: &Control,
    persistence: Result<Option<Persistence>, String>,
) -> Result<UploadResult, UploadError> {
    let upload = RefCell::new(Upload::new(spec, now_ms()));
    let live = Rc::new(Live {
        upload,
        emit,
        last_state: RefCell::default(),
        queued_parts: Cell::new(0),
        sending_parts: Cell::new(0),
        signing: Cell::new(0),
        signing_since_ms: Cell::new(0),
        on_wire: Cell::new(0),
        pacer: RefCell::new(Pacer::new(PROGRESS_INTERVAL_MS)),
        release_set: Cell::new(false),
    });
    let mut persistence = persistence.unwrap_or_else(|reason| live.storage_failed(&reason));
    let network = NetworkWatch::new();
    let mut running: FuturesUnordered<LocalBoxFuture<'_, Option<Result<Event, UploadError>>>> = FuturesUnordered::new();
    // The requests in flight, to abort: a few, so a list (a HashMap would add its own code to the wasm).
    let mut aborts: Vec<(OpId, AbortHandle)> = vec![];
    loop {
        let now = now_ms();
        let mut actions = vec![];
        {
            let mut upload = live.upload.borrow_mut();
            for command in control.take() {
                match command {
                    Command::Pause => actions.extend(upload.pause(now)),
                    Command::Resume => upload.resume(now),
                    Command::Cancel => actions.extend(upload.cancel(now)),
                    // Dropping `running` aborts whatever is in flight; finished parts stay on the server.
                    Command::Stop => return Err(UploadError::new(STOPPED, "the uploader was destroyed; upload the same file again to resume")),
                }
            }
            upload.set_online(is_online(), now);
            actions.extend(upload.poll(now));
        }
        for action in actions {
            match action {
                Action::Abort(id) => {
                    if let Some(handle) = take(&mut aborts, id) {
                        handle.abort();
                    }
                }
                Action::Send(op) => {
                    let (future, handle) = abortable(send(op.clone(), file.clone(), live.clone(), engine));
                    aborts.push((op.id, handle));
                    running.push(Box::pin(async move { future.await.ok() }));
                }
                Action::Checksum(range) => {
                    let (file, algorithm) = (file.clone(), live.upload.borrow().spec().checksum_algorithm);
                    let crc = async move { range_crc(&file, algorithm, range.offset, range.len).await };
                    running.push(Box::pin(async move { Some(Ok(Event::Checksum(range, crc.await))) }));
                }
                Action::Probe => {
                    let url = probe_url(&live.upload.borrow().spec().endpoint, &live.upload.borrow().spec().object.bucket);
                    running.push(Box::pin(async move { Some(Ok(Event::Probed(fetch::reachable(&url).await))) }));
                }
            }
        }
        live.report_notices();
        live.report_state(now_ms());
        let (current, checksum) = {
            let upload = live.upload.borrow();
            (upload.current_upload().map(|(id, part_size)| (id.to_string(), part_size)), upload.spec().checksum())
        };
        if let (Some(remembering), Some((upload_id, part_size))) = (persistence.as_mut(), current) {
            if let Err(reason) = remembering.remember(&upload_id, part_size, checksum).await {
                persistence = live.storage_failed(&reason);
            }
        }
        let outcome = live.upload.borrow().outcome().cloned();
        if let Some(outcome) = outcome {
            // Nothing is left to resume once the object exists or the upload was cancelled.
            let finished = outcome.as_ref().map_or_else(|e| e.code == CANCELLED, |_| true);
            if let (Some(persistence), true) = (persistence.as_ref(), finished) {
                persistence.forget().await;
            }
            // Dropping `running` aborts whatever is still in flight.
            return outcome;
        }
        let sleep_ms = live.upload.borrow().next_wakeup_ms().map_or(MAX_SLEEP_MS, |t| t.saturating_sub(now_ms()).min(MAX_SLEEP_MS));
        let event = {
            let next = pin!(async {
                match running.is_empty() {
                    // An empty FuturesUnordered ends at once: wait for the timer or the network instead.
                    true => futures_util::future::pending().await,
                    false => running.next().await,
                }
            });
            let timer = pin!(TimeoutFuture::new(sleep_ms as u32));
            let network_changed = pin!(network.changed());
            let commanded = pin!(control.signal.wait());
            match select(next, select(timer, select(network_changed, commanded))).await {
                Either::Left((event, _)) => event.flatten(),
                Either::Right(_) => None,
            }
        };
        let event = event.transpose().map_err(|err| live.failed_here(err))?;
        match event {
            Some(Event::Answer(id, kind, answer)) => {
                take(&mut aborts, id);
                live.upload.borrow_mut().on_response(id, kind, answer, now_ms());
                if matches!(kind, OpKind::Part(_)) {
                    live.report_progress();
                }
            }
            Some(Event::Checksum(range, Ok(crc))) => {
                live.upload.borrow_mut().on_checksum(range, crc, now_ms());
                live.report_progress();
            }
            Some(Event::Checksum(_, Err(err))) => live.upload.borrow_mut().on_read_failed(err),
            Some(Event::Probed(reachable)) => live.upload.borrow_mut().on_probe(reachable, now_ms()),
            Some(Event::CallbackFailed(id, kind, err)) => {
                take(&mut aborts, id);
                live.upload.borrow_mut().on_no_answer(id, kind, err, now_ms());
            }
            None => {}
        }
    }
}

/// Removes `id`'s abort handle from `aborts` and returns it.
fn take(aborts: &mut Vec<(OpId, AbortHandle)>, id: OpId) -> Option<AbortHandle> {
    let at = aborts.iter().position(|(op, _)| *op == id)?;
    Some(aborts.swap_remove(at).1)
}

/// Waits for a shared slot (parts), signs just in time, and sends one request.
async fn send(mut op: Op, file: Blob, live: Rc<Live>, engine: &Shared) -> Result<Event, UploadError> {
    let _sending = match op.kind {
        OpKind::Part(_) => {
            let slot = match engine.slots.try_acquire() {
                Some(slot) => slot,
                // Queued only while other uploads hold every slot.
                None => {
                    let queued = Counted::new(&live.queued_parts);
                    live.report_state(now_ms());
                    let slot = engine.slots.acquire().await;
                    drop(queued);
                    slot
                }
            };
            let sending = Counted::new(&live.sending_parts);
            live.report_state(now_ms());
            Some((slot, sending))
        }
        _ => None,
    };
    let signing_ms = (now_ms() as i64 + op.clock_offset_ms).max(0) as u64;
    let time = SigningTime { refresh: op.refresh_credentials, signing_ms };
    let region = op.region.clone();
    if live.signing.get() == 0 {
        live.signing_since_ms.set(now_ms());
    }
    let signing = Counted::new(&live.signing);
    let signed = engine.signer.sign(&mut op.request, &region, time).await;
    drop(signing);
    let expires_at_ms = match signed {
        Answered::Got(expires_at_ms) => expires_at_ms,
        Answered::Failed(failed) => return Ok(Event::CallbackFailed(op.id, op.kind, failed)),
        Answered::Unusable(err) => return Err(err),
    };
    live.upload.borrow_mut().on_signed(op.id, expires_at_ms, now_ms());
    let _on_wire = Counted::new(&live.on_wire);
    let answer = match (op.kind, &op.request.body) {
        (OpKind::Part(part), Body::FileRange { offset, len }) => match file.slice_with_f64_and_f64(*offset as f64, (offset + len) as f64) {
            Ok(slice) => {
                let (id, live) = (op.id, live.clone());
                let on_progress = move |sent| {
                    live.upload.borrow_mut().on_part_progress(id, part, sent, now_ms());
                    live.report_progress();
                };
                xhr::send(&op.request, &slice, on_progress).await?
            }
            Err(e) => return Err(refused(&e)),
        },
        _ => {
            let (id, live) = (op.id, live.clone());
            fetch::send(&op.request, move || live.upload.borrow_mut().on_headers(id)).await?
        }
    };
    Ok(Event::Answer(op.id, op.kind, answer))
}
