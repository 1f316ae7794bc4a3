//! The view both rendering tests share: `tests/ssr.rs` renders it on the host, `tests/hydrate.rs`
//! hydrates that markup in the browser.

use leptos::prelude::*;
use plaid_link::{PlaidLink, PlaidLinkOptions};

pub fn app() -> impl IntoView {
    view! { <PlaidLink options=PlaidLinkOptions::default() label="Link your bank" /> }
}
