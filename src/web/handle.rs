//! One upload of the engine: its outcome, and pause / resume / cancel.
use super::signal::Signal;
use js_sys::Promise;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Command {
    Pause,
    Resume,
    Cancel,
    /// End the upload here, on this page, and leave it on the server to resume later (the Uploader is destroyed).
    Stop,
}

/// Commands from the handle, taken by the upload loop on its next turn.
#[derive(Default)]
pub struct Control {
    commands: RefCell<Vec<Command>>,
    pub signal: Signal,
}

impl Control {
    fn send(&self, command: Command) {
        self.commands.borrow_mut().push(command);
        self.signal.notify();
    }

    pub fn take(&self) -> Vec<Command> {
        std::mem::take(&mut self.commands.borrow_mut())
    }

    /// Resolves once a cancel or stop waits to be taken (the commands stay for the upload loop).
    pub async fn interrupted(&self) {
        while !self.commands.borrow().iter().any(|c| matches!(c, Command::Cancel | Command::Stop)) {
            self.signal.wait().await;
        }
    }
}

/// One upload in progress (from `engine.start(file, options, emit)`).
#[wasm_bindgen]
pub struct EngineUpload {
    control: Rc<Control>,
    done: Promise,
}

impl EngineUpload {
    pub fn new(control: Rc<Control>, done: Promise) -> Self {
        Self { control, done }
    }
}

#[wasm_bindgen]
impl EngineUpload {
    /// Resolves to the result, or rejects with an UploadError (code `Cancelled` after `cancel()`).
    #[wasm_bindgen(getter, unchecked_return_type = "Promise<UploadResult>")]
    pub fn done(&self) -> Promise {
        self.done.clone()
    }

    /// Stops the parts in flight and sends nothing until `resume()`; finished parts are kept.
    pub fn pause(&self) {
        self.control.send(Command::Pause);
    }

    pub fn resume(&self) {
        self.control.send(Command::Resume);
    }

    /// Stops the upload and removes it from the server, finished parts included (AbortMultipartUpload, repeated
    /// until ListParts shows it is gone). A Complete already in flight wins.
    pub fn cancel(&self) {
        self.control.send(Command::Cancel);
    }

    /// Ends the upload at once without removing it from the server: `done` rejects with `Stopped`, and the same
    /// file resumes where it stopped when it is uploaded again.
    pub fn stop(&self) {
        self.control.send(Command::Stop);
    }
}
