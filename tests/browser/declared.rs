//! What the page's server declared in its `<head>`: the only endpoints and Link script beyond the
//! defaults that markup may name. Injected markup (a sanitiser keeps `data-*`) must not turn the
//! component into a CSRF-carrying POST to any same-origin path, nor give the page's nonce to an
//! uploaded file.

use plaid_link::PlaidLinkOptions;
use wasm_bindgen_test::*;

use crate::prefetch::prefetch;
use crate::support::*;

/// An element with these attributes, prefetched and mounted as the embed bundle does.
fn injected(attributes: &str) -> Mounted {
    let element = inject_embed_element(attributes);
    prefetch();
    plaid_link::mount_all();
    Mounted::observe(element)
}

#[wasm_bindgen_test]
async fn injected_markup_cannot_post_to_a_same_origin_path_its_server_did_not_declare() {
    fresh_backend();
    fake_plaid_install(false);
    set_csrf_meta("csrf-secret");
    backend_respond("/api/items/item-1/reset_login", 200, "{}");
    let link = injected(r#"{"data-link-token-url": "/api/items/item-1/reset_login"}"#);
    link.wait_for_status("failed").await;
    set_csrf_meta("");
    assert!(link.message().contains("has not declared"), "{}", link.message());
    assert_eq!(backend_request_urls(), "", "nothing was sent, by the prefetch nor the component");
    assert_eq!(fake_plaid_handlers(), 0);
}

#[wasm_bindgen_test]
async fn markup_may_name_an_endpoint_its_server_declared() {
    fresh_backend();
    fake_plaid_install(false);
    set_csrf_meta("csrf-secret");
    declare_in_head("plaid-link-endpoints", "/billing/link_token /billing/exchange");
    backend_respond("/billing/link_token", 200, r#"{"link_token":"link-sandbox-billing"}"#);
    let link = injected(r#"{"data-link-token-url": "/billing/link_token"}"#);
    link.wait_for_status("ready").await;
    set_csrf_meta("");
    assert_eq!(backend_request_count("/billing/link_token"), 1, "sent once, by the prefetch, and adopted");
    assert_eq!(backend_request_header("/billing/link_token", 0, "X-CSRF-Token"), "csrf-secret");
    assert_eq!(fake_plaid_token(0), "link-sandbox-billing");
}

#[wasm_bindgen_test]
async fn injected_markup_cannot_give_the_nonce_to_a_same_origin_script_its_server_did_not_declare() {
    fresh_backend();
    let declared = fake_plaid_script_url(false);
    declare_in_head("plaid-link-script", &declared);
    let evil = injected(r#"{"data-script-src": "/uploads/evil.js"}"#);
    evil.wait_for_status("failed").await;
    assert!(evil.message().contains("not Plaid's"), "{}", evil.message());
    assert_eq!(scripts_with_src("/uploads/evil.js"), 0, "no script element, so no nonce handed out");

    // The app's own component, beside it, loads the declared script and connects.
    let own = Mounted::new(PlaidLinkOptions::default());
    own.wait_for_status("ready").await;
    assert_eq!(scripts_with_src(&declared), 1);
    assert_eq!(fake_plaid_script_runs(), 1);
}

#[wasm_bindgen_test]
async fn markup_without_a_script_uses_the_declared_one() {
    fresh_backend();
    let declared = fake_plaid_script_url(false);
    declare_in_head("plaid-link-script", &declared);
    let link = injected("{}");
    link.wait_for_status("ready").await;
    assert_eq!(scripts_with_src(&declared), 1);
}
