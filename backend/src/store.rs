//! Where access tokens live: an embedded SQLite database, each token encrypted with AES-256-GCM
//! under a key from the environment, bound to its item id so that rows cannot be swapped.

use std::path::Path;
use std::sync::Mutex;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use rand::RngCore;
use rusqlite::{params, Connection};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Database(#[from] rusqlite::Error),
    #[error("the access token could not be encrypted or decrypted")]
    Crypto,
    #[error("the database lock was poisoned")]
    Poisoned,
}

/// One connected item, as listed for inspection (never the token itself).
#[derive(Debug, Clone, serde::Serialize)]
pub struct StoredItem {
    pub item_id: String,
    pub client_user_id: String,
    pub institution_name: Option<String>,
    pub ciphertext_len: usize,
}

pub struct Store {
    db: Mutex<Connection>,
    cipher: Aes256Gcm,
}

impl Store {
    pub fn open(path: &Path, key: &[u8; 32]) -> Result<Self, StoreError> {
        let db = Connection::open(path)?;
        db.execute_batch(
            "CREATE TABLE IF NOT EXISTS items (
                item_id TEXT PRIMARY KEY,
                client_user_id TEXT NOT NULL,
                institution_id TEXT,
                institution_name TEXT,
                nonce BLOB NOT NULL,
                access_token BLOB NOT NULL,
                created_at INTEGER NOT NULL DEFAULT (unixepoch())
            );",
        )?;
        let cipher = Aes256Gcm::new_from_slice(key).map_err(|_| StoreError::Crypto)?;
        Ok(Self { db: Mutex::new(db), cipher })
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
            "INSERT OR REPLACE INTO items (item_id, client_user_id, institution_id, institution_name, nonce, access_token)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![item_id, client_user_id, institution.map(|i| i.0), institution.map(|i| i.1), &nonce[..], sealed],
        )?;
        Ok(())
    }

    /// Decrypts an item's access token, for server-side calls to Plaid.
    pub fn access_token(&self, item_id: &str) -> Result<Option<String>, StoreError> {
        let db = self.db.lock().map_err(|_| StoreError::Poisoned)?;
        let mut statement = db.prepare("SELECT nonce, access_token FROM items WHERE item_id = ?1")?;
        let mut rows = statement.query(params![item_id])?;
        let Some(row) = rows.next()? else { return Ok(None) };
        let nonce: Vec<u8> = row.get(0)?;
        let sealed: Vec<u8> = row.get(1)?;
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
            db.prepare("SELECT item_id, client_user_id, institution_name, length(access_token) FROM items ORDER BY created_at")?;
        let items = statement
            .query_map([], |row| {
                Ok(StoredItem {
                    item_id: row.get(0)?,
                    client_user_id: row.get(1)?,
                    institution_name: row.get(2)?,
                    ciphertext_len: row.get::<_, i64>(3)? as usize,
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
        let store = Store::open(&dir.path.join("t.db"), &[7; 32]).unwrap();
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
        let other = Store::open(&dir.path.join("t.db"), &[8; 32]).unwrap();
        assert!(matches!(other.access_token("item-1"), Err(StoreError::Crypto)));
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
