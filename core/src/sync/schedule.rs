//! When to sync next: one rule for every shell, decided from what the store knows (work waiting,
//! the last attempts and how they failed). The shells only ask their OS to wake them at the time
//! this gives (WorkManager, BGTaskScheduler); they keep no backoff of their own.

use std::time::Duration;

/// What the store knows that decides the next sync.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inputs {
    pub enrolled: bool,
    pub pending_documents: u64,
    pub pending_photos: u64,
    /// Failed attempts since the last success.
    pub failures: u32,
    /// The code of the last failure (see `ffi::ErrorCode::as_str`).
    pub last_error: Option<String>,
    /// Time since the last attempt ended, if there was one.
    pub since_attempt: Option<Duration>,
    /// Time since the last successful sync, if there was one.
    pub since_success: Option<Duration>,
}

/// What to ask the OS for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Run a sync now (expedited where the OS allows: recorded evidence is waiting).
    Now,
    /// Run a sync after the delay.
    After,
    /// Nothing to do until the officer enrols the device.
    Enrol,
    /// The server refused this device's token: only a new enrolment helps.
    EnrolAgain,
}

/// The decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Advice {
    pub action: Action,
    pub delay: Duration,
    /// Whether the run carries the officer's recorded work (ask for expedited work).
    pub expedited: bool,
}

/// First wait after a failed attempt; doubles with each further failure.
pub const FIRST_BACKOFF: Duration = Duration::from_secs(30);
/// The longest wait after failures.
pub const MAX_BACKOFF: Duration = Duration::from_secs(30 * 60);
/// How often to look for colleagues' changes and supervisors' returns with nothing to send.
pub const PULL_EVERY: Duration = Duration::from_secs(15 * 60);

/// The wait after `failures` failed attempts in a row.
pub fn backoff(failures: u32) -> Duration {
    if failures == 0 {
        return Duration::ZERO;
    }
    let doublings = (failures - 1).min(16);
    FIRST_BACKOFF
        .saturating_mul(1u32 << doublings)
        .min(MAX_BACKOFF)
}

/// The next sync.
pub fn advise(i: &Inputs) -> Advice {
    let waiting = i.pending_documents + i.pending_photos > 0;
    if !i.enrolled {
        return Advice {
            action: Action::Enrol,
            delay: Duration::ZERO,
            expedited: false,
        };
    }
    if i.last_error.as_deref() == Some("unauthorized") && i.failures > 0 {
        return Advice {
            action: Action::EnrolAgain,
            delay: Duration::ZERO,
            expedited: false,
        };
    }
    if i.failures > 0 {
        let elapsed = i.since_attempt.unwrap_or(Duration::MAX);
        let delay = backoff(i.failures).saturating_sub(elapsed);
        return Advice {
            action: if delay.is_zero() {
                Action::Now
            } else {
                Action::After
            },
            delay,
            expedited: waiting,
        };
    }
    if waiting {
        return Advice {
            action: Action::Now,
            delay: Duration::ZERO,
            expedited: true,
        };
    }
    let delay = PULL_EVERY.saturating_sub(i.since_success.unwrap_or(Duration::MAX));
    Advice {
        action: if delay.is_zero() {
            Action::Now
        } else {
            Action::After
        },
        delay,
        expedited: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enrolled() -> Inputs {
        Inputs {
            enrolled: true,
            since_success: Some(Duration::from_secs(60)),
            ..Default::default()
        }
    }

    #[test]
    fn recorded_work_goes_now_and_expedited() {
        let a = advise(&Inputs {
            pending_documents: 1,
            ..enrolled()
        });
        assert_eq!(
            (a.action, a.delay, a.expedited),
            (Action::Now, Duration::ZERO, true)
        );
    }

    #[test]
    fn nothing_waiting_pulls_every_quarter_hour() {
        let a = advise(&enrolled());
        assert_eq!(a.action, Action::After);
        assert_eq!(a.delay, PULL_EVERY - Duration::from_secs(60));
        assert!(!a.expedited);
        let never = advise(&Inputs {
            since_success: None,
            ..enrolled()
        });
        assert_eq!(never.action, Action::Now);
    }

    #[test]
    fn failures_back_off_doubling_to_a_ceiling() {
        assert_eq!(backoff(1), Duration::from_secs(30));
        assert_eq!(backoff(2), Duration::from_secs(60));
        assert_eq!(backoff(4), Duration::from_secs(240));
        assert_eq!(backoff(40), MAX_BACKOFF);
        let a = advise(&Inputs {
            pending_photos: 2,
            failures: 3,
            last_error: Some("network".into()),
            since_attempt: Some(Duration::from_secs(100)),
            ..enrolled()
        });
        assert_eq!(
            (a.action, a.delay, a.expedited),
            (Action::After, Duration::from_secs(20), true)
        );
        let due = advise(&Inputs {
            failures: 3,
            since_attempt: Some(Duration::from_secs(500)),
            ..enrolled()
        });
        assert_eq!(due.action, Action::Now);
    }

    #[test]
    fn a_refused_token_or_no_enrolment_stops_retrying() {
        let a = advise(&Inputs {
            pending_documents: 5,
            failures: 1,
            last_error: Some("unauthorized".into()),
            ..enrolled()
        });
        assert_eq!(a.action, Action::EnrolAgain);
        assert_eq!(advise(&Inputs::default()).action, Action::Enrol);
    }
}
