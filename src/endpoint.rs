//! What the component may talk to: endpoint URLs and Link's script, resolved against the page and
//! checked against the trust rules before anything is sent or loaded.
//!
//! - Only HTTPS, or plain HTTP on loopback for development: a public token is a credential, and
//!   Link's script runs with the page's rights.
//! - Endpoints are on the page's own origin, unless the page's own code (never its markup) allows
//!   another origin with [`PlaidLinkOptions::allow_origin`](crate::PlaidLinkOptions::allow_origin).
//!   Markup injected into a page (sanitisers keep `data-*` attributes) must not be able to send the
//!   public token, the CSRF token or the app's headers elsewhere, nor fetch a link token of another
//!   Plaid app.
//! - Link's script is Plaid's own URL or a URL on the page's origin, and nothing else: it is given
//!   the page's CSP nonce, so whoever chooses it could run code in the page.

use std::net::Ipv4Addr;

use web_sys::Url;

use crate::plaid::loader::DEFAULT_SCRIPT_SRC;
use crate::texts::{english_display, Texts};

/// A configured URL cannot be used. `Display` is a message for the user (see [`crate::texts`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EndpointError {
    /// Not HTTPS, and not on this machine.
    Insecure(String),
    /// Not a URL at all.
    Invalid(String),
    /// An endpoint on another origin that the page's code did not allow.
    OtherOrigin(String),
    /// A Link script that is neither Plaid's nor the page's own.
    UntrustedScript(String),
}

impl EndpointError {
    pub(crate) fn say(&self, t: &Texts) -> String {
        let (template, address) = match self {
            Self::Insecure(a) => ("This page is set up to use an insecure connection ({address}), so it cannot connect your bank. Please contact the site's support.", a),
            Self::Invalid(a) => ("This page is set up with an invalid address ({address}), so it cannot connect your bank. Please contact the site's support.", a),
            Self::OtherOrigin(a) => ("This page is set up to send your connection to another site ({address}) that it has not allowed, so it cannot connect your bank. Please contact the site's support.", a),
            Self::UntrustedScript(a) => ("This page is set up to load Plaid Link from an address that is not Plaid's ({address}), so it cannot connect your bank. Please contact the site's support.", a),
        };
        t.say(template, &[("address", address)])
    }
}

english_display!(EndpointError);

/// A checked endpoint URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Endpoint {
    /// The absolute URL.
    pub href: String,
    /// On the page's own origin: only then do the page's CSRF token and the app's headers go along.
    pub same_origin: bool,
}

/// The page's address and origin, read once for all the URLs resolved against them.
pub(crate) struct Page {
    href: String,
    origin: String,
}

impl Page {
    pub(crate) fn current() -> Self {
        let location = web_sys::window().map(|w| w.location());
        let read = |f: fn(&web_sys::Location) -> Result<String, wasm_bindgen::JsValue>| {
            location.as_ref().and_then(|l| f(l).ok()).unwrap_or_default()
        };
        Self { href: read(web_sys::Location::href), origin: read(web_sys::Location::origin) }
    }
}

/// Resolves an endpoint against the page: HTTPS (or loopback), and on the page's origin or on one
/// of `allowed_origins`, which only the page's own code can name.
pub(crate) fn resolve_endpoint(
    page: &Page,
    raw: &str,
    allowed_origins: &[String],
) -> Result<Endpoint, EndpointError> {
    let url = secure_url(page, raw)?;
    let origin = url.origin();
    let same_origin = origin == page.origin;
    if same_origin || allowed_origins.iter().any(|allowed| origin_of(allowed).as_deref() == Some(&origin)) {
        Ok(Endpoint { href: url.href(), same_origin })
    } else {
        Err(EndpointError::OtherOrigin(url.href()))
    }
}

/// Resolves Link's script URL: Plaid's own, or one on the page's origin (a local stand-in, say).
pub(crate) fn resolve_script(page: &Page, raw: &str) -> Result<String, EndpointError> {
    let url = secure_url(page, raw)?;
    if url.href() == DEFAULT_SCRIPT_SRC || url.origin() == page.origin {
        Ok(url.href())
    } else {
        Err(EndpointError::UntrustedScript(url.href()))
    }
}

/// `raw` resolved against the page, if it is a URL that may carry a credential.
fn secure_url(page: &Page, raw: &str) -> Result<Url, EndpointError> {
    let url = Url::new_with_base(raw, &page.href).map_err(|_| EndpointError::Invalid(raw.to_owned()))?;
    if allowed(&url.protocol(), &url.hostname()) {
        Ok(url)
    } else {
        Err(EndpointError::Insecure(url.href()))
    }
}

/// The origin of an allowed-origin entry (`https://api.example.com`, with or without a path).
fn origin_of(raw: &str) -> Option<String> {
    Url::new(raw).ok().map(|u| u.origin()).filter(|o| o != "null")
}

/// HTTPS anywhere; HTTP only on loopback; `blob:` (content the page made itself) as is.
pub(crate) fn allowed(protocol: &str, hostname: &str) -> bool {
    match protocol {
        "https:" | "blob:" => true,
        "http:" => is_loopback(hostname),
        _ => false,
    }
}

fn is_loopback(hostname: &str) -> bool {
    // One trailing dot names the same host ("localhost."); anything odder is not loopback here.
    let host = hostname.strip_suffix('.').unwrap_or(hostname);
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
        for host in ["127.0.0.1", "127.8.9.10", "localhost", "localhost.", "app.localhost", "[::1]"] {
            assert!(allowed("http:", host), "{host}");
        }
        for host in
            ["example.com", "10.0.0.1", "192.168.1.10", "localhost.example.com", "localhost..", "128.0.0.1"]
        {
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
