//! The components' markup as a Leptos app shapes it: content of its own, its classes, `attr:`
//! attributes, the embedded search's size.

use leptos::prelude::*;
use plaid_link::{PlaidEmbeddedLink, PlaidLink, PlaidLinkOptions};
use wasm_bindgen_test::*;

use crate::support::*;

#[wasm_bindgen_test]
async fn the_buttons_content_class_and_attributes_are_the_apps() {
    fresh_backend();
    fake_plaid_install(false);
    let link = Mounted::with_view(|| {
        view! {
            <PlaidLink options=PlaidLinkOptions::default() class="bank-row" attr:data-testid="bank">
                "Link " <b>"your bank"</b>
            </PlaidLink>
        }
    });
    link.wait_for_status("ready").await;
    let root =
        link.host.query_selector(".plaid-link.bank-row").unwrap().expect("the app's class beside ours");
    assert_eq!(root.get_attribute("data-testid").as_deref(), Some("bank"));
    assert_eq!(link.label(), "Link your bank");
    assert!(link.button().query_selector("b").unwrap().is_some(), "the app's markup, as markup");
    link.click();
    fake_plaid_success(0, "public-sandbox-markup", SUCCESS_METADATA);
    link.wait_for_status("connected").await;
    assert_eq!(link.button().inner_text(), "Connected", "the states' own words once Link was used");
}

#[wasm_bindgen_test]
async fn the_embedded_search_takes_the_apps_class_and_its_container_the_apps_style() {
    fresh_backend();
    fake_plaid_install(false);
    let link = Mounted::with_view(|| {
        view! { <PlaidEmbeddedLink options=PlaidLinkOptions::default() class="onboarding" style="height: 420px" /> }
    });
    link.wait_for_status("ready").await;
    assert!(link.host.query_selector(".plaid-link.plaid-link--embedded.onboarding").unwrap().is_some());
    let container = link.host.query_selector(".plaid-link__embedded").unwrap().unwrap();
    assert_eq!(container.get_attribute("style").as_deref(), Some("height: 420px"));
}
