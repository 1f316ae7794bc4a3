//! Endpoint URLs, resolved against the page and refused unless they are HTTPS.
//!
//! A public token is a credential, and Link's script runs with the page's rights: neither may
//! travel over plain HTTP. Loopback hosts are the one exception, for development.

use std::net::Ipv4Addr;

/// A configured URL cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EndpointError {
    /// Not HTTPS, and not on this machine.
    #[error("This page is set up to use an insecure connection ({0}), so it cannot connect your bank. Please contact the site's support.")]
    Insecure(String),
    /// Not a URL at all.
    #[error("This page is set up with an invalid address ({0}), so it cannot connect your bank. Please contact the site's support.")]
    Invalid(String),
}

/// Resolves `raw` against the page's address and checks that it may be used.
pub fn resolve(raw: &str) -> Result<String, EndpointError> {
    let base = web_sys::window().and_then(|w| w.location().href().ok()).unwrap_or_default();
    let url = web_sys::Url::new_with_base(raw, &base).map_err(|_| EndpointError::Invalid(raw.to_owned()))?;
    let href = url.href();
    if allowed(&url.protocol(), &url.hostname()) {
        Ok(href)
    } else {
        Err(EndpointError::Insecure(href))
    }
}

/// HTTPS anywhere; HTTP only on loopback; `blob:` (content the page made itself) as is.
pub fn allowed(protocol: &str, hostname: &str) -> bool {
    match protocol {
        "https:" | "blob:" => true,
        "http:" => is_loopback(hostname),
        _ => false,
    }
}

fn is_loopback(hostname: &str) -> bool {
    let host = hostname.trim_end_matches('.');
    host == "localhost"
        || host.ends_with(".localhost")
        || host == "[::1]"
        || host.parse::<Ipv4Addr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_is_allowed_everywhere() {
        assert!(allowed("https:", "bank.example.com"));
    }

    #[test]
    fn http_is_allowed_only_on_loopback() {
        for host in ["127.0.0.1", "127.8.9.10", "localhost", "app.localhost", "[::1]"] {
            assert!(allowed("http:", host), "{host}");
        }
        for host in ["example.com", "10.0.0.1", "192.168.1.10", "localhost.example.com", "128.0.0.1"] {
            assert!(!allowed("http:", host), "{host}");
        }
    }

    #[test]
    fn other_schemes_are_refused() {
        assert!(!allowed("javascript:", ""));
        assert!(!allowed("data:", ""));
        assert!(!allowed("ftp:", "example.com"));
    }
}
