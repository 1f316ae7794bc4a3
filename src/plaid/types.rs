//! What Link hands to its callbacks, as Rust types.
//!
//! Plaid adds fields and values over time, so every reader ignores unknown fields, every field
//! that Plaid may leave out or set to `null` is optional or defaulted, and every open vocabulary
//! keeps values it does not know in `Other` (`vocabulary`). Each type
//! is read from Link's object through its typed view (`bindings`): zero-copy until a field
//! is read, and far fewer bytes than a generic deserializer (serde-wasm-bindgen's `from_value`
//! would add about 16 KB gzip, its error path formatting floats).

use wasm_bindgen::{JsCast, JsValue};

pub use super::vocabulary::{ErrorType, EventName, ExitStatus};

use super::bindings::{
    view, AccountView, EventMetadataView, ExitMetadataView, InstitutionView, LinkErrorView,
    SuccessMetadataView,
};

/// What [`submit`](crate::UsePlaidLinkReturn::submit) hands to a live Link (Plaid's
/// `handler.submit`), for Layer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkSubmission {
    /// The user's phone number, in E.164 (`+14155550011`).
    PhoneNumber(String),
    /// The user's date of birth, `YYYY-MM-DD`, after `LAYER_NOT_AVAILABLE`.
    DateOfBirth(String),
}

/// The object Link's `submit` takes: `{phone_number}` or `{date_of_birth}`.
#[derive(serde::Serialize)]
#[serde(rename_all = "snake_case")]
enum Submitted<'a> {
    PhoneNumber(&'a str),
    DateOfBirth(&'a str),
}

impl LinkSubmission {
    /// The object Link's `submit` takes.
    pub(crate) fn to_js(&self) -> Result<JsValue, serde_wasm_bindgen::Error> {
        let submitted = match self {
            Self::PhoneNumber(number) => Submitted::PhoneNumber(number),
            Self::DateOfBirth(date) => Submitted::DateOfBirth(date),
        };
        serde_wasm_bindgen::to_value(&submitted)
    }
}

/// A financial institution as Link names it (and as the backend calls receive it).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Institution {
    /// Plaid's id, such as `ins_109508`.
    pub institution_id: String,
    /// The name to show a person. Untrusted text: render it as text, never as markup.
    pub name: String,
}

/// An account the user chose in Link (and as the backend calls receive it).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Account {
    /// Plaid's account id.
    pub id: String,
    /// The account's name at the bank. Untrusted text.
    pub name: String,
    /// The last digits of the account number.
    pub mask: Option<String>,
    /// `depository`, `credit`, `loan`, `investment` or `other`.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// `checking`, `savings`, … .
    pub subtype: Option<String>,
    /// Micro-deposit or database verification: `pending_automatic_verification`,
    /// `pending_manual_verification`, `manually_verified`, `verification_expired`,
    /// `verification_failed`, `database_matched`, … ; none for an instantly verified account.
    pub verification_status: Option<String>,
    /// `business` or `personal`, when Plaid knows (Auth's account class).
    pub class_type: Option<String>,
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
    /// How the session ended, when Link says (Identity Verification's `success`, say).
    pub status: Option<String>,
    /// Transfer UI: `COMPLETE` or `INCOMPLETE`; none otherwise.
    pub transfer_status: Option<String>,
}

/// The error object `onExit` receives when the session ended in error (or Plaid's own, passed
/// through by a backend).
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
    /// Plaid's id for the request that failed, for a support ticket (from `onExit`'s metadata, or
    /// Plaid's error object).
    pub request_id: Option<String>,
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

    /// What to tell the user, in English: Plaid's own `display_message` when it gives one, else a
    /// sentence chosen by `error_type` (the words are [`crate::texts`]').
    ///
    /// ```
    /// use plaid_link::PlaidLinkOptions;
    /// let options = PlaidLinkOptions::default().on_exit(|error, _| {
    ///     if let Some(e) = error { leptos::logging::warn!("{}", e.user_message()) }
    /// });
    /// ```
    pub fn user_message(&self) -> String {
        crate::texts::Texts::default().link_error(self)
    }
}

/// `onExit` metadata.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ExitMetadata {
    /// The institution the user had chosen, if any.
    pub institution: Option<Institution>,
    /// Where the user was when they left.
    pub status: Option<ExitStatus>,
    /// Link's session id.
    pub link_session_id: String,
    /// Plaid's request id, for support requests.
    pub request_id: Option<String>,
    /// Link's object as it came, for a field this version does not type. Read it, never keep it.
    pub raw: JsValue,
}

/// `onEvent` metadata: Link's own object, each field Plaid's Link web reference documents read when
/// asked for (a build that reads none pays for none), and the object itself for the fields this
/// version does not type ([`raw`](Self::raw)). Every field is optional: each event fills in its
/// own, and a value of another type reads as absent.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EventMetadata(JsValue);

/// The typed readers of [`EventMetadata`], one per documented field.
macro_rules! event_fields {
    ($($(#[$doc:meta])* $name:ident;)*) => {
        impl EventMetadata {
            $(
                $(#[$doc])*
                pub fn $name(&self) -> Option<String> {
                    self.view()?.$name().as_string()
                }
            )*
        }
    };
}

event_fields! {
    /// Link's session id (every event).
    link_session_id;
    /// Plaid's id for Link's last request (every event).
    request_id;
    /// When the event happened, ISO 8601.
    timestamp;
    /// On `TRANSITION_VIEW`: the view the user is shown, such as `CREDENTIAL`.
    view_name;
    /// The chosen institution's id.
    institution_id;
    /// The chosen institution's name. Untrusted text.
    institution_name;
    /// On `ERROR` and `EXIT`: the error code.
    error_code;
    /// On `ERROR` and `EXIT`: Plaid's developer-facing message; never show it to the user.
    error_message;
    /// On `SEARCH_INSTITUTION`: what the user typed. The user's own words: keep them out of logs.
    institution_search_query;
    /// On `SUBMIT_MFA`, and `TRANSITION_VIEW` to `MFA`: `code`, `device`, `questions` or `selections`.
    mfa_type;
    /// On `MATCHED_SELECT_VERIFY_METHOD` and `SELECT_AUTH_TYPE`: the method or flow chosen
    /// (`phoneotp`, `password`, `flow_type_manual`, `flow_type_instant`).
    selection;
    /// On `SELECT_BRAND`: the brand chosen. Untrusted text.
    brand_name;
    /// On `MATCHED_SELECT_INSTITUTION`: why it was matched (`returning_user`, `routing_number`).
    match_reason;
    /// On `SUBMIT_ROUTING_NUMBER`: the routing number the user typed.
    routing_number;
    /// On `SUBMIT_ACCOUNT_NUMBER`: the account number's mask (empty when it is four digits long).
    account_number_mask;
}

impl EventMetadata {
    /// Link's object as it came, for fields this version does not type. Read it, never keep it.
    pub fn raw(&self) -> &JsValue {
        &self.0
    }

    /// On `ERROR` and `EXIT`: the error family.
    pub fn error_type(&self) -> Option<ErrorType> {
        self.view()?.error_type().as_string().map(ErrorType::from)
    }

    /// On `EXIT`: where the user was.
    pub fn exit_status(&self) -> Option<ExitStatus> {
        self.view()?.exit_status().as_string().map(ExitStatus::from)
    }

    /// Whether the session is in update mode, as Link reports it (a boolean, or `"yes"`/`"no"`).
    pub fn is_update_mode(&self) -> Option<bool> {
        let value = self.view()?.is_update_mode();
        value.as_bool().or_else(|| match value.as_string()?.as_str() {
            "yes" | "true" => Some(true),
            "no" | "false" => Some(false),
            _ => None,
        })
    }

    /// The object's typed view, when Link passed an object.
    fn view(&self) -> Option<&EventMetadataView> {
        self.0.is_object().then(|| self.0.unchecked_ref())
    }
}

/// One `onEvent` call.
#[derive(Clone, Debug, PartialEq)]
pub struct LinkEvent {
    /// What happened.
    pub name: EventName,
    /// Its details.
    pub metadata: EventMetadata,
}

// --- Reading Link's objects, through the views of `bindings` ------------------------------------

impl Institution {
    /// Reads `{institution_id, name}`; `None` unless Link passed an object.
    pub(crate) fn read(value: JsValue) -> Option<Self> {
        let institution: InstitutionView = view(value)?;
        Some(Self {
            institution_id: institution.institution_id().as_string().unwrap_or_default(),
            name: institution.name().as_string().unwrap_or_default(),
        })
    }
}

impl Account {
    fn read(account: &AccountView) -> Self {
        Self {
            id: account.id().as_string().unwrap_or_default(),
            name: account.name().as_string().unwrap_or_default(),
            mask: account.mask().as_string(),
            kind: account.kind().as_string(),
            subtype: account.subtype().as_string(),
            verification_status: account.verification_status().as_string(),
            class_type: account.class_type().as_string(),
        }
    }
}

impl SuccessMetadata {
    /// Reads `onSuccess`'s metadata; anything but an object reads as empty.
    pub(crate) fn read(value: JsValue) -> Self {
        let Some(metadata) = view::<SuccessMetadataView>(value) else { return Self::default() };
        let accounts = super::bindings::list(metadata.accounts());
        Self {
            institution: Institution::read(metadata.institution()),
            accounts: accounts.iter().filter_map(view::<AccountView>).map(|a| Account::read(&a)).collect(),
            link_session_id: metadata.link_session_id().as_string().unwrap_or_default(),
            status: metadata.status().as_string(),
            transfer_status: metadata.transfer_status().as_string(),
        }
    }
}

impl LinkError {
    /// Reads an error object (`onExit`'s, or Plaid's own in a backend's answer); `None` when there
    /// is none (`null`). A value we cannot read is still an error, not a user who closed Link.
    pub(crate) fn read(value: JsValue) -> Option<Self> {
        if value.is_null() || value.is_undefined() {
            return None;
        }
        // Any other value reads through the view: a getter on a string or a number gives
        // `undefined` (only `null` and `undefined` would make it throw).
        let error: LinkErrorView = value.unchecked_into();
        Some(Self {
            error_type: ErrorType::from(error.error_type().as_string().unwrap_or_default()),
            error_code: error.error_code().as_string().unwrap_or_default(),
            error_message: error.error_message().as_string().unwrap_or_default(),
            display_message: error.display_message().as_string(),
            request_id: error.request_id().as_string(),
        })
    }
}

impl ExitMetadata {
    /// Reads `onExit`'s metadata; anything but an object reads as empty.
    pub(crate) fn read(value: JsValue) -> Self {
        let Some(metadata) = view::<ExitMetadataView>(value.clone()) else { return Self::default() };
        Self {
            institution: Institution::read(metadata.institution()),
            status: metadata.status().as_string().map(ExitStatus::from),
            link_session_id: metadata.link_session_id().as_string().unwrap_or_default(),
            request_id: metadata.request_id().as_string(),
            raw: value,
        }
    }
}

impl EventMetadata {
    /// `onEvent`'s metadata, as Link passed it: read field by field when asked for.
    pub(crate) fn read(value: JsValue) -> Self {
        Self(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(error_type: &str, display_message: Option<&str>) -> LinkError {
        LinkError {
            error_type: ErrorType::from(error_type.to_owned()),
            error_code: "SOME_CODE".to_owned(),
            error_message: "developer text".to_owned(),
            display_message: display_message.map(str::to_owned),
            request_id: None,
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
