//! Link, as the stand-in plays it: its script (`link-initialize.js`, a Link-like modal with Plaid's
//! sandbox institutions) and the private endpoints the script calls (`steps.rs`; a session's end, `sessions.rs`).

pub(crate) mod sessions;
pub(crate) mod steps;

use axum::http::header;
use axum::response::IntoResponse;

const SCRIPT: &str = include_str!("link-initialize.js");

pub(crate) async fn script() -> impl IntoResponse {
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
