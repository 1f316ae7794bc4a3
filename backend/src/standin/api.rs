//! The stand-in's HTTP surface: Plaid's API, plus the private endpoints its Link script uses.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use super::state::{id, sandbox_accounts, token, ItemRecord, LinkTokenRecord, PublicTokenRecord, Standin};
use super::{link, LINK_TOKEN_TTL_SECS, PUBLIC_TOKEN_TTL_SECS};
use crate::plaid_types::{
    AccessTokenRequest, AccountsGetResponse, Credentials, Item, ItemRemoveResponse, LinkTokenCreateRequest,
    LinkTokenCreateResponse, PlaidError, PublicTokenExchangeRequest, PublicTokenExchangeResponse,
};

type Shared = Arc<Standin>;

/// The stand-in's routes, to be nested where Plaid's base URL points (`/plaid` by default).
pub fn router(standin: Shared) -> Router {
    Router::new()
        .route("/link/token/create", post(link_token_create))
        .route("/item/public_token/exchange", post(public_token_exchange))
        .route("/accounts/get", post(accounts_get))
        .route("/item/remove", post(item_remove))
        .route("/link/institutions", get(institutions))
        .route("/link/credentials", post(credentials))
        .route("/link/complete", post(complete))
        .route("/link/v2/stable/link-initialize.js", get(link::script))
        .with_state(standin)
}

/// Plaid's error object with its HTTP status.
fn error(status: StatusCode, error_type: &str, code: &str, message: &str, display: Option<&str>) -> Response {
    let body = PlaidError {
        error_type: error_type.into(),
        error_code: code.into(),
        error_message: message.into(),
        display_message: display.map(Into::into),
        request_id: id(15),
    };
    (status, Json(body)).into_response()
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
authenticated!(LinkTokenCreateRequest, PublicTokenExchangeRequest, AccessTokenRequest);

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

/// Reads a JSON body, answering Plaid's `INVALID_BODY` error when it is not the expected shape.
fn parse<T: for<'de> Deserialize<'de>>(body: &[u8]) -> Result<T, Response> {
    serde_json::from_slice(body).map_err(|e| {
        error(
            StatusCode::BAD_REQUEST,
            "INVALID_REQUEST",
            "INVALID_BODY",
            &format!("body could not be parsed: {e}"),
            None,
        )
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
    if request.products.is_empty() {
        return error(
            StatusCode::BAD_REQUEST,
            "INVALID_REQUEST",
            "INVALID_FIELD",
            "products must not be empty",
            None,
        );
    }
    let now = standin.now();
    let link_token = token("link");
    let expires_at = now + LINK_TOKEN_TTL_SECS;
    if let Ok(mut books) = standin.books.lock() {
        if !books.has_room(now, standin.config.max_records) {
            return full();
        }
        books.link_tokens.insert(
            link_token.clone(),
            LinkTokenRecord {
                expires_at,
                products: request.products,
                client_user_id: request.user.client_user_id,
            },
        );
    }
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
        return error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "API_ERROR",
            "INTERNAL_SERVER_ERROR",
            "internal error",
            None,
        );
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
    let Some((item_id, item)) = books
        .access_tokens
        .get(&request.access_token)
        .and_then(|id| books.items.get(id).map(|item| (id, item)))
    else {
        return invalid_access_token();
    };
    Json(AccountsGetResponse {
        accounts: item.accounts.clone(),
        item: Item {
            item_id: item_id.clone(),
            institution_id: Some(item.institution_id.clone()),
            products: item.products.clone(),
        },
        request_id: id(15),
    })
    .into_response()
}

async fn item_remove(State(standin): State<Shared>, headers: HeaderMap, body: axum::body::Bytes) -> Response {
    let request: AccessTokenRequest = match authenticated(&standin, &headers, &body) {
        Ok(r) => r,
        Err(e) => return e,
    };
    let Ok(mut books) = standin.books.lock() else {
        return invalid_access_token();
    };
    match books.access_tokens.remove(&request.access_token) {
        Some(item_id) => {
            books.items.remove(&item_id);
            Json(ItemRemoveResponse { request_id: id(15) }).into_response()
        }
        None => invalid_access_token(),
    }
}

async fn institutions(State(standin): State<Shared>) -> Response {
    Json(json!({ "institutions": standin.config.institutions })).into_response()
}

/// Checks a link token the way Link does before every step.
fn live_link_token(standin: &Standin, link_token: &str) -> Result<Vec<String>, Response> {
    let now = standin.now();
    let books = standin.books.lock().map_err(|_| invalid_link_token())?;
    match books.link_tokens.get(link_token) {
        Some(record) if record.expires_at > now => Ok(record.products.clone()),
        _ => Err(invalid_link_token()),
    }
}

fn invalid_link_token() -> Response {
    error(
        StatusCode::BAD_REQUEST,
        "INVALID_INPUT",
        "INVALID_LINK_TOKEN",
        "provided link token is expired or invalid",
        None,
    )
}

#[derive(Deserialize)]
struct CredentialsRequest {
    link_token: String,
    institution_id: String,
    username: String,
    password: String,
}

async fn credentials(State(standin): State<Shared>, body: axum::body::Bytes) -> Response {
    let request: CredentialsRequest = match parse(&body) {
        Ok(r) => r,
        Err(e) => return e,
    };
    if let Err(e) = live_link_token(&standin, &request.link_token) {
        return e;
    }
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
    Json(json!({ "accounts": sandbox_accounts() })).into_response()
}

#[derive(Deserialize)]
struct CompleteRequest {
    link_token: String,
    institution_id: String,
    accounts: Vec<crate::plaid_types::Account>,
}

async fn complete(State(standin): State<Shared>, body: axum::body::Bytes) -> Response {
    let request: CompleteRequest = match parse(&body) {
        Ok(r) => r,
        Err(e) => return e,
    };
    let products = match live_link_token(&standin, &request.link_token) {
        Ok(p) => p,
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
    let item_id = id(37);
    if let Ok(mut books) = standin.books.lock() {
        if !books.has_room(now, standin.config.max_records) {
            return full();
        }
        books.items.insert(
            item_id.clone(),
            ItemRecord { institution_id: request.institution_id, accounts: request.accounts, products },
        );
        books.public_tokens.insert(
            public_token.clone(),
            PublicTokenRecord { expires_at: now + PUBLIC_TOKEN_TTL_SECS, item_id, used: false },
        );
    }
    Json(json!({ "public_token": public_token })).into_response()
}

/// The stand-in holds as many live records as it may: Plaid's rate-limit error.
fn full() -> Response {
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
