//! What a failed request means and when it goes again: credential refreshes, clock and region corrections (counted
//! in fix epochs), the retry budgets, and the jittered backoff.
use super::task::{Slot, Task};
use super::types::Policy;
use crate::core::clock;
use crate::core::codes::NETWORK_ERROR;
use crate::core::error::UploadError;
use crate::core::retry::{classify, ErrorClass};
use crate::core::s3::error::named_region;
use crate::core::s3::{Response, S3Error};

/// New credentials or a corrected clock that still fail this many times in a row are not going to work.
pub const MAX_CONSECUTIVE_FIXES: u32 = 3;

#[derive(Debug)]
pub(super) struct Recovery {
    policy: Policy,
    /// Counts fixes (credential renewals, clock corrections): a refusal of a request made before the latest fix
    /// says nothing new (several parts signed with one expired key all come back refused).
    epoch: u64,
    /// Fixes since the last success.
    consecutive_fixes: u32,
    clock_offset_ms: i64,
    /// The region S3 named when a request was signed for another: requests are signed for it from then on.
    region: Option<String>,
    credentials_expire_at_ms: Option<u64>,
    /// The server said the credentials have expired: the next request asks the app for new ones.
    credentials_stale: bool,
    /// Some answer (any status) has come from the server: from then on, network failures are outages.
    reached_server: bool,
    rng: fastrand::Rng,
}

/// What to do about an S3 error answer.
pub(super) enum Verdict {
    Retry(ErrorClass),
    Fail(UploadError),
}

impl Recovery {
    pub fn new(policy: Policy, seed: u64) -> Self {
        Self {
            policy,
            epoch: 0,
            consecutive_fixes: 0,
            clock_offset_ms: 0,
            region: None,
            credentials_expire_at_ms: None,
            credentials_stale: false,
            reached_server: false,
            rng: fastrand::Rng::with_seed(seed),
        }
    }

    pub fn epoch(&self) -> u64 {
        self.epoch
    }

    pub fn clock_offset_ms(&self) -> i64 {
        self.clock_offset_ms
    }

    /// The signing region S3 asked for, if it corrected the app's.
    pub fn region(&self) -> Option<&str> {
        self.region.as_deref()
    }

    /// True once after the server said the credentials have expired.
    pub fn take_credentials_refresh(&mut self) -> bool {
        std::mem::take(&mut self.credentials_stale)
    }

    pub fn signed_with(&mut self, expires_at_ms: Option<u64>) {
        self.credentials_expire_at_ms = expires_at_ms;
    }

    pub fn reached_server(&mut self) {
        self.reached_server = true;
    }

    pub fn succeeded(&mut self) {
        self.consecutive_fixes = 0;
    }

    /// Decides what an S3 error answer to a request made in fix epoch `epoch` means; `fail` words the error.
    pub fn digest(&mut self, err: &S3Error, resp: &Response, epoch: u64, now_ms: u64, fail: impl Fn(&S3Error) -> UploadError) -> Verdict {
        // Some stores answer an expired key with AccessDenied, and apps may not say when keys expire: a denial with
        // credentials that have not just been renewed earns one refresh; a second one in a row is final.
        let made_before_fix = epoch < self.epoch;
        let signing_ms = (now_ms as i64 + self.clock_offset_ms).max(0) as u64;
        let expired = self.credentials_expire_at_ms.is_some_and(|exp| signing_ms >= exp);
        let class = classify(err, expired || made_before_fix || self.consecutive_fixes == 0);
        let fixable = matches!(class, ErrorClass::CredentialsExpired | ErrorClass::ClockSkew | ErrorClass::WrongRegion);
        if fixable && made_before_fix {
            return Verdict::Retry(class); // the fix already made applies: just send it again
        }
        if fixable {
            self.consecutive_fixes += 1;
            self.epoch += 1;
        }
        match class {
            ErrorClass::Fatal => return Verdict::Fail(fail(err)),
            _ if fixable && self.consecutive_fixes > MAX_CONSECUTIVE_FIXES => return Verdict::Fail(fail(err)),
            ErrorClass::CredentialsExpired => self.credentials_stale = true,
            ErrorClass::ClockSkew => match clock::server_time_ms(err.server_time.as_deref(), resp.header("date")) {
                Some(server_ms) => self.clock_offset_ms = server_ms - now_ms as i64,
                None => return Verdict::Fail(fail(err)),
            },
            // Corrected once: a second refusal means the region is not the problem.
            ErrorClass::WrongRegion => match named_region(resp) {
                Some(region) if self.region.is_none() => self.region = Some(region),
                _ => return Verdict::Fail(fail(err)),
            },
            ErrorClass::Throttled | ErrorClass::Network | ErrorClass::Server => {}
        }
        Verdict::Retry(class)
    }

    /// Puts a failed task back to wait: at once after a fix (new credentials, corrected clock) or while offline
    /// (the network's return wakes it), after a jittered backoff otherwise. `Err` when a retry budget is spent:
    /// server errors, or transport failures before the server ever answered (`network_hint` words those).
    pub fn schedule(
        &mut self,
        task: &mut Task,
        class: ErrorClass,
        err: &UploadError,
        online: bool,
        now_ms: u64,
        network_hint: impl Fn(&str) -> UploadError,
    ) -> Result<(), UploadError> {
        let code = err.code.as_str();
        task.last_error = Some((class, code.to_string()));
        let mut outcome = Ok(());
        let delay = match class {
            ErrorClass::CredentialsExpired | ErrorClass::ClockSkew | ErrorClass::WrongRegion => 0,
            ErrorClass::Network if !online => 0,
            _ => {
                if class == ErrorClass::Server {
                    task.budget_spent += 1;
                    if task.budget_spent > self.policy.server_retries {
                        let message = format!("{code}: the server failed {} times in a row, giving up", task.budget_spent);
                        outcome = Err(UploadError::new(code, message));
                    }
                } else if class == ErrorClass::Network && !self.reached_server {
                    task.budget_spent += 1;
                    if task.budget_spent > self.policy.unreached_retries {
                        // A failing callback says more than the generic network hint.
                        let detail = format!("{} attempts failed", task.budget_spent);
                        outcome = Err(if code == NETWORK_ERROR { network_hint(&detail) } else { err.clone() });
                    }
                }
                task.failures += 1;
                self.policy.backoff.delay_ms(task.failures - 1, self.rng.f64())
            }
        };
        task.slot = Slot::Waiting { due_ms: now_ms + delay };
        outcome
    }
}
