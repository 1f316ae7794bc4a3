//! `/webhook_verification_key/get`: the public JWK that verifies a webhook's `kid`.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use crate::errors::error;
use crate::request::Plaid;
use crate::state::{id, Standin};
use crate::types::WebhookVerificationKeyGetRequest;

/// `/webhook_verification_key/get`: the public JWK for a webhook's `kid`.
pub(crate) async fn get(
    State(standin): State<Arc<Standin>>,
    Plaid(request): Plaid<WebhookVerificationKeyGetRequest>,
) -> Response {
    standin.key_fetches.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    standin.key_fetches_meet.arrive().await;
    if request.key_id != standin.signer.kid {
        return error(
            StatusCode::BAD_REQUEST,
            "INVALID_INPUT",
            "INVALID_WEBHOOK_VERIFICATION_KEY_ID",
            "invalid key_id provided",
            None,
        );
    }
    Json(json!({ "key": standin.signer.jwk, "request_id": id(15) })).into_response()
}
