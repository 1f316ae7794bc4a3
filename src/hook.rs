//! `use_plaid_link` and `use_plaid_embedded_link`: the flow ([`crate::flow`]) as Leptos hooks. This
//! module is only the Leptos glue: the status signal the flow reports into, the callbacks the view
//! calls, and the flow's end in `on_cleanup` (dropping it stops everything it started).

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::flow::{Flow, Surface};
use crate::options::PlaidLinkOptions;
use crate::plaid::types::LinkSubmission;
use crate::status::{LinkFailure, LinkStatus};

/// What [`use_plaid_link`] returns.
#[derive(Clone, Copy)]
pub struct UsePlaidLinkReturn {
    /// Whether `open` will open Link now: Link has loaded and is not busy.
    pub ready: Signal<bool>,
    /// Where the flow stands.
    pub status: Signal<LinkStatus>,
    /// Why the flow stopped, when it did.
    pub error: Signal<Option<LinkFailure>>,
    /// Opens Link. Does nothing unless `ready`.
    pub open: Callback<()>,
    /// Closes Link; `true` forces it shut without asking the user.
    pub exit: Callback<bool>,
    /// Sends Layer's data to the live Link (Plaid's `handler.submit`): a phone number, then, after
    /// `LAYER_NOT_AVAILABLE`, a date of birth. Watch `on_event` for `LAYER_READY` (then `open`)
    /// and `LAYER_AUTOFILL_NOT_AVAILABLE` (then the usual flow). Does nothing before Link is made.
    pub submit: Callback<LinkSubmission>,
    /// After a failure or a close: reopens Link, or starts over with a fresh link token when the
    /// old one cannot be used again.
    pub retry: Callback<()>,
}

/// Drives Plaid Link for the current component. See the crate docs for an example.
///
/// `options` may be a signal: when it changes (the item to update, say), the flow starts over with
/// a fresh link token and Link made again, as react-plaid-link does when its token changes.
///
/// ```no_run
/// use leptos::prelude::*;
/// use plaid_link::{use_plaid_link, LinkStatus, PlaidLinkOptions};
///
/// #[component]
/// fn ConnectBank() -> impl IntoView {
///     let link = use_plaid_link(PlaidLinkOptions::default());
///     let (ready, status, open) = (link.ready, link.status, link.open);
///     view! {
///         <button disabled=move || !ready.get() on:click=move |_| open.run(())>"Link my bank"</button>
///         {move || matches!(status.get(), LinkStatus::Connected(_)).then_some("Done.")}
///     }
/// }
/// ```
pub fn use_plaid_link(options: impl LinkOptions) -> UsePlaidLinkReturn {
    options.start(None)
}

/// The same flow over Link's embedded institution search (`Plaid.createEmbedded`), rendered inside
/// `container` (at least 350×300 px) once the token and the script are in: a click on a bank there
/// opens Link at that bank. `open` does nothing in this mode; the rest is as [`use_plaid_link`].
///
/// ```no_run
/// use leptos::prelude::*;
/// use plaid_link::{use_plaid_embedded_link, PlaidLinkOptions};
///
/// #[component]
/// fn BankPicker() -> impl IntoView {
///     let container = NodeRef::<leptos::html::Div>::new();
///     let link = use_plaid_embedded_link(PlaidLinkOptions::default(), container);
///     let error = link.error;
///     view! {
///         <div node_ref=container style="width: 400px; height: 350px"></div>
///         <p>{move || error.get().map(|e| e.to_string())}</p>
///     }
/// }
/// ```
pub fn use_plaid_embedded_link(
    options: impl LinkOptions,
    container: NodeRef<leptos::html::Div>,
) -> UsePlaidLinkReturn {
    options.start(Some(container))
}

/// What the components take as `options`: [`PlaidLinkOptions`], or a `Signal` of them that the
/// flow follows (`.into()` either). Options given as they are never enter the reactive graph: on a
/// multi-threaded server, which may clean a page up on another thread than the one that rendered
/// it, a value tied to its thread (as a local signal is) would panic there. Following a signal is
/// made where the signal is turned into an `OptionsProp`, so an app that never passes one carries
/// none of it.
pub struct OptionsProp(Given);

enum Given {
    /// Options as they are.
    Fixed(Box<PlaidLinkOptions>),
    /// Options the flow follows (the signal made in the browser only): their texts now, and how
    /// the flow starts following them.
    Following(
        crate::ui::texts::Texts,
        Box<dyn FnOnce(Option<NodeRef<leptos::html::Div>>) -> UsePlaidLinkReturn>,
    ),
}

impl From<PlaidLinkOptions> for OptionsProp {
    fn from(options: PlaidLinkOptions) -> Self {
        Self(Given::Fixed(Box::new(options)))
    }
}

impl From<Signal<PlaidLinkOptions, LocalStorage>> for OptionsProp {
    fn from(options: Signal<PlaidLinkOptions, LocalStorage>) -> Self {
        let texts = options.with_untracked(|o| o.texts.clone());
        Self(Given::Following(texts, Box::new(move |container| options.start(container))))
    }
}

impl OptionsProp {
    /// The texts the options hold now.
    pub(crate) fn texts(&self) -> crate::ui::texts::Texts {
        match &self.0 {
            Given::Fixed(options) => options.texts.clone(),
            Given::Following(texts, _) => texts.clone(),
        }
    }
}

impl LinkOptions for OptionsProp {
    fn start(self, container: Option<NodeRef<leptos::html::Div>>) -> UsePlaidLinkReturn {
        match self.0 {
            Given::Fixed(options) => (*options).start(container),
            Given::Following(_, start) => start(container),
        }
    }
}

/// What the hooks take: [`PlaidLinkOptions`], a `Signal` of them that the flow follows, or an
/// [`OptionsProp`]. (Only a signal pays for following one: the embed bundle never does.) Sealed:
/// how a flow starts is the crate's own business, so no other type implements it.
pub trait LinkOptions: sealed::Sealed {
    #[doc(hidden)]
    fn start(self, container: Option<NodeRef<leptos::html::Div>>) -> UsePlaidLinkReturn;
}

mod sealed {
    /// Only this crate's option types are [`super::LinkOptions`].
    pub trait Sealed {}
    impl Sealed for crate::options::PlaidLinkOptions {}
    impl Sealed for leptos::prelude::Signal<crate::options::PlaidLinkOptions, leptos::prelude::LocalStorage> {}
    impl Sealed for super::OptionsProp {}
}

impl LinkOptions for PlaidLinkOptions {
    fn start(self, container: Option<NodeRef<leptos::html::Div>>) -> UsePlaidLinkReturn {
        use_flow(self, container).0
    }
}

impl LinkOptions for Signal<PlaidLinkOptions, LocalStorage> {
    fn start(self, container: Option<NodeRef<leptos::html::Div>>) -> UsePlaidLinkReturn {
        let (link, flow) = use_flow(self.get_untracked(), container);
        // The app changed an input: start over with it.
        let follow = leptos::reactive::effect::RenderEffect::new(move |first: Option<()>| {
            let options = self.get();
            if first.is_some() {
                with_flow(flow, |flow| flow.restart(options));
            }
        });
        on_cleanup(move || drop(follow));
        link
    }
}

/// The flow for this component, reporting into its status signal; dropped (so stopped) with it.
fn use_flow(
    options: PlaidLinkOptions,
    container: Option<NodeRef<leptos::html::Div>>,
) -> (UsePlaidLinkReturn, Option<StoredValue<Option<Flow>, LocalStorage>>) {
    let status = RwSignal::new(LinkStatus::Preparing);
    // On the server the component is its placeholder ("Preparing…"): the flow starts in the browser,
    // and nothing tied to the rendering thread is left in the page's reactive owner.
    let flow = (!cfg!(feature = "ssr")).then(|| StoredValue::new_local(None));
    if let Some(flow) = flow {
        let surface = match container {
            None => Surface::Button,
            Some(container) => Surface::Embedded(Box::new(move || container.get_untracked().map(Into::into))),
        };
        #[cfg(feature = "embed")]
        let on_status = options.on_status.clone();
        let started = Flow::new(options, surface, move |reached| {
            #[cfg(feature = "embed")]
            let heard = on_status.clone().map(|on_status| (on_status, reached.clone()));
            drop(status.try_set(reached));
            // The embedding page hears of it after what the flow queued (the exchange request
            // leaves first) and after the re-render the status queued: a slow listener delays
            // neither, and it reads the markup as shown.
            #[cfg(feature = "embed")]
            if let Some((on_status, reached)) = heard {
                spawn_local(async move { on_status(&reached) });
            }
        });
        flow.set_value(Some(started.clone()));
        start_in_browser(flow, move || started.start());
    }
    let link = UsePlaidLinkReturn {
        ready: Signal::derive(move || status.with(LinkStatus::opens)),
        status: status.into(),
        error: failure_of(status),
        open: Callback::new(move |()| with_flow(flow, |flow| flow.open())),
        exit: Callback::new(move |force| with_flow(flow, |flow| flow.exit(force))),
        submit: Callback::new(move |data: LinkSubmission| with_flow(flow, |flow| flow.submit(&data))),
        retry: Callback::new(move |()| with_flow(flow, |flow| flow.retry())),
    };
    (link, flow)
}

/// Starts a component's flow, after hydration when there is one (until then the state must be the
/// one the server rendered), and drops it (which stops it) with the component.
pub(crate) fn start_in_browser<F: 'static>(
    flow: StoredValue<Option<F>, LocalStorage>,
    start: impl FnOnce() + 'static,
) {
    if cfg!(feature = "hydrate") {
        spawn_local(async move { start() });
    } else {
        start();
    }
    on_cleanup(move || drop(flow.try_update_value(Option::take)));
}

/// The hooks' `error`: why the flow stopped, when it did.
pub(crate) fn failure_of(status: RwSignal<LinkStatus>) -> Signal<Option<LinkFailure>> {
    Signal::derive(move || match status.get() {
        LinkStatus::Failed(failure) => Some(failure),
        _ => None,
    })
}

/// Calls into a component's flow (Link's, or Hosted Link's), if the component still has one. The
/// flow is taken out of the stored value first: Link may call back into it from inside the call.
pub(crate) fn with_flow<F: Clone + 'static>(
    flow: Option<StoredValue<Option<F>, LocalStorage>>,
    f: impl FnOnce(&F),
) {
    if let Some(flow) = flow.and_then(|flow| flow.try_with_value(Clone::clone).flatten()) {
        f(&flow);
    }
}
