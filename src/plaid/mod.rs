//! Everything that touches Plaid Link's JavaScript: the raw bindings, the handler that owns the
//! callbacks, the script loader and the types of what Link reports.

pub(crate) mod bindings;
pub(crate) mod handler;
pub(crate) mod loader;
pub mod types;

use wasm_bindgen::{JsCast, JsValue};

use crate::texts::{english_display, Texts};

/// Link's script could not be made available. `Display` is a message for the user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScriptError {
    /// The script did not load: offline, blocked, or not found.
    Failed,
    /// The script took longer than allowed.
    TimedOut {
        /// The limit that was reached.
        after_ms: u32,
    },
    /// The script loaded but defined no `window.Plaid`: not Link's script, or it failed to start.
    NoPlaidGlobal,
    /// The page has no document to add a script to.
    Page(String),
}

impl ScriptError {
    pub(crate) fn say(&self, t: &Texts) -> String {
        match self {
            Self::Failed => {
                t.say("Plaid Link could not be loaded. Check your connection, then try again.", &[])
            }
            Self::TimedOut { .. } => {
                t.say("Plaid Link is taking too long to load. Check your connection, then try again.", &[])
            }
            Self::NoPlaidGlobal => {
                t.say("Plaid Link loaded but did not start. Reload the page, then try again.", &[])
            }
            Self::Page(detail) => {
                t.say("This page cannot load Plaid Link ({detail}).", &[("detail", detail)])
            }
        }
    }
}

/// `Plaid.create` or a handler method failed. `Display` is a message for the user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PlaidError {
    /// `window.Plaid` is missing.
    NotLoaded,
    /// `Plaid.create` threw.
    Create(String),
    /// A handler method threw.
    Open(String),
}

impl PlaidError {
    pub(crate) fn say(&self, t: &Texts) -> String {
        match self {
            Self::NotLoaded => {
                t.say("Plaid Link is not loaded on this page. Reload the page, then try again.", &[])
            }
            Self::Create(detail) => t.say(
                "Plaid Link could not start. Reload the page, then try again. ({detail})",
                &[("detail", detail)],
            ),
            Self::Open(detail) => t.say(
                "Plaid Link could not be opened. Reload the page, then try again. ({detail})",
                &[("detail", detail)],
            ),
        }
    }
}

english_display!(ScriptError, PlaidError);

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
