//! Every sentence the component shows, and which state or failure shows which: the one place for
//! words. [`ENGLISH`] is the list a translator reads; the code below it is the only reader of the
//! sentences, and the layers beneath (the backend client, the endpoint rules, Link's bindings)
//! report data, never words.
//!
//! Every sentence is an English template whose values sit in braces (`{bank}`, `{accounts}`,
//! `{n}`, `{status}`, `{address}`, `{detail}`, `{reason}`). A page that speaks another language
//! gives [`PlaidLinkOptions::texts`](crate::PlaidLinkOptions::texts) one function from the English
//! template to its own, keeping the braces; `None` keeps the English. The templates are the keys,
//! as in gettext, so the embed bundle takes the same words as a JSON object (`data-texts`).
//!
//! ```
//! use plaid_link::{PlaidLinkOptions, Texts};
//!
//! let french = Texts::new(|english| {
//!     Some(match english {
//!         "Connect a bank account" => "Connecter un compte bancaire",
//!         "Connected to {bank} ({accounts})." => "Connecté à {bank} ({accounts}).",
//!         "{n} accounts" => "{n} comptes",
//!         _ => return None, // the rest stays in English
//!     }.to_owned())
//! });
//! let options = PlaidLinkOptions::default().texts(french);
//! ```
//!
//! Plaid's own `display_message` and the backend's `{"error": …}` message are shown as they come:
//! Link speaks the language its link token asks for, and the backend is the app's.

mod say;
#[cfg(test)]
mod tests;

use std::sync::Arc;

/// The page's words for the component's sentences. The default is English.
///
/// `Send + Sync`, as everything a Leptos view reads must be (under `ssr` the view may be rendered
/// on any thread).
#[derive(Clone, Default)]
pub struct Texts(Option<Arc<Words>>);

/// From an English template to the page's words.
type Words = dyn Fn(&str) -> Option<String> + Send + Sync;

impl Texts {
    /// Words from a function of the English template (see the [module](self)); `None` keeps it.
    ///
    /// ```
    /// use plaid_link::Texts;
    /// let texts = Texts::new(|english| (english == "Try again").then(|| "Erneut versuchen".to_owned()));
    /// ```
    pub fn new(words: impl Fn(&str) -> Option<String> + Send + Sync + 'static) -> Self {
        Self(Some(Arc::new(words)))
    }

    /// `template` in the page's words, its placeholders filled with `values`.
    fn say(&self, template: &'static str, values: &[(&str, &str)]) -> String {
        let own = self.0.as_ref().and_then(|words| words(template));
        fill(own.as_deref().unwrap_or(template), values)
    }
}

/// Fills `{name}` placeholders in one pass: a value (a bank's name, say) is never itself read for
/// placeholders. An unknown name stays as written.
fn fill(text: &str, values: &[(&str, &str)]) -> String {
    // Bytes and `get` rather than `split_once` and indexing: no pattern searcher and no
    // char-boundary panic message in the bundle (about 0.2 KB gzip). The braces are ASCII, so
    // every cut is a boundary.
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.bytes().position(|b| b == b'{') {
        out.push_str(rest.get(..open).unwrap_or_default());
        rest = rest.get(open + 1..).unwrap_or_default();
        let named = rest.bytes().position(|b| b == b'}').and_then(|close| {
            let name = rest.get(..close)?;
            let (_, value) = values.iter().find(|(known, _)| *known == name)?;
            Some((value, rest.get(close + 1..)?))
        });
        match named {
            Some((value, tail)) => {
                out.push_str(value);
                rest = tail;
            }
            None => out.push('{'),
        }
    }
    out.push_str(rest);
    out
}

/// Declares each sentence once, as a constant the code below uses, and lists them all in
/// [`ENGLISH`].
macro_rules! sentences {
    ($($(#[$meta:meta])* $name:ident = $text:literal,)+) => {
        $($(#[$meta])* const $name: &str = $text;)+
        /// Every sentence the component may show, as the English template [`Texts`] is asked about.
        pub const ENGLISH: &[&str] = &[$($name),+];
    };
}

sentences! {
    // The button.
    CONNECT = "Connect a bank account",
    PREPARING = "Preparing…",
    CONNECTING = "Connecting…",
    SAVING = "Saving…",
    CONNECTED = "Connected",
    RECONNECTED = "Reconnected",
    TRY_AGAIN = "Try again",
    START_AGAIN = "Start again",
    // The status line.
    FINISH_IN_PLAID = "Finish connecting in the Plaid window.",
    SAVING_CONNECTION = "Saving your connection…",
    CONNECTED_TO_BANK = "Connected to {bank} ({accounts}).",
    CONNECTED_ACCOUNTS = "Connected ({accounts}).",
    RECONNECTED_TO_BANK = "Reconnected to {bank} ({accounts}).",
    RECONNECTED_ACCOUNTS = "Reconnected ({accounts}).",
    CONNECTED_BANKS = "Connected {n} banks: {banks}.",
    BANKS_AND = "{banks} and {last}",
    VERIFIED = "Verified.",
    ONE_ACCOUNT = "1 account",
    N_ACCOUNTS = "{n} accounts",
    CLOSED = "You closed Plaid before finishing. You can try again at any time.",
    // Failures: the page's set-up.
    INSECURE = "This page is set up to use an insecure connection ({address}), so it cannot connect your bank. Please contact the site's support.",
    INVALID_ADDRESS = "This page is set up with an invalid address ({address}), so it cannot connect your bank. Please contact the site's support.",
    OTHER_SITE = "This page is set up to send your connection to another site ({address}) that it has not allowed, so it cannot connect your bank. Please contact the site's support.",
    UNDECLARED = "This page is set up to send your connection to an address on this site that its server has not declared ({address}), so it cannot connect your bank. Please contact the site's support.",
    NOT_PLAIDS_SCRIPT = "This page is set up to load Plaid Link from an address that is not Plaid's ({address}), so it cannot connect your bank. Please contact the site's support.",
    // Failures: Link's script and Link itself.
    SCRIPT_FAILED = "Plaid Link could not be loaded. Check your connection, then try again.",
    SCRIPT_SLOW = "Plaid Link is taking too long to load. Check your connection, then try again.",
    SCRIPT_NO_GLOBAL = "Plaid Link loaded but did not start. Reload the page, then try again.",
    SCRIPT_PAGE = "This page cannot load Plaid Link ({detail}).",
    NOT_LOADED = "Plaid Link is not loaded on this page. Reload the page, then try again.",
    NOT_STARTED = "Plaid Link could not start. Reload the page, then try again. ({detail})",
    NOT_OPENED = "Plaid Link could not be opened. Reload the page, then try again. ({detail})",
    // Failures: the Link session, when Plaid sends no display_message.
    BANK_REFUSED = "Your bank did not accept those details. Please try again.",
    BANK_DOWN = "Your bank is not responding right now. Please try again later.",
    PLAID_RATE_LIMIT = "Too many attempts. Please wait a few minutes, then try again.",
    PLAID_FAILED = "Plaid had a problem on its side. Please try again.",
    OAUTH_FAILED = "Signing in at your bank did not finish. Please try again.",
    NOT_VERIFIED = "We could not verify this browser. Please try again.",
    NOT_SET_UP = "This connection could not be set up. Please try again, and contact support if it keeps happening.",
    SOMETHING_WRONG = "Something went wrong while connecting your bank. Please try again.",
    // Failures: back from an OAuth bank.
    RESUME_MISSING = "We could not pick up your sign-in at your bank on this page. Please start again.",
    RESUME_EXPIRED = "Your sign-in at your bank took too long and has expired. Please start again.",
    // Failures: the backend, when it sends no message of its own.
    UNREACHABLE = "We could not reach the server. Check your connection, then try again.",
    TOO_SLOW = "The server took too long to answer. Please try again.",
    SESSION_EXPIRED = "Your session has expired. Sign in again, then try again.",
    TOO_MANY = "Too many attempts. Please wait a moment, then try again.",
    SERVER_PROBLEM = "The server had a problem. Please try again in a moment.",
    REFUSED = "The server refused the request (HTTP {status}).",
    UNREADABLE = "The server sent an answer we could not read. Please try again later.",
    REDIRECTED = "The server answered from another address, which this page does not follow with your data. Please contact the site's support.",
    CANCELLED = "The request was cancelled.",
    NOT_SENT = "The request could not be sent ({detail}).",
    // Failures: the exchange, after its last attempt.
    NOT_SAVED = "Your bank account could not be saved. {reason}",
    NOT_SAVED_AFTER_TRIES = "Your bank account could not be saved. {reason} (We tried {n} times. Please connect your bank again.)",
    ALREADY_CONNECTED = "{bank} is already connected.",
    ALREADY_CONNECTED_BANK = "This bank is already connected.",
}
