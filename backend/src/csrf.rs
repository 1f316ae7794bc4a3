//! CSRF, double-submit style: every page the server sends carries `<meta name="csrf-token">`, and
//! the browser an HttpOnly, SameSite=Strict cookie with the same value; a call that changes
//! something must carry the token in `X-CSRF-Token`, matching the cookie (compared in constant
//! time). Another site can neither read the page's meta nor set the header cross-origin. It is the
//! app's own check that `plaid-link-server` adds to its cross-site one (`PlaidLink::also_require`);
//! off only for `trunk serve`, which serves the page itself and cannot add the token.

use axum::http::HeaderMap;
use axum_extra::extract::cookie::{Cookie, CookieJar};
use rand::distributions::{Alphanumeric, DistString};
use subtle::ConstantTimeEq;

/// The cookie's name, before the `__Host-` prefix of a secure server.
pub const COOKIE: &str = "plaid_link_csrf";
/// The header a call carries the token in.
pub const HEADER: &str = "x-csrf-token";

/// A fresh token.
pub fn fresh_token() -> String {
    Alphanumeric.sample_string(&mut rand::thread_rng(), 40)
}

fn well_formed(value: &str) -> bool {
    value.len() >= 32 && value.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// The token the browser's cookie holds, if it is one the server could have issued.
pub fn cookie_token(jar: &CookieJar, secure: bool) -> Option<String> {
    jar.get(&crate::cookies::name(COOKIE, secure))
        .map(Cookie::value)
        .filter(|v| well_formed(v))
        .map(str::to_owned)
}

/// Whether a request carries the page's token in the header, matching its cookie.
pub fn holds(headers: &HeaderMap, secure: bool) -> bool {
    let jar = CookieJar::from_headers(headers);
    let (Some(expected), Some(sent)) =
        (cookie_token(&jar, secure), headers.get(HEADER).and_then(|v| v.to_str().ok()))
    else {
        return false;
    };
    bool::from(sent.as_bytes().ct_eq(expected.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::header;

    #[test]
    fn the_header_must_match_the_cookie() {
        let token = "a".repeat(40);
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, format!("other=1; {COOKIE}={token}").parse().unwrap());
        assert!(!holds(&headers, false));
        headers.insert(HEADER, "b".repeat(40).parse().unwrap());
        assert!(!holds(&headers, false));
        headers.insert(HEADER, token.parse().unwrap());
        assert!(holds(&headers, false));
        assert!(!holds(&headers, true), "a secure server counts only the __Host- cookie");
    }
}
