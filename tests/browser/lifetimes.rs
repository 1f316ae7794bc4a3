//! Each phase of the flow owns what it started: when the component goes (or starts over), its
//! request is aborted, its refresh timer cleared and its Link destroyed.

use leptos::prelude::*;
use plaid_link::PlaidLinkOptions;
use wasm_bindgen_test::*;

use crate::support::*;

#[wasm_bindgen_test]
async fn unmounting_while_the_link_token_is_asked_for_aborts_the_request() {
    fresh_backend();
    fake_plaid_install(false);
    backend_hold(TOKEN_PATH);
    let mut link = Mounted::new(PlaidLinkOptions::default());
    wait_until("the token request", || backend_request_count(TOKEN_PATH) == 1).await;
    assert!(!backend_request_aborted(TOKEN_PATH, 0));
    link.unmount();
    assert!(backend_request_aborted(TOKEN_PATH, 0), "the preparing phase aborted its request as it went");
    backend_release(TOKEN_PATH);
}

#[wasm_bindgen_test]
async fn unmounting_clears_the_planned_refresh() {
    fresh_backend();
    fake_plaid_install(false);
    backend_reset();
    let token = format!(r#"{{"link_token":"link-sandbox-hour","expiration":"{}"}}"#, iso_in(3_600_000));
    backend_respond(TOKEN_PATH, 200, &token);
    let before = pending_long_timers();
    let mut link = Mounted::new(PlaidLinkOptions::default());
    link.wait_for_status("ready").await;
    assert_eq!(pending_long_timers(), before + 1, "a refresh is planned");
    link.unmount();
    assert_eq!(pending_long_timers(), before, "its timer went with the component");
    assert!(fake_plaid_destroyed(0));
}

#[wasm_bindgen_test]
async fn starting_over_aborts_the_request_of_the_attempt_it_replaces() {
    fresh_backend();
    fake_plaid_install(false);
    backend_hold(TOKEN_PATH);
    let item = RwSignal::new_local("item-1".to_owned());
    let options = Signal::derive_local(move || PlaidLinkOptions::default().update_item(item.get()));
    let link = Mounted::new_with(options);
    wait_until("the first token request", || backend_request_count(TOKEN_PATH) == 1).await;
    item.set("item-2".to_owned());
    wait_until("the second token request", || backend_request_count(TOKEN_PATH) == 2).await;
    assert!(backend_request_aborted(TOKEN_PATH, 0), "the old attempt's request is aborted");
    assert!(!backend_request_aborted(TOKEN_PATH, 1));
    backend_release(TOKEN_PATH);
    link.wait_for_status("ready").await;
    assert_eq!(fake_plaid_handlers(), 1, "Link is made once, for the item now asked about");
}
