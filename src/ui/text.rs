//! What the button says in each state. Pure functions, so that the wording is tested on the host.

use crate::status::{LinkFailure, LinkStatus};
use crate::texts::Texts;

/// The label the button shows when Link can be opened, unless the app gives its own.
pub const DEFAULT_LABEL: &str = "Connect a bank account";

/// The button's text; `label` is the app's own for the idle states, if it gave one.
pub fn button_label(status: &LinkStatus, label: Option<&str>, t: &Texts) -> String {
    let template = match status {
        LinkStatus::Preparing => "Preparing…",
        LinkStatus::Ready | LinkStatus::Closed => match label {
            Some(label) => return label.to_owned(),
            None => DEFAULT_LABEL,
        },
        LinkStatus::Open => "Connecting…",
        LinkStatus::Sending => "Saving…",
        LinkStatus::Connected(c) if c.updated => "Reconnected",
        LinkStatus::Connected(_) => "Connected",
        LinkStatus::Failed(LinkFailure::OauthReturn(_)) => "Start again",
        LinkStatus::Failed(_) => "Try again",
    };
    t.say(template, &[])
}

/// The line under the button; empty when the button says enough.
pub fn status_message(status: &LinkStatus, t: &Texts) -> String {
    let template = match status {
        LinkStatus::Preparing | LinkStatus::Ready => return String::new(),
        LinkStatus::Open => "Finish connecting in the Plaid window.",
        LinkStatus::Sending => "Saving your connection…",
        LinkStatus::Connected(c) => {
            let accounts = match c.accounts {
                1 => t.say("1 account", &[]),
                n => t.say("{n} accounts", &[("n", &(n as u32).to_string())]),
            };
            let template = match (c.updated, c.institution.is_some()) {
                (false, true) => "Connected to {bank} ({accounts}).",
                (false, false) => "Connected ({accounts}).",
                (true, true) => "Reconnected to {bank} ({accounts}).",
                (true, false) => "Reconnected ({accounts}).",
            };
            let bank = c.institution.as_deref().unwrap_or_default();
            return t.say(template, &[("bank", bank), ("accounts", &accounts)]);
        }
        LinkStatus::Closed => "You closed Plaid before finishing. You can try again at any time.",
        LinkStatus::Failed(failure) => return failure.say(t),
    };
    t.say(template, &[])
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

    fn en() -> Texts {
        Texts::default()
    }

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
            status_message(&connected(Some("First Platypus Bank"), 2), &en()),
            "Connected to First Platypus Bank (2 accounts)."
        );
        assert_eq!(status_message(&connected(None, 1), &en()), "Connected (1 account).");
    }

    #[test]
    fn a_repaired_connection_says_reconnected() {
        let LinkStatus::Connected(mut c) = connected(Some("Tartan Bank"), 3) else { unreachable!() };
        c.updated = true;
        let status = LinkStatus::Connected(c);
        assert_eq!(status_message(&status, &en()), "Reconnected to Tartan Bank (3 accounts).");
        assert_eq!(button_label(&status, None, &en()), "Reconnected");
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
        assert_eq!(button_label(&LinkStatus::Ready, Some("Link your bank"), &en()), "Link your bank");
        assert_eq!(button_label(&LinkStatus::Closed, Some("Link your bank"), &en()), "Link your bank");
        assert_eq!(button_label(&LinkStatus::Preparing, Some("Link your bank"), &en()), "Preparing…");
    }

    #[test]
    fn failure_shows_its_message_and_offers_a_retry() {
        let failed = LinkStatus::Failed(LinkFailure::LinkToken(BackendError::Timeout));
        assert_eq!(button_label(&failed, None, &en()), "Try again");
        assert!(status_message(&failed, &en()).contains("took too long"));
    }

    /// Every state and every failure, as the components can show them.
    fn every_status() -> Vec<LinkStatus> {
        use crate::endpoint::EndpointError;
        use crate::oauth::ResumeError;
        use crate::plaid::types::{ErrorType, LinkError};
        use crate::plaid::{PlaidError, ScriptError};
        let mut all = vec![LinkStatus::Preparing, LinkStatus::Ready, LinkStatus::Open, LinkStatus::Sending];
        for (updated, bank, accounts) in
            [(false, true, 1), (false, false, 2), (true, true, 2), (true, false, 1)]
        {
            let bank = bank.then(|| "Tartan Bank".to_owned());
            all.push(LinkStatus::Connected(Connection {
                institution: bank,
                accounts,
                item_id: None,
                updated,
            }));
        }
        all.push(LinkStatus::Closed);
        let a = || "http://example.com/".to_owned();
        let mut failures = vec![
            LinkFailure::Endpoint(EndpointError::Insecure(a())),
            LinkFailure::Endpoint(EndpointError::Invalid(a())),
            LinkFailure::Endpoint(EndpointError::OtherOrigin(a())),
            LinkFailure::Endpoint(EndpointError::UntrustedScript(a())),
            LinkFailure::Script(ScriptError::Failed),
            LinkFailure::Script(ScriptError::TimedOut { after_ms: 1 }),
            LinkFailure::Script(ScriptError::NoPlaidGlobal),
            LinkFailure::Script(ScriptError::Page("x".into())),
            LinkFailure::Plaid(PlaidError::NotLoaded),
            LinkFailure::Plaid(PlaidError::Create("x".into())),
            LinkFailure::Plaid(PlaidError::Open("x".into())),
            LinkFailure::NoPublicToken,
            LinkFailure::OauthReturn(ResumeError::Missing),
            LinkFailure::OauthReturn(ResumeError::Expired),
        ];
        for error_type in [
            "ITEM_ERROR",
            "INSTITUTION_ERROR",
            "RATE_LIMIT_EXCEEDED",
            "API_ERROR",
            "OAUTH_ERROR",
            "RECAPTCHA_ERROR",
            "INVALID_INPUT",
            "SOMETHING_NEW",
        ] {
            let error_type = ErrorType::from(error_type.to_owned());
            let (error_code, error_message) = (String::new(), String::new());
            failures.push(LinkFailure::Link(LinkError {
                error_type,
                error_code,
                error_message,
                display_message: None,
            }));
        }
        for status in [401, 429, 500, 418] {
            failures.push(LinkFailure::LinkToken(BackendError::Status { status, message: None }));
        }
        for error in [
            BackendError::Network("x".into()),
            BackendError::Timeout,
            BackendError::Malformed("x".into()),
            BackendError::Redirected,
            BackendError::Cancelled,
            BackendError::Request("x".into()),
        ] {
            failures.push(LinkFailure::Exchange(ExchangeFailure { error: error.clone(), attempts: 4 }));
            failures.push(LinkFailure::Exchange(ExchangeFailure { error, attempts: 1 }));
        }
        all.extend(failures.into_iter().map(LinkStatus::Failed));
        all
    }

    #[test]
    fn the_english_list_is_exactly_the_sentences_shown() {
        use std::sync::{Arc, Mutex};
        let asked = Arc::new(Mutex::new(std::collections::BTreeSet::new()));
        let record = Arc::clone(&asked);
        let texts = Texts::new(move |english| {
            record.lock().unwrap().insert(english.to_owned());
            None
        });
        for status in every_status() {
            button_label(&status, None, &texts);
            status_message(&status, &texts);
        }
        let asked = asked.lock().unwrap();
        let listed: std::collections::BTreeSet<String> =
            crate::texts::ENGLISH.iter().map(|t| t.to_string()).collect();
        assert_eq!(crate::texts::ENGLISH.len(), listed.len(), "a template is listed twice");
        let unlisted: Vec<_> = asked.difference(&listed).collect();
        let unused: Vec<_> = listed.difference(&asked).collect();
        assert!(unlisted.is_empty(), "shown but not in texts::ENGLISH: {unlisted:?}");
        assert!(unused.is_empty(), "in texts::ENGLISH but never shown: {unused:?}");
    }

    #[test]
    fn another_language_replaces_every_sentence_and_keeps_the_values() {
        // A stand-in language: every template upper-cased, placeholder names kept.
        let shout = Texts::new(|english| {
            let mut out = String::new();
            let mut in_name = false;
            for c in english.chars() {
                in_name = match c {
                    '{' => true,
                    '}' => false,
                    _ => in_name,
                };
                out.extend(if in_name {
                    c.to_lowercase().collect::<Vec<_>>()
                } else {
                    c.to_uppercase().collect()
                });
            }
            Some(out)
        });
        for status in every_status() {
            let label = button_label(&status, None, &shout);
            assert_eq!(label, label.to_uppercase(), "{status:?}");
            let line = status_message(&status, &shout);
            let values_removed =
                line.replace("Tartan Bank", "").replace("http://example.com/", "").replace('x', "");
            assert_eq!(values_removed, values_removed.to_uppercase(), "{status:?}: {line}");
        }
        let connected = LinkStatus::Connected(Connection {
            institution: Some("Tartan Bank".into()),
            accounts: 2,
            item_id: None,
            updated: false,
        });
        assert_eq!(status_message(&connected, &shout), "CONNECTED TO Tartan Bank (2 ACCOUNTS).");
    }
}
