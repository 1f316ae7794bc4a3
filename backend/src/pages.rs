//! Every HTML page the server sends: a fresh nonce and the strict policy (`csp.rs`), the CSRF token
//! in `<meta name="csrf-token">` with its cookie (`csrf.rs`), never cached (the nonce is per load).

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

/// Layer: HTML answers get their nonce, policy and CSRF token; anything else passes as it is.
pub async fn secure(State(pages): State<Pages>, request: Request, next: Next) -> Response {
    let existing = crate::csrf::cookie_token(&CookieJar::from_headers(request.headers()), pages.secure);
    let response = next.run(request).await;
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html"));
    if !is_html {
        return response;
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
