//! One row per key ever used, holding a known text sealed under it: a backend started with the
//! wrong key refuses to start instead of writing rows nobody can read with the others.

use sqlx::AnyPool;

use super::StoreError;
use crate::keys::TokenKeys;

const CHECK: &[u8] = b"plaid-link key check";

/// Records a key check for the current key, and refuses keys that do not match the database:
/// every key id found on a row must be configured, and each configured key must open its check.
/// Instances starting together may both write the check: the first one written is the one read.
pub async fn check(db: &AnyPool, keys: &TokenKeys) -> Result<(), StoreError> {
    let current = keys.current();
    let (nonce, sealed) = current.seal(CHECK, current.id().as_bytes()).ok_or(StoreError::Crypto)?;
    sqlx::query(
        "INSERT INTO plaid_link_key_check (key_id, nonce, sealed) VALUES ($1, $2, $3) ON CONFLICT (key_id) DO NOTHING",
    )
    .bind(current.id())
    .bind(nonce.to_vec())
    .bind(sealed)
    .execute(db)
    .await?;
    let (nonce, sealed): (Vec<u8>, Vec<u8>) =
        sqlx::query_as("SELECT nonce, sealed FROM plaid_link_key_check WHERE key_id = $1")
            .bind(current.id())
            .fetch_one(db)
            .await?;
    if current.open(&nonce, &sealed, current.id().as_bytes()).as_deref() != Some(CHECK) {
        return Err(StoreError::UnknownKey(current.id().to_owned()));
    }
    let used: Vec<Option<String>> =
        sqlx::query_scalar("SELECT DISTINCT key_id FROM plaid_link_items").fetch_all(db).await?;
    match used.into_iter().find(|id| id.as_deref().is_none_or(|id| keys.by_id(id).is_none())) {
        Some(id) => Err(StoreError::UnknownKey(id.unwrap_or_else(|| "(unrecorded)".to_owned()))),
        None => Ok(()),
    }
}
