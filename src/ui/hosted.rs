//! `<PlaidHostedLink>`: the button and status line of `<PlaidLink>`, over Hosted Link.

use leptos::prelude::*;

use super::button::{link_view, Own};
use crate::hosted::{use_plaid_hosted_link, HostedLink};
use crate::options::PlaidLinkOptions;

/// A button that connects a bank account through Plaid's own page (Hosted Link), in a new window
/// or in this one, and shows the outcome when the user is back. While the user is away, the
/// button opens Plaid's page again (a window they closed, or lost behind others).
///
/// ```no_run
/// use leptos::prelude::*;
/// use plaid_link::{HostedLink, HostedWindow, PlaidHostedLink, PlaidLinkOptions};
///
/// #[component]
/// fn Settings() -> impl IntoView {
///     let hosted = HostedLink::new(HostedWindow::New);
///     view! { <PlaidHostedLink options=PlaidLinkOptions::default() hosted label="Link your bank" /> }
/// }
/// ```
#[component]
pub fn PlaidHostedLink(
    /// Endpoints, headers, limits, texts and `on_connected` (Link's own callbacks do not apply:
    /// Plaid's page reports to the backend alone).
    #[prop(optional)]
    options: Option<PlaidLinkOptions>,
    /// Which window, and where to ask about the outcome.
    #[prop(optional)]
    hosted: Option<HostedLink>,
    /// The button's text when Plaid's page can be opened.
    #[prop(optional, into)]
    label: Option<String>,
    /// Classes of the app's own, after `plaid-link` on the root element.
    #[prop(optional, into)]
    class: Option<String>,
    /// The button's content when Plaid's page can be opened, in place of `label`.
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    let options = options.unwrap_or_default();
    let texts = options.texts.clone();
    let link = use_plaid_hosted_link(options, hosted.unwrap_or_default());
    let own = Own { label, class, content: children.map(|children| children()), style: None, reopens: true };
    link_view(&link, own, None, texts)
}
