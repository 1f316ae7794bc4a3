//! Hosted Link, as Plaid describes it: a page of Plaid's own (`hosted_link_url`) that runs Link
//! without a host page of the app's. It ends at the token's `completion_redirect_uri`, or says the
//! user may close it; either way the session's end is a `LINK` `SESSION_FINISHED` webhook with its
//! `public_tokens` and `status` (`sessions.rs`), and `/link/token/get` lists what it added.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;

use crate::errors::{internal, invalid_link_token};
use crate::request::parse;
use crate::state::Standin;

/// The page: Link's script alone (its hosted part, `script/hosted.js`, runs Link here), nothing
/// inline, under a strict policy of its own: the script and Link's `<style>` by the response's
/// nonce (in place of `{nonce}`), Link's inline style attributes as Plaid documents them.
const PAGE: &str = r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Plaid Link</title>
</head>
<body>
<script src="../link/v2/stable/link-initialize.js" nonce="{nonce}" data-hosted-link></script>
</body>
</html>
"#;

/// `GET /hl/{id}`: the page, while its address works; a plain 404 otherwise.
pub(crate) async fn page(State(standin): State<Arc<Standin>>, Path(id): Path<String>) -> Response {
    match lookup(&standin, &id) {
        Ok(Some(_)) => {}
        Ok(None) => {
            return (StatusCode::NOT_FOUND, "This link has expired. Ask for a new one.").into_response()
        }
        Err(e) => return e,
    }
    let nonce = crate::state::id(22);
    let policy = format!(
        "default-src 'none'; script-src 'nonce-{nonce}'; connect-src 'self'; frame-src 'self'; \
         style-src 'nonce-{nonce}'; style-src-attr 'unsafe-inline'; img-src 'self' data:; \
         base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    );
    let mut response = PAGE.replace("{nonce}", &nonce).into_response();
    let headers = response.headers_mut();
    for (name, value) in [
        (header::CONTENT_TYPE, "text/html; charset=utf-8".to_owned()),
        (header::CACHE_CONTROL, "no-store".to_owned()),
        (header::REFERRER_POLICY, "no-referrer".to_owned()),
        (header::CONTENT_SECURITY_POLICY, policy),
    ] {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(name, value);
        }
    }
    response
}

#[derive(Deserialize)]
pub(crate) struct SessionRequest {
    id: String,
}

/// `POST /link/hosted/session`: what the page runs Link with. Whoever holds the page's address
/// holds its session, as at Plaid.
pub(crate) async fn session(
    State(standin): State<Arc<Standin>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let request: SessionRequest = match parse(&headers, &body) {
        Ok(r) => r,
        Err(e) => return e,
    };
    match lookup(&standin, &request.id) {
        Ok(Some((link_token, completion_redirect_uri))) => {
            Json(json!({ "link_token": link_token, "completion_redirect_uri": completion_redirect_uri }))
                .into_response()
        }
        Ok(None) => invalid_link_token(),
        Err(e) => e,
    }
}

/// The link token of the page `id` and where it ends, while its address works.
fn lookup(standin: &Standin, id: &str) -> Result<Option<(String, Option<String>)>, Response> {
    let now = standin.now();
    let books = standin.books.lock().map_err(|_| internal())?;
    Ok(books.link_tokens.iter().find_map(|(link_token, record)| {
        let hosted = record.hosted.as_ref().filter(|h| h.id == id && h.url_expires_at > now)?;
        (record.expires_at > now).then(|| (link_token.clone(), hosted.completion_redirect_uri.clone()))
    }))
}
