//! Claims as leases, so that nothing is lost to a crash: the instance that claimed a piece of work
//! (an exchange's idempotency key, a public token, a bank being added) renews its claim every
//! [`RENEW_EVERY`] while it works; a claim not renewed for [`ABANDONED_SECS`] was left by a process
//! that died, and the next request takes it over. Waiting requests poll for at most [`WAIT`], inside
//! one of the component's 15 s attempts, then answer 503: the component's four attempts (about a
//! minute) see a take-over well inside their span.

use std::future::Future;
use std::time::Duration;

/// How often a holder renews its claim.
pub const RENEW_EVERY: Duration = Duration::from_secs(2);
/// A claim older than this was abandoned: three renewals missed (the clock counts whole seconds).
pub const ABANDONED_SECS: u64 = 6;
/// How long a request waits for another's claim before answering 503.
pub const WAIT: Duration = Duration::from_secs(12);
/// How often a waiting request looks again.
pub const POLL: Duration = Duration::from_millis(50);

/// Tries `claim` until it gives something (`Some`), every [`POLL`] for at most [`WAIT`]; `None` once
/// the wait is over with the claim still held by another.
pub async fn waiting<T, E, F>(mut claim: impl FnMut() -> F) -> Result<Option<T>, E>
where
    F: Future<Output = Result<Option<T>, E>>,
{
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        if let Some(got) = claim().await? {
            return Ok(Some(got));
        }
        if tokio::time::Instant::now() >= deadline {
            return Ok(None);
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Runs `work`, calling `renew` every [`RENEW_EVERY`] until it is done. A renewal that fails (the
/// database is away) is not the work's failure: the work's own writes will say so. Both are polled
/// side by side: a renewal waiting for a connection the work holds (SQLite has one) must not stop
/// the work from finishing its query and giving it back.
pub async fn holding<W, R>(work: W, renew: impl Fn() -> R) -> W::Output
where
    W: Future,
    R: Future,
{
    let renewing = async {
        let mut beat = tokio::time::interval(RENEW_EVERY);
        beat.tick().await;
        loop {
            beat.tick().await;
            renew().await;
        }
    };
    tokio::pin!(work, renewing);
    loop {
        tokio::select! {
            biased;
            done = &mut work => return done,
            () = &mut renewing => {}
        }
    }
}

/// One warning line for an operator: work taken over from a dead holder ended in a refusal that
/// says the public token was spent. The holder may have had Plaid's answer (an access token, an
/// Item Plaid bills) and died before writing it: that Item is held by nobody. `note` carries
/// Plaid's `request_id` of the refusal; the lost call was made at about `claimed_at`.
pub fn outcome_lost(claimed_at: u64, note: &str) {
    tracing::warn!(
        claimed_at,
        note,
        "an exchange's outcome was lost: its instance died mid-exchange; if Plaid had exchanged the \
         public token then, its Item is orphaned: find it at Plaid by that time and remove it"
    );
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use super::{holding, RENEW_EVERY};

    /// SQLite's pool has one connection: the work holds it through a query that outlasts a renewal's
    /// turn, and the renewal waits for it (giving up after the pool's 3 s).
    #[tokio::test(start_paused = true)]
    async fn a_renewal_waiting_for_the_works_connection_does_not_hold_the_work_up() {
        let connection = Arc::new(tokio::sync::Mutex::new(()));
        let query = RENEW_EVERY * 2;
        let work = {
            let connection = connection.clone();
            async move {
                let _held = connection.lock().await;
                tokio::time::sleep(query).await;
            }
        };
        let renew = || {
            let connection = connection.clone();
            async move {
                let _ = tokio::time::timeout(Duration::from_secs(3), connection.lock()).await;
            }
        };
        let started = tokio::time::Instant::now();
        holding(work, renew).await;
        assert_eq!(started.elapsed(), query, "the work ends when its query does");
    }
}
