//! The link token's refresh: a link token expires (4 hours for a new item). Shortly before, while
//! Link is idle, the flow fetches a fresh one and swaps Link underneath the ready button, with no
//! "Preparing…" in between. A session in progress keeps its token (should it expire there, Link's
//! `INVALID_LINK_TOKEN` starts over). On failure the current Link stays: it works until it expires.

use gloo_timers::callback::Timeout;
use leptos::task::spawn_local;

use super::phase::{Live, Refresh};
use super::Flow;
use crate::backend::{BackendClient, Cancel};
use crate::tokens::LinkToken;

/// When to fetch a fresh link token: a minute before it expires, or at three quarters of its life
/// when it lives less than four minutes (so that a short-lived token is not fetched in a loop).
pub(super) fn refresh_at(expires_at_ms: f64, now_ms: f64) -> f64 {
    expires_at_ms - ((expires_at_ms - now_ms) / 4.0).clamp(0.0, 60_000.0)
}

impl Flow {
    /// The refresh of a Link just made with `token`.
    pub(super) fn plan_refresh(&self, token: &LinkToken) -> Refresh {
        let now = js_sys::Date::now();
        // An expiration already past (clocks disagree) is left to Link's own INVALID_LINK_TOKEN:
        // refreshing at once would only fetch another such token, again and again.
        match token.expires_at_ms().filter(|expires| *expires > now + 1_000.0) {
            Some(expires) => self.wake_at(refresh_at(expires, now)),
            None => Refresh::Never,
        }
    }

    /// Due at `at`, with a timer that wakes the flow then. A timer may fire a little before the wall
    /// clock (`Date.now`) reaches `at`: the flow then plans the rest, rather than lose the refresh.
    fn wake_at(&self, at: f64) -> Refresh {
        let weak = self.weak();
        let wait = (at - js_sys::Date::now()).ceil().clamp(0.0, f64::from(i32::MAX)) as u32;
        let timer = Timeout::new(wait, move || {
            if let Some(flow) = Flow::upgrade(&weak) {
                flow.refresh_if_due();
            }
        });
        Refresh::Planned { at, _timer: Some(timer) }
    }

    /// Fetches a fresh link token if the current one is due and Link is idle.
    pub(super) fn refresh_if_due(&self) {
        let due = self.0.phase.borrow().idle_link().and_then(|live| match &live.refresh {
            Refresh::Planned { at, .. } => Some(*at),
            _ => None,
        });
        let Some(at) = due else { return };
        if js_sys::Date::now() < at {
            let refresh = self.wake_at(at);
            return self.set_refresh(refresh);
        }
        let Ok((backend, _)) = self.resolved() else { return };
        let attempt = self.next_attempt();
        let request = Cancel::new();
        let signal = request.as_ref().map(Cancel::signal);
        self.set_refresh(Refresh::Fetching { at, attempt, _request: request });
        let weak = self.weak();
        spawn_local(async move {
            let token = backend.create_link_token(signal.as_ref()).await;
            if let (Some(flow), Ok(token)) = (Flow::upgrade(&weak), token) {
                flow.refreshed(attempt, &backend, &token);
            }
        });
    }

    fn set_refresh(&self, refresh: Refresh) {
        let old =
            self.0.phase.borrow_mut().link_mut().map(|live| std::mem::replace(&mut live.refresh, refresh));
        drop(old);
    }

    /// A fresh link token arrived: Link made again with it, swapped in if Link is still idle and
    /// this is still the refresh under way. (If Link opened meanwhile, the refresh stays due.)
    fn refreshed(&self, attempt: u32, backend: &BackendClient, token: &LinkToken) {
        let (current, idle) = {
            let phase = self.0.phase.borrow();
            let current = phase.link().is_some_and(
                |live| matches!(live.refresh, Refresh::Fetching { attempt: a, .. } if a == attempt),
            );
            (current, phase.idle_link().is_some())
        };
        if !current {
            return;
        }
        if !idle {
            let at = self.0.phase.borrow().link().and_then(|live| live.refresh.due_at());
            return self.set_refresh(at.map_or(Refresh::Never, |at| Refresh::Planned { at, _timer: None }));
        }
        let Ok(handler) = self.0.surface.make(token, self.callbacks(backend, token), None) else {
            return self.set_refresh(Refresh::Never);
        };
        let live = Live { handler, refresh: self.plan_refresh(token) };
        // The old Link is destroyed after the swap, outside the borrow.
        let old = self.0.phase.borrow_mut().link_mut().map(|current| std::mem::replace(current, live));
        drop(old);
    }
}

#[cfg(test)]
mod tests {
    use super::refresh_at;

    #[test]
    fn a_fresh_token_is_fetched_a_minute_early_or_at_three_quarters_of_a_short_life() {
        let hour = 3_600_000.0;
        assert_eq!(refresh_at(4.0 * hour, 0.0), 4.0 * hour - 60_000.0);
        assert_eq!(refresh_at(40_000.0, 0.0), 30_000.0);
        assert_eq!(refresh_at(1_000.0, 5_000.0), 1_000.0, "already expired: at once");
    }
}
