//! The raw JavaScript surface of `window.Plaid`: the only declarations in the crate that name it.
//!
//! Every call is `catch`: Link's script is third-party code, and a missing `window.Plaid` or a
//! throwing method must come back as an `Err`, never as a panic.

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// The object `Plaid.create` returns.
    pub type RawHandler;

    /// `Plaid.create(config)`: a handler for one link token.
    #[wasm_bindgen(catch, js_namespace = Plaid, js_name = create)]
    pub fn create(config: &js_sys::Object) -> Result<RawHandler, JsValue>;

    /// `Plaid.createEmbedded(config, element)`: institution search rendered inside `element`; the
    /// object it returns has `destroy()` only.
    #[wasm_bindgen(catch, js_namespace = Plaid, js_name = createEmbedded)]
    pub fn create_embedded(
        config: &js_sys::Object,
        element: &web_sys::HtmlElement,
    ) -> Result<RawHandler, JsValue>;

    /// `handler.open()`: shows Link (it waits for `onLoad` by itself when called early).
    #[wasm_bindgen(catch, method)]
    pub fn open(this: &RawHandler) -> Result<(), JsValue>;

    /// `handler.exit(options)`: `{force: true}` closes Link at once, without asking the user.
    #[wasm_bindgen(catch, method)]
    pub fn exit(this: &RawHandler, options: &js_sys::Object) -> Result<(), JsValue>;

    /// `handler.submit(data)`: sends data (a phone number, say) to a Link session in progress.
    #[wasm_bindgen(catch, method)]
    pub fn submit(this: &RawHandler, data: &JsValue) -> Result<(), JsValue>;

    /// `handler.destroy()`: removes Link's iframe and listeners from the page.
    #[wasm_bindgen(catch, method)]
    pub fn destroy(this: &RawHandler) -> Result<(), JsValue>;
}

/// Whether `window.Plaid.create` exists: the script has run.
pub fn is_loaded() -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    js_sys::Reflect::get(&window, &"Plaid".into())
        .and_then(|plaid| js_sys::Reflect::get(&plaid, &"create".into()))
        .is_ok_and(|create| create.is_function())
}
