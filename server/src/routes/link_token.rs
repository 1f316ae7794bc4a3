//! `POST /api/link_token`: a link token for the app's signed-in user, with only the configured
//! products (least privilege); or, for `{"item_id", "account_selection"}`, update mode for an item
//! the user owns (checked before Plaid is asked anything: another user's item is a 404 and no call);
//! or, for `{"hosted_link": {"completion_redirect_uri"?}}`, a Hosted Link token, answered with its
//! `hosted_link_url`. Plaid's page sends the user to the completion URI, so only a page of the
//! calling page's own origin may be named there: never a way for another site to bounce a user
//! through Plaid to an address of its choosing.

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use crate::failure::{answer, Failure};
use crate::service::{self, HostedLink, LinkTokenFor};
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
    hosted_link: Option<HostedBody>,
}

#[derive(Deserialize, Default)]
struct HostedBody {
    completion_redirect_uri: Option<String>,
}

pub(super) async fn create<U: LinkUser>(
    State(state): State<Shared>,
    caller: Caller<U>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    link_token(&state, &caller.id, &headers, &body).await.unwrap_or_else(IntoResponse::into_response)
}

async fn link_token(
    state: &Shared,
    user: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Response, Failure> {
    let request = if body.iter().all(u8::is_ascii_whitespace) {
        LinkTokenBody::default()
    } else {
        serde_json::from_slice::<LinkTokenBody>(body).map_err(|_| Failure::not_json())?
    };
    let hosted = match request.hosted_link {
        Some(HostedBody { completion_redirect_uri: Some(uri) }) => {
            let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
            Some(HostedLink { completion_redirect_uri: Some(completion_uri(&uri, origin)?) })
        }
        Some(HostedBody { completion_redirect_uri: None }) => Some(HostedLink::default()),
        None => None,
    };
    let wanted = LinkTokenFor {
        update_item: request.item_id,
        account_selection: request.account_selection,
        multi_item: request.multi_item,
        hosted,
    };
    let (made, note) = service::link_token(state, user, &wanted).await?;
    let mut body = json!({ "link_token": made.link_token, "expiration": made.expiration });
    if let Some(url) = made.hosted_link_url {
        body["hosted_link_url"] = url.into();
    }
    Ok(answer(StatusCode::OK, body, note))
}

/// The completion URI, if it is a page of the calling page's own origin (`Origin`), over HTTPS, or
/// HTTP on this machine, with no fragment.
fn completion_uri(raw: &str, origin: Option<&str>) -> Result<String, Failure> {
    let refused = |why: &str| Failure::not_understood(&format!("completion_redirect_uri {why}"));
    let url = reqwest::Url::parse(raw).map_err(|_| refused("is not a URL"))?;
    if raw.len() > 2048 || url.fragment().is_some() {
        return Err(refused("is too long or has a fragment"));
    }
    if !crate::plaid::client::https_or_loopback(&url) {
        return Err(refused("is not HTTPS"));
    }
    if origin != Some(url.origin().ascii_serialization().as_str()) {
        return Err(refused("is not a page of the calling page's origin"));
    }
    Ok(url.into())
}
