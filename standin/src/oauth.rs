//! An OAuth bank ("Platypus OAuth Bank", as in Plaid's sandbox): the user signs in on the bank's own
//! page, not in Link. On desktop Link opens that page in a pop-up and carries on when the user
//! allows access there; with a `redirect_uri` on the link token (mobile web, webviews) the whole
//! page goes to the bank and comes back to `{redirect_uri}?oauth_state_id=…`, where the app creates
//! Link again with the same link token and `receivedRedirectUri`.
//!
//! The bank's page is a plain form (no script), so it holds under the strictest policy.

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;

use crate::errors::{error, full, internal, invalid_institution};
use crate::link::steps::{link_step, live_link_token};
use crate::state::{id, sandbox_accounts, OauthRecord, Standin};
use crate::UPDATE_LINK_TOKEN_TTL_SECS;

type Shared = Arc<Standin>;

#[derive(Deserialize)]
pub(crate) struct StartRequest {
    pub(crate) link_token: String,
    institution_id: String,
}

/// Link sends the user to an OAuth bank: a state id, the bank's page, and whether the whole page
/// goes there (a redirect URI) or a pop-up does.
pub(crate) async fn start(
    State(standin): State<Shared>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let (request, live) = match link_step::<StartRequest>(&standin, &headers, &body) {
        Ok(found) => found,
        Err(e) => return e,
    };
    if !standin.config.institutions.iter().any(|i| i.institution_id == request.institution_id && i.oauth) {
        return invalid_institution("not an OAuth institution");
    }
    let now = standin.now();
    let state_id = id(32);
    let Ok(mut books) = standin.books.lock() else {
        return internal();
    };
    if !books.has_room(now, standin.config.max_records) {
        return full();
    }
    books.oauth.insert(
        state_id.clone(),
        OauthRecord {
            link_token: request.link_token,
            institution_id: request.institution_id,
            expires_at: now + UPDATE_LINK_TOKEN_TTL_SECS,
            approved: None,
        },
    );
    let url = format!("link/oauth/consent?oauth_state_id={state_id}");
    Json(json!({ "oauth_state_id": state_id, "url": url, "redirect": live.redirect_uri.is_some() }))
        .into_response()
}

#[derive(Deserialize)]
pub(crate) struct StateQuery {
    oauth_state_id: String,
}

/// The bank's own sign-in page: "allow access?".
pub(crate) async fn consent(State(standin): State<Shared>, Query(query): Query<StateQuery>) -> Response {
    let bank = {
        let Ok(books) = standin.books.lock() else {
            return internal();
        };
        match books.oauth.get(&query.oauth_state_id) {
            Some(record) if record.expires_at > standin.now() => standin
                .config
                .institutions
                .iter()
                .find(|i| i.institution_id == record.institution_id)
                .map(|i| i.name.clone())
                .unwrap_or_default(),
            _ => {
                return page(
                    StatusCode::NOT_FOUND,
                    "Sign-in expired",
                    "<p>This sign-in has expired. Go back to the app and start again.</p>",
                )
            }
        }
    };
    let body = format!(
        r#"<p>The app is asking to see your accounts at {bank}, through Plaid (local stand-in).</p>
<form method="post" action="approve">
  <input type="hidden" name="oauth_state_id" value="{state}" />
  <button type="submit">Allow</button>
</form>"#,
        bank = escape(&bank),
        state = escape(&query.oauth_state_id),
    );
    page(StatusCode::OK, &bank, &body)
}

/// The user allowed access at the bank: back to the app by redirect, or "close this window".
pub(crate) async fn approve(State(standin): State<Shared>, body: axum::body::Bytes) -> Response {
    let form = String::from_utf8_lossy(&body);
    let state_id =
        form.split('&').find_map(|pair| pair.strip_prefix("oauth_state_id=")).unwrap_or_default().to_owned();
    let link_token = {
        let Ok(mut books) = standin.books.lock() else {
            return internal();
        };
        let now = standin.now();
        match books.oauth.get_mut(&state_id) {
            Some(record) if record.expires_at > now => {
                record.approved = Some(sandbox_accounts());
                record.link_token.clone()
            }
            _ => {
                return page(
                    StatusCode::NOT_FOUND,
                    "Sign-in expired",
                    "<p>This sign-in has expired. Go back to the app and start again.</p>",
                )
            }
        }
    };
    match live_link_token(&standin, &link_token).map(|live| live.redirect_uri) {
        Ok(Some(redirect_uri)) => {
            let location = format!("{redirect_uri}?oauth_state_id={state_id}");
            (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response()
        }
        Ok(None) => page(
            StatusCode::OK,
            "Access allowed",
            "<p>Access allowed. You can close this window and return to the app.</p>",
        ),
        Err(e) => e,
    }
}

#[derive(Deserialize)]
pub(crate) struct StatusRequest {
    pub(crate) link_token: String,
    oauth_state_id: String,
}

/// Link asks whether the user has allowed access yet (the pop-up), or picks the sign-in up after the
/// redirect back: the same link token must ask, and then gets the accounts the user shared.
pub(crate) async fn status(
    State(standin): State<Shared>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let request = match link_step::<StatusRequest>(&standin, &headers, &body) {
        Ok((request, _)) => request,
        Err(e) => return e,
    };
    let Ok(books) = standin.books.lock() else {
        return internal();
    };
    let Some(record) = books.oauth.get(&request.oauth_state_id).filter(|r| r.expires_at > standin.now())
    else {
        return error(
            StatusCode::BAD_REQUEST,
            "OAUTH_ERROR",
            "OAUTH_STATE_ID_NOT_FOUND",
            "the provided oauth_state_id wasn't found",
            Some("Your sign-in at the bank could not be found. Please start again."),
        );
    };
    if record.link_token != request.link_token {
        return error(
            StatusCode::BAD_REQUEST,
            "OAUTH_ERROR",
            "INCORRECT_LINK_TOKEN",
            "the link_token used to re-initialize Link does not match the original link_token",
            Some("Your sign-in at the bank belongs to another session. Please start again."),
        );
    }
    let institution = standin.config.institutions.iter().find(|i| i.institution_id == record.institution_id);
    Json(json!({ "approved": record.approved.is_some(), "accounts": record.approved, "institution": institution }))
        .into_response()
}

fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\" /><title>{title}</title></head>\n<body>\n<main>\n<h1>{title}</h1>\n{body}\n</main>\n</body>\n</html>\n",
        title = escape(title),
    );
    (status, Html(html)).into_response()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}
