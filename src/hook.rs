//! `use_plaid_link`: the whole flow as a Leptos hook.
//!
//! On mount it asks the backend for a link token and loads Link's script at the same time, creates
//! Link, and reports `ready` once Link's `onLoad` fires. `onSuccess` hands the public token straight
//! to the backend; `onExit` decides between "closed", "failed, reopen" and "token expired, start
//! over". Everything it starts is stopped when its owner is cleaned up, except an exchange already
//! under way: that one finishes, so that a user who got through Link does not lose the connection.
//!
//! A link token expires (4 hours for a new item). Shortly before, while Link is not open, the hook
//! fetches a fresh one and swaps Link underneath the ready button, with no "Preparing…" in between;
//! it looks again when a background tab comes back, as its timers may have been held back.

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;
use web_sys::AbortController;

use crate::backend::{BackendClient, BackendError};
use crate::oauth::{self, Resume};
use crate::options::PlaidLinkOptions;
use crate::plaid::handler::{LinkCallbacks, LinkHandler};
use crate::plaid::loader::load_link_script;
use crate::plaid::types::{EventName, ExitMetadata, LinkError, LinkSubmission, SuccessMetadata};
use crate::plaid::PlaidError;
use crate::status::{Connection, LinkFailure, LinkStatus};
use crate::timer::{sleep, Wake};
use crate::tokens::{LinkToken, PublicToken};
use crate::visibility::OnVisible;

/// What [`use_plaid_link`] returns.
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

/// What the hooks take: [`PlaidLinkOptions`], or a `Signal` of them that the flow follows. (Only
/// a signal pays for following one: the embed bundle never does.)
pub trait LinkOptions {
    #[doc(hidden)]
    fn start(self, container: Option<NodeRef<leptos::html::Div>>) -> UsePlaidLinkReturn;
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
                flow.state.update_value(|s| s.options = options);
                flow.prepare();
            }
        });
        on_cleanup(move || drop(follow));
        link
    }
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

fn use_flow(
    options: PlaidLinkOptions,
    container: Option<NodeRef<leptos::html::Div>>,
) -> (UsePlaidLinkReturn, Flow) {
    let flow = Flow {
        container,
        state: StoredValue::new_local(State {
            options,
            handler: None,
            cancel: None,
            attempt: 0,
            refresh_due: None,
            refresh_timer: None,
            open_when_loaded: false,
            return_focus: None,
            on_visible: None,
        }),
        status: RwSignal::new(LinkStatus::Preparing),
        loaded: RwSignal::new(false),
    };
    // On the server the component is its placeholder ("Preparing…"): the flow starts in the browser.
    if !cfg!(feature = "ssr") {
        if cfg!(feature = "hydrate") {
            // After hydration: until then the state must be the one the server rendered.
            spawn_local(async move { flow.prepare() });
        } else {
            flow.prepare();
        }
        let on_visible = OnVisible::new(move || flow.refresh_if_due(flow.attempt()));
        flow.state.update_value(|s| s.on_visible = on_visible);
        on_cleanup(move || {
            flow.stop();
            drop(flow.state.try_update_value(|s| s.on_visible.take()).flatten());
        });
    }

    let status = flow.status;
    let loaded = flow.loaded;
    let link = UsePlaidLinkReturn {
        ready: Signal::derive(move || loaded.get() && can_open(&status.get())),
        status: status.into(),
        error: Signal::derive(move || match status.get() {
            LinkStatus::Failed(failure) => Some(failure),
            _ => None,
        }),
        open: Callback::new(move |()| flow.open()),
        exit: Callback::new(move |force| flow.exit(force)),
        submit: Callback::new(move |data: LinkSubmission| flow.submit(&data)),
        retry: Callback::new(move |()| flow.retry()),
    };
    (link, flow)
}

/// When to fetch a fresh link token: a minute before it expires, or at three quarters of its life
/// when it lives less than four minutes (so that a short-lived token is not fetched in a loop).
fn refresh_at(expires_at_ms: f64, now_ms: f64) -> f64 {
    expires_at_ms - ((expires_at_ms - now_ms) / 4.0).clamp(0.0, 60_000.0)
}

/// The states from which Link may be opened (given that it has loaded).
fn can_open(status: &LinkStatus) -> bool {
    match status {
        LinkStatus::Ready | LinkStatus::Closed => true,
        LinkStatus::Failed(failure) => failure.reopens(),
        _ => false,
    }
}

/// The hook's handles: `Copy`, so that every callback can hold them.
#[derive(Clone, Copy)]
struct Flow {
    /// Embedded institution search: where Link renders it.
    container: Option<NodeRef<leptos::html::Div>>,
    /// What the view does not show, in one arena slot: each stored type costs the bundle its own
    /// code. A handler is taken out of it before it is dropped (Link's `destroy` may call back).
    state: StoredValue<State, LocalStorage>,
    status: RwSignal<LinkStatus>,
    /// Link's `onLoad` has fired for the current handler.
    loaded: RwSignal<bool>,
}

struct State {
    options: PlaidLinkOptions,
    handler: Option<LinkHandler>,
    /// Cancels the link-token request in flight.
    cancel: Option<AbortController>,
    /// Counts `prepare` and `refresh` calls, so that a late answer to an older one is dropped.
    attempt: u32,
    /// When the current link token should be replaced (ms since the epoch), if the backend said.
    refresh_due: Option<f64>,
    /// Ends the wait for `refresh_due` early, when the flow stops or plans anew.
    refresh_timer: Option<Wake>,
    /// Back from an OAuth bank: open Link as soon as it has loaded.
    open_when_loaded: bool,
    /// What had the focus when Link opened (the button the user pressed): it gets it back when Link
    /// closes without a connection, so that a keyboard user carries on from there.
    return_focus: Option<web_sys::HtmlElement>,
    /// Looks again when a background tab comes back (timers may have been held back there).
    on_visible: Option<OnVisible>,
}

impl Flow {
    /// The current attempt; `None` once the component is gone.
    fn current(self) -> Option<u32> {
        self.state.try_with_value(|s| s.attempt)
    }

    fn attempt(self) -> u32 {
        self.current().unwrap_or_default()
    }

    /// Counts a new attempt, which any older one's late answer then yields to.
    fn next_attempt(self) -> u32 {
        self.state
            .try_update_value(|s| {
                s.attempt = s.attempt.wrapping_add(1);
                s.attempt
            })
            .unwrap_or_default()
    }

    /// Starts (or starts over): a fresh link token and the script, together; then Link.
    fn prepare(self) {
        self.stop();
        let attempt = self.next_attempt();
        self.loaded.set(false);
        self.status.set(LinkStatus::Preparing);

        let (resolved, nonce, script_timeout) = self
            .state
            .with_value(|s| (s.options.resolved(), s.options.nonce.clone(), s.options.script_timeout_ms));
        let (backend, src) = match resolved {
            Ok(resolved) => resolved,
            Err(e) => return self.status.set(LinkStatus::Failed(LinkFailure::Endpoint(e))),
        };
        // Back from an OAuth bank: Link again with the kept link token, and no token request.
        let (resumed, received_redirect_uri) = match oauth::resume() {
            Resume::No => (None, None),
            Resume::With { token, received_redirect_uri } => (Some(token), Some(received_redirect_uri)),
            Resume::Failed(e) => return self.status.set(LinkStatus::Failed(LinkFailure::OauthReturn(e))),
        };
        self.state.update_value(|s| s.open_when_loaded = resumed.is_some());
        // The page's prefetch may have sent this very request already: adopt it, once. (It asks for
        // a new item's token only, so update mode never adopts one.)
        let prefetched = self.state.try_update_value(|s| s.options.prefetched.take()).flatten().filter(|p| {
            let adoptable = p.url == backend.link_token_url.href
                && backend.link_token_url.same_origin
                && backend.update.is_none()
                && resumed.is_none();
            if !adoptable {
                p.controller.abort();
            }
            adoptable
        });
        let controller = match &prefetched {
            Some(p) => Some(p.controller.clone()),
            None => AbortController::new().ok(),
        };
        let signal = controller.as_ref().map(AbortController::signal);
        self.state.update_value(|s| s.cancel = controller);
        let script = load_link_script(&src, nonce.as_deref(), script_timeout);

        spawn_local(async move {
            let token = async {
                match (resumed, prefetched) {
                    (Some(token), _) => Ok(token),
                    (None, Some(p)) => backend.adopt_link_token(p.response).await,
                    (None, None) => backend.create_link_token(signal.as_ref()).await,
                }
            };
            // The script's load runs while the token is awaited: both are under way at once.
            let (token, script) = (token.await, script.await);
            if self.status.is_disposed() || self.current() != Some(attempt) {
                return;
            }
            let created = match (token, script) {
                (Err(BackendError::Cancelled), _) => return,
                (Err(e), _) => Err(LinkFailure::LinkToken(e)),
                (_, Err(e)) => Err(LinkFailure::Script(e)),
                (Ok(token), Ok(())) => self
                    .make_link(&backend, &token, received_redirect_uri.as_deref())
                    .map(|handler| (handler, token))
                    .map_err(LinkFailure::Plaid),
            };
            match created {
                Ok((handler, token)) => {
                    self.state.update_value(|s| s.handler = Some(handler));
                    self.schedule_refresh(attempt, &token);
                }
                Err(failure) => self.status.set(LinkStatus::Failed(failure)),
            }
        });
    }

    /// Plans the swap to a fresh link token before `token` expires.
    fn schedule_refresh(self, attempt: u32, token: &LinkToken) {
        let now = js_sys::Date::now();
        // An expiration already past (clocks disagree) is left to Link's own INVALID_LINK_TOKEN:
        // refreshing at once would only fetch another such token, again and again.
        let Some(expires) = token.expires_at_ms().filter(|expires| *expires > now + 1_000.0) else {
            return self.state.update_value(|s| s.refresh_due = None);
        };
        let due = refresh_at(expires, now);
        self.state.update_value(|s| s.refresh_due = Some(due));
        self.cancel_refresh_timer();
        self.wait_for_refresh(attempt, due - now);
    }

    /// Sleeps `ms`, then refreshes if due. A timer may fire a little before the wall clock
    /// (`Date.now`) reaches the due time: it then sleeps the rest, rather than lose the refresh.
    fn wait_for_refresh(self, attempt: u32, ms: f64) {
        let (wait, wake) = sleep(ms.ceil().clamp(0.0, f64::from(i32::MAX)) as u32);
        self.state.update_value(|s| s.refresh_timer = wake);
        spawn_local(async move {
            let _ = wait.await;
            // Stopped, or planned anew: another attempt owns the refresh now.
            if self.status.is_disposed() || self.current() != Some(attempt) {
                return;
            }
            match self.state.with_value(|s| s.refresh_due) {
                Some(due) if js_sys::Date::now() < due => {
                    self.wait_for_refresh(attempt, due - js_sys::Date::now() + 1.0);
                }
                _ => self.refresh_if_due(attempt),
            }
        });
    }

    /// Fetches a fresh link token if the current one is due, and Link is idle: a session in
    /// progress keeps its token (should it expire there, Link's `INVALID_LINK_TOKEN` starts over).
    fn refresh_if_due(self, attempt: u32) {
        if self.status.is_disposed() || self.current() != Some(attempt) {
            return;
        }
        let due = self.state.with_value(|s| s.refresh_due).is_some_and(|due| js_sys::Date::now() >= due);
        if due && self.idle() {
            self.state.update_value(|s| s.refresh_due = None);
            self.refresh();
        }
    }

    /// Link is created and not in use: ready, closed, or failed in a way that reopens it.
    fn idle(self) -> bool {
        self.loaded.get_untracked() && can_open(&self.status.get_untracked())
    }

    /// A fresh link token, and Link made again with it, swapped in once made; the button stays as
    /// it is. On failure the current Link stays: it still works until its token expires.
    fn refresh(self) {
        let attempt = self.next_attempt();
        let Ok((backend, _)) = self.state.with_value(|s| s.options.resolved()) else {
            return;
        };
        let controller = AbortController::new().ok();
        let signal = controller.as_ref().map(AbortController::signal);
        self.state.update_value(|s| s.cancel = controller);
        spawn_local(async move {
            let token = backend.create_link_token(signal.as_ref()).await;
            if self.status.is_disposed() || self.current() != Some(attempt) || !self.idle() {
                return;
            }
            let Ok(token) = token else { return };
            if let Ok(handler) = self.make_link(&backend, &token, None) {
                // The old Link is destroyed here, outside the stored value's lock.
                let old = self.state.try_update_value(|s| s.handler.replace(handler)).flatten();
                drop(old);
                self.schedule_refresh(attempt, &token);
            }
        });
    }

    /// Link for this token: the usual one, or the embedded search inside the container.
    fn make_link(
        self,
        backend: &BackendClient,
        token: &LinkToken,
        received_redirect_uri: Option<&str>,
    ) -> Result<LinkHandler, PlaidError> {
        match self.container {
            None => LinkHandler::create(token, self.callbacks(backend), received_redirect_uri),
            Some(container) => match container.get_untracked() {
                Some(element) => LinkHandler::create_embedded(token, self.callbacks(backend), &element),
                None => Err(PlaidError::Create("the embedded search has no container".into())),
            },
        }
    }

    /// `backend` is the one this Link's token came from: `onSuccess` sends with it as it is, with
    /// nothing to resolve between Link's call and the request.
    fn callbacks(self, backend: &BackendClient) -> LinkCallbacks {
        let backend = backend.clone();
        LinkCallbacks {
            on_load: Box::new(move || {
                self.loaded.set(true);
                if self.status.get_untracked() == LinkStatus::Preparing {
                    self.status.set(LinkStatus::Ready);
                }
                if self.state.try_update_value(|s| std::mem::take(&mut s.open_when_loaded)).unwrap_or(false) {
                    // Outside of Link's callback: `open()` may call back at once.
                    spawn_local(async move { self.open() });
                }
            }),
            on_success: Box::new(move |token, metadata| self.forward(&backend, token, metadata)),
            on_exit: Box::new(move |error, metadata| self.exited(error, metadata)),
            on_event: Box::new(move |event| {
                // Embedded search opens Link by itself, on a click at a bank.
                if self.container.is_some() && event.name == EventName::Open && self.idle() {
                    self.status.set(LinkStatus::Open);
                }
                if let Some(on_event) = self.state.with_value(|s| s.options.on_event.clone()) {
                    on_event(&event);
                }
            }),
        }
    }

    /// `onSuccess`: the token goes straight into the exchange request and nowhere else. In update
    /// mode it goes nowhere at all: it is dropped unread, and the backend is told which item Link
    /// repaired.
    fn forward(self, backend: &BackendClient, token: Option<PublicToken>, metadata: SuccessMetadata) {
        let Some(token) = token else {
            // The session ended without anything to forward.
            oauth::forget();
            return self.status.set(LinkStatus::Failed(LinkFailure::NoPublicToken));
        };
        let updated = backend.update.clone();
        // The request leaves first; then the kept link token goes (sessionStorage is synchronous,
        // and can take milliseconds), and the page says "Saving…".
        let pending = match &updated {
            Some(update) => {
                drop(token);
                backend.start_update(&update.item_id, &metadata)
            }
            None => backend.start_exchange(token, &metadata),
        };
        oauth::forget();
        self.status.set(LinkStatus::Sending);
        spawn_local(async move {
            // Not tied to the component's life: an unmount must not lose a finished Link session.
            let result = match pending {
                Ok(pending) => pending.finish().await,
                Err(failure) => Err(failure),
            };
            if self.status.is_disposed() {
                return;
            }
            match result {
                Ok(outcome) => {
                    let connection = Connection {
                        institution: metadata.institution.map(|i| i.name),
                        accounts: metadata.accounts.len(),
                        item_id: outcome.item_id.or_else(|| updated.as_ref().map(|u| u.item_id.clone())),
                        updated: updated.is_some(),
                    };
                    if let Some(on_connected) = self.state.with_value(|s| s.options.on_connected.clone()) {
                        on_connected(&connection);
                    }
                    self.status.set(LinkStatus::Connected(connection));
                }
                Err(e) => self.status.set(LinkStatus::Failed(LinkFailure::Exchange(e))),
            }
        });
    }

    /// `onExit`.
    fn exited(self, error: Option<LinkError>, metadata: ExitMetadata) {
        oauth::forget();
        if let Some(on_exit) = self.state.with_value(|s| s.options.on_exit.clone()) {
            on_exit(error.as_ref(), &metadata);
        }
        if matches!(self.status.get_untracked(), LinkStatus::Sending | LinkStatus::Connected(_)) {
            return;
        }
        match error {
            // The token expired while Link was open: start over, outside of Link's callback.
            Some(e) if e.is_invalid_link_token() => spawn_local(async move { self.prepare() }),
            Some(e) => self.status.set(LinkStatus::Failed(LinkFailure::Link(e))),
            None => {
                self.status.set(LinkStatus::Closed);
                // A refresh that fell due while Link was open happens now.
                self.refresh_if_due(self.attempt());
            }
        }
        if let Some(Some(element)) = self.state.try_update_value(|s| s.return_focus.take()) {
            // After the view has caught up: a button still disabled would not take the focus.
            spawn_local(async move {
                let _ = element.focus();
            });
        }
    }

    fn open(self) {
        if self.container.is_some() {
            return;
        }
        // Link is one overlay per page: while another component's is open, a click does nothing.
        let free = self.state.with_value(|s| s.handler.as_ref().is_some_and(LinkHandler::may_open));
        if !self.idle() || !free {
            return;
        }
        // `focus()` is called by name, so any focused element (HTML or SVG) will do.
        let focused = leptos::prelude::document().active_element().map(JsCast::unchecked_into);
        self.state.update_value(|s| s.return_focus = focused);
        // Open first in our state: Link may call back synchronously from `open()`.
        self.status.set(LinkStatus::Open);
        let opened = self.state.with_value(|s| {
            s.handler.as_ref().map(|h| {
                // Kept for an OAuth bank's redirect back to this page (see `oauth`).
                oauth::remember(h.token());
                h.open()
            })
        });
        if let Some(Err(e)) = opened {
            self.status.set(LinkStatus::Failed(LinkFailure::Plaid(e)));
        }
    }

    fn submit(self, data: &LinkSubmission) {
        let submitted = self.state.with_value(|s| s.handler.as_ref().map(|h| h.submit(&data.to_js())));
        if let Some(Err(e)) = submitted {
            self.status.set(LinkStatus::Failed(LinkFailure::Plaid(e)));
        }
    }

    fn exit(self, force: bool) {
        self.state.with_value(|s| {
            if let Some(h) = &s.handler {
                h.exit(force);
            }
        });
    }

    fn retry(self) {
        match self.status.get_untracked() {
            LinkStatus::Failed(failure) if !failure.reopens() => self.prepare(),
            _ => self.open(),
        }
    }

    /// Ends a planned refresh's wait now; its task then finds nothing to do.
    fn cancel_refresh_timer(self) {
        if let Some(Some(wake)) = self.state.try_update_value(|s| s.refresh_timer.take()) {
            wake.now();
        }
    }

    /// Cancels the link-token request and the planned refresh, and destroys Link.
    fn stop(self) {
        self.cancel_refresh_timer();
        if let Some(Some(controller)) = self.state.try_update_value(|s| s.cancel.take()) {
            controller.abort();
        }
        // Taken out first and dropped here, outside the stored value's lock.
        let handler = self.state.try_update_value(|s| s.handler.take()).flatten();
        drop(handler);
    }
}

#[cfg(test)]
mod tests {
    use super::refresh_at;

    #[test]
    fn a_fresh_token_is_fetched_a_minute_early_or_at_three_quarters_of_a_short_life() {
        let hour = 3_600_000.0;
        assert_eq!(refresh_at(4.0 * hour, 0.0), 4.0 * hour - 60_000.0);
        assert_eq!(refresh_at(40_000.0, 0.0), 30_000.0);
        assert_eq!(refresh_at(1_000.0, 5_000.0), 1_000.0, "already expired: at once");
    }
}
