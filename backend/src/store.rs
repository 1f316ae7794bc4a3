//! Where access tokens live: an embedded SQLite database, each token encrypted with AES-256-GCM
//! under a key from the environment, bound to its item id so that rows cannot be swapped. Each row
//! records the Plaid environment it came from, and only rows of the running one are used: one file
//! pointed at by a sandbox and a production backend in turn must not mix their tokens.

use std::path::Path;
use std::sync::Mutex;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use rand::RngCore;
use rusqlite::{params, Connection, OptionalExtension};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Database(#[from] rusqlite::Error),
    #[error("the access token could not be encrypted or decrypted")]
    Crypto,
    #[error("the database lock was poisoned")]
    Poisoned,
    #[error("item {item_id} belongs to the {stored} environment, not {running}")]
    OtherEnvironment { item_id: String, stored: String, running: &'static str },
}

/// What became of an idempotency key.
#[derive(Debug, PartialEq, Eq)]
pub enum Claim {
    /// Newly claimed (or taken over from an abandoned claim): the caller does the work.
    Fresh,
    /// Claimed by an earlier request, still being worked on.
    InProgress,
    /// Answered: the status and the JSON body.
    Answered(u16, String),
    /// Claimed with another body.
    OtherBody,
    /// The owner holds too many keys.
    Full,
}

/// One connected item, as listed for inspection (never the token itself).
#[derive(Debug, Clone, serde::Serialize)]
pub struct StoredItem {
    pub item_id: String,
    pub client_user_id: String,
    pub institution_name: Option<String>,
    pub environment: Option<String>,
    pub ciphertext_len: usize,
}

pub struct Store {
    db: Mutex<Connection>,
    cipher: Aes256Gcm,
    /// The Plaid environment this backend runs against (`PLAID_ENV`).
    environment: &'static str,
}

impl Store {
    pub fn open(path: &Path, key: &[u8; 32], environment: &'static str) -> Result<Self, StoreError> {
        let db = Connection::open(path)?;
        // Several backend processes may share the file: wait for a lock rather than fail at once.
        db.busy_timeout(std::time::Duration::from_secs(5))?;
        db.execute_batch(
            "CREATE TABLE IF NOT EXISTS items (
                item_id TEXT PRIMARY KEY,
                client_user_id TEXT NOT NULL,
                institution_id TEXT,
                institution_name TEXT,
                nonce BLOB NOT NULL,
                access_token BLOB NOT NULL,
                created_at INTEGER NOT NULL DEFAULT (unixepoch()),
                environment TEXT
            );
            -- Browser sessions, by the SHA-256 of their id (the id itself is never stored), with the
            -- separate random user id Plaid knows them by. Expired ones are deleted as new ones start.
            -- Idempotency keys of exchange requests (see idempotency.rs): status NULL while in progress.
            CREATE TABLE IF NOT EXISTS idempotency (
                owner TEXT NOT NULL,
                key TEXT NOT NULL,
                body_hash BLOB NOT NULL,
                status INTEGER,
                answer TEXT,
                created_at INTEGER NOT NULL,
                PRIMARY KEY (owner, key)
            );
            CREATE TABLE IF NOT EXISTS sessions (
                id_hash BLOB PRIMARY KEY,
                plaid_user_id TEXT NOT NULL,
                expires_at INTEGER NOT NULL
            );",
        )?;
        // Databases made before rows recorded their environment: their rows read as of none.
        let has_environment =
            db.prepare("SELECT 1 FROM pragma_table_info('items') WHERE name = 'environment'")?.exists([])?;
        if !has_environment {
            db.execute_batch("ALTER TABLE items ADD COLUMN environment TEXT")?;
        }
        let cipher = Aes256Gcm::new_from_slice(key).map_err(|_| StoreError::Crypto)?;
        Ok(Self { db: Mutex::new(db), cipher, environment })
    }

    pub fn save(
        &self,
        item_id: &str,
        client_user_id: &str,
        institution: Option<(&str, &str)>,
        access_token: &str,
    ) -> Result<(), StoreError> {
        let mut nonce = [0u8; 12];
        rand::thread_rng().fill_bytes(&mut nonce);
        let sealed = self
            .cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload { msg: access_token.as_bytes(), aad: item_id.as_bytes() },
            )
            .map_err(|_| StoreError::Crypto)?;
        let db = self.db.lock().map_err(|_| StoreError::Poisoned)?;
        db.execute(
            "INSERT OR REPLACE INTO items (item_id, client_user_id, institution_id, institution_name, nonce, access_token, environment)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                item_id,
                client_user_id,
                institution.map(|i| i.0),
                institution.map(|i| i.1),
                &nonce[..],
                sealed,
                self.environment
            ],
        )?;
        Ok(())
    }

    /// Claims an idempotency key (see `idempotency.rs`): forgets expired keys, then records this
    /// one as in progress, or says what became of it.
    #[allow(clippy::too_many_arguments)]
    pub fn claim_idempotency(
        &self,
        owner: &str,
        key: &str,
        body_hash: &[u8],
        now: u64,
        keep_secs: u64,
        abandoned_secs: u64,
        max_per_owner: u32,
    ) -> Result<Claim, StoreError> {
        let mut db = self.db.lock().map_err(|_| StoreError::Poisoned)?;
        let tx = db.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.execute("DELETE FROM idempotency WHERE created_at <= ?1", params![now.saturating_sub(keep_secs)])?;
        let existing = tx
            .query_row(
                "SELECT body_hash, status, answer, created_at FROM idempotency WHERE owner = ?1 AND key = ?2",
                params![owner, key],
                |row| {
                    Ok((
                        row.get::<_, Vec<u8>>(0)?,
                        row.get::<_, Option<u16>>(1)?,
                        row.get::<_, Option<String>>(2)?,
                        row.get::<_, u64>(3)?,
                    ))
                },
            )
            .optional()?;
        let claim = match existing {
            Some((hash, _, _, _)) if hash != body_hash => Claim::OtherBody,
            Some((_, Some(status), answer, _)) => Claim::Answered(status, answer.unwrap_or_default()),
            Some((_, None, _, created)) if created + abandoned_secs > now => Claim::InProgress,
            Some(_) => {
                tx.execute(
                    "UPDATE idempotency SET created_at = ?3 WHERE owner = ?1 AND key = ?2",
                    params![owner, key, now],
                )?;
                Claim::Fresh
            }
            None => {
                let held: u32 =
                    tx.query_row("SELECT count(*) FROM idempotency WHERE owner = ?1", params![owner], |r| {
                        r.get(0)
                    })?;
                if held >= max_per_owner {
                    Claim::Full
                } else {
                    tx.execute(
                        "INSERT INTO idempotency (owner, key, body_hash, created_at) VALUES (?1, ?2, ?3, ?4)",
                        params![owner, key, body_hash, now],
                    )?;
                    Claim::Fresh
                }
            }
        };
        tx.commit()?;
        Ok(claim)
    }

    /// Keeps the answer to a claimed key.
    pub fn answer_idempotency(
        &self,
        owner: &str,
        key: &str,
        status: u16,
        answer: &str,
    ) -> Result<(), StoreError> {
        let db = self.db.lock().map_err(|_| StoreError::Poisoned)?;
        db.execute(
            "UPDATE idempotency SET status = ?3, answer = ?4 WHERE owner = ?1 AND key = ?2",
            params![owner, key, status, answer],
        )?;
        Ok(())
    }

    /// Lets a claimed key go, so that the next request with it is worked on again.
    pub fn release_idempotency(&self, owner: &str, key: &str) -> Result<(), StoreError> {
        let db = self.db.lock().map_err(|_| StoreError::Poisoned)?;
        db.execute("DELETE FROM idempotency WHERE owner = ?1 AND key = ?2", params![owner, key])?;
        Ok(())
    }

    /// How many idempotency records are kept, for tests and monitoring.
    pub fn idempotency_records(&self) -> Result<u64, StoreError> {
        let db = self.db.lock().map_err(|_| StoreError::Poisoned)?;
        Ok(db.query_row("SELECT count(*) FROM idempotency", [], |r| r.get(0))?)
    }

    /// Records a new session, and forgets the expired ones.
    pub fn start_session(
        &self,
        id_hash: &[u8],
        plaid_user_id: &str,
        now: u64,
        lifetime: u64,
    ) -> Result<(), StoreError> {
        let db = self.db.lock().map_err(|_| StoreError::Poisoned)?;
        db.execute("DELETE FROM sessions WHERE expires_at <= ?1", params![now])?;
        db.execute(
            "INSERT INTO sessions (id_hash, plaid_user_id, expires_at) VALUES (?1, ?2, ?3)",
            params![id_hash, plaid_user_id, now + lifetime],
        )?;
        Ok(())
    }

    /// The Plaid user id of a live session.
    pub fn session(&self, id_hash: &[u8], now: u64) -> Result<Option<String>, StoreError> {
        let db = self.db.lock().map_err(|_| StoreError::Poisoned)?;
        let mut statement =
            db.prepare("SELECT plaid_user_id FROM sessions WHERE id_hash = ?1 AND expires_at > ?2")?;
        let mut rows = statement.query(params![id_hash, now])?;
        Ok(rows.next()?.map(|row| row.get(0)).transpose()?)
    }

    /// Decrypts an item's access token, for server-side calls to Plaid.
    pub fn access_token(&self, item_id: &str) -> Result<Option<String>, StoreError> {
        let db = self.db.lock().map_err(|_| StoreError::Poisoned)?;
        let mut statement =
            db.prepare("SELECT nonce, access_token, environment FROM items WHERE item_id = ?1")?;
        let mut rows = statement.query(params![item_id])?;
        let Some(row) = rows.next()? else { return Ok(None) };
        let nonce: Vec<u8> = row.get(0)?;
        let sealed: Vec<u8> = row.get(1)?;
        let stored: Option<String> = row.get(2)?;
        if stored.as_deref() != Some(self.environment) {
            return Err(StoreError::OtherEnvironment {
                item_id: item_id.to_owned(),
                stored: stored.unwrap_or_else(|| "unrecorded".to_owned()),
                running: self.environment,
            });
        }
        if nonce.len() != 12 {
            return Err(StoreError::Crypto);
        }
        let plain = self
            .cipher
            .decrypt(Nonce::from_slice(&nonce), Payload { msg: &sealed, aad: item_id.as_bytes() })
            .map_err(|_| StoreError::Crypto)?;
        String::from_utf8(plain).map(Some).map_err(|_| StoreError::Crypto)
    }

    pub fn items(&self) -> Result<Vec<StoredItem>, StoreError> {
        let db = self.db.lock().map_err(|_| StoreError::Poisoned)?;
        let mut statement =
            db.prepare("SELECT item_id, client_user_id, institution_name, environment, length(access_token) FROM items ORDER BY created_at")?;
        let items = statement
            .query_map([], |row| {
                Ok(StoredItem {
                    item_id: row.get(0)?,
                    client_user_id: row.get(1)?,
                    institution_name: row.get(2)?,
                    environment: row.get(3)?,
                    ciphertext_len: row.get::<_, i64>(4)? as usize,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(items)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> (Store, tempdir::Dir) {
        let dir = tempdir::Dir::new();
        let store = Store::open(&dir.path.join("t.db"), &[7; 32], "sandbox").unwrap();
        (store, dir)
    }

    #[test]
    fn access_token_is_stored_encrypted_and_reads_back() {
        let (store, dir) = store();
        store
            .save("item-1", "user-1", Some(("ins_109508", "First Platypus Bank")), "access-sandbox-secret")
            .unwrap();
        assert_eq!(store.access_token("item-1").unwrap().as_deref(), Some("access-sandbox-secret"));
        let raw = std::fs::read(dir.path.join("t.db")).unwrap();
        assert!(
            !raw.windows(14).any(|w| w == b"access-sandbox"),
            "plaintext token found in the database file"
        );
    }

    #[test]
    fn a_wrong_key_cannot_read_the_token() {
        let (store, dir) = store();
        store.save("item-1", "user-1", None, "access-sandbox-secret").unwrap();
        drop(store);
        let other = Store::open(&dir.path.join("t.db"), &[8; 32], "sandbox").unwrap();
        assert!(matches!(other.access_token("item-1"), Err(StoreError::Crypto)));
    }

    #[test]
    fn a_row_of_another_environment_is_refused() {
        let (store, dir) = store();
        store.save("item-1", "user-1", None, "access-sandbox-secret").unwrap();
        drop(store);
        let production = Store::open(&dir.path.join("t.db"), &[7; 32], "production").unwrap();
        assert!(matches!(
            production.access_token("item-1"),
            Err(StoreError::OtherEnvironment { stored, running: "production", .. }) if stored == "sandbox"
        ));
        assert_eq!(production.items().unwrap()[0].environment.as_deref(), Some("sandbox"));
    }

    /// A throw-away directory, removed on drop.
    mod tempdir {
        pub struct Dir {
            pub path: std::path::PathBuf,
        }
        impl Dir {
            pub fn new() -> Self {
                let path = std::env::temp_dir().join(format!("plaid-link-store-{}", rand::random::<u64>()));
                std::fs::create_dir_all(&path).unwrap();
                Self { path }
            }
        }
        impl Drop for Dir {
            fn drop(&mut self) {
                let _ = std::fs::remove_dir_all(&self.path);
            }
        }
    }
}
