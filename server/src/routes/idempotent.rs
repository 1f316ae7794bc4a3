//! A call that is done once however often the browser sends it (`Idempotency-Key`, see
//! `idempotency.rs`): the exchange and the session-finished call. The first request with a key
//! does the work and records its answer; a repeat, on this instance or another, gets that answer.

use std::future::Future;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::failure::{answer, Failure};
use crate::idempotency::{self, Decision};
use crate::lease;
use crate::state::Shared;

/// The work's answer: its status, the body the browser may see, and the log line's note.
pub type Outcome = (StatusCode, serde_json::Value, String);

/// Runs `work` once for `key` (always, without one), and answers.
pub async fn once<F, W>(state: &Shared, user: &str, key: Option<&str>, body: &[u8], work: W) -> Response
where
    W: FnOnce() -> F,
    F: Future<Output = Outcome>,
{
    let Some(key) = key else {
        let (status, body, note) = work().await;
        return answer(status, body, note);
    };
    let decision = match idempotency::claim(&state.store, user, key, body).await {
        Ok(decision) => decision,
        Err(e) => return Failure::store(&e).into_response(),
    };
    let refused = match decision {
        Decision::Work(taken_over) => return claimed(state, user, key, work, taken_over).await,
        Decision::Answer(status, body) => {
            return answer(status, body, "repeated Idempotency-Key: answered again, not done again")
        }
        Decision::Mismatch => Failure::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "The request was not understood.",
            "Idempotency-Key reused with another body",
        ),
        Decision::TooMany => Failure::new(
            StatusCode::TOO_MANY_REQUESTS,
            "Too many attempts. Please wait a moment, then try again.",
            "too many idempotency keys for one session",
        ),
        Decision::StillWorking => {
            Failure::still_saving("the first request with this key is still being worked on")
        }
    };
    refused.into_response()
}

/// Does the work of a claimed key, renewing the claim meanwhile, and keeps its answer under the key.
/// `taken_over`: when the dead holder of this claim last renewed it, if it had one.
async fn claimed<F, W>(state: &Shared, user: &str, key: &str, work: W, taken_over: Option<u64>) -> Response
where
    W: FnOnce() -> F,
    F: Future<Output = Outcome>,
{
    let (status, body, note) = lease::holding(work(), || idempotency::renew(&state.store, user, key)).await;
    if let (Some(since), StatusCode::BAD_REQUEST) = (taken_over, status) {
        lease::outcome_lost(since, &note);
    }
    let note = match idempotency::finish(&state.store, user, key, status, &body).await {
        Ok(()) => note,
        Err(e) => format!("{note}; answer not kept under its key: {e}"),
    };
    answer(status, body, note)
}

/// A validated request's `Idempotency-Key`, if it has a usable one.
pub fn key(headers: &axum::http::HeaderMap) -> Option<String> {
    let key = headers.get("idempotency-key").and_then(|v| v.to_str().ok());
    key.filter(|k| !k.is_empty() && k.len() <= 128).map(str::to_owned)
}
