//! What a request must pass before a route sees it, each a layer on the routes it guards: the rate
//! limits (`rate_limit.rs`), JSON bodies only, and no request from another site (`cross_site.rs`).

pub(crate) mod cross_site;
pub(crate) mod rate_limit;

use axum::extract::Request;
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

use crate::failure::Failure;

/// Whether the request body is JSON: a cross-site form cannot send one, and a cross-site `fetch`
/// that does needs a CORS preflight, which only the app can grant.
pub fn is_json(headers: &HeaderMap) -> bool {
    headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| {
        v.split(';').next().is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"))
    })
}

/// Layer: JSON bodies only.
pub(crate) async fn json_only(request: Request, next: Next) -> Result<Response, Failure> {
    if !is_json(request.headers()) {
        return Err(Failure::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "Requests must be JSON.", "not JSON"));
    }
    Ok(next.run(request).await)
}
