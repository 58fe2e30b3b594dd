//! What every upload of one `Uploader` shares.
use super::options::UploaderOptions;
use super::signer::Signer;
use super::slots::Slots;
use std::rc::Rc;

pub struct Shared {
    pub options: UploaderOptions,
    pub signer: Signer,
    /// Parts in flight across all of its uploads.
    pub slots: Rc<Slots>,
}
