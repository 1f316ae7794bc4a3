//! The JSON the backend calls carry, as Rust types: the bodies we write (serde-wasm-bindgen makes
//! the JS object, the browser's `JSON.stringify` the text) and typed views of the answers we read
//! (`JSON.parse`, then a getter per field: a generic deserializer would cost every user about
//! 16 KB gzip).

use js_sys::{JsString, JSON};
use serde::ser::SerializeMap;
use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::error::BackendError;
use super::UpdateTarget;
use crate::plaid::types::{Account, Institution, SuccessMetadata};

/// `POST link_token_url`: `{}`, the app's own fields, in update mode `item_id` and
/// `account_selection`, for Multi-Item Link `multi_item`, and for Hosted Link `hosted_link`.
pub(crate) struct LinkTokenRequest<'a> {
    pub fields: &'a [(String, String)],
    pub update: Option<&'a UpdateTarget>,
    pub multi_item: bool,
    pub hosted_link: Option<HostedLinkRequest<'a>>,
}

/// `{"completion_redirect_uri"}`: where Plaid's page sends the user at the end (none for a new
/// window, whose page then says it may be closed).
#[derive(Serialize)]
pub(crate) struct HostedLinkRequest<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completion_redirect_uri: Option<&'a str>,
}

// By hand: the app's field names are only known at run time.
impl Serialize for LinkTokenRequest<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        for (name, value) in self.fields {
            map.serialize_entry(name, value)?;
        }
        if let Some(update) = self.update {
            map.serialize_entry("item_id", &update.item_id)?;
            map.serialize_entry("account_selection", &update.account_selection)?;
        }
        if self.multi_item {
            map.serialize_entry("multi_item", &true)?;
        }
        if let Some(hosted) = &self.hosted_link {
            map.serialize_entry("hosted_link", hosted)?;
        }
        map.end()
    }
}

/// `POST exchange_url` (with the public token) and `POST update_url` (with the item's id): what
/// the user chose in Link, `{institution: {institution_id, name} | null, accounts: [{id, name,
/// mask, type, subtype}], link_session_id}`.
#[derive(Serialize)]
pub(crate) struct ConnectionRequest<'a> {
    /// The exchange's public token, passed through as the very JS string Link gave: it is never
    /// copied into WebAssembly memory. `undefined` (left out) in update mode.
    #[serde(with = "serde_wasm_bindgen::preserve", skip_serializing_if = "JsValue::is_undefined")]
    pub public_token: JsValue,
    /// Update mode: the item Link repaired.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item_id: Option<&'a str>,
    pub institution: &'a Option<Institution>,
    pub accounts: &'a [Account],
    pub link_session_id: &'a str,
    /// A session that ended without a public token: how Link said it ended (`null` when it did
    /// not). Left out of the exchange and the update.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<&'a Option<String>>,
    /// A session that ended without a public token: the link token Link was opened with, so that
    /// the backend reads that one session from Plaid. Left out of the exchange and the update.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link_token: Option<&'a str>,
}

impl<'a> ConnectionRequest<'a> {
    /// What Link's metadata says the user chose.
    pub fn new(metadata: &'a SuccessMetadata) -> Self {
        Self {
            public_token: JsValue::UNDEFINED,
            item_id: None,
            institution: &metadata.institution,
            accounts: &metadata.accounts,
            link_session_id: &metadata.link_session_id,
            status: None,
            link_token: None,
        }
    }
}

/// `POST exit_report_url`: an `onExit` error's codes and ids, and nothing else.
#[derive(Serialize)]
pub(crate) struct ExitReport<'a> {
    pub error_type: &'a str,
    pub error_code: &'a str,
    pub request_id: Option<&'a str>,
    pub link_session_id: &'a str,
    pub institution_id: Option<&'a str>,
    pub status: Option<&'a str>,
}

/// A body as JSON text, made by the browser from the object serde-wasm-bindgen writes (`None`
/// as `null`, as JSON has it).
pub(crate) fn json(body: &impl Serialize) -> Result<JsString, BackendError> {
    let object = body
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| BackendError::request(e.into()))?;
    JSON::stringify(&object).map_err(BackendError::request)
}

#[wasm_bindgen]
extern "C" {
    /// `{"link_token": "link-…", "expiration": "…"}`, and Hosted Link's page
    /// (`hosted_link_url`) when asked for.
    pub(crate) type LinkTokenAnswer;
    /// The exchange's answer: `{"item_id": "…"}`, optionally; a finished session's:
    /// `{"items": [{"item_id", "institution": {"name"}, "accounts"}], "duplicates", "verified"}`,
    /// and for Hosted Link `finished` (`false` while the user is still in Link).
    pub(crate) type ExchangeAnswer;
    /// A failure's body: `{"error": "message"}`, or Plaid's error object under `error`; a
    /// duplicate's names the item already there: `{"duplicate": {"item_id", "institution"}}`.
    pub(crate) type FailureAnswer;
}

getters!(LinkTokenAnswer { link_token, expiration, hosted_link_url });
getters!(ExchangeAnswer { item_id, items, verified, finished, accounts, duplicates, institution, name });
getters!(FailureAnswer { error, duplicate });

/// Parses an answer with the browser's own parser, as a view of type `T` when it is an object.
pub(crate) fn parse<T: JsCast>(text: &str) -> Option<T> {
    view(JSON::parse(text).ok()?)
}

use crate::plaid::bindings::getters;
pub(crate) use crate::plaid::bindings::{list, view};
