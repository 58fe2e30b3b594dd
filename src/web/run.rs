//! Drives one upload: asks the core what to send, signs it just in time, sends it, feeds the answer back.
use super::credentials::CredentialSource;
use super::types::to_js;
use super::{fetch, xhr};
use crate::core::error::UploadError;
use crate::core::machine::{Op, OpKind, TransportError, Upload, UploadResult, UploadSpec};
use crate::core::s3::{sign::sign, Body};
use futures_util::stream::{FuturesUnordered, StreamExt};
use js_sys::Function;
use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, UNIX_EPOCH};
use wasm_bindgen::JsValue;
use web_sys::Blob;

/// What the upload reports progress to.
struct Reporter {
    upload: RefCell<Upload>,
    on_progress: Option<Function>,
}

impl Reporter {
    fn report(&self) {
        if let Some(callback) = &self.on_progress {
            let snapshot = self.upload.borrow().progress();
            // An app callback that throws must not stop the upload.
            let _ = callback.call1(&JsValue::UNDEFINED, &to_js(&snapshot));
        }
    }
}

fn now_ms() -> u64 {
    js_sys::Date::now() as u64
}

pub async fn run(
    region: &str,
    credentials: &CredentialSource,
    file: Blob,
    spec: UploadSpec,
    on_progress: Option<Function>,
) -> Result<UploadResult, UploadError> {
    let reporter = Rc::new(Reporter { upload: RefCell::new(Upload::new(spec)), on_progress });
    let mut running = FuturesUnordered::new();
    loop {
        let ops = reporter.upload.borrow_mut().poll();
        for mut op in ops {
            let now = now_ms();
            let creds = credentials.get(now).await?;
            sign(&mut op.request, region, &creds, UNIX_EPOCH + Duration::from_millis(now))
                .map_err(|e| UploadError::new("SigningFailed", format!("could not sign the request: {e}")))?;
            running.push(send(op, &file, reporter.clone()));
        }
        if let Some(outcome) = reporter.upload.borrow().outcome() {
            // Dropping `running` aborts whatever is still in flight.
            return outcome.clone();
        }
        let Some((kind, answer)) = running.next().await else {
            unreachable!("an unfinished upload always has a request in flight");
        };
        reporter.upload.borrow_mut().on_response(kind, answer);
        if matches!(kind, OpKind::Part(_)) {
            reporter.report();
        }
    }
}

async fn send(op: Op, file: &Blob, reporter: Rc<Reporter>) -> (OpKind, Result<crate::core::s3::Response, TransportError>) {
    let answer = match (op.kind, &op.request.body) {
        (OpKind::Part(part), Body::FileRange { offset, len }) => match file.slice_with_f64_and_f64(*offset as f64, (offset + len) as f64) {
            Ok(slice) => {
                let on_progress = move |sent| {
                    reporter.upload.borrow_mut().on_part_progress(part, sent);
                    reporter.report();
                };
                xhr::send(&op.request, &slice, on_progress).await
            }
            Err(e) => Err(super::errors::describe(&e)),
        },
        _ => fetch::send(&op.request).await,
    };
    (op.kind, answer)
}
