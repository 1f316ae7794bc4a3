//! The reference backend: the server half of the flow, as Plaid prescribes it.
//!
//! `POST /api/link_token` creates a link token for the browser session's user with only the
//! configured products. `POST /api/exchange_public_token` exchanges the public token, stores the
//! access token encrypted, and answers only the item id: the access token never leaves the server.
//! No token is ever logged.

use std::sync::Arc;
use std::time::Duration;

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use crate::idempotency::{self, Decision};
use crate::plaid_client::{PlaidCallError, PlaidClient, UpdateMode};
use crate::session;
use crate::store::Store;

pub struct AppState {
    pub plaid: PlaidClient,
    pub store: Store,
    pub products: Vec<String>,
    pub country_codes: Vec<String>,
    pub client_name: String,
    /// Whether both calls must carry the page's CSRF token (see `csp`). Off only for `trunk serve`,
    /// which serves the page itself and cannot add the token.
    pub require_csrf: bool,
    /// What Plaid writes into this environment's tokens (`public-sandbox-…`, `public-production-…`).
    pub token_environment: &'static str,
    /// Served over TLS: cookies are `__Host-` and `Secure`.
    pub secure: bool,
    pub limits: crate::rate_limit::RateLimits,
    pub webhook_keys: crate::webhooks::KeyCache,
}

type Shared = Arc<AppState>;

pub fn router(state: Shared) -> Router {
    Router::new()
        .route("/api/link_token", post(link_token))
        .route("/api/exchange_public_token", post(exchange_public_token))
        .route("/api/webhooks/plaid", post(plaid_webhook))
        .route("/api/items", axum::routing::get(list_items))
        .route("/api/item_updated", post(item_updated))
        .route("/api/items/{item_id}", axum::routing::delete(delete_item))
        .route("/api/items/{item_id}/reset_login", post(reset_login))
        .with_state(state)
}

/// `{"error": message}` with a status: the message is shown to the user as is.
fn fail(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "error": message }))).into_response()
}

/// Only JSON bodies: a cross-site form cannot send one without a CORS preflight this server refuses.
fn require_json(headers: &HeaderMap) -> Result<(), Response> {
    let json = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| {
        v.split(';').next().is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"))
    });
    if json {
        Ok(())
    } else {
        Err(fail(StatusCode::UNSUPPORTED_MEDIA_TYPE, "Requests must be JSON."))
    }
}

/// JSON only, and the page's CSRF token when required.
fn guard(state: &AppState, headers: &HeaderMap) -> Result<(), Response> {
    require_json(headers)?;
    require_csrf(state, headers)
}

/// The page's CSRF token, when required (every call that changes something; `DELETE` has no body).
fn require_csrf(state: &AppState, headers: &HeaderMap) -> Result<(), Response> {
    if state.require_csrf && !crate::csp::csrf_ok(headers, CSRF_HEADER, state.secure) {
        return Err(fail(StatusCode::FORBIDDEN, "This page has expired. Reload it, then try again."));
    }
    Ok(())
}

/// The session this server issued to the caller, or the 401 to answer.
fn issued_session(state: &AppState, headers: &HeaderMap, route: &str) -> Result<session::Session, Response> {
    match session::current(&state.store, headers, state.secure) {
        Ok(Some(session)) => Ok(session),
        _ => {
            log(route, 401, "no session this server issued");
            Err(fail(StatusCode::UNAUTHORIZED, "Your session has expired. Reload the page, then try again."))
        }
    }
}

const CSRF_HEADER: &str = "x-csrf-token";

/// `429` with `Retry-After`, when a limit is reached.
fn limited(route: &str, what: &str, wait: Duration) -> Response {
    log(route, 429, &format!("rate limit per {what}"));
    let mut response =
        fail(StatusCode::TOO_MANY_REQUESTS, "Too many attempts. Please wait a moment, then try again.");
    let secs = wait.as_secs().max(1).to_string();
    if let Ok(value) = axum::http::HeaderValue::from_str(&secs) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

/// The link-token request: `{}` for a new item; `{"item_id", "account_selection"}` for update mode.
/// Other fields (a page's own, see `PlaidLinkOptions::link_token_field`) are ignored here.
#[derive(Deserialize, Default)]
struct LinkTokenBody {
    item_id: Option<String>,
    #[serde(default)]
    account_selection: bool,
}

async fn link_token(
    State(state): State<Shared>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    if let Err(wait) = state.limits.client(peer.ip()) {
        return limited("POST /api/link_token", "client", wait);
    }
    if let Err(e) = guard(&state, &headers) {
        log("POST /api/link_token", e.status().as_u16(), "refused (not JSON, or no CSRF token)");
        return e;
    }
    // A session this server issued, or a new one: a cookie it did not issue names no session.
    let started = match session::current(&state.store, &headers, state.secure) {
        Ok(Some(session)) => Ok((session, None)),
        Ok(None) => session::start(&state.store, state.secure).map(|(s, cookie)| (s, Some(cookie))),
        Err(e) => Err(e),
    };
    let (session, set_cookie) = match started {
        Ok(started) => started,
        Err(e) => {
            log("POST /api/link_token", 500, &format!("session store: {e}"));
            return fail(
                StatusCode::INTERNAL_SERVER_ERROR,
                "We could not start a bank connection right now. Please try again.",
            );
        }
    };
    let user = &session.plaid_user_id;
    if let Err(wait) = state.limits.session(user) {
        return limited("POST /api/link_token", "session", wait);
    }
    let mut response = match link_token_for(&state, user, &body).await {
        Ok(response) | Err(response) => response,
    };
    if let Some(cookie) = set_cookie {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

/// A link token for a new item, or update mode for an item the user owns (checked before Plaid is
/// asked anything: another user's item is a 404 and no call).
async fn link_token_for(state: &AppState, user: &str, body: &[u8]) -> Result<Response, Response> {
    const ROUTE: &str = "POST /api/link_token";
    let request = if body.iter().all(u8::is_ascii_whitespace) {
        LinkTokenBody::default()
    } else {
        serde_json::from_slice::<LinkTokenBody>(body).map_err(|_| {
            log(ROUTE, 400, "body is not the expected JSON");
            fail(StatusCode::BAD_REQUEST, "The request was not understood.")
        })?
    };
    let access_token = match &request.item_id {
        Some(item_id) => Some(owned_access_token(state, user, item_id, ROUTE)?),
        None => None,
    };
    let update = access_token
        .as_deref()
        .map(|access_token| UpdateMode { access_token, account_selection: request.account_selection });
    let created = state
        .plaid
        .link_token_create(&state.client_name, user, &state.products, &state.country_codes, update)
        .await;
    Ok(match created {
        Ok(created) => {
            let note = match &request.item_id {
                Some(item_id) => format!("update-mode link token created for item {item_id}"),
                None => "link token created".to_owned(),
            };
            log(ROUTE, 200, &note);
            Json(json!({ "link_token": created.link_token, "expiration": created.expiration }))
                .into_response()
        }
        Err(e) => {
            log(ROUTE, 502, &e.to_string());
            fail(StatusCode::BAD_GATEWAY, "We could not start a bank connection right now. Please try again.")
        }
    })
}

#[derive(Deserialize)]
struct ExchangeBody {
    public_token: String,
    institution: Option<Institution>,
    #[serde(default)]
    accounts: Vec<serde_json::Value>,
    #[serde(default)]
    link_session_id: String,
}

#[derive(Deserialize)]
struct Institution {
    institution_id: String,
    name: String,
}

const EXCHANGE: &str = "POST /api/exchange_public_token";

async fn exchange_public_token(
    State(state): State<Shared>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    if let Err(wait) = state.limits.client(peer.ip()) {
        return limited(EXCHANGE, "client", wait);
    }
    if let Err(e) = guard(&state, &headers) {
        log(EXCHANGE, e.status().as_u16(), "refused (not JSON, or no CSRF token)");
        return e;
    }
    let session = match issued_session(&state, &headers, EXCHANGE) {
        Ok(session) => session,
        Err(e) => return e,
    };
    let user = session.plaid_user_id;
    if let Err(wait) = state.limits.session(&user) {
        return limited(EXCHANGE, "session", wait);
    }
    // Only a request that validated is recorded under its key.
    let request = match validate(&state, &body) {
        Ok(request) => request,
        Err((status, answer)) => return (status, Json(answer)).into_response(),
    };
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .filter(|k| !k.is_empty() && k.len() <= 128);
    let Some(key) = key else {
        let (status, answer) = exchange(&state, &user, request).await;
        return (status, Json(answer)).into_response();
    };
    let decision = match idempotency::claim(&state.store, &user, key, &body).await {
        Ok(decision) => decision,
        Err(e) => {
            log(EXCHANGE, 503, &format!("idempotency store: {e}"));
            return fail(
                StatusCode::SERVICE_UNAVAILABLE,
                "We could not save your connection yet. Please try again.",
            );
        }
    };
    match decision {
        Decision::Work => {}
        Decision::Answer(status, answer) => {
            log(EXCHANGE, status.as_u16(), "repeated Idempotency-Key: answered again, not exchanged again");
            return (status, Json(answer)).into_response();
        }
        Decision::Mismatch => {
            log(EXCHANGE, 422, "Idempotency-Key reused with another body");
            return fail(StatusCode::UNPROCESSABLE_ENTITY, "The request was not understood.");
        }
        Decision::TooMany => {
            log(EXCHANGE, 429, "too many idempotency keys for one session");
            return fail(
                StatusCode::TOO_MANY_REQUESTS,
                "Too many attempts. Please wait a moment, then try again.",
            );
        }
        Decision::StillWorking => {
            log(EXCHANGE, 503, "the first request with this key is still being worked on");
            return fail(
                StatusCode::SERVICE_UNAVAILABLE,
                "We are still saving your connection. Please wait a moment.",
            );
        }
    }
    let (status, answer) = exchange(&state, &user, request).await;
    if let Err(e) = idempotency::finish(&state.store, &user, key, status, &answer) {
        log(EXCHANGE, status.as_u16(), &format!("answer not kept under its key: {e}"));
    }
    (status, Json(answer)).into_response()
}

/// Reads and checks an exchange request's body: only what validates is worked on or recorded.
fn validate(state: &AppState, body: &[u8]) -> Result<ExchangeBody, (StatusCode, serde_json::Value)> {
    let error = |status: StatusCode, note: &str, message: &str| {
        log(EXCHANGE, status.as_u16(), note);
        Err((status, json!({ "error": message })))
    };
    let Ok(body) = serde_json::from_slice::<ExchangeBody>(body) else {
        return error(
            StatusCode::BAD_REQUEST,
            "body is not the expected JSON",
            "The request was not understood.",
        );
    };
    let Some(rest) = body.public_token.strip_prefix("public-") else {
        return error(StatusCode::BAD_REQUEST, "not a public token", "The request was not understood.");
    };
    // A sandbox token sent to a production backend (or the reverse) is a misconfigured page.
    if !rest.strip_prefix(state.token_environment).is_some_and(|r| r.starts_with('-')) {
        return error(
            StatusCode::BAD_REQUEST,
            "a public token of another Plaid environment",
            "This connection was made with a different Plaid environment. Please contact the site's support.",
        );
    }
    Ok(body)
}

/// Exchanges a validated request's public token and stores the access token; answers what the
/// browser may see.
async fn exchange(state: &AppState, user: &str, body: ExchangeBody) -> (StatusCode, serde_json::Value) {
    let error = |status: StatusCode, note: &str, message: &str| {
        log(EXCHANGE, status.as_u16(), note);
        (status, json!({ "error": message }))
    };
    let exchanged = match state.plaid.exchange_public_token(&body.public_token).await {
        Ok(exchanged) => exchanged,
        Err(PlaidCallError::Plaid { error: e, .. }) if e.error_code == "INVALID_PUBLIC_TOKEN" => {
            return error(
                StatusCode::BAD_REQUEST,
                "Plaid refused the public token (expired or used)",
                "This connection expired before it could be saved. Please connect your bank again.",
            )
        }
        // Only what may pass is a 502, which the browser retries with the same key.
        Err(e) if e.may_pass() => {
            return error(
                StatusCode::BAD_GATEWAY,
                &e.to_string(),
                "We could not reach Plaid. Please try again.",
            )
        }
        // Wrong keys, a rate limit, an unreadable answer: asking again would change nothing.
        Err(e) => {
            return error(
                StatusCode::INTERNAL_SERVER_ERROR,
                &e.to_string(),
                "Your bank account could not be saved right now. Please try again later.",
            )
        }
    };
    let institution = body.institution.as_ref().map(|i| (i.institution_id.as_str(), i.name.as_str()));
    if let Err(e) =
        save_with_retries(state, &exchanged.item_id, user, institution, &exchanged.access_token).await
    {
        // Plaid has the item and bills it; without its access token nobody could ever remove it.
        let removed = match state.plaid.item_remove(&exchanged.access_token).await {
            Ok(_) => "removed at Plaid".to_owned(),
            Err(r) => format!("NOT removed at Plaid ({r}): remove item {} by hand", exchanged.item_id),
        };
        return error(
            StatusCode::INTERNAL_SERVER_ERROR,
            &format!("storing item {} failed ({e}); {removed}", exchanged.item_id),
            "Your bank account could not be saved. Please connect it again.",
        );
    }
    let accounts = account_summaries(body.accounts.iter().filter_map(AccountSummary::from_link));
    if let Err(e) = state.store.set_item_accounts(&exchanged.item_id, &accounts, "ok") {
        // The item is stored; only its list of account names is missing.
        log(EXCHANGE, 200, &format!("item {} stored without its account names: {e}", exchanged.item_id));
    }
    let note = format!(
        "item {} stored ({} accounts, session {})",
        exchanged.item_id,
        body.accounts.len(),
        body.link_session_id
    );
    log(EXCHANGE, 200, &note);
    (StatusCode::OK, json!({ "item_id": exchanged.item_id }))
}

const WEBHOOK: &str = "POST /api/webhooks/plaid";

/// Plaid's webhooks: verified first (`webhooks.rs`); then an ITEM webhook updates the item's status.
/// Anything that does not verify gets 401 and changes nothing.
async fn plaid_webhook(State(state): State<Shared>, headers: HeaderMap, body: axum::body::Bytes) -> Response {
    let token = headers.get("plaid-verification").and_then(|v| v.to_str().ok());
    if let Err(e) = state.webhook_keys.verify(&state.plaid, token, &body, crate::unix_now()).await {
        log(WEBHOOK, 401, &format!("refused: {e}"));
        return fail(StatusCode::UNAUTHORIZED, "The webhook could not be verified.");
    }
    let Ok(hook) = serde_json::from_slice::<serde_json::Value>(&body) else {
        log(WEBHOOK, 400, "verified, but not JSON");
        return fail(StatusCode::BAD_REQUEST, "The webhook is not JSON.");
    };
    let (kind, code) =
        (hook["webhook_type"].as_str().unwrap_or(""), hook["webhook_code"].as_str().unwrap_or(""));
    let item_id = hook["item_id"].as_str().unwrap_or("");
    let status = match (kind, code, hook["error"]["error_code"].as_str()) {
        ("ITEM", "ERROR", Some("ITEM_LOGIN_REQUIRED")) | ("ITEM", "PENDING_DISCONNECT", _) => {
            Some("login_required")
        }
        ("ITEM", "LOGIN_REPAIRED", _) => Some("ok"),
        _ => None,
    };
    let note = match status.map(|s| state.store.set_item_status(item_id, s)) {
        Some(Ok(true)) => format!("{kind} {code}: item {item_id} is now {}", status.unwrap_or_default()),
        Some(Ok(false)) => format!("{kind} {code}: no item {item_id} here"),
        Some(Err(e)) => format!("{kind} {code}: item {item_id} not updated ({e})"),
        None => format!("{kind} {code}: nothing to do"),
    };
    log(WEBHOOK, 200, &note);
    Json(json!({ "received": true })).into_response()
}

/// The access token of an item the caller owns, decrypted for a server-side call to Plaid.
/// Another user's item, or none, is a 404 alike, so that ids cannot be probed.
fn owned_access_token(state: &AppState, user: &str, item_id: &str, route: &str) -> Result<String, Response> {
    let not_found = || {
        fail(StatusCode::NOT_FOUND, "This bank connection was not found. Reload the page, then try again.")
    };
    let store_failed = |e: crate::store::StoreError| {
        log(route, 500, &format!("store: {e}"));
        fail(
            StatusCode::INTERNAL_SERVER_ERROR,
            "We could not read this bank connection right now. Please try again.",
        )
    };
    match state.store.item_owner(item_id) {
        Ok(Some(owner)) if crate::constant_time::eq(owner.as_bytes(), user.as_bytes()) => {}
        Ok(_) => {
            log(route, 404, "not this session's item");
            return Err(not_found());
        }
        Err(e) => return Err(store_failed(e)),
    }
    match state.store.access_token(item_id) {
        Ok(Some(token)) => Ok(token),
        Ok(None) => Err(not_found()),
        Err(e) => Err(store_failed(e)),
    }
}

const LIST_ITEMS: &str = "GET /api/items";

/// The session's items, for a page that lists them (each with a "Reconnect" when its login broke).
/// A page with no session yet has none.
async fn list_items(
    State(state): State<Shared>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Response {
    if let Err(wait) = state.limits.client(peer.ip()) {
        return limited(LIST_ITEMS, "client", wait);
    }
    let user = match session::current(&state.store, &headers, state.secure) {
        Ok(Some(session)) => session.plaid_user_id,
        _ => return Json(json!({ "items": [] })).into_response(),
    };
    match state.store.items_of(&user) {
        Ok(items) => {
            let items: Vec<_> = items.into_iter().map(|item| item_view(&item)).collect();
            Json(json!({ "items": items })).into_response()
        }
        Err(e) => {
            log(LIST_ITEMS, 500, &format!("store: {e}"));
            fail(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Your bank connections could not be listed. Please try again.",
            )
        }
    }
}

/// An item as the browser may see it.
fn item_view(item: &crate::store::OwnedItem) -> serde_json::Value {
    let institution = match (&item.institution_id, &item.institution_name) {
        (Some(id), Some(name)) => json!({ "institution_id": id, "name": name }),
        _ => serde_json::Value::Null,
    };
    let accounts: serde_json::Value = serde_json::from_str(&item.accounts).unwrap_or_else(|_| json!([]));
    json!({ "item_id": item.item_id, "institution": institution, "accounts": accounts, "status": item.status })
}

/// The accounts worth keeping for the list: names and masks, bounded, never balances.
fn account_summaries<'a>(accounts: impl Iterator<Item = AccountSummary<'a>>) -> String {
    let clip = |s: Option<&str>| s.map(|s| s.chars().take(100).collect::<String>());
    let accounts: Vec<_> = accounts
        .take(MAX_ACCOUNTS)
        .map(|a| {
            json!({ "id": clip(Some(a.id)), "name": clip(Some(a.name)), "mask": clip(a.mask),
                    "type": clip(a.kind), "subtype": clip(a.subtype) })
        })
        .collect();
    serde_json::Value::from(accounts).to_string()
}

const MAX_ACCOUNTS: usize = 50;

struct AccountSummary<'a> {
    id: &'a str,
    name: &'a str,
    mask: Option<&'a str>,
    kind: Option<&'a str>,
    subtype: Option<&'a str>,
}

impl<'a> AccountSummary<'a> {
    /// From the browser's `onSuccess` metadata (`{id, name, mask, type, subtype}`).
    fn from_link(a: &'a serde_json::Value) -> Option<Self> {
        Some(Self {
            id: a["id"].as_str()?,
            name: a["name"].as_str().unwrap_or(""),
            mask: a["mask"].as_str(),
            kind: a["type"].as_str(),
            subtype: a["subtype"].as_str(),
        })
    }

    /// From Plaid's `/accounts/get`.
    fn from_plaid(a: &'a crate::plaid_types::Account) -> Self {
        Self {
            id: &a.account_id,
            name: &a.name,
            mask: a.mask.as_deref(),
            kind: Some(&a.kind),
            subtype: a.subtype.as_deref(),
        }
    }
}

const ITEM_UPDATED: &str = "POST /api/item_updated";

/// After update mode: no token comes (the access token has not changed); the backend asks Plaid
/// for the item's accounts, which also says whether its login works again, and records both.
#[derive(Deserialize)]
struct ItemUpdatedBody {
    item_id: String,
    #[serde(default)]
    link_session_id: String,
}

async fn item_updated(
    State(state): State<Shared>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let (user, request) = match owned_request::<ItemUpdatedBody>(&state, peer, &headers, &body, ITEM_UPDATED)
    {
        Ok(found) => found,
        Err(e) => return e,
    };
    let access_token = match owned_access_token(&state, &user, &request.item_id, ITEM_UPDATED) {
        Ok(token) => token,
        Err(e) => return e,
    };
    let (status, accounts) = match state.plaid.accounts_get(&access_token).await {
        Ok(answer) => ("ok", Some(account_summaries(answer.accounts.iter().map(AccountSummary::from_plaid)))),
        Err(PlaidCallError::Plaid { error, .. }) if error.error_code == "ITEM_LOGIN_REQUIRED" => {
            ("login_required", None)
        }
        Err(e) => {
            log(ITEM_UPDATED, 502, &e.to_string());
            return fail(StatusCode::BAD_GATEWAY, "We could not reach Plaid. Please try again.");
        }
    };
    let item = request.item_id.as_str();
    let stored = match &accounts {
        Some(accounts) => state.store.set_item_accounts(item, accounts, status),
        None => state.store.set_item_status(item, status),
    };
    if let Err(e) = stored {
        log(ITEM_UPDATED, 500, &format!("store: {e}"));
        return fail(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Your connection could not be saved. Please try again.",
        );
    }
    log(ITEM_UPDATED, 200, &format!("item {item} is {status} (session {})", request.link_session_id));
    if status != "ok" {
        return fail(StatusCode::CONFLICT, "Your bank still asks you to sign in. Please reconnect again.");
    }
    let accounts: serde_json::Value =
        accounts.and_then(|a| serde_json::from_str(&a).ok()).unwrap_or_else(|| json!([]));
    Json(json!({ "item_id": item, "status": status, "accounts": accounts })).into_response()
}

const RESET_LOGIN: &str = "POST /api/items/{item_id}/reset_login";

/// Sandbox and the local stand-in only: breaks the login of one of the session's items, as a bank
/// would (Plaid's `/sandbox/item/reset_login`), so that update mode can be tried. Production has no
/// such call: there it is a 404.
async fn reset_login(
    State(state): State<Shared>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    axum::extract::Path(item_id): axum::extract::Path<String>,
    headers: HeaderMap,
) -> Response {
    if state.token_environment == "production" {
        return fail(StatusCode::NOT_FOUND, "Not found.");
    }
    let user = match require_json(&headers).and_then(|()| session_call(&state, peer, &headers, RESET_LOGIN)) {
        Ok(user) => user,
        Err(e) => return e,
    };
    let access_token = match owned_access_token(&state, &user, &item_id, RESET_LOGIN) {
        Ok(token) => token,
        Err(e) => return e,
    };
    if let Err(e) = state.plaid.sandbox_reset_login(&access_token).await {
        log(RESET_LOGIN, 502, &e.to_string());
        return fail(StatusCode::BAD_GATEWAY, "We could not reach Plaid. Please try again.");
    }
    // Plaid's ERROR webhook says the same a moment later; the list is right at once.
    if let Err(e) = state.store.set_item_status(&item_id, "login_required") {
        log(RESET_LOGIN, 500, &format!("store: {e}"));
    }
    log(RESET_LOGIN, 200, &format!("item {item_id} needs its login again"));
    Json(json!({ "item_id": item_id, "status": "login_required" })).into_response()
}

/// The checks every call about the session's own items makes: the rate limits, the page's CSRF
/// token, and a session this server issued. Gives the session's Plaid user id.
fn session_call(
    state: &AppState,
    peer: SocketAddr,
    headers: &HeaderMap,
    route: &str,
) -> Result<String, Response> {
    state.limits.client(peer.ip()).map_err(|wait| limited(route, "client", wait))?;
    require_csrf(state, headers).inspect_err(|e| log(route, e.status().as_u16(), "no CSRF token"))?;
    let user = issued_session(state, headers, route)?.plaid_user_id;
    state.limits.session(&user).map_err(|wait| limited(route, "session", wait))?;
    Ok(user)
}

/// [`session_call`]'s checks for a call with a JSON body that must read as `T`.
fn owned_request<T: serde::de::DeserializeOwned>(
    state: &AppState,
    peer: SocketAddr,
    headers: &HeaderMap,
    body: &[u8],
    route: &str,
) -> Result<(String, T), Response> {
    require_json(headers).inspect_err(|e| log(route, e.status().as_u16(), "not JSON"))?;
    let user = session_call(state, peer, headers, route)?;
    let request = serde_json::from_slice(body).map_err(|_| {
        log(route, 400, "body is not the expected JSON");
        fail(StatusCode::BAD_REQUEST, "The request was not understood.")
    })?;
    Ok((user, request))
}

const DELETE_ITEM: &str = "DELETE /api/items/{item_id}";

/// Unlinks an item of the session's own: `/item/remove` at Plaid (it stops billing), then the row.
/// Another session's item, or none, is a 404 alike, so that ids cannot be probed.
async fn delete_item(
    State(state): State<Shared>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    axum::extract::Path(item_id): axum::extract::Path<String>,
    headers: HeaderMap,
) -> Response {
    // No body: the CSRF token alone (a cross-site form cannot send a DELETE).
    let user = match session_call(&state, peer, &headers, DELETE_ITEM) {
        Ok(user) => user,
        Err(e) => return e,
    };
    let access_token = match owned_access_token(&state, &user, &item_id, DELETE_ITEM) {
        Ok(token) => token,
        Err(e) => return e,
    };
    match state.plaid.item_remove(&access_token).await {
        Ok(_) => {}
        // Already gone at Plaid: forgetting it here is all that is left to do.
        Err(PlaidCallError::Plaid { error, .. }) if error.error_code == "ITEM_NOT_FOUND" => {}
        Err(e) => {
            log(DELETE_ITEM, 502, &e.to_string());
            return fail(StatusCode::BAD_GATEWAY, "We could not reach Plaid. Please try again.");
        }
    }
    if let Err(e) = state.store.delete_item(&item_id) {
        log(DELETE_ITEM, 500, &format!("removed at Plaid, but the row stays: {e}"));
        return fail(
            StatusCode::INTERNAL_SERVER_ERROR,
            "The connection could not be removed. Please try again.",
        );
    }
    log(DELETE_ITEM, 204, &format!("item {item_id} removed"));
    StatusCode::NO_CONTENT.into_response()
}

/// Stores an exchanged item, trying again on failure: the public token is spent, so this write is
/// the only copy of the access token there will ever be.
async fn save_with_retries(
    state: &AppState,
    item_id: &str,
    user: &str,
    institution: Option<(&str, &str)>,
    access_token: &str,
) -> Result<(), crate::store::StoreError> {
    let mut attempt = 1;
    loop {
        match state.store.save(item_id, user, institution, access_token) {
            Ok(()) => return Ok(()),
            Err(e) if attempt >= SAVE_ATTEMPTS => return Err(e),
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(100 << attempt)).await;
                attempt += 1;
            }
        }
    }
}

const SAVE_ATTEMPTS: u32 = 3;

/// One structured line per request (JSON, so a value a client chose cannot forge a line or a
/// field): route, status and a note that never holds a token, a secret or a session id. A Plaid
/// error's note carries Plaid's `request_id`, which Plaid's support asks for.
fn log(route: &str, status: u16, note: &str) {
    if status >= 500 {
        tracing::warn!(route, status, note, "api");
    } else {
        tracing::info!(route, status, note, "api");
    }
}
