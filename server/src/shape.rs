//! What text a client may choose, checked before Plaid, the database or a log line sees it: ids and
//! codes as Plaid writes them, and names as banks write them. PostgreSQL cannot store a NUL, a
//! terminal obeys control characters, and no bank has a megabyte-long name.

/// How many characters a bank's or an account's name may have.
pub const MAX_NAME: usize = 200;
/// How many accounts one bank may report in Link's metadata.
pub const MAX_ACCOUNTS: usize = 100;
/// How many fields one object of an account may have, and how deep its objects may nest.
pub const MAX_FIELDS: usize = 32;
const MAX_DEPTH: usize = 4;

/// An id or a code as Plaid writes them (or nothing): letters, digits, `-` and `_`, 64 at most.
pub fn code_like(raw: &str) -> bool {
    raw.len() <= 64 && raw.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// A name as a bank writes it: [`MAX_NAME`] characters at most, and no control character.
pub fn name_like(raw: &str) -> bool {
    raw.chars().count() <= MAX_NAME && !raw.chars().any(char::is_control)
}

/// Link's accounts as its metadata lists them: at most [`MAX_ACCOUNTS`] objects, whose every text
/// is name-like. Fields Plaid may add later pass: a token is never refused for a new field.
pub fn link_accounts(accounts: &[serde_json::Value]) -> bool {
    accounts.len() <= MAX_ACCOUNTS && accounts.iter().all(|account| account.is_object() && plain(account, 0))
}

fn plain(value: &serde_json::Value, depth: usize) -> bool {
    use serde_json::Value;
    match value {
        Value::String(text) => name_like(text),
        Value::Array(_) | Value::Object(_) if depth >= MAX_DEPTH => false,
        Value::Array(values) => values.len() <= MAX_FIELDS && values.iter().all(|v| plain(v, depth + 1)),
        Value::Object(fields) => {
            fields.len() <= MAX_FIELDS
                && fields.iter().all(|(name, v)| code_like(name) && plain(v, depth + 1))
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_names_of_banks_pass_and_nothing_else() {
        assert!(code_like("ins_109508") && code_like("eVBnVMp7zdTJLkRNr33Rs6zr7KNJqBFL9DrE6"));
        assert!(!code_like("a\0b") && !code_like(&"x".repeat(65)) && !code_like("a b"));
        assert!(name_like("Crédit Agricole – Île-de-France") && name_like(""));
        assert!(!name_like("Bank\0") && !name_like("a\u{1b}[2J") && !name_like("a\nb"));
        assert!(!name_like(&"é".repeat(MAX_NAME + 1)) && name_like(&"é".repeat(MAX_NAME)));
        let account =
            serde_json::json!({"id": "a1", "name": "Checking", "mask": "0000", "verification_status": null});
        assert!(link_accounts(std::slice::from_ref(&account)));
        let balances =
            serde_json::json!({"id": "a1", "balances": {"available": 100.5, "iso_currency_code": "USD"}});
        assert!(link_accounts(&[balances]));
        assert!(!link_accounts(&[serde_json::json!({"name": {"nested": "a\0"}})]));
        assert!(!link_accounts(&[serde_json::json!({"a": {"b": {"c": {"d": {"e": 1}}}}})]));
        assert!(!link_accounts(&[serde_json::json!("not an object")]));
        assert!(!link_accounts(&vec![account; MAX_ACCOUNTS + 1]));
    }
}
