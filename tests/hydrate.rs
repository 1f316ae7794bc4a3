//! Hydration (headless browser): the server's markup (`tests/fixtures/ssr.html`, checked by
//! `tests/ssr.rs`) becomes the live component, which then connects a bank with the test doubles.
#![cfg(target_arch = "wasm32")]

#[path = "common/app.rs"]
mod app;
#[allow(dead_code)]
#[path = "browser/support.rs"]
mod support;

use support::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::HtmlElement;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn server_markup_is_hydrated_in_place_and_connects_a_bank() {
    fresh_backend();
    fake_plaid_install(false);
    let document = leptos::prelude::document();
    let host: HtmlElement = document.create_element("div").unwrap().unchecked_into();
    host.set_inner_html(include_str!("fixtures/ssr.html"));
    document.body().unwrap().append_child(&host).unwrap();
    let server_button = host.query_selector("button").unwrap().unwrap();
    assert_eq!(backend_request_count(TOKEN_PATH), 0, "nothing runs before hydration");

    let _handle = leptos::mount::hydrate_from(host.clone(), app::app);
    let link = Mounted::observe(host.clone());
    link.wait_for_status("ready").await;
    assert!(server_button.is_same_node(Some(&link.button())), "the server's button is kept, not replaced");
    assert_eq!(host.query_selector_all("button").unwrap().length(), 1);
    assert_eq!(link.label(), "Link your bank");
    assert!(!link.disabled());
    assert_eq!(backend_request_count(TOKEN_PATH), 1);

    link.click();
    assert_eq!(fake_plaid_opened(0), 1);
    fake_plaid_success(0, "public-sandbox-hydrated", SUCCESS_METADATA);
    link.wait_for_status("connected").await;
    assert!(backend_request_body(EXCHANGE_PATH, 0).contains("public-sandbox-hydrated"));
    assert_eq!(link.message(), "Connected to First Platypus Bank (2 accounts).");
    std::mem::forget(link); // the host stays with the page; the handle unmounts the view
}
