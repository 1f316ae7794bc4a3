//! The calls to the application's backend, made with gloo-net: the only code that knows their JSON
//! (`wire`) and how they fail ([`BackendError`]). It says nothing to people.
//!
//! `POST link_token_url` answers `{"link_token": "link-…", "expiration": "…"}`.
//! `POST exchange_url` takes the public token with what the user chose; any 2xx is success and may
//! carry `{"item_id": "…"}`. A failure's body may be `{"error": "message for the user"}`, or Plaid's
//! error object under `error`.

mod error;
mod hosted;
mod retry;
mod wire;

use std::rc::Rc;

use gloo_net::http::{Request, Response};
use js_sys::{Array, JsString, Promise};
use serde::Serialize;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, ResponseType};

pub use error::{BackendError, ExchangeFailure};
pub(crate) use retry::PendingExchange;
pub use retry::RetryPolicy;

use crate::endpoint::Endpoint;
use crate::plaid::types::{ExitMetadata, LinkError, SuccessMetadata};
use crate::status::ConnectedItem;
use crate::tokens::LinkToken;
use crate::transport::{FinishedSession, ForwardFn, SessionEnd};
use wire::{ConnectionRequest, ExchangeAnswer, FailureAnswer, LinkTokenAnswer, LinkTokenRequest};

/// What sends an exit report ([`BackendClient::send_report`]).
pub(crate) type SendReport = fn(&BackendClient, &Endpoint, &LinkError, &ExitMetadata);

/// Extra headers for every backend call, read at call time (a CSRF token, say).
pub(crate) type HeaderSource = Rc<dyn Fn() -> Vec<(String, String)>>;

/// The exchange call's answer: the backend keeps the access token and tells only the item's id.
/// A session that ended without a public token is answered with every bank it added, or that it
/// verified the user's identity.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct ExchangeOutcome {
    /// Plaid's id for the new connection, when the backend shares it.
    pub item_id: Option<String>,
    pub items: Vec<ConnectedItem>,
    pub verified: bool,
}

/// Update mode's target: an item the backend holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct UpdateTarget {
    /// The backend's id for the item.
    pub item_id: String,
    /// Whether the user may add accounts.
    pub account_selection: bool,
}

/// `fetch`'s options for a backend call, written by serde-wasm-bindgen like every object Rust hands
/// to JavaScript (one warm code path rather than a setter import per field: the exchange's request
/// is built once, cold, right after Link's `onSuccess`). The headers are name/value pairs, as
/// `fetch` takes them: a value the browser refuses fails the `Request`'s construction, an error
/// to report rather than a throw through the WebAssembly.
#[derive(Serialize)]
struct FetchInit<'a> {
    method: &'static str,
    headers: Vec<(&'a str, &'a str)>,
    #[serde(with = "serde_wasm_bindgen::preserve")]
    body: JsValue,
    credentials: &'static str,
    redirect: &'static str,
    #[serde(with = "serde_wasm_bindgen::preserve")]
    signal: JsValue,
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
    /// Where to POST when a session ends in success without a public token.
    pub session_finished_url: Endpoint,
    /// Where to POST `onExit` errors, and what sends them, when the app asked for reports.
    pub exit_reports: Option<(Endpoint, SendReport)>,
    /// Link tokens are asked for Multi-Item Link (`{"multi_item": true}`).
    pub multi_item: bool,
    /// Update mode, when set: link tokens are asked for this item, and nothing is exchanged.
    pub update: Option<UpdateTarget>,
    /// Fields of the link-token request's JSON body (`{}` when empty).
    pub link_token_fields: Vec<(String, String)>,
    /// How long one request may take, in milliseconds.
    pub timeout_ms: u32,
    /// Headers added to every call, when it goes to the page's own origin or a credentialed one.
    pub headers: Option<HeaderSource>,
    /// The header that carries the page's `<meta name="csrf-token">`, when it has one.
    pub csrf_header: String,
    /// How the exchange is retried.
    pub retry: RetryPolicy,
    /// The app's own functions, in place of the URLs they replace.
    pub custom: crate::transport::Custom,
}

/// A request body, ready to send as many times as the retry needs.
pub(crate) struct Body(JsString);

/// Aborts its request when dropped: whatever started a request owns one, and the request ends
/// with it (an abort after the answer changes nothing).
#[must_use = "dropping it aborts the request"]
pub(crate) struct Cancel(web_sys::AbortController);

impl Cancel {
    pub fn new() -> Option<Self> {
        web_sys::AbortController::new().ok().map(Self)
    }

    /// Takes charge of a request someone else started (the page's prefetch).
    #[cfg(feature = "embed")]
    pub fn adopt(controller: web_sys::AbortController) -> Self {
        Self(controller)
    }

    pub fn signal(&self) -> AbortSignal {
        self.0.signal()
    }
}

impl Drop for Cancel {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl BackendClient {
    /// Asks the backend for a link token; `cancel` aborts the request.
    pub async fn create_link_token(&self, cancel: Option<&AbortSignal>) -> Result<LinkToken, BackendError> {
        if let Some(ask) = &self.custom.link_token {
            let grant = ask(crate::transport::LinkTokenRequest {
                update_item: self.update.as_ref().map(|u| u.item_id.clone()),
                account_selection: self.update.as_ref().is_some_and(|u| u.account_selection),
                multi_item: self.multi_item,
            })
            .await?;
            return granted(grant.link_token, grant.expiration.as_deref());
        }
        link_token_from(&self.ask_link_token(None, cancel).await?)
    }

    /// The link-token request, sent; the answer's text.
    async fn ask_link_token(
        &self,
        hosted_link: Option<wire::HostedLinkRequest<'_>>,
        cancel: Option<&AbortSignal>,
    ) -> Result<String, BackendError> {
        let request = LinkTokenRequest {
            fields: &self.link_token_fields,
            update: self.update.as_ref(),
            multi_item: self.multi_item,
            hosted_link,
        };
        self.post(&self.link_token_url, &Body(wire::json(&request)?), cancel).await
    }

    /// A JSON POST of `body` to `endpoint`, sent (no `Idempotency-Key`, not retried); the 2xx
    /// answer's text.
    async fn post(
        &self,
        endpoint: &Endpoint,
        body: &Body,
        cancel: Option<&AbortSignal>,
    ) -> Result<String, BackendError> {
        let request = self.request(endpoint, body, cancel, None)?;
        read(request.send().await.map_err(BackendError::from_gloo)?).await
    }

    /// Reads the answer to the link-token request the page's prefetch
    /// (`embed/plaid-link-prefetch.js`) sent before the WebAssembly arrived: the same request, so
    /// the same rules (no redirect, the backend's message, the time limit) apply to its answer.
    pub async fn adopt_link_token(&self, response: Promise) -> Result<LinkToken, BackendError> {
        let response = JsFuture::from(response).await.map_err(|e| BackendError::from_rejection(&e))?;
        let response: web_sys::Response =
            response.dyn_into().map_err(|_| BackendError::Malformed("not a response"))?;
        link_token_from(&read(Response::from(response)).await?)
    }

    /// The call that ends a Link session, ready to send (and retry, with one `Idempotency-Key`
    /// where the backend stores something): the app's own forward, or by URL, as `end` says.
    ///
    /// - A public token: the exchange. The token goes into the body as the JS string Link gave,
    ///   so no copy of it is ever made in WebAssembly memory.
    /// - After update mode: which item Link repaired and what the user chose; no token (the caller
    ///   drops Link's public token unread). Safe to retry: the backend only reads the item again.
    /// - A success without a public token (Multi-Item Link, Identity Verification): which session,
    ///   with the link token it was opened with; the backend reads what it added from Plaid.
    pub fn finish(
        &self,
        end: SessionEnd,
        metadata: &SuccessMetadata,
        link_token: &LinkToken,
    ) -> Result<PendingExchange, ExchangeFailure> {
        if let Some(forward) = &self.custom.forward {
            return Ok(forwarded(forward, end, metadata));
        }
        let request = ConnectionRequest::new(metadata);
        let repaired: String;
        let (endpoint, body, key) = match end {
            SessionEnd::NewItem(token) => {
                (&self.exchange_url, ConnectionRequest { public_token: token.into_js(), ..request }, true)
            }
            SessionEnd::Updated { item_id } => {
                repaired = item_id;
                (&self.update_url, ConnectionRequest { item_id: Some(&repaired), ..request }, false)
            }
            SessionEnd::WithoutToken => {
                let request = ConnectionRequest {
                    status: Some(&metadata.status),
                    link_token: Some(link_token.as_str()),
                    ..request
                };
                (&self.session_finished_url, request, true)
            }
        };
        let body = wire::json(&body).map_err(|error| ExchangeFailure { error, attempts: 0 })?;
        Ok(PendingExchange::new(self.clone(), endpoint.clone(), Body(body), key.then(idempotency_key)))
    }

    /// Reports an `onExit` error to the app's backend, when it asked for reports.
    pub fn report_exit(&self, error: &LinkError, metadata: &ExitMetadata) {
        if let Some((endpoint, send)) = &self.exit_reports {
            send(self, endpoint, error, metadata);
        }
    }

    /// Sends an exit report: Plaid's codes and ids only, never a message the user could have typed
    /// into. Sent once, answer unread. Named only where reports are asked for
    /// ([`SendReport`]), so an app that never asks carries none of it.
    pub(crate) fn send_report(&self, endpoint: &Endpoint, error: &LinkError, metadata: &ExitMetadata) {
        let report = wire::ExitReport {
            error_type: error.error_type.as_str(),
            error_code: &error.error_code,
            request_id: error.request_id.as_deref(),
            link_session_id: &metadata.link_session_id,
            institution_id: metadata.institution.as_ref().map(|i| i.institution_id.as_str()),
            status: metadata.status.as_ref().map(|s| s.as_str()),
        };
        let Ok(body) = wire::json(&report) else { return };
        if let Ok(request) = self.request(endpoint, &Body(body), None, None) {
            leptos::task::spawn_local(async move {
                let _ = request.send().await;
            });
        }
    }

    /// A JSON POST of `body` to `endpoint`, not yet sent. Its headers are built here, where a value
    /// the browser refuses (a newline in the page's CSRF meta, say) is an error to report: gloo-net's
    /// own header setters would throw it through the WebAssembly.
    fn request(
        &self,
        endpoint: &Endpoint,
        body: &Body,
        cancel: Option<&AbortSignal>,
        idempotency_key: Option<&str>,
    ) -> Result<Request, BackendError> {
        // The page's CSRF token stays on the page's origin, even when its code allowed another one;
        // the app's headers go there too only to an origin it trusts with them.
        let csrf = endpoint.same_origin.then(page_csrf_token).flatten();
        let trusted = endpoint.same_origin || endpoint.credentialed;
        let extra = self.headers.as_ref().filter(|_| trusted).map(|extra| extra());
        let mut headers = vec![("Content-Type", "application/json"), ("Accept", "application/json")];
        headers.extend(idempotency_key.map(|key| ("Idempotency-Key", key)));
        headers.extend(csrf.as_deref().map(|token| (self.csrf_header.as_str(), token)));
        headers.extend(extra.iter().flatten().map(|(name, value)| (name.as_str(), value.as_str())));
        let timeout = AbortSignal::timeout_with_u32(self.timeout_ms);
        let signal = match cancel {
            Some(cancel) => AbortSignal::any(&Array::of2(&timeout, cancel)),
            None => timeout,
        };
        let init = FetchInit {
            method: "POST",
            headers,
            body: body.0.clone().into(),
            credentials: if endpoint.credentialed { "include" } else { "same-origin" },
            // `manual`, not `error`: neither follows a redirect, but only `manual` lets us tell the
            // user it was one (`error` looks exactly like a network failure, and would be retried).
            redirect: "manual",
            signal: signal.into(),
        };
        let init = init.serialize(&serde_wasm_bindgen::Serializer::json_compatible());
        let init: web_sys::RequestInit = init.map_err(|e| BackendError::request(e.into()))?.unchecked_into();
        // A `web_sys::Request` handed to gloo-net, rather than its builder: the builder re-parses
        // the URL to merge query parameters (none here), which costs every user 1.7 KB gzip.
        let request =
            web_sys::Request::new_with_str_and_init(&endpoint.href, &init).map_err(BackendError::request)?;
        Ok(Request::from(request))
    }
}

/// A 2xx answer's text, or the error.
async fn read(response: Response) -> Result<String, BackendError> {
    if response.type_() == ResponseType::Opaqueredirect {
        return Err(BackendError::Redirected);
    }
    let text = response.text().await.map_err(BackendError::from_gloo)?;
    if !response.ok() {
        let answer = wire::parse::<FailureAnswer>(&text);
        if let Some(duplicate) = answer.as_ref().and_then(|a| wire::view::<ExchangeAnswer>(a.duplicate())) {
            return Err(BackendError::Duplicate {
                item_id: duplicate.item_id().as_string().unwrap_or_default(),
                institution: name_of(&duplicate),
            });
        }
        let error = answer.map(|body| body.error());
        return Err(BackendError::Status {
            status: response.status(),
            message: error.as_ref().and_then(JsValue::as_string),
            plaid: error.filter(JsValue::is_object).and_then(LinkError::read).map(Box::new),
        });
    }
    Ok(text)
}

/// The link token in a link-token answer.
fn link_token_from(text: &str) -> Result<LinkToken, BackendError> {
    link_token_of(&wire::parse::<LinkTokenAnswer>(text).ok_or(BackendError::Malformed("not JSON"))?)
}

/// The link token in a parsed link-token answer.
fn link_token_of(answer: &LinkTokenAnswer) -> Result<LinkToken, BackendError> {
    let token = answer.link_token().as_string().unwrap_or_default();
    granted(token, answer.expiration().as_string().as_deref())
}

/// A link token the backend granted, and its expiration, if it said.
fn granted(token: String, expiration: Option<&str>) -> Result<LinkToken, BackendError> {
    if token.is_empty() {
        return Err(BackendError::Malformed("no link_token"));
    }
    // `expiration` is ISO 8601 (`2026-11-25T18:00:00Z`); the browser's own parser reads it.
    Ok(LinkToken::new(token).expiring_at(expiration.map(js_sys::Date::parse)))
}

/// The exchange's outcome in a 2xx answer: any 2xx means the exchange happened, so a body we cannot
/// read must not undo that.
fn outcome_from(text: &str) -> ExchangeOutcome {
    wire::parse::<ExchangeAnswer>(text).map(|answer| outcome_of(&answer)).unwrap_or_default()
}

/// The same, of an answer already parsed.
fn outcome_of(answer: &ExchangeAnswer) -> ExchangeOutcome {
    ExchangeOutcome {
        item_id: answer.item_id().as_string(),
        items: items_of(answer.items()),
        verified: answer.verified().as_bool().unwrap_or(false),
    }
}

/// A finished session's `items`; none when the answer has no array there (an exchange's).
fn items_of(items: JsValue) -> Vec<ConnectedItem> {
    let items = wire::list(items);
    let items = items.iter().filter_map(wire::view::<ExchangeAnswer>);
    items
        .map(|item| ConnectedItem {
            item_id: item.item_id().as_string().unwrap_or_default(),
            institution: name_of(&item),
        })
        .collect()
}

/// `institution.name` of an answer's object.
fn name_of(object: &ExchangeAnswer) -> Option<String> {
    wire::view::<ExchangeAnswer>(object.institution()).and_then(|i| i.name().as_string())
}

/// A finished session handed to the app's own forward: called now, its future run where awaited.
fn forwarded(forward: &ForwardFn, end: SessionEnd, metadata: &SuccessMetadata) -> PendingExchange {
    let session = FinishedSession { end, metadata: metadata.clone(), idempotency_key: idempotency_key() };
    PendingExchange::custom(forward(session))
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
