//! `POST /api/exchange_public_token`: exchanges the public token, stores the access token encrypted,
//! and answers only the item id: the access token never leaves the server.
//!
//! One public token is exchanged once however often the browser asks (`Idempotency-Key`,
//! `idempotency.rs`). Once the request validated, the work is a task of its own: a client that goes
//! away mid-exchange (or a proxy that gives up on it) does not cut it short; it finishes, records
//! its answer under the key, and a retry with that key gets it.

use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use super::items::{account_summaries, AccountSummary};
use super::{link_session_id, Failure, Shared};
use crate::logging::clip;
use crate::plaid::client::PlaidCallError;
use crate::session::Issued;

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

pub async fn exchange(
    State(state): State<Shared>,
    Issued(session): Issued,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    // Only a request that validated is recorded under its key.
    let request = match validate(&state, &body) {
        Ok(request) => request,
        Err(failure) => return failure.into_response(),
    };
    let key = super::idempotent::key(&headers);
    let user = session.plaid_user_id;
    let work = tokio::spawn(async move {
        let exchange = || exchanged(&state, &user, request);
        super::idempotent::once(&state, &user, key.as_deref(), &body, exchange).await
    });
    work.await.unwrap_or_else(|_| {
        Failure::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Your bank account could not be saved right now. Please try again later.",
            "the exchange's task failed",
        )
        .into_response()
    })
}

/// Reads and checks a request's body: only what validates is worked on or recorded.
fn validate(state: &Shared, body: &[u8]) -> Result<ExchangeBody, Failure> {
    let body: ExchangeBody = serde_json::from_slice(body).map_err(|_| Failure::not_json())?;
    link_session_id(&body.link_session_id)?;
    let Some(rest) = body.public_token.strip_prefix("public-") else {
        return Err(Failure::not_understood("not a public token"));
    };
    // A sandbox token sent to a production backend (or the reverse) is a misconfigured page.
    if !rest.strip_prefix(state.token_environment).is_some_and(|r| r.starts_with('-')) {
        return Err(Failure::new(
            StatusCode::BAD_REQUEST,
            "This connection was made with a different Plaid environment. Please contact the site's support.",
            "a public token of another Plaid environment",
        ));
    }
    Ok(body)
}

/// Exchanges a validated request's public token and stores the access token: the answer the browser
/// may see, and the log line's note.
async fn exchanged(
    state: &Shared,
    user: &str,
    body: ExchangeBody,
) -> (StatusCode, serde_json::Value, String) {
    match stored(state, user, body).await {
        Ok((item_id, note)) => (StatusCode::OK, json!({ "item_id": item_id }), note),
        Err(failure) => failure.into_outcome(),
    }
}

/// The item's id, and a note.
async fn stored(state: &Shared, user: &str, body: ExchangeBody) -> Result<(String, String), Failure> {
    let institution = body.institution.as_ref().map(|i| (i.institution_id.as_str(), i.name.as_str()));
    let accounts = serde_json::Value::from(body.accounts);
    add_item(state, user, &body.public_token, institution, &accounts, &body.link_session_id).await
}

/// One bank Link added, as Plaid's guides ask: refused as a duplicate of one of the user's Items
/// (not exchanged), or its public token exchanged and the access token stored. The item's id, and
/// a note.
pub(super) async fn add_item(
    state: &Shared,
    user: &str,
    public_token: &str,
    institution: Option<(&str, &str)>,
    accounts: &serde_json::Value,
    link_session: &str,
) -> Result<(String, String), Failure> {
    if let Some((institution_id, _)) = institution {
        let items = state.store.items_of(user).await.map_err(|e| {
            Failure::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Your bank account could not be saved right now. Please try again later.",
                &format!("store: {e}"),
            )
        })?;
        if let Some(item) =
            crate::duplicates::existing(&items, institution_id, &crate::duplicates::accounts(accounts))
        {
            return Err(Failure::duplicate(item));
        }
    }
    let exchanged = state.plaid.exchange_public_token(public_token).await.map_err(|e| match e {
        PlaidCallError::Plaid { error, .. } if error.error_code == "INVALID_PUBLIC_TOKEN" => Failure::new(
            StatusCode::BAD_REQUEST,
            "This connection expired before it could be saved. Please connect your bank again.",
            &format!(
                "Plaid refused the public token (expired or used; request_id {})",
                clip(&error.request_id)
            ),
        ),
        // Only what may pass is a 502, which the browser retries with the same key.
        e if e.may_pass() => Failure::new(
            StatusCode::BAD_GATEWAY,
            "We could not reach Plaid. Please try again.",
            &e.to_string(),
        ),
        // Wrong keys, a rate limit, an unreadable answer: asking again would change nothing.
        e => Failure::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Your bank account could not be saved right now. Please try again later.",
            &e.to_string(),
        ),
    })?;
    let item_id = exchanged.item_id.as_str();
    if let Err(e) = save_with_retries(state, item_id, user, institution, &exchanged.access_token).await {
        // Plaid has the item and bills it; without its access token nobody could ever remove it.
        let removed = match state.plaid.item_remove(&exchanged.access_token).await {
            Ok(_) => "removed at Plaid".to_owned(),
            Err(r) => format!("NOT removed at Plaid ({r}): remove item {item_id} by hand"),
        };
        return Err(Failure::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Your bank account could not be saved. Please connect it again.",
            &format!("storing item {item_id} failed ({e}); {removed}"),
        ));
    }
    let listed = accounts.as_array().map(Vec::as_slice).unwrap_or_default();
    let summaries = account_summaries(listed.iter().filter_map(AccountSummary::from_link));
    let mut note =
        format!("item {item_id} stored ({} accounts, session {})", listed.len(), clip(link_session));
    if let Err(e) = state.store.set_item_accounts(item_id, &summaries, "ok").await {
        // The item is stored; only its list of account names is missing.
        note = format!("{note}; without its account names: {e}");
    }
    Ok((exchanged.item_id, note))
}

/// Stores an exchanged item, trying again on failure: the public token is spent, so this write is
/// the only copy of the access token there will ever be.
async fn save_with_retries(
    state: &Shared,
    item_id: &str,
    user: &str,
    institution: Option<(&str, &str)>,
    access_token: &str,
) -> Result<(), crate::store::StoreError> {
    let mut attempt = 1;
    loop {
        match state.store.save(item_id, user, institution, access_token).await {
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
