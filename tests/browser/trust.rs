//! The trust boundary: what markup injected into a page may decide, where the page's secrets go,
//! and redirects. Each test is an attack a reviewer would try.

use plaid_link::PlaidLinkOptions;
use wasm_bindgen_test::*;

use crate::support::*;

const EVIL: &str = "https://evil.example.com";

/// A `[data-plaid-link]` element with these attributes, mounted as the embed bundle mounts them.
fn injected(attributes: &str) -> Mounted {
    let element = inject_embed_element(attributes);
    plaid_link::mount_all();
    Mounted::observe(element)
}

#[wasm_bindgen_test]
async fn injected_markup_cannot_load_a_script_from_another_origin() {
    fresh_backend();
    let link = injected(&format!(r#"{{"data-script-src": "{EVIL}/link-initialize.js"}}"#));
    link.wait_for_status("failed").await;
    assert!(link.message().contains("not Plaid's"), "{}", link.message());
    assert_eq!(scripts_from(EVIL), 0, "no script element, so no nonce handed out");
    assert_eq!(backend_request_count(TOKEN_PATH), 0);
}

#[wasm_bindgen_test]
async fn injected_markup_cannot_send_the_public_token_to_another_origin() {
    fresh_backend();
    fake_plaid_install(false);
    let link = injected(&format!(r#"{{"data-exchange-url": "{EVIL}/steal"}}"#));
    link.wait_for_status("failed").await;
    assert!(link.message().contains("another site"), "{}", link.message());
    assert_eq!(backend_request_urls(), "", "nothing was sent anywhere");
    assert_eq!(fake_plaid_handlers(), 0, "Link never started, so no token can exist");
}

#[wasm_bindgen_test]
async fn injected_markup_cannot_fetch_another_apps_link_token() {
    fresh_backend();
    fake_plaid_install(false);
    let link = injected(&format!(r#"{{"data-link-token-url": "{EVIL}/link_token"}}"#));
    link.wait_for_status("failed").await;
    assert!(link.message().contains("another site"), "{}", link.message());
    assert_eq!(backend_request_urls(), "");
}

#[wasm_bindgen_test]
async fn same_origin_attributes_still_work() {
    fresh_backend();
    fake_plaid_install(false);
    let link = injected(
        r#"{"data-link-token-url": "/api/link_token", "data-exchange-url": "/api/exchange_public_token"}"#,
    );
    link.wait_for_status("ready").await;
}

#[wasm_bindgen_test]
async fn a_script_from_another_origin_is_refused_even_from_the_pages_code() {
    fresh_backend();
    let link = Mounted::new(PlaidLinkOptions::default().script_src(format!("{EVIL}/link-initialize.js")));
    link.wait_for_status("failed").await;
    assert_eq!(scripts_from(EVIL), 0);
}

/// A component whose exchange goes to the API at `https://api.example.com/exchange`, connected
/// once, with the page's CSRF meta `csrf` while it does.
async fn connected_through_api(options: PlaidLinkOptions, csrf: &str) -> Mounted {
    fresh_backend();
    fake_plaid_install(false);
    backend_respond("/exchange", 200, r#"{"item_id":"item-api"}"#);
    set_csrf_meta(csrf);
    let link = Mounted::new(options.exchange_url("https://api.example.com/exchange"));
    link.wait_for_status("ready").await;
    link.click();
    fake_plaid_success(0, "public-sandbox-api", SUCCESS_METADATA);
    link.wait_for_status("connected").await;
    set_csrf_meta("");
    link
}

fn with_bearer(options: PlaidLinkOptions) -> PlaidLinkOptions {
    options.headers(|| vec![("Authorization".to_owned(), "Bearer app-secret".to_owned())])
}

#[wasm_bindgen_test]
async fn the_pages_code_can_allow_another_origin_which_gets_no_csrf_token_nor_headers() {
    let options = with_bearer(PlaidLinkOptions::default().allow_origin("https://api.example.com"));
    let _link = connected_through_api(options, "csrf-secret").await;
    assert!(backend_request_urls().contains("https://api.example.com/exchange"));
    assert_eq!(backend_request_header("/exchange", 0, "X-CSRF-Token"), "");
    assert_eq!(backend_request_header("/exchange", 0, "Authorization"), "");
    assert_eq!(backend_request_header(TOKEN_PATH, 0, "X-CSRF-Token"), "csrf-secret");
    assert_eq!(backend_request_header(TOKEN_PATH, 0, "Authorization"), "Bearer app-secret");
}

#[wasm_bindgen_test]
async fn mount_options_from_the_pages_code_can_allow_another_origin() {
    fresh_backend();
    fake_plaid_install(false);
    let element = element_for_mount();
    let options = js_sys::JSON::parse(
        r#"{"linkTokenUrl": "https://api.example.com/link_token", "allowedOrigins": ["https://api.example.com"]}"#,
    )
    .unwrap();
    backend_respond("/link_token", 200, r#"{"link_token":"link-sandbox-api"}"#);
    let mut mounted = plaid_link::mount(element.clone(), options);
    let link = Mounted::observe(element);
    link.wait_for_status("ready").await;
    assert_eq!(fake_plaid_token(0), "link-sandbox-api");
    mounted.unmount();

    let element = element_for_mount();
    let options = js_sys::JSON::parse(r#"{"linkTokenUrl": "https://api.example.com/link_token"}"#).unwrap();
    let mut mounted = plaid_link::mount(element.clone(), options);
    let link = Mounted::observe(element);
    link.wait_for_status("failed").await;
    assert!(link.message().contains("another site"), "{}", link.message());
    mounted.unmount();
}

#[wasm_bindgen_test]
async fn neither_call_follows_a_redirect_and_each_says_it_was_one() {
    const ELSEWHERE: &str = "/elsewhere";
    fresh_backend();
    fake_plaid_install(false);
    backend_reset();
    backend_redirect(TOKEN_PATH, ELSEWHERE);
    backend_respond(ELSEWHERE, 200, &link_token_answer("link-sandbox-elsewhere"));
    let link = Mounted::new(PlaidLinkOptions::default());
    link.wait_for_status("failed").await;
    assert!(link.message().contains("another address"), "{}", link.message());
    assert_eq!(backend_request_count(TOKEN_PATH), 1, "a redirect is not retried");
    assert_eq!(backend_request_count(ELSEWHERE), 0, "the redirect was not followed");
    drop(link);

    // The exchange: the public token is not carried to the new address.
    fresh_backend();
    fake_plaid_install(false);
    backend_reset();
    backend_respond(TOKEN_PATH, 200, &link_token_answer("link-sandbox-1"));
    backend_redirect(EXCHANGE_PATH, ELSEWHERE);
    backend_respond(ELSEWHERE, 200, r#"{"item_id":"item-elsewhere"}"#);
    let link = Mounted::new(PlaidLinkOptions::default());
    link.wait_for_status("ready").await;
    link.click();
    fake_plaid_success(0, "public-sandbox-redirect", SUCCESS_METADATA);
    link.wait_for_status("failed").await;
    assert!(link.message().contains("another address"), "{}", link.message());
    assert_eq!(backend_request_count(EXCHANGE_PATH), 1, "a redirect is not retried");
    assert_eq!(backend_request_count(ELSEWHERE), 0, "the public token went nowhere else");
}

#[wasm_bindgen_test]
async fn cookies_go_to_the_pages_origin_only_even_to_an_allowed_one() {
    let _link =
        connected_through_api(PlaidLinkOptions::default().allow_origin("https://api.example.com"), "").await;
    // `same-origin`: the page's own backend gets its cookies; another origin never does.
    assert_eq!(backend_request_credentials(TOKEN_PATH, 0), "same-origin");
    assert_eq!(backend_request_credentials("/exchange", 0), "same-origin");
}

#[wasm_bindgen_test]
async fn a_credentialed_origin_gets_the_apps_headers_and_cookies_but_not_the_csrf_token() {
    let options = with_bearer(PlaidLinkOptions::default().credentialed_origin("https://api.example.com"));
    let _link = connected_through_api(options, "csrf-secret").await;
    assert_eq!(backend_request_header("/exchange", 0, "Authorization"), "Bearer app-secret");
    assert_eq!(backend_request_credentials("/exchange", 0), "include");
    assert_eq!(backend_request_header("/exchange", 0, "X-CSRF-Token"), "");
    assert_eq!(backend_request_credentials(TOKEN_PATH, 0), "same-origin", "the page's own origin");
}
