//! What a page may configure from JavaScript (`mount()`'s options) or data attributes, and how far
//! each may go: markup only within what the page's server declared ([`crate::endpoint`]).

use std::rc::Rc;

use send_wrapper::SendWrapper;
use wasm_bindgen::prelude::*;
use web_sys::HtmlElement;

use crate::backend::UpdateTarget;
use crate::endpoint::Provenance;
use crate::handoff::PrefetchedToken;
use crate::options::PlaidLinkOptions;
use crate::ui::texts::Texts;

/// Marks an element for the embedded institution search instead of a button.
const EMBEDDED: &str = "data-plaid-link-embedded";

#[wasm_bindgen]
extern "C" {
    /// `mount()`'s options object, read through a getter per option (a field that is missing or
    /// of another type reads as absent).
    pub(super) type MountOptions;
    #[wasm_bindgen(method, getter, js_name = linkTokenUrl)]
    fn link_token_url(this: &MountOptions) -> JsValue;
    #[wasm_bindgen(method, getter, js_name = exchangeUrl)]
    fn exchange_url(this: &MountOptions) -> JsValue;
    #[wasm_bindgen(method, getter, js_name = scriptSrc)]
    fn script_src(this: &MountOptions) -> JsValue;
    #[wasm_bindgen(method, getter, js_name = updateUrl)]
    fn update_url(this: &MountOptions) -> JsValue;
    #[wasm_bindgen(method, getter, js_name = sessionFinishedUrl)]
    fn session_finished_url(this: &MountOptions) -> JsValue;
    #[wasm_bindgen(method, getter, js_name = exitReportUrl)]
    fn exit_report_url(this: &MountOptions) -> JsValue;
    #[wasm_bindgen(method, getter, js_name = multiItem)]
    fn multi_item(this: &MountOptions) -> JsValue;
    #[wasm_bindgen(method, getter, js_name = itemId)]
    fn item_id(this: &MountOptions) -> JsValue;
    #[wasm_bindgen(method, getter, js_name = accountSelection)]
    fn account_selection(this: &MountOptions) -> JsValue;
    #[wasm_bindgen(method, getter)]
    fn label(this: &MountOptions) -> JsValue;
    #[wasm_bindgen(method, getter)]
    fn texts(this: &MountOptions) -> JsValue;
    #[wasm_bindgen(method, getter, js_name = requestTimeoutMs)]
    fn request_timeout_ms(this: &MountOptions) -> JsValue;
    #[wasm_bindgen(method, getter, js_name = scriptTimeoutMs)]
    fn script_timeout_ms(this: &MountOptions) -> JsValue;
    #[wasm_bindgen(method, getter, js_name = allowedOrigins)]
    fn allowed_origins(this: &MountOptions) -> JsValue;
    #[wasm_bindgen(method, getter, js_name = onEvent)]
    fn on_event(this: &MountOptions) -> JsValue;
    #[wasm_bindgen(method, getter)]
    fn embedded(this: &MountOptions) -> JsValue;
}

/// The options of one embedded component. All optional.
///
/// Endpoints and the script must be on the page's origin (the script may also be Plaid's CDN);
/// only `mount()`'s `allowedOrigins`, which is the page's own code, can widen that.
#[derive(Default)]
pub(super) struct EmbedOptions {
    /// `data-link-token-url` / `linkTokenUrl`.
    link_token_url: Option<String>,
    /// `data-exchange-url` / `exchangeUrl`.
    exchange_url: Option<String>,
    /// `data-script-src` / `scriptSrc`.
    script_src: Option<String>,
    /// `data-update-url` / `updateUrl`.
    update_url: Option<String>,
    /// `data-session-finished-url` / `sessionFinishedUrl`.
    session_finished_url: Option<String>,
    /// `data-exit-report-url` / `exitReportUrl`: report `onExit` errors there (off without it).
    exit_report_url: Option<String>,
    /// `data-multi-item="true"` / `multiItem: true`: Multi-Item Link.
    multi_item: bool,
    /// `data-item-id` / `itemId`: update mode for this item (the backend checks that the session
    /// owns it, so markup can name only the user's own items).
    item_id: Option<String>,
    /// `data-account-selection="true"` / `accountSelection: true`.
    account_selection: bool,
    /// `data-label` / `label`.
    pub label: Option<String>,
    /// `data-texts` (a JSON object) / `texts` (an object): the page's words, by English template
    /// (see [`crate::texts`]); `undefined` for English. Shown as text, as every word is.
    texts: JsValue,
    /// `data-request-timeout-ms` / `requestTimeoutMs`.
    request_timeout_ms: Option<u32>,
    /// `data-script-timeout-ms` / `scriptTimeoutMs`.
    script_timeout_ms: Option<u32>,
    /// `allowedOrigins` only: other origins the endpoints may be on. Never read from an attribute.
    allowed_origins: Vec<String>,
    /// `data-plaid-link-embedded` / `embedded: true`: Link's institution search inside the element.
    pub embedded: bool,
    /// `onEvent` only: called with each of Link's event names (`LAYER_READY`, say) and its metadata.
    /// Never read from an attribute.
    on_event: Option<js_sys::Function>,
    /// Who chose all this: the page's code (`mount()`), or its markup.
    provenance: Provenance,
}

impl EmbedOptions {
    /// Reads `mount()`'s options object: the page's own code.
    pub(super) fn from_js(options: &MountOptions) -> Self {
        let millis = |value: JsValue| value.as_f64().filter(|ms| *ms >= 0.0).map(|ms| ms as u32);
        let origins = options.allowed_origins().dyn_into::<js_sys::Array>().unwrap_or_default();
        Self {
            link_token_url: options.link_token_url().as_string(),
            exchange_url: options.exchange_url().as_string(),
            script_src: options.script_src().as_string(),
            update_url: options.update_url().as_string(),
            session_finished_url: options.session_finished_url().as_string(),
            exit_report_url: options.exit_report_url().as_string(),
            multi_item: options.multi_item().as_bool() == Some(true),
            item_id: options.item_id().as_string(),
            account_selection: options.account_selection().as_bool() == Some(true),
            label: options.label().as_string(),
            texts: options.texts(),
            request_timeout_ms: millis(options.request_timeout_ms()),
            script_timeout_ms: millis(options.script_timeout_ms()),
            allowed_origins: origins.iter().filter_map(|o| o.as_string()).collect(),
            on_event: options.on_event().dyn_into().ok(),
            embedded: options.embedded().as_bool() == Some(true),
            provenance: Provenance::Code,
        }
    }

    /// What a page's markup may decide, and nothing more.
    ///
    /// Markup can be injected into a page without any script (a sanitiser keeps `data-*`), so an
    /// attribute may choose endpoints and a script only among what the page's server declared (the
    /// checks are in [`crate::endpoint`]), may never allow another origin, and its label is shown
    /// as text.
    pub(super) fn from_element(element: &HtmlElement) -> Self {
        let attr = |name: &str| element.get_attribute(name).filter(|v| !v.is_empty());
        Self {
            link_token_url: attr("data-link-token-url"),
            exchange_url: attr("data-exchange-url"),
            script_src: attr("data-script-src"),
            update_url: attr("data-update-url"),
            session_finished_url: attr("data-session-finished-url"),
            exit_report_url: attr("data-exit-report-url"),
            multi_item: attr("data-multi-item").as_deref() == Some("true"),
            item_id: attr("data-item-id"),
            account_selection: attr("data-account-selection").as_deref() == Some("true"),
            label: attr("data-label"),
            texts: attr("data-texts").and_then(|json| js_sys::JSON::parse(&json).ok()).unwrap_or_default(),
            request_timeout_ms: attr("data-request-timeout-ms").and_then(|v| v.parse().ok()),
            script_timeout_ms: attr("data-script-timeout-ms").and_then(|v| v.parse().ok()),
            allowed_origins: Vec::new(),
            on_event: None,
            embedded: element.has_attribute(EMBEDDED),
            provenance: Provenance::Markup,
        }
    }

    /// The component's options.
    pub(super) fn into_options(self, prefetched: Option<PrefetchedToken>) -> PlaidLinkOptions {
        let defaults = PlaidLinkOptions::default();
        let update =
            self.item_id.map(|item_id| UpdateTarget { item_id, account_selection: self.account_selection });
        // Link's own metadata object, as Plaid documents it.
        let on_link_event = self.on_event.map(|on_event| {
            Rc::new(move |name: &str, metadata: &JsValue| {
                let _ = on_event.call2(&JsValue::NULL, &name.into(), metadata);
            }) as Rc<dyn Fn(&str, &JsValue)>
        });
        // Not an object (none given): every lookup misses, and the English stays. One thread in a
        // browser: the wrapper only satisfies `Texts`' `Send + Sync`.
        let words = SendWrapper::new(self.texts);
        let texts = Texts::new(move |english| {
            js_sys::Reflect::get(&words, &english.into()).ok().and_then(|own| own.as_string())
        });
        PlaidLinkOptions {
            link_token_url: self.link_token_url.unwrap_or(defaults.link_token_url),
            exchange_url: self.exchange_url.unwrap_or(defaults.exchange_url),
            update_url: self.update_url.unwrap_or(defaults.update_url),
            session_finished_url: self.session_finished_url.unwrap_or(defaults.session_finished_url),
            exit_report_url: self.exit_report_url,
            multi_item: self.multi_item,
            script_src: self.script_src,
            update,
            account_selection: self.account_selection,
            request_timeout_ms: self.request_timeout_ms.unwrap_or(defaults.request_timeout_ms),
            script_timeout_ms: self.script_timeout_ms.unwrap_or(defaults.script_timeout_ms),
            allowed_origins: self.allowed_origins.into_iter().map(|origin| (origin, false)).collect(),
            on_link_event,
            texts,
            prefetched,
            provenance: self.provenance,
            ..defaults
        }
    }
}
