//! An offline stand-in for Plaid, for development and tests: its API in Plaid's documented shapes
//! (`api/`), webhooks signed as Plaid signs them (`webhooks.rs`), its Link script and the private
//! endpoints that script uses (`link/`), and an OAuth bank's own sign-in page (`oauth.rs`).
//!
//! Pointing a backend at the real Plaid is a configuration change: it talks to this crate over
//! HTTP only, as it would to Plaid. Real Link talks to Plaid's servers through private endpoints;
//! this Link script uses `/link/session`, `/link/credentials` and `/link/complete` for that part,
//! and `/link/oauth/…` for an OAuth bank. Run it on its own (`plaid-standin`), or mount
//! [`router`] in a server of yours, where Plaid's base URL points.

// Handlers return `Result<_, Response>` for early exits, the usual axum style; a Response is large,
// and on a server that size does not matter.
#![allow(clippy::result_large_err)]

mod api;
mod config;
mod errors;
mod link;
mod meeting;
mod oauth;
mod request;
mod router;
pub mod spec;
mod state;
mod webhooks;

pub use plaid_link_api as types;

pub use config::{is_loopback_host, Institution, StandinConfig, MAX_RECORDS};
pub use router::router;
pub use state::Standin;

/// Plaid's documented lifetime of a link token for a new item.
pub const LINK_TOKEN_TTL_SECS: u64 = 4 * 60 * 60;
/// An update-mode link token (made with an item's access token) lives 30 minutes.
pub const UPDATE_LINK_TOKEN_TTL_SECS: u64 = 30 * 60;
/// A public token can be exchanged for 30 minutes.
pub const PUBLIC_TOKEN_TTL_SECS: u64 = 30 * 60;
