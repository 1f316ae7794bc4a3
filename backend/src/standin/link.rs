//! Serves the Link script stand-in.

use axum::http::header;
use axum::response::IntoResponse;

const SCRIPT: &str = include_str!("link-initialize.js");

pub async fn script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
            // Like Plaid's CDN, loadable from any page.
            (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
        ],
        SCRIPT,
    )
}
