//! A safe owner for one `Plaid.create` handler and the callbacks it was given.
//!
//! Link may call back late, even after `destroy()`. So Link never holds a Rust closure: it holds
//! bound copies of one page-wide dispatcher (`dispatcher.bind(null, id, kind)`), and each handler's
//! callbacks sit in a registry under its id. Destroying a handler removes its entry and drops its
//! callbacks at once; a late call then finds nothing and is ignored, instead of calling freed memory.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::{Function, Object, Reflect};
use wasm_bindgen::prelude::*;

use super::bindings::{self, RawHandler};
use super::types::{EventMetadata, EventName, ExitMetadata, LinkError, LinkEvent, SuccessMetadata};
use super::{describe, PlaidError};
use crate::tokens::{LinkToken, PublicToken};

/// What the application does when Link calls back. Each one runs only while the handler is live.
pub struct LinkCallbacks {
    /// `onSuccess`: the public token (`None` if Link passed none) and what the user chose.
    pub on_success: Box<dyn FnMut(Option<PublicToken>, SuccessMetadata)>,
    /// `onExit`: the error, if the session ended in one, and where the user was.
    pub on_exit: Box<dyn FnMut(Option<LinkError>, ExitMetadata)>,
    /// `onEvent`: every step the user takes, for analytics.
    pub on_event: Box<dyn FnMut(LinkEvent)>,
    /// `onLoad`: Link is ready to open.
    pub on_load: Box<dyn FnMut()>,
}

/// Which of Link's callbacks a bound dispatcher stands for.
const KINDS: [(&str, u32); 4] = [("onSuccess", 0), ("onExit", 1), ("onEvent", 2), ("onLoad", 3)];

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
    if kind as u32 <= 1 {
        closed(id as u32);
    }
    // A callback that re-enters its own handler (Link calling back from inside a callback) is dropped.
    let Ok(mut callbacks) = entry.try_borrow_mut() else {
        return;
    };
    match kind as u32 {
        0 => (callbacks.on_success)(PublicToken::from_js(a), SuccessMetadata::from_js(&b)),
        1 => (callbacks.on_exit)(LinkError::from_js(&a), ExitMetadata::from_js(&b)),
        2 => {
            let name = EventName::from(a.as_string().unwrap_or_default());
            (callbacks.on_event)(LinkEvent { name, metadata: EventMetadata::from_js(&b) });
        }
        _ => (callbacks.on_load)(),
    }
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

/// One live Link session handler.
#[must_use = "dropping the handler destroys Link"]
pub struct LinkHandler {
    raw: RawHandler,
    id: u32,
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

        let config = Object::new();
        let set = |key: &str, value: &JsValue| Reflect::set(&config, &key.into(), value);
        let uri = received_redirect_uri.map_or(Ok(true), |uri| set("receivedRedirectUri", &uri.into()));
        let filled = uri.and_then(|_| set("token", &token.as_str().into())).and_then(|_| {
            DISPATCHER.with(|dispatcher| {
                let dispatcher: &Function = dispatcher.as_ref().unchecked_ref();
                KINDS.iter().try_for_each(|(name, kind)| {
                    set(name, &dispatcher.bind2(&JsValue::NULL, &id.into(), &(*kind).into())).map(|_| ())
                })
            })
        });
        filled.map_err(|e| PlaidError::Create(describe(&e)))?;

        REGISTRY.with(|r| r.borrow_mut().push((id, Rc::new(RefCell::new(callbacks)))));
        let created = match container {
            Some(container) => bindings::create_embedded(&config, container),
            None => bindings::create(&config),
        };
        match created {
            Ok(raw) => Ok(Self { raw, id, token: token.clone(), embedded: container.is_some() }),
            Err(e) => {
                unregister(id);
                Err(PlaidError::Create(describe(&e)))
            }
        }
    }

    /// The link token this Link was made with.
    pub fn token(&self) -> &LinkToken {
        &self.token
    }

    /// Whether this handler may open Link now: no other handler's Link is open on the page.
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
            PlaidError::Open(describe(&e))
        })
    }

    /// Asks Link to close; with `force`, at once and without asking the user.
    pub fn exit(&self, force: bool) {
        let options = Object::new();
        if force {
            let _ = Reflect::set(&options, &"force".into(), &true.into());
        }
        if let Err(e) = self.raw.exit(&options) {
            web_sys::console::warn_2(&"Plaid Link exit failed:".into(), &e);
        }
    }

    /// Sends data to the Link session in progress (Plaid's `handler.submit`).
    pub fn submit(&self, data: &JsValue) -> Result<(), PlaidError> {
        self.raw.submit(data).map_err(|e| PlaidError::Open(describe(&e)))
    }

    /// Closes and removes Link, and drops its callbacks: later calls from Link are ignored. Idempotent.
    pub fn destroy(&self) {
        let entry = unregister(self.id);
        closed(self.id);
        if entry.is_some() {
            if !self.embedded {
                self.exit(true);
            }
            if let Err(e) = self.raw.destroy() {
                web_sys::console::warn_2(&"Plaid Link destroy failed:".into(), &e);
            }
        }
    }
}

impl Drop for LinkHandler {
    fn drop(&mut self) {
        self.destroy();
    }
}
