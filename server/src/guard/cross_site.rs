//! No request that changes something from another site, without relying on any cookie scheme: the
//! browser says where a request comes from (`Sec-Fetch-Site`, and `Origin`), and a page of another
//! site cannot make it say otherwise. Origins the app lists (a front end on another origin, a Tauri
//! app) pass too; a client that is not a browser sends neither header and is no CSRF risk. The app
//! may add a check of its own on top (a double-submit token, say): [`crate::PlaidLink::also_require`].

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

use crate::failure::Failure;
use crate::state::Shared;

/// An extra check of the app's own, on every request that changes something.
pub(crate) type Check = Arc<dyn Fn(&HeaderMap) -> bool + Send + Sync>;

#[derive(Default)]
pub(crate) struct CrossSite {
    /// `scheme://host[:port]`, as browsers write `Origin`.
    pub allowed_origins: Vec<String>,
    pub also: Option<Check>,
}

impl CrossSite {
    /// `Err(note)` for a request another site's page made.
    pub fn check(&self, headers: &HeaderMap) -> Result<(), String> {
        let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        let origin = text(header::ORIGIN.as_str());
        if origin.is_some_and(|o| self.allowed_origins.iter().any(|a| a.eq_ignore_ascii_case(o))) {
            return Ok(());
        }
        match (text("sec-fetch-site"), origin) {
            (Some("same-origin"), _) => Ok(()),
            (Some(site), _) => {
                Err(format!("a request from another origin (Sec-Fetch-Site: {})", crate::logging::clip(site)))
            }
            // A browser without Fetch Metadata: its Origin must be this very host.
            (None, Some(origin)) => {
                let host = text(header::HOST.as_str()).unwrap_or("");
                let authority = origin.split_once("://").map_or("", |(_, rest)| rest);
                if !host.is_empty() && authority.eq_ignore_ascii_case(host) {
                    Ok(())
                } else {
                    Err(format!("a request from another origin ({})", crate::logging::clip(origin)))
                }
            }
            // Not a browser (a server, curl): nothing a page could forge.
            (None, None) => Ok(()),
        }
    }
}

/// Layer: the app's own pages (and the origins it listed) only, then the app's own check.
pub(crate) async fn same_site(
    State(state): State<Shared>,
    request: Request,
    next: Next,
) -> Result<Response, Failure> {
    if let Err(note) = state.cross_site.check(request.headers()) {
        return Err(Failure::new(
            StatusCode::FORBIDDEN,
            "This request did not come from this site's own page.",
            &note,
        ));
    }
    if state.cross_site.also.as_ref().is_some_and(|also| !also(request.headers())) {
        return Err(Failure::new(
            StatusCode::FORBIDDEN,
            "This page has expired. Reload it, then try again.",
            "the app's own check refused it",
        ));
    }
    Ok(next.run(request).await)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, value.parse().unwrap());
        }
        map
    }

    #[test]
    fn only_the_apps_own_pages_and_listed_origins_pass() {
        let guard = CrossSite { allowed_origins: vec!["tauri://localhost".into()], also: None };
        let own = [("host", "bank.example"), ("origin", "https://bank.example")];
        assert!(guard.check(&headers(&[("sec-fetch-site", "same-origin")])).is_ok());
        assert!(guard.check(&headers(&own)).is_ok(), "an older browser on the app's own page");
        assert!(guard.check(&headers(&[("host", "bank.example")])).is_ok(), "not a browser");
        for refused in [
            headers(&[("sec-fetch-site", "cross-site"), ("origin", "https://evil.example")]),
            headers(&[("sec-fetch-site", "same-site"), ("origin", "https://shop.bank.example")]),
            headers(&[("host", "bank.example"), ("origin", "https://evil.example")]),
            headers(&[("host", "bank.example"), ("origin", "null")]),
        ] {
            assert!(guard.check(&refused).is_err(), "{refused:?}");
        }
        let tauri = headers(&[("sec-fetch-site", "cross-site"), ("origin", "tauri://localhost")]);
        assert!(guard.check(&tauri).is_ok(), "a listed origin");
    }
}
