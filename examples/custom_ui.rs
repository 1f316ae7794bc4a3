//! A UI of one's own through the hook: a card that says where the flow stands in the app's words,
//! with its own buttons. `use_plaid_link` still fetches the token, drives Link and forwards the
//! public token; the view only reads signals and calls callbacks. (`--features csr`, as `smallest`.)

use leptos::prelude::*;
use plaid_link::{use_plaid_link, LinkStatus, PlaidLinkOptions, Texts};

#[component]
fn BankCard() -> impl IntoView {
    // The app's words for the crate's sentences (English here); the same `Texts` go in the options.
    let texts = Texts::default();
    let options = PlaidLinkOptions::default()
        .texts(texts.clone())
        .on_connected(|connection| leptos::logging::log!("stored item {:?}", connection.item_id));
    let link = use_plaid_link(options);
    let (ready, status, error) = (link.ready, link.status, link.error);
    let (open, retry) = (link.open, link.retry);

    let headline = move || match status.get() {
        LinkStatus::Preparing => "Getting things ready…".to_owned(),
        LinkStatus::Ready | LinkStatus::Closed => "Add your bank to see your balance here.".to_owned(),
        LinkStatus::Open => "Follow the steps in the Plaid window.".to_owned(),
        LinkStatus::Sending => "Almost there…".to_owned(),
        LinkStatus::Connected(c) => {
            format!("{} is connected.", c.institution.as_deref().unwrap_or("Your bank"))
        }
        LinkStatus::Failed(_) => "That did not work.".to_owned(),
    };
    view! {
        <section class="bank-card" aria-busy=move || if ready.get() { "false" } else { "true" }>
            <h2>"Bank account"</h2>
            <p role="status">{headline}</p>
            // What failed and what to do, in the app's words (`Display` is English, for logs).
            <p class="bank-card__error">{move || error.get().map(|e| texts.failure(&e))}</p>
            <Show when=move || matches!(status.get(), LinkStatus::Failed(_) | LinkStatus::Closed)
                fallback=move || view! {
                    <button disabled=move || !ready.get() on:click=move |_| open.run(())>"Add bank"</button>
                }>
                <button on:click=move |_| retry.run(())>"Try again"</button>
            </Show>
        </section>
    }
}

fn main() {
    leptos::mount::mount_to_body(BankCard);
}
