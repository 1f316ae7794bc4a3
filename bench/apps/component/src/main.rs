//! The counter, and `<PlaidLink>` talking to the app's backend.

use leptos::prelude::*;
use plaid_link::{PlaidLink, PlaidLinkOptions};

#[component]
fn App() -> impl IntoView {
    let count = RwSignal::new(0);
    let options = PlaidLinkOptions::default()
        .link_token_url("/api/link_token")
        .exchange_url("/api/exchange_public_token");
    view! {
        <button on:click=move |_| count.update(|c| *c += 1)>"Clicked " {count}</button>
        <PlaidLink options />
    }
}

fn main() {
    leptos::mount::mount_to_body(App);
}
