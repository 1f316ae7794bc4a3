//! Link sessions that end in success without a public token in `onSuccess` — Multi-Item Link
//! (several banks; their public tokens come through `/link/token/get` and the `SESSION_FINISHED`
//! webhook) and Identity Verification (none at all) — and the reports of sessions that end in an
//! error.
//!
//! `POST /api/link_session_finished` (`{link_session_id, …}`, retried with an `Idempotency-Key`)
//! and the verified `LINK` `SESSION_FINISHED` webhook do the same work, whichever comes first: read
//! the session through `/link/token/get`, with a link token made for this very user (a link token
//! is only ever read for the session that owns it), and add each bank as the exchange does
//! (duplicates refused). Each public token is claimed before it is exchanged, so the two paths,
//! racing or not, exchange it once between them. `POST /api/link_exit` logs an `onExit` error.

use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use super::exchange::add_item;
use super::idempotent::{self, Outcome};
use super::{answer, code_like, link_session_id, Failure, Shared};
use crate::logging::clip;
use crate::plaid::types::ItemAddResult;
use crate::session::Issued;

#[derive(Deserialize)]
struct FinishedBody {
    link_session_id: String,
}

/// `POST /api/link_session_finished`.
pub async fn finished(
    State(state): State<Shared>,
    Issued(session): Issued,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let request = match serde_json::from_slice::<FinishedBody>(&body) {
        Ok(request) => request,
        Err(_) => return Failure::not_json().into_response(),
    };
    if let Err(failure) = link_session_id(&request.link_session_id) {
        return failure.into_response();
    }
    let key = idempotent::key(&headers);
    let user = session.plaid_user_id;
    // As the exchange: once public tokens are being exchanged, the work finishes without its client.
    let work = tokio::spawn(async move {
        let finish = || async {
            let session = &request.link_session_id;
            // The page names only its Link session: it is looked for among this user's link tokens.
            let finished = match state.store.link_tokens_of(&user, crate::unix_now()).await {
                Ok(tokens) => finish_session(&state, &user, session, &tokens).await,
                Err(e) => Err(store_failed(&e)),
            };
            finished.unwrap_or_else(Failure::into_outcome)
        };
        idempotent::once(&state, &user, key.as_deref(), &body, finish).await
    });
    work.await.unwrap_or_else(|_| internal("the session's task failed").into_response())
}

/// What a finished session added for `user`: `{items, duplicates, verified}`. The session is read
/// through `/link/token/get` with `link_tokens`, which must all have been made for `user`.
pub(super) async fn finish_session(
    state: &Shared,
    user: &str,
    session_id: &str,
    link_tokens: &[String],
) -> Result<Outcome, Failure> {
    let mut found = None;
    for link_token in link_tokens {
        let got = state.plaid.link_token_get(link_token).await.map_err(|e| {
            Failure::new(
                StatusCode::BAD_GATEWAY,
                "We could not reach Plaid. Please try again.",
                &e.to_string(),
            )
        })?;
        if let Some(session) = got.link_sessions.into_iter().find(|s| s.link_session_id == session_id) {
            found = Some((got.metadata, session));
            break;
        }
    }
    let Some((metadata, session)) = found else {
        return Err(Failure::new(
            StatusCode::NOT_FOUND,
            "This connection was not found. Please connect your bank again.",
            &format!("no link token of this session has Link session {}", clip(session_id)),
        ));
    };
    let added = session.results.map(|r| r.item_add_results).unwrap_or_default();
    let (mut items, mut duplicates) = (Vec::new(), Vec::new());
    for result in &added {
        match add_once(state, user, result, session_id).await {
            Ok(item_id) => {
                items.push(json!({ "item_id": item_id, "institution": { "name": result.institution.name } }))
            }
            Err(failure) => match failure.parts().1.get("duplicate") {
                Some(duplicate) => duplicates.push(duplicate.clone()),
                None => return Err(failure),
            },
        }
    }
    let verified = added.is_empty() && metadata.initial_products.iter().any(|p| p == "identity_verification");
    let note = format!(
        "Link session {}: {} items, {} duplicates{}",
        clip(session_id),
        items.len(),
        duplicates.len(),
        if verified { ", identity verified" } else { "" }
    );
    Ok((StatusCode::OK, json!({ "items": items, "duplicates": duplicates, "verified": verified }), note))
}

/// How long the second path waits for the first to store a bank it claimed.
const CLAIMED_WAIT: Duration = Duration::from_secs(20);

/// One bank of the session, added once whichever path asks: the first to claim its public token
/// exchanges it; another waits for the item it became.
async fn add_once(
    state: &Shared,
    user: &str,
    result: &ItemAddResult,
    session_id: &str,
) -> Result<String, Failure> {
    let token = result.public_token.as_str();
    let claimed =
        state.store.claim_public_token(token, user, crate::unix_now()).await.map_err(|e| store_failed(&e))?;
    if !claimed {
        let deadline = tokio::time::Instant::now() + CLAIMED_WAIT;
        while tokio::time::Instant::now() < deadline {
            if let Some(item_id) = state.store.public_token_item(token).await.map_err(|e| store_failed(&e))? {
                return Ok(item_id);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        return Err(Failure::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "We are still saving your connection. Please wait a moment.",
            "another request is still adding this bank",
        ));
    }
    let institution = Some((result.institution.institution_id.as_str(), result.institution.name.as_str()));
    let accounts = serde_json::to_value(&result.accounts).unwrap_or_default();
    match add_item(state, user, token, institution, &accounts, session_id).await {
        Ok((item_id, _)) => {
            state.store.set_public_token_item(token, &item_id).await.map_err(|e| store_failed(&e))?;
            Ok(item_id)
        }
        Err(failure) => {
            // Not added: the next path (or retry) looks again.
            let _ = state.store.release_public_token(token).await;
            Err(failure)
        }
    }
}

/// An `onExit` error, as the page reports it: Plaid's codes and ids, nothing a user typed.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExitReport {
    error_type: Option<String>,
    error_code: Option<String>,
    request_id: Option<String>,
    link_session_id: Option<String>,
    institution_id: Option<String>,
    status: Option<String>,
}

/// `POST /api/link_exit`: one structured log line per report, for a team to watch Link's errors.
pub async fn exit_report(body: axum::body::Bytes) -> Result<Response, Failure> {
    let report: ExitReport = serde_json::from_slice(&body).map_err(|_| Failure::not_json())?;
    let fields = [
        &report.error_type,
        &report.error_code,
        &report.request_id,
        &report.link_session_id,
        &report.institution_id,
        &report.status,
    ];
    // Codes and ids only: a value of another shape is refused, so that no text reaches the log.
    if !fields.iter().all(|v| v.as_deref().is_none_or(code_like)) {
        return Err(Failure::not_json());
    }
    let field = |v: &Option<String>| v.clone().unwrap_or_default();
    tracing::info!(
        error_type = field(&report.error_type),
        error_code = field(&report.error_code),
        request_id = field(&report.request_id),
        link_session_id = field(&report.link_session_id),
        institution_id = field(&report.institution_id),
        status = field(&report.status),
        "link_exit"
    );
    Ok(answer(StatusCode::ACCEPTED, json!({}), "exit report logged"))
}

fn store_failed(e: &crate::store::StoreError) -> Failure {
    internal(&format!("store: {e}"))
}

fn internal(note: &str) -> Failure {
    Failure::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Your bank connections could not be saved right now. Please try again later.",
        note,
    )
}
