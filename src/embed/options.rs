//! What a page may configure from JavaScript (`mount()`'s options) or data attributes, and how far
//! each may go: markup only within what the page's server declared ([`crate::endpoint`]).

use std::rc::Rc;

use send_wrapper::SendWrapper;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;

use crate::backend::UpdateTarget;
use crate::endpoint::Provenance;
use crate::handoff::PrefetchedToken;
use crate::options::PlaidLinkOptions;
use crate::ui::texts::Texts;

/// How one option is read: from `mount()`'s object (the page's code), and from its data attribute
/// (its markup), when it has one (`None` when the attribute is absent).
trait Read: Default {
    fn from_js(value: JsValue) -> Self;
    fn from_attr(value: Option<String>) -> Self;
}

impl Read for Option<String> {
    fn from_js(value: JsValue) -> Self {
        value.as_string()
    }
    fn from_attr(value: Option<String>) -> Self {
        value.filter(|v| !v.is_empty())
    }
}

/// On only when `true` (a flag an attribute sets with `="true"`).
impl Read for bool {
    fn from_js(value: JsValue) -> Self {
        value.as_bool() == Some(true)
    }
    fn from_attr(value: Option<String>) -> Self {
        value.as_deref() == Some("true")
    }
}

/// Milliseconds: a non-negative number.
impl Read for Option<u32> {
    fn from_js(value: JsValue) -> Self {
        value.as_f64().filter(|ms| *ms >= 0.0).map(|ms| ms as u32)
    }
    fn from_attr(value: Option<String>) -> Self {
        value.and_then(|v| v.parse().ok())
    }
}

/// The page's words: an object, or in an attribute its JSON (`undefined`, English, otherwise).
impl Read for JsValue {
    fn from_js(value: JsValue) -> Self {
        value
    }
    fn from_attr(value: Option<String>) -> Self {
        value.and_then(|json| js_sys::JSON::parse(&json).ok()).unwrap_or_default()
    }
}

/// Origins: the page's code only.
impl Read for Vec<String> {
    fn from_js(value: JsValue) -> Self {
        crate::plaid::bindings::list(value).iter().filter_map(|o| o.as_string()).collect()
    }
    fn from_attr(_: Option<String>) -> Self {
        Vec::new()
    }
}

/// A callback: the page's code only.
impl Read for Option<js_sys::Function> {
    fn from_js(value: JsValue) -> Self {
        value.dyn_into().ok()
    }
    fn from_attr(_: Option<String>) -> Self {
        None
    }
}

/// An element marked for the embedded search: the attribute's presence, whatever its value.
#[derive(Default)]
pub(super) struct Marked(pub bool);

impl Read for Marked {
    fn from_js(value: JsValue) -> Self {
        Self(bool::from_js(value))
    }
    fn from_attr(value: Option<String>) -> Self {
        Self(value.is_some())
    }
}

/// Every option, once: its field, its `mount()` key, its data attribute if markup may set it (the
/// page's code alone sets the others), and what it does. From this list come the options'
/// struct, both readers, and the table in [`super::mount`]'s documentation, which cannot drift.
macro_rules! options {
    ($($(#[doc = $doc:literal])+ $field:ident: $ty:ty = $key:literal $(, $attr:literal)?;)+) => {
        /// The options of one embedded component. All optional.
        ///
        /// Endpoints and the script must be on the page's origin (the script may also be Plaid's
        /// CDN); only `mount()`'s `allowedOrigins`, which is the page's own code, can widen that.
        #[derive(Default)]
        pub(super) struct EmbedOptions {
            $($(#[doc = $doc])+ pub $field: $ty,)+
            /// Who chose all this: the page's code (`mount()`), or its markup.
            provenance: Provenance,
        }

        impl EmbedOptions {
            /// Reads `mount()`'s options object: the page's own code. A key that is missing, or of
            /// another type, reads as absent.
            pub(super) fn from_js(options: &JsValue) -> Self {
                let get = |key: &str| crate::plaid::bindings::field(options, key);
                Self { $($field: Read::from_js(get($key)),)+ provenance: Provenance::Code }
            }

            /// What a page's markup may decide, and nothing more.
            ///
            /// Markup can be injected into a page without any script (a sanitiser keeps `data-*`),
            /// so an attribute may choose endpoints and a script only among what the page's server
            /// declared (the checks are in [`crate::endpoint`]), may never allow another origin,
            /// and its label is shown as text.
            pub(super) fn from_element(element: &HtmlElement) -> Self {
                Self { $($field: options!(@attr element $($attr)?),)+ provenance: Provenance::Markup }
            }
        }

        /// The options' table, for [`super::mount`]'s documentation.
        macro_rules! options_table {
            () => {
                concat!(
                    "| `mount()` key | data attribute | |\n|---|---|---|\n",
                    $("| `", $key, "` | ", $crate::embed::options::attribute!($($attr)?), " | ", $($doc,)+ " |\n",)+
                )
            };
        }
        pub(super) use options_table;
    };
    (@attr $element:ident) => { Default::default() };
    (@attr $element:ident $attr:literal) => { Read::from_attr($element.get_attribute($attr)) };
}

/// An option's attribute, as the table shows it.
macro_rules! attribute {
    () => {
        "(code only)"
    };
    ($attr:literal) => {
        concat!("`", $attr, "`")
    };
}
pub(crate) use attribute;

options! {
    /// Where the link token is asked for (default `/api/link_token`).
    link_token_url: Option<String> = "linkTokenUrl", "data-link-token-url";
    /// Where the public token is sent (default `/api/exchange_public_token`).
    exchange_url: Option<String> = "exchangeUrl", "data-exchange-url";
    /// Link's script (default Plaid's CDN).
    script_src: Option<String> = "scriptSrc", "data-script-src";
    /// Where update mode's end is told (default `/api/item_updated`).
    update_url: Option<String> = "updateUrl", "data-update-url";
    /// Where a success without a public token is told (default `/api/link_session_finished`).
    session_finished_url: Option<String> = "sessionFinishedUrl", "data-session-finished-url";
    /// Where `onExit` errors are reported (off without it).
    exit_report_url: Option<String> = "exitReportUrl", "data-exit-report-url";
    /// `true`: Multi-Item Link.
    multi_item: bool = "multiItem", "data-multi-item";
    /// Update mode for this item (the backend checks that the user owns it, so markup can name
    /// only the user's own items).
    item_id: Option<String> = "itemId", "data-item-id";
    /// `true`: in update mode, the user may add accounts.
    account_selection: bool = "accountSelection", "data-account-selection";
    /// The button's text while Link can be opened.
    label: Option<String> = "label", "data-label";
    /// The page's words by English template (an object; JSON in the attribute), shown as text.
    texts: JsValue = "texts", "data-texts";
    /// How long a backend request may take (default 15000).
    request_timeout_ms: Option<u32> = "requestTimeoutMs", "data-request-timeout-ms";
    /// How long Link's script may take to load (default 20000).
    script_timeout_ms: Option<u32> = "scriptTimeoutMs", "data-script-timeout-ms";
    /// Other origins the endpoints may be on.
    allowed_origins: Vec<String> = "allowedOrigins";
    /// Called with each of Link's event names and its metadata object.
    on_event: Option<js_sys::Function> = "onEvent";
    /// `true` (an attribute present): Link's institution search inside the element.
    embedded: Marked = "embedded", "data-plaid-link-embedded";
}

impl EmbedOptions {
    /// The component's options.
    pub(super) fn into_options(self, prefetched: Option<PrefetchedToken>) -> PlaidLinkOptions {
        let defaults = PlaidLinkOptions::default();
        let update =
            self.item_id.map(|item_id| UpdateTarget { item_id, account_selection: self.account_selection });
        // Link's own metadata object, as Plaid documents it.
        let on_link_event = self.on_event.map(|on_event| {
            Rc::new(move |name: &str, metadata: &JsValue| {
                let _ = on_event.call2(&JsValue::NULL, &name.into(), metadata);
            }) as Rc<dyn Fn(&str, &JsValue)>
        });
        // Not an object (none given): every lookup misses, and the English stays. One thread in a
        // browser: the wrapper only satisfies `Texts`' `Send + Sync`.
        let words = SendWrapper::new(self.texts);
        let texts = Texts::new(move |english| {
            js_sys::Reflect::get(&words, &english.into()).ok().and_then(|own| own.as_string())
        });
        PlaidLinkOptions {
            link_token_url: self.link_token_url.unwrap_or(defaults.link_token_url),
            exchange_url: self.exchange_url.unwrap_or(defaults.exchange_url),
            update_url: self.update_url.unwrap_or(defaults.update_url),
            session_finished_url: self.session_finished_url.unwrap_or(defaults.session_finished_url),
            exit_reports: self
                .exit_report_url
                .map(|url| (url, crate::backend::BackendClient::send_report as _)),
            multi_item: self.multi_item,
            script_src: self.script_src,
            update,
            account_selection: self.account_selection,
            request_timeout_ms: self.request_timeout_ms.unwrap_or(defaults.request_timeout_ms),
            script_timeout_ms: self.script_timeout_ms.unwrap_or(defaults.script_timeout_ms),
            allowed_origins: self.allowed_origins.into_iter().map(|origin| (origin, false)).collect(),
            on_link_event,
            texts,
            prefetched,
            provenance: self.provenance,
            ..defaults
        }
    }
}

#[cfg(test)]
mod tests {
    /// The README's options table cannot drift from the list above: each embed option's `mount()`
    /// key and attribute (or "(code only)") sit in the embedded column of one of its rows.
    #[test]
    fn the_readme_names_every_embed_option_as_this_list_does() {
        let readme = include_str!("../../README.md");
        let embedded_column =
            |row: &str| row.trim_end().trim_end_matches('|').rsplit('|').next().map(str::to_owned);
        let readme_rows: Vec<String> =
            readme.lines().filter(|line| line.starts_with("| ")).filter_map(embedded_column).collect();
        let table = super::options_table!();
        let options: Vec<Vec<&str>> =
            table.lines().skip(2).map(|row| row.split('|').map(str::trim).collect()).collect();
        assert_eq!(options.len(), 16, "the list's own table has a row per option");
        for cells in options {
            let (key, attribute) = (cells[1], cells[2]);
            let row = readme_rows.iter().find(|row| row.contains(key) && row.contains(attribute));
            assert!(row.is_some(), "README's options table has no row with {key} and {attribute}");
        }
    }
}
