//! Drives one upload: feeds the core's state machine the time, answers, progress and network changes; starts
//! what it asks for, signing each request just before it goes out; aborts what it gives up on.
use super::credentials::CredentialSource;
use super::network::{is_online, NetworkWatch};
use super::persist::Persistence;
use super::types::to_js;
use super::checksum::{part_crc, range_crc};
use super::handle::{Command, Control};
use super::{errors::describe, fetch, xhr};
use crate::core::error::{UploadError, CANCELLED};
use crate::core::machine::{Action, Op, OpId, OpKind, TransportError, Upload, UploadResult, UploadSpec, UploadState};
use crate::core::plan::Part;
use crate::core::s3::{probe_url, sign::sign, Body, Response};
use futures_util::future::{abortable, select, AbortHandle, Either, LocalBoxFuture};
use futures_util::stream::{FuturesUnordered, StreamExt};
use gloo_timers::future::TimeoutFuture;
use js_sys::Function;
use std::cell::RefCell;
use std::collections::HashMap;
use std::pin::pin;
use std::rc::Rc;
use std::time::{Duration, UNIX_EPOCH};
use wasm_bindgen::JsValue;
use web_sys::Blob;

/// `navigator.onLine` is read at least this often, whatever else happens.
const MAX_SLEEP_MS: u64 = 1_000;

/// The app's callbacks for one upload.
pub struct Listeners {
    pub on_progress: Option<Function>,
    pub on_state: Option<Function>,
}

/// The state machine, shared with the XHR progress callbacks.
struct Shared {
    upload: RefCell<Upload>,
    listeners: Listeners,
    last_state: RefCell<Option<UploadState>>,
}

impl Shared {
    fn report_progress(&self) {
        if let Some(callback) = &self.listeners.on_progress {
            let snapshot = self.upload.borrow().progress();
            // An app callback that throws must not stop the upload.
            let _ = callback.call1(&JsValue::UNDEFINED, &to_js(&snapshot));
        }
    }

    /// Tells the app the state when it has changed.
    fn report_state(&self, now_ms: u64) {
        let state = self.upload.borrow().state(now_ms);
        if self.last_state.borrow().as_ref() == Some(&state) {
            return;
        }
        if let Some(callback) = &self.listeners.on_state {
            let _ = callback.call1(&JsValue::UNDEFINED, &to_js(&state));
        }
        *self.last_state.borrow_mut() = Some(state);
    }
}

fn now_ms() -> u64 {
    js_sys::Date::now() as u64
}

/// What a request or a local checksum gave.
enum Event {
    Answer(OpId, OpKind, Result<Response, TransportError>),
    LocalChecksum(Part, u64),
    FileChecksum(u64),
    Probed(bool),
}

pub async fn run(
    region: &str,
    credentials: &CredentialSource,
    file: Blob,
    spec: UploadSpec,
    listeners: Listeners,
    control: &Control,
    mut persistence: Option<&mut Persistence>,
) -> Result<UploadResult, UploadError> {
    let shared = Rc::new(Shared { upload: RefCell::new(Upload::new(spec, now_ms())), listeners, last_state: RefCell::default() });
    let network = NetworkWatch::new();
    let mut running: FuturesUnordered<LocalBoxFuture<'_, Option<Result<Event, UploadError>>>> = FuturesUnordered::new();
    let mut aborts: HashMap<OpId, AbortHandle> = HashMap::new();
    loop {
        let now = now_ms();
        let mut actions = vec![];
        {
            let mut upload = shared.upload.borrow_mut();
            for command in control.take() {
                match command {
                    Command::Pause => actions.extend(upload.pause(now)),
                    Command::Resume => upload.resume(now),
                    Command::Cancel => actions.extend(upload.cancel(now)),
                }
            }
            upload.set_online(is_online(), now);
            actions.extend(upload.poll(now));
        }
        for action in actions {
            match action {
                Action::Abort(id) => {
                    if let Some(handle) = aborts.remove(&id) {
                        handle.abort();
                    }
                }
                Action::Send(op) => {
                    let (future, handle) = abortable(send(op.clone(), file.clone(), shared.clone(), credentials, region));
                    aborts.insert(op.id, handle);
                    running.push(Box::pin(async move { future.await.ok() }));
                }
                Action::Verify(part) => {
                    let file = file.clone();
                    running.push(Box::pin(async move { Some(part_crc(&file, part).await.map(|crc| Event::LocalChecksum(part, crc))) }));
                }
                Action::Probe => {
                    let url = probe_url(&shared.upload.borrow().spec().endpoint, &shared.upload.borrow().spec().object.bucket);
                    running.push(Box::pin(async move { Some(Ok(Event::Probed(fetch::reachable(&url).await))) }));
                }
                Action::VerifyFile => {
                    let file = file.clone();
                    let size = file.size() as u64;
                    running.push(Box::pin(async move { Some(range_crc(&file, 0, size).await.map(Event::FileChecksum)) }));
                }
            }
        }
        shared.report_state(now_ms());
        let (current, checksums) = {
            let upload = shared.upload.borrow();
            (upload.current_upload().map(|(id, part_size)| (id.to_string(), part_size)), upload.spec().checksums)
        };
        if let (Some(persistence), Some((upload_id, part_size))) = (persistence.as_deref_mut(), current) {
            persistence.remember(&upload_id, part_size, checksums).await;
        }
        let outcome = shared.upload.borrow().outcome().cloned();
        if let Some(outcome) = outcome {
            // Nothing is left to resume once the object exists or the upload was cancelled.
            let finished = outcome.as_ref().map_or_else(|e| e.code == CANCELLED, |_| true);
            if let (Some(persistence), true) = (persistence, finished) {
                persistence.forget().await;
            }
            // Dropping `running` aborts whatever is still in flight.
            return outcome;
        }
        let sleep_ms = shared.upload.borrow().next_wakeup_ms().map_or(MAX_SLEEP_MS, |t| t.saturating_sub(now_ms()).min(MAX_SLEEP_MS));
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
        match event.transpose()? {
            Some(Event::Answer(id, kind, answer)) => {
                aborts.remove(&id);
                shared.upload.borrow_mut().on_response(id, kind, answer, now_ms());
                if matches!(kind, OpKind::Part(_)) {
                    shared.report_progress();
                }
            }
            Some(Event::LocalChecksum(part, crc)) => {
                shared.upload.borrow_mut().on_local_checksum(part, crc, now_ms());
                shared.report_progress();
            }
            Some(Event::Probed(reachable)) => shared.upload.borrow_mut().on_probe(reachable, now_ms()),
            Some(Event::FileChecksum(crc)) => {
                shared.upload.borrow_mut().on_file_checksum(crc, now_ms());
                shared.report_progress();
            }
            None => {}
        }
    }
}

/// Signs with credentials good at the server's time, fresh ones when the server said the last ones expired.
async fn sign_op(shared: &Shared, credentials: &CredentialSource, region: &str, op: &mut Op) -> Result<(), UploadError> {
    let (stale, signing_ms) = {
        let mut upload = shared.upload.borrow_mut();
        (upload.take_credentials_refresh(), upload.signing_time_ms(now_ms()))
    };
    if stale {
        credentials.invalidate();
    }
    let creds = credentials.get(signing_ms).await?;
    shared.upload.borrow_mut().on_signed(op.id, creds.expires_at_ms, now_ms());
    sign(&mut op.request, region, &creds, UNIX_EPOCH + Duration::from_millis(signing_ms))
        .map_err(|e| UploadError::new("SigningFailed", format!("could not sign the request: {e}")))
}

/// Checksums (parts), signs just in time, and sends one request.
async fn send(mut op: Op, file: Blob, shared: Rc<Shared>, credentials: &CredentialSource, region: &str) -> Result<Event, UploadError> {
    if let (true, OpKind::Part(part)) = (op.needs_checksum, op.kind) {
        let crc = part_crc(&file, part).await?;
        shared.upload.borrow_mut().attach_checksum(&mut op, crc);
    }
    sign_op(&shared, credentials, region, &mut op).await?;
    let answer = match (op.kind, &op.request.body) {
        (OpKind::Part(part), Body::FileRange { offset, len }) => match file.slice_with_f64_and_f64(*offset as f64, (offset + len) as f64) {
            Ok(slice) => {
                let (id, shared) = (op.id, shared.clone());
                let on_progress = move |sent| {
                    shared.upload.borrow_mut().on_part_progress(id, part, sent, now_ms());
                    shared.report_progress();
                };
                xhr::send(&op.request, &slice, on_progress).await
            }
            Err(e) => Err(describe(&e)),
        },
        _ => fetch::send(&op.request).await,
    };
    Ok(Event::Answer(op.id, op.kind, answer))
}
