//! The counter, and the hook behind a button of the app's own.

use leptos::prelude::*;
use plaid_link::{use_plaid_link, PlaidLinkOptions};

#[component]
fn App() -> impl IntoView {
    let count = RwSignal::new(0);
    let options = PlaidLinkOptions::default()
        .link_token_url("/api/link_token")
        .exchange_url("/api/exchange_public_token");
    let link = use_plaid_link(options);
    view! {
        <button on:click=move |_| count.update(|c| *c += 1)>"Clicked " {count}</button>
        <button disabled=move || !link.ready.get() on:click=move |_| link.open.run(())>"Connect a bank"</button>
    }
}

fn main() {
    leptos::mount::mount_to_body(App);
}
