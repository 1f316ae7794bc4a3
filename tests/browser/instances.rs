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
    // Which component made which Link depends on which answer arrived first: find them by use.
    let opened = || (0..3).filter(|i| fake_plaid_opened(*i) > 0).collect::<Vec<u32>>();

    connect.click();
    connect.wait_for_status("open").await;
    let [c] = opened()[..] else { panic!("one Link open: {:?}", opened()) };
    first.click();
    second.click();
    assert_eq!(opened(), vec![c], "no second Link over the open one");
    assert_eq!((first.status(), second.status()), ("ready".to_owned(), "ready".to_owned()));

    fake_plaid_exit(c, "null", CLOSED);
    connect.wait_for_status("closed").await;
    first.click();
    first.wait_for_status("open").await;
    let f = opened().into_iter().find(|i| *i != c).expect("once the first closed, another may open");
    let s = (0..3).find(|i| *i != c && *i != f).unwrap();

    // Unmounting the open one destroys its Link only, and frees the page for the others.
    first.unmount();
    assert!(fake_plaid_destroyed(f));
    assert!(!fake_plaid_destroyed(c) && !fake_plaid_destroyed(s));
    second.click();
    second.wait_for_status("open").await;
    assert_eq!(fake_plaid_opened(s), 1);
    fake_plaid_exit(s, "null", CLOSED);
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
