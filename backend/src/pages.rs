//! Every HTML-like page the server sends (HTML, XHTML, SVG: each can run script): a fresh nonce and
//! the strict policy (`csp.rs`), the CSRF token in `<meta name="csrf-token">` with its cookie
//! (`csrf.rs`), never cached (the nonce is per load).
//!
//! A page is rewritten, so it must reach this layer as text: a request that may name a page is
//! served without the precompressed copies (`.gz`, `.br`) that the bundle's assets have; and a page
//! that still arrives compressed (a name the check could not read) is refused, never sent without
//! its policy or corrupted by a rewrite.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;

use crate::csp::{add_nonce, fresh_nonce, policy, PolicySources};

/// What the layer needs: where the page's Link talks to, and whether cookies are secure.
#[derive(Clone)]
pub struct Pages {
    pub sources: PolicySources,
    pub secure: bool,
}

/// The media types a browser may run script in.
const PAGE_TYPES: [&str; 3] = ["text/html", "application/xhtml+xml", "image/svg+xml"];

/// Whether a request's path may name a page: a directory (its `index.html`), or a file whose
/// extension is one of a page's.
fn may_be_page(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or_default().to_ascii_lowercase();
    match name.rsplit_once('.') {
        None => true,
        Some((_, extension)) => ["html", "htm", "xhtml", "xht", "svg", "svgz", "xml"].contains(&extension),
    }
}

/// Layer: HTML-like answers get their nonce, policy and CSRF token; anything else passes as it is.
pub async fn secure(State(pages): State<Pages>, mut request: Request, next: Next) -> Response {
    let existing = crate::csrf::cookie_token(&CookieJar::from_headers(request.headers()), pages.secure);
    if may_be_page(request.uri().path()) {
        request.headers_mut().remove(header::ACCEPT_ENCODING);
    }
    let response = next.run(request).await;
    let is_page = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| PAGE_TYPES.iter().any(|page| t.starts_with(page)));
    if !is_page {
        return response;
    }
    if response.headers().contains_key(header::CONTENT_ENCODING) {
        return (StatusCode::NOT_ACCEPTABLE, "This page is served uncompressed only.").into_response();
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 4 << 20).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let nonce = fresh_nonce();
    let csrf = existing.clone().unwrap_or_else(crate::csrf::fresh_token);
    let html = add_nonce(&String::from_utf8_lossy(&bytes), &nonce).replacen(
        "<head>",
        &format!("<head>\n    <meta name=\"csrf-token\" content=\"{csrf}\" />"),
        1,
    );
    let headers = &mut parts.headers;
    if existing.is_none() {
        let cookie = crate::cookies::build(crate::csrf::COOKIE, csrf, pages.secure, None);
        if let Ok(value) = HeaderValue::from_str(&cookie.to_string()) {
            headers.append(header::SET_COOKIE, value);
        }
    }
    headers.remove(header::CONTENT_LENGTH);
    headers.remove(header::ETAG);
    headers.remove(header::LAST_MODIFIED);
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    headers.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
    if let Ok(value) = HeaderValue::from_str(&policy(&nonce, &pages.sources)) {
        headers.insert(header::CONTENT_SECURITY_POLICY, value);
    }
    Response::from_parts(parts, Body::from(html))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_directory_or_a_page_file_may_be_a_page_and_an_asset_is_not() {
        for path in
            ["/", "/pages/", "/pages/index.html", "/a/B.HTM", "/x.xhtml", "/logo.svg", "/feed.xml", "/docs"]
        {
            assert!(may_be_page(path), "{path}");
        }
        for path in ["/plaid-link-leptos_bg.wasm", "/plaid-link.js", "/style/plaid-link.css", "/a.html.gz"] {
            assert!(!may_be_page(path), "{path}");
        }
    }
}
