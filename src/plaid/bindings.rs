//! The raw JavaScript surface of Link: `window.Plaid` and its handler (the only declarations in the
//! crate that name them), and typed views of the objects Link hands to its callbacks.
//!
//! Every call into Link is `catch`: Link's script is third-party code, and a missing `window.Plaid`
//! or a throwing method must come back as an `Err`, never as a panic.
//!
//! The views are web-sys' model: a getter per field, read in place (nothing is copied until a
//! field is read) and only where used. Link's objects are loosely typed and grow over time, so each
//! getter gives the raw value: a field that is missing, `null` or of another type reads as absent
//! (`as_string`), never as an error. Objects are read only once known to be objects ([`view`]),
//! since a getter on `undefined` would throw.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

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

    /// The page's global object, as far as Link's script changes it.
    type LinkWindow;
    #[wasm_bindgen(method, getter, js_name = Plaid)]
    fn plaid(this: &LinkWindow) -> Option<PlaidGlobal>;

    /// `window.Plaid`, once Link's script has run.
    type PlaidGlobal;
    #[wasm_bindgen(method, getter)]
    fn create(this: &PlaidGlobal) -> JsValue;
}

/// Whether `window.Plaid.create` exists: Link's script has run.
pub fn is_loaded() -> bool {
    let global: LinkWindow = js_sys::global().unchecked_into();
    global.plaid().is_some_and(|plaid| plaid.create().is_function())
}

#[wasm_bindgen]
extern "C" {
    /// `{institution_id, name}`, in `onSuccess` and `onExit` metadata.
    pub type InstitutionView;
    #[wasm_bindgen(method, getter)]
    pub fn institution_id(this: &InstitutionView) -> JsValue;
    #[wasm_bindgen(method, getter)]
    pub fn name(this: &InstitutionView) -> JsValue;

    /// One of `onSuccess` metadata's `accounts`.
    pub type AccountView;
    #[wasm_bindgen(method, getter)]
    pub fn id(this: &AccountView) -> JsValue;
    #[wasm_bindgen(method, getter)]
    pub fn name(this: &AccountView) -> JsValue;
    #[wasm_bindgen(method, getter)]
    pub fn mask(this: &AccountView) -> JsValue;
    #[wasm_bindgen(method, getter, js_name = type)]
    pub fn kind(this: &AccountView) -> JsValue;
    #[wasm_bindgen(method, getter)]
    pub fn subtype(this: &AccountView) -> JsValue;
    #[wasm_bindgen(method, getter)]
    pub fn verification_status(this: &AccountView) -> JsValue;
    #[wasm_bindgen(method, getter)]
    pub fn class_type(this: &AccountView) -> JsValue;

    /// `onSuccess`'s second argument.
    pub type SuccessMetadataView;
    #[wasm_bindgen(method, getter)]
    pub fn institution(this: &SuccessMetadataView) -> JsValue;
    #[wasm_bindgen(method, getter)]
    pub fn accounts(this: &SuccessMetadataView) -> JsValue;
    #[wasm_bindgen(method, getter)]
    pub fn link_session_id(this: &SuccessMetadataView) -> JsValue;
    #[wasm_bindgen(method, getter)]
    pub fn status(this: &SuccessMetadataView) -> JsValue;
    #[wasm_bindgen(method, getter)]
    pub fn transfer_status(this: &SuccessMetadataView) -> JsValue;

    /// `onExit`'s first argument, when the session ended in an error.
    pub type LinkErrorView;
    #[wasm_bindgen(method, getter)]
    pub fn error_type(this: &LinkErrorView) -> JsValue;
    #[wasm_bindgen(method, getter)]
    pub fn error_code(this: &LinkErrorView) -> JsValue;
    #[wasm_bindgen(method, getter)]
    pub fn error_message(this: &LinkErrorView) -> JsValue;
    #[wasm_bindgen(method, getter)]
    pub fn display_message(this: &LinkErrorView) -> JsValue;
    #[wasm_bindgen(method, getter)]
    pub fn request_id(this: &LinkErrorView) -> JsValue;

    /// `onExit`'s second argument.
    pub type ExitMetadataView;
    #[wasm_bindgen(method, getter)]
    pub fn institution(this: &ExitMetadataView) -> JsValue;
    #[wasm_bindgen(method, getter)]
    pub fn status(this: &ExitMetadataView) -> JsValue;
    #[wasm_bindgen(method, getter)]
    pub fn link_session_id(this: &ExitMetadataView) -> JsValue;
    #[wasm_bindgen(method, getter)]
    pub fn request_id(this: &ExitMetadataView) -> JsValue;

    /// `onEvent`'s second argument: each event fills in its own fields.
    pub type EventMetadataView;
    #[wasm_bindgen(method, getter)]
    pub fn link_session_id(this: &EventMetadataView) -> JsValue;
    #[wasm_bindgen(method, getter)]
    pub fn request_id(this: &EventMetadataView) -> JsValue;
    #[wasm_bindgen(method, getter)]
    pub fn timestamp(this: &EventMetadataView) -> JsValue;
    #[wasm_bindgen(method, getter)]
    pub fn view_name(this: &EventMetadataView) -> JsValue;
    #[wasm_bindgen(method, getter)]
    pub fn institution_id(this: &EventMetadataView) -> JsValue;
    #[wasm_bindgen(method, getter)]
    pub fn institution_name(this: &EventMetadataView) -> JsValue;
    #[wasm_bindgen(method, getter)]
    pub fn error_type(this: &EventMetadataView) -> JsValue;
    #[wasm_bindgen(method, getter)]
    pub fn error_code(this: &EventMetadataView) -> JsValue;
    #[wasm_bindgen(method, getter)]
    pub fn exit_status(this: &EventMetadataView) -> JsValue;
    #[wasm_bindgen(method, getter)]
    pub fn error_message(this: &EventMetadataView) -> JsValue;
    #[wasm_bindgen(method, getter)]
    pub fn institution_search_query(this: &EventMetadataView) -> JsValue;
    #[wasm_bindgen(method, getter)]
    pub fn mfa_type(this: &EventMetadataView) -> JsValue;
    #[wasm_bindgen(method, getter)]
    pub fn selection(this: &EventMetadataView) -> JsValue;
    #[wasm_bindgen(method, getter)]
    pub fn brand_name(this: &EventMetadataView) -> JsValue;
    #[wasm_bindgen(method, getter)]
    pub fn match_reason(this: &EventMetadataView) -> JsValue;
    #[wasm_bindgen(method, getter)]
    pub fn routing_number(this: &EventMetadataView) -> JsValue;
    #[wasm_bindgen(method, getter)]
    pub fn account_number_mask(this: &EventMetadataView) -> JsValue;
    #[wasm_bindgen(method, getter)]
    pub fn is_update_mode(this: &EventMetadataView) -> JsValue;
}

/// `value` as a view of type `T` when it is an object; `None` otherwise (`null`, `undefined`, a
/// string…), so that no getter is ever called on something that would make it throw.
pub fn view<T: JsCast>(value: JsValue) -> Option<T> {
    value.is_object().then(|| value.unchecked_into())
}
