//! Update mode: Link repairs an existing item; nothing is exchanged and no token reaches the backend.

use std::cell::RefCell;
use std::rc::Rc;

use plaid_link::{Connection, PlaidLinkOptions};
use wasm_bindgen_test::*;

use crate::support::*;

const UPDATE_PATH: &str = "/api/item_updated";

fn update_page(account_selection: bool) -> PlaidLinkOptions {
    fresh_backend();
    fake_plaid_install(false);
    PlaidLinkOptions::default()
        .request_timeout_ms(3_000)
        .update_item("item-7")
        .account_selection(account_selection)
}

#[wasm_bindgen_test]
async fn the_link_token_is_asked_for_the_item_and_success_exchanges_nothing() {
    let reported = Rc::new(RefCell::new(None::<Connection>));
    let seen = reported.clone();
    let options = update_page(true).on_connected(move |c| *seen.borrow_mut() = Some(c.clone()));
    backend_respond(UPDATE_PATH, 200, r#"{"item_id":"item-7","status":"ok","accounts":[]}"#);
    let link = Mounted::new(options);
    link.wait_for_status("ready").await;
    let asked = backend_request_body(TOKEN_PATH, 0);
    assert!(
        asked.contains(r#""item_id":"item-7""#) && asked.contains(r#""account_selection":true"#),
        "{asked}"
    );

    link.click();
    fake_plaid_success(0, "public-sandbox-update-4f1", SUCCESS_METADATA);
    link.wait_for_status("connected").await;
    assert_eq!(link.message(), "Reconnected to First Platypus Bank (2 accounts).");
    assert_eq!(link.label(), "Reconnected");
    assert_eq!(backend_request_count(EXCHANGE_PATH), 0, "update mode exchanges nothing");
    assert_eq!(backend_request_count(UPDATE_PATH), 1);
    let told = backend_request_body(UPDATE_PATH, 0);
    assert!(
        told.contains(r#""item_id":"item-7""#) && told.contains(r#""link_session_id":"session-1""#),
        "{told}"
    );
    assert!(!told.contains("public-sandbox"), "the public token is dropped unread: {told}");
    assert!(!told.contains("public_token"));
    let connection = reported.borrow().clone().expect("on_connected was called");
    assert!(connection.updated);
    assert_eq!(connection.item_id.as_deref(), Some("item-7"));
    assert_eq!(connection.accounts, 2);
    assert!(page_storage_is_empty());
}

#[wasm_bindgen_test]
async fn a_login_still_broken_after_update_mode_says_so_and_offers_to_start_over() {
    let link = Mounted::new(update_page(false));
    backend_respond(
        UPDATE_PATH,
        409,
        r#"{"error":"Your bank still asks you to sign in. Please reconnect again."}"#,
    );
    link.wait_for_status("ready").await;
    assert!(backend_request_body(TOKEN_PATH, 0).contains(r#""account_selection":false"#));
    link.click();
    fake_plaid_success(0, "public-sandbox-update-9a2", SUCCESS_METADATA);
    link.wait_for_status("failed").await;
    assert!(link.message().contains("Your bank still asks you to sign in."), "{}", link.message());
    assert_eq!(backend_request_count(UPDATE_PATH), 1, "a 409 is not retried");
    assert_eq!(link.label(), "Try again");
}
