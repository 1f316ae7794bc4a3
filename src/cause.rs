//! The JavaScript value behind a failure, kept as it was thrown: `console.error(cause.js_value())`
//! shows a developer its type, message and stack, which a string would lose.

use std::fmt;
use std::sync::Arc;

use send_wrapper::SendWrapper;
use wasm_bindgen::{JsCast, JsValue};

/// What JavaScript threw (an `Error`, a `DOMException`, or any value), and its message. Equal when
/// it is the very same value (`Object.is`).
///
/// Errors live in signals, which Leptos shares across threads on a server; the wrapper satisfies
/// that, and a `JsCause` only ever exists in the browser, on its one thread.
#[derive(Clone)]
pub struct JsCause(Arc<Cause>);

struct Cause {
    value: SendWrapper<JsValue>,
    message: String,
}

impl JsCause {
    pub(crate) fn new(value: JsValue) -> Self {
        let message = match value.dyn_ref::<js_sys::Error>() {
            Some(error) => error.message().into(),
            None => value.as_string().unwrap_or_else(|| "unknown error".to_owned()),
        };
        Self(Arc::new(Cause { value: SendWrapper::new(value), message }))
    }

    /// A cause with no JavaScript value behind it, for tests on the host (where there is none).
    #[cfg(test)]
    pub(crate) fn from_message(message: &str) -> Self {
        Self(Arc::new(Cause { value: SendWrapper::new(JsValue::UNDEFINED), message: message.to_owned() }))
    }

    /// The value itself, for the console.
    pub fn js_value(&self) -> &JsValue {
        &self.0.value
    }

    /// Its message (an `Error`'s `message`, or the value when it is a string), for a person.
    pub fn message(&self) -> &str {
        &self.0.message
    }
}

impl PartialEq for JsCause {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0) || js_sys::Object::is(&self.0.value, &other.0.value)
    }
}

// `Object.is` is an equivalence: reflexive even for NaN, unlike `===`.
impl Eq for JsCause {}

impl fmt::Debug for JsCause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("JsCause").field(&self.0.message).finish()
    }
}

impl fmt::Display for JsCause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.message)
    }
}
