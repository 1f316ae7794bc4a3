//! The server's cookies (the session's and the CSRF token's): HttpOnly, SameSite=Strict, for the
//! whole site; and when the server is `secure` (`Config::secure`), `Secure` with the `__Host-`
//! prefix, so that a browser takes them only from this host over HTTPS: no sibling subdomain and no
//! plain-HTTP page can plant or shadow one.

use axum_extra::extract::cookie::{Cookie, SameSite};

/// The cookie's name, with the `__Host-` prefix when secure.
pub fn name(base: &'static str, secure: bool) -> String {
    if secure {
        format!("__Host-{base}")
    } else {
        base.to_owned()
    }
}

/// A cookie of the server's, with every attribute above; `max_age` in seconds, or a session cookie.
pub fn build(base: &'static str, value: String, secure: bool, max_age: Option<u64>) -> Cookie<'static> {
    let mut cookie = Cookie::build((name(base, secure), value))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .build();
    if let Some(secs) = max_age {
        cookie.set_max_age(time::Duration::seconds(i64::try_from(secs).unwrap_or(i64::MAX)));
    }
    cookie
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secure_cookie_is_host_prefixed_and_secure() {
        let cookie = build("plaid_link_session", "v".into(), true, Some(60)).to_string();
        assert!(cookie.starts_with("__Host-plaid_link_session=v"), "{cookie}");
        for attribute in ["Path=/", "HttpOnly", "SameSite=Strict", "Secure", "Max-Age=60"] {
            assert!(cookie.contains(attribute), "{attribute} in {cookie}");
        }
        assert!(!cookie.contains("Domain"), "a __Host- cookie names no domain: {cookie}");
        let plain = build("plaid_link_session", "v".into(), false, None).to_string();
        assert!(plain.starts_with("plaid_link_session=v") && !plain.contains("Secure"), "{plain}");
    }
}
