//! What every route shares: Plaid's client, the store, the settings a link token is made with, the
//! guards' state, and the channel the app hears about its items on.

use std::sync::Arc;

use tokio::sync::broadcast;

use crate::events::ItemEvent;
use crate::guard::cross_site::CrossSite;
use crate::guard::rate_limit::RateLimits;
use crate::plaid::client::PlaidClient;
use crate::store::Store;
use crate::webhooks::KeyCache;

pub(crate) struct State {
    pub plaid: PlaidClient,
    pub store: Store,
    pub products: Vec<String>,
    pub country_codes: Vec<String>,
    pub client_name: String,
    /// What Plaid writes into this environment's tokens (`public-sandbox-…`, `public-production-…`).
    pub token_environment: &'static str,
    pub limits: RateLimits,
    pub cross_site: CrossSite,
    pub webhook_keys: KeyCache,
    pub events: broadcast::Sender<ItemEvent>,
}

impl State {
    /// Tells the app's listeners, if any; none is not an error.
    pub fn tell(&self, event: ItemEvent) {
        let _ = self.events.send(event);
    }
}

pub(crate) type Shared = Arc<State>;
