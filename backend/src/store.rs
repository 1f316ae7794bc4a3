//! What the backend keeps, in one embedded SQLite database, and for how long:
//!
//! - items, for as long as they are connected: each access token encrypted with AES-256-GCM under
//!   a key from the environment (`keys.rs`), with the key's id, bound to the item, its owner and the
//!   Plaid environment. Only rows of the running environment are used: one file pointed at by a
//!   sandbox and a production backend in turn must not mix their tokens;
//! - a key check per key, so that a backend started with the wrong key refuses to start instead of
//!   writing rows nobody can read with the others;
//! - idempotency keys of exchange requests, for an hour (`idempotency.rs`);
//! - sessions, by the hash of their id, for 30 days (`session.rs`).

use std::path::Path;
use std::sync::Mutex;

use rusqlite::{params, Connection, OptionalExtension};

use crate::keys::{row_aad, TokenKeys};

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
    #[error("the database holds items encrypted under key {0}, which is neither TOKEN_ENCRYPTION_KEY nor one of TOKEN_ENCRYPTION_PREVIOUS_KEYS: refusing to start with the wrong key")]
    UnknownKey(String),
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
    pub key_id: Option<String>,
    /// `ok`, or `login_required` after Plaid's ITEM_LOGIN_REQUIRED webhook.
    pub status: String,
    pub ciphertext_len: usize,
}

/// An item as its owner may see it: no token, no key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnedItem {
    pub item_id: String,
    pub institution_id: Option<String>,
    pub institution_name: Option<String>,
    /// JSON: `[{"id", "name", "mask", "type", "subtype"}]`.
    pub accounts: String,
    /// `ok`, or `login_required`.
    pub status: String,
}

pub struct Store {
    db: Mutex<Connection>,
    keys: TokenKeys,
    /// The Plaid environment this backend runs against (`PLAID_ENV`).
    environment: &'static str,
}

impl Store {
    pub fn open(path: &Path, keys: TokenKeys, environment: &'static str) -> Result<Self, StoreError> {
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
            -- One row per key ever used: a known text sealed under it, to tell a wrong key at start-up.
            CREATE TABLE IF NOT EXISTS key_check (
                key_id TEXT PRIMARY KEY,
                nonce BLOB NOT NULL,
                sealed BLOB NOT NULL
            );
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
            -- Browser sessions, by the SHA-256 of their id (the id itself is never stored), with the
            -- separate random user id Plaid knows them by. Expired ones are deleted as new ones start.
            CREATE TABLE IF NOT EXISTS sessions (
                id_hash BLOB PRIMARY KEY,
                plaid_user_id TEXT NOT NULL,
                expires_at INTEGER NOT NULL
            );",
        )?;
        // Databases made before rows recorded these: their rows read as of none, and are refused.
        for column in ["environment", "key_id", "status", "accounts"] {
            let has = db
                .prepare("SELECT 1 FROM pragma_table_info('items') WHERE name = ?1")?
                .exists(params![column])?;
            if !has {
                db.execute_batch(&format!("ALTER TABLE items ADD COLUMN {column} TEXT"))?;
            }
        }
        check_keys(&db, &keys)?;
        Ok(Self { db: Mutex::new(db), keys, environment })
    }

    /// Re-encrypts every item of this environment under the current key; previous keys can then be
    /// dropped from the configuration. Returns how many rows were re-encrypted.
    pub fn rotate_keys(&self) -> Result<usize, StoreError> {
        let mut db = self.db.lock().map_err(|_| StoreError::Poisoned)?;
        let tx = db.transaction()?;
        let rows: Vec<SealedRow> = tx
            .prepare(&format!("SELECT {SEALED_COLUMNS} FROM items WHERE environment = ?1"))?
            .query_map(params![self.environment], SealedRow::read)?
            .collect::<Result<_, _>>()?;
        let current = self.keys.current();
        let mut rotated = 0;
        for row in rows {
            if row.key_id.as_deref() == Some(current.id()) {
                continue;
            }
            let plain = row.open(&self.keys, self.environment)?;
            let aad = row_aad(current.id(), &row.item_id, &row.owner, self.environment);
            let (nonce, sealed) = current.seal(&plain, &aad).ok_or(StoreError::Crypto)?;
            tx.execute(
                "UPDATE items SET key_id = ?2, nonce = ?3, access_token = ?4 WHERE item_id = ?1",
                params![row.item_id, current.id(), &nonce[..], sealed],
            )?;
            rotated += 1;
        }
        tx.commit()?;
        Ok(rotated)
    }

    pub fn save(
        &self,
        item_id: &str,
        client_user_id: &str,
        institution: Option<(&str, &str)>,
        access_token: &str,
    ) -> Result<(), StoreError> {
        let key = self.keys.current();
        let aad = row_aad(key.id(), item_id, client_user_id, self.environment);
        let (nonce, sealed) = key.seal(access_token.as_bytes(), &aad).ok_or(StoreError::Crypto)?;
        let db = self.db.lock().map_err(|_| StoreError::Poisoned)?;
        db.execute(
            "INSERT OR REPLACE INTO items (item_id, client_user_id, institution_id, institution_name, nonce, access_token, environment, key_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                item_id,
                client_user_id,
                institution.map(|i| i.0),
                institution.map(|i| i.1),
                &nonce[..],
                sealed,
                self.environment,
                key.id()
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

    /// Sets an item's status (from a verified webhook); whether this environment has the item.
    pub fn set_item_status(&self, item_id: &str, status: &str) -> Result<bool, StoreError> {
        let db = self.db.lock().map_err(|_| StoreError::Poisoned)?;
        let changed = db.execute(
            "UPDATE items SET status = ?2 WHERE item_id = ?1 AND environment = ?3",
            params![item_id, status, self.environment],
        )?;
        Ok(changed > 0)
    }

    /// Records an item's accounts (JSON, names and masks only: nothing secret) and its status.
    pub fn set_item_accounts(&self, item_id: &str, accounts: &str, status: &str) -> Result<bool, StoreError> {
        let db = self.db.lock().map_err(|_| StoreError::Poisoned)?;
        let changed = db.execute(
            "UPDATE items SET accounts = ?2, status = ?3 WHERE item_id = ?1 AND environment = ?4",
            params![item_id, accounts, status, self.environment],
        )?;
        Ok(changed > 0)
    }

    /// One user's items of this environment, oldest first, without their tokens.
    pub fn items_of(&self, owner: &str) -> Result<Vec<OwnedItem>, StoreError> {
        let db = self.db.lock().map_err(|_| StoreError::Poisoned)?;
        let mut statement = db.prepare(
            "SELECT item_id, institution_id, institution_name, coalesce(accounts, '[]'), coalesce(status, 'ok')
             FROM items WHERE client_user_id = ?1 AND environment = ?2 ORDER BY created_at, rowid",
        )?;
        let items = statement
            .query_map(params![owner, self.environment], |row| {
                Ok(OwnedItem {
                    item_id: row.get(0)?,
                    institution_id: row.get(1)?,
                    institution_name: row.get(2)?,
                    accounts: row.get(3)?,
                    status: row.get(4)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(items)
    }

    /// The Plaid user id that owns an item of this environment.
    pub fn item_owner(&self, item_id: &str) -> Result<Option<String>, StoreError> {
        let db = self.db.lock().map_err(|_| StoreError::Poisoned)?;
        Ok(db
            .query_row(
                "SELECT client_user_id FROM items WHERE item_id = ?1 AND environment = ?2",
                params![item_id, self.environment],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Forgets an item (after Plaid removed it).
    pub fn delete_item(&self, item_id: &str) -> Result<(), StoreError> {
        let db = self.db.lock().map_err(|_| StoreError::Poisoned)?;
        db.execute(
            "DELETE FROM items WHERE item_id = ?1 AND environment = ?2",
            params![item_id, self.environment],
        )?;
        Ok(())
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
        let row = db
            .query_row(
                &format!("SELECT {SEALED_COLUMNS} FROM items WHERE item_id = ?1"),
                params![item_id],
                SealedRow::read,
            )
            .optional()?;
        let Some(row) = row else { return Ok(None) };
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

    pub fn items(&self) -> Result<Vec<StoredItem>, StoreError> {
        let db = self.db.lock().map_err(|_| StoreError::Poisoned)?;
        let mut statement =
            db.prepare("SELECT item_id, client_user_id, institution_name, environment, key_id, coalesce(status, 'ok'), length(access_token) FROM items ORDER BY created_at")?;
        let items = statement
            .query_map([], |row| {
                Ok(StoredItem {
                    item_id: row.get(0)?,
                    client_user_id: row.get(1)?,
                    institution_name: row.get(2)?,
                    environment: row.get(3)?,
                    key_id: row.get(4)?,
                    status: row.get(5)?,
                    ciphertext_len: row.get::<_, i64>(6)? as usize,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(items)
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

const SEALED_COLUMNS: &str = "item_id, client_user_id, environment, key_id, nonce, access_token";

impl SealedRow {
    fn read(r: &rusqlite::Row) -> rusqlite::Result<Self> {
        Ok(Self {
            item_id: r.get(0)?,
            owner: r.get(1)?,
            environment: r.get(2)?,
            key_id: r.get(3)?,
            nonce: r.get(4)?,
            sealed: r.get(5)?,
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

/// Records a key check for the current key, and refuses keys that do not match the database:
/// every key id found on a row must be configured, and each configured key must open its check.
fn check_keys(db: &Connection, keys: &TokenKeys) -> Result<(), StoreError> {
    const CHECK: &[u8] = b"plaid-link key check";
    let current = keys.current();
    let known = db
        .query_row("SELECT nonce, sealed FROM key_check WHERE key_id = ?1", params![current.id()], |r| {
            Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, Vec<u8>>(1)?))
        })
        .optional()?;
    match known {
        Some((nonce, sealed))
            if current.open(&nonce, &sealed, current.id().as_bytes()).as_deref() != Some(CHECK) =>
        {
            return Err(StoreError::UnknownKey(current.id().to_owned()));
        }
        Some(_) => {}
        None => {
            let (nonce, sealed) = current.seal(CHECK, current.id().as_bytes()).ok_or(StoreError::Crypto)?;
            db.execute(
                "INSERT INTO key_check (key_id, nonce, sealed) VALUES (?1, ?2, ?3)",
                params![current.id(), &nonce[..], sealed],
            )?;
        }
    }
    let used: Vec<Option<String>> = db
        .prepare("SELECT DISTINCT key_id FROM items")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    match used.into_iter().find(|id| id.as_deref().is_none_or(|id| keys.by_id(id).is_none())) {
        Some(id) => Err(StoreError::UnknownKey(id.unwrap_or_else(|| "(unrecorded)".to_owned()))),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(current: u8, previous: &[u8]) -> TokenKeys {
        let previous: Vec<[u8; 32]> = previous.iter().map(|b| [*b; 32]).collect();
        TokenKeys::new(&[current; 32], &previous)
    }

    fn store() -> (Store, tempdir::Dir) {
        let dir = tempdir::Dir::new();
        let store = Store::open(&dir.path.join("t.db"), keys(7, &[]), "sandbox").unwrap();
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
    fn a_wrong_key_is_refused_at_start_up() {
        let (store, dir) = store();
        store.save("item-1", "user-1", None, "access-sandbox-secret").unwrap();
        drop(store);
        let wrong = Store::open(&dir.path.join("t.db"), keys(8, &[]), "sandbox");
        assert!(matches!(wrong, Err(StoreError::UnknownKey(_))), "a wrong key must not start and write rows");
    }

    #[test]
    fn a_rotated_key_reads_old_rows_until_rotate_keys_reencrypts_them() {
        let (store, dir) = store();
        store.save("item-1", "user-1", None, "access-sandbox-one").unwrap();
        store.save("item-2", "user-2", None, "access-sandbox-two").unwrap();
        drop(store);
        let path = dir.path.join("t.db");
        // The new key, with the old one still accepted for reading.
        let store = Store::open(&path, keys(9, &[7]), "sandbox").unwrap();
        assert_eq!(store.access_token("item-1").unwrap().as_deref(), Some("access-sandbox-one"));
        store.save("item-3", "user-3", None, "access-sandbox-three").unwrap();
        assert_eq!(store.rotate_keys().unwrap(), 2, "the two rows under the old key");
        assert_eq!(store.rotate_keys().unwrap(), 0);
        drop(store);
        // The old key can go: every row is under the new one.
        let store = Store::open(&path, keys(9, &[]), "sandbox").unwrap();
        for (item, token) in [("item-1", "one"), ("item-2", "two"), ("item-3", "three")] {
            assert_eq!(store.access_token(item).unwrap().unwrap(), format!("access-sandbox-{token}"));
        }
        let ids: Vec<_> = store.items().unwrap().into_iter().map(|i| i.key_id).collect();
        assert!(ids.iter().all(|id| id.as_deref() == Some(crate::keys::Key::new(&[9; 32]).id())), "{ids:?}");
    }

    #[test]
    fn a_row_moved_to_another_owner_no_longer_decrypts() {
        let (store, dir) = store();
        store.save("item-1", "user-1", None, "access-sandbox-secret").unwrap();
        drop(store);
        let db = Connection::open(dir.path.join("t.db")).unwrap();
        db.execute("UPDATE items SET client_user_id = 'attacker' WHERE item_id = 'item-1'", []).unwrap();
        let store = Store::open(&dir.path.join("t.db"), keys(7, &[]), "sandbox").unwrap();
        assert!(matches!(store.access_token("item-1"), Err(StoreError::Crypto)));
    }

    #[test]
    fn a_row_of_another_environment_is_refused() {
        let (store, dir) = store();
        store.save("item-1", "user-1", None, "access-sandbox-secret").unwrap();
        drop(store);
        let production = Store::open(&dir.path.join("t.db"), keys(7, &[]), "production").unwrap();
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
