//! The stand-in's HTTP surface: Plaid's API, plus the private endpoints its Link script uses.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use super::state::{
    id, sandbox_accounts, token, Books, ItemRecord, LinkTokenRecord, PublicTokenRecord, Standin, UpdateGrant,
};
use super::{link, PUBLIC_TOKEN_TTL_SECS, UPDATE_LINK_TOKEN_TTL_SECS};
use crate::plaid_types::{
    AccessTokenRequest, AccountsGetResponse, Credentials, Item, ItemGetResponse, ItemRemoveResponse,
    LinkTokenCreateRequest, LinkTokenCreateResponse, PlaidError, PublicTokenExchangeRequest,
    PublicTokenExchangeResponse, SandboxFireWebhookRequest, WebhookVerificationKeyGetRequest,
};

type Shared = Arc<Standin>;

/// The stand-in's routes, to be nested where Plaid's base URL points (`/plaid` by default).
pub fn router(standin: Shared) -> Router {
    Router::new()
        .route("/link/token/create", post(link_token_create))
        .route("/item/public_token/exchange", post(public_token_exchange))
        .route("/accounts/get", post(accounts_get))
        .route("/accounts/balance/get", post(accounts_get))
        .route("/item/get", post(item_get))
        .route("/item/remove", post(item_remove))
        .route("/webhook_verification_key/get", post(webhook_verification_key_get))
        .route("/sandbox/item/reset_login", post(sandbox_reset_login))
        .route("/sandbox/item/fire_webhook", post(sandbox_fire_webhook))
        .route("/link/institutions", get(institutions))
        .route("/link/session", post(session))
        .route("/link/layer", post(layer))
        .route("/link/oauth/start", post(super::oauth::start))
        .route("/link/oauth/consent", get(super::oauth::consent))
        .route("/link/oauth/approve", post(super::oauth::approve))
        .route("/link/oauth/status", post(super::oauth::status))
        .route("/link/credentials", post(credentials))
        .route("/link/complete", post(complete))
        .route("/link/v2/stable/link-initialize.js", get(link::script))
        .with_state(standin)
}

/// Plaid's error object with its HTTP status.
pub(super) fn error(
    status: StatusCode,
    error_type: &str,
    code: &str,
    message: &str,
    display: Option<&str>,
) -> Response {
    (status, Json(plaid_error(status, error_type, code, message, display))).into_response()
}

/// Plaid's error object, as Plaid documents it (`documentation_url`, `suggested_action`, `causes`).
pub(crate) fn plaid_error(
    status: StatusCode,
    error_type: &str,
    code: &str,
    message: &str,
    display: Option<&str>,
) -> PlaidError {
    PlaidError {
        error_type: error_type.into(),
        error_code: code.into(),
        error_message: message.into(),
        display_message: display.map(Into::into),
        request_id: id(15),
        causes: Vec::new(),
        status: Some(status.as_u16()),
        documentation_url: Some(format!(
            "https://plaid.com/docs/errors/{}/#{}",
            error_type.to_lowercase().replace('_', "-"),
            code.to_lowercase().replace('_', "-")
        )),
        suggested_action: None,
    }
}

/// Plaid accepts `client_id`/`secret` in the body or in `PLAID-CLIENT-ID`/`PLAID-SECRET` headers.
fn authenticate(standin: &Standin, headers: &HeaderMap, body: &Credentials) -> Result<(), Response> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let client_id = body.client_id.clone().or_else(|| header("plaid-client-id"));
    let secret = body.secret.clone().or_else(|| header("plaid-secret"));
    match (client_id, secret) {
        (None, _) | (_, None) => Err(error(
            StatusCode::BAD_REQUEST,
            "INVALID_REQUEST",
            "MISSING_FIELDS",
            "the following required fields are missing: client_id, secret",
            None,
        )),
        // Both compared in full and in constant time: neither result may hint at the other.
        (Some(id), Some(secret))
            if crate::constant_time::eq(id.as_bytes(), standin.config.client_id.as_bytes())
                & crate::constant_time::eq(secret.as_bytes(), standin.config.secret.as_bytes()) =>
        {
            Ok(())
        }
        _ => Err(error(
            StatusCode::BAD_REQUEST,
            "INVALID_INPUT",
            "INVALID_API_KEYS",
            "invalid client_id or secret provided",
            None,
        )),
    }
}

/// A Plaid API request, which carries `client_id` and `secret` (or leaves them to the headers).
trait Authenticated: for<'de> Deserialize<'de> {
    fn credentials(&self) -> &Credentials;
}

macro_rules! authenticated {
    ($($t:ty),*) => {$(
        impl Authenticated for $t {
            fn credentials(&self) -> &Credentials {
                &self.credentials
            }
        }
    )*};
}
authenticated!(
    LinkTokenCreateRequest,
    PublicTokenExchangeRequest,
    AccessTokenRequest,
    WebhookVerificationKeyGetRequest,
    SandboxFireWebhookRequest
);

/// Reads a Plaid API request and checks its keys, answering Plaid's error when either fails.
fn authenticated<T: Authenticated>(
    standin: &Standin,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<T, Response> {
    let request: T = parse(body)?;
    authenticate(standin, headers, request.credentials())?;
    Ok(request)
}

/// Reads a JSON body: Plaid answers `MISSING_FIELDS` when a required field is absent, and
/// `INVALID_BODY` when the body is not JSON (or a field has the wrong type).
pub(super) fn parse<T: for<'de> Deserialize<'de>>(body: &[u8]) -> Result<T, Response> {
    serde_json::from_slice(body).map_err(|e| {
        let missing = e.is_data() && e.to_string().starts_with("missing field");
        if missing {
            let field = e.to_string().split('`').nth(1).unwrap_or_default().to_owned();
            error(
                StatusCode::BAD_REQUEST,
                "INVALID_REQUEST",
                "MISSING_FIELDS",
                &format!("the following required fields are missing: {field}"),
                None,
            )
        } else {
            error(
                StatusCode::BAD_REQUEST,
                "INVALID_REQUEST",
                "INVALID_BODY",
                &format!("body could not be parsed: {e}"),
                None,
            )
        }
    })
}

async fn link_token_create(
    State(standin): State<Shared>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let request: LinkTokenCreateRequest = match authenticated(&standin, &headers, &body) {
        Ok(r) => r,
        Err(e) => return e,
    };
    if request.user.client_user_id.is_empty()
        || request.client_name.is_empty()
        || request.country_codes.is_empty()
    {
        return error(
            StatusCode::BAD_REQUEST,
            "INVALID_REQUEST",
            "MISSING_FIELDS",
            "client_name, country_codes and user.client_user_id are required",
            None,
        );
    }
    if let Some(why) = request.redirect_uri.as_deref().and_then(crate::plaid_client::redirect_uri_problem) {
        return error(
            StatusCode::BAD_REQUEST,
            "INVALID_REQUEST",
            "INVALID_FIELD",
            &format!("redirect_uri {why}"),
            None,
        );
    }
    let now = standin.now();
    let link_token = token("link");
    let Ok(mut books) = standin.books.lock() else {
        return internal();
    };
    // Update mode: the token names an item by its access token, and lives 30 minutes.
    let update = match &request.access_token {
        Some(access_token) => match item_of(&books, access_token) {
            Ok((item_id, _)) => Some(UpdateGrant {
                item_id: item_id.clone(),
                account_selection: request.update.as_ref().is_some_and(|u| u.account_selection_enabled),
            }),
            Err(e) => return e,
        },
        None if request.products.is_empty() => {
            return error(
                StatusCode::BAD_REQUEST,
                "INVALID_REQUEST",
                "INVALID_FIELD",
                "products must not be empty",
                None,
            )
        }
        None => None,
    };
    let lifetime =
        if update.is_some() { UPDATE_LINK_TOKEN_TTL_SECS } else { standin.config.link_token_ttl_secs };
    let expires_at = now + lifetime;
    if !books.has_room(now, standin.config.max_records) {
        return full();
    }
    books.link_tokens.insert(
        link_token.clone(),
        LinkTokenRecord {
            expires_at,
            products: request.products,
            client_user_id: request.user.client_user_id,
            webhook: request.webhook,
            update,
            redirect_uri: request.redirect_uri,
        },
    );
    drop(books);
    Json(LinkTokenCreateResponse { link_token, expiration: rfc3339(expires_at), request_id: id(15) })
        .into_response()
}

async fn public_token_exchange(
    State(standin): State<Shared>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let request: PublicTokenExchangeRequest = match authenticated(&standin, &headers, &body) {
        Ok(r) => r,
        Err(e) => return e,
    };
    if !request.public_token.starts_with("public-") {
        return error(
            StatusCode::BAD_REQUEST,
            "INVALID_INPUT",
            "INVALID_PUBLIC_TOKEN",
            "provided public token is in an invalid format. expected format: public-<environment>-<identifier>",
            None,
        );
    }
    let now = standin.now();
    let Ok(mut books) = standin.books.lock() else {
        return internal();
    };
    let item_id = match books.public_tokens.get_mut(&request.public_token) {
        Some(record) if !record.used && record.expires_at > now => {
            record.used = true;
            record.item_id.clone()
        }
        _ => {
            return error(
                StatusCode::BAD_REQUEST,
                "INVALID_INPUT",
                "INVALID_PUBLIC_TOKEN",
                "provided public token is expired. Public tokens expire 30 minutes after creation at which point they can no longer be exchanged",
                None,
            )
        }
    };
    let access_token = token("access");
    books.access_tokens.insert(access_token.clone(), item_id.clone());
    books.exchanges += 1;
    Json(PublicTokenExchangeResponse { access_token, item_id, request_id: id(15) }).into_response()
}

fn invalid_access_token() -> Response {
    error(
        StatusCode::BAD_REQUEST,
        "INVALID_INPUT",
        "INVALID_ACCESS_TOKEN",
        "provided access token is in an invalid format or does not exist",
        None,
    )
}

fn item_not_found() -> Response {
    error(
        StatusCode::BAD_REQUEST,
        "ITEM_ERROR",
        "ITEM_NOT_FOUND",
        "the Item you requested cannot be found. This Item does not exist, has been previously removed via /item/remove, or has had access removed by the user.",
        None,
    )
}

/// The item an access token opens, or Plaid's error for it.
fn item_of<'b>(books: &'b Books, access_token: &str) -> Result<(&'b String, &'b ItemRecord), Response> {
    match books.access_tokens.get(access_token).and_then(|id| books.items.get(id).map(|item| (id, item))) {
        Some(found) => Ok(found),
        None if books.removed.contains(access_token) => Err(item_not_found()),
        None => Err(invalid_access_token()),
    }
}

/// An item as Plaid shows it.
fn item_view(item_id: &str, item: &ItemRecord) -> Item {
    Item {
        item_id: item_id.to_owned(),
        institution_id: Some(item.institution_id.clone()),
        webhook: item.webhook.clone(),
        error: item.error.clone(),
        available_products: Vec::new(),
        billed_products: item.products.clone(),
        products: item.products.clone(),
        consent_expiration_time: None,
        update_type: "background".into(),
    }
}

/// `/accounts/get`, and `/accounts/balance/get`, which answers the same shape with live balances.
async fn accounts_get(
    State(standin): State<Shared>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let request: AccessTokenRequest = match authenticated(&standin, &headers, &body) {
        Ok(r) => r,
        Err(e) => return e,
    };
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
async fn item_get(State(standin): State<Shared>, headers: HeaderMap, body: axum::body::Bytes) -> Response {
    let request: AccessTokenRequest = match authenticated(&standin, &headers, &body) {
        Ok(r) => r,
        Err(e) => return e,
    };
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

async fn item_remove(State(standin): State<Shared>, headers: HeaderMap, body: axum::body::Bytes) -> Response {
    let request: AccessTokenRequest = match authenticated(&standin, &headers, &body) {
        Ok(r) => r,
        Err(e) => return e,
    };
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

/// `/webhook_verification_key/get`: the public JWK for a webhook's `kid`.
async fn webhook_verification_key_get(
    State(standin): State<Shared>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let request: WebhookVerificationKeyGetRequest = match authenticated(&standin, &headers, &body) {
        Ok(r) => r,
        Err(e) => return e,
    };
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
async fn sandbox_reset_login(
    State(standin): State<Shared>,
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
async fn sandbox_fire_webhook(
    State(standin): State<Shared>,
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

async fn institutions(State(standin): State<Shared>) -> Response {
    Json(json!({ "institutions": standin.config.institutions })).into_response()
}

/// What a live link token allows, checked the way Link checks it before every step.
pub(super) struct LiveToken {
    pub products: Vec<String>,
    pub webhook: Option<String>,
    pub update: Option<UpdateGrant>,
    /// Where an OAuth bank sends the user back; without it, the bank opens in a pop-up.
    pub redirect_uri: Option<String>,
}

pub(super) fn live_link_token(standin: &Standin, link_token: &str) -> Result<LiveToken, Response> {
    let now = standin.now();
    let books = standin.books.lock().map_err(|_| invalid_link_token())?;
    match books.link_tokens.get(link_token) {
        Some(record) if record.expires_at > now => Ok(LiveToken {
            products: record.products.clone(),
            webhook: record.webhook.clone(),
            update: record.update.clone(),
            redirect_uri: record.redirect_uri.clone(),
        }),
        _ => Err(invalid_link_token()),
    }
}

/// A request of the Link script's, made at one step of a Link session: it names its link token.
pub(super) trait LinkStep: for<'de> Deserialize<'de> {
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
    super::oauth::StartRequest,
    super::oauth::StatusRequest
);

/// Reads a step's request and checks its link token, as Link does before every step; answers
/// Plaid's error when either fails.
pub(super) fn link_step<T: LinkStep>(standin: &Standin, body: &[u8]) -> Result<(T, LiveToken), Response> {
    let request: T = parse(body)?;
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
async fn session(State(standin): State<Shared>, body: axum::body::Bytes) -> Response {
    let request: SessionRequest = match parse(&body) {
        Ok(r) => r,
        Err(e) => return e,
    };
    let live = live_link_token(&standin, &request.link_token).ok();
    let redirect = live.as_ref().is_some_and(|live| live.redirect_uri.is_some());
    let update = live.and_then(|live| live.update).and_then(|grant| {
        let books = standin.books.lock().ok()?;
        let item = books.items.get(&grant.item_id)?;
        let institution =
            standin.config.institutions.iter().find(|i| i.institution_id == item.institution_id)?;
        Some(json!({ "institution": institution, "account_selection": grant.account_selection }))
    });
    Json(json!({ "institutions": standin.config.institutions, "update": update, "redirect": redirect }))
        .into_response()
}

pub(super) fn invalid_link_token() -> Response {
    error(
        StatusCode::BAD_REQUEST,
        "INVALID_INPUT",
        "INVALID_LINK_TOKEN",
        "provided link token is expired or invalid",
        None,
    )
}

/// Layer's sandbox phone number: eligible, with a remembered First Platypus Bank login.
pub const LAYER_SANDBOX_PHONE: &str = "+14155550011";

#[derive(Deserialize)]
struct LayerRequest {
    link_token: String,
    phone_number: String,
}

/// Layer (`handler.submit({phone_number})`): whether the number belongs to someone Plaid knows.
async fn layer(State(standin): State<Shared>, body: axum::body::Bytes) -> Response {
    let request = match link_step::<LayerRequest>(&standin, &body) {
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

async fn credentials(State(standin): State<Shared>, body: axum::body::Bytes) -> Response {
    let (request, live) = match link_step::<CredentialsRequest>(&standin, &body) {
        Ok(found) => found,
        Err(e) => return e,
    };
    if !standin.config.institutions.iter().any(|i| i.institution_id == request.institution_id) {
        return error(
            StatusCode::BAD_REQUEST,
            "INVALID_INPUT",
            "INVALID_INSTITUTION",
            "invalid institution_id",
            None,
        );
    }
    if request.username != "user_good" || request.password != "pass_good" {
        return error(
            StatusCode::BAD_REQUEST,
            "ITEM_ERROR",
            "INVALID_CREDENTIALS",
            "the provided credentials were not correct",
            Some("The provided credentials were not correct. Please try again."),
        );
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
        return error(
            StatusCode::BAD_REQUEST,
            "INVALID_INPUT",
            "INVALID_INSTITUTION",
            "this link token is for another institution's item",
            None,
        );
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
    accounts: Vec<crate::plaid_types::Account>,
}

async fn complete(State(standin): State<Shared>, body: axum::body::Bytes) -> Response {
    let (request, LiveToken { products, webhook, update, .. }) =
        match link_step::<CompleteRequest>(&standin, &body) {
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

pub(super) fn internal() -> Response {
    error(StatusCode::INTERNAL_SERVER_ERROR, "API_ERROR", "INTERNAL_SERVER_ERROR", "internal error", None)
}

/// The stand-in holds as many live records as it may: Plaid's rate-limit error.
pub(super) fn full() -> Response {
    error(
        StatusCode::TOO_MANY_REQUESTS,
        "RATE_LIMIT_EXCEEDED",
        "RATE_LIMIT",
        "the stand-in holds as many live tokens and items as it may; remove items or wait for tokens to expire",
        None,
    )
}

fn rfc3339(unix: u64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix as i64)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_default()
}
