//! Connected items: their sealed access tokens, institution, accounts and status.

use sqlx::any::AnyRow;
use sqlx::Row;

use super::{int, Store, StoreError};

/// The columns `SealedRow::read` reads, in its order (sqlx takes only literal SQL).
macro_rules! sealed_columns {
    () => {
        "item_id, client_user_id, environment, key_id, nonce, access_token"
    };
}
use crate::keys::{row_aad, TokenKeys};

/// One connected item, as listed for inspection (never the token itself).
#[derive(Debug, Clone, serde::Serialize, sqlx::FromRow)]
pub struct StoredItem {
    pub item_id: String,
    pub client_user_id: String,
    pub institution_name: Option<String>,
    pub environment: Option<String>,
    pub key_id: Option<String>,
    /// `ok`, or `login_required` after Plaid's ITEM_LOGIN_REQUIRED webhook.
    pub status: String,
    #[sqlx(try_from = "i64")]
    pub ciphertext_len: u64,
}

/// An item as its owner may see it: no token, no key.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OwnedItem {
    pub item_id: String,
    pub institution_id: Option<String>,
    pub institution_name: Option<String>,
    /// JSON: `[{"id", "name", "mask", "type", "subtype"}]`.
    pub accounts: String,
    /// `ok`, or `login_required`.
    pub status: String,
}

impl Store {
    pub async fn save(
        &self,
        item_id: &str,
        client_user_id: &str,
        institution: Option<(&str, &str)>,
        access_token: &str,
    ) -> Result<(), StoreError> {
        let key = self.keys.current();
        let aad = row_aad(key.id(), item_id, client_user_id, self.environment);
        let (nonce, sealed) = key.seal(access_token.as_bytes(), &aad).ok_or(StoreError::Crypto)?;
        sqlx::query(
            "INSERT INTO plaid_link_items (item_id, client_user_id, institution_id, institution_name, nonce, access_token, environment, key_id, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             ON CONFLICT (item_id) DO UPDATE SET client_user_id = excluded.client_user_id,
                institution_id = excluded.institution_id, institution_name = excluded.institution_name,
                nonce = excluded.nonce, access_token = excluded.access_token,
                environment = excluded.environment, key_id = excluded.key_id, status = NULL, accounts = NULL",
        )
        .bind(item_id)
        .bind(client_user_id)
        .bind(institution.map(|i| i.0))
        .bind(institution.map(|i| i.1))
        .bind(nonce.to_vec())
        .bind(sealed)
        .bind(self.environment)
        .bind(key.id())
        .bind(int(crate::unix_now()))
        .execute(&self.db)
        .await?;
        Ok(())
    }

    /// Decrypts an item's access token, for server-side calls to Plaid.
    pub async fn access_token(&self, item_id: &str) -> Result<Option<String>, StoreError> {
        let row =
            sqlx::query(concat!("SELECT ", sealed_columns!(), " FROM plaid_link_items WHERE item_id = $1"))
                .bind(item_id)
                .fetch_optional(&self.db)
                .await?;
        let Some(row) = row.as_ref().map(SealedRow::read).transpose()? else { return Ok(None) };
        if row.environment.as_deref() != Some(self.environment) {
            return Err(StoreError::OtherEnvironment {
                item_id: item_id.to_owned(),
                stored: row.environment.unwrap_or_else(|| "unrecorded".to_owned()),
                running: self.environment,
            });
        }
        let plain = row.open(&self.keys, self.environment)?;
        String::from_utf8(plain).map(Some).map_err(|_| StoreError::Crypto)
    }

    /// Re-encrypts every item of this environment under the current key; previous keys can then be
    /// dropped from the configuration. Returns how many rows were re-encrypted. Each row is
    /// rewritten only if it still holds what was read, so instances writing meanwhile lose nothing.
    pub async fn rotate_keys(&self) -> Result<usize, StoreError> {
        let current = self.keys.current();
        let rows = sqlx::query(concat!(
            "SELECT ",
            sealed_columns!(),
            " FROM plaid_link_items WHERE environment = $1"
        ))
        .bind(self.environment)
        .fetch_all(&self.db)
        .await?;
        let mut tx = self.db.begin().await?;
        let mut rotated = 0;
        for row in rows.iter().map(SealedRow::read) {
            let row = row?;
            if row.key_id.as_deref() == Some(current.id()) {
                continue;
            }
            let plain = row.open(&self.keys, self.environment)?;
            let aad = row_aad(current.id(), &row.item_id, &row.owner, self.environment);
            let (nonce, sealed) = current.seal(&plain, &aad).ok_or(StoreError::Crypto)?;
            let done = sqlx::query(
                "UPDATE plaid_link_items SET key_id = $1, nonce = $2, access_token = $3 WHERE item_id = $4 AND nonce = $5",
            )
            .bind(current.id())
            .bind(nonce.to_vec())
            .bind(sealed)
            .bind(&row.item_id)
            .bind(row.nonce.clone())
            .execute(&mut *tx)
            .await?;
            rotated += done.rows_affected() as usize;
        }
        tx.commit().await?;
        Ok(rotated)
    }

    /// Sets an item's status (from a verified webhook); whether this environment has the item.
    pub async fn set_item_status(&self, item_id: &str, status: &str) -> Result<bool, StoreError> {
        self.update_item(item_id, None, status).await
    }

    /// Records an item's accounts (JSON, names and masks only: nothing secret) and its status.
    pub async fn set_item_accounts(
        &self,
        item_id: &str,
        accounts: &str,
        status: &str,
    ) -> Result<bool, StoreError> {
        self.update_item(item_id, Some(accounts), status).await
    }

    /// Sets an item's status, and its accounts when given; whether this environment has the item.
    async fn update_item(
        &self,
        item_id: &str,
        accounts: Option<&str>,
        status: &str,
    ) -> Result<bool, StoreError> {
        let changed = sqlx::query(
            "UPDATE plaid_link_items SET accounts = COALESCE($1, accounts), status = $2 \
             WHERE item_id = $3 AND environment = $4",
        )
        .bind(accounts)
        .bind(status)
        .bind(item_id)
        .bind(self.environment)
        .execute(&self.db)
        .await?;
        Ok(changed.rows_affected() > 0)
    }

    /// One user's items of this environment, oldest first, without their tokens.
    pub async fn items_of(&self, owner: &str) -> Result<Vec<OwnedItem>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT item_id, institution_id, institution_name, coalesce(accounts, '[]') AS accounts,
                    coalesce(status, 'ok') AS status
             FROM plaid_link_items WHERE client_user_id = $1 AND environment = $2 ORDER BY created_at, item_id",
        )
        .bind(owner)
        .bind(self.environment)
        .fetch_all(&self.db)
        .await?)
    }

    /// The Plaid user id that owns an item of this environment.
    pub async fn item_owner(&self, item_id: &str) -> Result<Option<String>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT client_user_id FROM plaid_link_items WHERE item_id = $1 AND environment = $2",
        )
        .bind(item_id)
        .bind(self.environment)
        .fetch_optional(&self.db)
        .await?)
    }

    /// Forgets an item (after Plaid removed it).
    pub async fn delete_item(&self, item_id: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM plaid_link_items WHERE item_id = $1 AND environment = $2")
            .bind(item_id)
            .bind(self.environment)
            .execute(&self.db)
            .await?;
        Ok(())
    }

    /// Every item of every environment, for an operator's listing (`plaid-link-dev items`; never a token).
    pub async fn items(&self) -> Result<Vec<StoredItem>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT item_id, client_user_id, institution_name, environment, key_id,
                    coalesce(status, 'ok') AS status, CAST(length(access_token) AS BIGINT) AS ciphertext_len
             FROM plaid_link_items ORDER BY created_at, item_id",
        )
        .fetch_all(&self.db)
        .await?)
    }
}

/// An item's sealed access token, as stored.
struct SealedRow {
    item_id: String,
    owner: String,
    environment: Option<String>,
    key_id: Option<String>,
    nonce: Vec<u8>,
    sealed: Vec<u8>,
}

impl SealedRow {
    fn read(r: &AnyRow) -> Result<Self, sqlx::Error> {
        Ok(Self {
            item_id: r.try_get(0)?,
            owner: r.try_get(1)?,
            environment: r.try_get(2)?,
            key_id: r.try_get(3)?,
            nonce: r.try_get(4)?,
            sealed: r.try_get(5)?,
        })
    }

    /// The plaintext, with the row's own key and binding.
    fn open(&self, keys: &TokenKeys, environment: &str) -> Result<Vec<u8>, StoreError> {
        let key_id = self.key_id.as_deref().ok_or(StoreError::Crypto)?;
        let key = keys.by_id(key_id).ok_or_else(|| StoreError::UnknownKey(key_id.to_owned()))?;
        let aad = row_aad(key_id, &self.item_id, &self.owner, environment);
        key.open(&self.nonce, &self.sealed, &aad).ok_or(StoreError::Crypto)
    }
}
