//! What the component may talk to: endpoint URLs and Link's script, resolved against the page and
//! checked against the trust rules before anything is sent or loaded. "What may the page's
//! attributes decide?" is answered here, in the checks for markup (`Provenance::Markup`).
//!
//! - Only HTTPS, or plain HTTP on loopback for development: a public token is a credential, and
//!   Link's script runs with the page's rights.
//! - Endpoints are on the page's own origin, unless the page's own code (never its markup) allows
//!   another origin with [`PlaidLinkOptions::allow_origin`](crate::PlaidLinkOptions::allow_origin).
//! - Link's script is Plaid's own URL. Plaid: it "must always be loaded directly from
//!   `https://cdn.plaid.com`, rather than included in a bundle or hosted yourself". A copy on the
//!   page's origin, named by the page's code or declared by its server, is for a page on this
//!   machine only (a local stand-in of Link): anywhere else it would be a self-hosted Link. The
//!   script is given the page's CSP nonce, so whoever chooses it could run code.
//! - Markup injected into a page (sanitisers keep `data-*` attributes) may name only the
//!   component's default endpoints or those the server declared in the `<head>` it served
//!   (`<meta name="plaid-link-endpoints">`), and only Plaid's script or the declared one
//!   (`<meta name="plaid-link-script">`): otherwise it could make the component POST, with the
//!   page's CSRF token, to any same-origin path, or give the nonce to an uploaded file.

use web_sys::Url;

use crate::plaid::loader::DEFAULT_SCRIPT_SRC;

/// The endpoints the component talks to when nothing else is said; markup may always name these.
pub(crate) const DEFAULT_LINK_TOKEN_URL: &str = "/api/link_token";
pub(crate) const DEFAULT_EXCHANGE_URL: &str = "/api/exchange_public_token";
pub(crate) const DEFAULT_UPDATE_URL: &str = "/api/item_updated";
pub(crate) const DEFAULT_SESSION_FINISHED_URL: &str = "/api/link_session_finished";
/// Where exit reports go when markup turns them on (`data-exit-report-url`); off by default.
#[cfg(feature = "embed")]
const DEFAULT_EXIT_REPORT_URL: &str = "/api/link_exit";
#[cfg(feature = "embed")]
const DEFAULTS: [&str; 5] = [
    DEFAULT_LINK_TOKEN_URL,
    DEFAULT_EXCHANGE_URL,
    DEFAULT_UPDATE_URL,
    DEFAULT_SESSION_FINISHED_URL,
    DEFAULT_EXIT_REPORT_URL,
];

/// A configured URL cannot be used; nothing was sent or loaded.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EndpointError {
    /// Not HTTPS, and not on this machine.
    #[error("not HTTPS (nor loopback): {0}")]
    Insecure(String),
    /// Not a URL at all.
    #[error("not a URL: {0}")]
    Invalid(String),
    /// An endpoint on another origin that the page's code did not allow.
    #[error("an endpoint on an origin the page's code did not allow: {0}")]
    OtherOrigin(String),
    /// A Link script that is neither Plaid's nor one the page's code or server named.
    #[error("a Link script that is neither Plaid's nor the page's own: {0}")]
    UntrustedScript(String),
    /// A copy of Link's script on a page that is not on this machine: outside development, Link
    /// comes from Plaid's CDN only.
    #[error(
        "Link's script must come from https://cdn.plaid.com/link/v2/stable/link-initialize.js: a copy \
         ({0}) is only for a page on this machine (a local stand-in)"
    )]
    SelfHostedScript(String),
    /// A Hosted Link page that is not Plaid's (`https://…plaid.com/`): outside development, the
    /// user is sent only to Plaid.
    #[error("a Hosted Link page that is not Plaid's: {0}")]
    NotPlaidsPage(String),
    /// An endpoint named by the page's markup that is neither a default nor declared by its server.
    #[error("an endpoint the page's markup named but its server did not declare: {0}")]
    Undeclared(String),
}

/// Who chose a URL: the page's code may choose within its origin (and the origins it allows);
/// its markup only among what the server declared.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum Provenance {
    /// Rust options, or `mount()`'s options object: the page's own code.
    #[default]
    Code,
    /// `data-*` attributes: possibly injected markup (only an embedding page has any).
    #[cfg(feature = "embed")]
    Markup,
}

/// A checked endpoint URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Endpoint {
    /// The absolute URL.
    pub href: String,
    /// On the page's own origin: only then does the page's CSRF token go along.
    pub same_origin: bool,
    /// On another origin the page's code trusts with its headers and cookies
    /// ([`PlaidLinkOptions::credentialed_origin`](crate::PlaidLinkOptions::credentialed_origin)).
    pub credentialed: bool,
}

/// The page's address and origin, and what its server declared in the `<head>` it served, read
/// once for all the URLs resolved against them.
pub(crate) struct Page {
    href: String,
    origin: String,
    /// The page's host name, as `location.hostname` gives it.
    hostname: String,
    /// `<meta name="plaid-link-endpoints">`: the paths (on the page's origin) markup may name
    /// besides the defaults, separated by spaces.
    #[cfg(feature = "embed")]
    declared_endpoints: String,
    /// `<meta name="plaid-link-script">`: the Link script the page uses, as an absolute URL.
    declared_script: Option<String>,
}

impl Page {
    pub(crate) fn current() -> Self {
        let location = web_sys::window().map(|w| w.location());
        let read = |f: fn(&web_sys::Location) -> Result<String, wasm_bindgen::JsValue>| {
            location.as_ref().and_then(|l| f(l).ok()).unwrap_or_default()
        };
        let mut page = Self {
            href: read(web_sys::Location::href),
            origin: read(web_sys::Location::origin),
            hostname: read(web_sys::Location::hostname),
            #[cfg(feature = "embed")]
            declared_endpoints: head_meta(r#"meta[name="plaid-link-endpoints"]"#).unwrap_or_default(),
            declared_script: None,
        };
        page.declared_script =
            head_meta(r#"meta[name="plaid-link-script"]"#).and_then(|raw| page.absolute(&raw));
        page
    }

    /// `raw` resolved against the page.
    fn absolute(&self, raw: &str) -> Option<String> {
        Url::new_with_base(raw, &self.href).ok().map(|url| url.href())
    }

    /// Whether markup may name `href`: a default endpoint, or one the server declared (both are
    /// paths on the page's origin).
    #[cfg(feature = "embed")]
    fn markup_may_name(&self, href: &str) -> bool {
        let path = href.strip_prefix(self.origin.as_str());
        let declared = self.declared_endpoints.split_ascii_whitespace();
        DEFAULTS.into_iter().chain(declared).any(|allowed| path == Some(allowed))
    }

    /// The Link script to load when the options name none: the declared one, else Plaid's.
    pub(crate) fn default_script(&self) -> &str {
        self.declared_script.as_deref().unwrap_or(DEFAULT_SCRIPT_SRC)
    }
}

/// The content of a `<meta>` in the document's `<head>` (never one in the body, where markup may
/// be injected).
fn head_meta(selector: &str) -> Option<String> {
    let head = web_sys::window()?.document()?.head()?;
    head.query_selector(selector).ok()??.get_attribute("content")
}

/// Resolves an endpoint against the page: HTTPS (or loopback), and on the page's origin or on one
/// of `allowed_origins`, which only the page's own code can name; from markup, a default endpoint
/// or one the server declared.
pub(crate) fn resolve_endpoint(
    page: &Page,
    raw: &str,
    origins: &[(String, bool)],
    #[cfg_attr(not(feature = "embed"), allow(unused_variables))] provenance: Provenance,
) -> Result<Endpoint, EndpointError> {
    let url = secure_url(page, raw)?;
    let (href, origin) = (url.href(), url.origin());
    let same_origin = origin == page.origin;
    #[cfg(feature = "embed")]
    if provenance == Provenance::Markup {
        return match (same_origin, page.markup_may_name(&href)) {
            (false, _) => Err(EndpointError::OtherOrigin(href)),
            (true, false) => Err(EndpointError::Undeclared(href)),
            (true, true) => Ok(Endpoint { href, same_origin, credentialed: false }),
        };
    }
    let listed = origins.iter().find(|(allowed, _)| origin_of(allowed).as_deref() == Some(&origin));
    match (same_origin, listed) {
        (true, _) => Ok(Endpoint { href, same_origin, credentialed: false }),
        (false, Some((_, credentialed))) => Ok(Endpoint { href, same_origin, credentialed: *credentialed }),
        (false, None) => Err(EndpointError::OtherOrigin(href)),
    }
}

/// Resolves Link's script URL: Plaid's own; on a page on this machine, also the one the server
/// declared or (from the page's code) one on the page's origin (a local stand-in).
pub(crate) fn resolve_script(
    page: &Page,
    raw: &str,
    provenance: Provenance,
) -> Result<String, EndpointError> {
    let url = secure_url(page, raw)?;
    let href = url.href();
    let pages_own = page.declared_script.as_deref() == Some(&href)
        || (provenance == Provenance::Code && url.origin() == page.origin);
    script_source(&page.hostname, href, pages_own)
}

/// Where Link's script may come from, for a page on `page_hostname`: Plaid's CDN always; the
/// page's own copy (`pages_own`) only on a page on this machine.
fn script_source(page_hostname: &str, href: String, pages_own: bool) -> Result<String, EndpointError> {
    match (href == DEFAULT_SCRIPT_SRC, pages_own) {
        (true, _) => Ok(href),
        (false, true) if is_this_machine(page_hostname) => Ok(href),
        (false, true) => Err(EndpointError::SelfHostedScript(href)),
        (false, false) => Err(EndpointError::UntrustedScript(href)),
    }
}

/// Checks the Hosted Link page the backend named, where the user is about to type their bank's
/// password: Plaid's (HTTPS, `plaid.com` or a name under it); on a page on this machine, also one
/// on this machine (a local stand-in).
pub(crate) fn resolve_hosted_page(page: &Page, raw: &str) -> Result<String, EndpointError> {
    let url = Url::new(raw).map_err(|_| EndpointError::Invalid(raw.to_owned()))?;
    let href = url.href();
    match hosted_page(&page.hostname, &url.protocol(), &url.hostname()) {
        true => Ok(href),
        false => Err(EndpointError::NotPlaidsPage(href)),
    }
}

/// Whether a Hosted Link page at `protocol`//`hostname` is Plaid's, or a stand-in's on this
/// machine for a page on this machine.
fn hosted_page(page_hostname: &str, protocol: &str, hostname: &str) -> bool {
    let plaids = protocol == "https:" && (hostname == "plaid.com" || hostname.ends_with(".plaid.com"));
    plaids || (is_this_machine(page_hostname) && is_this_machine(hostname) && allowed(protocol, hostname))
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

/// HTTPS anywhere; HTTP only on loopback; `blob:` (content the page made itself) as is; a Tauri
/// app's own pages (`tauri://localhost`, a secure context).
pub(crate) fn allowed(protocol: &str, hostname: &str) -> bool {
    match protocol {
        "https:" | "blob:" => true,
        "http:" => is_loopback(hostname),
        "tauri:" => hostname == "localhost",
        _ => false,
    }
}

/// A host name that is this machine itself: `localhost`, 127.0.0.0/8, `[::1]`. Not a
/// `*.localhost` name, which a production app may use (Tauri's `tauri.localhost`).
fn is_this_machine(hostname: &str) -> bool {
    let host = hostname.strip_suffix('.').unwrap_or(hostname);
    host == "localhost" || host == "[::1]" || is_loopback_ipv4(host)
}

fn is_loopback(hostname: &str) -> bool {
    // One trailing dot names the same host ("localhost."); anything odder is not loopback here.
    let host = hostname.strip_suffix('.').unwrap_or(hostname);
    host == "localhost" || host.ends_with(".localhost") || host == "[::1]" || is_loopback_ipv4(host)
}

/// 127.0.0.0/8, in a host name the browser's URL parser wrote: it writes every IPv4 address in
/// dotted decimal (`127.1` and `2130706433` become `127.0.0.1`), and a name of digits and dots only
/// is always such an address, so the first byte says it.
fn is_loopback_ipv4(host: &str) -> bool {
    host.starts_with("127.") && host.bytes().all(|b| b.is_ascii_digit() || b == b'.')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosted_link_sends_the_user_to_plaid_only_but_on_this_machine() {
        for page in ["shop.example.com", "localhost", "127.0.0.1"] {
            assert!(hosted_page(page, "https:", "secure.plaid.com"), "{page}");
            assert!(!hosted_page(page, "http:", "secure.plaid.com"), "{page}");
            assert!(!hosted_page(page, "https:", "plaid.com.evil.example"), "{page}");
            assert!(!hosted_page(page, "https:", "evilplaid.com"), "{page}");
        }
        assert!(hosted_page("127.0.0.1", "http:", "127.0.0.1"));
        assert!(hosted_page("localhost", "http:", "localhost"));
        assert!(!hosted_page("shop.example.com", "http:", "127.0.0.1"));
        assert!(!hosted_page("shop.example.com", "https:", "localhost"));
        assert!(!hosted_page("tauri.localhost", "http:", "127.0.0.1"));
    }

    #[test]
    fn https_is_allowed_everywhere() {
        assert!(allowed("https:", "bank.example.com"));
    }

    #[test]
    fn a_tauri_apps_own_pages_are_a_secure_context() {
        assert!(allowed("tauri:", "localhost"));
        assert!(!allowed("tauri:", "example.com"));
        assert!(!allowed("ftp:", "localhost"));
    }

    #[test]
    fn http_is_allowed_only_on_loopback() {
        for host in ["127.0.0.1", "127.8.9.10", "localhost", "localhost.", "app.localhost", "[::1]"] {
            assert!(allowed("http:", host), "{host}");
        }
        for host in [
            "example.com",
            "10.0.0.1",
            "192.168.1.10",
            "localhost.example.com",
            "localhost..",
            "128.0.0.1",
            "127.0.0.1.example.com",
            "127.example",
            "1127.0.0.1",
        ] {
            assert!(!allowed("http:", host), "{host}");
        }
    }

    #[test]
    fn a_copy_of_links_script_is_only_for_a_page_on_this_machine() {
        let copy = || "http://127.0.0.1:3000/plaid/link/v2/stable/link-initialize.js".to_owned();
        for page in ["127.0.0.1", "127.0.0.2", "localhost", "[::1]"] {
            assert_eq!(script_source(page, copy(), true), Ok(copy()), "{page}");
        }
        for page in
            ["shop.example.com", "tauri.localhost", "app.localhost", "10.0.0.1", "localhost.example.com"]
        {
            assert_eq!(
                script_source(page, copy(), true),
                Err(EndpointError::SelfHostedScript(copy())),
                "{page}"
            );
        }
        // Plaid's own is allowed everywhere; a script the page did not name, nowhere.
        for page in ["shop.example.com", "127.0.0.1"] {
            let plaids = DEFAULT_SCRIPT_SRC.to_owned();
            assert_eq!(script_source(page, plaids.clone(), false), Ok(plaids), "{page}");
            assert_eq!(
                script_source(page, copy(), false),
                Err(EndpointError::UntrustedScript(copy())),
                "{page}"
            );
        }
    }

    #[test]
    fn other_schemes_are_refused() {
        assert!(!allowed("javascript:", ""));
        assert!(!allowed("data:", ""));
        assert!(!allowed("ftp:", "example.com"));
    }
}
