//! The forward: the public token goes straight into one exchange request, retried only when that may
//! pass, and nothing is kept.

use plaid_link::RetryPolicy;
use wasm_bindgen_test::*;

use crate::support::*;
use crate::{ready_component, ready_page};

#[wasm_bindgen_test]
async fn success_sends_one_exchange_with_the_token_and_keeps_nothing() {
    let link = ready_component().await;
    link.click();
    fake_plaid_success(0, "public-sandbox-0b5e7f", SUCCESS_METADATA);
    link.wait_for_status("connected").await;
    assert_eq!(link.message(), "Connected to First Platypus Bank (2 accounts).");
    assert_eq!(backend_request_count(EXCHANGE_PATH), 1);
    let body: exchange_body::Body = exchange_body::parse(&backend_request_body(EXCHANGE_PATH, 0));
    assert_eq!(body.public_token, "public-sandbox-0b5e7f");
    assert_eq!(body.institution_id.as_deref(), Some("ins_109508"));
    assert_eq!(body.accounts, 2);
    assert_eq!(body.link_session_id, "session-1");
    assert!(page_storage_is_empty());
    let html = leptos::prelude::document().document_element().unwrap().outer_html();
    assert!(!html.contains("public-sandbox-0b5e7f"));
    assert!(!leptos::prelude::window().location().href().unwrap().contains("public-sandbox"));
}

#[wasm_bindgen_test]
async fn the_exchange_request_leaves_inside_link_s_on_success() {
    let link = ready_component().await;
    link.click();
    fake_plaid_success(0, "public-sandbox-at-once", SUCCESS_METADATA);
    // Nothing has been awaited since Link's call: no task, no re-render, no page listener ran.
    assert_eq!(backend_fetch_calls(EXCHANGE_PATH), 1, "fetch was called before onSuccess returned");
    link.wait_for_status("connected").await;
    assert_eq!(backend_request_count(EXCHANGE_PATH), 1);
}

#[wasm_bindgen_test]
async fn while_the_token_is_on_its_way_the_button_says_saving() {
    let link = ready_component().await;
    backend_hold(EXCHANGE_PATH);
    link.click();
    fake_plaid_success(0, "public-sandbox-held", SUCCESS_METADATA);
    link.wait_for_status("sending").await;
    assert_eq!(link.label(), "Saving…");
    assert!(link.disabled());
    assert_eq!(link.message(), "Saving your connection…");
    link.click();
    assert_eq!(fake_plaid_opened(0), 1, "a click while sending does nothing");
    backend_release(EXCHANGE_PATH);
    link.wait_for_status("connected").await;
    assert_eq!(backend_request_count(EXCHANGE_PATH), 1);
}

/// A component whose Link succeeded with this public token and metadata, once connected.
async fn connected_with(public_token: &str, metadata: &str) -> Mounted {
    let link = ready_component().await;
    link.click();
    fake_plaid_success(0, public_token, metadata);
    link.wait_for_status("connected").await;
    link
}

#[wasm_bindgen_test]
async fn success_without_institution_sends_null() {
    let metadata = r#"{"institution": null, "accounts": [], "link_session_id": "s"}"#;
    let link = connected_with("public-sandbox-1", metadata).await;
    let body = backend_request_body(EXCHANGE_PATH, 0);
    assert!(body.contains(r#""institution":null"#), "{body}");
    assert_eq!(link.message(), "Connected (0 accounts).");
}

#[wasm_bindgen_test]
async fn metadata_of_an_unexpected_shape_still_forwards_the_token() {
    let metadata = r#"{"institution": 5, "accounts": "many", "link_session_id": 7}"#;
    let link = connected_with("public-sandbox-odd", metadata).await;
    assert_eq!(link.message(), "Connected (0 accounts).");
    let body = exchange_body::parse(&backend_request_body(EXCHANGE_PATH, 0));
    assert_eq!(body.public_token, "public-sandbox-odd");
    assert_eq!(body.institution_id, None);
}

#[wasm_bindgen_test]
async fn exchange_failure_shows_the_backends_message_and_retry_starts_over() {
    let link = ready_component().await;
    backend_reset();
    backend_respond(EXCHANGE_PATH, 400, r#"{"error":"This bank is already connected."}"#);
    backend_respond(TOKEN_PATH, 200, r#"{"link_token":"link-sandbox-2"}"#);
    link.click();
    fake_plaid_success(0, "public-sandbox-2", SUCCESS_METADATA);
    link.wait_for_status("failed").await;
    assert_eq!(link.message(), "Your bank account could not be saved. This bank is already connected.");
    link.click();
    link.wait_for_status("ready").await;
    assert_eq!(fake_plaid_handlers(), 2);
    assert_eq!(fake_plaid_token(1), "link-sandbox-2");
    assert!(fake_plaid_destroyed(0));
}

#[wasm_bindgen_test]
async fn exchange_is_retried_on_503_with_one_idempotency_key() {
    let link = Mounted::new(ready_page().exchange_retry(quick_retries()));
    link.wait_for_status("ready").await;
    backend_reset();
    backend_respond(EXCHANGE_PATH, 503, r#"{"error":"busy"}"#);
    backend_fail(EXCHANGE_PATH, "network");
    backend_respond(EXCHANGE_PATH, 200, r#"{"item_id":"item-9"}"#);
    link.click();
    fake_plaid_success(0, "public-sandbox-retry", SUCCESS_METADATA);
    link.wait_for_status("connected").await;
    assert_eq!(backend_request_count(EXCHANGE_PATH), 3);
    let key = backend_request_header(EXCHANGE_PATH, 0, "Idempotency-Key");
    assert_eq!(key.len(), 36, "a UUID: {key}");
    for i in 1..3 {
        assert_eq!(backend_request_header(EXCHANGE_PATH, i, "Idempotency-Key"), key);
        assert_eq!(backend_request_body(EXCHANGE_PATH, i), backend_request_body(EXCHANGE_PATH, 0));
    }
}

#[wasm_bindgen_test]
async fn exchange_refused_with_4xx_is_not_retried() {
    let link = Mounted::new(ready_page().exchange_retry(quick_retries()));
    link.wait_for_status("ready").await;
    backend_reset();
    backend_respond(EXCHANGE_PATH, 409, r#"{"error":"This account is already connected."}"#);
    link.click();
    fake_plaid_success(0, "public-sandbox-409", SUCCESS_METADATA);
    link.wait_for_status("failed").await;
    assert_eq!(backend_request_count(EXCHANGE_PATH), 1);
    assert_eq!(link.message(), "Your bank account could not be saved. This account is already connected.");
}

#[wasm_bindgen_test]
async fn exchange_that_keeps_failing_says_how_often_it_was_tried() {
    let link = Mounted::new(ready_page().exchange_retry(quick_retries()));
    link.wait_for_status("ready").await;
    backend_reset();
    backend_fail(EXCHANGE_PATH, "network");
    link.click();
    fake_plaid_success(0, "public-sandbox-down", SUCCESS_METADATA);
    link.wait_for_status("failed").await;
    assert_eq!(backend_request_count(EXCHANGE_PATH), 4);
    assert!(link.message().contains("could not reach the server"), "{}", link.message());
    assert!(link.message().contains("We tried 4 times"), "{}", link.message());
}

fn quick_retries() -> RetryPolicy {
    RetryPolicy { attempts: 4, base_delay_ms: 10 }
}

/// The exchange body, read without pulling serde_json into the test build.
mod exchange_body {
    use serde::Deserialize;

    #[derive(Deserialize)]
    struct Raw {
        public_token: String,
        institution: Option<Institution>,
        accounts: Vec<serde::de::IgnoredAny>,
        link_session_id: String,
    }

    #[derive(Deserialize)]
    struct Institution {
        institution_id: String,
    }

    pub struct Body {
        pub public_token: String,
        pub institution_id: Option<String>,
        pub accounts: usize,
        pub link_session_id: String,
    }

    pub fn parse(text: &str) -> Body {
        let value = js_sys::JSON::parse(text).expect("JSON");
        let raw: Raw = serde_wasm_bindgen::from_value(value).expect("exchange body shape");
        Body {
            public_token: raw.public_token,
            institution_id: raw.institution.map(|i| i.institution_id),
            accounts: raw.accounts.len(),
            link_session_id: raw.link_session_id,
        }
    }
}
