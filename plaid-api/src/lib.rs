//! Plaid's API as Rust types: the request and answer bodies of the endpoints this project calls
//! (the reference backend's client) and serves (the stand-in), and the bodies of the webhooks and
//! verification keys, as Plaid's OpenAPI description (`plaid/plaid-openapi`, 2020-09-14) documents
//! them. One crate, so that the two sides cannot drift apart.

use serde::{Deserialize, Serialize};

/// Plaid's error object, sent with a non-2xx status (and inside an item that has an error).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlaidError {
    pub error_type: String,
    pub error_code: String,
    pub error_message: String,
    pub display_message: Option<String>,
    #[serde(default)]
    pub request_id: String,
    #[serde(default)]
    pub causes: Vec<serde_json::Value>,
    #[serde(default)]
    pub status: Option<u16>,
    #[serde(default)]
    pub documentation_url: Option<String>,
    #[serde(default)]
    pub suggested_action: Option<String>,
}

/// `client_id` and `secret` may come in the body or as `PLAID-CLIENT-ID` / `PLAID-SECRET` headers.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Credentials {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct LinkTokenUser {
    pub client_user_id: String,
}

/// `/link/token/create`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct LinkTokenCreateRequest {
    #[serde(flatten)]
    pub credentials: Credentials,
    /// Where Plaid sends this item's webhooks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook: Option<String>,
    pub client_name: String,
    pub language: String,
    pub country_codes: Vec<String>,
    pub user: LinkTokenUser,
    /// Left out in update mode, where the item already has its products.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub products: Vec<String>,
    /// Update mode: the item to repair or extend, named by its access token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update: Option<LinkTokenUpdate>,
    /// Where an OAuth bank sends the user back (HTTPS, no query or fragment).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_uri: Option<String>,
    /// Multi-Item Link: the user may add several banks in one session; their public tokens come
    /// through `/link/token/get` and the `SESSION_FINISHED` webhook, not `onSuccess`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_multi_item_link: Option<bool>,
    /// Hosted Link: Plaid serves Link on a page of its own (`hosted_link_url`), for webviews and
    /// apps without a page to host it; the session's end comes by the `SESSION_FINISHED` webhook.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hosted_link: Option<LinkTokenHostedLink>,
}

/// `/link/token/create`'s `hosted_link` options (an empty object turns Hosted Link on).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct LinkTokenHostedLink {
    /// Where the hosted page sends the user once the session ends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completion_redirect_uri: Option<String>,
    /// How long `hosted_link_url` works.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url_lifetime_seconds: Option<u64>,
    /// Opened in an out-of-process web view of a mobile app.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_mobile_app: Option<bool>,
}

/// `/link/token/create`'s `update` options.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct LinkTokenUpdate {
    /// Lets the user add (or remove) accounts of the item.
    #[serde(default)]
    pub account_selection_enabled: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct LinkTokenCreateResponse {
    pub link_token: String,
    pub expiration: String,
    pub request_id: String,
    /// Hosted Link's page for this token, when `hosted_link` was asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hosted_link_url: Option<String>,
}

/// `/item/public_token/exchange`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PublicTokenExchangeRequest {
    #[serde(flatten)]
    pub credentials: Credentials,
    pub public_token: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PublicTokenExchangeResponse {
    pub access_token: String,
    pub item_id: String,
    pub request_id: String,
}

/// `/accounts/get` and `/item/remove` both take an access token.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AccessTokenRequest {
    #[serde(flatten)]
    pub credentials: Credentials,
    pub access_token: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Balances {
    pub available: Option<f64>,
    pub current: Option<f64>,
    pub limit: Option<f64>,
    pub iso_currency_code: Option<String>,
    pub unofficial_currency_code: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Account {
    pub account_id: String,
    pub name: String,
    pub official_name: Option<String>,
    pub mask: Option<String>,
    #[serde(rename = "type")]
    pub kind: String,
    pub subtype: Option<String>,
    pub balances: Balances,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Item {
    pub item_id: String,
    pub institution_id: Option<String>,
    pub webhook: Option<String>,
    pub error: Option<PlaidError>,
    pub available_products: Vec<String>,
    pub billed_products: Vec<String>,
    pub products: Vec<String>,
    pub consent_expiration_time: Option<String>,
    pub update_type: String,
}

/// `/item/get`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ItemGetResponse {
    pub item: Item,
    pub status: Option<serde_json::Value>,
    pub request_id: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AccountsGetResponse {
    pub accounts: Vec<Account>,
    pub item: Item,
    pub request_id: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ItemRemoveResponse {
    pub request_id: String,
}

/// `/webhook_verification_key/get`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct WebhookVerificationKeyGetRequest {
    #[serde(flatten)]
    pub credentials: Credentials,
    pub key_id: String,
}

/// A webhook verification key, a JWK with Plaid's `created_at` and `expired_at`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookVerificationKey {
    pub alg: String,
    pub crv: String,
    pub kid: String,
    pub kty: String,
    #[serde(rename = "use")]
    pub use_: String,
    pub x: String,
    pub y: String,
    pub created_at: u64,
    pub expired_at: Option<u64>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct WebhookVerificationKeyGetResponse {
    pub key: WebhookVerificationKey,
    pub request_id: String,
}

/// `/sandbox/item/fire_webhook`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SandboxFireWebhookRequest {
    #[serde(flatten)]
    pub credentials: Credentials,
    pub access_token: String,
    pub webhook_code: String,
    #[serde(default)]
    pub webhook_type: Option<String>,
}

/// `/link/token/get`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct LinkTokenGetRequest {
    #[serde(flatten)]
    pub credentials: Credentials,
    pub link_token: String,
}

/// What a link token was made with.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct LinkTokenMetadata {
    pub initial_products: Vec<String>,
    pub webhook: Option<String>,
    pub country_codes: Vec<String>,
    pub language: Option<String>,
    pub redirect_uri: Option<String>,
    pub client_name: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct LinkTokenGetResponse {
    pub link_token: String,
    pub created_at: Option<String>,
    pub expiration: Option<String>,
    pub metadata: LinkTokenMetadata,
    /// The Link sessions opened with the token, with what each added.
    #[serde(default)]
    pub link_sessions: Vec<LinkSession>,
    pub request_id: String,
}

/// One Link session of a link token (`/link/token/get`).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct LinkSession {
    pub link_session_id: String,
    pub started_at: String,
    pub finished_at: Option<String>,
    #[serde(default)]
    pub results: Option<LinkSessionResults>,
}

/// What a Link session added: one entry per bank (Multi-Item Link adds several).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct LinkSessionResults {
    pub item_add_results: Vec<ItemAddResult>,
    #[serde(default)]
    pub cra_item_add_results: Vec<serde_json::Value>,
    #[serde(default)]
    pub cra_update_results: Vec<serde_json::Value>,
    #[serde(default)]
    pub bank_income_results: Vec<serde_json::Value>,
    #[serde(default)]
    pub payroll_income_results: Vec<serde_json::Value>,
    #[serde(default)]
    pub document_income_results: Option<serde_json::Value>,
}

/// One bank added in a Link session: its public token, and what Link's `onSuccess` would have said.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ItemAddResult {
    pub public_token: String,
    pub accounts: Vec<LinkAccount>,
    pub institution: LinkInstitution,
}

/// An account as Link's metadata describes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkAccount {
    pub id: String,
    pub name: String,
    pub mask: Option<String>,
    #[serde(rename = "type")]
    pub kind: String,
    pub subtype: String,
    #[serde(default)]
    pub verification_status: Option<String>,
}

/// An institution as Link's metadata describes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkInstitution {
    pub name: String,
    pub institution_id: String,
}

/// The `LINK` `SESSION_FINISHED` webhook: a Link session ended, with its public tokens.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SessionFinishedWebhook {
    pub webhook_type: String,
    pub webhook_code: String,
    /// `SUCCESS` or `EXITED`.
    pub status: String,
    pub link_session_id: String,
    pub link_token: String,
    #[serde(default)]
    pub public_tokens: Vec<String>,
    pub environment: String,
}

/// `/item/webhook/update`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ItemWebhookUpdateRequest {
    #[serde(flatten)]
    pub credentials: Credentials,
    pub access_token: String,
    #[serde(default)]
    pub webhook: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ItemWebhookUpdateResponse {
    pub item: Item,
    pub request_id: String,
}

/// `/institutions/get_by_id`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct InstitutionsGetByIdRequest {
    #[serde(flatten)]
    pub credentials: Credentials,
    pub institution_id: String,
    pub country_codes: Vec<String>,
}

/// An institution as Plaid's API describes it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct InstitutionView {
    pub institution_id: String,
    pub name: String,
    pub products: Vec<String>,
    pub country_codes: Vec<String>,
    pub url: Option<String>,
    pub primary_color: Option<String>,
    pub logo: Option<String>,
    pub routing_numbers: Vec<String>,
    pub oauth: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct InstitutionsGetByIdResponse {
    pub institution: InstitutionView,
    pub request_id: String,
}

/// `/user/create`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct UserCreateRequest {
    #[serde(flatten)]
    pub credentials: Credentials,
    pub client_user_id: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct UserCreateResponse {
    pub user_token: String,
    pub user_id: String,
    pub request_id: String,
}

/// `/sandbox/public_token/create`: an item made without Link, for tests without a browser.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SandboxPublicTokenCreateRequest {
    #[serde(flatten)]
    pub credentials: Credentials,
    pub institution_id: String,
    pub initial_products: Vec<String>,
    #[serde(default)]
    pub options: SandboxPublicTokenCreateOptions,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct SandboxPublicTokenCreateOptions {
    #[serde(default)]
    pub webhook: Option<String>,
    #[serde(default)]
    pub override_username: Option<String>,
    #[serde(default)]
    pub override_password: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SandboxPublicTokenCreateResponse {
    pub public_token: String,
    pub request_id: String,
}
