//! A `visibilitychange` listener that lives as long as its handle: a tab left in the background
//! for hours has its timers throttled, so the flow also looks again when the tab comes back.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// Calls `f` each time the page becomes visible, until dropped.
#[must_use = "dropping it removes the listener"]
pub(crate) struct OnVisible {
    closure: Closure<dyn Fn()>,
}

impl OnVisible {
    pub fn new(f: impl Fn() + 'static) -> Option<Self> {
        let document = web_sys::window()?.document()?;
        let closure = Closure::<dyn Fn()>::new(move || {
            if web_sys::window().and_then(|w| w.document()).is_some_and(|d| !d.hidden()) {
                f();
            }
        });
        document
            .add_event_listener_with_callback("visibilitychange", closure.as_ref().unchecked_ref())
            .ok()?;
        Some(Self { closure })
    }
}

impl Drop for OnVisible {
    fn drop(&mut self) {
        if let Some(document) = web_sys::window().and_then(|w| w.document()) {
            let _ = document.remove_event_listener_with_callback(
                "visibilitychange",
                self.closure.as_ref().unchecked_ref(),
            );
        }
    }
}
