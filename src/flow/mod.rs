//! The flow: one component's Link, from link token to connection, as a state machine whose phases
//! are types ([`phase`]). Plain Rust, no Leptos: it tells whoever made it each status it reaches
//! (the hook turns that into a signal), and everything it started stops when it is dropped, but an
//! exchange under way, which finishes on its own.
//!
//! On start it asks the backend for a link token and loads Link's script at the same time, makes
//! Link, and is ready once Link's `onLoad` fires. `onSuccess` hands the public token straight to
//! the backend ([`link`]); `onExit` decides between "closed", "failed, reopen" and "token expired,
//! start over". Shortly before the link token expires, while Link is idle, a fresh one replaces it
//! under the ready button ([`refresh`]); a background tab looks again when it comes back.
//!
//! Link may call back from inside any call into it, so the phase is never borrowed across one.

mod link;
mod phase;
mod refresh;

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use leptos::task::spawn_local;

use crate::backend::{BackendClient, BackendError, Cancel};
#[cfg(feature = "embed")]
use crate::handoff::PrefetchedToken;
use crate::oauth::{self, Resume};
use crate::options::PlaidLinkOptions;
use crate::plaid::handler::{LinkCallbacks, LinkHandler};
use crate::plaid::loader::load_link_script;
use crate::plaid::types::LinkSubmission;
use crate::plaid::PlaidError;
use crate::status::{LinkFailure, LinkStatus};
use crate::tokens::LinkToken;
use crate::visibility::OnVisible;
use phase::{Live, Phase, Preparing};

/// Where Link shows: the one difference between the button and the embedded search.
pub(crate) enum Surface {
    /// A button opens Link over the page.
    Button,
    /// Link's institution search, rendered inside the element this gives once Link is made (the
    /// view mounts it first); a click on a bank there opens Link by itself.
    Embedded(Box<dyn Fn() -> Option<web_sys::HtmlElement>>),
}

impl Surface {
    fn make(
        &self,
        token: &LinkToken,
        callbacks: LinkCallbacks,
        received_redirect_uri: Option<&str>,
    ) -> Result<LinkHandler, PlaidError> {
        match self {
            // Back from an OAuth bank, the embedded search's session goes on in Link itself.
            Self::Embedded(container) if received_redirect_uri.is_none() => match container() {
                Some(element) => LinkHandler::create_embedded(token, callbacks, &element),
                None => Err(PlaidError::Create(crate::cause::JsCause::new("no container".into()))),
            },
            _ => LinkHandler::create(token, callbacks, received_redirect_uri),
        }
    }

    /// Link opens itself, from a click inside the page, rather than through `open()`.
    fn opens_itself(&self) -> bool {
        matches!(self, Self::Embedded(_))
    }
}

/// One component's flow. Dropping the last handle stops it.
#[derive(Clone)]
pub(crate) struct Flow(Rc<Inner>);

struct Inner {
    surface: Surface,
    options: RefCell<PlaidLinkOptions>,
    /// A link-token request the page's prefetch sent for this component: adopted once, if it is
    /// the request the component would send.
    #[cfg(feature = "embed")]
    prefetched: RefCell<Option<PrefetchedToken>>,
    phase: RefCell<Phase>,
    /// Counts `prepare` and refresh attempts, so that a late answer to an older one is dropped.
    attempts: Cell<u32>,
    report: Box<dyn Fn(LinkStatus)>,
    /// Looks again when a background tab comes back (its timers may have been held back).
    on_visible: RefCell<Option<OnVisible>>,
}

impl Flow {
    /// A flow not started yet: it is [`LinkStatus::Preparing`] until [`start`](Self::start).
    pub fn new(
        #[cfg_attr(not(feature = "embed"), allow(unused_mut))] mut options: PlaidLinkOptions,
        surface: Surface,
        report: impl Fn(LinkStatus) + 'static,
    ) -> Self {
        #[cfg(feature = "embed")]
        let prefetched = options.prefetched.take();
        let idle =
            Preparing { attempt: 0, request: None, link: None, loaded: false, open_when_loaded: false };
        Self(Rc::new(Inner {
            surface,
            options: RefCell::new(options),
            #[cfg(feature = "embed")]
            prefetched: RefCell::new(prefetched),
            phase: RefCell::new(Phase::Preparing(idle)),
            attempts: Cell::new(0),
            report: Box::new(report),
            on_visible: RefCell::new(None),
        }))
    }

    /// Starts: the token and the script, then Link; and a look at the token each time the tab
    /// comes back.
    pub fn start(&self) {
        let weak = self.weak();
        *self.0.on_visible.borrow_mut() = OnVisible::new(move || {
            if let Some(flow) = Flow::upgrade(&weak) {
                flow.refresh_if_due();
            }
        });
        self.prepare();
    }

    /// The app changed its options: start over with them.
    pub fn restart(&self, options: PlaidLinkOptions) {
        *self.0.options.borrow_mut() = options;
        self.prepare();
    }

    fn weak(&self) -> Weak<Inner> {
        Rc::downgrade(&self.0)
    }

    fn upgrade(weak: &Weak<Inner>) -> Option<Self> {
        weak.upgrade().map(Self)
    }

    /// Moves to `phase` and says so; what the old phase owned is dropped after, outside the borrow
    /// (Link's `destroy` may call back).
    fn set(&self, phase: Phase) {
        let status = phase.status();
        let old = self.0.phase.replace(phase);
        (self.0.report)(status);
        drop(old);
    }

    /// Moves to the phase `next` makes of the current one.
    fn advance(&self, next: impl FnOnce(Phase) -> Phase) {
        let placeholder = Phase::Sending(None);
        let current = self.0.phase.replace(placeholder);
        self.set(next(current));
    }

    fn fail(&self, failure: LinkFailure) {
        self.set(Phase::Failed(failure, None));
    }

    fn next_attempt(&self) -> u32 {
        let attempt = self.0.attempts.get().wrapping_add(1);
        self.0.attempts.set(attempt);
        attempt
    }

    /// The backend client and Link's script, resolved against the page and checked.
    fn resolved(&self) -> Result<(BackendClient, String), LinkFailure> {
        self.0.options.borrow().resolved().map_err(LinkFailure::Endpoint)
    }

    /// Starts (or starts over): a fresh link token and the script, together; then Link.
    fn prepare(&self) {
        let attempt = self.next_attempt();
        let idle = Preparing { attempt, request: None, link: None, loaded: false, open_when_loaded: false };
        self.set(Phase::Preparing(idle));
        let (backend, src) = match self.resolved() {
            Ok(resolved) => resolved,
            Err(failure) => return self.fail(failure),
        };
        // Back from an OAuth bank: Link again with the kept link token, and no token request.
        let (resumed, redirect) = match oauth::resume(&self.oauth_component()) {
            Resume::No => (None, None),
            Resume::With { token, received_redirect_uri } => (Some(token), Some(received_redirect_uri)),
            Resume::Failed(e) => return self.fail(LinkFailure::OauthReturn(e)),
        };
        // The page's prefetch may have sent this very request already: adopt it, once. (It asks
        // for a new item's token only, so update mode never adopts one.) One not adopted is aborted.
        #[cfg(feature = "embed")]
        let prefetched = self.0.prefetched.borrow_mut().take().and_then(|p| {
            let cancel = Cancel::adopt(p.controller);
            let same = p.url == backend.link_token_url.href && backend.update.is_none() && resumed.is_none();
            same.then_some((p.response, cancel))
        });
        #[cfg(not(feature = "embed"))]
        let prefetched: Option<(js_sys::Promise, Cancel)> = None;
        let (response, request) = match prefetched {
            Some((response, cancel)) => (Some(response), Some(cancel)),
            None => (None, Cancel::new()),
        };
        let signal = request.as_ref().map(Cancel::signal);
        let (nonce, script_timeout) = {
            let options = self.0.options.borrow();
            (options.nonce.clone(), options.script_timeout_ms)
        };
        let script = load_link_script(&src, nonce.as_deref(), script_timeout);
        if let Phase::Preparing(p) = &mut *self.0.phase.borrow_mut() {
            p.request = request;
            p.open_when_loaded = resumed.is_some();
        }
        let weak = self.weak();
        spawn_local(async move {
            let token = match (resumed, response) {
                (Some(token), _) => Ok(token),
                (None, Some(response)) => backend.adopt_link_token(response).await,
                (None, None) => backend.create_link_token(signal.as_ref()).await,
            };
            // The script's load ran while the token was awaited: both were under way at once.
            let script = script.await;
            if let Some(flow) = Flow::upgrade(&weak) {
                let made = match (token, script) {
                    (Err(BackendError::Cancelled), _) => return,
                    (Err(e), _) => Err(LinkFailure::LinkToken(e)),
                    (_, Err(e)) => Err(LinkFailure::Script(e)),
                    (Ok(token), Ok(())) => Ok(token),
                };
                flow.prepared(attempt, &backend, made, redirect.as_deref());
            }
        });
    }

    /// The token and the script are in (or failed): Link is made, unless another attempt began.
    fn prepared(
        &self,
        attempt: u32,
        backend: &BackendClient,
        token: Result<LinkToken, LinkFailure>,
        received_redirect_uri: Option<&str>,
    ) {
        let current = matches!(&*self.0.phase.borrow(), Phase::Preparing(p) if p.attempt == attempt);
        if !current {
            return;
        }
        let made = token.and_then(|token| {
            let handler = self.0.surface.make(&token, self.callbacks(backend, &token), received_redirect_uri);
            handler.map(|handler| (handler, token)).map_err(LinkFailure::Plaid)
        });
        let (handler, token) = match made {
            Ok(made) => made,
            Err(failure) => return self.fail(failure),
        };
        let live = Live { handler, refresh: self.plan_refresh(&token) };
        let loaded = match &mut *self.0.phase.borrow_mut() {
            Phase::Preparing(p) if p.attempt == attempt => {
                p.request = None;
                p.link = Some(live);
                p.loaded
            }
            _ => false,
        };
        if loaded {
            self.loaded();
        }
    }

    /// Link's `onLoad`: ready, and open at once when back from an OAuth bank.
    fn loaded(&self) {
        let mut open = false;
        self.advance(|phase| match phase {
            Phase::Preparing(Preparing { link: Some(link), open_when_loaded, .. }) => {
                open = open_when_loaded;
                Phase::Ready(link)
            }
            Phase::Preparing(mut p) => {
                p.loaded = true;
                Phase::Preparing(p)
            }
            other => other,
        });
        if open {
            // Outside of Link's callback: `open()` may call back at once.
            let flow = self.clone();
            spawn_local(async move { flow.open() });
        }
    }

    /// This component's name in what is kept for an OAuth bank's return.
    pub(crate) fn oauth_component(&self) -> String {
        let options = self.0.options.borrow();
        let item = options.update.as_ref().map(|update| update.item_id.as_str());
        oauth::component(options.oauth_id.as_deref(), item, self.0.surface.opens_itself())
    }

    /// Opens Link, in the user's click (a pop-up for an OAuth bank opens only there). The embedded
    /// search opens itself, unless it is back from an OAuth bank.
    pub fn open(&self) {
        // Link is one overlay per page: while another component's is open, a click does nothing.
        let idle = self
            .0
            .phase
            .borrow()
            .idle_link()
            .filter(|l| !l.handler.opens_itself())
            .map(|l| l.handler.remote());
        let Some(remote) = idle else { return };
        if !remote.may_open() {
            return;
        }
        // `focus()` is called by name, so any focused element (HTML or SVG) will do.
        let return_focus =
            leptos::prelude::document().active_element().map(wasm_bindgen::JsCast::unchecked_into);
        // Open first in our state: Link may call back synchronously from `open()`.
        let component = self.oauth_component();
        self.advance(|phase| match phase {
            Phase::Ready(link) | Phase::Closed(link) | Phase::Failed(_, Some(link)) => {
                // Kept for an OAuth bank's redirect back to this page (see `oauth`).
                oauth::remember(link.handler.token(), &component);
                Phase::Open { link, return_focus }
            }
            other => other,
        });
        if let Err(e) = remote.open() {
            self.fail(LinkFailure::Plaid(e));
        }
    }

    /// Closes Link; `force` shuts it without asking the user.
    pub fn exit(&self, force: bool) {
        let remote = self.0.phase.borrow().remote();
        if let Some(remote) = remote {
            remote.exit(force);
        }
    }

    /// Hands Layer's data to the live Link.
    pub fn submit(&self, data: &LinkSubmission) {
        let remote = self.0.phase.borrow().remote();
        let submitted = match (remote, data.to_js()) {
            (Some(remote), Ok(data)) => remote.submit(&data),
            (Some(_), Err(e)) => Err(PlaidError::Open(crate::cause::JsCause::new(e.into()))),
            (None, _) => Ok(()),
        };
        if let Err(e) = submitted {
            self.fail(LinkFailure::Plaid(e));
        }
    }

    /// After a failure or a close: reopens Link, or starts over when it cannot be used again.
    pub fn retry(&self) {
        let reopens = match &*self.0.phase.borrow() {
            Phase::Failed(failure, _) => failure.reopens(),
            _ => true,
        };
        if reopens {
            self.open();
        } else {
            self.prepare();
        }
    }
}
