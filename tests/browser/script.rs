//! Link's script: loaded once per page, retried after a failure, alongside the token request.

use plaid_link::PlaidLinkOptions;
use wasm_bindgen_test::*;

use crate::support::*;

#[wasm_bindgen_test]
async fn script_is_inserted_once_for_three_components() {
    fresh_backend();
    let src = fake_plaid_script_url(false);
    let options = || PlaidLinkOptions::default().script_src(src.clone());
    let links = [Mounted::new(options()), Mounted::new(options()), Mounted::new(options())];
    for link in &links {
        link.wait_for_status("ready").await;
    }
    assert_eq!(scripts_with_src(&src), 1);
    assert_eq!(fake_plaid_script_runs(), 1);
    assert_eq!(fake_plaid_handlers(), 3);
}

#[wasm_bindgen_test]
async fn script_that_does_not_load_shows_an_error_and_retry_inserts_it_again() {
    fresh_backend();
    let src = "/no-such-plaid-script.js";
    let link = Mounted::new(PlaidLinkOptions::default().script_src(src));
    link.wait_for_status("failed").await;
    assert!(link.message().contains("could not be loaded"), "{}", link.message());
    assert_eq!(link.label(), "Try again");
    assert_eq!(scripts_with_src(src), 0, "the failed element is removed");
    link.click();
    wait_until("a second attempt", || backend_request_count(TOKEN_PATH) == 2).await;
    link.wait_for_status("failed").await;
}

#[wasm_bindgen_test]
async fn script_that_fails_once_works_on_retry() {
    fresh_backend();
    let src = fake_plaid_script_url(true);
    let link = Mounted::new(PlaidLinkOptions::default().script_src(src.clone()));
    link.wait_for_status("failed").await;
    assert!(link.message().contains("did not start"), "{}", link.message());
    link.click();
    link.wait_for_status("ready").await;
    assert_eq!(fake_plaid_script_runs(), 2);
    assert_eq!(scripts_with_src(&src), 1);
}

#[wasm_bindgen_test]
async fn token_request_and_script_load_start_together() {
    fresh_backend();
    backend_hold(TOKEN_PATH);
    let src = fake_plaid_script_url(false);
    let link = Mounted::new(PlaidLinkOptions::default().script_src(src.clone()));
    wait_until("the script to run while the token is pending", || fake_plaid_script_runs() == 1).await;
    assert_eq!(backend_request_count(TOKEN_PATH), 1);
    assert_eq!(link.status(), "preparing");
    assert!(link.disabled());
    backend_release(TOKEN_PATH);
    link.wait_for_status("ready").await;
}

#[wasm_bindgen_test]
async fn ready_waits_for_links_on_load() {
    fresh_backend();
    fake_plaid_install(true);
    let link = Mounted::new(PlaidLinkOptions::default());
    wait_until("Plaid.create", || fake_plaid_handlers() == 1).await;
    turn().await;
    assert_eq!(link.status(), "preparing");
    link.click();
    assert_eq!(fake_plaid_opened(0), 0, "open before onLoad does nothing");
    fake_plaid_load(0);
    link.wait_for_status("ready").await;
    assert_eq!(fake_plaid_token(0), "link-sandbox-1");
}

#[wasm_bindgen_test]
async fn unmount_while_the_script_loads_does_not_break_the_next_component() {
    fresh_backend();
    let src = fake_plaid_script_url(false);
    let mut first = Mounted::new(PlaidLinkOptions::default().script_src(src.clone()));
    first.unmount();
    let second = Mounted::new(PlaidLinkOptions::default().script_src(src.clone()));
    second.wait_for_status("ready").await;
    assert_eq!(scripts_with_src(&src), 1);
}
