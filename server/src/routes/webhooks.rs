//! `POST /api/webhooks/plaid`: Plaid's webhooks, verified first (`crate::webhooks`); then an `ITEM`
//! webhook updates the item's status, and a `LINK` `SESSION_FINISHED` one adds the session's
//! banks. Anything that does not verify gets 401 and changes nothing; one whose key may not be
//! fetched now (`crate::webhooks`' budgets) gets 503 and `Retry-After`, and Plaid sends it again.

use std::time::Duration;

use axum::extract::State;
use axum::http::{Extensions, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::events::ItemEvent;
use crate::failure::{answer, Failure};
use crate::logging::clip;
use crate::plaid::types::SessionFinishedWebhook;
use crate::service::{finish_session, Sessions};
use crate::state::Shared;
use crate::webhooks::WebhookError;

pub(super) async fn receive(
    State(state): State<Shared>,
    extensions: Extensions,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, Failure> {
    let token = headers.get("plaid-verification").and_then(|v| v.to_str().ok());
    let address = crate::guard::rate_limit::address(&extensions);
    let user = || named_user(&state, &body);
    match state.webhook_keys.verify(&state.plaid, token, &body, crate::unix_now(), address, user).await {
        Ok(()) => {}
        // Plaid sends it again later; a 401 would be final.
        Err(e @ WebhookError::NotNow(_)) => {
            return Err(Failure::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "The webhook could not be verified yet.",
                &format!("deferred: {e}"),
            )
            .retry_after(Duration::from_secs(30)))
        }
        Err(e) => {
            return Err(Failure::new(
                StatusCode::UNAUTHORIZED,
                "The webhook could not be verified.",
                &format!("refused: {e}"),
            ))
        }
    }
    let Ok(hook) = serde_json::from_slice::<serde_json::Value>(&body) else {
        return Err(Failure::new(
            StatusCode::BAD_REQUEST,
            "The webhook is not JSON.",
            "verified, but not JSON",
        ));
    };
    let (kind, code) =
        (hook["webhook_type"].as_str().unwrap_or(""), hook["webhook_code"].as_str().unwrap_or(""));
    if (kind, code) == ("LINK", "SESSION_FINISHED") {
        return Ok(session_finished(&state, &body).await);
    }
    let item_id = hook["item_id"].as_str().unwrap_or("");
    let status = match (kind, code, hook["error"]["error_code"].as_str()) {
        ("ITEM", "ERROR", Some("ITEM_LOGIN_REQUIRED")) | ("ITEM", "PENDING_DISCONNECT", _) => {
            Some("login_required")
        }
        ("ITEM", "LOGIN_REPAIRED", _) => Some("ok"),
        _ => None,
    };
    let (kind, code, item) = (clip(kind), clip(code), clip(item_id));
    let stored = match status {
        Some(status) => Some(state.store.set_item_status(item_id, status).await),
        None => None,
    };
    if let (Some(Ok(true)), Some(status)) = (&stored, status) {
        // Whose it is, for the app's listeners; a failed read only costs the event.
        if let Ok(Some(user)) = state.store.item_owner(item_id).await {
            let item_id = item_id.to_owned();
            state.tell(match status {
                "ok" => ItemEvent::Repaired { user, item_id },
                _ => ItemEvent::LoginRequired { user, item_id },
            });
        }
    }
    let note = match stored {
        Some(Ok(true)) => format!("{kind} {code}: item {item} is now {}", status.unwrap_or_default()),
        Some(Ok(false)) => format!("{kind} {code}: no item {item} here"),
        Some(Err(e)) => format!("{kind} {code}: item {item} not updated ({e})"),
        None => format!("{kind} {code}: nothing to do"),
    };
    Ok(answer(StatusCode::OK, json!({ "received": true }), note))
}

/// The user of the app's own item or link token a webhook names, if it names one (before it is
/// verified: only for the key-fetch reserve, see `crate::webhooks`).
async fn named_user(state: &Shared, body: &[u8]) -> Option<String> {
    let hook: serde_json::Value = serde_json::from_slice(body).ok()?;
    let named = |field: &str| hook[field].as_str().filter(|v| !v.is_empty() && crate::shape::code_like(v));
    if let Some(item_id) = named("item_id") {
        if let Ok(Some(user)) = state.store.item_owner(item_id).await {
            return Some(user);
        }
    }
    let link_token = named("link_token")?;
    state.store.link_token_owner(link_token, crate::unix_now()).await.ok().flatten()
}

/// A Link session ended (Multi-Item Link): its banks are added for the user its link token was
/// made for, unless the page's own call did it first (`sessions.rs`).
async fn session_finished(state: &Shared, body: &[u8]) -> Response {
    let Ok(hook) = serde_json::from_slice::<SessionFinishedWebhook>(body) else {
        return answer(
            StatusCode::OK,
            json!({ "received": true }),
            "LINK SESSION_FINISHED: not in Plaid's shape",
        );
    };
    let session = clip(&hook.link_session_id);
    let owner = match state.store.link_token_owner(&hook.link_token, crate::unix_now()).await {
        Ok(Some(owner)) => owner,
        Ok(None) => {
            let note = format!("LINK SESSION_FINISHED: session {session}'s link token was not made here");
            return answer(StatusCode::OK, json!({ "received": true }), note);
        }
        Err(e) => {
            // Plaid sends it again.
            return Failure::store(&e).into_response();
        }
    };
    // The webhook names the session's own link token, made for `owner`: one read of it is enough.
    // A 5xx makes Plaid send the webhook again; anything else is done (or will never be).
    match finish_session(state, &owner, Sessions::Named(&hook.link_session_id), &hook.link_token).await {
        Ok((_, _, note)) => {
            answer(StatusCode::OK, json!({ "received": true }), format!("LINK SESSION_FINISHED: {note}"))
        }
        Err(failure) => failure.into_response(),
    }
}
