//! `POST /api/link_token`: a link token for the app's signed-in user, with only the configured
//! products (least privilege); or, for `{"item_id", "account_selection"}`, update mode for an item
//! the user owns (checked before Plaid is asked anything: another user's item is a 404 and no call).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use crate::failure::{answer, Failure};
use crate::logging::clip;
use crate::plaid::client::{LinkMode, UpdateMode};
use crate::service::owned_access_token;
use crate::state::Shared;
use crate::user::{Caller, LinkUser};

/// The request: `{}` for a new item; `{"multi_item": true}` for several banks in one session
/// (Multi-Item Link); `{"item_id", "account_selection"}` for update mode. Other fields (a page's
/// own, see `PlaidLinkOptions::link_token_field`) are ignored here.
#[derive(Deserialize, Default)]
struct LinkTokenBody {
    item_id: Option<String>,
    #[serde(default)]
    account_selection: bool,
    #[serde(default)]
    multi_item: bool,
}

pub(super) async fn create<U: LinkUser>(
    State(state): State<Shared>,
    caller: Caller<U>,
    body: axum::body::Bytes,
) -> Response {
    link_token(&state, &caller.id, &body).await.unwrap_or_else(IntoResponse::into_response)
}

async fn link_token(state: &Shared, user: &str, body: &[u8]) -> Result<Response, Failure> {
    let request = if body.iter().all(u8::is_ascii_whitespace) {
        LinkTokenBody::default()
    } else {
        serde_json::from_slice::<LinkTokenBody>(body).map_err(|_| Failure::not_json())?
    };
    let access_token = match &request.item_id {
        Some(item_id) => Some(owned_access_token(state, user, item_id).await?),
        None => None,
    };
    let mode = match access_token.as_deref() {
        Some(access_token) => {
            LinkMode::Update(UpdateMode { access_token, account_selection: request.account_selection })
        }
        None if request.multi_item => LinkMode::MultiItem,
        None => LinkMode::NewItem,
    };
    let created = state
        .plaid
        .link_token_create(&state.client_name, user, &state.products, &state.country_codes, mode)
        .await
        .map_err(|e| {
            Failure::new(
                StatusCode::BAD_GATEWAY,
                "We could not start a bank connection right now. Please try again.",
                &e.to_string(),
            )
        })?;
    // Kept for the session that owns it: a session that ends without a public token in `onSuccess`
    // (Multi-Item Link, Identity Verification) is read through it.
    let kept = state.store.remember_link_token(user, &created.link_token, crate::unix_now()).await;
    let mut note = match (&request.item_id, mode) {
        (Some(item_id), _) => format!("update-mode link token created for item {}", clip(item_id)),
        (None, LinkMode::MultiItem) => "multi-item link token created".to_owned(),
        (None, _) => "link token created".to_owned(),
    };
    if let Err(e) = kept {
        note = format!("{note}; not kept for its session's end: {e}");
    }
    Ok(answer(
        StatusCode::OK,
        json!({ "link_token": created.link_token, "expiration": created.expiration }),
        note,
    ))
}
