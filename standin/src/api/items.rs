//! Items: `/item/public_token/exchange`, `/accounts/get` (and `/accounts/balance/get`),
//! `/item/get`, `/item/webhook/update` and `/item/remove`.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::{item_of, item_view};
use crate::errors::{error, internal, invalid_access_token};
use crate::request::Plaid;
use crate::state::{id, token, Standin};
use crate::types::{
    AccessTokenRequest, AccountsGetResponse, ItemGetResponse, ItemRemoveResponse, ItemWebhookUpdateRequest,
    ItemWebhookUpdateResponse, PlaidError, PublicTokenExchangeRequest, PublicTokenExchangeResponse,
};

pub(crate) async fn exchange(
    State(standin): State<Arc<Standin>>,
    Plaid(request): Plaid<PublicTokenExchangeRequest>,
) -> Response {
    if !request.public_token.starts_with("public-") {
        return error(
            StatusCode::BAD_REQUEST,
            "INVALID_INPUT",
            "INVALID_PUBLIC_TOKEN",
            "provided public token is in an invalid format. expected format: public-<environment>-<identifier>",
            None,
        );
    }
    let (access_token, item_id) = match spend(&standin, &request.public_token) {
        Ok(spent) => spent,
        Err(e) => return e,
    };
    let delay = standin.exchange_delay_ms.load(std::sync::atomic::Ordering::Relaxed);
    if delay > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(delay)).await;
    }
    Json(PublicTokenExchangeResponse { access_token, item_id, request_id: id(15) }).into_response()
}

/// Spends a public token: the new access token, and its item.
fn spend(standin: &Standin, public_token: &str) -> Result<(String, String), Response> {
    let now = standin.now();
    let mut books = standin.books.lock().map_err(|_| internal())?;
    let item_id = match books.public_tokens.get_mut(public_token) {
        Some(record) if !record.used && record.expires_at > now => {
            record.used = true;
            record.item_id.clone()
        }
        _ => {
            return Err(error(
                StatusCode::BAD_REQUEST,
                "INVALID_INPUT",
                "INVALID_PUBLIC_TOKEN",
                "provided public token is expired. Public tokens expire 30 minutes after creation at which point they can no longer be exchanged",
                None,
            ))
        }
    };
    let access_token = token("access");
    books.access_tokens.insert(access_token.clone(), item_id.clone());
    books.exchanges += 1;
    Ok((access_token, item_id))
}

/// `/accounts/get`, and `/accounts/balance/get`, which answers the same shape with live balances.
pub(crate) async fn accounts(
    State(standin): State<Arc<Standin>>,
    Plaid(request): Plaid<AccessTokenRequest>,
) -> Response {
    let Ok(books) = standin.books.lock() else {
        return invalid_access_token();
    };
    let (item_id, item) = match item_of(&books, &request.access_token) {
        Ok(found) => found,
        Err(e) => return e,
    };
    // An item whose login broke answers its error until the user repairs it in update mode.
    if let Some(e) = &item.error {
        return (StatusCode::BAD_REQUEST, Json(PlaidError { request_id: id(15), ..e.clone() }))
            .into_response();
    }
    Json(AccountsGetResponse {
        accounts: item.accounts.clone(),
        item: item_view(item_id, item),
        request_id: id(15),
    })
    .into_response()
}

/// `/item/get`.
pub(crate) async fn get(
    State(standin): State<Arc<Standin>>,
    Plaid(request): Plaid<AccessTokenRequest>,
) -> Response {
    let Ok(books) = standin.books.lock() else {
        return invalid_access_token();
    };
    match item_of(&books, &request.access_token) {
        Ok((item_id, item)) => {
            Json(ItemGetResponse { item: item_view(item_id, item), status: None, request_id: id(15) })
                .into_response()
        }
        Err(e) => e,
    }
}

pub(crate) async fn remove(
    State(standin): State<Arc<Standin>>,
    Plaid(request): Plaid<AccessTokenRequest>,
) -> Response {
    let Ok(mut books) = standin.books.lock() else {
        return invalid_access_token();
    };
    if let Err(e) = item_of(&books, &request.access_token) {
        return e;
    }
    if let Some(item_id) = books.access_tokens.remove(&request.access_token) {
        books.items.remove(&item_id);
        // Remembered (within the stand-in's bounds) so that later calls get ITEM_NOT_FOUND.
        if books.removed.len() < standin.config.max_records {
            books.removed.insert(request.access_token);
        }
    }
    Json(ItemRemoveResponse { request_id: id(15) }).into_response()
}

/// `/item/webhook/update`: the item's webhooks go to the new URL from now on, and the first one,
/// `WEBHOOK_UPDATE_ACKNOWLEDGED`, says so there.
pub(crate) async fn webhook_update(
    State(standin): State<Arc<Standin>>,
    Plaid(request): Plaid<ItemWebhookUpdateRequest>,
) -> Response {
    let Ok(mut books) = standin.books.lock() else {
        return invalid_access_token();
    };
    let item_id = match item_of(&books, &request.access_token) {
        Ok((item_id, _)) => item_id.clone(),
        Err(e) => return e,
    };
    let Some(item) = books.items.get_mut(&item_id) else {
        return internal();
    };
    item.webhook = request.webhook.clone();
    let view = item_view(&item_id, item);
    drop(books);
    let fields = serde_json::json!({ "new_webhook_url": request.webhook, "error": null });
    let acknowledged = crate::webhooks::webhook_body("ITEM", "WEBHOOK_UPDATE_ACKNOWLEDGED", &item_id, fields);
    standin.send_webhook(request.webhook, acknowledged);
    Json(ItemWebhookUpdateResponse { item: view, request_id: id(15) }).into_response()
}
