//! Embedding in any page: `[data-plaid-link]` elements, or `mount(element, options)` from JS.

use std::cell::Cell;
use std::rc::Rc;

use leptos::mount::UnmountHandle;
use leptos::prelude::*;
use leptos::tachys::view::Mountable;
use send_wrapper::SendWrapper;
use wasm_bindgen::prelude::*;
use web_sys::HtmlElement;

use crate::backend::{PrefetchedToken, UpdateTarget};
use crate::hook::{use_plaid_embedded_link, use_plaid_link};
use crate::js;
use crate::options::PlaidLinkOptions;
use crate::plaid::types::{LinkEvent, LinkSubmission};
use crate::texts::Texts;
use crate::ui::link_view;

/// Marks an element already given a component, so a second `mount_all` leaves it alone.
const MOUNTED: &str = "data-plaid-link-mounted";
/// Marks an element for the embedded institution search instead of a button.
const EMBEDDED: &str = "data-plaid-link-embedded";

/// What a page may configure from JavaScript (`mount`) or data attributes. All optional.
///
/// Endpoints and the script must be on the page's origin (the script may also be Plaid's CDN);
/// only `mount()`'s `allowedOrigins`, which is the page's own code, can widen that.
#[derive(Debug, Default)]
pub(crate) struct EmbedOptions {
    /// `data-link-token-url` / `linkTokenUrl`.
    pub link_token_url: Option<String>,
    /// `data-exchange-url` / `exchangeUrl`.
    pub exchange_url: Option<String>,
    /// `data-script-src` / `scriptSrc`.
    pub script_src: Option<String>,
    /// `data-update-url` / `updateUrl`.
    pub update_url: Option<String>,
    /// `data-item-id` / `itemId`: update mode for this item (the backend checks that the session
    /// owns it, so markup can name only the user's own items).
    pub item_id: Option<String>,
    /// `data-account-selection="true"` / `accountSelection: true`.
    pub account_selection: bool,
    /// `data-label` / `label`.
    pub label: Option<String>,
    /// `data-texts` (a JSON object) / `texts` (an object): the page's words, by English template
    /// (see [`crate::texts`]); `undefined` for English. Shown as text, as every word is.
    pub texts: JsValue,
    /// `data-request-timeout-ms` / `requestTimeoutMs`.
    pub request_timeout_ms: Option<u32>,
    /// `data-script-timeout-ms` / `scriptTimeoutMs`.
    pub script_timeout_ms: Option<u32>,
    /// `allowedOrigins` only: other origins the endpoints may be on. Never read from an attribute.
    pub allowed_origins: Vec<String>,
    /// `data-plaid-link-embedded` / `embedded: true`: Link's institution search inside the element.
    pub embedded: bool,
    /// `onEvent` only: called with each of Link's event names (`LAYER_READY`, say). Never read
    /// from an attribute.
    pub on_event: Option<js_sys::Function>,
}

impl EmbedOptions {
    /// Reads `mount()`'s options object; unknown fields are ignored, wrong types read as absent.
    fn from_js(options: &JsValue) -> Self {
        let millis = |key| js::field(options, key).as_f64().filter(|ms| *ms >= 0.0).map(|ms| ms as u32);
        Self {
            link_token_url: js::string(options, "linkTokenUrl"),
            exchange_url: js::string(options, "exchangeUrl"),
            script_src: js::string(options, "scriptSrc"),
            update_url: js::string(options, "updateUrl"),
            item_id: js::string(options, "itemId"),
            account_selection: js::field(options, "accountSelection").as_bool() == Some(true),
            label: js::string(options, "label"),
            texts: js::field(options, "texts"),
            request_timeout_ms: millis("requestTimeoutMs"),
            script_timeout_ms: millis("scriptTimeoutMs"),
            allowed_origins: js::array(options, "allowedOrigins")
                .iter()
                .filter_map(|o| o.as_string())
                .collect(),
            on_event: js::field(options, "onEvent").dyn_into().ok(),
            embedded: js::field(options, "embedded").as_bool() == Some(true),
        }
    }

    /// What a page's markup may decide, and nothing more.
    ///
    /// Markup can be injected into a page without any script (a sanitiser keeps `data-*`), so an
    /// attribute may choose endpoints and a script only within the page's own origin (the checks
    /// are in [`crate::endpoint`]), may never allow another origin, and its label is shown as text.
    fn from_element(element: &HtmlElement) -> Self {
        let attr = |name: &str| element.get_attribute(name).filter(|v| !v.is_empty());
        Self {
            link_token_url: attr("data-link-token-url"),
            exchange_url: attr("data-exchange-url"),
            script_src: attr("data-script-src"),
            update_url: attr("data-update-url"),
            item_id: attr("data-item-id"),
            account_selection: attr("data-account-selection").as_deref() == Some("true"),
            label: attr("data-label"),
            texts: attr("data-texts").and_then(|json| js_sys::JSON::parse(&json).ok()).unwrap_or_default(),
            request_timeout_ms: attr("data-request-timeout-ms").and_then(|v| v.parse().ok()),
            script_timeout_ms: attr("data-script-timeout-ms").and_then(|v| v.parse().ok()),
            allowed_origins: Vec::new(),
            on_event: None,
            embedded: element.has_attribute(EMBEDDED),
        }
    }

    fn into_parts(self, prefetched: Option<PrefetchedToken>) -> (PlaidLinkOptions, Option<String>) {
        // Fields set in place: the builder would move the whole options value at each step.
        let mut options = PlaidLinkOptions { prefetched, ..PlaidLinkOptions::default() };
        let set = |field: &mut String, value: Option<String>| {
            if let Some(value) = value {
                *field = value;
            }
        };
        set(&mut options.link_token_url, self.link_token_url);
        set(&mut options.exchange_url, self.exchange_url);
        set(&mut options.script_src, self.script_src);
        set(&mut options.update_url, self.update_url);
        options.update =
            self.item_id.map(|item_id| UpdateTarget { item_id, account_selection: self.account_selection });
        if let Some(ms) = self.request_timeout_ms {
            options.request_timeout_ms = ms;
        }
        if let Some(ms) = self.script_timeout_ms {
            options.script_timeout_ms = ms;
        }
        options.allowed_origins = self.allowed_origins;
        if let Some(on_event) = self.on_event {
            options.on_event = Some(Rc::new(move |event: &LinkEvent| {
                let _ = on_event.call1(&JsValue::NULL, &event.name.as_str().into());
            }));
        }
        // Not an object (none given): every lookup misses, and the English stays. One thread in a
        // browser: the wrapper only satisfies `Texts`' `Send + Sync`.
        let words = SendWrapper::new(self.texts);
        options.texts = Texts::new(move |english| js::string(&words, english));
        (options, self.label)
    }
}

/// A component mounted from JavaScript; `unmount()` removes it and tears Link down. Nothing else
/// does: a page that drops this object (it is garbage-collected at a time no one chooses) keeps the
/// component for the page's life, as the `[data-plaid-link]` ones.
#[wasm_bindgen]
pub struct Mounted {
    handle: Option<Box<dyn std::any::Any>>,
    submit: Rc<Cell<Option<Callback<LinkSubmission>>>>,
}

impl Drop for Mounted {
    fn drop(&mut self) {
        // Not `unmount()`: wasm-bindgen drops this when the JS object is garbage-collected.
        std::mem::forget(self.handle.take());
    }
}

#[wasm_bindgen]
impl Mounted {
    /// Removes the component: Link is exited and destroyed, pending requests cancelled.
    ///
    /// ```js
    /// const link = mount(element, {});
    /// // …when the page's view goes away:
    /// link.unmount();
    /// ```
    pub fn unmount(&mut self) {
        self.handle.take();
    }

    /// Layer: `submit({phone_number})`, or `submit({date_of_birth})` after `LAYER_NOT_AVAILABLE`.
    ///
    /// ```js
    /// const link = mount(element, { onEvent: (name) => name === "LAYER_READY" && showButton() });
    /// link.submit({ phone_number: "+14155550011" });
    /// ```
    pub fn submit(&self, data: JsValue) {
        let submission = match (js::string(&data, "phone_number"), js::string(&data, "date_of_birth")) {
            (Some(number), _) => LinkSubmission::PhoneNumber(number),
            (None, Some(date)) => LinkSubmission::DateOfBirth(date),
            (None, None) => return,
        };
        if let Some(submit) = self.submit.get() {
            submit.run(submission);
        }
    }
}

/// Mounts a component; `submit` is given the flow's `submit`.
fn mount_on(
    element: HtmlElement,
    options: EmbedOptions,
    submit: Rc<Cell<Option<Callback<LinkSubmission>>>>,
) -> UnmountHandle<impl Mountable> {
    let _ = element.set_attribute(MOUNTED, "");
    let embedded = options.embedded;
    let (options, label) = options.into_parts(take_prefetched(&element));
    let texts = options.texts.clone();
    leptos::mount::mount_to(element, move || {
        let container = embedded.then(NodeRef::new);
        let link = match container {
            Some(container) => use_plaid_embedded_link(options, container),
            None => use_plaid_link(options),
        };
        submit.set(Some(link.submit));
        link_view(&link, label, container, texts)
    })
}

/// The link-token request `embed/plaid-link-prefetch.js` started for this element, taken (once).
fn take_prefetched(element: &HtmlElement) -> Option<PrefetchedToken> {
    let entry = js::take(element, "plaid-link.prefetch")?;
    Some(PrefetchedToken {
        url: js::string(&entry, "url")?,
        response: js::field(&entry, "response").dyn_into().ok()?,
        controller: js::field(&entry, "controller").dyn_into().ok()?,
    })
}

/// `mount(element, {linkTokenUrl, exchangeUrl, updateUrl, itemId, accountSelection, scriptSrc,
/// label, texts, requestTimeoutMs, scriptTimeoutMs, allowedOrigins, onEvent})` for pages that prefer JS.
/// Every option may be left out.
///
/// ```js
/// import { mount } from "/plaid-link.js";
/// const link = mount(document.querySelector("#bank"), {
///   itemId: "item-id", // update mode
///   texts: { "Connect a bank account": "Connecter un compte bancaire" },
///   onEvent: (name) => console.debug("Link", name),
/// });
/// ```
#[wasm_bindgen]
pub fn mount(element: HtmlElement, options: JsValue) -> Mounted {
    let submit = Rc::default();
    let handle = mount_on(element, EmbedOptions::from_js(&options), Rc::clone(&submit));
    Mounted { handle: Some(Box::new(handle)), submit }
}

/// Mounts a component on every `[data-plaid-link]` element (a button) and every
/// `[data-plaid-link-embedded]` element (the institution search) not mounted yet; they live as long
/// as the page.
///
/// ```no_run
/// // The embed bundle's whole `main`:
/// plaid_link::mount_all();
/// ```
pub fn mount_all() {
    let Ok(found) = document().query_selector_all("[data-plaid-link], [data-plaid-link-embedded]") else {
        return;
    };
    for i in 0..found.length() {
        let Some(element) = found.item(i).and_then(|n| n.dyn_into::<HtmlElement>().ok()) else {
            continue;
        };
        if element.has_attribute(MOUNTED) {
            continue;
        }
        let options = EmbedOptions::from_element(&element);
        // Page-long by design, as with leptos' own `mount_to_body`: these go with the page.
        mount_on(element, options, Rc::default()).forget();
    }
}
