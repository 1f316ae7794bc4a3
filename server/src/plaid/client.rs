//! Calls Plaid's API (the real one or the stand-in: only the base URL differs).

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::plaid::types::{
    AccessTokenRequest, AccountsGetResponse, Credentials, ItemRemoveResponse, LinkTokenCreateRequest,
    LinkTokenCreateResponse, LinkTokenGetRequest, LinkTokenGetResponse, LinkTokenHostedLink, LinkTokenUpdate,
    LinkTokenUser, PlaidError, PublicTokenExchangeRequest, PublicTokenExchangeResponse,
    WebhookVerificationKey, WebhookVerificationKeyGetRequest, WebhookVerificationKeyGetResponse,
};

/// A failed call to Plaid.
#[derive(Debug, thiserror::Error)]
pub enum PlaidCallError {
    #[error("Plaid answered {status} {} (request_id {}): {}", .error.error_code, .error.request_id, .error.error_message)]
    Plaid { status: u16, error: PlaidError },
    #[error("Plaid could not be reached: {0}")]
    Transport(String),
    #[error("Plaid's answer could not be read: {0}")]
    Decode(String),
}

impl PlaidCallError {
    /// Whether asking again may succeed: Plaid could not be reached, or failed on its side (5xx).
    /// A 4xx (a bad or used token, wrong keys, a rate limit) answers the same however often asked.
    pub fn may_pass(&self) -> bool {
        match self {
            Self::Transport(_) => true,
            Self::Plaid { status, .. } => *status >= 500,
            Self::Decode(_) => false,
        }
    }
}

/// Update mode for one item: its access token, and whether the user may change its accounts.
#[derive(Clone, Copy, Debug)]
pub struct UpdateMode<'a> {
    pub access_token: &'a str,
    pub account_selection: bool,
}

/// What a link token is for.
#[derive(Clone, Copy, Debug)]
pub enum LinkMode<'a> {
    /// One new item: its public token comes through `onSuccess`.
    NewItem,
    /// Multi-Item Link: several banks in one session; their public tokens come through
    /// `/link/token/get` and the `SESSION_FINISHED` webhook.
    MultiItem,
    Update(UpdateMode<'a>),
}

/// Where Plaid is and how to authenticate to it.
#[derive(Clone)]
pub struct PlaidClient {
    http: reqwest::Client,
    base_url: String,
    client_id: String,
    secret: String,
    /// Where Plaid sends the items' webhooks, given with every link token.
    webhook: Option<String>,
    /// Where OAuth banks send the user back (`PLAID_REDIRECT_URI`), given with every link token.
    redirect_uri: Option<String>,
}

/// Why a redirect URI would be refused, as Plaid refuses them: it must be HTTPS (plain HTTP only on
/// loopback, as Plaid's sandbox allows `http://localhost`) and carry no query or fragment of its own
/// (Plaid appends `?oauth_state_id=…`).
pub fn redirect_uri_problem(uri: &str) -> Option<&'static str> {
    let Ok(url) = reqwest::Url::parse(uri) else {
        return Some("is not an absolute URL");
    };
    if !https_or_loopback(&url) {
        return Some("must use HTTPS (plain HTTP only on localhost)");
    }
    if url.query().is_some() || url.fragment().is_some() || uri.contains(['?', '#']) {
        return Some("must not carry a query or a fragment");
    }
    None
}

/// Why Plaid's base URL would be refused: HTTPS, or plain HTTP on loopback (a stand-in).
pub fn endpoint_problem(url: &str) -> Option<&'static str> {
    let Ok(url) = reqwest::Url::parse(url) else {
        return Some("is not an absolute URL");
    };
    (!https_or_loopback(&url)).then_some("must use HTTPS (plain HTTP only on loopback)")
}

/// HTTPS, or plain HTTP on this machine (`localhost`, `127.0.0.1`, `[::1]`), as Plaid's sandbox
/// allows: the one rule for every address the server library checks.
pub(crate) fn https_or_loopback(url: &reqwest::Url) -> bool {
    let loopback = matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
    url.scheme() == "https" || url.scheme() == "http" && loopback
}

impl PlaidClient {
    /// `extra_root`: a PEM certificate to trust besides the public roots (the local stand-in's own,
    /// when it serves HTTPS with a certificate made for the occasion).
    pub fn new(
        base_url: String,
        client_id: String,
        secret: String,
        extra_root: Option<&[u8]>,
        webhook: Option<String>,
    ) -> Self {
        let mut builder = reqwest::Client::builder().timeout(std::time::Duration::from_secs(20));
        if let Some(cert) = extra_root.and_then(|pem| reqwest::Certificate::from_pem(pem).ok()) {
            builder = builder.add_root_certificate(cert);
        }
        let http = builder.build().unwrap_or_else(|_| reqwest::Client::new());
        Self {
            http,
            base_url: base_url.trim_end_matches('/').to_owned(),
            client_id,
            secret,
            webhook,
            redirect_uri: None,
        }
    }

    /// Sends this redirect URI with every link token (OAuth banks on mobile web and in webviews).
    pub fn with_redirect_uri(mut self, redirect_uri: Option<String>) -> Self {
        self.redirect_uri = redirect_uri;
        self
    }

    fn credentials(&self) -> Credentials {
        Credentials { client_id: Some(self.client_id.clone()), secret: Some(self.secret.clone()) }
    }

    /// `/link/token/create` for one user: a new item with the configured products (several banks in
    /// one session with `multi_item`), or, given an item's access token, update mode for that item
    /// (products left out, as Plaid asks).
    pub async fn link_token_create(
        &self,
        client_name: &str,
        client_user_id: &str,
        products: &[String],
        country_codes: &[String],
        mode: LinkMode<'_>,
        hosted: Option<&crate::service::HostedLink>,
    ) -> Result<LinkTokenCreateResponse, PlaidCallError> {
        let update = match mode {
            LinkMode::Update(update) => Some(update),
            _ => None,
        };
        let request = LinkTokenCreateRequest {
            credentials: self.credentials(),
            webhook: self.webhook.clone(),
            client_name: client_name.to_owned(),
            language: "en".to_owned(),
            country_codes: country_codes.to_vec(),
            user: LinkTokenUser { client_user_id: client_user_id.to_owned() },
            products: if update.is_some() { Vec::new() } else { products.to_vec() },
            access_token: update.map(|u| u.access_token.to_owned()),
            update: update.map(|u| LinkTokenUpdate { account_selection_enabled: u.account_selection }),
            redirect_uri: self.redirect_uri.clone(),
            enable_multi_item_link: matches!(mode, LinkMode::MultiItem).then_some(true),
            hosted_link: hosted.map(|hosted| LinkTokenHostedLink {
                completion_redirect_uri: hosted.completion_redirect_uri.clone(),
                ..LinkTokenHostedLink::default()
            }),
        };
        self.post("/link/token/create", &request).await
    }

    /// `/link/token/get`: what a link token's sessions added.
    pub async fn link_token_get(&self, link_token: &str) -> Result<LinkTokenGetResponse, PlaidCallError> {
        let request =
            LinkTokenGetRequest { credentials: self.credentials(), link_token: link_token.to_owned() };
        self.post("/link/token/get", &request).await
    }

    /// `/accounts/get`: the item's accounts, or its error (`ITEM_LOGIN_REQUIRED`, say).
    pub async fn accounts_get(&self, access_token: &str) -> Result<AccountsGetResponse, PlaidCallError> {
        let request =
            AccessTokenRequest { credentials: self.credentials(), access_token: access_token.to_owned() };
        self.post("/accounts/get", &request).await
    }

    /// `/sandbox/item/reset_login` (sandbox only): the item needs its user to sign in again.
    pub async fn sandbox_reset_login(&self, access_token: &str) -> Result<serde_json::Value, PlaidCallError> {
        let request =
            AccessTokenRequest { credentials: self.credentials(), access_token: access_token.to_owned() };
        self.post("/sandbox/item/reset_login", &request).await
    }

    /// `/item/public_token/exchange`.
    pub async fn exchange_public_token(
        &self,
        public_token: &str,
    ) -> Result<PublicTokenExchangeResponse, PlaidCallError> {
        let request = PublicTokenExchangeRequest {
            credentials: self.credentials(),
            public_token: public_token.to_owned(),
        };
        self.post("/item/public_token/exchange", &request).await
    }

    /// `/webhook_verification_key/get`: the public key a webhook's `kid` names.
    pub async fn webhook_verification_key(
        &self,
        key_id: &str,
    ) -> Result<WebhookVerificationKey, PlaidCallError> {
        let request =
            WebhookVerificationKeyGetRequest { credentials: self.credentials(), key_id: key_id.to_owned() };
        let answer: WebhookVerificationKeyGetResponse =
            self.post("/webhook_verification_key/get", &request).await?;
        Ok(answer.key)
    }

    /// `/item/remove`: Plaid stops billing the item and invalidates its access token.
    pub async fn item_remove(&self, access_token: &str) -> Result<ItemRemoveResponse, PlaidCallError> {
        let request =
            AccessTokenRequest { credentials: self.credentials(), access_token: access_token.to_owned() };
        self.post("/item/remove", &request).await
    }

    async fn post<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, PlaidCallError> {
        let response = self
            .http
            .post(format!("{}{path}", self.base_url))
            .json(body)
            .send()
            .await
            .map_err(|e| PlaidCallError::Transport(e.without_url().to_string()))?;
        let status = response.status();
        let bytes = response.bytes().await.map_err(|e| PlaidCallError::Transport(e.to_string()))?;
        if !status.is_success() {
            // A 5xx whose body is not Plaid's error (a proxy's page) is still a 5xx.
            let error = serde_json::from_slice(&bytes).unwrap_or_else(|_| PlaidError {
                error_type: "API_ERROR".into(),
                error_code: "UNREADABLE_ERROR".into(),
                error_message: format!("HTTP {status} without Plaid's error object"),
                ..PlaidError::default()
            });
            return Err(PlaidCallError::Plaid { status: status.as_u16(), error });
        }
        serde_json::from_slice(&bytes).map_err(|e| PlaidCallError::Decode(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_uris_are_https_or_loopback_without_query_or_fragment() {
        assert_eq!(redirect_uri_problem("https://app.example.com/oauth-return"), None);
        assert_eq!(redirect_uri_problem("http://127.0.0.1:8080/"), None);
        assert_eq!(redirect_uri_problem("http://localhost:3000/oauth"), None);
        assert!(redirect_uri_problem("http://app.example.com/").is_some());
        assert!(redirect_uri_problem("https://app.example.com/?next=1").is_some());
        assert!(redirect_uri_problem("https://app.example.com/#top").is_some());
        assert!(redirect_uri_problem("https://app.example.com/?").is_some());
        assert!(redirect_uri_problem("/oauth-return").is_some());
    }

    fn plaid(status: u16, code: &str) -> PlaidCallError {
        let error = PlaidError {
            error_type: "X".into(),
            error_code: code.into(),
            request_id: "r".into(),
            ..PlaidError::default()
        };
        PlaidCallError::Plaid { status, error }
    }

    #[test]
    fn only_transport_failures_and_plaid_5xx_may_pass() {
        assert!(PlaidCallError::Transport("reset".into()).may_pass());
        assert!(plaid(500, "INTERNAL_SERVER_ERROR").may_pass());
        assert!(plaid(503, "PLANNED_MAINTENANCE").may_pass());
        for (status, code) in
            [(400, "INVALID_PUBLIC_TOKEN"), (400, "INVALID_API_KEYS"), (429, "RATE_LIMIT_EXCEEDED")]
        {
            assert!(!plaid(status, code).may_pass(), "{code}");
        }
        assert!(!PlaidCallError::Decode("x".into()).may_pass());
    }
}
