//! Several components on one page: each its own Link, one Link open at a time, each torn down alone.

use plaid_link::PlaidLinkOptions;
use wasm_bindgen_test::*;

use crate::support::*;

const CLOSED: &str = r#"{"status": null, "institution": null, "link_session_id": "s", "request_id": "r"}"#;

#[wasm_bindgen_test]
async fn three_components_open_one_link_at_a_time_and_each_tears_down_only_its_own() {
    fresh_backend();
    fake_plaid_install(false);
    let options = || PlaidLinkOptions::default().request_timeout_ms(3_000);
    let connect = Mounted::new(options());
    let mut first = Mounted::new(options().update_item("item-1"));
    let second = Mounted::new(options().update_item("item-2"));
    for link in [&connect, &first, &second] {
        link.wait_for_status("ready").await;
    }
    assert_eq!(fake_plaid_handlers(), 3, "each its own Link");

    connect.click();
    connect.wait_for_status("open").await;
    first.click();
    second.click();
    assert_eq!((fake_plaid_opened(1), fake_plaid_opened(2)), (0, 0), "no second Link over the open one");
    assert_eq!((first.status(), second.status()), ("ready".to_owned(), "ready".to_owned()));

    fake_plaid_exit(0, "null", CLOSED);
    connect.wait_for_status("closed").await;
    first.click();
    first.wait_for_status("open").await;
    assert_eq!(fake_plaid_opened(1), 1, "once the first closed, another may open");

    // Unmounting the open one destroys its Link only, and frees the page for the others.
    first.unmount();
    assert!(fake_plaid_destroyed(1));
    assert!(!fake_plaid_destroyed(0) && !fake_plaid_destroyed(2));
    second.click();
    second.wait_for_status("open").await;
    assert_eq!(fake_plaid_opened(2), 1);
    fake_plaid_exit(2, "null", CLOSED);
    second.wait_for_status("closed").await;
}

#[wasm_bindgen_test]
async fn when_the_app_changes_the_item_to_update_the_component_makes_link_again_for_it() {
    use leptos::prelude::*;
    fresh_backend();
    fake_plaid_install(false);
    let item = RwSignal::new_local("item-1".to_owned());
    let options = Signal::derive_local(move || {
        PlaidLinkOptions::default().request_timeout_ms(3_000).update_item(item.get())
    });
    let link = Mounted::new_with(options);
    link.wait_for_status("ready").await;
    assert!(backend_request_body(TOKEN_PATH, 0).contains(r#""item_id":"item-1""#));

    item.set("item-2".to_owned());
    wait_until("Link made again", || fake_plaid_handlers() == 2).await;
    link.wait_for_status("ready").await;
    assert!(fake_plaid_destroyed(0), "the Link for the old item is gone");
    assert!(backend_request_body(TOKEN_PATH, 1).contains(r#""item_id":"item-2""#));
    link.click();
    assert_eq!((fake_plaid_opened(0), fake_plaid_opened(1)), (0, 1), "the new Link opens");
    fake_plaid_exit(1, "null", CLOSED);
    link.wait_for_status("closed").await;
}
