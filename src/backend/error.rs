//! How a call to the application's backend fails, as data; [`crate::texts`] words it for people.

use crate::cause::JsCause;
use crate::plaid::types::LinkError;

/// A backend call failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BackendError {
    /// The request never got an answer: offline, refused, reset, or blocked by the browser (the
    /// browser's own message, which says no more than that).
    #[error("no answer: {0}")]
    Network(String),
    /// No answer within the time limit; the request was aborted.
    #[error("no answer within the time limit")]
    Timeout,
    /// The backend answered with a non-2xx status.
    #[error("HTTP {status}")]
    Status {
        /// The HTTP status.
        status: u16,
        /// The backend's own `{"error": "…"}` message, when it sent one: shown as it is.
        message: Option<String>,
        /// Plaid's own error object, when the backend passed it through (`{"error": {…}}`), with
        /// its `request_id` for a support ticket.
        plaid: Option<Box<LinkError>>,
    },
    /// The answer was not the JSON this call expects.
    #[error("an answer that is not the expected JSON ({0})")]
    Malformed(&'static str),
    /// The backend answered with a redirect. It is not followed: a redirect would replay the body
    /// (the public token) and the headers to wherever it points.
    #[error("a redirect, which is not followed")]
    Redirected,
    /// The request was cancelled, because its component went away.
    #[error("cancelled")]
    Cancelled,
    /// The request could not even be built (a header value the browser refuses, say); nothing was sent.
    #[error("the request could not be built: {0}")]
    Request(JsCause),
    /// The backend refused the bank and accounts as already connected (409 with `duplicate`):
    /// nothing was exchanged.
    #[error("already connected as item {item_id}")]
    Duplicate {
        /// The item already there.
        item_id: String,
        /// Its bank's name. Untrusted text.
        institution: Option<String>,
    },
}

impl BackendError {
    /// Whether asking again may succeed: no answer, a timeout, 502, 503 or 504. A 4xx never does.
    pub(crate) fn is_transient(&self) -> bool {
        matches!(self, Self::Network(_) | Self::Timeout | Self::Status { status: 502..=504, .. })
    }

    pub(crate) fn request(cause: wasm_bindgen::JsValue) -> Self {
        Self::Request(JsCause::new(cause))
    }

    /// A `fetch` (or body read) gloo-net reports as failed: a timeout, a cancellation or a network
    /// failure.
    pub(crate) fn from_gloo(error: gloo_net::Error) -> Self {
        match error {
            gloo_net::Error::JsError(e) => Self::failed(&e.name, e.message),
            _ => Self::Network(String::new()),
        }
    }

    /// The same for a promise the page's prefetch made, which rejects with the browser's own value.
    pub(crate) fn from_rejection(reason: &wasm_bindgen::JsValue) -> Self {
        use wasm_bindgen::JsCast;
        match reason.dyn_ref::<js_sys::Error>() {
            Some(e) => Self::failed(&String::from(e.name()), e.message().into()),
            None => Self::Network(String::new()),
        }
    }

    /// Told apart by the DOMException's name.
    fn failed(name: &str, message: String) -> Self {
        match name {
            "TimeoutError" => Self::Timeout,
            "AbortError" => Self::Cancelled,
            _ => Self::Network(message),
        }
    }
}

/// The exchange failed for good.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("after {attempts} attempts: {error}")]
pub struct ExchangeFailure {
    /// The last attempt's error.
    pub error: BackendError,
    /// How many attempts were made.
    pub attempts: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_failures_that_may_pass_are_retried() {
        assert!(BackendError::Network("reset".into()).is_transient());
        assert!(BackendError::Timeout.is_transient());
        let status = |status| BackendError::Status { status, message: None, plaid: None };
        for code in [502, 503, 504] {
            assert!(status(code).is_transient(), "{code}");
        }
        for code in [400, 401, 403, 409, 422, 500] {
            assert!(!status(code).is_transient(), "{code}");
        }
        assert!(!BackendError::Malformed("x").is_transient());
        assert!(!BackendError::Redirected.is_transient(), "a redirect will not go away by asking again");
    }
}
