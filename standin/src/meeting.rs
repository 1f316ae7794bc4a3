//! Meeting points, for a receiver's tests of races: calls to one route are held until a number of
//! them have arrived, so that a test knows they were in flight together rather than hoping so. A
//! meeting that is never complete lets its calls go after a bound, and says it was not met.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use tokio::sync::watch;

/// How long a call waits for the others before it goes on alone.
const BOUND: Duration = Duration::from_secs(10);

/// Calls held until `want` of them have arrived, or the test lets them go.
pub(crate) struct Meeting {
    /// How many calls are wanted, and how many have arrived; `want` 0: no meeting, calls go on.
    counts: Mutex<(usize, usize)>,
    /// Whether the wanted calls all arrived.
    met: AtomicBool,
    /// Set when the held calls may go on: the meeting is complete, or the test let them go.
    go: watch::Sender<bool>,
}

impl Default for Meeting {
    fn default() -> Self {
        Self { counts: Mutex::new((0, 0)), met: AtomicBool::new(false), go: watch::channel(false).0 }
    }
}

impl Meeting {
    /// From now on, calls wait until `want` have arrived (0: no meeting).
    pub(crate) fn expect(&self, want: usize) {
        if let Ok(mut counts) = self.counts.lock() {
            *counts = (want, 0);
        }
        self.met.store(false, Ordering::Relaxed);
        self.go.send_replace(false);
    }

    /// Lets the held calls go, met or not; later calls go on at once.
    pub(crate) fn release(&self) {
        if let Ok(mut counts) = self.counts.lock() {
            counts.0 = 0;
        }
        self.go.send_replace(true);
    }

    /// A call arrives: it waits (bounded) for the others.
    pub(crate) async fn arrive(&self) {
        let complete = match self.counts.lock() {
            Ok(mut counts) if counts.0 > 0 => {
                counts.1 += 1;
                counts.1 >= counts.0
            }
            _ => return,
        };
        if complete {
            self.met.store(true, Ordering::Relaxed);
            self.go.send_replace(true);
            return;
        }
        let mut go = self.go.subscribe();
        let _ = tokio::time::timeout(BOUND, go.wait_for(|go| *go)).await;
    }

    /// Whether the wanted calls all arrived.
    pub(crate) fn was_met(&self) -> bool {
        self.met.load(Ordering::Relaxed)
    }

    /// How many calls have arrived since [`Meeting::expect`].
    pub(crate) fn arrived(&self) -> usize {
        self.counts.lock().map(|counts| counts.1).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A call that has arrived at `meeting`, in a task of its own, waiting there.
    async fn one_arrived(meeting: &std::sync::Arc<Meeting>) -> tokio::task::JoinHandle<()> {
        let call = tokio::spawn({
            let meeting = meeting.clone();
            async move { meeting.arrive().await }
        });
        while meeting.arrived() < 1 {
            tokio::task::yield_now().await;
        }
        call
    }

    #[tokio::test]
    async fn calls_wait_until_the_wanted_number_arrived() {
        let meeting = std::sync::Arc::new(Meeting::default());
        meeting.expect(2);
        let first = one_arrived(&meeting).await;
        assert!(!first.is_finished() && !meeting.was_met());
        meeting.arrive().await;
        first.await.unwrap();
        assert!(meeting.was_met());
    }

    #[tokio::test(start_paused = true)]
    async fn a_meeting_never_complete_lets_its_call_go_after_the_bound() {
        let meeting = Meeting::default();
        meeting.expect(2);
        meeting.arrive().await;
        assert!(!meeting.was_met());
    }

    #[tokio::test]
    async fn released_calls_go_on_unmet() {
        let meeting = std::sync::Arc::new(Meeting::default());
        meeting.expect(3);
        let held = one_arrived(&meeting).await;
        meeting.release();
        held.await.unwrap();
        assert!(!meeting.was_met());
    }

    #[tokio::test]
    async fn without_a_meeting_calls_go_on() {
        let meeting = Meeting::default();
        meeting.arrive().await;
        assert_eq!(meeting.arrived(), 0);
    }
}
