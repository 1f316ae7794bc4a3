//! Pages served with a strict, nonce-based Content-Security-Policy and a CSRF token.
//!
//! Each HTML response gets a fresh nonce, in the policy and in place of [`NONCE_PLACEHOLDER`],
//! which the page's known tags carry from build time (Trunk puts it on its start-up script and
//! preloads; our pages on their scripts). Nothing else gets it: markup injected into a page, even a
//! `<script>`, does not run. Nothing is `eval`ed; WebAssembly compiles under `'wasm-unsafe-eval'`.
//!
//! CSRF, double-submit style: the page carries `<meta name="csrf-token">` and the browser an
//! HttpOnly, SameSite=Strict cookie with the same value; the API wants both to match. Another site
//! can neither read the page's meta nor set the header cross-origin.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use rand::RngCore;

/// The origins a page with the component talks to, besides itself.
#[derive(Clone, Debug)]
pub struct PolicySources {
    /// Link's script, as a full URL (Plaid: `https://cdn.plaid.com/link/v2/stable/link-initialize.js`).
    pub link_script: String,
    /// Served over TLS: cookies are then `__Host-` and `Secure`.
    pub secure: bool,
    /// Where Link's iframe comes from (Plaid: `https://cdn.plaid.com`).
    pub link_frame: String,
    /// Plaid's API, for Link (Plaid: `https://production.plaid.com`).
    pub plaid_api: String,
}

/// The policy for one response.
pub fn policy(nonce: &str, sources: &PolicySources) -> String {
    format!(
        "default-src 'self'; script-src 'nonce-{nonce}' 'wasm-unsafe-eval' {script}; \
         style-src 'self' 'nonce-{nonce}'; frame-src {frame}; connect-src 'self' {api}; \
         img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'",
        script = sources.link_script,
        frame = sources.link_frame,
        api = sources.plaid_api,
    )
}

/// What the page's own tags carry in their `nonce` attribute until served (Trunk's default,
/// named in Trunk.toml).
pub const NONCE_PLACEHOLDER: &str = "{{__TRUNK NONCE__}}";

/// Puts the response's nonce where the page's build put the placeholder, and nowhere else.
pub fn add_nonce(html: &str, nonce: &str) -> String {
    html.replace(NONCE_PLACEHOLDER, nonce)
}

/// The cookie that holds the page's CSRF token; `__Host-` over TLS, so that no subdomain nor
/// plain-HTTP page can plant one.
pub fn csrf_cookie(secure: bool) -> &'static str {
    if secure {
        "__Host-plaid_link_csrf"
    } else {
        "plaid_link_csrf"
    }
}

fn fresh_csrf_token() -> String {
    use rand::distributions::{Alphanumeric, DistString};
    Alphanumeric.sample_string(&mut rand::thread_rng(), 40)
}

fn valid_token(value: &str) -> bool {
    value.len() >= 32 && value.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// A cookie's value from the request's `Cookie` headers.
pub fn cookie(headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| {
            let (key, value) = pair.trim().split_once('=')?;
            (key == name).then(|| value.to_owned())
        })
}

/// Whether a request carries the page's CSRF token in `header`, matching its cookie.
pub fn csrf_ok(headers: &axum::http::HeaderMap, header_name: &str, secure: bool) -> bool {
    let Some(expected) = cookie(headers, csrf_cookie(secure)).filter(|v| valid_token(v)) else {
        return false;
    };
    let Some(sent) = headers.get(header_name).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    crate::constant_time::eq(sent.as_bytes(), expected.as_bytes())
}

fn fresh_nonce() -> String {
    let mut bytes = [0u8; 18];
    rand::thread_rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Middleware: HTML responses get a nonce and the policy, and are never cached (the nonce is per load).
pub async fn secure_html(State(sources): State<PolicySources>, request: Request, next: Next) -> Response {
    let existing = cookie(request.headers(), csrf_cookie(sources.secure)).filter(|v| valid_token(v));
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
    let csrf = existing.clone().unwrap_or_else(fresh_csrf_token);
    let html = add_nonce(&String::from_utf8_lossy(&bytes), &nonce).replacen(
        "<head>",
        &format!("<head>\n    <meta name=\"csrf-token\" content=\"{csrf}\" />"),
        1,
    );
    let headers = &mut parts.headers;
    if existing.is_none() {
        let secure = if sources.secure { "; Secure" } else { "" };
        let cookie =
            format!("{}={csrf}; Path=/; HttpOnly; SameSite=Strict{secure}", csrf_cookie(sources.secure));
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            headers.append(header::SET_COOKIE, value);
        }
    }
    headers.remove(header::CONTENT_LENGTH);
    headers.remove(header::ETAG);
    headers.remove(header::LAST_MODIFIED);
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    headers.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
    if let Ok(value) = HeaderValue::from_str(&policy(&nonce, &sources)) {
        headers.insert(header::CONTENT_SECURITY_POLICY, value);
    }
    Response::from_parts(parts, Body::from(html))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_tags_that_carry_the_placeholder_get_the_nonce() {
        let html = r#"<script type="module" nonce="{{__TRUNK NONCE__}}">x</script>
            <link rel="modulepreload" href="/a.js" nonce="{{__TRUNK NONCE__}}">
            <p>an injected comment: <script src="https://evil.example/x.js"></script></p>"#;
        let out = add_nonce(html, "abc");
        assert_eq!(out.matches(r#"nonce="abc""#).count(), 2);
        assert!(
            out.contains(r#"<script src="https://evil.example/x.js">"#),
            "injected markup is left without a nonce"
        );
        assert!(!out.contains(NONCE_PLACEHOLDER));
    }

    #[test]
    fn policy_has_no_unsafe_inline_or_eval() {
        let sources = PolicySources {
            link_script: "https://cdn.plaid.com/link/v2/stable/link-initialize.js".into(),
            link_frame: "https://cdn.plaid.com".into(),
            plaid_api: "https://production.plaid.com".into(),
            secure: true,
        };
        let p = policy("n0nce", &sources);
        assert!(p.contains("script-src 'nonce-n0nce' 'wasm-unsafe-eval' https://cdn.plaid.com/link/"));
        assert!(!p.contains("'unsafe-inline'"));
        assert!(!p.contains("'unsafe-eval'"));
        assert!(p.contains("object-src 'none'") && p.contains("base-uri 'none'"));
    }

    #[test]
    fn csrf_needs_the_header_to_match_the_cookie() {
        let token = "a".repeat(40);
        let mut headers = axum::http::HeaderMap::new();
        headers.insert(header::COOKIE, format!("other=1; {}={token}", csrf_cookie(false)).parse().unwrap());
        assert!(!csrf_ok(&headers, "x-csrf-token", false));
        headers.insert("x-csrf-token", "b".repeat(40).parse().unwrap());
        assert!(!csrf_ok(&headers, "x-csrf-token", false));
        headers.insert("x-csrf-token", token.parse().unwrap());
        assert!(csrf_ok(&headers, "x-csrf-token", false));
        assert!(!csrf_ok(&headers, "x-csrf-token", true), "over TLS only the __Host- cookie counts");
    }

    #[test]
    fn nonces_differ_per_response() {
        assert_ne!(fresh_nonce(), fresh_nonce());
    }
}
