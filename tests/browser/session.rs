//! The Link session: opening, closing, errors, an expired token, events, and the end of a component.

use plaid_link::PlaidLinkOptions;
use wasm_bindgen_test::*;

use crate::support::*;
use crate::{ready_component, ready_page};

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
async fn an_exit_error_of_an_unexpected_shape_is_still_an_error() {
    let link = ready_component().await;
    link.click();
    fake_plaid_exit(0, r#"{"error_type": 42, "error_code": ["?"]}"#, "null");
    link.wait_for_status("failed").await;
    assert!(link.message().contains("Something went wrong"), "{}", link.message());
    assert_eq!(link.label(), "Try again");
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
    // A live component's exchange leaves inside onSuccess; half a second is far more than that.
    stays_false_for("an exchange after unmount", 500.0, || backend_fetch_calls(EXCHANGE_PATH) > 0).await;
}

/// Link's `exit()` calls `onExit` at once (the stand-in's does, and so does the double). When the
/// component itself ends an open Link, at unmount or when the app's options change, that `onExit`
/// is its own doing: it reaches neither the app's `on_exit` nor the status, and nothing throws.
#[wasm_bindgen_test]
async fn link_s_on_exit_during_an_unmount_or_an_options_change_reaches_nothing() {
    use leptos::prelude::*;
    use std::cell::Cell;
    use std::rc::Rc;
    let exits = Rc::new(Cell::new(0));
    let count = exits.clone();
    let options = ready_page().on_exit(move |_, _| count.set(count.get() + 1));
    let mut link = Mounted::new(options);
    link.wait_for_status("ready").await;
    link.click();
    link.wait_for_status("open").await;
    link.unmount();
    assert!(fake_plaid_forced_exit(0) && fake_plaid_destroyed(0));
    assert_eq!(exits.get(), 0, "the app's on_exit heard the component's own exit at unmount");
    drop(link);

    let count = exits.clone();
    fresh_backend();
    fake_plaid_install(false);
    let item = RwSignal::new_local("item-1".to_owned());
    let options = Signal::derive_local(move || {
        let count = count.clone();
        PlaidLinkOptions::default()
            .request_timeout_ms(3_000)
            .update_item(item.get())
            .on_exit(move |_, _| count.set(count.get() + 1))
    });
    let link = Mounted::new_with(options);
    link.wait_for_status("ready").await;
    link.click();
    link.wait_for_status("open").await;
    item.set("item-2".to_owned());
    wait_until("Link made again for the new item", || fake_plaid_handlers() == 2).await;
    link.wait_for_status("ready").await;
    assert!(fake_plaid_forced_exit(0) && fake_plaid_destroyed(0));
    assert_eq!(exits.get(), 0, "the app's on_exit heard the component's own exit at an options change");
    // The new Link is the page's one Link now: it opens, and its own exit is heard.
    link.click();
    link.wait_for_status("open").await;
    fake_plaid_exit(1, "null", r#"{"link_session_id": "s", "status": null}"#);
    link.wait_for_status("closed").await;
    assert_eq!(exits.get(), 1);
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
