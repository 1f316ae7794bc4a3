//! The smallest app: one button that connects a bank account.
//!
//! Client-side rendered (`--features csr`), built and served like any Leptos CSR app, for example by
//! Trunk with `<link data-trunk rel="rust" data-bin="…" data-cargo-features="csr" />`. It talks to
//! `/api/link_token` and `/api/exchange_public_token` on the page's origin, as the reference backend
//! (`make demo`) serves them.

use leptos::prelude::*;
use plaid_link::PlaidLink;

fn main() {
    leptos::mount::mount_to_body(|| view! { <PlaidLink /> });
}
