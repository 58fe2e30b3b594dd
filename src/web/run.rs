//! Drives one upload: feeds the core's state machine the time, answers, progress and network changes; starts
//! what it asks for, signing each request just before it goes out; aborts what it gives up on.
use super::credentials::CredentialSource;
use super::network::{is_online, NetworkWatch};
use super::types::to_js;
use super::{errors::describe, fetch, xhr};
use crate::core::error::UploadError;
use crate::core::machine::{Action, Op, OpId, OpKind, TransportError, Upload, UploadResult, UploadSpec, UploadState};
use crate::core::s3::{sign::sign, Body, Response};
use futures_util::future::{abortable, select, AbortHandle, Either};
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

type Answer = (OpId, OpKind, Result<Response, TransportError>);

pub async fn run(
    region: &str,
    credentials: &CredentialSource,
    file: Blob,
    spec: UploadSpec,
    listeners: Listeners,
) -> Result<UploadResult, UploadError> {
    let shared = Rc::new(Shared { upload: RefCell::new(Upload::new(spec, now_ms())), listeners, last_state: RefCell::default() });
    let network = NetworkWatch::new();
    let mut running = FuturesUnordered::new();
    let mut aborts: HashMap<OpId, AbortHandle> = HashMap::new();
    loop {
        let now = now_ms();
        shared.upload.borrow_mut().set_online(is_online(), now);
        let actions = shared.upload.borrow_mut().poll(now);
        for action in actions {
            match action {
                Action::Abort(id) => {
                    if let Some(handle) = aborts.remove(&id) {
                        handle.abort();
                    }
                }
                Action::Send(mut op) => {
                    sign_op(&shared, credentials, region, &mut op).await?;
                    let (future, handle) = abortable(send(op.clone(), file.clone(), shared.clone()));
                    aborts.insert(op.id, handle);
                    running.push(async move { future.await.ok() });
                }
            }
        }
        shared.report_state(now_ms());
        if let Some(outcome) = shared.upload.borrow().outcome() {
            // Dropping `running` aborts whatever is still in flight.
            return outcome.clone();
        }
        let sleep_ms = shared.upload.borrow().next_wakeup_ms().map_or(MAX_SLEEP_MS, |t| t.saturating_sub(now_ms()).min(MAX_SLEEP_MS));
        let answer = {
            let next = pin!(async {
                match running.is_empty() {
                    // An empty FuturesUnordered ends at once: wait for the timer or the network instead.
                    true => futures_util::future::pending().await,
                    false => running.next().await,
                }
            });
            let timer = pin!(TimeoutFuture::new(sleep_ms as u32));
            let network_changed = pin!(network.changed());
            match select(next, select(timer, network_changed)).await {
                Either::Left((answer, _)) => answer.flatten(),
                Either::Right(_) => None,
            }
        };
        if let Some((id, kind, answer)) = answer {
            aborts.remove(&id);
            shared.upload.borrow_mut().on_response(id, kind, answer, now_ms());
            if matches!(kind, OpKind::Part(_)) {
                shared.report_progress();
            }
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
    shared.upload.borrow_mut().set_credentials_expiry(creds.expires_at_ms);
    sign(&mut op.request, region, &creds, UNIX_EPOCH + Duration::from_millis(signing_ms))
        .map_err(|e| UploadError::new("SigningFailed", format!("could not sign the request: {e}")))
}

async fn send(op: Op, file: Blob, shared: Rc<Shared>) -> Answer {
    let answer = match (op.kind, &op.request.body) {
        (OpKind::Part(part), Body::FileRange { offset, len }) => match file.slice_with_f64_and_f64(*offset as f64, (offset + len) as f64) {
            Ok(slice) => {
                let id = op.id;
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
    (op.id, op.kind, answer)
}
