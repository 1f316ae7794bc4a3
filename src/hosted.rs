//! Hosted Link: Link on a page of Plaid's own (`hosted_link_url`) rather than over this one, as
//! Plaid recommends for webviews and for apps where its overlay cannot run. The backend makes the
//! token and its page ([`BackendClient::create_hosted_link_token`]); the user goes there in a new
//! window, or in this one; and when they come back the backend says what their session added
//! (`hosted_finished_url`), reading it from Plaid as it does for Plaid's `SESSION_FINISHED`
//! webhook, which adds the banks by itself for a user who never comes back.
//!
//! No public token ever reaches the page: Plaid's page hands its sessions' tokens to the backend
//! alone. In the same window, the link token is kept in `sessionStorage` for the return (as for an
//! OAuth bank); in a new window, this page looks again each time it gets the focus back or
//! becomes visible.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsValue;

use crate::backend::{BackendClient, BackendError, Cancel, ExchangeFailure};
use crate::cause::JsCause;
use crate::endpoint::{self, Endpoint};
use crate::hook::{failure_of, with_flow, UsePlaidLinkReturn};
use crate::oauth;
use crate::options::PlaidLinkOptions;
use crate::plaid::PlaidError;
use crate::status::{Connection, LinkFailure, LinkStatus};
use crate::tokens::LinkToken;
use crate::visibility::OnVisible;

/// Where a Hosted Link session kept in the same window waits for the return.
const KEY: &str = "plaid-link:hosted-link-token";

/// Where Plaid's page opens.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum HostedWindow {
    /// A new window (or tab), from the user's click; this page stays, and shows the outcome when the
    /// user comes back to it.
    #[default]
    New,
    /// This window (a webview, which has no other): the page goes to Plaid's and comes back to this
    /// address once the session ends, where the component shows the outcome.
    Same,
}

/// Hosted Link's options, beside [`PlaidLinkOptions`] (whose endpoints, headers, limits, texts and
/// `on_connected` apply; Link's callbacks do not: Plaid's page reports to the backend alone).
///
/// ```
/// use plaid_link::{HostedLink, HostedWindow};
/// let hosted = HostedLink::new(HostedWindow::Same).finished_url("/billing/plaid/hosted_finished");
/// ```
#[derive(Clone, Debug)]
pub struct HostedLink {
    window: HostedWindow,
    finished_url: String,
    id: Option<String>,
}

impl Default for HostedLink {
    fn default() -> Self {
        Self::new(HostedWindow::New)
    }
}

impl HostedLink {
    /// Plaid's page in `window`.
    pub fn new(window: HostedWindow) -> Self {
        Self { window, finished_url: "/api/hosted_link_finished".to_owned(), id: None }
    }

    /// Where to POST `{link_token}` when the user is back. Default `/api/hosted_link_finished`
    /// (`plaid-link-server`'s route).
    pub fn finished_url(mut self, url: impl Into<String>) -> Self {
        self.finished_url = url.into();
        self
    }

    /// Names the component, for a page with more than one in the same window: the return resumes
    /// the one the user left from.
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }
}

/// Drives Hosted Link for the current component: `open` sends the user to Plaid's page (call it
/// from a click: a new window opens only there), and `status` follows the session to its outcome.
/// The rest is as [`use_plaid_link`](crate::use_plaid_link)'s; `open` also opens Plaid's page again
/// while the user is away (a window they closed, or lost behind others), and `exit` gives up on it.
///
/// ```no_run
/// use leptos::prelude::*;
/// use plaid_link::{use_plaid_hosted_link, HostedLink, HostedWindow, PlaidLinkOptions};
///
/// #[component]
/// fn ConnectInWebview() -> impl IntoView {
///     let link = use_plaid_hosted_link(PlaidLinkOptions::default(), HostedLink::new(HostedWindow::Same));
///     let (ready, open) = (link.ready, link.open);
///     view! { <button disabled=move || !ready.get() on:click=move |_| open.run(())>"Link my bank"</button> }
/// }
/// ```
pub fn use_plaid_hosted_link(options: PlaidLinkOptions, hosted: HostedLink) -> UsePlaidLinkReturn {
    let status = RwSignal::new(LinkStatus::Preparing);
    let flow = (!cfg!(feature = "ssr")).then(|| StoredValue::new_local(None::<HostedFlow>));
    if let Some(flow) = flow {
        let started = HostedFlow::new(options, hosted, move |reached| drop(status.try_set(reached)));
        flow.set_value(Some(started.clone()));
        crate::hook::start_in_browser(flow, move || started.start());
    }
    UsePlaidLinkReturn {
        ready: Signal::derive(move || status.with(|s| s.opens() || matches!(s, LinkStatus::Open))),
        status: status.into(),
        error: failure_of(status),
        open: Callback::new(move |()| with_flow(flow, HostedFlow::open)),
        exit: Callback::new(move |_| with_flow(flow, HostedFlow::exit)),
        submit: Callback::new(|_| {}),
        retry: Callback::new(move |()| with_flow(flow, HostedFlow::retry)),
    }
}

/// Plaid's page for one link token.
#[derive(Clone)]
struct Page {
    token: LinkToken,
    url: String,
}

/// Where the flow stands; each maps to a [`LinkStatus`].
enum Phase {
    /// A token and its page are on their way (the request aborts when the phase is dropped).
    Preparing {
        _request: Option<Cancel>,
    },
    Ready(Page),
    /// The user is on Plaid's page.
    Away(Page),
    /// Asking the backend what the session added.
    Checking,
    Connected(Connection),
    /// The user left Plaid's page without a bank; a fresh page is on its way (`None` until then).
    Closed {
        page: Option<Page>,
        _request: Option<Cancel>,
    },
    /// What trying again does: ask again, or open again.
    Failed(LinkFailure, Again),
}

enum Again {
    Prepare,
    Open(Page),
    Check(Page),
}

impl Phase {
    fn status(&self) -> LinkStatus {
        match self {
            Self::Preparing { .. } => LinkStatus::Preparing,
            Self::Ready(_) => LinkStatus::Ready,
            Self::Away(_) => LinkStatus::Open,
            Self::Checking => LinkStatus::Sending,
            Self::Connected(connection) => LinkStatus::Connected(connection.clone()),
            Self::Closed { .. } => LinkStatus::Closed,
            Self::Failed(failure, _) => LinkStatus::Failed(failure.clone()),
        }
    }

    /// The page a click opens, when there is one.
    fn page(&self) -> Option<&Page> {
        match self {
            Self::Ready(page) | Self::Away(page) | Self::Closed { page: Some(page), .. } => Some(page),
            Self::Failed(_, Again::Open(page)) => Some(page),
            _ => None,
        }
    }
}

#[derive(Clone)]
struct HostedFlow(Rc<Inner>);

struct Inner {
    options: PlaidLinkOptions,
    hosted: HostedLink,
    phase: RefCell<Phase>,
    /// Counts token requests, so that a late answer to an older one is dropped.
    attempts: Cell<u32>,
    report: Box<dyn Fn(LinkStatus)>,
    /// While the user is on Plaid's page in another window: their return to this one.
    on_return: RefCell<Option<OnVisible>>,
}

impl HostedFlow {
    fn new(options: PlaidLinkOptions, hosted: HostedLink, report: impl Fn(LinkStatus) + 'static) -> Self {
        Self(Rc::new(Inner {
            options,
            hosted,
            phase: RefCell::new(Phase::Preparing { _request: None }),
            attempts: Cell::new(0),
            report: Box::new(report),
            on_return: RefCell::new(None),
        }))
    }

    fn weak(&self) -> Weak<Inner> {
        Rc::downgrade(&self.0)
    }

    fn set(&self, phase: Phase) {
        let status = phase.status();
        let old = self.0.phase.replace(phase);
        (self.0.report)(status);
        drop(old);
    }

    fn component(&self) -> String {
        oauth::named("hosted:", self.0.hosted.id.as_deref().unwrap_or_default())
    }

    /// The backend client, and where to ask about a finished session, resolved against `page`.
    fn backend(&self, page: &endpoint::Page) -> Result<(BackendClient, Endpoint), LinkFailure> {
        let options = &self.0.options;
        let resolved = || Ok((options.backend(page)?, options.endpoint(page, &self.0.hosted.finished_url)?));
        resolved().map_err(LinkFailure::Endpoint)
    }

    /// Back in this window from Plaid's page: what the session added; otherwise a page to open.
    fn start(&self) {
        // Only this window's kind keeps a token (a new window's page never leaves).
        let kept =
            (self.0.hosted.window == HostedWindow::Same).then(|| oauth::kept_for(KEY, &self.component()));
        match kept.flatten() {
            // Its address is of no more use: the user has been there.
            Some(token) => self.check(Page { token, url: String::new() }),
            None => self.prepare(),
        }
    }

    /// A fresh token and its page. After a session without a bank, the status stays "closed".
    fn prepare(&self) {
        let attempt = self.0.attempts.get().wrapping_add(1);
        self.0.attempts.set(attempt);
        let closed = matches!(&*self.0.phase.borrow(), Phase::Closed { .. });
        // One read of the page: for the endpoints now, and for Plaid's page once it is named.
        let here = endpoint::Page::current();
        let (backend, _) = match self.backend(&here) {
            Ok(resolved) => resolved,
            Err(failure) => return self.set(Phase::Failed(failure, Again::Prepare)),
        };
        let cancel = Cancel::new();
        let signal = cancel.as_ref().map(Cancel::signal);
        // In this window, Plaid's page sends the user back to this very address.
        let back = (self.0.hosted.window == HostedWindow::Same)
            .then(|| web_sys::window()?.location().href().ok())
            .flatten()
            .map(|href| href.split('#').next().unwrap_or_default().to_owned());
        self.set(match closed {
            true => Phase::Closed { page: None, _request: cancel },
            false => Phase::Preparing { _request: cancel },
        });
        let weak = self.weak();
        spawn_local(async move {
            let made = backend.create_hosted_link_token(back.as_deref(), signal.as_ref()).await;
            let Some(flow) = weak.upgrade().map(HostedFlow) else { return };
            if flow.0.attempts.get() != attempt {
                return;
            }
            let page = made.map_err(LinkFailure::LinkToken).and_then(|(token, url)| {
                let url = endpoint::resolve_hosted_page(&here, &url);
                Ok(Page { token, url: url.map_err(LinkFailure::Endpoint)? })
            });
            match page {
                Err(LinkFailure::LinkToken(BackendError::Cancelled)) => {}
                Err(failure) => flow.set(Phase::Failed(failure, Again::Prepare)),
                Ok(page) if closed => flow.set(Phase::Closed { page: Some(page), _request: None }),
                Ok(page) => flow.set(Phase::Ready(page)),
            }
        });
    }

    /// Sends the user to Plaid's page (again, while they are away), from their click.
    fn open(&self) {
        let page = self.0.phase.borrow().page().cloned();
        let Some(page) = page else { return };
        if page.token.expires_at_ms().is_some_and(|at| at <= js_sys::Date::now()) {
            return self.prepare();
        }
        let Some(window) = web_sys::window() else { return };
        let opened = match self.0.hosted.window {
            HostedWindow::New => match window.open_with_url_and_target(&page.url, "_blank") {
                Ok(Some(opened)) => {
                    // Plaid's page gets no hold on this one.
                    let _ = opened.set_opener(&JsValue::NULL);
                    self.listen_for_return();
                    Ok(())
                }
                Ok(None) => {
                    let blocked =
                        js_sys::Error::new("the browser blocked the window: allow pop-ups for this site");
                    Err(JsCause::new(blocked.into()))
                }
                Err(e) => Err(JsCause::new(e)),
            },
            HostedWindow::Same => {
                oauth::keep(KEY, &page.token, &self.component());
                window.location().assign(&page.url).map_err(JsCause::new)
            }
        };
        match opened {
            Ok(()) => self.set(Phase::Away(page)),
            Err(cause) => {
                self.set(Phase::Failed(LinkFailure::Plaid(PlaidError::Open(cause)), Again::Open(page)))
            }
        }
    }

    /// Each time this window gets the focus back or becomes visible, while the user is away.
    fn listen_for_return(&self) {
        let weak = self.weak();
        let on_return = OnVisible::or_focused(move || {
            let Some(flow) = weak.upgrade().map(HostedFlow) else { return };
            if let Some(page) = flow.away() {
                flow.check(page);
            }
        });
        *self.0.on_return.borrow_mut() = on_return;
    }

    /// Plaid's page, while the user is on it.
    fn away(&self) -> Option<Page> {
        match &*self.0.phase.borrow() {
            Phase::Away(page) => Some(page.clone()),
            _ => None,
        }
    }

    /// Asks the backend what the session added.
    fn check(&self, page: Page) {
        let (backend, finished) = match self.backend(&endpoint::Page::current()) {
            Ok(resolved) => resolved,
            Err(failure) => return self.set(Phase::Failed(failure, Again::Check(page))),
        };
        self.set(Phase::Checking);
        let weak = self.weak();
        spawn_local(async move {
            let answer = backend.hosted_finished(&finished, &page.token).await;
            let Some(flow) = weak.upgrade().map(HostedFlow) else { return };
            flow.checked(page, answer);
        });
    }

    fn checked(
        &self,
        page: Page,
        answer: Result<Option<(crate::backend::ExchangeOutcome, usize)>, BackendError>,
    ) {
        // In this window, the page only ever asks once back from Plaid's: no other window to wait for.
        let returned = self.0.hosted.window == HostedWindow::Same;
        if !matches!(answer, Err(ref e) if e.is_transient()) {
            // An answer: nothing more to come back for.
            oauth::forget_kept(KEY);
        }
        match answer {
            // Still in Plaid's other window.
            Ok(None) if !returned => self.set(Phase::Away(page)),
            Ok(Some((outcome, accounts))) if !outcome.items.is_empty() || outcome.verified => {
                *self.0.on_return.borrow_mut() = None;
                let first = outcome.items.first();
                let connection = Connection {
                    institution: first.and_then(|item| item.institution.clone()),
                    accounts,
                    item_id: first.map(|item| item.item_id.clone()),
                    items: outcome.items,
                    verified: outcome.verified,
                    ..Connection::default()
                };
                if let Some(on_connected) = self.0.options.on_connected.clone() {
                    on_connected(&connection);
                }
                self.set(Phase::Connected(connection));
            }
            // Back without a bank (or from a session that ended without one): a fresh page.
            Ok(_) => {
                *self.0.on_return.borrow_mut() = None;
                self.set(Phase::Closed { page: None, _request: None });
                self.prepare();
            }
            Err(BackendError::Duplicate { item_id, institution }) => {
                self.set(Phase::Failed(LinkFailure::Duplicate { item_id, institution }, Again::Prepare))
            }
            Err(error) => {
                let failure = LinkFailure::Exchange(ExchangeFailure { error, attempts: 1 });
                self.set(Phase::Failed(failure, Again::Check(page)));
            }
        }
    }

    /// The user gives up on Plaid's page: ready to open it again.
    fn exit(&self) {
        if let Some(page) = self.away() {
            *self.0.on_return.borrow_mut() = None;
            self.set(Phase::Ready(page));
        }
    }

    /// After a failure: what it calls for; after a close, Plaid's page again.
    fn retry(&self) {
        let again = match &*self.0.phase.borrow() {
            Phase::Failed(_, Again::Check(page)) => Some(Again::Check(page.clone())),
            Phase::Failed(_, Again::Prepare) => Some(Again::Prepare),
            _ => None,
        };
        match again {
            Some(Again::Check(page)) => self.check(page),
            Some(Again::Prepare) => self.prepare(),
            // Plaid's page again, from the phase (a failed open keeps it there).
            _ => self.open(),
        }
    }
}
