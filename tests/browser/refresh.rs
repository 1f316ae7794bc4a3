//! The link token's lifetime: a tab left open past it gets a fresh token before the user needs
//! one, without the button ever going back to "Preparing…".

use plaid_link::PlaidLinkOptions;
use wasm_bindgen_test::*;

use crate::support::*;

/// A component whose first link token expires `first_life_ms` from now, the next one in 4 hours.
async fn ready_with_token_expiring_in(first_life_ms: u32) -> Mounted {
    fresh_backend();
    fake_plaid_install(false);
    backend_reset();
    let first = format!(r#"{{"link_token":"link-sandbox-first","expiration":"{}"}}"#, iso_in(first_life_ms));
    backend_respond(TOKEN_PATH, 200, &first);
    let fresh = format!(r#"{{"link_token":"link-sandbox-fresh","expiration":"{}"}}"#, iso_in(4 * 3_600_000));
    backend_respond(TOKEN_PATH, 200, &fresh);
    let link = Mounted::new(PlaidLinkOptions::default());
    link.wait_for_status("ready").await;
    link
}

#[wasm_bindgen_test]
async fn a_token_about_to_expire_is_replaced_while_the_button_stays_ready() {
    // Lives 2 s: replaced at three quarters of its life, 1.5 s from now.
    let link = ready_with_token_expiring_in(2_000).await;
    wait_until("a second Link, made with a fresh token", || {
        assert_eq!(link.status(), "ready", "the button never goes back to preparing");
        assert!(!link.disabled());
        fake_plaid_handlers() == 2
    })
    .await;
    assert_eq!(backend_request_count(TOKEN_PATH), 2);
    assert_eq!(fake_plaid_token(1), "link-sandbox-fresh");
    assert!(fake_plaid_destroyed(0), "the Link with the old token is gone");
    link.click();
    assert_eq!((fake_plaid_opened(0), fake_plaid_opened(1)), (0, 1), "the fresh Link opens");
}

#[wasm_bindgen_test]
async fn a_tab_that_comes_back_after_the_expiry_fetches_a_fresh_token() {
    // Lives an hour: no timer fires during the test; the clock jumps as in a tab left for hours.
    let link = ready_with_token_expiring_in(3_600_000).await;
    advance_clock(2.0 * 3_600_000.0);
    page_becomes_visible();
    wait_until("a fresh token", || fake_plaid_handlers() == 2).await;
    reset_clock();
    assert_eq!(link.status(), "ready");
    assert_eq!(fake_plaid_token(1), "link-sandbox-fresh");
    assert!(fake_plaid_destroyed(0));
}

#[wasm_bindgen_test]
async fn an_open_link_keeps_its_token_and_the_refresh_waits_for_it_to_close() {
    let link = ready_with_token_expiring_in(3_600_000).await;
    link.click();
    advance_clock(2.0 * 3_600_000.0);
    page_becomes_visible();
    // A closed Link's refresh starts at the visibility change (the test above): wait far longer.
    stays_false_for("a token fetched while Link is open", 500.0, || backend_fetch_calls(TOKEN_PATH) > 1)
        .await;
    assert!(!fake_plaid_destroyed(0));
    fake_plaid_exit(0, "null", r#"{"link_session_id": "s"}"#);
    wait_until("a fresh token once Link closed", || fake_plaid_handlers() == 2).await;
    reset_clock();
    assert_eq!(link.status(), "closed");
    assert_eq!(fake_plaid_token(1), "link-sandbox-fresh");
}
