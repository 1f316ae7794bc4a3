//! Preventing duplicate Items, as Plaid's guide asks: before a public token is exchanged, the
//! institution and the accounts Link reported (name, mask, type, subtype) are compared with the
//! user's Items. A match is not exchanged: its public token expires unused, and Plaid bills no
//! second Item for the same accounts.

use serde::Deserialize;

use crate::store::OwnedItem;

/// An account as Link's metadata and the stored list both describe it (the id differs per Item).
#[derive(Debug, Deserialize, PartialEq, Eq)]
pub struct AccountKey {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    mask: Option<String>,
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    subtype: Option<String>,
}

/// The accounts of a JSON list (Link's metadata, or an item's stored list); entries that are not
/// accounts are left out.
pub fn accounts(list: &serde_json::Value) -> Vec<AccountKey> {
    let entries = list.as_array().map(Vec::as_slice).unwrap_or_default();
    entries.iter().filter_map(|a| AccountKey::deserialize(a).ok()).collect()
}

/// The user's Item that already holds these accounts at this institution, if any: the same
/// institution, and at least one account alike in name, mask, type and subtype.
pub fn existing<'i>(
    items: &'i [OwnedItem],
    institution_id: &str,
    candidate: &[AccountKey],
) -> Option<&'i OwnedItem> {
    items.iter().find(|item| {
        item.institution_id.as_deref() == Some(institution_id) && {
            let theirs = serde_json::from_str(&item.accounts).map(|list| accounts(&list)).unwrap_or_default();
            candidate.iter().any(|account| account.mask.is_some() && theirs.contains(account))
        }
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn item(institution_id: &str, accounts: serde_json::Value) -> OwnedItem {
        OwnedItem {
            item_id: format!("item-{institution_id}"),
            institution_id: Some(institution_id.into()),
            institution_name: Some("First Platypus Bank".into()),
            accounts: accounts.to_string(),
            status: "ok".into(),
        }
    }

    #[test]
    fn the_same_accounts_at_the_same_institution_are_a_duplicate_and_nothing_else_is() {
        let checking = json!({"id": "a1", "name": "Plaid Checking", "mask": "0000", "type": "depository", "subtype": "checking"});
        let items = [item("ins_109508", json!([checking]))];
        let again = json!([{"id": "other-id", "name": "Plaid Checking", "mask": "0000", "type": "depository", "subtype": "checking"}]);
        assert_eq!(
            existing(&items, "ins_109508", &accounts(&again)).map(|i| i.item_id.as_str()),
            Some("item-ins_109508")
        );
        assert!(existing(&items, "ins_109511", &accounts(&again)).is_none(), "another bank");
        let other = json!([{"id": "a2", "name": "Plaid Saving", "mask": "1111", "type": "depository", "subtype": "savings"}]);
        assert!(
            existing(&items, "ins_109508", &accounts(&other)).is_none(),
            "other accounts at the same bank"
        );
        assert!(existing(&items, "ins_109508", &accounts(&json!([]))).is_none(), "no accounts reported");
        assert!(existing(&items, "ins_109508", &accounts(&json!("many"))).is_none(), "not a list");
    }
}
