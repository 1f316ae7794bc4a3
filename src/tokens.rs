//! The two tokens the browser sees, as distinct types so that one can never stand for the other.

use std::fmt;

use wasm_bindgen::{JsCast, JsValue};

/// A short-lived token from the application's backend that opens one Link session.
#[derive(Clone, PartialEq)]
pub(crate) struct LinkToken {
    token: String,
    expires_at_ms: Option<f64>,
}

impl LinkToken {
    /// Wraps the `link_token` the backend returned.
    pub fn new(token: String) -> Self {
        Self { token, expires_at_ms: None }
    }

    /// With the `expiration` the backend returned, in milliseconds since the epoch.
    pub fn expiring_at(mut self, expires_at_ms: Option<f64>) -> Self {
        self.expires_at_ms = expires_at_ms.filter(|ms| ms.is_finite());
        self
    }

    /// The token, as `Plaid.create` takes it.
    pub fn as_str(&self) -> &str {
        &self.token
    }

    /// When it expires, if the backend said.
    pub fn expires_at_ms(&self) -> Option<f64> {
        self.expires_at_ms
    }
}

impl fmt::Debug for LinkToken {
    // Short-lived and scoped, but still a credential: keep it out of logs and panic messages.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("LinkToken(…)")
    }
}

/// The `public_token` Link hands to `onSuccess`.
///
/// It stays a JavaScript string from Link's callback to the request body: it is never copied into
/// WebAssembly memory, so no copy of it can outlive the request there. It cannot be printed,
/// cloned, serialised or read from Rust by accident; the only thing to do with it is to hand it to
/// the backend, which consumes it. A custom forward (see [`crate::transport`]) does that with
/// [`expose_secret`](Self::expose_secret) or [`into_js_value`](Self::into_js_value).
pub struct PublicToken(JsValue);

impl PublicToken {
    /// Takes what Link passed as `onSuccess`'s first argument; `None` unless it is a non-empty string.
    pub(crate) fn from_js(value: JsValue) -> Option<Self> {
        // Checked with JS' own string length: `as_string` would copy the token into linear memory.
        let non_empty = value.dyn_ref::<js_sys::JsString>().is_some_and(|s| s.length() > 0);
        non_empty.then_some(Self(value))
    }

    /// Gives the token up, to be written into a request body.
    pub(crate) fn into_js(self) -> JsValue {
        self.0
    }

    /// Gives the token up as the JavaScript string Link passed, for a transport that writes it
    /// into a request from JavaScript: no copy in WebAssembly memory.
    pub fn into_js_value(self) -> JsValue {
        self.0
    }

    /// Gives the token up as a Rust `String`, for a transport that takes one (a server function's
    /// argument): this copies it into WebAssembly memory, where the copy lives until the allocator
    /// reuses its bytes. Send it at once and keep it nowhere.
    pub fn expose_secret(self) -> String {
        self.0.as_string().unwrap_or_default()
    }
}

impl fmt::Debug for PublicToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PublicToken(…)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_token_debug_hides_the_token() {
        let token = LinkToken::new("link-sandbox-secret".to_owned());
        assert_eq!(format!("{token:?}"), "LinkToken(…)");
        assert_eq!(token.as_str(), "link-sandbox-secret");
    }
}
