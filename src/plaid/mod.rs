//! Everything that touches Plaid Link's JavaScript: the raw bindings and typed views, the handler
//! that owns the callbacks, the script loader and the types of what Link reports.
//!
//! This layer says nothing to people: its errors are data, and [`crate::texts`] words them.

pub(crate) mod bindings;
pub(crate) mod handler;
pub(crate) mod loader;
pub mod types;
mod vocabulary;

use crate::cause::JsCause;

/// Link's script could not be made available.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ScriptError {
    /// The script did not load: offline, blocked, or not found.
    #[error("Link's script did not load")]
    Failed,
    /// The script took longer than allowed.
    #[error("Link's script did not load within {after_ms} ms")]
    TimedOut {
        /// The limit that was reached.
        after_ms: u32,
    },
    /// The script loaded but defined no `window.Plaid`: not Link's script, or it failed to start.
    #[error("Link's script ran but defined no window.Plaid")]
    NoPlaidGlobal,
    /// The page would not take a script element (no document, or the DOM threw).
    #[error("the page would not take Link's script: {0}")]
    Page(JsCause),
}

/// `Plaid.create` or a handler method failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PlaidError {
    /// `window.Plaid` is missing.
    #[error("window.Plaid is not defined")]
    NotLoaded,
    /// `Plaid.create` (or `createEmbedded`) threw, or had no element to render into.
    #[error("Plaid.create failed: {0}")]
    Create(JsCause),
    /// A handler method threw.
    #[error("Link's handler failed: {0}")]
    Open(JsCause),
}
