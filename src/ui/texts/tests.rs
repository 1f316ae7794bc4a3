//! The words, tested on the host: what each state and failure says, in English and in a page's own.

use super::*;
use crate::backend::{BackendError, ExchangeFailure};
use crate::plaid::types::{ErrorType, LinkError};
use crate::status::{ConnectedItem, Connection, LinkFailure, LinkStatus};

#[test]
fn placeholders_are_filled_once_and_values_are_not_read_again() {
    let values = [("bank", "{accounts} Bank"), ("accounts", "2 accounts")];
    assert_eq!(
        fill("Connected to {bank} ({accounts}).", &values),
        "Connected to {accounts} Bank (2 accounts)."
    );
    assert_eq!(fill("{unknown} {bank", &values), "{unknown} {bank");
    assert_eq!(fill("no braces", &values), "no braces");
}

#[test]
fn the_pages_words_replace_a_template_and_none_keeps_the_english() {
    let texts = Texts::new(|english| (english == "{n} accounts").then(|| "{n} comptes".to_owned()));
    assert_eq!(texts.say("{n} accounts", &[("n", "3")]), "3 comptes");
    assert_eq!(texts.say("1 account", &[]), "1 account");
    assert_eq!(Texts::default().say("{n} accounts", &[("n", "3")]), "3 accounts");
}

fn en() -> Texts {
    Texts::default()
}

/// What a backend's failure says, as the failure of a link-token request.
fn backend(error: BackendError) -> String {
    en().failure(&LinkFailure::LinkToken(error))
}

#[test]
fn backend_message_is_shown_as_sent() {
    let e = BackendError::Status { status: 400, message: Some("Your session expired.".into()), plaid: None };
    assert_eq!(backend(e), "Your session expired.");
}

#[test]
fn status_without_message_gets_a_readable_one() {
    let e = |status| backend(BackendError::Status { status, message: None, plaid: None });
    assert!(e(401).contains("Sign in again"));
    assert!(e(503).contains("server had a problem"));
    assert!(e(418).contains("HTTP 418"));
}

#[test]
fn a_blank_message_is_replaced_by_a_sentence_of_ours() {
    let blank = || Some(" \t\r\n".to_owned());
    let e = BackendError::Status { status: 401, message: blank(), plaid: None };
    assert!(backend(e).contains("Sign in again"));
    let error = LinkError {
        error_type: ErrorType::from("ITEM_ERROR".to_owned()),
        error_code: "ITEM_LOCKED".into(),
        error_message: "locked".into(),
        display_message: blank(),
        request_id: None,
    };
    assert_eq!(
        en().link_error(&error),
        en().link_error(&LinkError { display_message: None, ..error.clone() })
    );
    assert!(!en().link_error(&error).trim().is_empty());
}

#[test]
fn network_error_message_does_not_leak_internals() {
    let e = BackendError::Network("TypeError: Failed to fetch".into());
    assert!(!backend(e).contains("TypeError"));
}

fn connected(institution: Option<&str>, accounts: usize) -> LinkStatus {
    LinkStatus::Connected(Connection {
        institution: institution.map(str::to_owned),
        accounts,
        item_id: None,
        updated: false,
        items: Vec::new(),
        verified: false,
        metadata: Default::default(),
    })
}

/// A session that ended without a public token, having added these banks.
fn added(banks: &[&str], verified: bool) -> LinkStatus {
    let items = banks
        .iter()
        .map(|bank| ConnectedItem { item_id: format!("item-{bank}"), institution: Some((*bank).to_owned()) })
        .collect();
    LinkStatus::Connected(Connection {
        institution: None,
        accounts: 0,
        item_id: None,
        updated: false,
        items,
        verified,
        metadata: Default::default(),
    })
}

#[test]
fn a_session_of_several_banks_names_them_and_a_verification_says_verified() {
    assert_eq!(
        en().status_message(&added(&["First Platypus Bank", "Tartan Bank"], false)),
        "Connected 2 banks: First Platypus Bank and Tartan Bank."
    );
    assert_eq!(en().status_message(&added(&["A", "B", "C"], false)), "Connected 3 banks: A, B and C.");
    assert_eq!(en().status_message(&added(&[], true)), "Verified.");
}

#[test]
fn a_duplicate_names_the_bank_already_connected() {
    let duplicate = |institution: Option<&str>| {
        en().failure(&LinkFailure::Duplicate {
            item_id: "item-1".into(),
            institution: institution.map(Into::into),
        })
    };
    assert_eq!(duplicate(Some("First Platypus Bank")), "First Platypus Bank is already connected.");
    assert_eq!(duplicate(None), "This bank is already connected.");
}

#[test]
fn connected_names_the_bank_and_counts_accounts() {
    assert_eq!(
        en().status_message(&connected(Some("First Platypus Bank"), 2)),
        "Connected to First Platypus Bank (2 accounts)."
    );
    assert_eq!(en().status_message(&connected(None, 1)), "Connected (1 account).");
}

#[test]
fn a_repaired_connection_says_reconnected() {
    let LinkStatus::Connected(mut c) = connected(Some("Tartan Bank"), 3) else { unreachable!() };
    c.updated = true;
    let status = LinkStatus::Connected(c);
    assert_eq!(en().status_message(&status), "Reconnected to Tartan Bank (3 accounts).");
    assert_eq!(en().button_label(&status, None), "Reconnected");
}

#[test]
fn idle_states_use_the_callers_label() {
    assert_eq!(en().button_label(&LinkStatus::Ready, Some("Link your bank")), "Link your bank");
    assert_eq!(en().button_label(&LinkStatus::Closed, Some("Link your bank")), "Link your bank");
    assert_eq!(en().button_label(&LinkStatus::Preparing, Some("Link your bank")), "Preparing…");
}

#[test]
fn failure_shows_its_message_and_offers_a_retry() {
    let failed = LinkStatus::Failed(LinkFailure::LinkToken(BackendError::Timeout));
    assert_eq!(en().button_label(&failed, None), "Try again");
    assert!(en().status_message(&failed).contains("took too long"));
}

/// Every state and every failure, as the components can show them.
fn every_status() -> Vec<LinkStatus> {
    use crate::endpoint::EndpointError;
    use crate::oauth::ResumeError;
    use crate::plaid::{PlaidError, ScriptError};
    let mut all = vec![LinkStatus::Preparing, LinkStatus::Ready, LinkStatus::Open, LinkStatus::Sending];
    for (updated, bank, accounts) in [(false, true, 1), (false, false, 2), (true, true, 2), (true, false, 1)]
    {
        let bank = bank.then(|| "Tartan Bank".to_owned());
        all.push(LinkStatus::Connected(Connection {
            institution: bank,
            accounts,
            item_id: None,
            updated,
            items: Vec::new(),
            verified: false,
            metadata: Default::default(),
        }));
    }
    all.push(added(&["Tartan Bank", "Tartan Bank"], false));
    all.push(added(&[], true));
    all.push(LinkStatus::Closed);
    let a = || "http://example.com/".to_owned();
    let mut failures = vec![
        LinkFailure::Endpoint(EndpointError::Insecure(a())),
        LinkFailure::Endpoint(EndpointError::Invalid(a())),
        LinkFailure::Endpoint(EndpointError::OtherOrigin(a())),
        LinkFailure::Endpoint(EndpointError::Undeclared(a())),
        LinkFailure::Endpoint(EndpointError::UntrustedScript(a())),
        LinkFailure::Endpoint(EndpointError::SelfHostedScript(a())),
        LinkFailure::Script(ScriptError::Failed),
        LinkFailure::Script(ScriptError::TimedOut { after_ms: 1 }),
        LinkFailure::Script(ScriptError::NoPlaidGlobal),
        LinkFailure::Script(ScriptError::Page(crate::cause::JsCause::from_message("x"))),
        LinkFailure::Plaid(PlaidError::NotLoaded),
        LinkFailure::Plaid(PlaidError::Create(crate::cause::JsCause::from_message("x"))),
        LinkFailure::Plaid(PlaidError::Open(crate::cause::JsCause::from_message("x"))),
        LinkFailure::Duplicate { item_id: "x".into(), institution: Some("Tartan Bank".into()) },
        LinkFailure::Duplicate { item_id: "x".into(), institution: None },
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
            request_id: None,
        }));
    }
    for status in [401, 429, 500, 418] {
        failures.push(LinkFailure::LinkToken(BackendError::Status { status, message: None, plaid: None }));
    }
    for error in [
        BackendError::Network("x".into()),
        BackendError::Timeout,
        BackendError::Malformed("x"),
        BackendError::Redirected,
        BackendError::Cancelled,
        BackendError::Request(crate::cause::JsCause::from_message("x")),
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
        texts.button_label(&status, None);
        texts.status_message(&status);
    }
    let asked = asked.lock().unwrap();
    let listed: std::collections::BTreeSet<String> = ENGLISH.iter().map(|t| t.to_string()).collect();
    assert_eq!(ENGLISH.len(), listed.len(), "a template is listed twice");
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
        let label = shout.button_label(&status, None);
        assert_eq!(label, label.to_uppercase(), "{status:?}");
        let line = shout.status_message(&status);
        let values_removed =
            line.replace("Tartan Bank", "").replace("http://example.com/", "").replace('x', "");
        assert_eq!(values_removed, values_removed.to_uppercase(), "{status:?}: {line}");
    }
    let connected = LinkStatus::Connected(Connection {
        institution: Some("Tartan Bank".into()),
        accounts: 2,
        item_id: None,
        updated: false,
        items: Vec::new(),
        verified: false,
        metadata: Default::default(),
    });
    assert_eq!(shout.status_message(&connected), "CONNECTED TO Tartan Bank (2 ACCOUNTS).");
}
