//! Where the flow stands, and why it failed: the states the hook reports and the button shows.
//! Data only: [`crate::texts`] says each in words.

use crate::backend::{BackendError, ExchangeFailure};
use crate::endpoint::EndpointError;
use crate::plaid::types::{LinkError, SuccessMetadata};
use crate::plaid::{PlaidError, ScriptError};

/// One step of the flow.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkStatus {
    /// Fetching a link token and loading Link's script, then waiting for Link's `onLoad`.
    Preparing,
    /// Link can be opened.
    Ready,
    /// Link is open.
    Open,
    /// Link succeeded; the public token is on its way to the backend.
    Sending,
    /// The backend has the connection.
    Connected(Connection),
    /// The user closed Link without finishing; it can be opened again.
    Closed,
    /// Something failed; see [`LinkFailure::reopens`] for what "try again" does.
    Failed(LinkFailure),
}

impl LinkStatus {
    /// A stable lowercase name, for CSS (`data-status`) and tests.
    ///
    /// ```
    /// assert_eq!(plaid_link::LinkStatus::Preparing.name(), "preparing");
    /// ```
    pub fn name(&self) -> &'static str {
        match self {
            Self::Preparing => "preparing",
            Self::Ready => "ready",
            Self::Open => "open",
            Self::Sending => "sending",
            Self::Connected(_) => "connected",
            Self::Closed => "closed",
            Self::Failed(_) => "failed",
        }
    }

    /// Whether Link may be opened from here: it is made, loaded and idle.
    ///
    /// ```
    /// assert!(plaid_link::LinkStatus::Ready.opens());
    /// assert!(!plaid_link::LinkStatus::Sending.opens());
    /// ```
    pub fn opens(&self) -> bool {
        match self {
            Self::Ready | Self::Closed => true,
            Self::Failed(failure) => failure.reopens(),
            _ => false,
        }
    }
}

/// A connection the backend stored. Holds nothing secret.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Connection {
    /// The bank's name, when Link reported one. Untrusted text.
    pub institution: Option<String>,
    /// How many accounts the user shared.
    pub accounts: usize,
    /// The backend's id for the connection, when it shares one.
    pub item_id: Option<String>,
    /// An existing connection was repaired in update mode (nothing was exchanged).
    pub updated: bool,
    /// Every bank the session added, when it ended without a public token (Multi-Item Link adds
    /// several); empty after an ordinary exchange, whose one item is [`item_id`](Self::item_id).
    pub items: Vec<ConnectedItem>,
    /// The session verified the user's identity (Identity Verification), and connected no bank.
    pub verified: bool,
    /// Everything Link's `onSuccess` reported besides the public token: the institution, each
    /// account (`mask`, `type`, `subtype`, `verification_status`, `class_type`), the
    /// `link_session_id`, `transfer_status`.
    pub metadata: SuccessMetadata,
}

/// One bank a Link session added.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnectedItem {
    /// The backend's id for it.
    pub item_id: String,
    /// The bank's name. Untrusted text.
    pub institution: Option<String>,
}

/// Why the flow stopped. `Display` is the English message for the user (its words, and the page's
/// own, are [`crate::texts`]'); [`std::error::Error::source`] is the failure behind it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkFailure {
    /// An endpoint or the script's URL is not HTTPS (nor loopback), or not a URL.
    Endpoint(EndpointError),
    /// Link's script could not be loaded.
    Script(ScriptError),
    /// The backend did not give a link token.
    LinkToken(BackendError),
    /// Link refused to start.
    Plaid(PlaidError),
    /// The Link session ended in an error.
    Link(LinkError),
    /// The bank and accounts chosen are already connected, as this item: nothing was exchanged.
    Duplicate {
        /// The backend's id for the connection already there (update mode can add accounts to it).
        item_id: String,
        /// The bank's name, when the backend gave it. Untrusted text.
        institution: Option<String>,
    },
    /// Back from an OAuth bank, but the sign-in could not be picked up: start again.
    OauthReturn(crate::oauth::ResumeError),
    /// The backend did not take the public token, after every attempt.
    Exchange(ExchangeFailure),
}

impl std::fmt::Display for LinkFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&crate::texts::Texts::default().failure(self))
    }
}

impl std::error::Error for LinkFailure {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Endpoint(e) => Some(e),
            Self::Script(e) => Some(e),
            Self::LinkToken(e) => Some(e),
            Self::Plaid(e) => Some(e),
            Self::OauthReturn(e) => Some(e),
            Self::Exchange(e) => Some(e),
            Self::Link(_) | Self::Duplicate { .. } => None,
        }
    }
}

impl LinkFailure {
    /// Whether trying again reopens the same Link (true) or starts over with a fresh link token.
    ///
    /// ```
    /// use plaid_link::{backend::BackendError, LinkFailure};
    /// assert!(!LinkFailure::LinkToken(BackendError::Timeout).reopens(), "a fresh link token is needed");
    /// ```
    pub fn reopens(&self) -> bool {
        matches!(self, Self::Link(e) if !e.is_invalid_link_token())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plaid::types::ErrorType;

    fn link_error(code: &str) -> LinkError {
        LinkError {
            error_type: ErrorType::InvalidInput,
            error_code: code.to_owned(),
            error_message: String::new(),
            display_message: None,
            request_id: None,
        }
    }

    #[test]
    fn a_link_session_error_reopens_the_same_link() {
        assert!(LinkFailure::Link(link_error("INVALID_CREDENTIALS")).reopens());
    }

    #[test]
    fn backend_and_script_failures_start_over() {
        assert!(!LinkFailure::LinkToken(BackendError::Timeout).reopens());
        assert!(!LinkFailure::Script(ScriptError::Failed).reopens());
        assert!(
            !LinkFailure::Exchange(ExchangeFailure { error: BackendError::Timeout, attempts: 1 }).reopens()
        );
        assert!(!LinkFailure::Link(link_error("INVALID_LINK_TOKEN")).reopens());
    }

    #[test]
    fn exchange_failure_says_what_was_lost_and_why() {
        let message =
            LinkFailure::Exchange(ExchangeFailure { error: BackendError::Timeout, attempts: 4 }).to_string();
        assert!(message.starts_with("Your bank account could not be saved."));
        assert!(message.contains("took too long"));
        assert!(message.contains("We tried 4 times"));
    }
}
