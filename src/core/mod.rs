//! The functional core: everything here is driven by inputs (responses, time) and returns values or actions.
pub mod checksum;
pub mod clock;
pub mod codes;
pub mod credentials;
pub mod error;
pub mod fingerprint;
pub mod machine;
pub mod notice;
pub mod object_options;
pub mod pacer;
pub mod plan;
pub mod progress;
pub mod record;
pub mod retry;
pub mod s3;
