//! Loads Link's script once per page, however many components ask for it.
//!
//! It is a real `<script src>` element (Link's script looks for its own tag), carries the CSP
//! nonce it is given or, failing that, the one the page's own scripts carry, and settles through a JS `Promise` that every caller awaits: a
//! component that unmounts mid-load drops only its own wait, never the load. A failed load removes
//! its element and forgets itself, so the next attempt starts afresh.

use std::cell::RefCell;

use js_sys::Promise;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::HtmlScriptElement;

use super::{bindings, ScriptError};
use crate::cause::JsCause;
#[cfg(feature = "embed")]
use crate::handoff::{self, PrefetchedScript};

/// Where Plaid serves Link's script.
pub const DEFAULT_SCRIPT_SRC: &str = "https://cdn.plaid.com/link/v2/stable/link-initialize.js";

/// The load in progress, shared by every caller on the page.
#[derive(Clone)]
struct Load {
    promise: Promise,
    script: HtmlScriptElement,
}

thread_local! {
    static LOAD: RefCell<Option<Load>> = const { RefCell::new(None) };
}

/// Starts loading the script now, if no one has yet (the load goes on whether or not the result is
/// awaited); the result resolves once `window.Plaid` exists.
///
/// `timeout_ms` bounds a load this call starts; callers joining a load in progress share its bound.
pub fn load_link_script(
    src: &str,
    nonce: Option<&str>,
    timeout_ms: u32,
) -> impl std::future::Future<Output = Result<(), ScriptError>> {
    let started = if bindings::is_loaded() {
        Ok(None)
    } else {
        match LOAD.with(|l| l.borrow().clone()) {
            Some(load) => Ok(Some(load)),
            None => {
                // Only an embedding page has a prefetch whose script there is to adopt.
                #[cfg(feature = "embed")]
                let adopted = adopt(src, timeout_ms);
                #[cfg(not(feature = "embed"))]
                let adopted = None;
                adopted.map_or_else(|| insert(src, nonce, timeout_ms), Ok).map(|load| {
                    LOAD.with(|l| *l.borrow_mut() = Some(load.clone()));
                    Some(load)
                })
            }
        }
    };
    async move {
        match started? {
            Some(load) => settled(load, timeout_ms).await,
            None => Ok(()),
        }
    }
}

async fn settled(load: Load, timeout_ms: u32) -> Result<(), ScriptError> {
    let result = match JsFuture::from(load.promise.clone()).await {
        Ok(_) if bindings::is_loaded() => Ok(()),
        Ok(_) => Err(ScriptError::NoPlaidGlobal),
        // The timer rejects with no argument; the element's `error` event rejects with the event.
        Err(reason) if reason.is_undefined() => Err(ScriptError::TimedOut { after_ms: timeout_ms }),
        Err(_) => Err(ScriptError::Failed),
    };
    forget(&load, result.is_err());
    result
}

#[cfg(feature = "embed")]
/// Takes over the script that the page's prefetch (`embed/plaid-link-prefetch.js`) inserted before
/// the WebAssembly arrived, if it is the same URL; it is adopted once, with this call's time limit.
fn adopt(src: &str, timeout_ms: u32) -> Option<Load> {
    let window = web_sys::window()?;
    let prefetched: PrefetchedScript = handoff::take(&window, handoff::SCRIPT)?;
    if prefetched.src().as_string().as_deref() != Some(src) {
        return None;
    }
    let script = prefetched.script().dyn_into::<HtmlScriptElement>().ok()?;
    let loaded = prefetched.loaded().dyn_into::<Promise>().ok()?;
    let promise = Promise::race(&js_sys::Array::of2(&loaded, &timeout(&window, timeout_ms)));
    Some(Load { promise, script })
}

/// A promise that rejects with no argument after `ms`.
fn timeout(window: &web_sys::Window, ms: u32) -> Promise {
    Promise::new(&mut |_, reject| {
        let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(
            &reject,
            i32::try_from(ms).unwrap_or(i32::MAX),
        );
    })
}

fn insert(src: &str, nonce: Option<&str>, timeout_ms: u32) -> Result<Load, ScriptError> {
    let page = |what: &str| ScriptError::Page(JsCause::new(what.into()));
    let window = web_sys::window().ok_or_else(|| page("no window"))?;
    let document = window.document().ok_or_else(|| page("no document"))?;
    let script: HtmlScriptElement =
        document.create_element("script").map_err(|e| ScriptError::Page(JsCause::new(e)))?.unchecked_into();
    script.set_src(src);
    script.set_async(true);
    if let Some(nonce) = nonce.filter(|n| !n.is_empty()).map(str::to_owned).or_else(|| page_nonce(&document))
    {
        script.set_nonce(&nonce);
    }
    // No Rust closure is involved: the element and the timer call the promises' own functions.
    let loaded = Promise::new(&mut |resolve, reject| {
        script.set_onload(Some(&resolve));
        script.set_onerror(Some(&reject));
    });
    let promise = Promise::race(&js_sys::Array::of2(&loaded, &timeout(&window, timeout_ms)));
    let parent = document.head().map(web_sys::Element::from).or_else(|| document.document_element());
    parent
        .ok_or_else(|| page("no <head>"))?
        .append_child(&script)
        .map_err(|e| ScriptError::Page(JsCause::new(e)))?;
    Ok(Load { promise, script })
}

/// The nonce of the page's own scripts, on a page with a nonce-based Content-Security-Policy.
/// Read from the `nonce` property: browsers blank the attribute so that CSS cannot leak it.
fn page_nonce(document: &web_sys::Document) -> Option<String> {
    let script = document.query_selector("script[nonce]").ok()??;
    let nonce = script.dyn_into::<web_sys::HtmlElement>().ok()?.nonce();
    (!nonce.is_empty()).then_some(nonce)
}

/// Forgets a settled load: later calls either find `window.Plaid` or start afresh. A failed load's
/// element is removed, so that a retry inserts a new one.
fn forget(load: &Load, failed: bool) {
    if failed {
        load.script.remove();
    }
    LOAD.with(|l| {
        let mut current = l.borrow_mut();
        if current.as_ref().is_some_and(|c| js_sys::Object::is(&c.promise, &load.promise)) {
            *current = None;
        }
    });
}
