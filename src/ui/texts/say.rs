//! Which sentence each state and each failure shows.

use super::*;
use crate::backend::{BackendError, ExchangeFailure};
use crate::endpoint::EndpointError;
use crate::oauth::ResumeError;
use crate::plaid::types::{ErrorType, LinkError};
use crate::plaid::{PlaidError, ScriptError};
use crate::status::{ConnectedItem, LinkFailure, LinkStatus};

impl Texts {
    /// The button's text for this state, in these texts: what `<PlaidLink>` shows, for a button of
    /// the app's own beside the hook. `label` is the app's own for the idle states, if it has one.
    ///
    /// ```
    /// use plaid_link::{LinkStatus, Texts};
    /// let texts = Texts::default();
    /// assert_eq!(texts.button_label(&LinkStatus::Sending, None), "Saving…");
    /// assert_eq!(texts.button_label(&LinkStatus::Ready, Some("Link a bank")), "Link a bank");
    /// ```
    pub fn button_label(&self, status: &LinkStatus, label: Option<&str>) -> String {
        let template = match status {
            LinkStatus::Preparing => PREPARING,
            LinkStatus::Ready | LinkStatus::Closed => match label {
                Some(label) => return label.to_owned(),
                None => CONNECT,
            },
            LinkStatus::Open => CONNECTING,
            LinkStatus::Sending => SAVING,
            LinkStatus::Connected(c) if c.updated => RECONNECTED,
            LinkStatus::Connected(_) => CONNECTED,
            LinkStatus::Failed(LinkFailure::OauthReturn(_)) => START_AGAIN,
            LinkStatus::Failed(_) => TRY_AGAIN,
        };
        self.say(template, &[])
    }

    /// The sentence for this state, in these texts (empty when the button says enough): what
    /// `<PlaidLink>` shows under its button, for a status line of the app's own. `Display` of a
    /// [`LinkFailure`] is English, for logs; this is for the user, in the app's language.
    ///
    /// ```
    /// use plaid_link::{LinkStatus, Texts};
    /// let french = Texts::new(|english| english.starts_with("You closed Plaid").then(|| "Fenêtre fermée.".into()));
    /// assert_eq!(french.status_message(&LinkStatus::Closed), "Fenêtre fermée.");
    /// ```
    pub fn status_message(&self, status: &LinkStatus) -> String {
        let template = match status {
            LinkStatus::Preparing | LinkStatus::Ready => return String::new(),
            LinkStatus::Open => FINISH_IN_PLAID,
            LinkStatus::Sending => SAVING_CONNECTION,
            LinkStatus::Connected(c) if c.verified && c.items.is_empty() => VERIFIED,
            LinkStatus::Connected(c) if c.items.len() > 1 => {
                let (n, banks) = (c.items.len().to_string(), self.banks(&c.items));
                return self.say(CONNECTED_BANKS, &[("n", &n), ("banks", &banks)]);
            }
            LinkStatus::Connected(c) => {
                let accounts = match c.accounts {
                    1 => self.say(ONE_ACCOUNT, &[]),
                    n => self.say(N_ACCOUNTS, &[("n", &n.to_string())]),
                };
                let template = match (c.updated, c.institution.is_some()) {
                    (false, true) => CONNECTED_TO_BANK,
                    (false, false) => CONNECTED_ACCOUNTS,
                    (true, true) => RECONNECTED_TO_BANK,
                    (true, false) => RECONNECTED_ACCOUNTS,
                };
                let bank = c.institution.as_deref().unwrap_or_default();
                return self.say(template, &[("bank", bank), ("accounts", &accounts)]);
            }
            LinkStatus::Closed => CLOSED,
            LinkStatus::Failed(failure) => return self.failure(failure),
        };
        self.say(template, &[])
    }

    /// What a failure says to the user, in these texts.
    pub fn failure(&self, failure: &LinkFailure) -> String {
        match failure {
            LinkFailure::Endpoint(e) => self.endpoint(e),
            LinkFailure::Script(e) => self.script(e),
            LinkFailure::LinkToken(e) => self.backend(e),
            LinkFailure::Plaid(e) => self.plaid(e),
            LinkFailure::Link(e) => self.link_error(e),
            LinkFailure::Duplicate { institution, .. } => self.duplicate(institution.as_deref()),
            LinkFailure::OauthReturn(ResumeError::Missing) => self.say(RESUME_MISSING, &[]),
            LinkFailure::OauthReturn(ResumeError::Expired) => self.say(RESUME_EXPIRED, &[]),
            LinkFailure::Exchange(ExchangeFailure { error, attempts }) => {
                let reason = self.backend(error);
                match attempts {
                    0 | 1 => self.say(NOT_SAVED, &[("reason", &reason)]),
                    n => self.say(NOT_SAVED_AFTER_TRIES, &[("reason", &reason), ("n", &n.to_string())]),
                }
            }
        }
    }

    /// "A, B and C": the last bank joined to the others by `BANKS_AND`. A loop rather than
    /// `[&str]::join`, whose code costs every user 0.5 KB gzip.
    fn banks(&self, items: &[ConnectedItem]) -> String {
        fn name(item: &ConnectedItem) -> &str {
            item.institution.as_deref().unwrap_or("?")
        }
        let Some((last, others)) = items.split_last() else { return String::new() };
        let mut list = String::new();
        for item in others {
            if !list.is_empty() {
                list.push_str(", ");
            }
            list.push_str(name(item));
        }
        self.say(BANKS_AND, &[("banks", &list), ("last", name(last))])
    }

    fn duplicate(&self, institution: Option<&str>) -> String {
        match institution {
            Some(bank) => self.say(ALREADY_CONNECTED, &[("bank", bank)]),
            None => self.say(ALREADY_CONNECTED_BANK, &[]),
        }
    }

    /// A Link session's error: Plaid's own `display_message` when it gives one (in the language
    /// the link token asked for), else a sentence chosen by `error_type`. Never its
    /// `error_message`, which is written for developers.
    pub(crate) fn link_error(&self, error: &LinkError) -> String {
        if let Some(message) = error.display_message.as_deref().filter(|m| !is_blank(m)) {
            return message.to_owned();
        }
        let template = match error.error_type {
            ErrorType::ItemError => BANK_REFUSED,
            ErrorType::InstitutionError => BANK_DOWN,
            ErrorType::RateLimitExceeded => PLAID_RATE_LIMIT,
            ErrorType::ApiError => PLAID_FAILED,
            ErrorType::OauthError => OAUTH_FAILED,
            ErrorType::RecaptchaError => NOT_VERIFIED,
            ErrorType::InvalidRequest | ErrorType::InvalidInput | ErrorType::InvalidResult => NOT_SET_UP,
            _ => SOMETHING_WRONG,
        };
        self.say(template, &[])
    }

    fn endpoint(&self, error: &EndpointError) -> String {
        let (template, address) = match error {
            EndpointError::Insecure(a) => (INSECURE, a),
            EndpointError::Invalid(a) => (INVALID_ADDRESS, a),
            EndpointError::OtherOrigin(a) => (OTHER_SITE, a),
            EndpointError::Undeclared(a) => (UNDECLARED, a),
            EndpointError::UntrustedScript(a)
            | EndpointError::SelfHostedScript(a)
            | EndpointError::NotPlaidsPage(a) => (NOT_PLAIDS_SCRIPT, a),
        };
        self.say(template, &[("address", address)])
    }

    fn script(&self, error: &ScriptError) -> String {
        match error {
            ScriptError::Failed => self.say(SCRIPT_FAILED, &[]),
            ScriptError::TimedOut { .. } => self.say(SCRIPT_SLOW, &[]),
            ScriptError::NoPlaidGlobal => self.say(SCRIPT_NO_GLOBAL, &[]),
            ScriptError::Page(cause) => self.say(SCRIPT_PAGE, &[("detail", cause.message())]),
        }
    }

    fn plaid(&self, error: &PlaidError) -> String {
        match error {
            PlaidError::NotLoaded => self.say(NOT_LOADED, &[]),
            PlaidError::Create(cause) => self.say(NOT_STARTED, &[("detail", cause.message())]),
            PlaidError::Open(cause) => self.say(NOT_OPENED, &[("detail", cause.message())]),
        }
    }

    /// A backend's failure: its own `{"error": "…"}` message as it is; Plaid's error object
    /// (passed through, as Plaid's quickstart does) as a Link error; else a sentence of ours.
    fn backend(&self, error: &BackendError) -> String {
        let template = match error {
            BackendError::Network(_) => UNREACHABLE,
            BackendError::Timeout => TOO_SLOW,
            BackendError::Status { message: Some(message), .. } if !is_blank(message) => {
                return message.clone()
            }
            BackendError::Status { plaid: Some(plaid), .. } => return self.link_error(plaid),
            BackendError::Status { status: 401 | 403, .. } => SESSION_EXPIRED,
            BackendError::Status { status: 429, .. } => TOO_MANY,
            BackendError::Status { status: 500..=599, .. } => SERVER_PROBLEM,
            BackendError::Status { status, .. } => {
                return self.say(REFUSED, &[("status", &status.to_string())])
            }
            BackendError::Malformed(_) => UNREADABLE,
            BackendError::Redirected => REDIRECTED,
            BackendError::Cancelled => CANCELLED,
            BackendError::Request(cause) => return self.say(NOT_SENT, &[("detail", cause.message())]),
            BackendError::Duplicate { institution, .. } => {
                return self.duplicate(institution.as_deref());
            }
        };
        self.say(template, &[])
    }
}

/// Nothing a user could read: empty, or only spaces, tabs and line breaks. ASCII only: the Unicode
/// tables `str::trim` brings cost every user 0.15 KB gzip, for messages no backend sends.
fn is_blank(text: &str) -> bool {
    text.trim_ascii().is_empty()
}
