//! The app's own way to reach its backend, for an app whose backend is not a pair of JSON URLs: a
//! Leptos server function, a GraphQL client, an API client of its own. The app hands the options
//! async functions ([`PlaidLinkOptions::link_token_with`](crate::PlaidLinkOptions::link_token_with),
//! [`PlaidLinkOptions::forward_with`](crate::PlaidLinkOptions::forward_with)); the component calls
//! them where it would have sent a request.
//!
//! What a custom forward gives up: the URL transport keeps the public token a JavaScript string
//! from Link's callback to the request body, sends it before `onSuccess` returns, and retries with
//! one `Idempotency-Key`. A custom forward is called inside `onSuccess`; the future it returns runs
//! right after `onSuccess` returns (a microtask later); where the token goes next, how it is
//! copied, and whether it is retried are the app's.

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use crate::backend::BackendError;
use crate::plaid::types::SuccessMetadata;
use crate::status::ConnectedItem;
pub use crate::tokens::PublicToken;

type Boxed<T> = Pin<Box<dyn Future<Output = Result<T, BackendError>>>>;
pub(crate) type LinkTokenFn = Rc<dyn Fn(LinkTokenRequest) -> Boxed<LinkTokenGrant>>;
pub(crate) type ForwardFn = Rc<dyn Fn(FinishedSession) -> Boxed<Forwarded>>;

/// What the app's functions replace; the URLs serve whatever is not replaced.
#[derive(Clone, Default)]
pub(crate) struct Custom {
    pub link_token: Option<LinkTokenFn>,
    pub forward: Option<ForwardFn>,
}

impl Custom {
    pub fn link_token<F, Fut>(f: F) -> LinkTokenFn
    where
        F: Fn(LinkTokenRequest) -> Fut + 'static,
        Fut: Future<Output = Result<LinkTokenGrant, BackendError>> + 'static,
    {
        Rc::new(move |request| Box::pin(f(request)))
    }

    pub fn forward<F, Fut>(f: F) -> ForwardFn
    where
        F: Fn(FinishedSession) -> Fut + 'static,
        Fut: Future<Output = Result<Forwarded, BackendError>> + 'static,
    {
        Rc::new(move |session| Box::pin(f(session)))
    }
}

/// What the component needs a link token for, as the URL transport's request body says it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct LinkTokenRequest {
    /// Update mode for this item of the user's ([`PlaidLinkOptions::update_item`](crate::PlaidLinkOptions::update_item)).
    pub update_item: Option<String>,
    /// In update mode, whether the user may add accounts.
    pub account_selection: bool,
    /// Several banks in one session (Multi-Item Link).
    pub multi_item: bool,
}

/// A link token, as the app's backend made it.
#[derive(Clone, PartialEq, Eq)]
pub struct LinkTokenGrant {
    /// `link-…`.
    pub link_token: String,
    /// Plaid's `expiration` (ISO 8601), so that the component can fetch a fresh token before it
    /// expires; `None` if the backend does not say.
    pub expiration: Option<String>,
}

impl std::fmt::Debug for LinkTokenGrant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LinkTokenGrant").field("expiration", &self.expiration).finish_non_exhaustive()
    }
}

/// How a Link session ended, for the backend.
#[derive(Debug)]
#[non_exhaustive]
pub enum SessionEnd {
    /// A new item: exchange this public token.
    NewItem(PublicToken),
    /// Update mode repaired an item (no token: the access token has not changed).
    Updated {
        /// The item's id, as the app's backend gave it.
        item_id: String,
    },
    /// A success without a public token (Multi-Item Link, Identity Verification): the backend
    /// reads the session through `/link/token/get`.
    WithoutToken,
}

/// A finished Link session, handed to the app's forward.
#[derive(Debug)]
#[non_exhaustive]
pub struct FinishedSession {
    /// How it ended, with the public token if there is one.
    pub end: SessionEnd,
    /// What the user chose: institution, accounts, Link's session id.
    pub metadata: SuccessMetadata,
    /// One per session: a backend that is asked twice answers the first answer again.
    pub idempotency_key: String,
}

/// What the backend made of a finished session.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Forwarded {
    /// The new item's id, when the backend shares it.
    pub item_id: Option<String>,
    /// Every bank a session without a public token added.
    pub items: Vec<ConnectedItem>,
    /// An Identity Verification session verified the user.
    pub verified: bool,
}
