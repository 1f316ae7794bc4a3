//! The reference backend's API: the server half of the flow, as Plaid prescribes it, by resource
//! (link tokens, the exchange, sessions that end without a public token, items, webhooks). What every call of a group needs is a layer on
//! that group, not code at the top of each handler: the per-client rate limit, JSON only, the
//! page's CSRF token; the session is an extractor (`session.rs`). Each request is one log line
//! (`logging.rs`), with the note its handler attached.

mod exchange;
mod idempotent;
mod items;
mod link_token;
mod sessions;
mod webhooks;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{MatchedPath, Request};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde_json::json;

use crate::plaid::client::PlaidClient;
use crate::store::Store;

pub struct AppState {
    pub plaid: PlaidClient,
    pub store: Store,
    pub products: Vec<String>,
    pub country_codes: Vec<String>,
    pub client_name: String,
    /// Whether calls that change something must carry the page's CSRF token (`csrf.rs`). Off only
    /// for `trunk serve`, which serves the page itself and cannot add the token.
    pub require_csrf: bool,
    /// What Plaid writes into this environment's tokens (`public-sandbox-…`, `public-production-…`).
    pub token_environment: &'static str,
    /// Cookies are `__Host-` and `Secure` (`Config::secure`).
    pub secure: bool,
    pub limits: crate::rate_limit::RateLimits,
    pub webhook_keys: crate::webhooks::KeyCache,
}

pub type Shared = Arc<AppState>;

pub fn router(state: Shared) -> Router {
    // Calls with a JSON body that change something: JSON only, and the page's CSRF token.
    let changes = Router::new()
        .route("/api/link_token", post(link_token::create))
        .route("/api/exchange_public_token", post(exchange::exchange))
        .route("/api/item_updated", post(items::updated))
        .route("/api/link_session_finished", post(sessions::finished))
        .route("/api/link_exit", post(sessions::exit_report))
        .route("/api/items/{item_id}/reset_login", post(items::reset_login))
        .route_layer(middleware::from_fn_with_state(state.clone(), crate::csrf::require))
        .route_layer(middleware::from_fn(json_only));
    // No body: the CSRF token alone (a cross-site form cannot send a DELETE).
    let unlink = Router::new()
        .route("/api/items/{item_id}", delete(items::delete))
        .route_layer(middleware::from_fn_with_state(state.clone(), crate::csrf::require));
    let browser = Router::new()
        .merge(changes)
        .merge(unlink)
        .route("/api/items", get(items::list))
        .route_layer(middleware::from_fn_with_state(state.clone(), crate::rate_limit::per_client));
    // Plaid's, verified by their signature; a quota of their own.
    let webhooks = Router::new()
        .route("/api/webhooks/plaid", post(webhooks::receive))
        .route_layer(middleware::from_fn_with_state(state.clone(), crate::rate_limit::webhooks));
    Router::new().merge(browser).merge(webhooks).layer(middleware::from_fn(log_requests)).with_state(state)
}

/// What a handler tells the request's log line (never a token, a secret or a session id).
#[derive(Clone)]
pub struct Note(pub String);

/// A JSON answer, with its log line's note.
pub fn answer(status: StatusCode, body: serde_json::Value, note: impl Into<String>) -> Response {
    let mut response = (status, Json(body)).into_response();
    response.extensions_mut().insert(Note(note.into()));
    response
}

/// A refusal: `{"error": message}` with its status (the message is shown to the user as is), and a
/// note for the log.
#[derive(Debug)]
pub struct Failure {
    status: StatusCode,
    message: &'static str,
    note: String,
    retry_after: Option<Duration>,
    /// What the page needs besides the message (`duplicate`).
    detail: Option<(&'static str, serde_json::Value)>,
}

impl Failure {
    pub fn new(status: StatusCode, message: &'static str, note: &str) -> Self {
        Self { status, message, note: note.to_owned(), retry_after: None, detail: None }
    }

    /// 409: the accounts are already connected, as this item; nothing was exchanged.
    pub fn duplicate(item: &crate::store::OwnedItem) -> Self {
        let institution = json!({ "name": item.institution_name });
        Self {
            detail: Some(("duplicate", json!({ "item_id": item.item_id, "institution": institution }))),
            ..Self::new(
                StatusCode::CONFLICT,
                "This bank is already connected.",
                &format!("a duplicate of item {}: not exchanged", item.item_id),
            )
        }
    }

    /// 429, with `Retry-After`.
    pub fn too_many(wait: Duration, per: &str) -> Self {
        Self {
            retry_after: Some(wait),
            ..Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                "Too many attempts. Please wait a moment, then try again.",
                &format!("rate limit per {per}"),
            )
        }
    }

    /// The status and body, as an idempotency record keeps them.
    pub fn parts(&self) -> (StatusCode, serde_json::Value) {
        let mut body = json!({ "error": self.message });
        if let Some((name, detail)) = &self.detail {
            body[*name] = detail.clone();
        }
        (self.status, body)
    }

    /// What the log line says.
    pub fn note(&self) -> &str {
        &self.note
    }

    /// A request refused as malformed (400); `note` says how, for the log.
    pub fn not_understood(note: &str) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "The request was not understood.", note)
    }

    /// A body that is not the JSON the endpoint takes (400).
    pub fn not_json() -> Self {
        Self::not_understood("body is not the expected JSON")
    }

    /// As a piece of work's outcome: what an idempotency record keeps, and the log line's note.
    pub fn into_outcome(self) -> idempotent::Outcome {
        let (status, body) = self.parts();
        (status, body, self.note)
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let (status, body) = self.parts();
        let mut response = answer(status, body, self.note);
        if let Some(wait) = self.retry_after {
            let secs = wait.as_secs().max(1).to_string();
            if let Ok(value) = HeaderValue::from_str(&secs) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
        }
        response
    }
}

/// The request body must be JSON: a cross-site form cannot send one without a CORS preflight this
/// server refuses.
pub fn is_json(headers: &HeaderMap) -> bool {
    headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| {
        v.split(';').next().is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"))
    })
}

async fn json_only(request: Request, next: Next) -> Result<Response, Failure> {
    if !is_json(request.headers()) {
        return Err(Failure::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "Requests must be JSON.", "not JSON"));
    }
    Ok(next.run(request).await)
}

/// One line per request: its route (the route's pattern, never the path a client chose), status
/// and note.
async fn log_requests(request: Request, next: Next) -> Response {
    let route = match request.extensions().get::<MatchedPath>() {
        Some(path) => format!("{} {}", request.method(), path.as_str()),
        None => format!("{} {}", request.method(), crate::logging::clip(request.uri().path())),
    };
    let response = next.run(request).await;
    let note = response.extensions().get::<Note>().map_or("", |note| note.0.as_str());
    crate::logging::request(&route, response.status().as_u16(), note);
    response
}

/// The access token of an item the caller owns, decrypted for a server-side call to Plaid.
/// Another user's item, or none, is a 404 alike, so that ids cannot be probed.
async fn owned_access_token(state: &AppState, user: &str, item_id: &str) -> Result<String, Failure> {
    use subtle::ConstantTimeEq;
    let not_found = || {
        Failure::new(
            StatusCode::NOT_FOUND,
            "This bank connection was not found. Reload the page, then try again.",
            "not this session's item",
        )
    };
    let store_failed = |e: crate::store::StoreError| {
        Failure::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "We could not read this bank connection right now. Please try again.",
            &format!("store: {e}"),
        )
    };
    match state.store.item_owner(item_id).await.map_err(store_failed)? {
        Some(owner) if bool::from(owner.as_bytes().ct_eq(user.as_bytes())) => {}
        _ => return Err(not_found()),
    }
    state.store.access_token(item_id).await.map_err(store_failed)?.ok_or_else(not_found)
}

/// An id or a code as Plaid writes them: letters, digits, `-` and `_`, 64 at most. Nothing else a
/// client sends is put in a log line as it is.
fn code_like(raw: &str) -> bool {
    raw.len() <= 64 && raw.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// A Link session id as Link writes them (a UUID; letters, digits, `-` and `_`, 64 at most), or
/// the request is refused before it is used, even in a log line.
fn link_session_id(raw: &str) -> Result<&str, Failure> {
    if code_like(raw) {
        Ok(raw)
    } else {
        Err(Failure::not_understood("link_session_id is not a Link session id"))
    }
}
