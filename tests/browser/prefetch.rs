//! The hand-over from `embed/plaid-link-prefetch.js`, which starts the link-token request and
//! Link's script before the WebAssembly runs: the component adopts both instead of repeating them,
//! and the prefetch keeps to the same trust rules.

use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

use crate::support::*;

#[wasm_bindgen(module = "/embed/plaid-link-prefetch.js")]
extern "C" {
    pub fn prefetch();
}

/// An embed element, prefetched as the page's loader does, then mounted as the bundle does.
fn prefetched_then_mounted(attributes: &str) -> Mounted {
    let element = inject_embed_element(attributes);
    prefetch();
    plaid_link::mount_all();
    Mounted::observe(element)
}

#[wasm_bindgen_test]
async fn a_prefetched_link_token_is_adopted_not_requested_again() {
    fresh_backend();
    fake_plaid_install(false);
    let link = prefetched_then_mounted("{}");
    link.wait_for_status("ready").await;
    assert_eq!(backend_request_count(TOKEN_PATH), 1);
    assert_eq!(fake_plaid_token(0), "link-sandbox-1");
    assert_eq!(backend_request_redirect(TOKEN_PATH, 0), "manual");
}

#[wasm_bindgen_test]
async fn the_prefetch_carries_the_pages_csrf_token() {
    fresh_backend();
    fake_plaid_install(false);
    set_csrf_meta("csrf-early");
    let link = prefetched_then_mounted("{}");
    link.wait_for_status("ready").await;
    set_csrf_meta("");
    assert_eq!(backend_request_header(TOKEN_PATH, 0, "X-CSRF-Token"), "csrf-early");
}

#[wasm_bindgen_test]
async fn a_prefetched_script_is_adopted_not_inserted_again() {
    fresh_backend();
    let src = fake_plaid_script_url(false);
    declare_in_head("plaid-link-script", &src);
    let link = prefetched_then_mounted(&format!(r#"{{"data-script-src": "{src}"}}"#));
    link.wait_for_status("ready").await;
    assert_eq!(scripts_with_src(&src), 1);
    assert_eq!(fake_plaid_script_runs(), 1);
}

#[wasm_bindgen_test]
async fn a_failed_prefetch_is_shown_and_try_again_asks_afresh() {
    fresh_backend();
    fake_plaid_install(false);
    backend_reset();
    backend_respond(TOKEN_PATH, 500, r#"{"error":"Plaid is down for a moment."}"#);
    backend_respond(TOKEN_PATH, 200, r#"{"link_token":"link-sandbox-second"}"#);
    let link = prefetched_then_mounted("{}");
    link.wait_for_status("failed").await;
    assert_eq!(link.message(), "Plaid is down for a moment.");
    link.click();
    link.wait_for_status("ready").await;
    assert_eq!(backend_request_count(TOKEN_PATH), 2);
    assert_eq!(fake_plaid_token(0), "link-sandbox-second");
}

#[wasm_bindgen_test]
async fn the_prefetch_starts_nothing_on_another_origin() {
    fresh_backend();
    let evil = "https://evil.example.com";
    let link = prefetched_then_mounted(&format!(
        r#"{{"data-link-token-url": "{evil}/link_token", "data-script-src": "{evil}/link-initialize.js"}}"#
    ));
    link.wait_for_status("failed").await;
    assert_eq!(backend_request_urls(), "");
    assert_eq!(scripts_from(evil), 0);
}
