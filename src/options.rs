//! How a page configures the flow: endpoints, Link's script, limits and the application's callbacks.

use std::rc::Rc;

use crate::backend::{BackendClient, HeaderSource, RetryPolicy, SendReport, UpdateTarget};
use crate::endpoint::{self, Endpoint, EndpointError, Provenance};
#[cfg(feature = "embed")]
use crate::handoff::PrefetchedToken;
use crate::plaid::types::{ExitMetadata, LinkError, LinkEvent, SuccessMetadata};
use crate::status::Connection;
#[cfg(feature = "embed")]
use crate::status::LinkStatus;
use crate::transport::{Custom, FinishedSession, Forwarded, LinkTokenGrant, LinkTokenRequest};
use crate::ui::texts::Texts;

type OnConnected = Rc<dyn Fn(&Connection)>;
type OnSuccess = Rc<dyn Fn(&SuccessMetadata, &wasm_bindgen::JsValue)>;
type OnExit = Rc<dyn Fn(Option<&LinkError>, &ExitMetadata)>;
type OnEvent = Rc<dyn Fn(&LinkEvent)>;
#[cfg(feature = "embed")]
type OnLinkEvent = Rc<dyn Fn(&str, &wasm_bindgen::JsValue)>;
#[cfg(feature = "embed")]
type OnStatus = Rc<dyn Fn(&LinkStatus)>;

/// Options for [`use_plaid_link`](crate::use_plaid_link) and [`PlaidLink`](crate::PlaidLink).
///
/// ```
/// use plaid_link::PlaidLinkOptions;
/// let options = PlaidLinkOptions::default()
///     .link_token_url("/api/link_token")
///     .exchange_url("/api/exchange_public_token")
///     .request_timeout_ms(10_000);
/// ```
#[derive(Clone)]
pub struct PlaidLinkOptions {
    pub(crate) link_token_url: String,
    pub(crate) exchange_url: String,
    pub(crate) update_url: String,
    pub(crate) session_finished_url: String,
    /// Where exit reports go, and what sends them: made only by [`Self::exit_report_url`] (and the
    /// embed's reader), so that an app that asks for none carries no report code.
    pub(crate) exit_reports: Option<(String, SendReport)>,
    pub(crate) multi_item: bool,
    /// Update mode: the item to repair, and whether the user may add accounts.
    pub(crate) update: Option<UpdateTarget>,
    /// What [`Self::account_selection`] said, for an `update_item` that comes after it.
    pub(crate) account_selection: bool,
    /// Names the component in what is kept for an OAuth bank's return (see [`Self::oauth_id`]).
    pub(crate) oauth_id: Option<String>,
    /// Other origins the endpoints may be on, and whether each gets the app's headers and cookies.
    pub(crate) allowed_origins: Vec<(String, bool)>,
    pub(crate) link_token_fields: Vec<(String, String)>,
    /// `None`: the script the page's server declared (`<meta name="plaid-link-script">`), else Plaid's.
    pub(crate) script_src: Option<String>,
    pub(crate) nonce: Option<String>,
    pub(crate) request_timeout_ms: u32,
    pub(crate) script_timeout_ms: u32,
    pub(crate) headers: Option<HeaderSource>,
    pub(crate) csrf_header: String,
    pub(crate) retry: RetryPolicy,
    pub(crate) on_connected: Option<OnConnected>,
    pub(crate) on_exit: Option<OnExit>,
    pub(crate) on_success: Option<OnSuccess>,
    pub(crate) on_event: Option<OnEvent>,
    /// The embed's: each event's name and Link's own metadata object, for the page.
    #[cfg(feature = "embed")]
    pub(crate) on_link_event: Option<OnLinkEvent>,
    /// The embed's: every status the flow reaches, as it reaches it, for the page.
    #[cfg(feature = "embed")]
    pub(crate) on_status: Option<OnStatus>,
    pub(crate) texts: Texts,
    /// The app's own functions in place of the URLs (see [`crate::transport`]).
    pub(crate) custom: Custom,
    /// A link-token request started before the WebAssembly ran (embedding only); used once.
    #[cfg(feature = "embed")]
    pub(crate) prefetched: Option<PrefetchedToken>,
    /// Who chose the URLs: the page's code, or its markup (which may only choose what the page's
    /// server declared; see [`crate::endpoint`]).
    pub(crate) provenance: Provenance,
}

impl Default for PlaidLinkOptions {
    fn default() -> Self {
        Self {
            link_token_url: endpoint::DEFAULT_LINK_TOKEN_URL.to_owned(),
            exchange_url: endpoint::DEFAULT_EXCHANGE_URL.to_owned(),
            update_url: endpoint::DEFAULT_UPDATE_URL.to_owned(),
            session_finished_url: endpoint::DEFAULT_SESSION_FINISHED_URL.to_owned(),
            exit_reports: None,
            multi_item: false,
            update: None,
            account_selection: false,
            oauth_id: None,
            allowed_origins: Vec::new(),
            link_token_fields: Vec::new(),
            script_src: None,
            nonce: None,
            request_timeout_ms: 15_000,
            script_timeout_ms: 20_000,
            headers: None,
            csrf_header: "X-CSRF-Token".to_owned(),
            retry: RetryPolicy::default(),
            on_connected: None,
            on_exit: None,
            on_success: None,
            on_event: None,
            #[cfg(feature = "embed")]
            on_link_event: None,
            #[cfg(feature = "embed")]
            on_status: None,
            texts: Texts::default(),
            custom: Custom::default(),
            #[cfg(feature = "embed")]
            prefetched: None,
            provenance: Provenance::Code,
        }
    }
}

impl PlaidLinkOptions {
    /// Where to POST for a link token. Default `/api/link_token`.
    ///
    /// ```
    /// use plaid_link::PlaidLinkOptions;
    /// let options = PlaidLinkOptions::default().link_token_url("/billing/plaid/link_token");
    /// ```
    pub fn link_token_url(mut self, url: impl Into<String>) -> Self {
        self.link_token_url = url.into();
        self
    }

    /// The page's own words for every sentence the components show (English by default); see
    /// [`texts`](crate::texts). Read when a component is made.
    ///
    /// ```
    /// use plaid_link::{PlaidLinkOptions, Texts};
    /// let options = PlaidLinkOptions::default().texts(Texts::new(|english| match english {
    ///     "Connect a bank account" => Some("Connecter un compte bancaire".into()),
    ///     _ => None,
    /// }));
    /// ```
    pub fn texts(mut self, texts: Texts) -> Self {
        self.texts = texts;
        self
    }

    /// Where to POST the public token. Default `/api/exchange_public_token`.
    ///
    /// ```
    /// use plaid_link::PlaidLinkOptions;
    /// let options = PlaidLinkOptions::default().exchange_url("/billing/plaid/exchange");
    /// ```
    pub fn exchange_url(mut self, url: impl Into<String>) -> Self {
        self.exchange_url = url.into();
        self
    }

    /// Update mode: Link repairs this existing item (its bank asks the user to sign in again) instead
    /// of connecting a new one. The link-token request then carries `{"item_id", "account_selection"}`,
    /// and the backend makes the token from the item's access token, if the user owns the item.
    /// Nothing is exchanged: the access token has not changed, so Link's public token is dropped
    /// unread, and the backend is told `{item_id, accounts, link_session_id}` at
    /// [`update_url`](Self::update_url) instead.
    ///
    /// ```
    /// use plaid_link::PlaidLinkOptions;
    /// let options = PlaidLinkOptions::default().update_item("item-id-from-your-backend");
    /// ```
    pub fn update_item(mut self, item_id: impl Into<String>) -> Self {
        self.update =
            Some(UpdateTarget { item_id: item_id.into(), account_selection: self.account_selection });
        self
    }

    /// In update mode, lets the user add accounts to the item (Plaid's
    /// `update.account_selection_enabled`); `on_connected` then counts every account selected.
    /// Before or after [`update_item`](Self::update_item) alike; without it, nothing.
    ///
    /// ```
    /// use plaid_link::PlaidLinkOptions;
    /// let options = PlaidLinkOptions::default().update_item("item-id").account_selection(true);
    /// ```
    pub fn account_selection(mut self, enabled: bool) -> Self {
        self.account_selection = enabled;
        if let Some(update) = &mut self.update {
            update.account_selection = enabled;
        }
        self
    }

    /// Names this component in what is kept for an OAuth bank's return, so that the page the bank
    /// sends the user back to resumes this component and no other. Needed only on a page with
    /// several components for new items: an update-mode component is named by its item, and the
    /// embedded search by itself.
    ///
    /// ```
    /// use plaid_link::PlaidLinkOptions;
    /// let checking = PlaidLinkOptions::default().oauth_id("checking");
    /// let savings = PlaidLinkOptions::default().oauth_id("savings");
    /// ```
    pub fn oauth_id(mut self, id: impl Into<String>) -> Self {
        self.oauth_id = Some(id.into());
        self
    }

    /// Where to POST after update mode (no token: `{item_id, accounts, link_session_id}`).
    /// Default `/api/item_updated`.
    ///
    /// ```
    /// use plaid_link::PlaidLinkOptions;
    /// let options = PlaidLinkOptions::default().update_item("item-id").update_url("/billing/plaid/updated");
    /// ```
    pub fn update_url(mut self, url: impl Into<String>) -> Self {
        self.update_url = url.into();
        self
    }

    /// Lets the endpoints live on another origin, such as `https://api.example.com`. Without it,
    /// both endpoints must be on the page's own origin. Only the page's code can call this: the
    /// embed's `data-*` attributes cannot, so injected markup cannot send a token elsewhere.
    /// The page's CSRF token and [`headers`](Self::headers) still go to same-origin endpoints only.
    ///
    /// ```
    /// use plaid_link::PlaidLinkOptions;
    /// let options = PlaidLinkOptions::default()
    ///     .allow_origin("https://api.example.com")
    ///     .exchange_url("https://api.example.com/plaid/exchange");
    /// ```
    pub fn allow_origin(mut self, origin: impl Into<String>) -> Self {
        self.allowed_origins.push((origin.into(), false));
        self
    }

    /// As [`allow_origin`](Self::allow_origin), for an API of the app's own on another origin that
    /// authenticates its calls: the [`headers`](Self::headers) (a bearer token, say) go there too,
    /// and the browser's cookies for it (`credentials: "include"`; the API must answer CORS with
    /// `Access-Control-Allow-Credentials`). The page's CSRF token stays on its own origin.
    ///
    /// ```
    /// use plaid_link::PlaidLinkOptions;
    /// let options = PlaidLinkOptions::default()
    ///     .credentialed_origin("https://api.example.com")
    ///     .link_token_url("https://api.example.com/plaid/link_token")
    ///     .headers(|| vec![("Authorization".to_owned(), "Bearer …".to_owned())]);
    /// ```
    pub fn credentialed_origin(mut self, origin: impl Into<String>) -> Self {
        self.allowed_origins.push((origin.into(), true));
        self
    }

    /// Gets link tokens from this function instead of `POST link_token_url`: a Leptos server
    /// function, say (see [`crate::transport`]). An error is shown as a backend's would be.
    ///
    /// ```
    /// use plaid_link::{backend::BackendError, transport::LinkTokenGrant, PlaidLinkOptions};
    /// async fn new_link_token() -> Result<String, String> { Ok("link-sandbox-…".into()) }
    /// let options = PlaidLinkOptions::default().link_token_with(|_request| async {
    ///     let link_token = new_link_token().await.map_err(BackendError::Network)?;
    ///     Ok(LinkTokenGrant { link_token, expiration: None })
    /// });
    /// ```
    pub fn link_token_with<F, Fut>(mut self, f: F) -> Self
    where
        F: Fn(LinkTokenRequest) -> Fut + 'static,
        Fut: std::future::Future<Output = Result<LinkTokenGrant, crate::backend::BackendError>> + 'static,
    {
        self.custom.link_token = Some(Custom::link_token(f));
        self
    }

    /// Hands each finished Link session to this function instead of POSTing it to the exchange,
    /// update and session-finished URLs. It is called inside Link's `onSuccess`, once (no retry:
    /// the public token can be given up only once); see [`crate::transport`] for what the URL
    /// transport does that this leaves to the app.
    ///
    /// ```
    /// use plaid_link::transport::{Forwarded, SessionEnd};
    /// use plaid_link::{backend::BackendError, PlaidLinkOptions};
    /// async fn exchange(public_token: String) -> Result<String, String> { Ok("item-1".into()) }
    /// let options = PlaidLinkOptions::default().forward_with(|session| async move {
    ///     let SessionEnd::NewItem(token) = session.end else { return Ok(Forwarded::default()) };
    ///     let item_id = exchange(token.expose_secret()).await.map_err(BackendError::Network)?;
    ///     Ok(Forwarded { item_id: Some(item_id), ..Forwarded::default() })
    /// });
    /// ```
    pub fn forward_with<F, Fut>(mut self, f: F) -> Self
    where
        F: Fn(FinishedSession) -> Fut + 'static,
        Fut: std::future::Future<Output = Result<Forwarded, crate::backend::BackendError>> + 'static,
    {
        self.custom.forward = Some(Custom::forward(f));
        self
    }

    /// Adds a string field to the link-token request's JSON body (`{}` by default).
    ///
    /// ```
    /// use plaid_link::PlaidLinkOptions;
    /// // The backend receives {"purpose": "payouts"}.
    /// let options = PlaidLinkOptions::default().link_token_field("purpose", "payouts");
    /// ```
    pub fn link_token_field(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.link_token_fields.push((name.into(), value.into()));
        self
    }

    /// Where to load Link's script from: Plaid's CDN, as Plaid requires; or, on a page on this
    /// machine only (`localhost`, 127.0.0.0/8, `[::1]`), a URL on the page's own origin: a local
    /// stand-in of Link. Anywhere else such a copy is refused
    /// ([`EndpointError::SelfHostedScript`](crate::endpoint::EndpointError::SelfHostedScript)), and any other
    /// address everywhere, since the script gets the page's CSP nonce. By default, the one the
    /// page's server declared in its `<head>` (`<meta name="plaid-link-script" content="…">`, under
    /// the same rule), else Plaid's CDN.
    ///
    /// ```
    /// use plaid_link::PlaidLinkOptions;
    /// // In development, on http://127.0.0.1: the local stand-in's copy.
    /// let options = PlaidLinkOptions::default().script_src("/plaid/link/v2/stable/link-initialize.js");
    /// ```
    pub fn script_src(mut self, src: impl Into<String>) -> Self {
        self.script_src = Some(src.into());
        self
    }

    /// The page's CSP nonce, put on the Link script tag.
    ///
    /// ```
    /// use plaid_link::PlaidLinkOptions;
    /// // The nonce your server put in this response's Content-Security-Policy.
    /// let options = PlaidLinkOptions::default().nonce("rAnd0m-per-response");
    /// ```
    pub fn nonce(mut self, nonce: impl Into<String>) -> Self {
        self.nonce = Some(nonce.into());
        self
    }

    /// How long one backend request may take before it is aborted. Default 15 s.
    ///
    /// ```
    /// use plaid_link::PlaidLinkOptions;
    /// let options = PlaidLinkOptions::default().request_timeout_ms(10_000);
    /// ```
    pub fn request_timeout_ms(mut self, ms: u32) -> Self {
        self.request_timeout_ms = ms;
        self
    }

    /// How long Link's script may take to load. Default 20 s.
    ///
    /// ```
    /// use plaid_link::PlaidLinkOptions;
    /// let options = PlaidLinkOptions::default().script_timeout_ms(30_000);
    /// ```
    pub fn script_timeout_ms(mut self, ms: u32) -> Self {
        self.script_timeout_ms = ms;
        self
    }

    /// Headers to add to every backend call, read at each call (a CSRF token, a bearer token). They
    /// go only to endpoints on the page's own origin, and on a
    /// [`credentialed_origin`](Self::credentialed_origin).
    ///
    /// ```
    /// use plaid_link::PlaidLinkOptions;
    /// let options = PlaidLinkOptions::default()
    ///     .headers(|| vec![("X-Tenant".to_owned(), "acme".to_owned())]);
    /// ```
    pub fn headers(mut self, headers: impl Fn() -> Vec<(String, String)> + 'static) -> Self {
        self.headers = Some(Rc::new(headers));
        self
    }

    /// The header that carries the page's `<meta name="csrf-token">` to the backend.
    /// Default `X-CSRF-Token`.
    ///
    /// ```
    /// use plaid_link::PlaidLinkOptions;
    /// let options = PlaidLinkOptions::default().csrf_header("X-XSRF-Token");
    /// ```
    pub fn csrf_header(mut self, name: impl Into<String>) -> Self {
        self.csrf_header = name.into();
        self
    }

    /// How the exchange is retried when the backend does not answer or answers 502/503/504.
    /// Default: 4 attempts, waits from 0.5 s doubling.
    ///
    /// ```
    /// use plaid_link::{PlaidLinkOptions, RetryPolicy};
    /// let options = PlaidLinkOptions::default()
    ///     .exchange_retry(RetryPolicy { attempts: 2, base_delay_ms: 1_000 });
    /// ```
    pub fn exchange_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Called once the backend has stored the connection (or, in update mode, has the repaired one:
    /// then [`Connection::updated`] is true).
    ///
    /// ```
    /// use plaid_link::PlaidLinkOptions;
    /// let options = PlaidLinkOptions::default().on_connected(|connection| {
    ///     let bank = connection.institution.as_deref().unwrap_or("your bank");
    ///     leptos::logging::log!("{bank}: {} accounts", connection.accounts);
    /// });
    /// ```
    pub fn on_connected(mut self, f: impl Fn(&Connection) + 'static) -> Self {
        self.on_connected = Some(Rc::new(f));
        self
    }

    /// Link's `onSuccess`, as it reached the component: its metadata, typed, and Link's own object
    /// for a field this version does not type; never the public token, which is already on its
    /// way to your backend when this runs. [`on_connected`](Self::on_connected) follows once the
    /// backend has answered.
    ///
    /// ```
    /// use plaid_link::PlaidLinkOptions;
    /// let options = PlaidLinkOptions::default().on_success(|metadata, _raw| {
    ///     leptos::logging::log!("{} accounts chosen", metadata.accounts.len());
    /// });
    /// ```
    pub fn on_success(mut self, f: impl Fn(&SuccessMetadata, &wasm_bindgen::JsValue) + 'static) -> Self {
        self.on_success = Some(Rc::new(f));
        self
    }

    /// Called when the user leaves Link, with Link's error if the session ended in one.
    ///
    /// ```
    /// use plaid_link::PlaidLinkOptions;
    /// let options = PlaidLinkOptions::default().on_exit(|error, metadata| {
    ///     if let Some(error) = error {
    ///         leptos::logging::warn!("Link ended with {} ({:?})", error.error_code, metadata.status);
    ///     }
    /// });
    /// ```
    pub fn on_exit(mut self, f: impl Fn(Option<&LinkError>, &ExitMetadata) + 'static) -> Self {
        self.on_exit = Some(Rc::new(f));
        self
    }

    /// Called for each of Link's `onEvent` events, for analytics.
    ///
    /// ```
    /// use plaid_link::PlaidLinkOptions;
    /// let options = PlaidLinkOptions::default()
    ///     .on_event(|event| leptos::logging::log!("Link: {}", event.name.as_str()));
    /// ```
    pub fn on_event(mut self, f: impl Fn(&LinkEvent) + 'static) -> Self {
        self.on_event = Some(Rc::new(f));
        self
    }

    /// Multi-Item Link: the user may add several banks in one session. The link-token request
    /// carries `{"multi_item": true}`; Link ends in a success without a public token, and the
    /// backend reads the session's banks from Plaid (see
    /// [`session_finished_url`](Self::session_finished_url)).
    ///
    /// ```
    /// use plaid_link::PlaidLinkOptions;
    /// let options = PlaidLinkOptions::default().multi_item(true);
    /// ```
    pub fn multi_item(mut self, multi_item: bool) -> Self {
        self.multi_item = multi_item;
        self
    }

    /// Where to POST when Link succeeds without a public token (Multi-Item Link, Identity
    /// Verification): `{link_session_id, institution, accounts, status}`, never a token. Default
    /// `/api/link_session_finished`.
    ///
    /// ```
    /// use plaid_link::PlaidLinkOptions;
    /// let options = PlaidLinkOptions::default().session_finished_url("/billing/plaid/finished");
    /// ```
    pub fn session_finished_url(mut self, url: impl Into<String>) -> Self {
        self.session_finished_url = url.into();
        self
    }

    /// Reports each `onExit` error to the backend, for a team to watch Link's failures: a POST of
    /// `{error_type, error_code, request_id, link_session_id, institution_id, status}` and nothing
    /// else. Off unless set.
    ///
    /// ```
    /// use plaid_link::PlaidLinkOptions;
    /// let options = PlaidLinkOptions::default().exit_report_url("/api/link_exit");
    /// ```
    pub fn exit_report_url(mut self, url: impl Into<String>) -> Self {
        self.exit_reports = Some((url.into(), BackendClient::send_report));
        self
    }

    /// One more endpoint of the app's, resolved against `page` and checked as the others are.
    pub(crate) fn endpoint(&self, page: &endpoint::Page, raw: &str) -> Result<Endpoint, EndpointError> {
        endpoint::resolve_endpoint(page, raw, &self.allowed_origins, self.provenance)
    }

    /// The backend client and the script's URL, each resolved against the page and checked.
    pub(crate) fn resolved(&self) -> Result<(BackendClient, String), EndpointError> {
        let page = endpoint::Page::current();
        let backend = self.backend(&page)?;
        let script = self.script_src.as_deref().unwrap_or(page.default_script());
        Ok((backend, endpoint::resolve_script(&page, script, self.provenance)?))
    }

    /// The backend client, its endpoints resolved against `page` and checked.
    pub(crate) fn backend(&self, page: &endpoint::Page) -> Result<BackendClient, EndpointError> {
        let endpoint = |raw: &str| self.endpoint(page, raw);
        Ok(BackendClient {
            link_token_url: endpoint(&self.link_token_url)?,
            exchange_url: endpoint(&self.exchange_url)?,
            update_url: endpoint(&self.update_url)?,
            session_finished_url: endpoint(&self.session_finished_url)?,
            exit_reports: match &self.exit_reports {
                Some((url, send)) => Some((endpoint(url)?, *send)),
                None => None,
            },
            multi_item: self.multi_item,
            update: self.update.clone(),
            link_token_fields: self.link_token_fields.clone(),
            timeout_ms: self.request_timeout_ms,
            headers: self.headers.clone(),
            csrf_header: self.csrf_header.clone(),
            retry: self.retry,
            custom: self.custom.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::PlaidLinkOptions;

    #[test]
    fn account_selection_holds_before_or_after_update_item() {
        for options in [
            PlaidLinkOptions::default().update_item("item-1").account_selection(true),
            PlaidLinkOptions::default().account_selection(true).update_item("item-1"),
        ] {
            let update = options.update.expect("update mode");
            assert_eq!((update.item_id.as_str(), update.account_selection), ("item-1", true));
        }
        let without_item = PlaidLinkOptions::default().account_selection(true);
        assert!(without_item.update.is_none(), "no update mode without an item");
    }
}
