//! `<PlaidEmbeddedLink>`: the institution search made inside the component's own container, with
//! the same token, forward, states and clean-up as the button.

use plaid_link::PlaidLinkOptions;
use wasm_bindgen_test::*;

use crate::support::*;

#[wasm_bindgen_test]
async fn the_search_is_made_in_its_container_connects_and_is_destroyed_with_the_component() {
    fresh_backend();
    fake_plaid_install(false);
    let mut link = Mounted::embedded(PlaidLinkOptions::default().request_timeout_ms(3_000));
    link.wait_for_status("ready").await;
    let container = fake_plaid_container(0).expect("createEmbedded was given an element");
    assert!(link.host.contains(Some(&container)), "inside the component");
    assert!(container.class_list().contains("plaid-link__embedded"));
    assert_eq!(fake_plaid_token(0), "link-sandbox-1");

    // A click on a bank in the search opens Link by itself.
    fake_plaid_event(0, "OPEN", r#"{"link_session_id": "s"}"#);
    link.wait_for_status("open").await;
    fake_plaid_success(0, "public-sandbox-embedded-1", SUCCESS_METADATA);
    link.wait_for_status("connected").await;
    assert_eq!(link.message(), "Connected to First Platypus Bank (2 accounts).");
    assert_eq!(backend_request_count(EXCHANGE_PATH), 1);
    assert!(page_storage_is_empty());

    link.unmount();
    assert!(fake_plaid_destroyed(0), "unmounting destroys the embedded search");
}
