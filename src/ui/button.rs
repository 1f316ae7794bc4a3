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
///
/// Its content may be markup of the app's own, shown while Link can be opened (the states' own
/// words otherwise); `class` joins the component's classes, and `attr:` attributes go on its
/// root element:
///
/// ```no_run
/// use leptos::prelude::*;
/// use plaid_link::PlaidLink;
///
/// #[component]
/// fn Settings() -> impl IntoView {
///     view! { <PlaidLink class="btn-row" attr:data-testid="bank">"Link " <b>"your bank"</b></PlaidLink> }
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
    /// Classes of the app's own, after `plaid-link` on the root element.
    #[prop(optional, into)]
    class: Option<String>,
    /// The button's content while Link can be opened, in place of `label`.
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    let options = options.unwrap_or_else(|| PlaidLinkOptions::default().into());
    let texts = options.texts();
    let own = Own { label, class, content: children.map(|children| children()), style: None, reopens: false };
    link_view(&use_plaid_link(options), own, None, texts)
}

/// What the app gave a component for its markup. Generic in its content, so that a build that
/// never gives any (the embed bundle) carries none of a view's type erasure.
pub(crate) struct Own<C> {
    pub label: Option<String>,
    pub class: Option<String>,
    pub content: Option<C>,
    /// The embedded search's container's style.
    pub style: Option<String>,
    /// A click while Link is open opens it again (Hosted Link's page, in another window).
    pub reopens: bool,
}

/// The markup of both components, for a flow already started: the button and its status line,
/// and for the embedded search (`container`) the element Link renders into, the button then shown
/// only to try again after a failure. One view for both keeps the bundle small.
pub(crate) fn link_view<C: IntoView + 'static>(
    link: &UsePlaidLinkReturn,
    own: Own<C>,
    container: Option<NodeRef<leptos::html::Div>>,
    texts: Texts,
) -> impl IntoView {
    let Own { label, class, content, style, reopens } = own;
    let words = texts.clone();
    let status = link.status;
    let (open, retry) = (link.open, link.retry);
    let embedded = container.is_some();
    let search = container
        .map(|container| view! { <div class="plaid-link__embedded" style=style node_ref=container></div> });
    let mut root = String::from(if embedded { "plaid-link plaid-link--embedded" } else { "plaid-link" });
    if let Some(own) = class {
        root.push(' ');
        root.push_str(&own);
    }
    // The app's content while Link can be opened; the states' own words otherwise.
    let idle = move || match status.get() {
        LinkStatus::Ready | LinkStatus::Closed => true,
        LinkStatus::Open => reopens,
        _ => false,
    };
    let content = content.map(|content| view! { <span hidden=move || !idle()>{content}</span> });
    let has_content = content.is_some();
    let busy = move || {
        !idle() && matches!(status.get(), LinkStatus::Preparing | LinkStatus::Open | LinkStatus::Sending)
    };
    let on_click = move |_| match status.get_untracked() {
        LinkStatus::Failed(_) | LinkStatus::Closed => retry.run(()),
        _ => open.run(()),
    };
    view! {
        <div class=root data-status=move || status.get().name()>
            {search}
            <button
                type="button"
                class="plaid-link__button"
                hidden=move || embedded && !matches!(status.get(), LinkStatus::Failed(_))
                disabled=move || !idle() && !actionable(&status.get())
                aria-busy=move || if busy() { "true" } else { "false" }
                on:click=on_click
            >
                {content}
                {move || match (has_content, idle()) {
                    (true, true) => String::new(),
                    (false, true) => words.button_label(&LinkStatus::Ready, label.as_deref()),
                    _ => words.button_label(&status.get(), label.as_deref()),
                }}
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
