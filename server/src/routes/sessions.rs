//! Link sessions that end in success without a public token in `onSuccess` — Multi-Item Link
//! (several banks; their public tokens come through `/link/token/get` and the `SESSION_FINISHED`
//! webhook) and Identity Verification (none at all) — and the reports of sessions that end in an
//! error.
//!
//! `POST /api/link_session_finished` (`{link_session_id, link_token, …}`, retried with an
//! `Idempotency-Key`)
//! and the verified `LINK` `SESSION_FINISHED` webhook do the same work, whichever comes first: read
//! the session through `/link/token/get`, with a link token made for this very user (a link token
//! is only ever read for the session that owns it), and add each bank as the exchange does
//! (duplicates refused). Each public token is claimed before it is exchanged, so the two paths,
//! racing or not, exchange it once between them.
//!
//! `POST /api/hosted_link_finished` (`{link_token}`) is the page's side of Hosted Link, whose page
//! is Plaid's and never tells the app's page a session id: every finished session of the token is
//! finished the same way (the webhook may have done it already), or `{"finished": false}` while the
//! user is still in Link. `POST /api/link_exit` logs an `onExit` error.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use super::idempotent;
use super::link_session_id;
use crate::failure::{answer, Failure};
use crate::service::{finish_session, Sessions};
use crate::shape::code_like;
use crate::state::Shared;
use crate::user::{Caller, LinkUser};

#[derive(Deserialize)]
struct FinishedBody {
    link_session_id: String,
    /// The link token the page opened Link with: the one read of Plaid this call makes.
    #[serde(default)]
    link_token: String,
}

/// `POST /api/link_session_finished`.
pub(super) async fn finished<U: LinkUser>(
    State(state): State<Shared>,
    caller: Caller<U>,
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
    if !is_link_token(&request.link_token) {
        return Failure::not_understood("link_token is not a link token").into_response();
    }
    let key = idempotent::key(&headers);
    let user = caller.id;
    // As the exchange: once public tokens are being exchanged, the work finishes without its client.
    let work = tokio::spawn(async move {
        let finish = || async {
            let (session, link_token) = (Sessions::Named(&request.link_session_id), &request.link_token);
            finish_own(&state, &user, session, link_token).await.unwrap_or_else(Failure::into_outcome)
        };
        idempotent::once(&state, &user, key.as_deref(), &body, finish).await
    });
    work.await.unwrap_or_else(|_| internal("the session's task failed").into_response())
}

#[derive(Deserialize)]
struct HostedBody {
    link_token: String,
}

/// `POST /api/hosted_link_finished`: what the user's Hosted Link sessions added, once they are
/// back. Asking again is harmless: each bank is added once, and found the next time.
pub(super) async fn hosted_finished<U: LinkUser>(
    State(state): State<Shared>,
    caller: Caller<U>,
    body: axum::body::Bytes,
) -> Response {
    let Ok(request) = serde_json::from_slice::<HostedBody>(&body) else {
        return Failure::not_json().into_response();
    };
    if !is_link_token(&request.link_token) {
        return Failure::not_understood("link_token is not a link token").into_response();
    }
    let user = caller.id;
    let work = tokio::spawn(async move {
        let finished = finish_own(&state, &user, Sessions::Finished, &request.link_token).await;
        let (status, body, note) = finished.unwrap_or_else(Failure::into_outcome);
        answer(status, body, note)
    });
    work.await.unwrap_or_else(|_| internal("the session's task failed").into_response())
}

fn is_link_token(raw: &str) -> bool {
    code_like(raw) && raw.starts_with("link-")
}

/// [`finish_session`] for a link token the page names, read only if it was made for this user: one
/// call to Plaid per call of the page's, however many tokens came since.
async fn finish_own(
    state: &Shared,
    user: &str,
    which: Sessions<'_>,
    link_token: &str,
) -> Result<idempotent::Outcome, Failure> {
    match state.store.link_token_owner(link_token, crate::unix_now()).await {
        Ok(Some(owner)) if owner == user => finish_session(state, user, which, link_token).await,
        Ok(_) => Err(Failure::new(
            StatusCode::NOT_FOUND,
            "This connection was not found. Please connect your bank again.",
            "the link token was not made here for this user",
        )),
        Err(e) => Err(Failure::store(&e)),
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
pub(super) async fn exit_report(body: axum::body::Bytes) -> Result<Response, Failure> {
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

fn internal(note: &str) -> Failure {
    Failure::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Your bank connections could not be saved right now. Please try again later.",
        note,
    )
}
