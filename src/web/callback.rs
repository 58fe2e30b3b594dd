//! What asking one of the app's callbacks (`credentials`, `sign`) gave.
use crate::core::error::UploadError;

pub enum Answered<T> {
    Got(T),
    /// The callback threw or rejected: retried like the network (its backend may be as unreachable as the store).
    Failed(UploadError),
    /// It answered something that can never work: the upload fails.
    Unusable(UploadError),
}
