//! The two calls to the application's backend: the only code that knows their JSON.
//!
//! `POST link_token_url` answers `{"link_token": "link-…", "expiration": "…"}`.
//! `POST exchange_url` takes the public token with what the user chose; any 2xx is success and may
//! carry `{"item_id": "…"}`. A failure's body may be `{"error": "message for the user"}`, or Plaid's
//! error object under `error`.

use std::rc::Rc;

use js_sys::{Array, JsString, Object, Promise, Reflect, JSON};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    AbortSignal, Headers, RequestCredentials, RequestInit, RequestRedirect, Response, ResponseType,
};

use crate::endpoint::Endpoint;
use crate::js::{self, nullable, object, string};
use crate::plaid::types::{Account, Institution, SuccessMetadata};
use crate::texts::{english_display, Texts};
use crate::tokens::{LinkToken, PublicToken};

/// Extra headers for every backend call, read at call time (a CSRF token, say).
pub(crate) type HeaderSource = Rc<dyn Fn() -> Vec<(String, String)>>;

/// A backend call failed. `Display` is a message for the user (see [`crate::texts`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BackendError {
    /// The request never got an answer: offline, refused, reset, or blocked by the browser.
    Network(String),
    /// No answer within the time limit; the request was aborted.
    Timeout,
    /// The backend answered with a non-2xx status.
    Status {
        /// The HTTP status.
        status: u16,
        /// The backend's own `{"error": …}` message, when it sent one: shown as it is.
        message: Option<String>,
    },
    /// The answer was not the JSON this call expects.
    Malformed(String),
    /// The backend answered with a redirect. It is not followed: a redirect would replay the body
    /// (the public token) and the headers to wherever it points.
    Redirected,
    /// The request was cancelled, because its component went away.
    Cancelled,
    /// The request could not even be built (a header with a bad value, say).
    Request(String),
}

impl BackendError {
    pub(crate) fn say(&self, t: &Texts) -> String {
        match self {
            Self::Network(_) => t.say("We could not reach the server. Check your connection, then try again.", &[]),
            Self::Timeout => t.say("The server took too long to answer. Please try again.", &[]),
            Self::Status { message: Some(message), .. } if !message.trim().is_empty() => message.clone(),
            Self::Status { status: 401 | 403, .. } => {
                t.say("Your session has expired. Sign in again, then try again.", &[])
            }
            Self::Status { status: 429, .. } => t.say("Too many attempts. Please wait a moment, then try again.", &[]),
            Self::Status { status: 500..=599, .. } => {
                t.say("The server had a problem. Please try again in a moment.", &[])
            }
            Self::Status { status, .. } => {
                t.say("The server refused the request (HTTP {status}).", &[("status", &u32::from(*status).to_string())])
            }
            Self::Malformed(_) => t.say("The server sent an answer we could not read. Please try again later.", &[]),
            Self::Redirected => t.say(
                "The server answered from another address, which this page does not follow with your data. Please contact the site's support.",
                &[],
            ),
            Self::Cancelled => t.say("The request was cancelled.", &[]),
            Self::Request(detail) => t.say("The request could not be sent ({detail}).", &[("detail", detail)]),
        }
    }
}

english_display!(BackendError);

/// The exchange call's answer: the backend keeps the access token and tells only the item's id.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct ExchangeOutcome {
    /// Plaid's id for the new connection, when the backend shares it.
    pub item_id: Option<String>,
}

/// The exchange request's body, but for the public token, which is added on the JS side only:
/// `{institution: {institution_id, name} | null, accounts: [{id, name, mask, type, subtype}],
/// link_session_id}`.
fn exchange_request(metadata: &SuccessMetadata) -> Object {
    let institution = metadata.institution.as_ref().map_or(JsValue::NULL, |i: &Institution| {
        object(&[("institution_id", i.institution_id.as_str().into()), ("name", i.name.as_str().into())])
            .into()
    });
    let accounts: Array = metadata
        .accounts
        .iter()
        .map(|a: &Account| {
            JsValue::from(object(&[
                ("id", a.id.as_str().into()),
                ("name", a.name.as_str().into()),
                ("mask", nullable(a.mask.as_deref())),
                ("type", nullable(a.kind.as_deref())),
                ("subtype", nullable(a.subtype.as_deref())),
            ]))
        })
        .collect();
    object(&[
        ("institution", institution),
        ("accounts", accounts.into()),
        ("link_session_id", metadata.link_session_id.as_str().into()),
    ])
}

/// A link-token request the page's prefetch already sent, handed over by the embed
/// (`embed/plaid-link-prefetch.js`).
#[derive(Clone)]
pub(crate) struct PrefetchedToken {
    /// The URL it was sent to: adopted only if the component would send the same request.
    pub url: String,
    /// `fetch`'s promise of the response.
    pub response: js_sys::Promise,
    /// Aborts it when the component goes away first.
    pub controller: web_sys::AbortController,
}

/// Update mode's target: an item the backend holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct UpdateTarget {
    /// The backend's id for the item.
    pub item_id: String,
    /// Whether the user may add accounts.
    pub account_selection: bool,
}

/// Talks to the application's backend.
#[derive(Clone)]
pub(crate) struct BackendClient {
    /// Where to POST for a link token.
    pub link_token_url: Endpoint,
    /// Where to POST the public token.
    pub exchange_url: Endpoint,
    /// Where to POST after update mode.
    pub update_url: Endpoint,
    /// Update mode, when set: link tokens are asked for this item, and nothing is exchanged.
    pub update: Option<UpdateTarget>,
    /// Fields of the link-token request's JSON body (`{}` when empty).
    pub link_token_fields: Vec<(String, String)>,
    /// How long one request may take, in milliseconds.
    pub timeout_ms: u32,
    /// Headers added to both calls, when they go to the page's own origin.
    pub headers: Option<HeaderSource>,
    /// The header that carries the page's `<meta name="csrf-token">`, when it has one.
    pub csrf_header: String,
    /// How the exchange is retried.
    pub retry: RetryPolicy,
}

/// How the exchange call is retried: only failures that may pass (no answer, a timeout, 502, 503,
/// 504), with exponential backoff and jitter, and always with the same `Idempotency-Key`, so that
/// the backend exchanges a public token once however often it is asked. A 4xx is never retried.
///
/// ```
/// use plaid_link::{PlaidLinkOptions, RetryPolicy};
/// let patient = RetryPolicy { attempts: 6, ..RetryPolicy::default() };
/// let options = PlaidLinkOptions::default().exchange_retry(patient);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub attempts: u32,
    /// The wait before the second attempt; each later wait doubles, up to 8 s.
    pub base_delay_ms: u32,
}

impl Default for RetryPolicy {
    /// Four attempts over at most about a minute (four timeouts and three waits): far inside the
    /// public token's 30-minute life.
    fn default() -> Self {
        Self { attempts: 4, base_delay_ms: 500 }
    }
}

impl RetryPolicy {
    /// The wait before attempt `attempt + 1`, given a random number in [0, 1): half fixed, half jitter.
    pub(crate) fn delay_ms(&self, attempt: u32, random: f64) -> u32 {
        let full = self.base_delay_ms.saturating_mul(1 << attempt.saturating_sub(1).min(16)).min(8_000);
        full / 2 + (f64::from(full / 2) * random.clamp(0.0, 1.0)) as u32
    }
}

/// Whether a failed exchange may succeed if asked again.
pub(crate) fn is_transient(error: &BackendError) -> bool {
    matches!(
        error,
        BackendError::Network(_) | BackendError::Timeout | BackendError::Status { status: 502..=504, .. }
    )
}

/// The exchange failed for good.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExchangeFailure {
    /// The last attempt's error.
    pub error: BackendError,
    /// How many attempts were made.
    pub attempts: u32,
}

impl BackendClient {
    /// Asks the backend for a link token.
    pub async fn create_link_token(&self, cancel: Option<&AbortSignal>) -> Result<LinkToken, BackendError> {
        let body = Object::new();
        for (name, value) in &self.link_token_fields {
            Reflect::set(&body, &name.into(), &value.into()).map_err(request_error)?;
        }
        if let Some(update) = &self.update {
            Reflect::set(&body, &"item_id".into(), &update.item_id.as_str().into()).map_err(request_error)?;
            Reflect::set(&body, &"account_selection".into(), &update.account_selection.into())
                .map_err(request_error)?;
        }
        let body = JSON::stringify(&body).map_err(request_error)?;
        link_token_from(&answer(self.send(&self.link_token_url, &body, cancel, None)?).await?)
    }

    /// Reads the answer to a link-token request that the page's prefetch
    /// (`embed/plaid-link-prefetch.js`) sent before the WebAssembly arrived: the same request, so
    /// the same rules (no redirect, the backend's message, the time limit) apply to its answer.
    pub async fn adopt_link_token(&self, response: Promise) -> Result<LinkToken, BackendError> {
        link_token_from(&answer(response).await?)
    }

    /// Sends the public token to the backend at once: the request has left when this returns, so
    /// the page can update after it, not before. The token is consumed.
    ///
    /// The body is assembled as a JS object and serialised by the browser, so the token goes from
    /// Link's callback to the network without ever being copied into WebAssembly memory.
    pub fn start_exchange(
        &self,
        token: PublicToken,
        metadata: &SuccessMetadata,
    ) -> Result<PendingExchange, ExchangeFailure> {
        let fail = |error| ExchangeFailure { error, attempts: 0 };
        let body = exchange_request(metadata);
        Reflect::set(&body, &"public_token".into(), &token.into_js()).map_err(|e| fail(request_error(e)))?;
        // From here on the token exists only inside this JS string, which every attempt reuses.
        let body = JSON::stringify(&body).map_err(|e| fail(request_error(e)))?;
        let key = Some(idempotency_key());
        let first = self.send(&self.exchange_url, &body, None, key.as_deref()).map_err(fail)?;
        Ok(PendingExchange { client: self.clone(), endpoint: self.exchange_url.clone(), body, key, first })
    }

    /// After update mode: tells the backend which item Link repaired and what the user chose. No
    /// token is sent (the caller drops Link's public token unread); retried like the exchange, which
    /// is safe, since the backend only reads the item again from Plaid.
    pub fn start_update(
        &self,
        item_id: &str,
        metadata: &SuccessMetadata,
    ) -> Result<PendingExchange, ExchangeFailure> {
        let fail = |error| ExchangeFailure { error, attempts: 0 };
        let body = exchange_request(metadata);
        Reflect::set(&body, &"item_id".into(), &item_id.into()).map_err(|e| fail(request_error(e)))?;
        let body = JSON::stringify(&body).map_err(|e| fail(request_error(e)))?;
        let first = self.send(&self.update_url, &body, None, None).map_err(fail)?;
        Ok(PendingExchange {
            client: self.clone(),
            endpoint: self.update_url.clone(),
            body,
            key: None,
            first,
        })
    }

    /// POSTs `body` as JSON, now: `fetch` has been called when this returns. Gives the pending answer.
    fn send(
        &self,
        endpoint: &Endpoint,
        body: &JsString,
        cancel: Option<&AbortSignal>,
        idempotency_key: Option<&str>,
    ) -> Result<Promise, BackendError> {
        let timeout = AbortSignal::timeout_with_u32(self.timeout_ms);
        let signal = match cancel {
            Some(cancel) => AbortSignal::any(&Array::of2(&timeout, cancel)),
            None => timeout,
        };
        // Built on web-sys, where a header value the browser refuses (a newline, say) is an error
        // to report, not an exception thrown through the WebAssembly.
        let headers = Headers::new().map_err(request_error)?;
        let set = |name: &str, value: &str| headers.set(name, value).map_err(request_error);
        set("Content-Type", "application/json")?;
        set("Accept", "application/json")?;
        if let Some(key) = idempotency_key {
            set("Idempotency-Key", key)?;
        }
        // The page's secrets stay on the page's origin, even when its code allowed another one.
        if endpoint.same_origin {
            if let Some(token) = page_csrf_token() {
                set(&self.csrf_header, &token)?;
            }
            if let Some(extra) = &self.headers {
                for (name, value) in extra() {
                    set(&name, &value)?;
                }
            }
        }
        let init = RequestInit::new();
        init.set_method("POST");
        init.set_headers(&headers);
        init.set_body(body);
        init.set_credentials(RequestCredentials::SameOrigin);
        // `manual`, not `error`: neither follows a redirect, but only `manual` lets us tell the user
        // that it was a redirect (`error` looks exactly like a network failure, and would be retried).
        init.set_redirect(RequestRedirect::Manual);
        init.set_signal(Some(&signal));
        let request =
            web_sys::Request::new_with_str_and_init(&endpoint.href, &init).map_err(request_error)?;
        let window = web_sys::window().ok_or_else(|| BackendError::Request("no window".into()))?;
        Ok(window.fetch_with_request(&request))
    }
}

/// An exchange whose first request has left; [`finish`](Self::finish) waits for it, and retries.
#[must_use = "the exchange's answer and its retries come from `finish`"]
pub(crate) struct PendingExchange {
    client: BackendClient,
    endpoint: Endpoint,
    body: JsString,
    key: Option<String>,
    first: Promise,
}

impl PendingExchange {
    /// Waits for the backend's answer, retrying what may pass (see [`RetryPolicy`]) with the same
    /// body and `Idempotency-Key`.
    pub async fn finish(self) -> Result<ExchangeOutcome, ExchangeFailure> {
        let mut pending = self.first;
        let mut attempt = 1;
        loop {
            match answer(pending).await {
                // Any 2xx means the exchange happened: a body we cannot read must not undo that.
                Ok(text) => {
                    let item_id = parse(&text).ok().and_then(|answer| string(&answer, "item_id"));
                    return Ok(ExchangeOutcome { item_id });
                }
                Err(error) if is_transient(&error) && attempt < self.client.retry.attempts => {
                    let _ = crate::timer::sleep(self.client.retry.delay_ms(attempt, js_sys::Math::random()))
                        .0
                        .await;
                    attempt += 1;
                    pending = self
                        .client
                        .send(&self.endpoint, &self.body, None, self.key.as_deref())
                        .map_err(|error| ExchangeFailure { error, attempts: attempt })?;
                }
                Err(error) => return Err(ExchangeFailure { error, attempts: attempt }),
            }
        }
    }
}

/// A sent request's answer: its text when 2xx, or the error.
async fn answer(pending: Promise) -> Result<String, BackendError> {
    let response = JsFuture::from(pending).await.map_err(failed)?;
    let response: Response =
        response.dyn_into().map_err(|_| BackendError::Malformed("not a response".into()))?;
    read(response).await
}

/// A 2xx answer's text, or the error.
async fn read(response: Response) -> Result<String, BackendError> {
    if response.type_() == ResponseType::Opaqueredirect {
        return Err(BackendError::Redirected);
    }
    let text = async { JsFuture::from(response.text()?).await?.as_string().ok_or(JsValue::NULL) };
    let text = text.await.map_err(failed)?;
    if !response.ok() {
        let message = parse(&text).ok().and_then(|body| failure_message(&body));
        return Err(BackendError::Status { status: response.status(), message });
    }
    Ok(text)
}

/// The message for the user in a failure's body: `{"error": "…"}` as is; Plaid's own error object
/// (`{"error": {"error_type", "error_code", "display_message", …}}`, as Plaid's quickstart backend
/// and many built from it answer) by its `display_message`, or else a message for its type. Never
/// its `error_message`, which is written for developers.
fn failure_message(body: &JsValue) -> Option<String> {
    let error = js::field(body, "error");
    if let Some(message) = error.as_string() {
        return Some(message);
    }
    crate::plaid::types::LinkError::from_js(&error).filter(|_| error.is_object()).map(|e| e.user_message())
}

/// The link token in a link-token answer.
fn link_token_from(text: &str) -> Result<LinkToken, BackendError> {
    let answer = parse(text)?;
    match string(&answer, "link_token").filter(|t| !t.is_empty()) {
        // `expiration` is ISO 8601 (`2026-11-25T18:00:00Z`); the browser's own parser reads it.
        Some(token) => {
            Ok(LinkToken::new(token)
                .expiring_at(string(&answer, "expiration").map(|e| js_sys::Date::parse(&e))))
        }
        None => Err(BackendError::Malformed("no link_token".into())),
    }
}

/// A JS exception while building a request.
fn request_error(e: JsValue) -> BackendError {
    BackendError::Request(crate::plaid::describe(&e))
}

/// One key per public token: the backend answers a repeated request without exchanging again.
fn idempotency_key() -> String {
    web_sys::window().and_then(|w| w.crypto().ok()).map(|c| c.random_uuid()).unwrap_or_default()
}

/// The page's CSRF token, read at each call so that a rotated token is picked up.
fn page_csrf_token() -> Option<String> {
    let meta = web_sys::window()?.document()?.query_selector(r#"meta[name="csrf-token"]"#).ok()??;
    meta.get_attribute("content").filter(|t| !t.is_empty())
}

/// Parses JSON with the browser's own parser; its fields are read with [`crate::js`].
fn parse(text: &str) -> Result<JsValue, BackendError> {
    JSON::parse(text).map_err(|_| BackendError::Malformed("not JSON".into()))
}

/// A rejected fetch or body read: a timeout, a cancellation or a network failure, told apart by
/// the DOMException's name.
fn failed(e: JsValue) -> BackendError {
    match js::string(&e, "name").as_deref() {
        Some("TimeoutError") => BackendError::Timeout,
        Some("AbortError") => BackendError::Cancelled,
        _ => BackendError::Network(crate::plaid::describe(&e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backend_message_is_shown_as_sent() {
        let e = BackendError::Status { status: 400, message: Some("Your session expired.".into()) };
        assert_eq!(e.to_string(), "Your session expired.");
    }

    #[test]
    fn status_without_message_gets_a_readable_one() {
        let e = |status| BackendError::Status { status, message: None }.to_string();
        assert!(e(401).contains("Sign in again"));
        assert!(e(503).contains("server had a problem"));
        assert!(e(418).contains("HTTP 418"));
    }

    #[test]
    fn only_failures_that_may_pass_are_retried() {
        assert!(is_transient(&BackendError::Network("reset".into())));
        assert!(is_transient(&BackendError::Timeout));
        for status in [502, 503, 504] {
            assert!(is_transient(&BackendError::Status { status, message: None }), "{status}");
        }
        for status in [400, 401, 403, 409, 422, 500] {
            assert!(!is_transient(&BackendError::Status { status, message: None }), "{status}");
        }
        assert!(!is_transient(&BackendError::Malformed("x".into())));
        assert!(!is_transient(&BackendError::Redirected), "a redirect will not go away by asking again");
    }

    #[test]
    fn backoff_doubles_with_jitter_and_stays_bounded() {
        let policy = RetryPolicy { attempts: 10, base_delay_ms: 500 };
        assert_eq!(policy.delay_ms(1, 0.0), 250);
        assert_eq!(policy.delay_ms(1, 1.0), 500);
        assert_eq!(policy.delay_ms(2, 0.0), 500);
        assert_eq!(policy.delay_ms(3, 0.5), 1500);
        assert!(policy.delay_ms(30, 1.0) <= 8_000);
        let worst: u32 = (1..policy.attempts).map(|a| policy.delay_ms(a, 1.0)).sum();
        assert!(worst < 60_000, "{worst}");
    }

    #[test]
    fn network_error_message_does_not_leak_internals() {
        let e = BackendError::Network("TypeError: Failed to fetch".into());
        assert!(!e.to_string().contains("TypeError"));
    }
}
