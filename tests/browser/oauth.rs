//! The OAuth redirect's return: the link token kept before `open()`, picked up by the page the bank
//! sends the user back to, and gone once the session ends.

use plaid_link::PlaidLinkOptions;
use wasm_bindgen_test::*;

use crate::support::*;

const KEY: &str = "plaid-link:oauth-link-token";
const CLOSED: &str = r#"{"status": null, "institution": null, "link_session_id": "s", "request_id": "r"}"#;

fn page() -> PlaidLinkOptions {
    fresh_backend();
    fake_plaid_install(false);
    clear_session();
    PlaidLinkOptions::default().request_timeout_ms(3_000)
}

#[wasm_bindgen_test]
async fn open_keeps_the_link_token_only_and_the_end_of_the_session_deletes_it() {
    let link = Mounted::new(page());
    link.wait_for_status("ready").await;
    assert_eq!(session_item(KEY), "", "nothing is kept before Link opens");
    link.click();
    let kept = session_item(KEY);
    assert!(kept.contains(r#""link_token":"link-sandbox-1""#), "{kept}");
    assert!(kept.contains("expires_at_ms"), "{kept}");
    fake_plaid_exit(0, "null", CLOSED);
    link.wait_for_status("closed").await;
    assert_eq!(session_item(KEY), "", "deleted when Link closes");
    link.click();
    fake_plaid_success(0, "public-sandbox-oauth-1", SUCCESS_METADATA);
    link.wait_for_status("connected").await;
    assert!(page_storage_is_empty(), "deleted on success, and the public token never stored");
}

#[wasm_bindgen_test]
async fn a_page_back_from_the_bank_makes_link_with_the_kept_token_and_opens_it() {
    let options = page();
    let expires = js_sys::Date::now() + 3_600_000.0;
    set_session_item(KEY, &format!(r#"{{"link_token":"link-sandbox-kept","expires_at_ms":{expires}}}"#));
    set_page_query("?oauth_state_id=state-42");
    let link = Mounted::new(options);
    wait_until("Link opened again", || fake_plaid_handlers() == 1 && fake_plaid_opened(0) == 1).await;
    assert_eq!(backend_request_count(TOKEN_PATH), 0, "no link-token request on the way back");
    assert_eq!(fake_plaid_token(0), "link-sandbox-kept");
    assert!(fake_plaid_received_redirect_uri(0).ends_with("?oauth_state_id=state-42"));
    assert!(!page_url().contains("oauth_state_id"), "the state id is taken out of the address");
    link.wait_for_status("open").await;
    fake_plaid_success(0, "public-sandbox-oauth-2", SUCCESS_METADATA);
    link.wait_for_status("connected").await;
    assert_eq!(backend_request_count(EXCHANGE_PATH), 1);
    assert!(page_storage_is_empty());
    set_page_query("");
}

#[wasm_bindgen_test]
async fn a_missing_or_expired_kept_token_says_so_and_start_again_fetches_a_fresh_one() {
    for kept in [
        None,
        Some(format!(r#"{{"link_token":"link-sandbox-old","expires_at_ms":{}}}"#, js_sys::Date::now() - 1.0)),
    ] {
        let options = page();
        if let Some(kept) = &kept {
            set_session_item(KEY, kept);
        }
        set_page_query("?oauth_state_id=state-7");
        let link = Mounted::new(options);
        link.wait_for_status("failed").await;
        let expected =
            if kept.is_some() { "took too long and has expired" } else { "could not pick up your sign-in" };
        assert!(link.message().contains(expected), "{}", link.message());
        assert_eq!(link.label(), "Start again");
        assert_eq!(session_item(KEY), "", "an expired token is deleted");
        assert!(!page_url().contains("oauth_state_id"));
        assert_eq!(backend_request_count(TOKEN_PATH), 0);
        link.click();
        link.wait_for_status("ready").await;
        assert_eq!(backend_request_count(TOKEN_PATH), 1, "start again asks for a fresh token");
        assert_eq!(fake_plaid_token(0), "link-sandbox-1");
        assert_eq!(fake_plaid_received_redirect_uri(0), "");
        set_page_query("");
    }
}

/// The kept state, as the component that left for an OAuth bank wrote it.
fn kept_for(component: &str) -> String {
    let expires = js_sys::Date::now() + 3_600_000.0;
    format!(r#"{{"link_token":"link-sandbox-kept","expires_at_ms":{expires},"component":"{component}"}}"#)
}

/// The embedded search on a page back from an OAuth bank it left for, once Link is open again.
async fn embedded_back_from_the_bank() -> Mounted {
    let options = page();
    set_session_item(KEY, &kept_for("embedded"));
    set_page_query("?oauth_state_id=state-embedded");
    let link = Mounted::embedded(options);
    wait_until("Link opened again", || fake_plaid_handlers() == 1 && fake_plaid_opened(0) == 1).await;
    link
}

#[wasm_bindgen_test]
async fn the_embedded_search_keeps_the_token_when_link_opens_and_resumes_in_link_after_the_bank() {
    let link = Mounted::embedded(page());
    link.wait_for_status("ready").await;
    // A click on a bank in the search opens Link by itself: the token is kept then.
    fake_plaid_event(0, "OPEN", r#"{"link_session_id": "s"}"#);
    link.wait_for_status("open").await;
    let kept = session_item(KEY);
    assert!(
        kept.contains(r#""link_token":"link-sandbox-1""#) && kept.contains(r#""component":"embedded""#),
        "{kept}"
    );
    drop(link);

    // Back from the bank: Link made again with the kept token and the return address, and opened.
    let link = embedded_back_from_the_bank().await;
    assert_eq!(fake_plaid_token(0), "link-sandbox-kept");
    assert!(fake_plaid_received_redirect_uri(0).ends_with("?oauth_state_id=state-embedded"));
    assert!(fake_plaid_container(0).is_none(), "Link itself, not a second search");
    assert_eq!(backend_request_count(TOKEN_PATH), 0);
    fake_plaid_success(0, "public-sandbox-oauth-embedded", SUCCESS_METADATA);
    link.wait_for_status("connected").await;
    assert_eq!(backend_request_count(EXCHANGE_PATH), 1);
    assert!(page_storage_is_empty());
    drop(link);

    // Had the user closed Link instead, the search comes back, with a fresh token.
    let link = embedded_back_from_the_bank().await;
    fake_plaid_exit(0, "null", CLOSED);
    wait_until("the search made again", || fake_plaid_handlers() == 2).await;
    link.wait_for_status("ready").await;
    assert!(fake_plaid_container(1).is_some(), "the embedded search, in its container");
    assert_eq!(fake_plaid_token(1), "link-sandbox-1");
    assert!(fake_plaid_destroyed(0));
    set_page_query("");
}

/// "Connect" for a new item, then "Reconnect" for item-1, on one page: the return from the bank
/// resumes the one the user left from, whichever comes first on the page.
#[wasm_bindgen_test]
async fn a_return_resumes_the_component_that_left_and_no_other() {
    for (left, resumed_is_reconnect) in [("item:item-1", true), ("new", false)] {
        let connect_options = page();
        set_session_item(KEY, &kept_for(left));
        set_page_query("?oauth_state_id=state-two");
        let connect = Mounted::new(connect_options);
        let reconnect =
            Mounted::new(PlaidLinkOptions::default().request_timeout_ms(3_000).update_item("item-1"));
        let (resumed, other) =
            if resumed_is_reconnect { (&reconnect, &connect) } else { (&connect, &reconnect) };
        resumed.wait_for_status("open").await;
        other.wait_for_status("ready").await;
        let kept_handler = (0..fake_plaid_handlers()).find(|i| fake_plaid_token(*i) == "link-sandbox-kept");
        let kept_handler = kept_handler.expect("a Link made with the kept token");
        assert!(fake_plaid_received_redirect_uri(kept_handler).ends_with("?oauth_state_id=state-two"));
        let fresh =
            (0..fake_plaid_handlers()).find(|i| *i != kept_handler).expect("the other component's Link");
        assert_eq!(
            fake_plaid_received_redirect_uri(fresh),
            "",
            "{left}: the other component was not resumed"
        );
        assert_eq!(fake_plaid_opened(fresh), 0);
        // The other one asked for its own token: for a new item, or for item-1.
        assert_eq!(backend_request_count(TOKEN_PATH), 1, "{left}");
        let asked_for_item = backend_request_body(TOKEN_PATH, 0).contains(r#""item_id":"item-1""#);
        assert_eq!(asked_for_item, !resumed_is_reconnect, "{left}");
        assert!(!page_url().contains("oauth_state_id"));
        drop((connect, reconnect));
        set_page_query("");
    }
}
