//! The keys access tokens are encrypted under: the current one, and the ones it replaced, which
//! are still accepted for reading until `Store::rotate_keys` (`plaid-link-dev rotate-key`) has
//! re-encrypted every row.
//!
//! Each key has an id (a hash of the key, never the key), stored with every row it sealed. A row's
//! additional data binds the key id, the item, its owner and the Plaid environment, so a row moved
//! to another item, owner or environment no longer decrypts.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// One AES-256-GCM key and its id.
pub struct Key {
    id: String,
    cipher: Aes256Gcm,
}

impl Key {
    pub fn new(bytes: &[u8; 32]) -> Self {
        let digest = Sha256::new().chain_update(b"plaid-link token key id\0").chain_update(bytes).finalize();
        let id = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
        // A 32-byte slice is always a valid AES-256 key.
        let cipher = Aes256Gcm::new_from_slice(bytes).unwrap_or_else(|_| unreachable!("32-byte key"));
        Self { id, cipher }
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    /// Encrypts `message` bound to `aad`: a fresh nonce and the sealed bytes.
    pub fn seal(&self, message: &[u8], aad: &[u8]) -> Option<([u8; 12], Vec<u8>)> {
        let mut nonce = [0u8; 12];
        rand::thread_rng().fill_bytes(&mut nonce);
        let sealed = self.cipher.encrypt(Nonce::from_slice(&nonce), Payload { msg: message, aad }).ok()?;
        Some((nonce, sealed))
    }

    pub fn open(&self, nonce: &[u8], sealed: &[u8], aad: &[u8]) -> Option<Vec<u8>> {
        (nonce.len() == 12).then_some(())?;
        self.cipher.decrypt(Nonce::from_slice(nonce), Payload { msg: sealed, aad }).ok()
    }
}

/// The current key and the previous ones.
pub struct TokenKeys {
    current: Key,
    previous: Vec<Key>,
}

impl TokenKeys {
    pub fn new(current: &[u8; 32], previous: &[[u8; 32]]) -> Self {
        Self { current: Key::new(current), previous: previous.iter().map(Key::new).collect() }
    }

    /// The key new rows are sealed under.
    pub fn current(&self) -> &Key {
        &self.current
    }

    /// The configured key with this id, current or previous.
    pub fn by_id(&self, id: &str) -> Option<&Key> {
        std::iter::once(&self.current).chain(&self.previous).find(|k| k.id == id)
    }
}

/// What a row's ciphertext is bound to.
pub fn row_aad(key_id: &str, item_id: &str, owner: &str, environment: &str) -> Vec<u8> {
    format!("plaid-link access token v1\0{key_id}\0{item_id}\0{owner}\0{environment}").into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_name_keys_without_revealing_them() {
        let (a, b) = (Key::new(&[1; 32]), Key::new(&[2; 32]));
        assert_eq!(a.id(), Key::new(&[1; 32]).id());
        assert_ne!(a.id(), b.id());
        assert_eq!(a.id().len(), 16);
        assert!(!a.id().contains("0101"), "{}", a.id());
    }

    #[test]
    fn a_sealed_token_opens_only_with_its_key_and_its_binding() {
        let key = Key::new(&[3; 32]);
        let aad = row_aad(key.id(), "item-1", "user-1", "sandbox");
        let (nonce, sealed) = key.seal(b"access-sandbox-x", &aad).unwrap();
        assert_eq!(key.open(&nonce, &sealed, &aad).unwrap(), b"access-sandbox-x");
        assert!(Key::new(&[4; 32]).open(&nonce, &sealed, &aad).is_none());
        for other in [
            row_aad(key.id(), "item-2", "user-1", "sandbox"),
            row_aad(key.id(), "item-1", "user-2", "sandbox"),
            row_aad(key.id(), "item-1", "user-1", "production"),
        ] {
            assert!(key.open(&nonce, &sealed, &other).is_none());
        }
    }
}
