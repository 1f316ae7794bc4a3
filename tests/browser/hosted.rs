//! Hosted Link: Plaid's page in a new window (opened from the click, its hold on this page cut), the
//! outcome asked when the user comes back to this one, a blocked window, a page that is not
//! Plaid's, and the return to this very window.

use leptos::prelude::*;
use plaid_link::{HostedLink, HostedWindow, PlaidHostedLink, PlaidLinkOptions};
use wasm_bindgen_test::*;

use crate::support::*;

const HOSTED_PATH: &str = "/api/hosted_link_finished";
const PLAIDS_PAGE: &str = "https://secure.plaid.com/hl/abc123";
const FINISHED: &str = r#"{"finished":true,"items":[{"item_id":"item-9","institution":{"name":"Tartan Bank"},"accounts":2}],"duplicates":[],"verified":false}"#;

/// A backend that gives a Hosted Link token with the page `url`.
fn hosted_backend(url: &str) -> PlaidLinkOptions {
    fresh_backend();
    backend_reset();
    let answer = format!(
        r#"{{"link_token":"link-sandbox-hosted","expiration":"{}","hosted_link_url":"{url}"}}"#,
        iso_in(4 * 3_600_000)
    );
    backend_respond(TOKEN_PATH, 200, &answer);
    PlaidLinkOptions::default().request_timeout_ms(3_000)
}

fn hosted(options: PlaidLinkOptions, window: HostedWindow) -> Mounted {
    let hosted = HostedLink::new(window);
    Mounted::with_view(move || view! { <PlaidHostedLink options hosted /> })
}

#[wasm_bindgen_test]
async fn a_new_window_opens_plaids_page_and_the_bank_shows_once_the_user_is_back() {
    fake_window_open(false);
    let link = hosted(hosted_backend(PLAIDS_PAGE), HostedWindow::New);
    link.wait_for_status("ready").await;
    assert_eq!(
        backend_request_body(TOKEN_PATH, 0),
        r#"{"hosted_link":{}}"#,
        "no completion URI for a new window"
    );
    backend_respond(HOSTED_PATH, 200, r#"{"finished":false}"#);
    backend_respond(HOSTED_PATH, 200, FINISHED);
    link.click();
    assert_eq!(windows_opened(), PLAIDS_PAGE, "opened from the click");
    assert!(opener_cut(), "Plaid's page has no hold on this one");
    link.wait_for_status("open").await;
    assert_eq!(link.message(), "Finish connecting in the Plaid window.");
    assert!(!link.disabled(), "the button opens Plaid's page again");
    // Back in this window before the session ended: still waiting for it.
    window_gets_focus();
    wait_until("the first look", || backend_request_count(HOSTED_PATH) == 1).await;
    link.wait_for_status("open").await;
    assert_eq!(backend_request_body(HOSTED_PATH, 0), r#"{"link_token":"link-sandbox-hosted"}"#);
    window_gets_focus();
    link.wait_for_status("connected").await;
    assert_eq!(link.message(), "Connected to Tartan Bank (2 accounts).");
    // Connected: the focus is no longer watched.
    window_gets_focus();
    stays_false_for("a third look", 300.0, || backend_request_count(HOSTED_PATH) > 2).await;
}

#[wasm_bindgen_test]
async fn a_finished_answer_with_no_lists_is_a_session_without_a_bank() {
    fake_window_open(false);
    let link = hosted(hosted_backend(PLAIDS_PAGE), HostedWindow::New);
    link.wait_for_status("ready").await;
    // A backend of its own that leaves out `items` and `duplicates` when there are none.
    backend_respond(HOSTED_PATH, 200, r#"{"finished":true}"#);
    link.click();
    link.wait_for_status("open").await;
    window_gets_focus();
    link.wait_for_status("closed").await;
    assert!(!link.disabled(), "the user may start again");
}

#[wasm_bindgen_test]
async fn a_blocked_window_says_so_and_the_next_click_opens_it() {
    fake_window_open(true);
    let link = hosted(hosted_backend(PLAIDS_PAGE), HostedWindow::New);
    link.wait_for_status("ready").await;
    link.click();
    link.wait_for_status("failed").await;
    assert!(link.message().contains("allow pop-ups for this site"), "{}", link.message());
    fake_window_open(false);
    link.click();
    link.wait_for_status("open").await;
    assert_eq!(windows_opened(), PLAIDS_PAGE);
}

#[wasm_bindgen_test]
async fn a_hosted_page_that_is_not_plaids_is_never_opened() {
    fake_window_open(false);
    let link = hosted(hosted_backend("https://plaid.com.evil.example/hl/abc"), HostedWindow::New);
    link.wait_for_status("failed").await;
    assert!(link.message().contains("not Plaid's"), "{}", link.message());
    link.click();
    turn().await;
    assert_eq!(windows_opened(), "", "no window opened");
}

#[wasm_bindgen_test]
async fn back_in_this_window_the_component_that_left_asks_once_and_shows_the_bank() {
    let options = hosted_backend(PLAIDS_PAGE);
    backend_respond(HOSTED_PATH, 200, FINISHED);
    let kept = format!(
        r#"{{"link_token":"link-sandbox-kept","expires_at_ms":{},"component":"hosted:"}}"#,
        js_sys::Date::now() + 3_600_000.0
    );
    set_session_item("plaid-link:hosted-link-token", &kept);
    let link = hosted(options, HostedWindow::Same);
    link.wait_for_status("connected").await;
    assert_eq!(link.message(), "Connected to Tartan Bank (2 accounts).");
    assert_eq!(backend_request_body(HOSTED_PATH, 0), r#"{"link_token":"link-sandbox-kept"}"#);
    assert_eq!(backend_request_count(TOKEN_PATH), 0, "no new token: the session is over");
    assert_eq!(session_item("plaid-link:hosted-link-token"), "", "nothing kept once back");
}
