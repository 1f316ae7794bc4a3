//! The OAuth redirect's return trip (mobile web, webviews): an OAuth bank takes the whole page away
//! and sends it back to the backend's redirect URI with `?oauth_state_id=…`, where Link must be made
//! again with the same link token and `receivedRedirectUri`.
//!
//! So whenever Link opens (the button's `open()`, or a click in the embedded search) the link token
//! (and nothing else: never a public token) is kept in `sessionStorage` under one key, as Plaid's
//! quickstart does, with the name of the component that opened it; it is deleted when the session
//! ends (success, exit, failure) or is found expired. On a page that comes back with
//! `oauth_state_id`, the component of that name takes it, and strips the state id from the address
//! bar; the page's other components start as usual. A page with "Connect" and an item's
//! "Reconnect" resumes the one the user left from.

use js_sys::JSON;
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::tokens::LinkToken;

/// The `sessionStorage` key for an OAuth bank's return (Hosted Link in the same window has its own).
const KEY: &str = "plaid-link:oauth-link-token";
const STATE_PARAM: &str = "oauth_state_id";

/// Why a page back from the bank cannot pick the sign-in up.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ResumeError {
    /// No link token was kept: another tab or browser, or storage was cleared.
    #[error("back from an OAuth bank, but no link token was kept on this page")]
    Missing,
    /// The kept link token has expired.
    #[error("back from an OAuth bank, but the kept link token has expired")]
    Expired,
}

/// What is kept in `sessionStorage`: `{"link_token", "expires_at_ms", "component"}`.
#[derive(Serialize)]
struct Kept<'a> {
    link_token: &'a str,
    expires_at_ms: Option<f64>,
    /// The component that opened Link (see [`component`]).
    component: &'a str,
}

#[wasm_bindgen]
extern "C" {
    /// [`Kept`], read back.
    type KeptView;
}

crate::plaid::bindings::getters!(KeptView { link_token, expires_at_ms, component });

/// The name a component goes by in what is kept: the page's own (`oauth_id`), else the item it
/// updates, else what it is (the embedded search, or a button for a new item).
pub(crate) fn component(oauth_id: Option<&str>, updated_item: Option<&str>, embedded: bool) -> String {
    match (oauth_id, updated_item) {
        (Some(id), _) => named("id:", id),
        (None, Some(item)) => named("item:", item),
        (None, None) if embedded => "embedded".to_owned(),
        (None, None) => "new".to_owned(),
    }
}

/// `kind` and `name`, one after the other (`[kind, name].concat()` is generic code that costs every
/// app about 0.2 KB gzip).
pub(crate) fn named(kind: &str, name: &str) -> String {
    let mut named = String::from(kind);
    named.push_str(name);
    named
}

/// What the page should do about the bank's return.
pub(crate) enum Resume {
    /// Not back from a bank (or another component took it): the usual flow.
    No,
    /// Make Link with this token and `receivedRedirectUri`, then open it.
    With { token: LinkToken, received_redirect_uri: String },
    /// Back from a bank, but the sign-in cannot be picked up.
    Failed(ResumeError),
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

/// Keeps the link token, with its expiration and the component's name, for the return from an
/// OAuth bank.
pub(crate) fn remember(token: &LinkToken, component: &str) {
    keep(KEY, token, component);
}

/// Keeps `token` under `key`, with its expiration and the name of the component it is for.
pub(crate) fn keep(key: &str, token: &LinkToken, component: &str) {
    let kept = Kept { link_token: token.as_str(), expires_at_ms: token.expires_at_ms(), component };
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    let text = kept.serialize(&serializer).ok().and_then(|entry| JSON::stringify(&entry).ok());
    if let (Some(storage), Some(text)) = (storage(), text) {
        let _ = storage.set_item(key, &String::from(text));
    }
}

/// Deletes the kept link token.
pub(crate) fn forget() {
    forget_kept(KEY);
}

/// Deletes what is kept under `key`.
pub(crate) fn forget_kept(key: &str) {
    if let Some(storage) = storage() {
        let _ = storage.remove_item(key);
    }
}

/// What is kept under `key`: the link token (if any), when it expires, and whose it is.
fn read_kept(key: &str) -> (Option<String>, Option<f64>, Option<String>) {
    let kept = storage().and_then(|s| s.get_item(key).ok().flatten());
    let entry = kept.and_then(|text| crate::plaid::bindings::view::<KeptView>(JSON::parse(&text).ok()?));
    let Some(entry) = entry else { return (None, None, None) };
    let token = entry.link_token().as_string().filter(|t| !t.is_empty());
    (token, entry.expires_at_ms().as_f64(), entry.component().as_string())
}

/// The unexpired link token kept under `key` for `component`, if there is one.
pub(crate) fn kept_for(key: &str, component: &str) -> Option<LinkToken> {
    let (token, expires, owner) = read_kept(key);
    let live = expires.is_none_or(|at| at > js_sys::Date::now());
    let token = token.filter(|_| live && owner.as_deref() == Some(component))?;
    Some(LinkToken::new(token).expiring_at(expires))
}

/// Whether this page is back from an OAuth bank to `component`, and what it kept for that. A
/// component of another name sees an ordinary page; with nothing kept, the first to ask says so.
pub(crate) fn resume(component: &str) -> Resume {
    let Some(location) = web_sys::window().map(|w| w.location()) else { return Resume::No };
    let Ok(href) = location.href() else { return Resume::No };
    let back = web_sys::Url::new(&href).is_ok_and(|url| url.search_params().has(STATE_PARAM));
    if !back {
        return Resume::No;
    }
    let (token, expires, owner) = read_kept(KEY);
    // Kept by another component (one kept without a name, by an earlier version, is anyone's).
    if token.is_some() && owner.is_some_and(|owner| owner != component) {
        return Resume::No;
    }
    // Taken out of the address at once: the page's other components see an ordinary page.
    strip_state_from_address();
    let Some(token) = token else {
        return Resume::Failed(ResumeError::Missing);
    };
    if expires.is_some_and(|at| at <= js_sys::Date::now()) {
        forget();
        return Resume::Failed(ResumeError::Expired);
    }
    Resume::With { token: LinkToken::new(token).expiring_at(expires), received_redirect_uri: href }
}

/// Takes `oauth_state_id` out of the address bar (and so out of a reload or a shared link); Link
/// already has the whole URL as `receivedRedirectUri`.
fn strip_state_from_address() {
    let Some(window) = web_sys::window() else { return };
    let Ok(url) = window.location().href().and_then(|href| web_sys::Url::new(&href)) else { return };
    url.search_params().delete(STATE_PARAM);
    if let Ok(history) = window.history() {
        // The page's own history state (a router's, say) is kept as it is.
        let state = history.state().unwrap_or(JsValue::NULL);
        let _ = history.replace_state_with_url(&state, "", Some(&url.href()));
    }
}
