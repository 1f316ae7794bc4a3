//! Embedding in any page: `[data-plaid-link]` elements, or `mount(element, options)` from JS.

mod options;

use std::cell::Cell;
use std::rc::Rc;

use leptos::mount::UnmountHandle;
use leptos::prelude::*;
use leptos::tachys::view::Mountable;
use wasm_bindgen::prelude::*;
use web_sys::HtmlElement;

use crate::handoff::PrefetchedToken;
use crate::hook::{use_plaid_embedded_link, use_plaid_link};
use crate::plaid::types::LinkSubmission;
use crate::status::LinkStatus;
use crate::ui::{link_view, Own};
use options::{options_table, EmbedOptions};

/// Marks an element already given a component, so a second `mount_all` leaves it alone.
const MOUNTED: &str = "data-plaid-link-mounted";

#[wasm_bindgen]
extern "C" {
    /// What a page hands to `submit()`: `{phone_number}` or `{date_of_birth}`.
    type Submission;
}

crate::plaid::bindings::getters!(Submission { phone_number, date_of_birth });

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
        let Some(data) = crate::plaid::bindings::view::<Submission>(data) else { return };
        let submission = match (data.phone_number().as_string(), data.date_of_birth().as_string()) {
            (Some(number), _) => LinkSubmission::PhoneNumber(number),
            (None, Some(date)) => LinkSubmission::DateOfBirth(date),
            (None, None) => return,
        };
        if let Some(submit) = self.submit.get() {
            submit.run(submission);
        }
    }
}

/// Mounts a component; `submit` is given the flow's `submit`. The element tells the page what
/// happens as DOM events it can listen to: `plaid-link:status` and `plaid-link:event`.
fn mount_on(
    element: HtmlElement,
    options: EmbedOptions,
    submit: Rc<Cell<Option<Callback<LinkSubmission>>>>,
) -> UnmountHandle<impl Mountable> {
    let _ = element.set_attribute(MOUNTED, "");
    let (embedded, label) = (options.embedded.0, options.label.clone());
    let mut options = options.into_options(PrefetchedToken::take(&element));
    let (target, page_on_event) = (element.clone(), options.on_link_event.take());
    options.on_link_event = Some(Rc::new(move |name: &str, metadata: &JsValue| {
        announce(&target, "plaid-link:event", to_js(&EventDetail { name, metadata: metadata.clone() }));
        if let Some(on_event) = &page_on_event {
            on_event(name, metadata);
        }
    }));
    let target = element.clone();
    options.on_status = Some(Rc::new(move |status: &LinkStatus| {
        announce(&target, "plaid-link:status", to_js(&StatusDetail::of(status)));
    }));
    let texts = options.texts.clone();
    leptos::mount::mount_to(element, move || {
        let container = embedded.then(NodeRef::new);
        let link = match container {
            Some(container) => use_plaid_embedded_link(options, container),
            None => use_plaid_link(options),
        };
        submit.set(Some(link.submit));
        let own = Own::<()> { label, class: None, content: None, style: None, reopens: false };
        link_view(&link, own, container, texts)
    })
}

/// `plaid-link:status`'s `detail`: the status's name, and once connected the bank, the items and
/// how many accounts. Never a token: the component has none to give.
#[derive(serde::Serialize)]
struct StatusDetail<'a> {
    status: &'a str,
    institution: Option<&'a str>,
    item_ids: Vec<&'a str>,
    accounts: usize,
}

impl<'a> StatusDetail<'a> {
    fn of(status: &'a LinkStatus) -> Self {
        let connection = match status {
            LinkStatus::Connected(connection) => Some(connection),
            _ => None,
        };
        let item_ids = match connection {
            Some(c) if c.items.is_empty() => c.item_id.as_deref().into_iter().collect(),
            Some(c) => c.items.iter().map(|i| i.item_id.as_str()).collect(),
            None => Vec::new(),
        };
        Self {
            status: status.name(),
            institution: connection.and_then(|c| c.institution.as_deref()),
            item_ids,
            accounts: connection.map_or(0, |c| c.accounts),
        }
    }
}

/// `plaid-link:event`'s `detail`: the event's name and Link's own metadata object, as it is.
#[derive(serde::Serialize)]
struct EventDetail<'a> {
    name: &'a str,
    #[serde(with = "serde_wasm_bindgen::preserve")]
    metadata: JsValue,
}

/// What Rust hands to a page, as a plain JS object (`None` as `null`).
fn to_js(value: &impl serde::Serialize) -> JsValue {
    value.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).unwrap_or(JsValue::NULL)
}

/// Dispatches a bubbling `CustomEvent` named `name` on the element, with `detail`.
fn announce(element: &HtmlElement, name: &str, detail: JsValue) {
    let init = web_sys::CustomEventInit::new();
    init.set_bubbles(true);
    init.set_detail(&detail);
    if let Ok(event) = web_sys::CustomEvent::new_with_event_init_dict(name, &init) {
        let _ = element.dispatch_event(&event);
    }
}

/// `mount(element, options)`, for pages that prefer JS to data attributes. Every option may be
/// left out; markup may set those that have an attribute, within what the page's server declared.
///
#[doc = options_table!()]
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
    let options = match options.is_object() {
        true => EmbedOptions::from_js(&options),
        false => EmbedOptions::default(),
    };
    let handle = mount_on(element, options, Rc::clone(&submit));
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
