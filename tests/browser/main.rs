//! In-browser tests (headless Chromium): the component against test doubles of Plaid and the backend.
#![cfg(target_arch = "wasm32")]

mod backend;
mod declared;
mod embedded;
mod endings;
mod exchange;
mod hosted;
mod instances;
mod layer;
mod lifetimes;
mod markup;
mod metadata;
mod oauth;
mod prefetch;
mod refresh;
mod script;
mod session;
mod support;
mod transport;
mod trust;
mod update;
mod words;

use plaid_link::PlaidLinkOptions;
use support::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// A page where Link's script has already run, with a backend that answers.
pub(crate) fn ready_page() -> PlaidLinkOptions {
    fresh_backend();
    fake_plaid_install(false);
    PlaidLinkOptions::default().request_timeout_ms(3_000)
}

pub(crate) async fn ready_component() -> Mounted {
    let link = Mounted::new(ready_page());
    link.wait_for_status("ready").await;
    link
}

#[wasm_bindgen_test]
async fn ready_component_is_a_connect_button() {
    let link = ready_component().await;
    let button = link.button();
    assert_eq!(button.tag_name(), "BUTTON");
    assert_eq!(link.label(), "Connect a bank account");
    assert!(!link.disabled());
}
