//! The sentences the component shows, in the page's own words.
//!
//! Every sentence is an English template whose values sit in braces (`{bank}`, `{accounts}`,
//! `{n}`, `{status}`, `{address}`, `{detail}`, `{reason}`). A page that speaks another language
//! gives [`PlaidLinkOptions::texts`](crate::PlaidLinkOptions::texts) one function from the English
//! template to its own, keeping the braces; `None` keeps the English. The templates are the keys,
//! as in gettext, so the embed bundle takes the same words as a JSON object (`data-texts`).
//! [`ENGLISH`] lists them all, for a translator.
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
    pub(crate) fn say(&self, template: &'static str, values: &[(&str, &str)]) -> String {
        let own = self.0.as_ref().and_then(|words| words(template));
        fill(own.as_deref().unwrap_or(template), values)
    }
}

/// Fills `{name}` placeholders in one pass: a value (a bank's name, say) is never itself read for
/// placeholders. An unknown name stays as written.
fn fill(text: &str, values: &[(&str, &str)]) -> String {
    // Bytes and `get` rather than `find` and indexing: no pattern searcher and no char-boundary
    // panic message (3 KB) in the bundle. The braces are ASCII, so every cut is a boundary.
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
            // A one-byte `str`: `push(char)` would bring in UTF-8 encoding for nothing.
            #[allow(clippy::single_char_add_str)]
            None => out.push_str("{"),
        }
    }
    out.push_str(rest);
    out
}

/// `Display` (the English message) and `Error` for a type with `say(&self, &Texts) -> String`.
macro_rules! english_display {
    ($($error:ty),*) => {$(
        impl std::fmt::Display for $error {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.say(&$crate::texts::Texts::default()))
            }
        }
        impl std::error::Error for $error {}
    )*};
}
pub(crate) use english_display;

/// Every sentence the component may show, as the English template [`Texts`] is asked about.
pub const ENGLISH: &[&str] = &[
    // The button.
    "Connect a bank account",
    "Preparing…",
    "Connecting…",
    "Saving…",
    "Connected",
    "Reconnected",
    "Try again",
    "Start again",
    // The status line.
    "Finish connecting in the Plaid window.",
    "Saving your connection…",
    "Connected to {bank} ({accounts}).",
    "Connected ({accounts}).",
    "Reconnected to {bank} ({accounts}).",
    "Reconnected ({accounts}).",
    "1 account",
    "{n} accounts",
    "You closed Plaid before finishing. You can try again at any time.",
    // Failures: the page's set-up.
    "This page is set up to use an insecure connection ({address}), so it cannot connect your bank. Please contact the site's support.",
    "This page is set up with an invalid address ({address}), so it cannot connect your bank. Please contact the site's support.",
    "This page is set up to send your connection to another site ({address}) that it has not allowed, so it cannot connect your bank. Please contact the site's support.",
    "This page is set up to load Plaid Link from an address that is not Plaid's ({address}), so it cannot connect your bank. Please contact the site's support.",
    // Failures: Link's script and Link itself.
    "Plaid Link could not be loaded. Check your connection, then try again.",
    "Plaid Link is taking too long to load. Check your connection, then try again.",
    "Plaid Link loaded but did not start. Reload the page, then try again.",
    "This page cannot load Plaid Link ({detail}).",
    "Plaid Link is not loaded on this page. Reload the page, then try again.",
    "Plaid Link could not start. Reload the page, then try again. ({detail})",
    "Plaid Link could not be opened. Reload the page, then try again. ({detail})",
    "Plaid Link finished without a result. Please try again.",
    // Failures: the Link session, when Plaid sends no display_message.
    "Your bank did not accept those details. Please try again.",
    "Your bank is not responding right now. Please try again later.",
    "Too many attempts. Please wait a few minutes, then try again.",
    "Plaid had a problem on its side. Please try again.",
    "Signing in at your bank did not finish. Please try again.",
    "We could not verify this browser. Please try again.",
    "This connection could not be set up. Please try again, and contact support if it keeps happening.",
    "Something went wrong while connecting your bank. Please try again.",
    // Failures: back from an OAuth bank.
    "We could not pick up your sign-in at your bank on this page. Please start again.",
    "Your sign-in at your bank took too long and has expired. Please start again.",
    // Failures: the backend, when it sends no message of its own.
    "We could not reach the server. Check your connection, then try again.",
    "The server took too long to answer. Please try again.",
    "Your session has expired. Sign in again, then try again.",
    "Too many attempts. Please wait a moment, then try again.",
    "The server had a problem. Please try again in a moment.",
    "The server refused the request (HTTP {status}).",
    "The server sent an answer we could not read. Please try again later.",
    "The server answered from another address, which this page does not follow with your data. Please contact the site's support.",
    "The request was cancelled.",
    "The request could not be sent ({detail}).",
    // Failures: the exchange, after its last attempt.
    "Your bank account could not be saved. {reason}",
    "Your bank account could not be saved. {reason} (We tried {n} times. Please connect your bank again.)",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled_once_and_values_are_not_read_again() {
        let values = [("bank", "{accounts} Bank"), ("accounts", "2 accounts")];
        assert_eq!(
            fill("Connected to {bank} ({accounts}).", &values),
            "Connected to {accounts} Bank (2 accounts)."
        );
        assert_eq!(fill("{unknown} {bank", &values), "{unknown} {bank");
        assert_eq!(fill("no braces", &values), "no braces");
    }

    #[test]
    fn the_pages_words_replace_a_template_and_none_keeps_the_english() {
        let texts = Texts::new(|english| (english == "{n} accounts").then(|| "{n} comptes".to_owned()));
        assert_eq!(texts.say("{n} accounts", &[("n", "3")]), "3 comptes");
        assert_eq!(texts.say("1 account", &[]), "1 account");
        assert_eq!(Texts::default().say("{n} accounts", &[("n", "3")]), "3 accounts");
    }
}
