//! A `visibilitychange` listener that lives as long as its handle: a tab left in the background
//! for hours has its timers throttled, so the flow also looks again when the tab comes back. Hosted
//! Link's new window also listens for this window getting the focus back (the user's return).

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// Calls `f` each time the page becomes visible (or focused, if asked), until dropped.
#[must_use = "dropping it removes the listener"]
pub(crate) struct OnVisible {
    closure: Closure<dyn Fn()>,
    focus: bool,
}

impl OnVisible {
    pub fn new(f: impl Fn() + 'static) -> Option<Self> {
        Self::listen(f, false)
    }

    /// The same, and each time this window gets the focus back.
    pub fn or_focused(f: impl Fn() + 'static) -> Option<Self> {
        Self::listen(f, true)
    }

    fn listen(f: impl Fn() + 'static, focus: bool) -> Option<Self> {
        let window = web_sys::window()?;
        let document = window.document()?;
        let closure = Closure::<dyn Fn()>::new(move || {
            if web_sys::window().and_then(|w| w.document()).is_some_and(|d| !d.hidden()) {
                f();
            }
        });
        let callback = closure.as_ref().unchecked_ref();
        document.add_event_listener_with_callback("visibilitychange", callback).ok()?;
        if focus {
            window.add_event_listener_with_callback("focus", callback).ok()?;
        }
        Some(Self { closure, focus })
    }
}

impl Drop for OnVisible {
    fn drop(&mut self) {
        let Some(window) = web_sys::window() else { return };
        let callback = self.closure.as_ref().unchecked_ref();
        if let Some(document) = window.document() {
            let _ = document.remove_event_listener_with_callback("visibilitychange", callback);
        }
        if self.focus {
            let _ = window.remove_event_listener_with_callback("focus", callback);
        }
    }
}
