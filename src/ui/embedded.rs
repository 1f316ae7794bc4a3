//! `<PlaidEmbeddedLink>`: Link's institution search inside the page, with the same status line.

use leptos::prelude::*;

use super::button::{link_view, Own};
use crate::hook::use_plaid_embedded_link;
use crate::hook::OptionsProp;
use crate::options::PlaidLinkOptions;

/// Link's embedded institution search (`Plaid.createEmbedded`): the banks shown in the page, at
/// least 350×300 px; a click on one opens Link at that bank. The token request, the forward of the
/// public token, the states, the errors and the clean-up are those of [`PlaidLink`](crate::PlaidLink).
///
/// ```no_run
/// use leptos::prelude::*;
/// use plaid_link::{PlaidEmbeddedLink, PlaidLinkOptions};
///
/// #[component]
/// fn Onboarding() -> impl IntoView {
///     view! { <PlaidEmbeddedLink options=PlaidLinkOptions::default() /> }
/// }
/// ```
#[component]
pub fn PlaidEmbeddedLink(
    /// Endpoints, script and callbacks; defaults talk to `/api/…` on the page's origin. A signal
    /// is followed, as by [`PlaidLink`](crate::PlaidLink).
    #[prop(optional, into)]
    options: Option<OptionsProp>,
    /// Classes of the app's own, after `plaid-link plaid-link--embedded` on the root element.
    #[prop(optional, into)]
    class: Option<String>,
    /// The style of the element Link renders its search into (at least 350×300 px, as Plaid asks).
    #[prop(optional, into)]
    style: Option<String>,
) -> impl IntoView {
    let container = NodeRef::<leptos::html::Div>::new();
    let options = options.unwrap_or_else(|| PlaidLinkOptions::default().into());
    let texts = options.texts();
    let own = Own::<()> { label: None, class, content: None, style, reopens: false };
    link_view(&use_plaid_embedded_link(options, container), own, Some(container), texts)
}
