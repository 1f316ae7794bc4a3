//! Idempotency keys of exchange requests (`idempotency.rs` decides what they mean), and the banks
//! being added (one at a time per user and institution, so that duplicates are seen). Every step that
//! decides between two instances is one conditional write: the insert that claims a key, and the
//! take-over of an abandoned claim, which succeeds only if the claim is still the one that was read.
//! A claim is a lease: its holder renews it (`created_at`) while it works ([`crate::lease`]), so a
//! claim not renewed for [`ClaimRules::abandoned_secs`] was left by a process that died.

use super::{int, Store, StoreError};

/// What became of an idempotency key.
#[derive(Debug, PartialEq, Eq)]
pub enum Claim {
    /// Newly claimed: the caller does the work.
    Fresh,
    /// Taken over from a claim its holder abandoned (it last renewed it at this time): the caller
    /// does the work, which the dead holder may have done in part.
    TakenOver(u64),
    /// Claimed by an earlier request, still being worked on.
    InProgress,
    /// Answered: the status and the JSON body.
    Answered(u16, String),
    /// Claimed with another body.
    OtherBody,
    /// The owner holds too many keys.
    Full,
}

/// How long claims live, and how many one owner may hold.
#[derive(Clone, Copy, Debug)]
pub struct ClaimRules {
    pub keep_secs: u64,
    pub abandoned_secs: u64,
    pub max_per_owner: u32,
}

type Existing = (Vec<u8>, Option<i64>, Option<String>, i64);

impl Store {
    /// Claims an idempotency key: forgets expired keys, then records this one as in progress, or
    /// says what became of it.
    pub async fn claim_idempotency(
        &self,
        owner: &str,
        key: &str,
        body_hash: &[u8],
        now: u64,
        rules: ClaimRules,
    ) -> Result<Claim, StoreError> {
        sqlx::query("DELETE FROM plaid_link_idempotency WHERE created_at <= $1")
            .bind(int(now.saturating_sub(rules.keep_secs)))
            .execute(&self.db)
            .await?;
        let held: i64 = sqlx::query_scalar("SELECT count(*) FROM plaid_link_idempotency WHERE owner = $1")
            .bind(owner)
            .fetch_one(&self.db)
            .await?;
        if held < i64::from(rules.max_per_owner) {
            let inserted = sqlx::query(
                "INSERT INTO plaid_link_idempotency (owner, key, body_hash, created_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (owner, key) DO NOTHING",
            )
            .bind(owner)
            .bind(key)
            .bind(body_hash.to_vec())
            .bind(int(now))
            .execute(&self.db)
            .await?;
            if inserted.rows_affected() == 1 {
                return Ok(Claim::Fresh);
            }
        }
        let existing: Option<Existing> = sqlx::query_as(
            "SELECT body_hash, status, answer, created_at FROM plaid_link_idempotency WHERE owner = $1 AND key = $2",
        )
        .bind(owner)
        .bind(key)
        .fetch_optional(&self.db)
        .await?;
        Ok(match existing {
            None => Claim::Full,
            Some((hash, _, _, _)) if hash != body_hash => Claim::OtherBody,
            Some((_, Some(status), answer, _)) => {
                Claim::Answered(u16::try_from(status).unwrap_or(500), answer.unwrap_or_default())
            }
            Some((_, None, _, created)) if created.saturating_add(int(rules.abandoned_secs)) > int(now) => {
                Claim::InProgress
            }
            Some((_, None, _, created)) => {
                // Abandoned (its process died): taken over by whoever moves its clock first.
                let taken = sqlx::query(
                    "UPDATE plaid_link_idempotency SET created_at = $1
                     WHERE owner = $2 AND key = $3 AND status IS NULL AND created_at = $4",
                )
                .bind(int(now))
                .bind(owner)
                .bind(key)
                .bind(created)
                .execute(&self.db)
                .await?;
                if taken.rows_affected() == 1 {
                    Claim::TakenOver(u64::try_from(created).unwrap_or(0))
                } else {
                    Claim::InProgress
                }
            }
        })
    }

    /// Renews the lease on a claimed key still being worked on.
    pub async fn renew_idempotency(&self, owner: &str, key: &str, now: u64) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE plaid_link_idempotency SET created_at = $1 WHERE owner = $2 AND key = $3 AND status IS NULL",
        )
        .bind(int(now))
        .bind(owner)
        .bind(key)
        .execute(&self.db)
        .await?;
        Ok(())
    }

    /// Keeps the answer to a claimed key.
    pub async fn answer_idempotency(
        &self,
        owner: &str,
        key: &str,
        status: u16,
        answer: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE plaid_link_idempotency SET status = $1, answer = $2 WHERE owner = $3 AND key = $4",
        )
        .bind(i64::from(status))
        .bind(answer)
        .bind(owner)
        .bind(key)
        .execute(&self.db)
        .await?;
        Ok(())
    }

    /// Lets a claimed key go, so that the next request with it is worked on again.
    pub async fn release_idempotency(&self, owner: &str, key: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM plaid_link_idempotency WHERE owner = $1 AND key = $2")
            .bind(owner)
            .bind(key)
            .execute(&self.db)
            .await?;
        Ok(())
    }

    /// Claims adding a bank at `institution_id` for `owner`: `true` for the one that may go on
    /// (first, or taking over a claim not renewed for `abandoned_secs`).
    pub async fn claim_adding(
        &self,
        owner: &str,
        institution_id: &str,
        now: u64,
        abandoned_secs: u64,
    ) -> Result<bool, StoreError> {
        let inserted = sqlx::query(
            "INSERT INTO plaid_link_adding (owner, institution_id, renewed_at) VALUES ($1, $2, $3)
             ON CONFLICT (owner, institution_id) DO NOTHING",
        )
        .bind(owner)
        .bind(institution_id)
        .bind(int(now))
        .execute(&self.db)
        .await?;
        if inserted.rows_affected() == 1 {
            return Ok(true);
        }
        let taken = sqlx::query(
            "UPDATE plaid_link_adding SET renewed_at = $1 WHERE owner = $2 AND institution_id = $3 AND renewed_at <= $4",
        )
        .bind(int(now))
        .bind(owner)
        .bind(institution_id)
        .bind(int(now.saturating_sub(abandoned_secs)))
        .execute(&self.db)
        .await?;
        Ok(taken.rows_affected() == 1)
    }

    /// Renews the claim on a bank being added.
    pub async fn renew_adding(&self, owner: &str, institution_id: &str, now: u64) -> Result<(), StoreError> {
        sqlx::query("UPDATE plaid_link_adding SET renewed_at = $1 WHERE owner = $2 AND institution_id = $3")
            .bind(int(now))
            .bind(owner)
            .bind(institution_id)
            .execute(&self.db)
            .await?;
        Ok(())
    }

    /// Lets the claim on a bank go: the next one may add it (or be told it is a duplicate).
    pub async fn release_adding(&self, owner: &str, institution_id: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM plaid_link_adding WHERE owner = $1 AND institution_id = $2")
            .bind(owner)
            .bind(institution_id)
            .execute(&self.db)
            .await?;
        Ok(())
    }

    /// How many idempotency records are kept, for tests and monitoring.
    pub async fn idempotency_records(&self) -> Result<u64, StoreError> {
        let n: i64 =
            sqlx::query_scalar("SELECT count(*) FROM plaid_link_idempotency").fetch_one(&self.db).await?;
        Ok(u64::try_from(n).unwrap_or(0))
    }
}
