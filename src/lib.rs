//! Connect a bank account with [Plaid Link](https://plaid.com/docs/link/web/) from a Leptos page.
//!
//! The component asks the application's backend for a link token, loads Link's script once per
//! page, drives Link, and hands the `public_token` straight to the backend, keeping no copy of it.
//! Plaid's `client_id`, `secret` and access tokens stay on the server.
//!
//! ```no_run
//! use leptos::prelude::*;
//! use plaid_link::{PlaidLink, PlaidLinkOptions};
//!
//! #[component]
//! fn Settings() -> impl IntoView {
//!     let options = PlaidLinkOptions::default()
//!         .link_token_url("/api/link_token")
//!         .exchange_url("/api/exchange_public_token");
//!     view! { <PlaidLink options /> }
//! }
//! ```
//!
//! Or with the hook, for a UI of your own: [`use_plaid_link`] returns `ready`, `status`, `error`,
//! `open`, `exit` and `retry`.
#![deny(missing_docs)]

pub mod backend;
mod cause;
#[cfg(feature = "embed")]
pub mod embed;
pub mod endpoint;
mod flow;
#[cfg(feature = "embed")]
mod handoff;
mod hook;
mod hosted;
mod oauth;
mod options;
pub mod plaid;
mod status;
mod tokens;
pub mod transport;
mod ui;
mod visibility;

pub use backend::RetryPolicy;
pub use cause::JsCause;
#[cfg(feature = "embed")]
pub use embed::{mount, mount_all};
pub use hook::{use_plaid_embedded_link, use_plaid_link, LinkOptions, OptionsProp, UsePlaidLinkReturn};
pub use hosted::{use_plaid_hosted_link, HostedLink, HostedWindow};
pub use oauth::ResumeError;
pub use options::PlaidLinkOptions;
pub use plaid::types::{EventName, LinkEvent, LinkSubmission, SuccessMetadata};
pub use status::{ConnectedItem, Connection, LinkFailure, LinkStatus};
pub use ui::texts::{self, Texts};
pub use ui::{PlaidEmbeddedLink, PlaidHostedLink, PlaidLink};

// The Rust snippets of the README and the guide are doctests: they compile in every test run.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct Readme;

#[cfg(doctest)]
#[doc = include_str!("../docs/guide.md")]
struct Guide;
