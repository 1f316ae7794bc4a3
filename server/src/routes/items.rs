//! The user's items: `GET /api/items` (the list a page shows, with a "Reconnect" where a login
//! broke), `POST /api/item_updated` (after update mode), `DELETE /api/items/{item_id}` (unlink), and
//! in sandbox and local mode `POST /api/items/{item_id}/reset_login` (break a login, to try update
//! mode). Another user's item, or none, is a 404 alike, so that ids cannot be probed.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use super::link_session_id;
use crate::events::ItemEvent;
use crate::failure::{answer, Failure, Note};
use crate::logging::clip;
use crate::plaid::client::PlaidCallError;
use crate::service::owned_access_token;
use crate::state::Shared;
use crate::user::{Caller, LinkUser};

/// The user's items.
pub(super) async fn list<U: LinkUser>(
    State(state): State<Shared>,
    caller: Caller<U>,
) -> Result<Response, Failure> {
    let items = state.store.items_of(&caller.id).await.map_err(|e| Failure::store(&e))?;
    let items: Vec<_> = items.iter().map(item_view).collect();
    Ok(answer(StatusCode::OK, json!({ "items": items }), format!("{} items", items.len())))
}

/// An item as the browser may see it.
fn item_view(item: &crate::store::OwnedItem) -> serde_json::Value {
    let institution = match (&item.institution_id, &item.institution_name) {
        (Some(id), Some(name)) => json!({ "institution_id": id, "name": name }),
        _ => serde_json::Value::Null,
    };
    let accounts: serde_json::Value = serde_json::from_str(&item.accounts).unwrap_or_else(|_| json!([]));
    json!({ "item_id": item.item_id, "institution": institution, "accounts": accounts, "status": item.status })
}

/// The accounts worth keeping for the list: names and masks, bounded, never balances.
pub(crate) fn account_summaries<'a>(accounts: impl Iterator<Item = AccountSummary<'a>>) -> String {
    let clip = |s: Option<&str>| s.map(|s| s.chars().take(100).collect::<String>());
    let accounts: Vec<_> = accounts
        .take(MAX_ACCOUNTS)
        .map(|a| {
            json!({ "id": clip(Some(a.id)), "name": clip(Some(a.name)), "mask": clip(a.mask),
                    "type": clip(a.kind), "subtype": clip(a.subtype) })
        })
        .collect();
    serde_json::Value::from(accounts).to_string()
}

const MAX_ACCOUNTS: usize = 50;

pub(crate) struct AccountSummary<'a> {
    id: &'a str,
    name: &'a str,
    mask: Option<&'a str>,
    kind: Option<&'a str>,
    subtype: Option<&'a str>,
}

impl<'a> AccountSummary<'a> {
    /// From the browser's `onSuccess` metadata (`{id, name, mask, type, subtype}`).
    pub(crate) fn from_link(a: &'a serde_json::Value) -> Option<Self> {
        Some(Self {
            id: a["id"].as_str()?,
            name: a["name"].as_str().unwrap_or(""),
            mask: a["mask"].as_str(),
            kind: a["type"].as_str(),
            subtype: a["subtype"].as_str(),
        })
    }

    /// From Plaid's `/accounts/get`.
    fn from_plaid(a: &'a crate::plaid::types::Account) -> Self {
        Self {
            id: &a.account_id,
            name: &a.name,
            mask: a.mask.as_deref(),
            kind: Some(&a.kind),
            subtype: a.subtype.as_deref(),
        }
    }
}

/// After update mode: no token comes (the access token has not changed).
#[derive(Deserialize)]
struct ItemUpdatedBody {
    item_id: String,
    #[serde(default)]
    link_session_id: String,
}

/// The backend asks Plaid for the item's accounts, which also says whether its login works again,
/// and records both.
pub(super) async fn updated<U: LinkUser>(
    State(state): State<Shared>,
    caller: Caller<U>,
    body: axum::body::Bytes,
) -> Result<Response, Failure> {
    let request: ItemUpdatedBody = serde_json::from_slice(&body).map_err(|_| Failure::not_json())?;
    let link_session = link_session_id(&request.link_session_id)?;
    let item = request.item_id.as_str();
    let access_token = owned_access_token(&state, &caller.id, item).await?;
    let (status, accounts) = match state.plaid.accounts_get(&access_token).await {
        Ok(answer) => ("ok", Some(account_summaries(answer.accounts.iter().map(AccountSummary::from_plaid)))),
        Err(PlaidCallError::Plaid { error, .. }) if error.error_code == "ITEM_LOGIN_REQUIRED" => {
            ("login_required", None)
        }
        Err(e) => {
            return Err(Failure::new(
                StatusCode::BAD_GATEWAY,
                "We could not reach Plaid. Please try again.",
                &e.to_string(),
            ))
        }
    };
    let stored = match &accounts {
        Some(accounts) => state.store.set_item_accounts(item, accounts, status).await,
        None => state.store.set_item_status(item, status).await,
    };
    stored.map_err(|e| Failure::store(&e))?;
    let note = format!("item {} is {status} (session {link_session})", clip(item));
    let (user, item_id) = (caller.id.clone(), item.to_owned());
    state.tell(match status {
        "ok" => ItemEvent::Repaired { user, item_id },
        _ => ItemEvent::LoginRequired { user, item_id },
    });
    if status != "ok" {
        return Err(Failure::new(
            StatusCode::CONFLICT,
            "Your bank still asks you to sign in. Please reconnect again.",
            &note,
        ));
    }
    let accounts: serde_json::Value =
        accounts.and_then(|a| serde_json::from_str(&a).ok()).unwrap_or_else(|| json!([]));
    Ok(answer(StatusCode::OK, json!({ "item_id": item, "status": status, "accounts": accounts }), note))
}

/// Sandbox and the local stand-in only: breaks the login of one of the user's items, as a bank
/// would (Plaid's `/sandbox/item/reset_login`), so that update mode can be tried. Production has no
/// such call: there it is a 404.
pub(super) async fn reset_login<U: LinkUser>(
    State(state): State<Shared>,
    Path(item_id): Path<String>,
    caller: Caller<U>,
) -> Result<Response, Failure> {
    if state.token_environment == "production" {
        return Err(Failure::new(StatusCode::NOT_FOUND, "Not found.", "no sandbox in production"));
    }
    let access_token = owned_access_token(&state, &caller.id, &item_id).await?;
    if let Err(e) = state.plaid.sandbox_reset_login(&access_token).await {
        return Err(Failure::new(
            StatusCode::BAD_GATEWAY,
            "We could not reach Plaid. Please try again.",
            &e.to_string(),
        ));
    }
    // Plaid's ERROR webhook says the same a moment later; the list is right at once.
    let mut note = format!("item {} needs its login again", clip(&item_id));
    if let Err(e) = state.store.set_item_status(&item_id, "login_required").await {
        note = format!("{note}; not marked here: {e}");
    }
    state.tell(ItemEvent::LoginRequired { user: caller.id, item_id: item_id.clone() });
    Ok(answer(StatusCode::OK, json!({ "item_id": item_id, "status": "login_required" }), note))
}

/// Unlinks an item of the user's own: `/item/remove` at Plaid (it stops billing), then the row.
pub(super) async fn delete<U: LinkUser>(
    State(state): State<Shared>,
    Path(item_id): Path<String>,
    caller: Caller<U>,
) -> Result<Response, Failure> {
    let access_token = owned_access_token(&state, &caller.id, &item_id).await?;
    match state.plaid.item_remove(&access_token).await {
        Ok(_) => {}
        // Already gone at Plaid: forgetting it here is all that is left to do.
        Err(PlaidCallError::Plaid { error, .. }) if error.error_code == "ITEM_NOT_FOUND" => {}
        Err(e) => {
            return Err(Failure::new(
                StatusCode::BAD_GATEWAY,
                "We could not reach Plaid. Please try again.",
                &e.to_string(),
            ))
        }
    }
    // Removed at Plaid: trying again finds it gone there, and forgets the row.
    state.store.delete_item(&item_id).await.map_err(|e| Failure::store(&e))?;
    state.tell(ItemEvent::Removed { user: caller.id, item_id: item_id.clone() });
    let mut response = StatusCode::NO_CONTENT.into_response();
    response.extensions_mut().insert(Note(format!("item {} removed", clip(&item_id))));
    Ok(response)
}
