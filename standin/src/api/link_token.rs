//! `/link/token/create`: a link token for a new item with the given products, or (with an item's
//! access token) update mode for that item; with `hosted_link`, also Hosted Link's page for it
//! (`hosted_link_url`, `link/hosted.rs`).

use std::sync::Arc;

use axum::extract::{OriginalUri, State};
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::{item_of, rfc3339};
use crate::errors::{error, full, internal};
use crate::request::Plaid;
use crate::state::{id, token, HostedRecord, LinkTokenRecord, Standin, UpdateGrant};
use crate::types::{
    LinkTokenCreateRequest, LinkTokenCreateResponse, LinkTokenGetRequest, LinkTokenGetResponse,
    LinkTokenMetadata,
};
use crate::UPDATE_LINK_TOKEN_TTL_SECS;

pub(crate) async fn create(
    State(standin): State<Arc<Standin>>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    Plaid(request): Plaid<LinkTokenCreateRequest>,
) -> Response {
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
    // As at Plaid: only a redirect URI registered for these keys ("Allowed redirect URIs"), or an
    // OAuth bank's page would send the user wherever the link token says.
    if let Some(uri) = request.redirect_uri.as_deref() {
        if !standin.config.allowed_redirect_uris.iter().any(|allowed| allowed == uri) {
            return error(
                StatusCode::BAD_REQUEST,
                "INVALID_REQUEST",
                "INVALID_FIELD",
                "OAuth redirect URI must be configured in the developer dashboard. See https://dashboard.plaid.com/team/api",
                None,
            );
        }
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
    let hosted = request.hosted_link.as_ref().map(|options| HostedRecord {
        id: id(32),
        completion_redirect_uri: options.completion_redirect_uri.clone(),
        url_expires_at: now + options.url_lifetime_seconds.unwrap_or(lifetime).min(lifetime),
    });
    let hosted_link_url =
        hosted.as_ref().map(|h| format!("{}/hl/{}", own_base(&standin, &uri, &headers), h.id));
    books.link_tokens.insert(
        link_token.clone(),
        LinkTokenRecord {
            created_at: now,
            expires_at,
            metadata: LinkTokenMetadata {
                initial_products: request.products.clone(),
                webhook: request.webhook.clone(),
                country_codes: request.country_codes.clone(),
                language: Some(request.language.clone()),
                redirect_uri: request.redirect_uri.clone(),
                client_name: Some(request.client_name.clone()),
            },
            products: request.products,
            client_user_id: request.user.client_user_id,
            webhook: request.webhook,
            update,
            redirect_uri: request.redirect_uri,
            multi_item: request.enable_multi_item_link == Some(true),
            hosted,
            sessions: Vec::new(),
        },
    );
    drop(books);
    let expiration = rfc3339(expires_at);
    Json(LinkTokenCreateResponse { link_token, expiration, request_id: id(15), hosted_link_url })
        .into_response()
}

/// Where this stand-in is, as the request reached it: its `Host`, and the path it is served under
/// (`/plaid` in the reference backend). HTTPS when it serves TLS with a certificate of its own
/// (which it then trusts as `extra_root`).
fn own_base(standin: &Standin, uri: &Uri, headers: &HeaderMap) -> String {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1");
    let prefix = uri.path().strip_suffix("/link/token/create").unwrap_or("");
    let scheme = if standin.config.extra_root.is_some() { "https" } else { "http" };
    format!("{scheme}://{host}{prefix}")
}

/// `/link/token/get`: what a live link token was made with.
pub(crate) async fn get(
    State(standin): State<Arc<Standin>>,
    Plaid(request): Plaid<LinkTokenGetRequest>,
) -> Response {
    standin.link_token_reads.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    standin.link_token_reads_meet.arrive().await;
    let now = standin.now();
    let Ok(books) = standin.books.lock() else {
        return internal();
    };
    match books.link_tokens.get(&request.link_token).filter(|r| r.expires_at > now) {
        Some(record) => Json(LinkTokenGetResponse {
            link_token: request.link_token.clone(),
            created_at: Some(rfc3339(record.created_at)),
            expiration: Some(rfc3339(record.expires_at)),
            metadata: record.metadata.clone(),
            link_sessions: record.sessions.iter().map(crate::link::sessions::view).collect(),
            request_id: id(15),
        })
        .into_response(),
        None => crate::errors::invalid_link_token(),
    }
}
