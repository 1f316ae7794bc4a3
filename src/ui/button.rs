//! `<PlaidLink>`: one button and one status line that follow the flow.

use leptos::prelude::*;

use super::texts::Texts;
use crate::hook::OptionsProp;
use crate::hook::{use_plaid_link, UsePlaidLinkReturn};
use crate::options::PlaidLinkOptions;
use crate::status::LinkStatus;

/// A button that connects a bank account through Plaid Link.
///
/// Every text it shows (bank names, backend messages) is rendered as text, never as markup.
///
/// ```no_run
/// use leptos::prelude::*;
/// use plaid_link::{PlaidLink, PlaidLinkOptions};
///
/// #[component]
/// fn Settings() -> impl IntoView {
///     let options = PlaidLinkOptions::default().on_connected(|c| leptos::logging::log!("{:?}", c.item_id));
///     view! { <PlaidLink options label="Link your bank" /> }
/// }
/// ```
#[component]
pub fn PlaidLink(
    /// Endpoints, script and callbacks; defaults talk to `/api/…` on the page's origin. A signal
    /// is followed: when it changes, Link is made again with a fresh link token.
    #[prop(optional, into)]
    options: Option<OptionsProp>,
    /// The button's text when Link can be opened ("Connect a bank account", in the options'
    /// [`texts`](PlaidLinkOptions::texts), by default).
    #[prop(optional, into)]
    label: Option<String>,
) -> impl IntoView {
    let options = options.unwrap_or_else(|| PlaidLinkOptions::default().into());
    let texts = options.texts();
    link_view(&use_plaid_link(options), label, None, texts)
}

/// The markup of both components, for a flow already started: the button and its status line,
/// and for the embedded search (`container`) the element Link renders into, the button then shown
/// only to try again after a failure. One view for both keeps the bundle small.
pub(crate) fn link_view(
    link: &UsePlaidLinkReturn,
    label: Option<String>,
    container: Option<NodeRef<leptos::html::Div>>,
    texts: Texts,
) -> impl IntoView {
    let words = texts.clone();
    let status = link.status;
    let (open, retry) = (link.open, link.retry);
    let embedded = container.is_some();
    let search =
        container.map(|container| view! { <div class="plaid-link__embedded" node_ref=container></div> });
    let busy = move || matches!(status.get(), LinkStatus::Preparing | LinkStatus::Open | LinkStatus::Sending);
    let on_click = move |_| match status.get_untracked() {
        LinkStatus::Failed(_) | LinkStatus::Closed => retry.run(()),
        _ => open.run(()),
    };
    view! {
        <div class=if embedded { "plaid-link plaid-link--embedded" } else { "plaid-link" } data-status=move || status.get().name()>
            {search}
            <button
                type="button"
                class="plaid-link__button"
                hidden=move || embedded && !matches!(status.get(), LinkStatus::Failed(_))
                disabled=move || !actionable(&status.get())
                aria-busy=move || if busy() { "true" } else { "false" }
                on:click=on_click
            >
                {move || words.button_label(&status.get(), label.as_deref())}
            </button>
            <p class="plaid-link__message" role="status" aria-live="polite">
                {move || texts.status_message(&status.get())}
            </p>
        </div>
    }
}

/// Whether the button can be pressed.
fn actionable(status: &LinkStatus) -> bool {
    matches!(status, LinkStatus::Ready | LinkStatus::Closed | LinkStatus::Failed(_))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::{BackendError, ExchangeFailure};
    use crate::status::{Connection, LinkFailure};

    #[test]
    fn only_idle_and_failed_states_take_a_click() {
        assert!(actionable(&LinkStatus::Ready));
        assert!(actionable(&LinkStatus::Closed));
        let failure = ExchangeFailure { error: BackendError::Timeout, attempts: 1 };
        assert!(actionable(&LinkStatus::Failed(LinkFailure::Exchange(failure))));
        let connected = LinkStatus::Connected(Connection { accounts: 1, ..Connection::default() });
        for busy in [LinkStatus::Preparing, LinkStatus::Open, LinkStatus::Sending, connected] {
            assert!(!actionable(&busy), "{busy:?}");
        }
    }
}
