//! What Link sessions without a public token in `onSuccess` need (Multi-Item Link, Identity
//! Verification): who each link token the backend made is for (by the token's hash: the page's call
//! and the `SESSION_FINISHED` webhook both name the token), and a claim per public token, so that
//! the session-finished call and the webhook exchange each one once between them.

use sha2::{Digest, Sha256};

use super::{int, Claim, Store, StoreError};

/// How long a link token is kept: Plaid's lifetime of one (4 hours), and a margin.
pub const LINK_TOKEN_KEEP_SECS: u64 = 5 * 60 * 60;

fn hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

impl Store {
    /// Records that a link token was made for `owner`, and forgets those too old to be used.
    pub async fn remember_link_token(
        &self,
        owner: &str,
        link_token: &str,
        now: u64,
    ) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM plaid_link_link_tokens WHERE created_at <= $1")
            .bind(int(now.saturating_sub(LINK_TOKEN_KEEP_SECS)))
            .execute(&self.db)
            .await?;
        // Only the token's hash and its owner are kept: the page's call and Plaid's webhook both
        // name the token, so it is never read back (the sealed columns stay empty).
        sqlx::query(
            "INSERT INTO plaid_link_link_tokens (token_hash, owner, key_id, nonce, sealed, created_at) VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (token_hash) DO NOTHING",
        )
        .bind(hash(link_token))
        .bind(owner)
        .bind("")
        .bind(Vec::<u8>::new())
        .bind(Vec::<u8>::new())
        .bind(int(now))
        .execute(&self.db)
        .await?;
        Ok(())
    }

    /// Who a live link token was made for.
    pub async fn link_token_owner(&self, link_token: &str, now: u64) -> Result<Option<String>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT owner FROM plaid_link_link_tokens WHERE token_hash = $1 AND created_at > $2",
        )
        .bind(hash(link_token))
        .bind(int(now.saturating_sub(LINK_TOKEN_KEEP_SECS)))
        .fetch_optional(&self.db)
        .await?)
    }

    /// Claims a public token for exchange: the first to ask exchanges it; a claim whose holder
    /// stopped renewing it ([`renew_public_token`](Self::renew_public_token)) for `abandoned_secs`
    /// is taken over by one of those who ask after.
    pub async fn claim_public_token(
        &self,
        public_token: &str,
        owner: &str,
        now: u64,
        abandoned_secs: u64,
    ) -> Result<Claim, StoreError> {
        let claimed = sqlx::query(
            "INSERT INTO plaid_link_public_tokens (token_hash, owner, created_at) VALUES ($1, $2, $3)
             ON CONFLICT (token_hash) DO NOTHING",
        )
        .bind(hash(public_token))
        .bind(owner)
        .bind(int(now))
        .execute(&self.db)
        .await?;
        if claimed.rows_affected() == 1 {
            return Ok(Claim::Fresh);
        }
        let held: Option<(Option<String>, i64)> =
            sqlx::query_as("SELECT item_id, created_at FROM plaid_link_public_tokens WHERE token_hash = $1")
                .bind(hash(public_token))
                .fetch_optional(&self.db)
                .await?;
        let Some((None, renewed)) = held else { return Ok(Claim::InProgress) };
        if renewed.saturating_add(int(abandoned_secs)) > int(now) {
            return Ok(Claim::InProgress);
        }
        let taken = sqlx::query(
            "UPDATE plaid_link_public_tokens SET created_at = $1
             WHERE token_hash = $2 AND item_id IS NULL AND created_at = $3",
        )
        .bind(int(now))
        .bind(hash(public_token))
        .bind(renewed)
        .execute(&self.db)
        .await?;
        Ok(if taken.rows_affected() == 1 {
            Claim::TakenOver(u64::try_from(renewed).unwrap_or(0))
        } else {
            Claim::InProgress
        })
    }

    /// Renews the lease on a claimed public token still being exchanged.
    pub async fn renew_public_token(&self, public_token: &str, now: u64) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE plaid_link_public_tokens SET created_at = $1 WHERE token_hash = $2 AND item_id IS NULL",
        )
        .bind(int(now))
        .bind(hash(public_token))
        .execute(&self.db)
        .await?;
        Ok(())
    }

    /// The item a claimed public token became, once it is stored.
    pub async fn public_token_item(&self, public_token: &str) -> Result<Option<String>, StoreError> {
        let item: Option<Option<String>> =
            sqlx::query_scalar("SELECT item_id FROM plaid_link_public_tokens WHERE token_hash = $1")
                .bind(hash(public_token))
                .fetch_optional(&self.db)
                .await?;
        Ok(item.flatten())
    }

    /// Records what a claimed public token became.
    pub async fn set_public_token_item(&self, public_token: &str, item_id: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE plaid_link_public_tokens SET item_id = $1 WHERE token_hash = $2")
            .bind(item_id)
            .bind(hash(public_token))
            .execute(&self.db)
            .await?;
        Ok(())
    }

    /// Lets a claim go (the exchange failed before Plaid spent the token), so the next try works.
    pub async fn release_public_token(&self, public_token: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM plaid_link_public_tokens WHERE token_hash = $1 AND item_id IS NULL")
            .bind(hash(public_token))
            .execute(&self.db)
            .await?;
        Ok(())
    }
}
