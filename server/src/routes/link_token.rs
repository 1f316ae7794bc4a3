//! `POST /api/link_token`: a link token for the app's signed-in user, with only the configured
//! products (least privilege); or, for `{"item_id", "account_selection"}`, update mode for an item
//! the user owns (checked before Plaid is asked anything: another user's item is a 404 and no call).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use crate::failure::{answer, Failure};
use crate::service::{self, LinkTokenFor};
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
    let wanted = LinkTokenFor {
        update_item: request.item_id,
        account_selection: request.account_selection,
        multi_item: request.multi_item,
    };
    let (made, note) = service::link_token(state, user, &wanted).await?;
    Ok(answer(StatusCode::OK, json!({ "link_token": made.link_token, "expiration": made.expiration }), note))
}
