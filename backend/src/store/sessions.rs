//! Browser sessions, by the SHA-256 of their id (`session.rs` says why), shared by every instance.

use super::{int, Store, StoreError};

impl Store {
    /// Records a new session, and forgets the expired ones.
    pub async fn start_session(
        &self,
        id_hash: &[u8],
        plaid_user_id: &str,
        now: u64,
        lifetime: u64,
    ) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE expires_at <= $1").bind(int(now)).execute(&self.db).await?;
        sqlx::query("INSERT INTO sessions (id_hash, plaid_user_id, expires_at) VALUES ($1, $2, $3)")
            .bind(id_hash.to_vec())
            .bind(plaid_user_id)
            .bind(int(now + lifetime))
            .execute(&self.db)
            .await?;
        Ok(())
    }

    /// The Plaid user id of a live session.
    pub async fn session(&self, id_hash: &[u8], now: u64) -> Result<Option<String>, StoreError> {
        Ok(sqlx::query_scalar("SELECT plaid_user_id FROM sessions WHERE id_hash = $1 AND expires_at > $2")
            .bind(id_hash.to_vec())
            .bind(int(now))
            .fetch_optional(&self.db)
            .await?)
    }
}
