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
