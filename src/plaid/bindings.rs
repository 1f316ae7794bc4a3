//! The raw JavaScript surface of Link: `window.Plaid` and its handler (the only declarations in the
//! crate that name them), and typed views of the objects Link hands to its callbacks.
//!
//! Every call into Link is `catch`: Link's script is third-party code, and a missing `window.Plaid`
//! or a throwing method must come back as an `Err`, never as a panic.
//!
//! The views are typed handles with a getter per field, read in place (nothing is copied until a
//! field is read) and only where used, each through one `Reflect.get` by the field's name ([`field`],
//! which `mount()`'s options object is read with too). Link's objects are loosely typed and grow
//! over time, so each getter gives the raw value: a field that is missing, `null` or of another type
//! reads as absent (`as_string`), never as an error. Objects are read only once known to be objects
//! ([`view`]), since a getter on `undefined` would throw.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// A view's getters: each reads its field by name (the getter's, or the one given) through
/// [`field`], one `Reflect.get` for them all, where a generated getter per field would be one more
/// import, and one more function in every app's JavaScript, each.
macro_rules! getters {
    ($view:ident { $($getter:ident $(= $key:literal)?),* $(,)? }) => {
        impl $view {
            $(
                #[allow(dead_code)] // Each build reads the fields it uses; the embed reads more.
                pub fn $getter(&self) -> JsValue {
                    $crate::plaid::bindings::field(self, $crate::plaid::bindings::getters!(@key $getter $($key)?))
                }
            )*
        }
    };
    (@key $getter:ident $key:literal) => { $key };
    (@key $getter:ident) => { stringify!($getter) };
}
pub(crate) use getters;

#[wasm_bindgen]
extern "C" {
    /// The object `Plaid.create` returns.
    #[derive(Clone)]
    pub type RawHandler;

    /// `Plaid.create(config)`: a handler for one link token.
    #[wasm_bindgen(catch, js_namespace = Plaid, js_name = create)]
    pub fn create(config: &JsValue) -> Result<RawHandler, JsValue>;

    /// `Plaid.createEmbedded(config, element)`: institution search rendered inside `element`; the
    /// object it returns has `destroy()` only.
    #[wasm_bindgen(catch, js_namespace = Plaid, js_name = createEmbedded)]
    pub fn create_embedded(config: &JsValue, element: &web_sys::HtmlElement) -> Result<RawHandler, JsValue>;

    /// `handler.open()`: shows Link (it waits for `onLoad` by itself when called early).
    #[wasm_bindgen(catch, method)]
    pub fn open(this: &RawHandler) -> Result<(), JsValue>;

    /// `handler.exit(options)`: `{force: true}` closes Link at once, without asking the user.
    #[wasm_bindgen(catch, method)]
    pub fn exit(this: &RawHandler, options: &JsValue) -> Result<(), JsValue>;

    /// `handler.submit(data)`: sends data (a phone number, say) to a Link session in progress.
    #[wasm_bindgen(catch, method)]
    pub fn submit(this: &RawHandler, data: &JsValue) -> Result<(), JsValue>;

    /// `handler.destroy()`: removes Link's iframe and listeners from the page.
    #[wasm_bindgen(catch, method)]
    pub fn destroy(this: &RawHandler) -> Result<(), JsValue>;
}

/// Whether `window.Plaid.create` exists: Link's script has run.
pub fn is_loaded() -> bool {
    let plaid = field(&js_sys::global(), "Plaid");
    plaid.is_object() && field(&plaid, "create").is_function()
}

#[wasm_bindgen]
extern "C" {
    /// `{institution_id, name}`, in `onSuccess` and `onExit` metadata.
    pub type InstitutionView;
    /// One of `onSuccess` metadata's `accounts`.
    pub type AccountView;
    /// `onSuccess`'s second argument.
    pub type SuccessMetadataView;
    /// `onExit`'s first argument, when the session ended in an error.
    pub type LinkErrorView;
    /// `onExit`'s second argument.
    pub type ExitMetadataView;
    /// `onEvent`'s second argument: each event fills in its own fields.
    pub type EventMetadataView;
}

getters!(InstitutionView { institution_id, name });
getters!(AccountView { id, name, mask, kind = "type", subtype, verification_status, class_type });
getters!(SuccessMetadataView { institution, accounts, link_session_id, status, transfer_status });
getters!(LinkErrorView { error_type, error_code, error_message, display_message, request_id });
getters!(ExitMetadataView { institution, status, link_session_id, request_id });
getters!(EventMetadataView {
    link_session_id,
    request_id,
    timestamp,
    view_name,
    institution_id,
    institution_name,
    error_type,
    error_code,
    exit_status,
    error_message,
    institution_search_query,
    mfa_type,
    selection,
    brand_name,
    match_reason,
    routing_number,
    account_number_mask,
    is_update_mode,
});

/// `object[key]`; `undefined` for a field that is not there (or a getter that throws).
pub fn field(object: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(object, &JsValue::from_str(key)).unwrap_or_default()
}

/// `value` as a view of type `T` when it is an object; `None` otherwise (`null`, `undefined`, a
/// string…), so that no getter is ever called on something that would make it throw.
pub fn view<T: JsCast>(value: JsValue) -> Option<T> {
    value.is_object().then(|| value.unchecked_into())
}

/// `value` as an array; empty when it is not one (`Array.from` would throw on `undefined`).
pub fn list(value: JsValue) -> js_sys::Array {
    value.dyn_into().unwrap_or_default()
}
