//! `POST /api/exchange_public_token`: exchanges the public token, stores the access token encrypted,
//! and answers only the item id: the access token never leaves the server.
//!
//! One public token is exchanged once however often the browser asks (`Idempotency-Key`,
//! `idempotency.rs`). Once the request validated, the work is a task of its own: a client that goes
//! away mid-exchange (or a proxy that gives up on it) does not cut it short; it finishes, records
//! its answer under the key, and a retry with that key gets it.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use super::link_session_id;
use crate::failure::Failure;
use crate::service::add_item;
use crate::shape;
use crate::state::Shared;
use crate::user::{Caller, LinkUser};

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

pub(super) async fn exchange<U: LinkUser>(
    State(state): State<Shared>,
    caller: Caller<U>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    // Only a request that validated is recorded under its key.
    let request = match validate(&state, &body) {
        Ok(request) => request,
        Err(failure) => return failure.into_response(),
    };
    let key = super::idempotent::key(&headers);
    let user = caller.id;
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
    // Plaid's token is not spent on a bank the store could not keep or a list it should not.
    if let Some(institution) = &body.institution {
        if !shape::code_like(&institution.institution_id) || !shape::name_like(&institution.name) {
            return Err(Failure::not_understood("the institution is not one Link describes"));
        }
    }
    if !shape::link_accounts(&body.accounts) {
        return Err(Failure::not_understood("the accounts are not ones Link describes"));
    }
    let Some(rest) =
        body.public_token.strip_prefix("public-").filter(|_| shape::code_like(&body.public_token))
    else {
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
