//! The upload state machine, driven natively with a fake clock (./sim.rs), one file per topic.
#![cfg(not(target_arch = "wasm32"))]

mod aws;
mod cancel;
mod checksums;
mod complete;
mod credentials;
mod files;
mod network;
mod object_options;
mod parts;
mod resume;
mod retry;
mod sim;
