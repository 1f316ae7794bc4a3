//! A local stand-in for Plaid: its API (`/link/token/create`, `/item/public_token/exchange`,
//! `/accounts/get`, `/accounts/balance/get`, `/item/get`, `/item/remove`,
//! `/webhook_verification_key/get`, and the sandbox's `/sandbox/item/reset_login` and
//! `/sandbox/item/fire_webhook`), webhooks signed as Plaid signs them, and its Link script, faithful to Plaid's documented shapes so
//! that pointing the backend at the real Plaid is a configuration change.
//!
//! Real Link talks to Plaid's servers through private endpoints; the stand-in's script uses
//! `/link/session`, `/link/credentials` and `/link/complete` for that part, and `/link/oauth/…`
//! for an OAuth bank's own sign-in page (see `oauth.rs`).

mod api;
mod link;
mod oauth;
mod state;
mod webhooks;

pub use api::router;
pub use state::{Institution, Standin, StandinConfig};

/// Plaid's documented token lifetimes.
pub const LINK_TOKEN_TTL_SECS: u64 = 4 * 60 * 60;
/// An update-mode link token (made with an item's access token) lives 30 minutes.
pub const UPDATE_LINK_TOKEN_TTL_SECS: u64 = 30 * 60;
pub const PUBLIC_TOKEN_TTL_SECS: u64 = 30 * 60;
