//! Webhooks signed as Plaid signs them: a `Plaid-Verification` header holding a JWT, ES256, whose
//! header names the key (`kid`) that `/webhook_verification_key/get` serves as a JWK, and whose
//! claims are `iat` and `request_body_sha256` (the SHA-256 of the exact body bytes, hex).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ring::rand::SystemRandom;
use ring::signature::{EcdsaKeyPair, KeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// The stand-in's signing key and its public JWK.
pub(crate) struct Signer {
    pair: EcdsaKeyPair,
    rng: SystemRandom,
    pub kid: String,
    pub jwk: Value,
}

impl Signer {
    /// A fresh P-256 key, made when the stand-in starts.
    pub fn new(created_at: u64) -> Self {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
            .unwrap_or_else(|_| unreachable!("the system's random source works"));
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng)
            .unwrap_or_else(|_| unreachable!("a key ring just made"));
        // Uncompressed point: 0x04, then x and y, 32 bytes each.
        let point = pair.public_key().as_ref();
        let kid = crate::state::id(24);
        let jwk = json!({
            "alg": "ES256", "crv": "P-256", "kty": "EC", "use": "sig", "kid": kid,
            "x": URL_SAFE_NO_PAD.encode(&point[1..33]), "y": URL_SAFE_NO_PAD.encode(&point[33..65]),
            "created_at": created_at, "expired_at": null,
        });
        Self { pair, rng, kid, jwk }
    }

    /// The `Plaid-Verification` header's value for this exact body.
    pub fn sign(&self, body: &[u8], iat: u64) -> String {
        let header = json!({ "alg": "ES256", "kid": self.kid, "typ": "JWT" });
        let claims = json!({ "iat": iat, "request_body_sha256": hex(&Sha256::digest(body)) });
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let signature = self
            .pair
            .sign(&self.rng, input.as_bytes())
            .unwrap_or_else(|_| unreachable!("signing with a valid key"));
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature.as_ref()))
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A webhook's body as Plaid sends it: its type and code, the item, the environment, and the
/// fields of its kind.
pub(crate) fn webhook_body(
    kind: &str,
    code: &str,
    item_id: &str,
    fields: serde_json::Value,
) -> serde_json::Value {
    let mut body = serde_json::json!({
        "webhook_type": kind, "webhook_code": code, "item_id": item_id, "environment": "sandbox",
    });
    if let (Some(body), serde_json::Value::Object(fields)) = (body.as_object_mut(), fields) {
        body.extend(fields);
    }
    body
}
