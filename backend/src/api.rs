//! The reference backend: the server half of the flow, as Plaid prescribes it.
//!
//! `POST /api/link_token` creates a link token for the browser session's user with only the
//! configured products. `POST /api/exchange_public_token` exchanges the public token, stores the
//! access token encrypted, and answers only the item id: the access token never leaves the server.
//! No token is ever logged.

use std::sync::Arc;

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

async fn exchange_public_token(
    State(state): State<Shared>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    const ROUTE: &str = "POST /api/exchange_public_token";
    if let Err(e) = guard(&state, &headers) {
        log(ROUTE, e.status().as_u16(), "refused (not JSON, or no CSRF token)");
        return e;
    }
    let Some(user) = session(&headers) else {
        log(ROUTE, 401, "no session");
        return fail(StatusCode::UNAUTHORIZED, "Your session has expired. Reload the page, then try again.");
    };
    let Ok(body) = serde_json::from_slice::<ExchangeBody>(&body) else {
        log(ROUTE, 400, "body is not the expected JSON");
        return fail(StatusCode::BAD_REQUEST, "The request was not understood.");
    };
    if !body.public_token.starts_with("public-") {
        log(ROUTE, 400, "not a public token");
        return fail(StatusCode::BAD_REQUEST, "The request was not understood.");
    }
    let exchanged = match state.plaid.exchange_public_token(&body.public_token).await {
        Ok(exchanged) => exchanged,
        Err(PlaidCallError::Plaid { error, .. }) if error.error_code == "INVALID_PUBLIC_TOKEN" => {
            log(ROUTE, 400, "Plaid refused the public token (expired or used)");
            return fail(
                StatusCode::BAD_REQUEST,
                "This connection expired before it could be saved. Please connect your bank again.",
            );
        }
        Err(e) => {
            log(ROUTE, 502, &e.to_string());
            return fail(StatusCode::BAD_GATEWAY, "We could not reach Plaid. Please try again.");
        }
    };
    let institution = body.institution.as_ref().map(|i| (i.institution_id.as_str(), i.name.as_str()));
    if let Err(e) = state.store.save(&exchanged.item_id, &user, institution, &exchanged.access_token) {
        log(ROUTE, 500, &e.to_string());
        return fail(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Your bank account could not be saved. Please try again.",
        );
    }
    log(
        ROUTE,
        200,
        &format!(
            "item {} stored ({} accounts, session {})",
            exchanged.item_id,
            body.accounts.len(),
            body.link_session_id
        ),
    );
    Json(json!({ "item_id": exchanged.item_id })).into_response()
}

/// One line per request: route, status and a note that never holds a token.
fn log(route: &str, status: u16, note: &str) {
    eprintln!("{route} -> {status}: {note}");
}
