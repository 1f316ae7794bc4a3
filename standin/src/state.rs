//! What the stand-in remembers: tokens, items and a clock that tests can move.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use rand::Rng;

use crate::config::StandinConfig;
use crate::types::{Account, Balances};

pub(crate) struct LinkTokenRecord {
    pub created_at: u64,
    pub expires_at: u64,
    /// What `/link/token/get` reports of the request that made it.
    pub metadata: crate::types::LinkTokenMetadata,
    pub products: Vec<String>,
    pub client_user_id: String,
    pub webhook: Option<String>,
    /// Update mode: the item this token repairs, made with its access token.
    pub update: Option<UpdateGrant>,
    /// Where an OAuth bank sends the user back (mobile web, webviews); without it, a pop-up.
    pub redirect_uri: Option<String>,
    /// Multi-Item Link (`enable_multi_item_link`): several banks in one session.
    pub multi_item: bool,
    /// Hosted Link (`hosted_link`): its page's id and where it sends the user at the end.
    pub hosted: Option<HostedRecord>,
    /// The Link sessions opened with it, and what each added (`/link/token/get`).
    pub sessions: Vec<SessionRecord>,
}

/// Hosted Link's page for a link token: `<base>/hl/<id>`.
pub(crate) struct HostedRecord {
    pub id: String,
    pub completion_redirect_uri: Option<String>,
    /// When the page's address stops working (`url_lifetime_seconds`, at most the token's life).
    pub url_expires_at: u64,
}

/// One Link session of a link token.
pub(crate) struct SessionRecord {
    pub link_session_id: String,
    pub started_at: u64,
    pub finished_at: Option<u64>,
    pub added: Vec<crate::types::ItemAddResult>,
}

/// How many sessions a link token records, and banks a session adds: Link's own limits are near.
pub(crate) const MAX_SESSIONS: usize = 10;

/// One OAuth sign-in at a bank, by its `oauth_state_id`.
pub(crate) struct OauthRecord {
    pub link_token: String,
    pub institution_id: String,
    pub expires_at: u64,
    /// The accounts the user shared at the bank, once they allowed access.
    pub approved: Option<Vec<Account>>,
}

/// What an update-mode link token lets Link do to an existing item.
#[derive(Clone, Debug)]
pub(crate) struct UpdateGrant {
    pub item_id: String,
    /// The user may add accounts to the item (`update.account_selection_enabled`).
    pub account_selection: bool,
}

pub(crate) struct PublicTokenRecord {
    pub expires_at: u64,
    pub item_id: String,
    pub used: bool,
}

pub(crate) struct ItemRecord {
    pub institution_id: String,
    pub accounts: Vec<Account>,
    pub products: Vec<String>,
    /// Where this item's webhooks go, from its link token.
    pub webhook: Option<String>,
    /// Set by `/sandbox/item/reset_login` (ITEM_LOGIN_REQUIRED), cleared when the login is repaired.
    pub error: Option<crate::types::PlaidError>,
}

#[derive(Default)]
pub(crate) struct Books {
    pub link_tokens: HashMap<String, LinkTokenRecord>,
    pub public_tokens: HashMap<String, PublicTokenRecord>,
    pub items: HashMap<String, ItemRecord>,
    /// access token → item id
    pub access_tokens: HashMap<String, String>,
    /// Access tokens of removed items: Plaid answers ITEM_NOT_FOUND for them, not INVALID_ACCESS_TOKEN.
    pub removed: std::collections::HashSet<String>,
    /// OAuth sign-ins in progress, by `oauth_state_id`.
    pub oauth: HashMap<String, OauthRecord>,
    pub exchanges: u64,
    /// `/user/create`: `client_user_id` → the user's id and token.
    pub users: HashMap<String, (String, String)>,
}

impl Books {
    /// Forgets what can no longer be used: expired link tokens, expired or spent public tokens
    /// (a spent one then reads as unknown, which Plaid answers with the same error).
    pub(crate) fn prune(&mut self, now: u64) {
        self.link_tokens.retain(|_, r| r.expires_at > now);
        self.public_tokens.retain(|_, r| !r.used && r.expires_at > now);
        self.oauth.retain(|_, r| r.expires_at > now);
    }

    /// Whether one more link token, public token and item fit, once the dead ones are forgotten.
    pub(crate) fn has_room(&mut self, now: u64, max: usize) -> bool {
        self.prune(now);
        [self.link_tokens.len(), self.public_tokens.len(), self.items.len(), self.oauth.len()]
            .iter()
            .all(|n| *n < max)
    }
}

/// The stand-in's state.
pub struct Standin {
    pub(crate) config: StandinConfig,
    pub(crate) books: Mutex<Books>,
    clock_offset: AtomicU64,
    /// Calls to `/webhook_verification_key/get`, for a receiver's tests.
    pub(crate) key_fetches: AtomicU64,
    /// Calls to `/link/token/get`, for a receiver's tests.
    pub(crate) link_token_reads: AtomicU64,
    /// Where calls to `/link/token/get` meet, for a receiver's tests of two paths racing.
    pub(crate) link_token_reads_meet: crate::meeting::Meeting,
    /// Where calls to `/webhook_verification_key/get` are held, for a receiver's tests of a burst.
    pub(crate) key_fetches_meet: crate::meeting::Meeting,
    /// How long `/item/public_token/exchange` takes, for a receiver's tests of a slow Plaid.
    pub(crate) exchange_delay_ms: AtomicU64,
    /// Webhooks are not sent, for a receiver's tests of what happens without them.
    webhooks_held: std::sync::atomic::AtomicBool,
    /// Webhooks the receiver answered, for its tests to know it is done with them.
    webhooks_answered: AtomicU64,
    pub(crate) signer: crate::webhooks::Signer,
    http: reqwest::Client,
}

impl Standin {
    pub fn new(config: StandinConfig) -> Self {
        let mut http = reqwest::Client::builder().timeout(std::time::Duration::from_secs(10));
        if let Some(cert) =
            config.extra_root.as_deref().and_then(|pem| reqwest::Certificate::from_pem(pem).ok())
        {
            http = http.add_root_certificate(cert);
        }
        let now = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
        Self {
            config,
            books: Mutex::new(Books::default()),
            clock_offset: AtomicU64::new(0),
            key_fetches: AtomicU64::new(0),
            link_token_reads: AtomicU64::new(0),
            link_token_reads_meet: Default::default(),
            key_fetches_meet: Default::default(),
            exchange_delay_ms: AtomicU64::new(0),
            webhooks_held: std::sync::atomic::AtomicBool::new(false),
            webhooks_answered: AtomicU64::new(0),
            signer: crate::webhooks::Signer::new(now),
            http: http.build().unwrap_or_default(),
        }
    }

    /// Sends a webhook to `url`, signed as Plaid signs them, after the current request is answered.
    pub(crate) fn send_webhook(self: &std::sync::Arc<Self>, url: Option<String>, body: serde_json::Value) {
        let Some(url) = url.filter(|_| !self.webhooks_held.load(Ordering::Relaxed)) else { return };
        let standin = self.clone();
        tokio::spawn(async move {
            let body = body.to_string();
            let signature = standin.signer.sign(body.as_bytes(), standin.now());
            // Delivery is best effort, as a webhook is: the receiver answers, or it does not.
            let sent = standin
                .http
                .post(url)
                .header("content-type", "application/json")
                .header("plaid-verification", signature)
                .body(body)
                .send()
                .await;
            if sent.is_ok() {
                standin.webhooks_answered.fetch_add(1, Ordering::Relaxed);
            }
        });
    }
    /// Seconds since the epoch, as the stand-in sees them.
    pub fn now(&self) -> u64 {
        let real = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
        real + self.clock_offset.load(Ordering::Relaxed)
    }

    /// Moves the stand-in's clock forward, to test expiry.
    pub fn advance_clock(&self, secs: u64) {
        self.clock_offset.fetch_add(secs, Ordering::Relaxed);
    }

    /// How many items Plaid holds (and bills): made by Link, gone after `/item/remove`.
    pub fn items(&self) -> usize {
        self.books.lock().map(|b| b.items.len()).unwrap_or(0)
    }

    /// The `client_user_id`s link tokens were made for, as Plaid would see them.
    pub fn client_user_ids(&self) -> Vec<String> {
        self.books
            .lock()
            .map(|b| b.link_tokens.values().map(|r| r.client_user_id.clone()).collect())
            .unwrap_or_default()
    }

    /// Makes every exchange take this long (after the public token is spent), as a slow Plaid would.
    pub fn delay_exchanges(&self, delay: std::time::Duration) {
        self.exchange_delay_ms.store(delay.as_millis() as u64, Ordering::Relaxed);
    }

    /// Stops sending webhooks (`true`), as a Plaid whose webhooks never arrive.
    pub fn hold_webhooks(&self, held: bool) {
        self.webhooks_held.store(held, Ordering::Relaxed);
    }

    /// How many webhooks the receiver has answered (whatever it answered).
    pub fn webhooks_answered(&self) -> u64 {
        self.webhooks_answered.load(Ordering::Relaxed)
    }

    /// How many times a webhook verification key was asked for, known or not.
    pub fn key_fetches(&self) -> u64 {
        self.key_fetches.load(Ordering::Relaxed)
    }

    /// How many times `/link/token/get` was asked, known token or not.
    pub fn link_token_reads(&self) -> u64 {
        self.link_token_reads.load(Ordering::Relaxed)
    }

    /// Holds each call to `/link/token/get` until `n` have arrived (at most 10 s), so that a test
    /// knows that two paths read a session at the same time.
    pub fn meet_link_token_reads(&self, n: usize) {
        self.link_token_reads_meet.expect(n);
    }

    /// Whether the calls [`Standin::meet_link_token_reads`] asked for all arrived together.
    pub fn link_token_reads_met(&self) -> bool {
        self.link_token_reads_meet.was_met()
    }

    /// Holds calls to `/webhook_verification_key/get` (at most 10 s) until `n` have arrived or
    /// [`Standin::release_key_fetches`]; how many arrived is [`Standin::key_fetches_held`].
    pub fn hold_key_fetches(&self, n: usize) {
        self.key_fetches_meet.expect(n);
    }

    /// How many calls to `/webhook_verification_key/get` arrived since [`Standin::hold_key_fetches`].
    pub fn key_fetches_held(&self) -> usize {
        self.key_fetches_meet.arrived()
    }

    /// Lets the held key fetches go.
    pub fn release_key_fetches(&self) {
        self.key_fetches_meet.release();
    }

    /// How many public tokens have been exchanged successfully.
    pub fn exchanges(&self) -> u64 {
        self.books.lock().map(|b| b.exchanges).unwrap_or(0)
    }
}

/// A token in Plaid's shape: `<kind>-sandbox-<uuid>`.
pub(crate) fn token(kind: &str) -> String {
    let b: [u8; 16] = rand::thread_rng().gen();
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{kind}-sandbox-{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// An opaque id such as Plaid's `request_id` or `item_id`.
pub(crate) fn id(len: usize) -> String {
    rand::thread_rng().sample_iter(&rand::distributions::Alphanumeric).take(len).map(char::from).collect()
}

/// The accounts every sandbox login has (`user_good`).
pub(crate) fn sandbox_accounts() -> Vec<Account> {
    let account =
        |name: &str, official: &str, mask: &str, kind: &str, subtype: &str, available: f64| Account {
            account_id: id(37),
            name: name.into(),
            official_name: Some(official.into()),
            mask: Some(mask.into()),
            kind: kind.into(),
            subtype: Some(subtype.into()),
            balances: Balances {
                available: Some(available),
                current: Some(available),
                limit: None,
                iso_currency_code: Some("USD".into()),
                unofficial_currency_code: None,
            },
        };
    vec![
        account(
            "Plaid Checking",
            "Plaid Gold Standard 0% Interest Checking",
            "0000",
            "depository",
            "checking",
            100.0,
        ),
        account(
            "Plaid Saving",
            "Plaid Silver Standard 0.1% Interest Saving",
            "1111",
            "depository",
            "savings",
            200.0,
        ),
        account(
            "Plaid Credit Card",
            "Plaid Diamond 12.5% APR Interest Credit Card",
            "3333",
            "credit",
            "credit card",
            410.0,
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(expires_at: u64) -> LinkTokenRecord {
        LinkTokenRecord {
            created_at: 0,
            expires_at,
            metadata: Default::default(),
            products: vec![],
            client_user_id: "u".into(),
            webhook: None,
            update: None,
            redirect_uri: None,
            multi_item: false,
            hosted: None,
            sessions: Vec::new(),
        }
    }

    #[test]
    fn dead_tokens_are_forgotten_and_the_books_are_bounded() {
        let mut books = Books::default();
        books.link_tokens.insert("expired".into(), link(10));
        books.link_tokens.insert("live".into(), link(100));
        books
            .public_tokens
            .insert("spent".into(), PublicTokenRecord { expires_at: 100, item_id: "i".into(), used: true });
        assert!(books.has_room(50, 2));
        assert_eq!(books.link_tokens.len(), 1, "the expired link token is gone");
        assert!(books.public_tokens.is_empty(), "the spent public token is gone");
        books.link_tokens.insert("another".into(), link(100));
        assert!(!books.has_room(50, 2), "full at the limit");
    }
}
