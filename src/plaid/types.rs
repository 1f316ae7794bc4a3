//! What Link hands to its callbacks, as Rust types.
//!
//! Plaid adds fields and values over time, so every reader ignores unknown fields, every field
//! that Plaid may leave out or set to `null` is optional or defaulted, and every open vocabulary
//! (event names, error types, exit statuses) keeps values it does not know in `Other`. Each type
//! is read field by field from Link's object (`from_js`), which costs far fewer bytes than a
//! generic deserializer.

use crate::texts::Texts;
use wasm_bindgen::JsValue;

use crate::js::{array, field, string, string_or_empty};

/// Declares an enum for one of Plaid's open string vocabularies, with an `Other` fallback.
macro_rules! open_vocabulary {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
            /// A value this version does not know; Plaid's exact text is kept.
            Other(String),
        }

        impl From<String> for $name {
            fn from(text: String) -> Self {
                match text.as_str() {
                    $($text => Self::$variant,)+
                    _ => Self::Other(text),
                }
            }
        }

        impl $name {
            /// Plaid's own spelling of this value.
                ///
        /// ```
        /// use plaid_link::EventName;
        /// assert_eq!(EventName::from("OPEN".to_owned()).as_str(), "OPEN");
        /// ```
    pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $text,)+
                    Self::Other(text) => text,
                }
            }
        }
    };
}

open_vocabulary! {
    /// The name of an `onEvent` event.
    EventName {
        /// Link opened.
        Open = "OPEN",
        /// The user moved to another view.
        TransitionView = "TRANSITION_VIEW",
        /// The user searched for an institution.
        SearchInstitution = "SEARCH_INSTITUTION",
        /// The user chose an institution.
        SelectInstitution = "SELECT_INSTITUTION",
        /// The user submitted credentials.
        SubmitCredentials = "SUBMIT_CREDENTIALS",
        /// The user submitted a multi-factor answer.
        SubmitMfa = "SUBMIT_MFA",
        /// The user was sent to their bank's OAuth page.
        OpenOauth = "OPEN_OAUTH",
        /// A recoverable error was shown to the user.
        Error = "ERROR",
        /// Link finished successfully and is handing control back.
        Handoff = "HANDOFF",
        /// The user left Link.
        Exit = "EXIT",
        /// Layer: the submitted phone number is eligible; `open()` now shows Layer.
        LayerReady = "LAYER_READY",
        /// Layer: the phone number is not eligible; a date of birth may be submitted next.
        LayerNotAvailable = "LAYER_NOT_AVAILABLE",
        /// Layer: no autofill for this user; carry on with the usual Link flow.
        LayerAutofillNotAvailable = "LAYER_AUTOFILL_NOT_AVAILABLE",
    }
}

/// What [`submit`](crate::UsePlaidLinkReturn::submit) hands to a live Link (Plaid's
/// `handler.submit`), for Layer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkSubmission {
    /// The user's phone number, in E.164 (`+14155550011`).
    PhoneNumber(String),
    /// The user's date of birth, `YYYY-MM-DD`, after `LAYER_NOT_AVAILABLE`.
    DateOfBirth(String),
}

impl LinkSubmission {
    /// The object Link takes: `{phone_number}` or `{date_of_birth}`.
    pub(crate) fn to_js(&self) -> js_sys::Object {
        match self {
            Self::PhoneNumber(n) => crate::js::object(&[("phone_number", n.as_str().into())]),
            Self::DateOfBirth(d) => crate::js::object(&[("date_of_birth", d.as_str().into())]),
        }
    }
}

open_vocabulary! {
    /// Plaid's `error_type`: the broad family of an error.
    ErrorType {
        /// The request was malformed.
        InvalidRequest = "INVALID_REQUEST",
        /// The request was well formed but used a bad value (an expired link token, say).
        InvalidInput = "INVALID_INPUT",
        /// A result could not be used.
        InvalidResult = "INVALID_RESULT",
        /// The bank is down or failing.
        InstitutionError = "INSTITUTION_ERROR",
        /// Too many requests.
        RateLimitExceeded = "RATE_LIMIT_EXCEEDED",
        /// Plaid itself failed.
        ApiError = "API_ERROR",
        /// The login failed (wrong credentials, locked account, …).
        ItemError = "ITEM_ERROR",
        /// An asset report failed.
        AssetReportError = "ASSET_REPORT_ERROR",
        /// Plaid's bot check failed.
        RecaptchaError = "RECAPTCHA_ERROR",
        /// The bank's OAuth sign-in failed.
        OauthError = "OAUTH_ERROR",
        /// A payment failed.
        PaymentError = "PAYMENT_ERROR",
        /// A bank transfer failed.
        BankTransferError = "BANK_TRANSFER_ERROR",
        /// Sandbox-only failure.
        SandboxError = "SANDBOX_ERROR",
    }
}

open_vocabulary! {
    /// Where in Link the user was when they left (`onExit` metadata's `status`).
    ExitStatus {
        /// Waiting for security questions.
        RequiresQuestions = "requires_questions",
        /// Waiting for a selection.
        RequiresSelections = "requires_selections",
        /// Waiting for a one-time code.
        RequiresCode = "requires_code",
        /// Choosing a device for a one-time code.
        ChooseDevice = "choose_device",
        /// On the credentials screen.
        RequiresCredentials = "requires_credentials",
        /// Choosing accounts.
        RequiresAccountSelection = "requires_account_selection",
        /// Waiting for the bank's OAuth sign-in.
        RequiresOauth = "requires_oauth",
        /// Searching for a bank that was not found.
        InstitutionNotFound = "institution_not_found",
        /// The chosen bank is not supported.
        InstitutionNotSupported = "institution_not_supported",
    }
}

/// A financial institution as Link names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Institution {
    /// Plaid's id, such as `ins_109508`.
    pub institution_id: String,
    /// The name to show a person. Untrusted text: render it as text, never as markup.
    pub name: String,
}

/// An account the user chose in Link.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    /// Plaid's account id.
    pub id: String,
    /// The account's name at the bank. Untrusted text.
    pub name: String,
    /// The last digits of the account number.
    pub mask: Option<String>,
    /// `depository`, `credit`, `loan`, `investment` or `other`.
    pub kind: Option<String>,
    /// `checking`, `savings`, … .
    pub subtype: Option<String>,
}

/// `onSuccess` metadata.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SuccessMetadata {
    /// The institution the user connected, when Link reports one.
    pub institution: Option<Institution>,
    /// The accounts the user chose.
    pub accounts: Vec<Account>,
    /// Link's session id, for support requests.
    pub link_session_id: String,
}

/// The error object `onExit` receives when the session ended in error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkError {
    /// The broad family.
    pub error_type: ErrorType,
    /// The precise code, such as `INVALID_LINK_TOKEN` or `INVALID_CREDENTIALS`.
    pub error_code: String,
    /// A developer-facing message; never shown to the user.
    pub error_message: String,
    /// A message Plaid wrote for the user, when it has one. Untrusted text.
    pub display_message: Option<String>,
}

impl LinkError {
    /// Link ended because its link token expired or was otherwise unusable: a fresh one is needed.
    ///
    /// ```
    /// use plaid_link::PlaidLinkOptions;
    /// let options = PlaidLinkOptions::default().on_exit(|error, _| {
    ///     if error.is_some_and(|e| e.is_invalid_link_token()) { /* the component starts over */ }
    /// });
    /// ```
    pub fn is_invalid_link_token(&self) -> bool {
        self.error_code == "INVALID_LINK_TOKEN"
    }

    /// What to tell the user: Plaid's own `display_message` when it gives one, else a message
    /// chosen by `error_type`.
    ///
    /// ```
    /// use plaid_link::PlaidLinkOptions;
    /// let options = PlaidLinkOptions::default().on_exit(|error, _| {
    ///     if let Some(e) = error { leptos::logging::warn!("{}", e.user_message()) }
    /// });
    /// ```
    pub fn user_message(&self) -> String {
        self.say(&Texts::default())
    }

    /// [`user_message`](Self::user_message), in the page's words (Plaid's own is kept as it is).
    pub(crate) fn say(&self, t: &Texts) -> String {
        if let Some(message) = self.display_message.as_deref().filter(|m| !m.trim().is_empty()) {
            return message.to_owned();
        }
        let template = match self.error_type {
            ErrorType::ItemError => "Your bank did not accept those details. Please try again.",
            ErrorType::InstitutionError => "Your bank is not responding right now. Please try again later.",
            ErrorType::RateLimitExceeded => "Too many attempts. Please wait a few minutes, then try again.",
            ErrorType::ApiError => "Plaid had a problem on its side. Please try again.",
            ErrorType::OauthError => "Signing in at your bank did not finish. Please try again.",
            ErrorType::RecaptchaError => "We could not verify this browser. Please try again.",
            ErrorType::InvalidRequest | ErrorType::InvalidInput | ErrorType::InvalidResult => {
                "This connection could not be set up. Please try again, and contact support if it keeps happening."
            }
            _ => "Something went wrong while connecting your bank. Please try again.",
        };
        t.say(template, &[])
    }
}

/// `onExit` metadata.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExitMetadata {
    /// The institution the user had chosen, if any.
    pub institution: Option<Institution>,
    /// Where the user was when they left.
    pub status: Option<ExitStatus>,
    /// Link's session id.
    pub link_session_id: String,
    /// Plaid's request id, for support requests.
    pub request_id: Option<String>,
}

/// `onEvent` metadata. Every field is optional: each event fills in its own.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EventMetadata {
    /// Link's session id.
    pub link_session_id: Option<String>,
    /// Plaid's request id.
    pub request_id: Option<String>,
    /// When the event happened, ISO 8601.
    pub timestamp: Option<String>,
    /// The view the user is on, such as `CREDENTIAL`.
    pub view_name: Option<String>,
    /// The chosen institution's id.
    pub institution_id: Option<String>,
    /// The chosen institution's name. Untrusted text.
    pub institution_name: Option<String>,
    /// On `ERROR` events: the error family.
    pub error_type: Option<ErrorType>,
    /// On `ERROR` events: the error code.
    pub error_code: Option<String>,
    /// On `EXIT` events: where the user was.
    pub exit_status: Option<ExitStatus>,
}

/// One `onEvent` call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkEvent {
    /// What happened.
    pub name: EventName,
    /// Its details.
    pub metadata: EventMetadata,
}

// --- Reading Link's objects --------------------------------------------------------------------

impl Institution {
    /// Reads `{institution_id, name}`; `None` unless `value` is an object.
    pub(crate) fn from_js(value: &JsValue) -> Option<Self> {
        value.is_object().then(|| Self {
            institution_id: string_or_empty(value, "institution_id"),
            name: string_or_empty(value, "name"),
        })
    }
}

impl Account {
    /// Reads one of `metadata.accounts`.
    pub(crate) fn from_js(value: &JsValue) -> Self {
        Self {
            id: string_or_empty(value, "id"),
            name: string_or_empty(value, "name"),
            mask: string(value, "mask"),
            kind: string(value, "type"),
            subtype: string(value, "subtype"),
        }
    }
}

impl SuccessMetadata {
    /// Reads `onSuccess`'s metadata.
    pub(crate) fn from_js(value: &JsValue) -> Self {
        Self {
            institution: Institution::from_js(&field(value, "institution")),
            accounts: array(value, "accounts").iter().map(|a| Account::from_js(&a)).collect(),
            link_session_id: string_or_empty(value, "link_session_id"),
        }
    }
}

impl LinkError {
    /// Reads `onExit`'s error; `None` when Link passed none (`null`). An object we cannot read is
    /// still an error, not a user who closed Link.
    pub(crate) fn from_js(value: &JsValue) -> Option<Self> {
        (!value.is_null() && !value.is_undefined()).then(|| Self {
            error_type: ErrorType::from(string_or_empty(value, "error_type")),
            error_code: string_or_empty(value, "error_code"),
            error_message: string_or_empty(value, "error_message"),
            display_message: string(value, "display_message"),
        })
    }
}

impl ExitMetadata {
    /// Reads `onExit`'s metadata.
    pub(crate) fn from_js(value: &JsValue) -> Self {
        Self {
            institution: Institution::from_js(&field(value, "institution")),
            status: string(value, "status").map(ExitStatus::from),
            link_session_id: string_or_empty(value, "link_session_id"),
            request_id: string(value, "request_id"),
        }
    }
}

impl EventMetadata {
    /// Reads `onEvent`'s metadata.
    pub(crate) fn from_js(value: &JsValue) -> Self {
        Self {
            link_session_id: string(value, "link_session_id"),
            request_id: string(value, "request_id"),
            timestamp: string(value, "timestamp"),
            view_name: string(value, "view_name"),
            institution_id: string(value, "institution_id"),
            institution_name: string(value, "institution_name"),
            error_type: string(value, "error_type").map(ErrorType::from),
            error_code: string(value, "error_code"),
            exit_status: string(value, "exit_status").map(ExitStatus::from),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_vocabulary_maps_to_its_variant_and_back() {
        assert_eq!(EventName::from("HANDOFF".to_owned()), EventName::Handoff);
        assert_eq!(EventName::Handoff.as_str(), "HANDOFF");
        assert_eq!(ExitStatus::from("requires_credentials".to_owned()), ExitStatus::RequiresCredentials);
    }

    #[test]
    fn unknown_vocabulary_is_kept_verbatim() {
        let name = EventName::from("SELECT_BRAND".to_owned());
        assert_eq!(name, EventName::Other("SELECT_BRAND".to_owned()));
        assert_eq!(name.as_str(), "SELECT_BRAND");
    }

    fn error(error_type: &str, display_message: Option<&str>) -> LinkError {
        LinkError {
            error_type: ErrorType::from(error_type.to_owned()),
            error_code: "SOME_CODE".to_owned(),
            error_message: "developer text".to_owned(),
            display_message: display_message.map(str::to_owned),
        }
    }

    #[test]
    fn user_message_prefers_plaids_display_message() {
        let e = error("ITEM_ERROR", Some("The credentials were not correct."));
        assert_eq!(e.user_message(), "The credentials were not correct.");
    }

    #[test]
    fn user_message_falls_back_on_the_error_type() {
        assert!(error("ITEM_ERROR", None).user_message().contains("did not accept"));
        assert!(error("INSTITUTION_ERROR", Some("  ")).user_message().contains("not responding"));
        assert!(error("RATE_LIMIT_EXCEEDED", None).user_message().contains("wait"));
        assert!(error("BRAND_NEW_ERROR", None).user_message().contains("Something went wrong"));
    }

    #[test]
    fn user_message_never_shows_the_developer_message() {
        for t in ["ITEM_ERROR", "API_ERROR", "INVALID_INPUT", "X"] {
            assert!(!error(t, None).user_message().contains("developer text"));
        }
    }

    #[test]
    fn invalid_link_token_is_recognised_by_its_code() {
        let mut e = error("INVALID_INPUT", None);
        assert!(!e.is_invalid_link_token());
        e.error_code = "INVALID_LINK_TOKEN".to_owned();
        assert!(e.is_invalid_link_token());
    }
}
