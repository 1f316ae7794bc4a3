//! Every way a Link session ends, as the component takes it: a success without a public token
//! (Multi-Item Link, Identity Verification), a duplicate refused by the backend, an exit report,
//! the events a page can hear, and one Link open per page with the embedded search.

use std::cell::RefCell;
use std::rc::Rc;

use plaid_link::{ConnectedItem, LinkFailure, PlaidLinkOptions};
use wasm_bindgen_test::*;

use crate::support::*;

const MULTI_ITEM_METADATA: &str =
    r#"{"institution": null, "accounts": [], "link_session_id": "session-multi"}"#;

/// A component whose Link is open, with these options.
async fn open_component(options: PlaidLinkOptions) -> Mounted {
    fake_plaid_install(false);
    let link = Mounted::new(options.request_timeout_ms(3_000));
    link.wait_for_status("ready").await;
    link.click();
    link.wait_for_status("open").await;
    link
}

#[wasm_bindgen_test]
async fn a_success_without_a_token_tells_the_backend_which_session_and_names_its_banks() {
    fresh_backend();
    backend_respond(
        FINISHED_PATH,
        200,
        r#"{"items": [{"item_id": "item-a", "institution": {"name": "First Platypus Bank"}},
                      {"item_id": "item-b", "institution": {"name": "Tartan Bank"}}],
            "duplicates": [], "verified": false}"#,
    );
    let connected = Rc::new(RefCell::new(Vec::new()));
    let seen = Rc::clone(&connected);
    let options = PlaidLinkOptions::default()
        .multi_item(true)
        .on_connected(move |c| seen.borrow_mut().extend(c.items.iter().cloned()));
    let link = open_component(options).await;
    assert!(backend_request_body(TOKEN_PATH, 0).contains(r#""multi_item":true"#), "a multi-item link token");
    fake_plaid_success_without_token(0, MULTI_ITEM_METADATA);
    link.wait_for_status("connected").await;
    assert_eq!(link.message(), "Connected 2 banks: First Platypus Bank and Tartan Bank.");
    let body = backend_request_body(FINISHED_PATH, 0);
    assert!(body.contains(r#""link_session_id":"session-multi""#), "{body}");
    assert!(body.contains(r#""status":null"#), "{body}");
    assert!(body.contains(r#""link_token":"link-sandbox-1""#), "the session's own link token: {body}");
    assert!(!body.contains("public_token"), "no token is sent, there is none: {body}");
    assert!(!backend_request_header(FINISHED_PATH, 0, "idempotency-key").is_empty(), "retried safely");
    assert_eq!(backend_request_count(EXCHANGE_PATH), 0);
    let ids: Vec<String> = connected.borrow().iter().map(|i: &ConnectedItem| i.item_id.clone()).collect();
    assert_eq!(ids, ["item-a", "item-b"], "on_connected tells the app which items");
    assert!(page_storage_is_empty());
}

#[wasm_bindgen_test]
async fn an_identity_verification_success_says_verified() {
    fresh_backend();
    backend_respond(FINISHED_PATH, 200, r#"{"items": [], "duplicates": [], "verified": true}"#);
    let link = open_component(PlaidLinkOptions::default()).await;
    let metadata =
        r#"{"institution": null, "accounts": [], "link_session_id": "idv-1", "status": "success"}"#;
    fake_plaid_success_without_token(0, metadata);
    link.wait_for_status("connected").await;
    assert_eq!(link.message(), "Verified.");
    assert!(backend_request_body(FINISHED_PATH, 0).contains(r#""status":"success""#));
}

#[wasm_bindgen_test]
async fn the_session_finished_call_is_retried_like_the_exchange() {
    fresh_backend();
    backend_respond(FINISHED_PATH, 503, r#"{"error": "busy"}"#);
    backend_respond(
        FINISHED_PATH,
        200,
        r#"{"items": [{"item_id": "item-a", "institution": {"name": "Tartan Bank"}}]}"#,
    );
    let options =
        PlaidLinkOptions::default().exchange_retry(plaid_link::RetryPolicy { attempts: 3, base_delay_ms: 1 });
    let link = open_component(options).await;
    fake_plaid_success_without_token(0, MULTI_ITEM_METADATA);
    link.wait_for_status("connected").await;
    assert_eq!(backend_request_count(FINISHED_PATH), 2);
    let key = |i| backend_request_header(FINISHED_PATH, i, "idempotency-key");
    assert_eq!(key(0), key(1), "one key for both attempts");
}

#[wasm_bindgen_test]
async fn a_duplicate_is_named_and_not_retried() {
    use leptos::prelude::*;
    fresh_backend();
    backend_reset();
    backend_respond(TOKEN_PATH, 200, &link_token_answer("link-sandbox-1"));
    backend_respond(
        EXCHANGE_PATH,
        409,
        r#"{"error": "This bank is already connected.",
            "duplicate": {"item_id": "item-9", "institution": {"name": "First Platypus Bank"}}}"#,
    );
    fake_plaid_install(false);
    // Through the hook, as an app that offers update mode for the item already there would use it.
    let (link, _mounted) = Mounted::hook(PlaidLinkOptions::default().request_timeout_ms(3_000));
    wait_until("ready", || link.ready.get_untracked()).await;
    link.open.run(());
    fake_plaid_success(0, "public-sandbox-dup", SUCCESS_METADATA);
    wait_until("failed", || link.status.get_untracked().name() == "failed").await;
    assert_eq!(backend_request_count(EXCHANGE_PATH), 1, "not retried");
    let failure = link.error.get_untracked().expect("a failure");
    assert_eq!(failure.to_string(), "First Platypus Bank is already connected.");
    assert!(
        matches!(&failure, LinkFailure::Duplicate { item_id, .. } if item_id == "item-9"),
        "the app learns which item is there already: {failure:?}"
    );
}

#[wasm_bindgen_test]
async fn an_exit_error_is_reported_with_its_codes_and_ids_only_when_asked() {
    fresh_backend();
    backend_respond(EXIT_REPORT_PATH, 202, "{}");
    let error = r#"{"error_type": "ITEM_ERROR", "error_code": "INVALID_CREDENTIALS", "error_message": "the provided credentials were not correct", "display_message": "What the user typed: hunter2"}"#;
    let metadata = r#"{"status": "requires_credentials", "institution": {"name": "First Platypus Bank", "institution_id": "ins_109508"}, "link_session_id": "s-9", "request_id": "req-9"}"#;
    let link = open_component(PlaidLinkOptions::default().exit_report_url(EXIT_REPORT_PATH)).await;
    fake_plaid_exit(0, error, metadata);
    let reported_after = js_sys::Date::now();
    link.wait_for_status("failed").await;
    wait_until("the report", || backend_request_count(EXIT_REPORT_PATH) == 1).await;
    let report_took = js_sys::Date::now() - reported_after;
    let report: serde_json::Value = serde_json::from_str(&backend_request_body(EXIT_REPORT_PATH, 0)).unwrap();
    assert_eq!(
        report,
        serde_json::json!({"error_type": "ITEM_ERROR", "error_code": "INVALID_CREDENTIALS", "request_id": "req-9",
                           "link_session_id": "s-9", "institution_id": "ins_109508", "status": "requires_credentials"})
    );
    drop(link);

    // Off unless the app asks: no report.
    fresh_backend();
    let link = open_component(PlaidLinkOptions::default()).await;
    fake_plaid_exit(0, error, metadata);
    link.wait_for_status("failed").await;
    // As long as the report took when asked for, ten times over, and at least half a second.
    stays_false_for("an exit report nobody asked for", (10.0 * report_took).max(500.0), || {
        backend_fetch_calls(EXIT_REPORT_PATH) > 0
    })
    .await;
}

#[wasm_bindgen_test]
async fn a_page_hears_status_and_link_events_as_dom_events_and_through_on_event() {
    fresh_backend();
    fake_plaid_install(false);
    let element = element_for_mount();
    record_dom_events(&element);
    let mut mounted =
        plaid_link::mount(element.clone(), mount_options_hearing_events(r#"{"requestTimeoutMs": 3000}"#));
    let link = Mounted::observe(element.clone());
    link.wait_for_status("ready").await;
    link.click();
    link.wait_for_status("open").await;
    fake_plaid_event(
        0,
        "SELECT_INSTITUTION",
        r#"{"link_session_id": "s", "institution_id": "ins_109508", "institution_name": "First Platypus Bank", "view_name": "SELECT_INSTITUTION"}"#,
    );
    fake_plaid_success(0, "public-sandbox-heard", SUCCESS_METADATA);
    link.wait_for_status("connected").await;
    let heard: serde_json::Value = serde_json::from_str(&heard_dom_events(&element)).unwrap();
    let statuses: Vec<&str> = heard
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == "plaid-link:status")
        .map(|e| e["detail"]["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["preparing", "ready", "open", "sending", "connected"]);
    for status in heard.as_array().unwrap().iter().filter(|e| e["type"] == "plaid-link:status") {
        assert_eq!(status["shown"], status["detail"]["status"], "heard once shown: {status}");
        if status["detail"]["status"] == "sending" {
            assert_eq!(status["exchanges"], 1, "the public token left before the page heard of it");
        }
    }
    let connected = heard.as_array().unwrap().iter().rfind(|e| e["type"] == "plaid-link:status").unwrap();
    assert_eq!(
        connected["detail"],
        serde_json::json!({"status": "connected", "institution": "First Platypus Bank", "item_ids": ["item-1"], "accounts": 2})
    );
    let event = heard.as_array().unwrap().iter().find(|e| e["type"] == "plaid-link:event").unwrap();
    assert_eq!(event["detail"]["name"], "SELECT_INSTITUTION");
    assert_eq!(event["detail"]["metadata"]["institution_name"], "First Platypus Bank");
    assert_eq!(event["detail"]["metadata"]["view_name"], "SELECT_INSTITUTION");
    assert!(!heard.to_string().contains("public-sandbox-heard"), "never a token");
    let calls: serde_json::Value = serde_json::from_str(&on_event_calls()).unwrap();
    assert_eq!(calls[0]["name"], "SELECT_INSTITUTION");
    assert_eq!(calls[0]["metadata"]["institution_id"], "ins_109508", "onEvent gets the metadata too");
    mounted.unmount();
}

#[wasm_bindgen_test]
async fn a_link_opened_from_the_embedded_search_keeps_other_links_closed() {
    fresh_backend();
    fake_plaid_install(false);
    let search = Mounted::embedded(PlaidLinkOptions::default().request_timeout_ms(3_000));
    search.wait_for_status("ready").await;
    let button = Mounted::new(PlaidLinkOptions::default().request_timeout_ms(3_000));
    button.wait_for_status("ready").await;
    // A click at a bank in the search opens its Link by itself.
    fake_plaid_event(0, "OPEN", r#"{"link_session_id": "s"}"#);
    search.wait_for_status("open").await;
    button.click();
    assert_eq!(fake_plaid_opened(1), 0, "one Link open per page");
    fake_plaid_exit(0, "null", r#"{"status": null, "link_session_id": "s"}"#);
    search.wait_for_status("closed").await;
    button.click();
    assert_eq!(fake_plaid_opened(1), 1, "free again once the search's Link closed");
}
