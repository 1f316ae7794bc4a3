//! In-browser tests (headless Chromium): the component against test doubles of Plaid and the backend.
#![cfg(target_arch = "wasm32")]

mod embedded;
mod instances;
mod layer;
mod oauth;
mod prefetch;
mod refresh;
mod support;
mod trust;
mod update;

use plaid_link::{PlaidLinkOptions, RetryPolicy};
use support::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// A page where Link's script has already run, with a backend that answers.
fn ready_page() -> PlaidLinkOptions {
    fresh_backend();
    fake_plaid_install(false);
    PlaidLinkOptions::default().request_timeout_ms(3_000)
}

async fn ready_component() -> Mounted {
    let link = Mounted::new(ready_page());
    link.wait_for_status("ready").await;
    link
}

#[wasm_bindgen_test]
async fn ready_component_is_a_connect_button() {
    let link = ready_component().await;
    let button = link.button();
    assert_eq!(button.tag_name(), "BUTTON");
    assert_eq!(link.label(), "Connect a bank account");
    assert!(!link.disabled());
}

#[wasm_bindgen_test]
async fn the_apps_words_replace_every_sentence_shown() {
    fresh_backend();
    fake_plaid_install(false);
    let texts = plaid_link::Texts::new(|english| {
        Some(
            match english {
                "Connect a bank account" => "Connecter un compte bancaire",
                "Connected to {bank} ({accounts})." => "Connecté à {bank} ({accounts}).",
                "{n} accounts" => "{n} comptes",
                _ => return None,
            }
            .to_owned(),
        )
    });
    let link = Mounted::new(PlaidLinkOptions::default().texts(texts));
    link.wait_for_status("ready").await;
    assert_eq!(link.label(), "Connecter un compte bancaire");
    link.click();
    fake_plaid_success(0, "public-sandbox-fr", SUCCESS_METADATA);
    link.wait_for_status("connected").await;
    assert_eq!(link.message(), "Connecté à First Platypus Bank (2 comptes).");
    assert_eq!(link.label(), "Connected", "a sentence the app left out stays in English");
}

#[wasm_bindgen_test]
async fn an_embedded_elements_data_texts_replace_its_sentences_and_bad_json_keeps_english() {
    fresh_backend();
    fake_plaid_install(false);
    let texts = r#"{"Connect a bank account": "Connecter un compte bancaire", "Finish connecting in the Plaid window.": "<b>Terminez</b> dans Plaid."}"#;
    let quoted = js_sys::JSON::stringify(&texts.into()).unwrap();
    let attributes = format!(r#"{{"data-texts": {}}}"#, String::from(quoted));
    let french = Mounted::observe(inject_embed_element(&attributes));
    let broken = Mounted::observe(inject_embed_element(r#"{"data-texts": "{not json"}"#));
    plaid_link::mount_all();
    french.wait_for_status("ready").await;
    broken.wait_for_status("ready").await;
    assert_eq!(french.label(), "Connecter un compte bancaire");
    assert_eq!(broken.label(), "Connect a bank account");
    french.click();
    french.wait_for_status("open").await;
    assert_eq!(french.message(), "<b>Terminez</b> dans Plaid.", "the page's words are text, never markup");
    assert!(french.host.query_selector("b").unwrap().is_none());
    // Closed again: these components stay with the page, and one open Link would hold the others.
    let opened = (0..fake_plaid_handlers()).find(|i| fake_plaid_opened(*i) == 1).unwrap();
    fake_plaid_exit(opened, "null", r#"{"status": null, "link_session_id": "s"}"#);
    french.wait_for_status("closed").await;
}

#[wasm_bindgen_test]
async fn script_is_inserted_once_for_three_components() {
    fresh_backend();
    let src = fake_plaid_script_url(false);
    let options = || PlaidLinkOptions::default().script_src(src.clone());
    let links = [Mounted::new(options()), Mounted::new(options()), Mounted::new(options())];
    for link in &links {
        link.wait_for_status("ready").await;
    }
    assert_eq!(scripts_with_src(&src), 1);
    assert_eq!(fake_plaid_script_runs(), 1);
    assert_eq!(fake_plaid_handlers(), 3);
}

#[wasm_bindgen_test]
async fn script_that_does_not_load_shows_an_error_and_retry_inserts_it_again() {
    fresh_backend();
    let src = "/no-such-plaid-script.js";
    let link = Mounted::new(PlaidLinkOptions::default().script_src(src));
    link.wait_for_status("failed").await;
    assert!(link.message().contains("could not be loaded"), "{}", link.message());
    assert_eq!(link.label(), "Try again");
    assert_eq!(scripts_with_src(src), 0, "the failed element is removed");
    link.click();
    wait_until("a second attempt", || backend_request_count(TOKEN_PATH) == 2).await;
    link.wait_for_status("failed").await;
}

#[wasm_bindgen_test]
async fn script_that_fails_once_works_on_retry() {
    fresh_backend();
    let src = fake_plaid_script_url(true);
    let link = Mounted::new(PlaidLinkOptions::default().script_src(src.clone()));
    link.wait_for_status("failed").await;
    assert!(link.message().contains("did not start"), "{}", link.message());
    link.click();
    link.wait_for_status("ready").await;
    assert_eq!(fake_plaid_script_runs(), 2);
    assert_eq!(scripts_with_src(&src), 1);
}

#[wasm_bindgen_test]
async fn token_request_and_script_load_start_together() {
    fresh_backend();
    backend_hold(TOKEN_PATH);
    let src = fake_plaid_script_url(false);
    let link = Mounted::new(PlaidLinkOptions::default().script_src(src.clone()));
    wait_until("the script to run while the token is pending", || fake_plaid_script_runs() == 1).await;
    assert_eq!(backend_request_count(TOKEN_PATH), 1);
    assert_eq!(link.status(), "preparing");
    assert!(link.disabled());
    backend_release(TOKEN_PATH);
    link.wait_for_status("ready").await;
}

#[wasm_bindgen_test]
async fn ready_waits_for_links_on_load() {
    fresh_backend();
    fake_plaid_install(true);
    let link = Mounted::new(PlaidLinkOptions::default());
    wait_until("Plaid.create", || fake_plaid_handlers() == 1).await;
    support::turn().await;
    assert_eq!(link.status(), "preparing");
    link.click();
    assert_eq!(fake_plaid_opened(0), 0, "open before onLoad does nothing");
    fake_plaid_load(0);
    link.wait_for_status("ready").await;
    assert_eq!(fake_plaid_token(0), "link-sandbox-1");
}

#[wasm_bindgen_test]
async fn double_click_opens_link_once() {
    let link = ready_component().await;
    link.click();
    link.click();
    link.wait_for_status("open").await;
    link.click();
    assert_eq!(fake_plaid_opened(0), 1);
    assert!(link.disabled());
    assert_eq!(link.label(), "Connecting…");
}

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

#[wasm_bindgen_test]
async fn success_without_institution_sends_null() {
    let link = ready_component().await;
    link.click();
    fake_plaid_success(
        0,
        "public-sandbox-1",
        r#"{"institution": null, "accounts": [], "link_session_id": "s"}"#,
    );
    link.wait_for_status("connected").await;
    let body = backend_request_body(EXCHANGE_PATH, 0);
    assert!(body.contains(r#""institution":null"#), "{body}");
    assert_eq!(link.message(), "Connected (0 accounts).");
}

#[wasm_bindgen_test]
async fn metadata_of_an_unexpected_shape_still_forwards_the_token() {
    let link = ready_component().await;
    link.click();
    fake_plaid_success(
        0,
        "public-sandbox-odd",
        r#"{"institution": 5, "accounts": "many", "link_session_id": 7}"#,
    );
    link.wait_for_status("connected").await;
    assert_eq!(link.message(), "Connected (0 accounts).");
    let body = exchange_body::parse(&backend_request_body(EXCHANGE_PATH, 0));
    assert_eq!(body.public_token, "public-sandbox-odd");
    assert_eq!(body.institution_id, None);
}

#[wasm_bindgen_test]
async fn an_exit_error_of_an_unexpected_shape_is_still_an_error() {
    let link = ready_component().await;
    link.click();
    fake_plaid_exit(0, r#"{"error_type": 42, "error_code": ["?"]}"#, "null");
    link.wait_for_status("failed").await;
    assert!(link.message().contains("Something went wrong"), "{}", link.message());
    assert_eq!(link.label(), "Try again");
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
async fn closing_link_allows_opening_it_again() {
    let link = ready_component().await;
    link.click();
    fake_plaid_exit(
        0,
        "null",
        r#"{"status": "requires_credentials", "institution": null, "link_session_id": "s", "request_id": "r"}"#,
    );
    link.wait_for_status("closed").await;
    assert!(link.message().contains("You closed Plaid"), "{}", link.message());
    assert_eq!(link.label(), "Connect a bank account");
    link.click();
    assert_eq!(fake_plaid_opened(0), 2);
    assert_eq!(backend_request_count(EXCHANGE_PATH), 0);
}

#[wasm_bindgen_test]
async fn link_error_shows_plaids_display_message_and_reopens() {
    let link = ready_component().await;
    link.click();
    let error = r#"{"error_type": "ITEM_ERROR", "error_code": "INVALID_CREDENTIALS",
        "error_message": "the provided credentials were not correct",
        "display_message": "The credentials you provided were incorrect."}"#;
    fake_plaid_exit(0, error, r#"{"status": "requires_credentials", "link_session_id": "s"}"#);
    link.wait_for_status("failed").await;
    assert_eq!(link.message(), "The credentials you provided were incorrect.");
    link.click();
    assert_eq!(fake_plaid_opened(0), 2, "the same Link reopens");
    assert_eq!(fake_plaid_handlers(), 1);
}

#[wasm_bindgen_test]
async fn link_error_without_display_message_is_explained_by_its_type() {
    let link = ready_component().await;
    link.click();
    let error = r#"{"error_type": "INSTITUTION_ERROR", "error_code": "INSTITUTION_DOWN",
        "error_message": "this institution is not currently responding", "display_message": null}"#;
    fake_plaid_exit(0, error, r#"{"status": null, "link_session_id": "s"}"#);
    link.wait_for_status("failed").await;
    assert!(link.message().contains("not responding right now"), "{}", link.message());
    assert!(!link.message().contains("currently responding"), "the developer message stays hidden");
}

#[wasm_bindgen_test]
async fn expired_link_token_fetches_a_fresh_one() {
    let link = ready_component().await;
    backend_respond(TOKEN_PATH, 200, r#"{"link_token":"link-sandbox-fresh"}"#);
    link.click();
    let error = r#"{"error_type": "INVALID_INPUT", "error_code": "INVALID_LINK_TOKEN",
        "error_message": "link token has expired", "display_message": null}"#;
    fake_plaid_exit(0, error, r#"{"link_session_id": "s"}"#);
    wait_until("a second link token", || backend_request_count(TOKEN_PATH) == 2).await;
    link.wait_for_status("ready").await;
    assert!(fake_plaid_destroyed(0));
    assert_eq!(fake_plaid_token(1), "link-sandbox-fresh");
}

#[wasm_bindgen_test]
async fn unmount_exits_and_destroys_link_and_ignores_late_callbacks() {
    let mut link = ready_component().await;
    link.click();
    link.unmount();
    assert!(fake_plaid_forced_exit(0));
    assert!(fake_plaid_destroyed(0));
    fake_plaid_success(0, "public-sandbox-late", SUCCESS_METADATA);
    support::turn().await;
    assert_eq!(backend_request_count(EXCHANGE_PATH), 0);
}

#[wasm_bindgen_test]
async fn unmount_while_the_script_loads_does_not_break_the_next_component() {
    fresh_backend();
    let src = fake_plaid_script_url(false);
    let mut first = Mounted::new(PlaidLinkOptions::default().script_src(src.clone()));
    first.unmount();
    let second = Mounted::new(PlaidLinkOptions::default().script_src(src.clone()));
    second.wait_for_status("ready").await;
    assert_eq!(scripts_with_src(&src), 1);
}

#[wasm_bindgen_test]
async fn malformed_link_token_answer_is_a_clear_error() {
    fresh_backend();
    fake_plaid_install(false);
    backend_reset();
    backend_respond(TOKEN_PATH, 200, "<html>surprise</html>");
    let link = Mounted::new(PlaidLinkOptions::default());
    link.wait_for_status("failed").await;
    assert!(link.message().contains("could not read"), "{}", link.message());

    backend_reset();
    backend_respond(TOKEN_PATH, 200, r#"{"token": "wrong field"}"#);
    link.click();
    wait_until("a second link-token request", || backend_request_count(TOKEN_PATH) == 1).await;
    link.wait_for_status("failed").await;
    assert!(link.message().contains("could not read"), "{}", link.message());
}

#[wasm_bindgen_test]
async fn a_plaid_error_object_from_the_backend_shows_its_display_message_never_its_developer_message() {
    fresh_backend();
    fake_plaid_install(false);
    backend_reset();
    // Plaid's quickstart backend passes Plaid's error object through.
    backend_respond(
        TOKEN_PATH,
        400,
        r#"{"error": {"error_type": "INVALID_INPUT", "error_code": "INVALID_API_KEYS", "error_message": "invalid client_id or secret provided", "display_message": null, "request_id": "r1", "status_code": 400}}"#,
    );
    let link = Mounted::new(PlaidLinkOptions::default());
    link.wait_for_status("failed").await;
    assert!(link.message().contains("could not be set up"), "{}", link.message());
    assert!(!link.message().contains("client_id"), "the developer message stays hidden: {}", link.message());

    backend_reset();
    backend_respond(TOKEN_PATH, 200, r#"{"link_token":"link-sandbox-1"}"#);
    backend_respond(
        EXCHANGE_PATH,
        400,
        r#"{"error": {"error_type": "ITEM_ERROR", "error_code": "ITEM_LOCKED", "error_message": "the account is locked", "display_message": "Your account is locked. Contact your bank."}}"#,
    );
    link.click();
    link.wait_for_status("ready").await;
    link.click();
    fake_plaid_success(0, "public-sandbox-quickstart", SUCCESS_METADATA);
    link.wait_for_status("failed").await;
    assert_eq!(
        link.message(),
        "Your bank account could not be saved. Your account is locked. Contact your bank."
    );
}

#[wasm_bindgen_test]
async fn backend_error_status_shows_its_message() {
    fresh_backend();
    fake_plaid_install(false);
    backend_reset();
    backend_respond(TOKEN_PATH, 500, r#"{"error": "Plaid is unavailable, try again in a minute."}"#);
    let link = Mounted::new(PlaidLinkOptions::default());
    link.wait_for_status("failed").await;
    assert_eq!(link.message(), "Plaid is unavailable, try again in a minute.");
}

#[wasm_bindgen_test]
async fn unreachable_backend_and_timeout_are_told_apart() {
    fresh_backend();
    fake_plaid_install(false);
    backend_reset();
    backend_fail(TOKEN_PATH, "network");
    let link = Mounted::new(PlaidLinkOptions::default());
    link.wait_for_status("failed").await;
    assert!(link.message().contains("could not reach the server"), "{}", link.message());

    backend_reset();
    backend_fail(TOKEN_PATH, "hang");
    let slow = Mounted::new(PlaidLinkOptions::default().request_timeout_ms(200));
    slow.wait_for_status("failed").await;
    assert!(slow.message().contains("took too long"), "{}", slow.message());
}

#[wasm_bindgen_test]
async fn events_reach_the_applications_callback() {
    use std::cell::RefCell;
    use std::rc::Rc;
    let seen = Rc::new(RefCell::new(Vec::new()));
    let record = seen.clone();
    let options = ready_page().on_event(move |e| record.borrow_mut().push(e.name.as_str().to_owned()));
    let link = Mounted::new(options);
    link.wait_for_status("ready").await;
    fake_plaid_event(0, "OPEN", r#"{"link_session_id": "s", "view_name": "CONSENT", "timestamp": "t"}"#);
    fake_plaid_event(0, "SOMETHING_NEW", "{}");
    assert_eq!(*seen.borrow(), ["OPEN", "SOMETHING_NEW"]);
}

#[wasm_bindgen_test]
async fn plain_http_endpoints_off_loopback_are_refused_before_any_request() {
    fresh_backend();
    fake_plaid_install(false);
    let link = Mounted::new(PlaidLinkOptions::default().exchange_url("http://bank.example.com/exchange"));
    link.wait_for_status("failed").await;
    assert!(link.message().contains("insecure connection"), "{}", link.message());
    assert_eq!(backend_request_count(TOKEN_PATH), 0);
    assert_eq!(fake_plaid_handlers(), 0);
}

#[wasm_bindgen_test]
async fn plain_http_script_off_loopback_is_refused() {
    fresh_backend();
    let src = "http://cdn.example.com/link-initialize.js";
    let link = Mounted::new(PlaidLinkOptions::default().script_src(src));
    link.wait_for_status("failed").await;
    assert!(link.message().contains("insecure connection"), "{}", link.message());
    assert_eq!(scripts_with_src(src), 0);
}

#[wasm_bindgen_test]
async fn both_calls_carry_the_pages_csrf_token() {
    set_csrf_meta("csrf-123");
    let link = Mounted::new(ready_page().csrf_header("X-My-Csrf"));
    link.wait_for_status("ready").await;
    link.click();
    fake_plaid_success(0, "public-sandbox-3", SUCCESS_METADATA);
    link.wait_for_status("connected").await;
    set_csrf_meta("");
    assert_eq!(backend_request_header(TOKEN_PATH, 0, "X-My-Csrf"), "csrf-123");
    assert_eq!(backend_request_header(EXCHANGE_PATH, 0, "X-My-Csrf"), "csrf-123");
}

fn quick_retries() -> RetryPolicy {
    RetryPolicy { attempts: 4, base_delay_ms: 10 }
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

#[wasm_bindgen_test]
async fn a_mounted_component_stays_when_the_page_drops_its_handle_and_goes_on_unmount() {
    fresh_backend();
    fake_plaid_install(false);
    let element = element_for_mount();
    // As when the page keeps no reference and the garbage collector finalizes the object.
    drop(plaid_link::mount(element.clone(), wasm_bindgen::JsValue::UNDEFINED));
    let link = Mounted::observe(element.clone());
    // Unmounted at the drop, it would never get there: the flow goes on, Link is made.
    link.wait_for_status("ready").await;
    assert_eq!(fake_plaid_handlers(), 1);
    assert!(!fake_plaid_destroyed(0));
    assert!(!link.disabled());

    let other = element_for_mount();
    let mut mounted = plaid_link::mount(other.clone(), wasm_bindgen::JsValue::UNDEFINED);
    Mounted::observe(other.clone()).wait_for_status("ready").await;
    mounted.unmount();
    assert!(other.query_selector(".plaid-link").unwrap().is_none(), "unmount() removes it");
    assert!(fake_plaid_destroyed(1), "and destroys its Link");
}

#[wasm_bindgen_test]
async fn a_header_the_browser_refuses_is_a_clear_failure_and_nothing_is_sent() {
    fresh_backend();
    fake_plaid_install(false);
    let options =
        PlaidLinkOptions::default().headers(|| vec![("X-Tenant".to_owned(), "acme\nInjected: 1".to_owned())]);
    let link = Mounted::new(options);
    link.wait_for_status("failed").await;
    assert!(link.message().starts_with("The request could not be sent"), "{}", link.message());
    assert_eq!(backend_request_count(TOKEN_PATH), 0);
    assert_eq!(link.label(), "Try again");
}
