//! Waiting on the browser's timer, in a way that can be cut short: a wait a component started
//! must end with the component, not hold its task and a JS timer until it runs out (a link
//! token's refresh waits for hours).

use js_sys::{Function, Promise};
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

/// Ends a [`sleep`] early: clears its timer and wakes its task at once.
pub(crate) struct Wake {
    timer: i32,
    resolve: Function,
}

impl Wake {
    pub fn now(self) {
        if let Some(window) = web_sys::window() {
            window.clear_timeout_with_handle(self.timer);
        }
        let _ = self.resolve.call0(&JsValue::NULL);
    }
}

/// A wait of `ms`, and the handle that ends it early.
pub(crate) fn sleep(ms: u32) -> (JsFuture, Option<Wake>) {
    let mut wake = None;
    let promise = Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let timer = window.set_timeout_with_callback_and_timeout_and_arguments_0(
                &resolve,
                i32::try_from(ms).unwrap_or(i32::MAX),
            );
            wake = timer.ok().map(|timer| Wake { timer, resolve: resolve.clone() });
        }
    });
    (JsFuture::from(promise), wake)
}
