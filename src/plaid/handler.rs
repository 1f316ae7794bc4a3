//! A safe owner for one `Plaid.create` handler and the callbacks it was given.
//!
//! Link may call back late, even after `destroy()`. So Link never holds a Rust closure: it holds
//! bound copies of one page-wide dispatcher (`dispatcher.bind(null, id, kind)`), and each handler's
//! callbacks sit in a registry under its id. Destroying a handler removes its entry and drops its
//! callbacks at once; a late call then finds nothing and is ignored, instead of calling freed memory.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::Function;
use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::bindings::{self, RawHandler};
use super::types::{EventMetadata, EventName, ExitMetadata, LinkError, LinkEvent, SuccessMetadata};
use super::PlaidError;
use crate::cause::JsCause;
use crate::tokens::{LinkToken, PublicToken};

/// One of Link's callbacks, with what Link passed.
pub enum LinkCall {
    /// `onSuccess`: the public token (`None` if Link passed none), what the user chose, and Link's
    /// own metadata object.
    Success(Option<PublicToken>, SuccessMetadata, JsValue),
    /// `onExit`: the error, if the session ended in one, and where the user was.
    Exit(Option<LinkError>, ExitMetadata),
    /// `onEvent`: every step the user takes, for analytics; and Link's own metadata object, which a
    /// page that embeds the component is handed as it is.
    Event(LinkEvent, JsValue),
    /// `onLoad`: Link is ready to open.
    Load,
}

/// What the application does when Link calls back: one function for all four callbacks, which runs
/// only while the handler is live.
pub type LinkCallbacks = Box<dyn FnMut(LinkCall)>;

/// Which of Link's callbacks a bound dispatcher stands for.
const SUCCESS: u32 = 0;
const EXIT: u32 = 1;
const EVENT: u32 = 2;
const LOAD: u32 = 3;

/// `Plaid.create`'s configuration. The callbacks are bound copies of the page-wide dispatcher,
/// passed through to JavaScript as they are.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Config<'a> {
    token: &'a str,
    /// Back from an OAuth bank: the whole URL the bank sent the page back to.
    #[serde(skip_serializing_if = "Option::is_none")]
    received_redirect_uri: Option<&'a str>,
    #[serde(with = "serde_wasm_bindgen::preserve")]
    on_success: JsValue,
    #[serde(with = "serde_wasm_bindgen::preserve")]
    on_exit: JsValue,
    #[serde(with = "serde_wasm_bindgen::preserve")]
    on_event: JsValue,
    #[serde(with = "serde_wasm_bindgen::preserve")]
    on_load: JsValue,
}

/// `handler.exit`'s options.
#[derive(Serialize)]
struct ExitOptions {
    force: bool,
}

type Dispatcher = Closure<dyn Fn(JsValue, JsValue, JsValue, JsValue)>;

thread_local! {
    // A few entries at most (one per live component), so a list: a map would add its own code.
    static REGISTRY: RefCell<Vec<(u32, Rc<RefCell<LinkCallbacks>>)>> = const { RefCell::new(Vec::new()) };
    static NEXT_ID: Cell<u32> = const { Cell::new(0) };
    // The handler whose Link is open: Link is one overlay per page, so one at a time.
    static OPEN: Cell<Option<u32>> = const { Cell::new(None) };
    // One closure for the whole page, alive as long as the page: Link may call a bound copy of it
    // at any time, and it must always be there to say "no such handler".
    static DISPATCHER: Dispatcher = Closure::new(dispatch);
}

/// Routes a callback from Link to the live handler it belongs to; ignores it if there is none.
fn dispatch(id: JsValue, kind: JsValue, a: JsValue, b: JsValue) {
    let (Some(id), Some(kind)) = (id.as_f64(), kind.as_f64()) else {
        return;
    };
    let entry =
        REGISTRY.with(|r| r.borrow().iter().find(|(i, _)| *i == id as u32).map(|(_, c)| Rc::clone(c)));
    let Some(entry) = entry else {
        return;
    };
    // onSuccess and onExit end a session: another Link may open from now on.
    let kind = kind as u32;
    if kind == SUCCESS || kind == EXIT {
        closed(id as u32);
    }
    // A callback that re-enters its own handler (Link calling back from inside a callback) is dropped.
    let Ok(mut callbacks) = entry.try_borrow_mut() else {
        return;
    };
    let call = match kind {
        SUCCESS => LinkCall::Success(PublicToken::from_js(a), SuccessMetadata::read(b.clone()), b),
        EXIT => {
            let metadata = ExitMetadata::read(b);
            // Plaid puts the failed request's id in the metadata; the error carries it from here.
            let error =
                LinkError::read(a).map(|e| LinkError { request_id: metadata.request_id.clone(), ..e });
            LinkCall::Exit(error, metadata)
        }
        EVENT => {
            let name = EventName::from(a.as_string().unwrap_or_default());
            // A Link that opened by itself (the embedded search's, at a click on a bank) is the
            // page's one open Link, as one opened by `open()` is.
            if name == EventName::Open {
                OPEN.with(|open| {
                    if open.get().is_none() {
                        open.set(Some(id as u32));
                    }
                });
            }
            LinkCall::Event(LinkEvent { name, metadata: EventMetadata::read(b.clone()) }, b)
        }
        _ => LinkCall::Load,
    };
    (callbacks)(call);
}

/// Takes handler `id`'s callbacks out of the registry, if they are there.
fn unregister(id: u32) -> Option<Rc<RefCell<LinkCallbacks>>> {
    REGISTRY.with(|r| {
        let mut r = r.borrow_mut();
        let at = r.iter().position(|(i, _)| *i == id)?;
        Some(r.swap_remove(at).1)
    })
}

/// Link of handler `id` is no longer open.
fn closed(id: u32) {
    OPEN.with(|open| {
        if open.get() == Some(id) {
            open.set(None);
        }
    });
}

/// What can be asked of a live Link without owning it. The flow takes one out for the length of a
/// call, so that Link calling back from inside `open()` (it may) finds the flow free.
#[derive(Clone)]
pub struct LinkRemote {
    raw: RawHandler,
    id: u32,
}

impl LinkRemote {
    /// Whether this Link may open now: no other handler's Link is open on the page.
    pub fn may_open(&self) -> bool {
        OPEN.with(|open| open.get().is_none_or(|id| id == self.id))
    }

    /// Shows Link. Does nothing while another handler's Link is open (see [`may_open`](Self::may_open)).
    pub fn open(&self) -> Result<(), PlaidError> {
        if !self.may_open() {
            return Ok(());
        }
        // Marked first: Link may call back (and end the session) from inside `open()`.
        OPEN.with(|open| open.set(Some(self.id)));
        self.raw.open().map_err(|e| {
            closed(self.id);
            PlaidError::Open(JsCause::new(e))
        })
    }

    /// Asks Link to close; with `force`, at once and without asking the user.
    pub fn exit(&self, force: bool) {
        let options = serde_wasm_bindgen::to_value(&ExitOptions { force }).unwrap_or_default();
        if let Err(e) = self.raw.exit(&options) {
            web_sys::console::warn_2(&"Plaid Link exit failed:".into(), &e);
        }
    }

    /// Sends data to the Link session in progress (Plaid's `handler.submit`).
    pub fn submit(&self, data: &JsValue) -> Result<(), PlaidError> {
        self.raw.submit(data).map_err(|e| PlaidError::Open(JsCause::new(e)))
    }
}

/// One live Link: dropping it destroys Link and drops its callbacks, after which anything Link
/// still calls is ignored.
#[must_use = "dropping the handler destroys Link"]
pub struct LinkHandler {
    remote: LinkRemote,
    token: LinkToken,
    /// Made by `createEmbedded`: it has `destroy()` only.
    embedded: bool,
}

impl LinkHandler {
    /// `Plaid.create` with this token and these callbacks; `received_redirect_uri` when the page is
    /// back from an OAuth bank (the whole URL, `oauth_state_id` included).
    pub fn create(
        token: &LinkToken,
        callbacks: LinkCallbacks,
        received_redirect_uri: Option<&str>,
    ) -> Result<Self, PlaidError> {
        Self::make(token, callbacks, received_redirect_uri, None)
    }

    /// `Plaid.createEmbedded`: institution search inside `container` (at least 350×300 px); a
    /// click there opens Link at that bank.
    pub fn create_embedded(
        token: &LinkToken,
        callbacks: LinkCallbacks,
        container: &web_sys::HtmlElement,
    ) -> Result<Self, PlaidError> {
        Self::make(token, callbacks, None, Some(container))
    }

    fn make(
        token: &LinkToken,
        callbacks: LinkCallbacks,
        received_redirect_uri: Option<&str>,
        container: Option<&web_sys::HtmlElement>,
    ) -> Result<Self, PlaidError> {
        if !bindings::is_loaded() {
            return Err(PlaidError::NotLoaded);
        }
        let id = NEXT_ID.with(|n| {
            let id = n.get().wrapping_add(1);
            n.set(id);
            id
        });
        let bound = |kind: u32| {
            DISPATCHER.with(|dispatcher| {
                let dispatcher: &Function = dispatcher.as_ref().unchecked_ref();
                JsValue::from(dispatcher.bind2(&JsValue::NULL, &id.into(), &kind.into()))
            })
        };
        let config = Config {
            token: token.as_str(),
            received_redirect_uri,
            on_success: bound(SUCCESS),
            on_exit: bound(EXIT),
            on_event: bound(EVENT),
            on_load: bound(LOAD),
        };
        let config =
            serde_wasm_bindgen::to_value(&config).map_err(|e| PlaidError::Create(JsCause::new(e.into())))?;

        REGISTRY.with(|r| r.borrow_mut().push((id, Rc::new(RefCell::new(callbacks)))));
        let created = match container {
            Some(container) => bindings::create_embedded(&config, container),
            None => bindings::create(&config),
        };
        match created {
            Ok(raw) => Ok(Self {
                remote: LinkRemote { raw, id },
                token: token.clone(),
                embedded: container.is_some(),
            }),
            Err(e) => {
                unregister(id);
                Err(PlaidError::Create(JsCause::new(e)))
            }
        }
    }

    /// The link token this Link was made with.
    pub fn token(&self) -> &LinkToken {
        &self.token
    }

    /// Made by `createEmbedded`: Link opens itself, at a click on a bank in the page.
    pub fn opens_itself(&self) -> bool {
        self.embedded
    }

    /// A handle for one call into this Link.
    pub fn remote(&self) -> LinkRemote {
        self.remote.clone()
    }
}

impl Drop for LinkHandler {
    fn drop(&mut self) {
        let LinkRemote { raw, id } = &self.remote;
        let entry = unregister(*id);
        closed(*id);
        if entry.is_some() {
            if !self.embedded {
                self.remote.exit(true);
            }
            if let Err(e) = raw.destroy() {
                web_sys::console::warn_2(&"Plaid Link destroy failed:".into(), &e);
            }
        }
    }
}
