//! What the embedding page's prefetch (`embed/plaid-link-prefetch.js`) started before the
//! WebAssembly arrived (the embed feature only), handed over under `Symbol.for` keys: a symbol,
//! unlike an attribute or a name, cannot be set by markup. Each is taken once (read, then deleted).

use js_sys::{Promise, Reflect, Symbol};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// On `window`: Link's script, inserted once for the page.
pub(crate) const SCRIPT: &str = "plaid-link.script";
/// On each `[data-plaid-link]` element: its link-token request.
pub(crate) const LINK_TOKEN: &str = "plaid-link.prefetch";

#[wasm_bindgen]
extern "C" {
    /// `{src, script, loaded}`: the script element and the promise its load settles.
    pub(crate) type PrefetchedScript;
}

crate::plaid::bindings::getters!(PrefetchedScript { src, script, loaded });

#[wasm_bindgen]
extern "C" {
    /// `{url, response, controller}`: `fetch`'s promise, and the controller that aborts it.
    pub(crate) type PrefetchedRequest;
}

crate::plaid::bindings::getters!(PrefetchedRequest { url, response, controller });

/// Takes `target[Symbol.for(key)]` away, when it is an object.
pub(crate) fn take<T: JsCast>(target: &JsValue, key: &str) -> Option<T> {
    let key = Symbol::for_(key);
    let value = Reflect::get(target, &key).ok().filter(JsValue::is_object)?;
    let _ = Reflect::delete_property(target.unchecked_ref::<js_sys::Object>(), &key);
    Some(value.unchecked_into())
}

/// A link-token request the page's prefetch already sent (embedding only: a Leptos app has no
/// prefetch).
#[derive(Clone)]
pub(crate) struct PrefetchedToken {
    /// The URL it was sent to: adopted only if the component would send the same request.
    pub url: String,
    /// `fetch`'s promise of the response.
    pub response: Promise,
    /// Aborts it when the component does not adopt it, or goes away first.
    pub controller: web_sys::AbortController,
}

impl PrefetchedToken {
    /// The request the prefetch started for `element`, taken (once).
    pub(crate) fn take(element: &web_sys::HtmlElement) -> Option<Self> {
        let request: PrefetchedRequest = take(element, LINK_TOKEN)?;
        Some(Self {
            url: request.url().as_string()?,
            response: request.response().dyn_into().ok()?,
            controller: request.controller().dyn_into().ok()?,
        })
    }
}
