//! `Idempotency-Key` for the exchange: one public token is exchanged once, however often the
//! browser asks (it retries on a timeout or a 502/503/504 with the same key and the same body).
//!
//! Records live in the database (`store.rs`), so they are bounded, expire, survive a restart and
//! are shared by every backend process on the same database. Each holds a hash of the body: the
//! same key with another body is refused (422). Only a request that validated is recorded, and a
//! 5xx answer is never kept, so that the next attempt is worked on again.

use axum::http::StatusCode;
use sha2::{Digest, Sha256};

use crate::lease;
use crate::store::{Claim, ClaimRules, Store, StoreError};

/// How long an answer is kept: far longer than the browser's retries (about a minute).
pub const KEEP_SECS: u64 = 60 * 60;
/// The most keys one session may hold at once: each exchange needs one.
pub const MAX_PER_OWNER: u32 = 20;
const RULES: ClaimRules =
    ClaimRules { keep_secs: KEEP_SECS, abandoned_secs: lease::ABANDONED_SECS, max_per_owner: MAX_PER_OWNER };

/// What to do with a request that carries a key.
#[derive(Debug, PartialEq, Eq)]
pub enum Decision {
    /// The first with this key, or the first after its holder died (when it last renewed its
    /// claim): do the work, renewing the claim ([`renew`]), then [`finish`].
    Work(Option<u64>),
    /// Already answered: send this again.
    Answer(StatusCode, serde_json::Value),
    /// The key came back with another body.
    Mismatch,
    /// The session holds too many keys.
    TooMany,
    /// The first request is still being worked on, past the wait.
    StillWorking,
}

/// Claims `key` for `owner` and this body, or finds what became of an earlier claim.
pub async fn claim(store: &Store, owner: &str, key: &str, body: &[u8]) -> Result<Decision, StoreError> {
    let hash = Sha256::digest(body);
    let decided = lease::waiting(|| async {
        let claimed = store.claim_idempotency(owner, key, &hash, crate::unix_now(), RULES).await?;
        Ok::<_, StoreError>(match claimed {
            Claim::Fresh => Some(Decision::Work(None)),
            Claim::TakenOver(since) => Some(Decision::Work(Some(since))),
            Claim::Answered(status, answer) => Some(Decision::Answer(
                StatusCode::from_u16(status).unwrap_or(StatusCode::OK),
                serde_json::from_str(&answer).unwrap_or(serde_json::Value::Null),
            )),
            Claim::OtherBody => Some(Decision::Mismatch),
            Claim::Full => Some(Decision::TooMany),
            Claim::InProgress => None,
        })
    })
    .await?;
    Ok(decided.unwrap_or(Decision::StillWorking))
}

/// Renews the claim on `key` while its work goes on.
pub async fn renew(store: &Store, owner: &str, key: &str) {
    let _ = store.renew_idempotency(owner, key, crate::unix_now()).await;
}

/// Keeps the answer under the key; a 5xx releases the key instead, so the next attempt works again.
pub async fn finish(
    store: &Store,
    owner: &str,
    key: &str,
    status: StatusCode,
    answer: &serde_json::Value,
) -> Result<(), StoreError> {
    if status.is_server_error() {
        store.release_idempotency(owner, key).await
    } else {
        store.answer_idempotency(owner, key, status.as_u16(), &answer.to_string()).await
    }
}
