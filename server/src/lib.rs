//! The server half of Plaid Link for an axum app, for the app's own users: link tokens (new items,
//! update mode, Multi-Item Link, Hosted Link), the public token's exchange (once per `Idempotency-Key`, duplicates
//! refused), access tokens encrypted at rest with key rotation, sessions that end without a public
//! token, exit reports, the items list and unlinking, and Plaid's webhooks, verified.
//!
//! ```no_run
//! # use plaid_link_server::{LinkUser, PlaidLink, Plaid, Settings, store::{Store, DatabaseUrl}, keys::TokenKeys};
//! # #[derive(Clone)] struct Member { id: u64 }
//! # impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Member {
//! #     type Rejection = axum::http::StatusCode;
//! #     async fn from_request_parts(p: &mut axum::http::request::Parts, _: &S) -> Result<Self, Self::Rejection> {
//! #         p.extensions.get::<Member>().cloned().ok_or(axum::http::StatusCode::UNAUTHORIZED)
//! #     }
//! # }
//! # impl LinkUser for Member { fn plaid_user_id(&self) -> String { format!("member-{}", self.id) } }
//! # async fn app(key: [u8; 32]) -> Result<(), Box<dyn std::error::Error>> {
//! let plaid = Plaid::sandbox("client-id", "secret");
//! let store = Store::open(&DatabaseUrl::parse("postgres://…"), TokenKeys::new(&key, &[]), "sandbox").await?;
//! let link = PlaidLink::new(Settings::new(plaid, "My app"), store);
//! let app: axum::Router = axum::Router::new().nest("/api/plaid", link.router::<Member>());
//! # Ok(()) }
//! ```
//!
//! The app's user is an extractor of its own ([`LinkUser`]); the library issues no session and no
//! cookie. What it keeps sits in the app's database, in tables prefixed `plaid_link_`.
// Handlers return `Result<_, Response>` for early exits, the usual axum style; a Response is large,
// and on a server that size does not matter.
#![allow(clippy::result_large_err)]

mod duplicates;
mod events;
mod failure;
mod guard;
mod idempotency;
pub mod keys;
mod lease;
mod logging;
pub mod plaid;
mod routes;
mod service;
mod settings;
mod shape;
mod state;
pub mod store;
mod user;
mod webhooks;

use std::sync::Arc;

use axum::http::HeaderMap;
use secrecy::SecretString;
use tokio::sync::broadcast;

pub use events::ItemEvent;
pub use failure::Refused;
pub use guard::is_json;
pub use secrecy::ExposeSecret;
pub use service::{LinkTokenFor, MadeLinkToken};
pub use settings::{Environment, Plaid, Settings};
pub use user::LinkUser;

use crate::guard::cross_site::CrossSite;
use crate::guard::rate_limit::RateLimits;
use crate::state::State;

// The README's snippet is a doctest: it compiles in every test run.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct Readme;

/// Seconds since the Unix epoch, by this machine's clock.
pub(crate) fn unix_now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// The access token of one of a user's items, for the app's own calls to Plaid
/// (`/transactions/sync`…): no `Debug` or `Display` of its value, zeroed when dropped; read it
/// with [`ExposeSecret::expose_secret`] where the call is made.
pub type AccessToken = SecretString;

/// The server half, configured: [`PlaidLink::router`] for the app's router, and what the app needs
/// besides (access tokens, item events). Cheap to clone.
#[derive(Clone)]
pub struct PlaidLink {
    state: Arc<State>,
}

/// How many item events wait for a slow listener before the oldest are dropped (it is told how many
/// it missed).
const EVENTS: usize = 256;

impl PlaidLink {
    pub fn new(settings: Settings, store: store::Store) -> Self {
        let plaid = settings.client();
        let state = State {
            plaid,
            store,
            token_environment: settings.plaid.environment.token_name(),
            limits: RateLimits::new(settings.rate_per_client, settings.rate_per_user),
            cross_site: CrossSite { allowed_origins: settings.allowed_origins, also: None },
            products: settings.products,
            country_codes: settings.country_codes,
            client_name: settings.client_name,
            webhook_keys: webhooks::KeyCache::default(),
            events: broadcast::channel(EVENTS).0,
        };
        Self { state: Arc::new(state) }
    }

    /// Also requires this of every request that changes something, after the library's own
    /// cross-site check: the app's own CSRF scheme, for example. A request it refuses gets 403.
    ///
    /// # Panics
    /// Once the router was made (call it first).
    pub fn also_require(mut self, check: impl Fn(&HeaderMap) -> bool + Send + Sync + 'static) -> Self {
        let state = Arc::get_mut(&mut self.state).expect("also_require is called before router()");
        state.cross_site.also = Some(Arc::new(check));
        self
    }

    /// Every route, for the app to nest where it likes (`/api/plaid`, say): `POST link_token`,
    /// `exchange_public_token`, `item_updated`, `link_session_finished`, `hosted_link_finished`, `link_exit`,
    /// `items/{item_id}/reset_login` (sandbox only), `GET items`, `DELETE items/{item_id}`, and
    /// `POST webhooks/plaid` (give its full address as [`Settings::webhook_url`]). Every route but
    /// the webhook's wants a user `U`: 401 without one.
    pub fn router<U: LinkUser>(&self) -> axum::Router {
        routes::router::<U>(self.state.clone())
    }

    /// A link token for `user`, for an app that hands it to the browser its own way (a Leptos server
    /// function, say) rather than through the router's `link_token` route: the same checks, the
    /// same per-user quota, the same log line.
    pub async fn link_token(&self, user: &str, wanted: &LinkTokenFor) -> Result<MadeLinkToken, Refused> {
        let made = match self.state.limits.user(user) {
            Err(wait) => Err(failure::Failure::too_many(wait, "user")),
            Ok(()) => service::link_token(&self.state, user, wanted).await,
        };
        const ROUTE: &str = "link_token (app's call)";
        match made {
            Ok((made, note)) => {
                logging::request(ROUTE, 200, &note);
                Ok(made)
            }
            Err(failure) => {
                let refused = Refused::from(&failure);
                logging::request(ROUTE, refused.status(), failure.note());
                Err(refused)
            }
        }
    }

    /// The access token of `user`'s item, decrypted for a call of the app's own to Plaid; `None`
    /// when `user` has no such item.
    pub async fn access_token(
        &self,
        user: &str,
        item_id: &str,
    ) -> Result<Option<AccessToken>, store::StoreError> {
        Ok(service::access_token_of(&self.state.store, user, item_id).await?.map(SecretString::from))
    }

    /// Items added, repaired, needing their login again or removed, as they happen on this
    /// instance (a webhook reaches one instance of several).
    pub fn events(&self) -> broadcast::Receiver<ItemEvent> {
        self.state.events.subscribe()
    }

    /// The store: the items (`items_of`), key rotation (`rotate_keys`), its pool.
    pub fn store(&self) -> &store::Store {
        &self.state.store
    }
}
