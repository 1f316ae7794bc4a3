//! Everything that touches Plaid Link's JavaScript: the raw bindings, the handler that owns the
//! callbacks, the script loader and the types of what Link reports.

pub mod bindings;
pub mod handler;
pub mod loader;
pub mod types;

use wasm_bindgen::{JsCast, JsValue};

/// Link's script could not be made available.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ScriptError {
    /// The script did not load: offline, blocked, or not found.
    #[error("Plaid Link could not be loaded. Check your connection, then try again.")]
    Failed,
    /// The script took longer than allowed.
    #[error("Plaid Link is taking too long to load. Check your connection, then try again.")]
    TimedOut {
        /// The limit that was reached.
        after_ms: u32,
    },
    /// The script loaded but defined no `window.Plaid`: not Link's script, or it failed to start.
    #[error("Plaid Link loaded but did not start. Reload the page, then try again.")]
    NoPlaidGlobal,
    /// The page has no document to add a script to.
    #[error("This page cannot load Plaid Link ({0}).")]
    Page(String),
}

/// `Plaid.create` or a handler method failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PlaidError {
    /// `window.Plaid` is missing.
    #[error("Plaid Link is not loaded on this page. Reload the page, then try again.")]
    NotLoaded,
    /// `Plaid.create` threw.
    #[error("Plaid Link could not start. Reload the page, then try again. ({0})")]
    Create(String),
    /// A handler method threw.
    #[error("Plaid Link could not be opened. Reload the page, then try again. ({0})")]
    Open(String),
}

/// A short description of a thrown JS value, for error messages and the console.
pub(crate) fn describe(value: &JsValue) -> String {
    if let Some(error) = value.dyn_ref::<js_sys::Error>() {
        String::from(error.message())
    } else if let Some(text) = value.as_string() {
        text
    } else {
        "unknown error".to_owned()
    }
}
