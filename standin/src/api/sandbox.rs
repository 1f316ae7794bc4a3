//! The sandbox's own endpoints: `/sandbox/public_token/create` (an item without Link),
//! `/sandbox/item/reset_login` and `/sandbox/item/fire_webhook`.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use super::{item_of, rfc3339};
use crate::errors::{
    full, internal, invalid_access_token, invalid_institution, invalid_request, item_not_found, plaid_error,
};
use crate::request::Plaid;
use crate::state::{id, sandbox_accounts, token, ItemRecord, PublicTokenRecord, Standin};
use crate::types::{
    AccessTokenRequest, SandboxFireWebhookRequest, SandboxPublicTokenCreateRequest,
    SandboxPublicTokenCreateResponse,
};
use crate::webhooks::webhook_body;
use crate::PUBLIC_TOKEN_TTL_SECS;

/// `/sandbox/public_token/create`: an item at a sandbox institution, made as a good login through
/// Link would make it, and its public token.
pub(crate) async fn public_token_create(
    State(standin): State<Arc<Standin>>,
    Plaid(request): Plaid<SandboxPublicTokenCreateRequest>,
) -> Response {
    if !standin.config.institutions.iter().any(|i| i.institution_id == request.institution_id) {
        return invalid_institution("invalid institution_id provided");
    }
    let options = request.options;
    let username = options.override_username.as_deref().unwrap_or("user_good");
    let password = options.override_password.as_deref().unwrap_or("pass_good");
    if !crate::config::good_login(username, password) {
        return crate::errors::invalid_credentials();
    }
    let now = standin.now();
    let Ok(mut books) = standin.books.lock() else {
        return internal();
    };
    if !books.has_room(now, standin.config.max_records) {
        return full();
    }
    let item_id = id(37);
    let item = ItemRecord {
        institution_id: request.institution_id,
        accounts: sandbox_accounts(),
        products: request.initial_products,
        webhook: options.webhook,
        error: None,
    };
    books.items.insert(item_id.clone(), item);
    let public_token = token("public");
    let record = PublicTokenRecord { expires_at: now + PUBLIC_TOKEN_TTL_SECS, item_id, used: false };
    books.public_tokens.insert(public_token.clone(), record);
    Json(SandboxPublicTokenCreateResponse { public_token, request_id: id(15) }).into_response()
}

/// Changes the item an access token opens; its webhook URL, id and first account's id.
fn update_item(
    standin: &Standin,
    access_token: &str,
    change: impl FnOnce(&mut ItemRecord),
) -> Result<(Option<String>, String, String), Response> {
    let mut books = standin.books.lock().map_err(|_| invalid_access_token())?;
    let item_id = item_of(&books, access_token)?.0.clone();
    let item = books.items.get_mut(&item_id).ok_or_else(item_not_found)?;
    change(item);
    let account_id = item.accounts.first().map(|a| a.account_id.clone()).unwrap_or_default();
    Ok((item.webhook.clone(), item_id, account_id))
}

fn login_required() -> crate::types::PlaidError {
    plaid_error(
        StatusCode::BAD_REQUEST,
        "ITEM_ERROR",
        "ITEM_LOGIN_REQUIRED",
        "the login details of this item have changed (credentials, MFA, or required user action) and a user login is required to update this information. use Link's update mode to restore the item to a good state",
        None,
    )
}

/// `/sandbox/item/reset_login`: the item needs its user to sign in again (ITEM_LOGIN_REQUIRED),
/// and its webhook says so.
pub(crate) async fn reset_login(
    State(standin): State<Arc<Standin>>,
    Plaid(request): Plaid<AccessTokenRequest>,
) -> Response {
    let error = login_required();
    let (webhook, item_id, _) = match update_item(&standin, &request.access_token, |item| {
        item.error = Some(error.clone());
    }) {
        Ok(found) => found,
        Err(e) => return e,
    };
    standin.send_webhook(webhook, webhook_body("ITEM", "ERROR", &item_id, json!({ "error": error })));
    Json(json!({ "reset_login": true, "request_id": id(15) })).into_response()
}

/// The webhooks `/sandbox/item/fire_webhook` fires here, by code: their type, as Plaid sends them.
const FIRED: [(&str, &str); 8] = [
    ("ERROR", "ITEM"),
    ("LOGIN_REPAIRED", "ITEM"),
    ("NEW_ACCOUNTS_AVAILABLE", "ITEM"),
    ("PENDING_DISCONNECT", "ITEM"),
    ("USER_PERMISSION_REVOKED", "ITEM"),
    ("USER_ACCOUNT_REVOKED", "ITEM"),
    ("DEFAULT_UPDATE", "TRANSACTIONS"),
    ("SYNC_UPDATES_AVAILABLE", "TRANSACTIONS"),
];

/// `/sandbox/item/fire_webhook`: sends the webhook a code names, with the fields Plaid's body for
/// it has. `ERROR` breaks the item's login, `LOGIN_REPAIRED` repairs it.
pub(crate) async fn fire_webhook(
    State(standin): State<Arc<Standin>>,
    Plaid(request): Plaid<SandboxFireWebhookRequest>,
) -> Response {
    let code = request.webhook_code.as_str();
    let Some((_, kind)) = FIRED.iter().find(|(c, _)| *c == code) else {
        let fired: Vec<&str> = FIRED.iter().map(|(c, _)| *c).collect();
        let message =
            format!("webhook_code: the stand-in does not fire {code}; it fires {}", fired.join(", "));
        return invalid_request("INVALID_FIELD", &message);
    };
    if request.webhook_type.as_deref().is_some_and(|t| t != *kind) {
        return invalid_request("INVALID_FIELD", &format!("webhook_type: {code} is a {kind} webhook"));
    }
    let error = login_required();
    let (webhook, item_id, account_id) = match update_item(&standin, &request.access_token, |item| match code
    {
        "ERROR" => item.error = Some(error.clone()),
        "LOGIN_REPAIRED" => item.error = None,
        _ => {}
    }) {
        Ok(found) => found,
        Err(e) => return e,
    };
    let fields = match code {
        "ERROR" => json!({ "error": error }),
        "PENDING_DISCONNECT" => json!({
            "reason": "INSTITUTION_TOKEN_EXPIRATION",
            "disconnect_time": rfc3339(standin.now() + 7 * 24 * 60 * 60),
        }),
        "USER_ACCOUNT_REVOKED" => json!({ "account_id": account_id }),
        "DEFAULT_UPDATE" => json!({ "new_transactions": 0, "error": null }),
        "SYNC_UPDATES_AVAILABLE" => {
            json!({ "initial_update_complete": true, "historical_update_complete": true })
        }
        _ => json!({ "error": null }),
    };
    standin.send_webhook(webhook, webhook_body(kind, code, &item_id, fields));
    Json(json!({ "webhook_fired": true, "request_id": id(15) })).into_response()
}
