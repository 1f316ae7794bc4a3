//! The reference backend: the server half of the flow, as Plaid prescribes it.
//!
//! `POST /api/link_token` creates a link token for the browser session's user with only the
//! configured products. `POST /api/exchange_public_token` exchanges the public token, stores the
//! access token encrypted, and answers only the item id: the access token never leaves the server.
//! No token is ever logged.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Mutex;

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use crate::plaid_client::{PlaidCallError, PlaidClient};
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
    pub idempotency: Idempotency,
}

/// Answers to exchange requests, by session and `Idempotency-Key`, kept for an hour.
#[derive(Default)]
pub struct Idempotency {
    entries: Mutex<HashMap<String, (Instant, Slot)>>,
}

type Slot = Arc<tokio::sync::Mutex<Option<(StatusCode, serde_json::Value)>>>;

impl Idempotency {
    const KEEP: Duration = Duration::from_secs(60 * 60);

    async fn entry(&self, key: &str) -> Slot {
        let mut entries = self.entries.lock().await;
        let now = Instant::now();
        entries.retain(|_, (created, _)| now.duration_since(*created) < Self::KEEP);
        entries.entry(key.to_owned()).or_insert_with(|| (now, Slot::default())).1.clone()
    }
}

type Shared = Arc<AppState>;

const SESSION_COOKIE: &str = "plaid_link_session";

pub fn router(state: Shared) -> Router {
    Router::new()
        .route("/api/link_token", post(link_token))
        .route("/api/exchange_public_token", post(exchange_public_token))
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

/// The browser session's id, from its cookie.
fn session(headers: &HeaderMap) -> Option<String> {
    crate::csp::cookie(headers, SESSION_COOKIE)
        .filter(|value| value.len() >= 16 && value.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// JSON only, and the page's CSRF token when required.
fn guard(state: &AppState, headers: &HeaderMap) -> Result<(), Response> {
    require_json(headers)?;
    if state.require_csrf && !crate::csp::csrf_ok(headers, CSRF_HEADER) {
        return Err(fail(StatusCode::FORBIDDEN, "This page has expired. Reload it, then try again."));
    }
    Ok(())
}

const CSRF_HEADER: &str = "x-csrf-token";

fn new_session() -> (String, HeaderValue) {
    use rand::distributions::{Alphanumeric, DistString};
    let id = Alphanumeric.sample_string(&mut rand::thread_rng(), 32);
    let cookie = format!("{SESSION_COOKIE}={id}; Path=/; HttpOnly; SameSite=Strict");
    let value = HeaderValue::from_str(&cookie).unwrap_or_else(|_| HeaderValue::from_static(""));
    (id, value)
}

async fn link_token(State(state): State<Shared>, headers: HeaderMap) -> Response {
    if let Err(e) = guard(&state, &headers) {
        log("POST /api/link_token", e.status().as_u16(), "refused (not JSON, or no CSRF token)");
        return e;
    }
    let (user, set_cookie) = match session(&headers) {
        Some(id) => (id, None),
        None => {
            let (id, cookie) = new_session();
            (id, Some(cookie))
        }
    };
    let created =
        state.plaid.link_token_create(&state.client_name, &user, &state.products, &state.country_codes).await;
    let mut response = match created {
        Ok(created) => {
            log("POST /api/link_token", 200, "link token created");
            Json(json!({ "link_token": created.link_token, "expiration": created.expiration }))
                .into_response()
        }
        Err(e) => {
            log("POST /api/link_token", 502, &e.to_string());
            fail(StatusCode::BAD_GATEWAY, "We could not start a bank connection right now. Please try again.")
        }
    };
    if let Some(cookie) = set_cookie {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
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
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    if let Err(e) = guard(&state, &headers) {
        log(EXCHANGE, e.status().as_u16(), "refused (not JSON, or no CSRF token)");
        return e;
    }
    let Some(user) = session(&headers) else {
        log(EXCHANGE, 401, "no session");
        return fail(StatusCode::UNAUTHORIZED, "Your session has expired. Reload the page, then try again.");
    };
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .filter(|k| !k.is_empty() && k.len() <= 128);
    let Some(key) = key else {
        let (status, body) = exchange(&state, &user, &body).await;
        return (status, Json(body)).into_response();
    };
    // One entry per (session, key): a repeat waits for the first to finish, then gets its answer.
    let entry = state.idempotency.entry(&format!("{user}:{key}")).await;
    let mut answer = entry.lock().await;
    if let Some((status, body)) = answer.as_ref() {
        log(EXCHANGE, status.as_u16(), "repeated Idempotency-Key: answered again, not exchanged again");
        return (*status, Json(body.clone())).into_response();
    }
    let (status, body) = exchange(&state, &user, &body).await;
    // A 502 may pass: the next attempt must try again rather than be told the same.
    if status != StatusCode::BAD_GATEWAY {
        *answer = Some((status, body.clone()));
    }
    (status, Json(body)).into_response()
}

/// Exchanges the public token and stores the access token; answers what the browser may see.
async fn exchange(state: &AppState, user: &str, body: &[u8]) -> (StatusCode, serde_json::Value) {
    let error = |status: StatusCode, note: &str, message: &str| {
        log(EXCHANGE, status.as_u16(), note);
        (status, json!({ "error": message }))
    };
    let Ok(body) = serde_json::from_slice::<ExchangeBody>(body) else {
        return error(
            StatusCode::BAD_REQUEST,
            "body is not the expected JSON",
            "The request was not understood.",
        );
    };
    if !body.public_token.starts_with("public-") {
        return error(StatusCode::BAD_REQUEST, "not a public token", "The request was not understood.");
    }
    let exchanged = match state.plaid.exchange_public_token(&body.public_token).await {
        Ok(exchanged) => exchanged,
        Err(PlaidCallError::Plaid { error: e, .. }) if e.error_code == "INVALID_PUBLIC_TOKEN" => {
            return error(
                StatusCode::BAD_REQUEST,
                "Plaid refused the public token (expired or used)",
                "This connection expired before it could be saved. Please connect your bank again.",
            )
        }
        Err(e) => {
            return error(
                StatusCode::BAD_GATEWAY,
                &e.to_string(),
                "We could not reach Plaid. Please try again.",
            )
        }
    };
    let institution = body.institution.as_ref().map(|i| (i.institution_id.as_str(), i.name.as_str()));
    if let Err(e) = state.store.save(&exchanged.item_id, user, institution, &exchanged.access_token) {
        return error(
            StatusCode::INTERNAL_SERVER_ERROR,
            &e.to_string(),
            "Your bank account could not be saved. Please try again.",
        );
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

/// One line per request: route, status and a note that never holds a token.
fn log(route: &str, status: u16, note: &str) {
    eprintln!("{route} -> {status}: {note}");
}
