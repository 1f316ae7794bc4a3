//! What the button says in each state. Pure functions, so that the wording is tested on the host.

use crate::status::{LinkFailure, LinkStatus};

/// The button's text.
pub fn button_label(status: &LinkStatus, idle_label: &str) -> String {
    match status {
        LinkStatus::Preparing => "Preparing…".to_owned(),
        LinkStatus::Ready | LinkStatus::Closed => idle_label.to_owned(),
        LinkStatus::Open => "Connecting…".to_owned(),
        LinkStatus::Sending => "Saving…".to_owned(),
        LinkStatus::Connected(c) if c.updated => "Reconnected".to_owned(),
        LinkStatus::Connected(_) => "Connected".to_owned(),
        LinkStatus::Failed(LinkFailure::OauthReturn(_)) => "Start again".to_owned(),
        LinkStatus::Failed(_) => "Try again".to_owned(),
    }
}

/// The line under the button; empty when the button says enough.
pub fn status_message(status: &LinkStatus) -> String {
    match status {
        LinkStatus::Preparing | LinkStatus::Ready => String::new(),
        LinkStatus::Open => "Finish connecting in the Plaid window.".to_owned(),
        LinkStatus::Sending => "Saving your connection…".to_owned(),
        LinkStatus::Connected(c) => {
            let accounts = match c.accounts {
                1 => "1 account".to_owned(),
                n => format!("{n} accounts"),
            };
            let done = if c.updated { "Reconnected" } else { "Connected" };
            match &c.institution {
                Some(bank) => format!("{done} to {bank} ({accounts})."),
                None => format!("{done} ({accounts})."),
            }
        }
        LinkStatus::Closed => "You closed Plaid before finishing. You can try again at any time.".to_owned(),
        LinkStatus::Failed(failure) => failure.to_string(),
    }
}

/// Whether the button can be pressed.
pub fn actionable(status: &LinkStatus) -> bool {
    matches!(status, LinkStatus::Ready | LinkStatus::Closed | LinkStatus::Failed(_))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::{BackendError, ExchangeFailure};
    use crate::status::Connection;

    fn connected(institution: Option<&str>, accounts: usize) -> LinkStatus {
        LinkStatus::Connected(Connection {
            institution: institution.map(str::to_owned),
            accounts,
            item_id: None,
            updated: false,
        })
    }

    #[test]
    fn connected_names_the_bank_and_counts_accounts() {
        assert_eq!(
            status_message(&connected(Some("First Platypus Bank"), 2)),
            "Connected to First Platypus Bank (2 accounts)."
        );
        assert_eq!(status_message(&connected(None, 1)), "Connected (1 account).");
    }

    #[test]
    fn a_repaired_connection_says_reconnected() {
        let LinkStatus::Connected(mut c) = connected(Some("Tartan Bank"), 3) else { unreachable!() };
        c.updated = true;
        let status = LinkStatus::Connected(c);
        assert_eq!(status_message(&status), "Reconnected to Tartan Bank (3 accounts).");
        assert_eq!(button_label(&status, "x"), "Reconnected");
    }

    #[test]
    fn only_idle_and_failed_states_take_a_click() {
        assert!(actionable(&LinkStatus::Ready));
        assert!(actionable(&LinkStatus::Closed));
        let failure = ExchangeFailure { error: BackendError::Timeout, attempts: 1 };
        assert!(actionable(&LinkStatus::Failed(LinkFailure::Exchange(failure))));
        for busy in [LinkStatus::Preparing, LinkStatus::Open, LinkStatus::Sending, connected(None, 1)] {
            assert!(!actionable(&busy), "{busy:?}");
        }
    }

    #[test]
    fn idle_states_use_the_callers_label() {
        assert_eq!(button_label(&LinkStatus::Ready, "Link your bank"), "Link your bank");
        assert_eq!(button_label(&LinkStatus::Closed, "Link your bank"), "Link your bank");
        assert_eq!(button_label(&LinkStatus::Preparing, "Link your bank"), "Preparing…");
    }

    #[test]
    fn failure_shows_its_message_and_offers_a_retry() {
        let failed = LinkStatus::Failed(LinkFailure::LinkToken(BackendError::Timeout));
        assert_eq!(button_label(&failed, "x"), "Try again");
        assert!(status_message(&failed).contains("took too long"));
    }
}
