//! The backend's answers and the page's set-up: failures told apart, the CSRF token, refused URLs
//! and headers.

use plaid_link::PlaidLinkOptions;
use wasm_bindgen_test::*;

use crate::ready_page;
use crate::support::*;

#[wasm_bindgen_test]
async fn malformed_link_token_answer_is_a_clear_error() {
    fresh_backend();
    fake_plaid_install(false);
    backend_reset();
    backend_respond(TOKEN_PATH, 200, "<html>surprise</html>");
    let link = Mounted::new(PlaidLinkOptions::default());
    link.wait_for_status("failed").await;
    assert!(link.message().contains("could not read"), "{}", link.message());

    backend_reset();
    backend_respond(TOKEN_PATH, 200, r#"{"token": "wrong field"}"#);
    link.click();
    wait_until("a second link-token request", || backend_request_count(TOKEN_PATH) == 1).await;
    link.wait_for_status("failed").await;
    assert!(link.message().contains("could not read"), "{}", link.message());

    // An empty token is no token: Link is never made with one (Link's `create` would throw).
    backend_reset();
    backend_respond(TOKEN_PATH, 200, r#"{"link_token": ""}"#);
    link.click();
    wait_until("a third link-token request", || backend_request_count(TOKEN_PATH) == 1).await;
    link.wait_for_status("failed").await;
    assert!(link.message().contains("could not read"), "{}", link.message());
    assert_eq!(fake_plaid_handlers(), 0);
}

#[wasm_bindgen_test]
async fn a_plaid_error_object_from_the_backend_shows_its_display_message_never_its_developer_message() {
    fresh_backend();
    fake_plaid_install(false);
    backend_reset();
    // Plaid's quickstart backend passes Plaid's error object through.
    backend_respond(
        TOKEN_PATH,
        400,
        r#"{"error": {"error_type": "INVALID_INPUT", "error_code": "INVALID_API_KEYS", "error_message": "invalid client_id or secret provided", "display_message": null, "request_id": "r1", "status_code": 400}}"#,
    );
    let link = Mounted::new(PlaidLinkOptions::default());
    link.wait_for_status("failed").await;
    assert!(link.message().contains("could not be set up"), "{}", link.message());
    assert!(!link.message().contains("client_id"), "the developer message stays hidden: {}", link.message());

    backend_reset();
    backend_respond(TOKEN_PATH, 200, r#"{"link_token":"link-sandbox-1"}"#);
    backend_respond(
        EXCHANGE_PATH,
        400,
        r#"{"error": {"error_type": "ITEM_ERROR", "error_code": "ITEM_LOCKED", "error_message": "the account is locked", "display_message": "Your account is locked. Contact your bank."}}"#,
    );
    link.click();
    link.wait_for_status("ready").await;
    link.click();
    fake_plaid_success(0, "public-sandbox-quickstart", SUCCESS_METADATA);
    link.wait_for_status("failed").await;
    assert_eq!(
        link.message(),
        "Your bank account could not be saved. Your account is locked. Contact your bank."
    );
}

#[wasm_bindgen_test]
async fn backend_error_status_shows_its_message() {
    fresh_backend();
    fake_plaid_install(false);
    backend_reset();
    backend_respond(TOKEN_PATH, 500, r#"{"error": "Plaid is unavailable, try again in a minute."}"#);
    let link = Mounted::new(PlaidLinkOptions::default());
    link.wait_for_status("failed").await;
    assert_eq!(link.message(), "Plaid is unavailable, try again in a minute.");
}

#[wasm_bindgen_test]
async fn unreachable_backend_and_timeout_are_told_apart() {
    fresh_backend();
    fake_plaid_install(false);
    backend_reset();
    backend_fail(TOKEN_PATH, "network");
    let link = Mounted::new(PlaidLinkOptions::default());
    link.wait_for_status("failed").await;
    assert!(link.message().contains("could not reach the server"), "{}", link.message());

    backend_reset();
    backend_fail(TOKEN_PATH, "hang");
    let slow = Mounted::new(PlaidLinkOptions::default().request_timeout_ms(200));
    slow.wait_for_status("failed").await;
    assert!(slow.message().contains("took too long"), "{}", slow.message());
}

#[wasm_bindgen_test]
async fn plain_http_endpoints_off_loopback_are_refused_before_any_request() {
    fresh_backend();
    fake_plaid_install(false);
    let link = Mounted::new(PlaidLinkOptions::default().exchange_url("http://bank.example.com/exchange"));
    link.wait_for_status("failed").await;
    assert!(link.message().contains("insecure connection"), "{}", link.message());
    assert_eq!(backend_request_count(TOKEN_PATH), 0);
    assert_eq!(fake_plaid_handlers(), 0);
}

#[wasm_bindgen_test]
async fn plain_http_script_off_loopback_is_refused() {
    fresh_backend();
    let src = "http://cdn.example.com/link-initialize.js";
    let link = Mounted::new(PlaidLinkOptions::default().script_src(src));
    link.wait_for_status("failed").await;
    assert!(link.message().contains("insecure connection"), "{}", link.message());
    assert_eq!(scripts_with_src(src), 0);
}

#[wasm_bindgen_test]
async fn both_calls_carry_the_pages_csrf_token() {
    set_csrf_meta("csrf-123");
    let link = Mounted::new(ready_page().csrf_header("X-My-Csrf"));
    link.wait_for_status("ready").await;
    link.click();
    fake_plaid_success(0, "public-sandbox-3", SUCCESS_METADATA);
    link.wait_for_status("connected").await;
    set_csrf_meta("");
    assert_eq!(backend_request_header(TOKEN_PATH, 0, "X-My-Csrf"), "csrf-123");
    assert_eq!(backend_request_header(EXCHANGE_PATH, 0, "X-My-Csrf"), "csrf-123");
}

#[wasm_bindgen_test]
async fn a_header_the_browser_refuses_is_a_clear_failure_and_nothing_is_sent() {
    fresh_backend();
    fake_plaid_install(false);
    let options =
        PlaidLinkOptions::default().headers(|| vec![("X-Tenant".to_owned(), "acme\nInjected: 1".to_owned())]);
    let link = Mounted::new(options);
    link.wait_for_status("failed").await;
    assert!(link.message().starts_with("The request could not be sent"), "{}", link.message());
    assert_eq!(backend_request_count(TOKEN_PATH), 0);
    assert_eq!(link.label(), "Try again");
}
