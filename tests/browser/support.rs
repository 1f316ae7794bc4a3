//! Bindings to the test doubles in `doubles.js`, and helpers to mount and observe a component.

use leptos::prelude::*;
use plaid_link::{PlaidEmbeddedLink, PlaidLink, PlaidLinkOptions, UsePlaidLinkReturn};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;

#[wasm_bindgen(module = "/tests/browser/doubles.js")]
extern "C" {
    pub fn fake_plaid_install(manual_load: bool);
    pub fn fake_plaid_remove();
    pub fn fake_plaid_script_url(fail_first: bool) -> String;
    pub fn fake_plaid_script_runs() -> u32;
    pub fn fake_plaid_handlers() -> u32;
    pub fn fake_plaid_token(i: u32) -> String;
    pub fn fake_plaid_opened(i: u32) -> u32;
    pub fn fake_plaid_destroyed(i: u32) -> bool;
    pub fn fake_plaid_forced_exit(i: u32) -> bool;
    pub fn fake_plaid_load(i: u32);
    pub fn fake_plaid_success(i: u32, token: &str, metadata: &str);
    pub fn fake_plaid_exit(i: u32, error: &str, metadata: &str);
    pub fn fake_plaid_event(i: u32, name: &str, metadata: &str);

    pub fn backend_reset();
    pub fn backend_respond(path: &str, status: u16, body: &str);
    pub fn backend_fail(path: &str, kind: &str);
    pub fn backend_redirect(path: &str, location: &str);
    pub fn backend_hold(path: &str);
    pub fn backend_release(path: &str);
    pub fn backend_request_count(path: &str) -> u32;
    pub fn backend_fetch_calls(path: &str) -> u32;
    pub fn backend_request_body(path: &str, i: u32) -> String;
    pub fn backend_request_header(path: &str, i: u32, name: &str) -> String;
    pub fn backend_request_urls() -> String;
    pub fn backend_request_aborted(path: &str, i: u32) -> bool;
    pub fn pending_long_timers() -> u32;
    pub fn backend_request_redirect(path: &str, i: u32) -> String;
    pub fn backend_request_credentials(path: &str, i: u32) -> String;
    pub fn set_csrf_meta(token: &str);
    pub fn declare_in_head(name: &str, content: &str);
    pub fn inject_embed_element(attributes: &str) -> HtmlElement;
    pub fn scripts_from(prefix: &str) -> u32;

    pub fn scripts_with_src(src: &str) -> u32;
    pub fn iso_in(ms: u32) -> String;
    pub fn advance_clock(ms: f64);
    pub fn reset_clock();
    pub fn page_becomes_visible();
    pub fn page_storage_is_empty() -> bool;
    pub fn fake_plaid_received_redirect_uri(i: u32) -> String;
    pub fn page_url() -> String;
    pub fn set_page_query(query: &str);
    pub fn session_item(key: &str) -> String;
    pub fn set_session_item(key: &str, value: &str);
    pub fn clear_session();
    pub fn fake_plaid_submitted(i: u32) -> String;
    pub fn fake_plaid_container(i: u32) -> Option<HtmlElement>;
    pub fn fake_plaid_success_without_token(i: u32, metadata: &str);
    pub fn record_dom_events(element: &HtmlElement);
    pub fn heard_dom_events(element: &HtmlElement) -> String;
    pub fn mount_options_hearing_events(json: &str) -> wasm_bindgen::JsValue;
    pub fn on_event_calls() -> String;
    pub fn fake_window_open(blocked: bool);
    pub fn windows_opened() -> String;
    pub fn opener_cut() -> bool;
    pub fn window_gets_focus();
    fn next_turn(ms: u32) -> js_sys::Promise;
}

pub const TOKEN_PATH: &str = "/api/link_token";
pub const EXCHANGE_PATH: &str = "/api/exchange_public_token";
pub const FINISHED_PATH: &str = "/api/link_session_finished";
pub const EXIT_REPORT_PATH: &str = "/api/link_exit";

pub const SUCCESS_METADATA: &str = r#"{
    "institution": {"name": "First Platypus Bank", "institution_id": "ins_109508"},
    "accounts": [
        {"id": "acc-1", "name": "Plaid Checking", "mask": "0000", "type": "depository", "subtype": "checking", "verification_status": null},
        {"id": "acc-2", "name": "Plaid Saving", "mask": "1111", "type": "depository", "subtype": "savings", "verification_status": null}
    ],
    "link_session_id": "session-1",
    "transfer_status": null,
    "wallet": {"an": "unknown field"}
}"#;

/// A fresh page state: no Plaid, nothing declared by the server, a backend that hands out link
/// tokens and accepts exchanges.
pub fn fresh_backend() {
    fake_plaid_remove();
    backend_reset();
    declare_in_head("plaid-link-endpoints", "");
    declare_in_head("plaid-link-script", "");
    backend_respond(TOKEN_PATH, 200, &link_token_answer("link-sandbox-1"));
    backend_respond(EXCHANGE_PATH, 200, r#"{"item_id":"item-1"}"#);
}

/// A link-token answer as the backend gives it: `token`, expiring four hours from now, as a new
/// item's link token does (every fixture time is relative to now: `backend_respond` refuses one
/// in the past).
pub fn link_token_answer(token: &str) -> String {
    format!(r#"{{"link_token":"{token}","expiration":"{}"}}"#, iso_in(4 * 3_600_000))
}

/// A fresh element of the page for `plaid_link::mount()`: not one `mount_all` would take.
pub fn element_for_mount() -> HtmlElement {
    let element = inject_embed_element("{}");
    element.remove_attribute("data-plaid-link").unwrap();
    element
}

/// A component on a fresh element of the page.
pub struct Mounted {
    pub host: HtmlElement,
    handle: Option<Box<dyn std::any::Any>>,
}

impl Mounted {
    pub fn new(options: PlaidLinkOptions) -> Self {
        Self::new_with(options.into())
    }

    /// A component whose options the test may change.
    pub fn new_with(options: Signal<PlaidLinkOptions, LocalStorage>) -> Self {
        Self::mount(move || view! { <PlaidLink options /> })
    }

    /// `<PlaidEmbeddedLink>` on a fresh element.
    pub fn embedded(options: PlaidLinkOptions) -> Self {
        Self::mount(move || view! { <PlaidEmbeddedLink options /> })
    }

    /// The hook, as an app with a UI of its own uses it, on a fresh element; and what it returned.
    pub fn hook(options: PlaidLinkOptions) -> (UsePlaidLinkReturn, Self) {
        let found = std::rc::Rc::new(std::cell::Cell::new(None));
        let keep = found.clone();
        let mounted = Self::mount(move || {
            keep.set(Some(plaid_link::use_plaid_link(options)));
            view! { <span /> }
        });
        (found.get().expect("the hook's return"), mounted)
    }

    /// Markup of the test's own (components with children, classes, attributes) on a fresh element.
    pub fn with_view<V: IntoView + 'static>(view: impl FnOnce() -> V + 'static) -> Self {
        Self::mount(view)
    }

    /// `view` mounted on a fresh element of the page.
    fn mount<V: IntoView + 'static>(view: impl FnOnce() -> V + 'static) -> Self {
        let host: HtmlElement = document().create_element("div").unwrap().unchecked_into();
        document().body().unwrap().append_child(&host).unwrap();
        let handle = leptos::mount::mount_to(host.clone(), view);
        Self { host, handle: Some(Box::new(handle)) }
    }

    /// A component that something else mounted on `host` (the embed's `mount_all`, say).
    pub fn observe(host: HtmlElement) -> Self {
        Self { host, handle: None }
    }

    pub fn button(&self) -> HtmlElement {
        self.host.query_selector("button").unwrap().expect("a button").unchecked_into()
    }

    pub fn label(&self) -> String {
        self.button().text_content().unwrap_or_default()
    }

    pub fn message(&self) -> String {
        self.host.query_selector(".plaid-link__message").unwrap().unwrap().text_content().unwrap_or_default()
    }

    pub fn status(&self) -> String {
        self.host
            .query_selector(".plaid-link")
            .unwrap()
            .unwrap()
            .get_attribute("data-status")
            .unwrap_or_default()
    }

    pub fn disabled(&self) -> bool {
        self.button().has_attribute("disabled")
    }

    pub fn click(&self) {
        self.button().click();
    }

    pub async fn wait_for_status(&self, status: &str) {
        wait_until(&format!("status {status}"), || self.status() == status).await;
        // Let the view catch up with the signal.
        leptos::task::tick().await;
    }

    pub fn unmount(&mut self) {
        self.handle.take();
    }
}

impl Drop for Mounted {
    fn drop(&mut self) {
        self.handle.take();
        self.host.remove();
    }
}

/// Polls `condition` between turns of the event loop, failing after five seconds.
pub async fn wait_until(what: &str, condition: impl Fn() -> bool) {
    for _ in 0..500 {
        if condition() {
            return;
        }
        turn().await;
    }
    panic!("timed out waiting for {what}");
}

/// Checks that `condition` stays false for `ms` milliseconds, polled between turns of the event
/// loop: a check that something did not happen waits as long as its happening would have taken.
pub async fn stays_false_for(what: &str, ms: f64, condition: impl Fn() -> bool) {
    let start = js_sys::Date::now();
    while js_sys::Date::now() - start < ms {
        assert!(!condition(), "{what}");
        turn().await;
    }
    assert!(!condition(), "{what}");
}

/// Lets the event loop run once (timers, fetches, promise callbacks).
pub async fn turn() {
    let _ = wasm_bindgen_futures::JsFuture::from(next_turn(10)).await;
}
