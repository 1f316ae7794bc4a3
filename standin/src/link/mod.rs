//! Link, as the stand-in plays it: its script (`script/`, a Link-like modal with Plaid's
//! sandbox institutions) and the private endpoints the script calls (`steps.rs`; a session's end, `sessions.rs`);
//! Hosted Link's page (`hosted.rs`).

pub(crate) mod hosted;
pub(crate) mod sessions;
pub(crate) mod steps;

use axum::http::header;
use axum::response::IntoResponse;

/// Served as `link-initialize.js`: its parts in one function scope, so that it defines nothing but
/// `window.Plaid`, and only once however many times a page loads it.
const SCRIPT: &str = concat!(
    "(function () {\n\"use strict\";\nif (window.Plaid && window.Plaid.__standin) return;\n",
    include_str!("script/helpers.js"),
    include_str!("script/link.js"),
    include_str!("script/hosted.js"),
    "})();\n",
);

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
