//! The one way a request is answered or refused: a JSON body, its status, and a note for the
//! request's log line (never a token, a secret or a session id).

use std::time::Duration;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// How long a client should wait before trying again after a store failure.
const STORE_RETRY_AFTER: Duration = Duration::from_secs(2);

/// What a handler tells the request's log line (never a token, a secret or a session id).
#[derive(Clone)]
pub struct Note(pub String);

/// A JSON answer, with its log line's note. A 503 (a store or a first request still at work, as a
/// recorded outcome too) says when to try again.
pub fn answer(status: StatusCode, body: serde_json::Value, note: impl Into<String>) -> Response {
    let mut response = (status, Json(body)).into_response();
    response.extensions_mut().insert(Note(note.into()));
    if status == StatusCode::SERVICE_UNAVAILABLE {
        response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(STORE_RETRY_AFTER.as_secs()));
    }
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

    /// 503 with `Retry-After`: the database did not answer (an outage, a full pool). Not the user's
    /// doing, and likely to pass: the component tries again, and nothing is lost or misread as
    /// "no session" or "no items".
    pub fn store(e: &crate::store::StoreError) -> Self {
        Self::unavailable(&format!("store: {e}"))
    }

    /// 503 with `Retry-After`, for a store the library cannot reach (`note` says which).
    pub fn unavailable(note: &str) -> Self {
        Self {
            retry_after: Some(STORE_RETRY_AFTER),
            ..Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "We could not reach our records right now. Please try again in a moment.",
                note,
            )
        }
    }

    /// 503: another request holds the claim on this work past the wait (`crate::lease`); the
    /// component tries again, by which time it is answered or taken over.
    pub fn still_saving(note: &str) -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "We are still saving your connection. Please wait a moment.",
            note,
        )
    }

    /// The same, saying when to try again.
    pub fn retry_after(self, wait: Duration) -> Self {
        Self { retry_after: Some(wait), ..self }
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
    pub fn into_outcome(self) -> crate::routes::idempotent::Outcome {
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

/// Why a call of the app's ([`crate::PlaidLink::link_token`]) was refused: an HTTP status for the
/// app's own answer, and a message for the user (`Display`). What went wrong in detail is in the
/// log line.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Refused {
    status: u16,
    message: &'static str,
}

impl Refused {
    /// 401, 404, 429, 502…
    pub fn status(&self) -> u16 {
        self.status
    }
}

impl From<&Failure> for Refused {
    fn from(failure: &Failure) -> Self {
        Self { status: failure.status.as_u16(), message: failure.message }
    }
}
