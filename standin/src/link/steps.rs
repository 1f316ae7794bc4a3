//! The private endpoints the stand-in's Link script calls at each step of a Link session (real Link
//! talks to Plaid's servers through its own): the session's start, Layer, the bank's credentials,
//! and the account choice that ends in a public token. Each checks the session's link token first.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;

use crate::errors::{error, full, internal, invalid_institution, invalid_link_token, item_not_found};
use crate::request::parse;
use crate::state::{id, sandbox_accounts, token, ItemRecord, PublicTokenRecord, Standin, UpdateGrant};
use crate::PUBLIC_TOKEN_TTL_SECS;

pub(crate) async fn institutions(State(standin): State<Arc<Standin>>) -> Response {
    Json(json!({ "institutions": standin.config.institutions })).into_response()
}

/// What a live link token allows, checked the way Link checks it before every step.
pub(crate) struct LiveToken {
    pub products: Vec<String>,
    pub webhook: Option<String>,
    pub update: Option<UpdateGrant>,
    /// Where an OAuth bank sends the user back; without it, the bank opens in a pop-up.
    pub redirect_uri: Option<String>,
    /// Multi-Item Link: the session goes on after a bank is added.
    pub multi_item: bool,
}

pub(crate) fn live_link_token(standin: &Standin, link_token: &str) -> Result<LiveToken, Response> {
    let now = standin.now();
    let books = standin.books.lock().map_err(|_| invalid_link_token())?;
    match books.link_tokens.get(link_token) {
        Some(record) if record.expires_at > now => Ok(LiveToken {
            products: record.products.clone(),
            webhook: record.webhook.clone(),
            update: record.update.clone(),
            redirect_uri: record.redirect_uri.clone(),
            multi_item: record.multi_item,
        }),
        _ => Err(invalid_link_token()),
    }
}

/// A request of the Link script's, made at one step of a Link session: it names its link token.
pub(crate) trait LinkStep: for<'de> Deserialize<'de> {
    fn link_token(&self) -> &str;
}

macro_rules! link_steps {
    ($($t:ty),*) => {$(
        impl LinkStep for $t {
            fn link_token(&self) -> &str {
                &self.link_token
            }
        }
    )*};
}
link_steps!(
    LayerRequest,
    CredentialsRequest,
    CompleteRequest,
    crate::oauth::StartRequest,
    crate::oauth::StatusRequest
);

/// Reads a step's request and checks its link token, as Link does before every step; answers
/// Plaid's error when either fails.
pub(crate) fn link_step<T: LinkStep>(
    standin: &Standin,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(T, LiveToken), Response> {
    let request: T = parse(headers, body)?;
    let live = live_link_token(standin, request.link_token())?;
    Ok((request, live))
}

#[derive(Deserialize)]
struct SessionRequest {
    link_token: String,
}

/// What the Link script needs to start: the institutions, and in update mode the item's bank,
/// which Link opens on directly. A dead token still gets the institutions: as in Link, it fails at
/// the first step that uses it.
pub(crate) async fn session(
    State(standin): State<Arc<Standin>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let request: SessionRequest = match parse(&headers, &body) {
        Ok(r) => r,
        Err(e) => return e,
    };
    let live = live_link_token(&standin, &request.link_token).ok();
    let redirect = live.as_ref().is_some_and(|live| live.redirect_uri.is_some());
    let multi_item = live.as_ref().is_some_and(|live| live.multi_item);
    // Identity Verification ends in a success without a public token.
    let identity_verification =
        live.as_ref().is_some_and(|live| live.products.iter().any(|p| p == "identity_verification"));
    let update = live.and_then(|live| live.update).and_then(|grant| {
        let books = standin.books.lock().ok()?;
        let item = books.items.get(&grant.item_id)?;
        let institution =
            standin.config.institutions.iter().find(|i| i.institution_id == item.institution_id)?;
        Some(json!({ "institution": institution, "account_selection": grant.account_selection }))
    });
    Json(json!({
        "institutions": standin.config.institutions, "update": update, "redirect": redirect,
        "multi_item": multi_item, "identity_verification": identity_verification,
    }))
    .into_response()
}

/// Layer's sandbox phone number: eligible, with a remembered First Platypus Bank login.
pub const LAYER_SANDBOX_PHONE: &str = "+14155550011";

#[derive(Deserialize)]
struct LayerRequest {
    link_token: String,
    phone_number: String,
}

/// Layer (`handler.submit({phone_number})`): whether the number belongs to someone Plaid knows.
pub(crate) async fn layer(
    State(standin): State<Arc<Standin>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let request = match link_step::<LayerRequest>(&standin, &headers, &body) {
        Ok((request, _)) => request,
        Err(e) => return e,
    };
    if request.phone_number != LAYER_SANDBOX_PHONE {
        return Json(json!({ "eligible": false })).into_response();
    }
    let institution = standin.config.institutions.iter().find(|i| i.institution_id == "ins_109508");
    Json(json!({ "eligible": true, "institution": institution, "accounts": sandbox_accounts() }))
        .into_response()
}

#[derive(Deserialize)]
struct CredentialsRequest {
    link_token: String,
    institution_id: String,
    username: String,
    password: String,
}

pub(crate) async fn credentials(
    State(standin): State<Arc<Standin>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let (request, live) = match link_step::<CredentialsRequest>(&standin, &headers, &body) {
        Ok(found) => found,
        Err(e) => return e,
    };
    if !standin.config.institutions.iter().any(|i| i.institution_id == request.institution_id) {
        return invalid_institution("invalid institution_id");
    }
    if !crate::config::good_login(&request.username, &request.password) {
        return crate::errors::invalid_credentials();
    }
    let Some(grant) = live.update else {
        return Json(json!({ "accounts": sandbox_accounts() })).into_response();
    };
    // Update mode: the item's own accounts, and with account selection the login's others too.
    let Ok(books) = standin.books.lock() else {
        return internal();
    };
    let Some(item) = books.items.get(&grant.item_id) else {
        return item_not_found();
    };
    if item.institution_id != request.institution_id {
        return invalid_institution("this link token is for another institution's item");
    }
    let mut accounts = item.accounts.clone();
    if grant.account_selection {
        let known: Vec<_> = accounts.iter().map(|a| a.mask.clone()).collect();
        accounts.extend(sandbox_accounts().into_iter().filter(|a| !known.contains(&a.mask)));
    }
    let existing: Vec<_> = item.accounts.iter().map(|a| a.account_id.clone()).collect();
    Json(json!({ "accounts": accounts, "existing": existing })).into_response()
}

#[derive(Deserialize)]
struct CompleteRequest {
    link_token: String,
    institution_id: String,
    accounts: Vec<crate::types::Account>,
    /// The Link session, whose record (`/link/token/get`) gets the bank added.
    #[serde(default)]
    link_session_id: Option<String>,
}

pub(crate) async fn complete(
    State(standin): State<Arc<Standin>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let (request, LiveToken { products, webhook, update, .. }) =
        match link_step::<CompleteRequest>(&standin, &headers, &body) {
            Ok(found) => found,
            Err(e) => return e,
        };
    if request.accounts.is_empty() {
        return error(
            StatusCode::BAD_REQUEST,
            "INVALID_REQUEST",
            "INVALID_FIELD",
            "choose at least one account",
            None,
        );
    }
    let now = standin.now();
    let public_token = token("public");
    let Ok(mut books) = standin.books.lock() else {
        return internal();
    };
    if !books.has_room(now, standin.config.max_records) {
        return full();
    }
    // Update mode repairs the item (and takes the accounts the user chose); a public token is still
    // returned, as Plaid does, though it need not be exchanged.
    let item_id = match update {
        Some(grant) => {
            let Some(item) = books.items.get_mut(&grant.item_id) else {
                return item_not_found();
            };
            item.error = None;
            if grant.account_selection {
                item.accounts = request.accounts;
            }
            grant.item_id
        }
        None => {
            let item_id = id(37);
            // What `/link/token/get` and the SESSION_FINISHED webhook will say the session added.
            if let Some(session) = &request.link_session_id {
                let Some(institution) =
                    standin.config.institutions.iter().find(|i| i.institution_id == request.institution_id)
                else {
                    return invalid_institution("invalid institution_id");
                };
                let added = crate::link::sessions::added(&public_token, institution, &request.accounts);
                if let Err(e) =
                    crate::link::sessions::record(&mut books, &request.link_token, session, added, now)
                {
                    return e;
                }
            }
            books.items.insert(
                item_id.clone(),
                ItemRecord {
                    institution_id: request.institution_id,
                    accounts: request.accounts,
                    products,
                    webhook,
                    error: None,
                },
            );
            item_id
        }
    };
    books.public_tokens.insert(
        public_token.clone(),
        PublicTokenRecord { expires_at: now + PUBLIC_TOKEN_TTL_SECS, item_id, used: false },
    );
    Json(json!({ "public_token": public_token })).into_response()
}
