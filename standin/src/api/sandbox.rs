//! The sandbox's own endpoints: `/sandbox/item/reset_login` and `/sandbox/item/fire_webhook`.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use super::item_of;
use crate::errors::{error, invalid_access_token, item_not_found, plaid_error};
use crate::request::authenticated;
use crate::state::{id, ItemRecord, Standin};
use crate::types::{AccessTokenRequest, PlaidError, SandboxFireWebhookRequest};

/// Changes the item an access token opens; its webhook URL and id, or Plaid's error.
fn update_item(
    standin: &Standin,
    access_token: &str,
    change: impl FnOnce(&mut ItemRecord),
) -> Result<(Option<String>, String), Response> {
    let mut books = standin.books.lock().map_err(|_| invalid_access_token())?;
    let item_id = item_of(&books, access_token)?.0.clone();
    let item = books.items.get_mut(&item_id).ok_or_else(item_not_found)?;
    change(item);
    Ok((item.webhook.clone(), item_id))
}

/// An ITEM webhook's body, as Plaid sends it.
fn item_webhook(code: &str, item_id: &str, error: Option<&PlaidError>) -> serde_json::Value {
    json!({ "webhook_type": "ITEM", "webhook_code": code, "item_id": item_id, "error": error, "environment": "sandbox" })
}

/// `/sandbox/item/reset_login`: the item needs its user to sign in again (ITEM_LOGIN_REQUIRED),
/// and its webhook says so.
pub(crate) async fn reset_login(
    State(standin): State<Arc<Standin>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let request: AccessTokenRequest = match authenticated(&standin, &headers, &body) {
        Ok(r) => r,
        Err(e) => return e,
    };
    let login_required = plaid_error(
        StatusCode::BAD_REQUEST,
        "ITEM_ERROR",
        "ITEM_LOGIN_REQUIRED",
        "the login details of this item have changed (credentials, MFA, or required user action) and a user login is required to update this information. use Link's update mode to restore the item to a good state",
        None,
    );
    let (webhook, item_id) = match update_item(&standin, &request.access_token, |item| {
        item.error = Some(login_required.clone());
    }) {
        Ok(found) => found,
        Err(e) => return e,
    };
    standin.send_webhook(webhook, item_webhook("ERROR", &item_id, Some(&login_required)));
    Json(json!({ "reset_login": true, "request_id": id(15) })).into_response()
}

/// `/sandbox/item/fire_webhook`: sends an ITEM webhook; `LOGIN_REPAIRED` also repairs the item.
pub(crate) async fn fire_webhook(
    State(standin): State<Arc<Standin>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let request: SandboxFireWebhookRequest = match authenticated(&standin, &headers, &body) {
        Ok(r) => r,
        Err(e) => return e,
    };
    if request.webhook_type.as_deref().is_some_and(|t| t != "ITEM") {
        return error(
            StatusCode::BAD_REQUEST,
            "INVALID_REQUEST",
            "INVALID_FIELD",
            "webhook_type must be ITEM",
            None,
        );
    }
    let (webhook, item_id) = match update_item(&standin, &request.access_token, |item| {
        if request.webhook_code == "LOGIN_REPAIRED" {
            item.error = None;
        }
    }) {
        Ok(found) => found,
        Err(e) => return e,
    };
    standin.send_webhook(webhook, item_webhook(&request.webhook_code, &item_id, None));
    Json(json!({ "webhook_fired": true, "request_id": id(15) })).into_response()
}
