//! Plaid's API, as the stand-in serves it, by resource: link tokens, items (exchange, accounts,
//! webhook, removal), institutions, users, the sandbox's own endpoints, webhook verification keys.

pub(crate) mod institutions;
pub(crate) mod items;
pub(crate) mod keys;
pub(crate) mod link_token;
pub(crate) mod sandbox;
pub(crate) mod users;

use axum::response::Response;

use crate::errors::{invalid_access_token, item_not_found};
use crate::state::{Books, ItemRecord};
use crate::types::Item;

/// The item an access token opens, or Plaid's error for it.
pub(crate) fn item_of<'b>(
    books: &'b Books,
    access_token: &str,
) -> Result<(&'b String, &'b ItemRecord), Response> {
    match books.access_tokens.get(access_token).and_then(|id| books.items.get(id).map(|item| (id, item))) {
        Some(found) => Ok(found),
        None if books.removed.contains(access_token) => Err(item_not_found()),
        None => Err(invalid_access_token()),
    }
}

/// An item as Plaid shows it.
pub(crate) fn item_view(item_id: &str, item: &ItemRecord) -> Item {
    Item {
        item_id: item_id.to_owned(),
        institution_id: Some(item.institution_id.clone()),
        webhook: item.webhook.clone(),
        error: item.error.clone(),
        available_products: Vec::new(),
        billed_products: item.products.clone(),
        products: item.products.clone(),
        consent_expiration_time: None,
        update_type: "background".into(),
    }
}

/// An RFC 3339 time, as Plaid writes them.
pub(crate) fn rfc3339(unix: u64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix as i64)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_default()
}
