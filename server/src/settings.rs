//! What the app configures: which Plaid, with which keys, and what its link tokens ask for.

use crate::plaid::client::PlaidClient;

/// Which of Plaid's environments the keys are for: what Plaid writes into its tokens, so that a
/// sandbox token sent to a production server (or the reverse) is refused before Plaid is asked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Environment {
    Sandbox,
    Production,
}

impl Environment {
    /// As Plaid writes it in tokens (`public-sandbox-…`).
    pub(crate) fn token_name(self) -> &'static str {
        match self {
            Self::Sandbox => "sandbox",
            Self::Production => "production",
        }
    }
}

/// Where Plaid's API is, and the app's keys for it. `Debug` never shows the secret.
#[derive(Clone)]
pub struct Plaid {
    pub(crate) base_url: String,
    pub(crate) client_id: String,
    pub(crate) secret: String,
    pub(crate) environment: Environment,
    pub(crate) extra_root: Option<Vec<u8>>,
}

impl std::fmt::Debug for Plaid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Plaid")
            .field("base_url", &self.base_url)
            .field("client_id", &self.client_id)
            .field("secret", &"<redacted>")
            .field("environment", &self.environment)
            .finish_non_exhaustive()
    }
}

/// Why a Plaid base URL is refused.
#[derive(Debug, thiserror::Error)]
#[error("Plaid's base URL {url:?} {why}")]
pub struct BaseUrlError {
    url: String,
    why: &'static str,
}

impl Plaid {
    /// `https://sandbox.plaid.com`.
    pub fn sandbox(client_id: impl Into<String>, secret: impl Into<String>) -> Self {
        Self::known("https://sandbox.plaid.com", client_id, secret, Environment::Sandbox)
    }

    /// `https://production.plaid.com`.
    pub fn production(client_id: impl Into<String>, secret: impl Into<String>) -> Self {
        Self::known("https://production.plaid.com", client_id, secret, Environment::Production)
    }

    /// A server that speaks Plaid's API elsewhere (a stand-in such as `plaid-link-standin`): HTTPS, or
    /// plain HTTP on loopback only.
    pub fn at(
        base_url: &str,
        client_id: impl Into<String>,
        secret: impl Into<String>,
        environment: Environment,
    ) -> Result<Self, BaseUrlError> {
        match crate::plaid::client::endpoint_problem(base_url) {
            Some(why) => Err(BaseUrlError { url: base_url.to_owned(), why }),
            None => Ok(Self::known(base_url, client_id, secret, environment)),
        }
    }

    /// Trusts this PEM certificate too, besides the public roots (a stand-in's own, over HTTPS).
    pub fn trusting(mut self, pem: Vec<u8>) -> Self {
        self.extra_root = Some(pem);
        self
    }

    fn known(
        base_url: &str,
        client_id: impl Into<String>,
        secret: impl Into<String>,
        environment: Environment,
    ) -> Self {
        Self {
            base_url: base_url.trim_end_matches('/').to_owned(),
            client_id: client_id.into(),
            secret: secret.into(),
            environment,
            extra_root: None,
        }
    }
}

/// What the app's link tokens ask for, and the guards' settings. [`Settings::new`] gives the
/// defaults; change the fields as needed.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Settings {
    pub plaid: Plaid,
    /// The name Link shows the user.
    pub client_name: String,
    /// Only the products the app uses (least privilege). Default: `transactions`.
    pub products: Vec<String>,
    /// Default: `US`.
    pub country_codes: Vec<String>,
    /// Where OAuth banks send the user back (mobile web, webviews), as registered with Plaid; HTTPS
    /// (plain HTTP on loopback only), no query or fragment. Without it, Link opens OAuth banks in
    /// a pop-up.
    pub redirect_uri: Option<String>,
    /// The full address of the router's `webhooks/plaid` route, where Plaid sends the items'
    /// webhooks (HTTPS).
    pub webhook_url: Option<String>,
    /// Requests a minute from one client address (default 120): behind a proxy every client has
    /// the proxy's address, so raise it there or limit at the proxy.
    pub rate_per_client: u32,
    /// Requests a minute from one user (default 30).
    pub rate_per_user: u32,
    /// Origins besides the app's own whose pages may call the routes (`https://app.example`,
    /// `tauri://localhost`), as browsers write `Origin`. The app answers their CORS preflights.
    pub allowed_origins: Vec<String>,
}

/// Why a setting is refused.
#[derive(Debug, thiserror::Error)]
#[error("the redirect URI {uri:?} {why}")]
pub struct RedirectUriError {
    uri: String,
    why: &'static str,
}

impl Settings {
    pub fn new(plaid: Plaid, client_name: impl Into<String>) -> Self {
        Self {
            plaid,
            client_name: client_name.into(),
            products: vec!["transactions".to_owned()],
            country_codes: vec!["US".to_owned()],
            redirect_uri: None,
            webhook_url: None,
            rate_per_client: 120,
            rate_per_user: 30,
            allowed_origins: Vec::new(),
        }
    }

    /// Sets the redirect URI, checked as Plaid checks it.
    pub fn with_redirect_uri(mut self, uri: &str) -> Result<Self, RedirectUriError> {
        if let Some(why) = crate::plaid::client::redirect_uri_problem(uri) {
            return Err(RedirectUriError { uri: uri.to_owned(), why });
        }
        self.redirect_uri = Some(uri.to_owned());
        Ok(self)
    }

    pub(crate) fn client(&self) -> PlaidClient {
        PlaidClient::new(
            self.plaid.base_url.clone(),
            self.plaid.client_id.clone(),
            self.plaid.secret.clone(),
            self.plaid.extra_root.as_deref(),
            self.webhook_url.clone(),
        )
        .with_redirect_uri(self.redirect_uri.clone())
    }
}
