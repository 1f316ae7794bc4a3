//! Plaid's webhooks, verified as Plaid's guidance asks ("Validate Webhooks"), before anything
//! changes: the `Plaid-Verification` header is a JWT whose algorithm must be ES256; its `kid` names
//! a key fetched from `/webhook_verification_key/get` and cached by `kid` (refused once its
//! `expired_at` has passed); the signature must hold (jsonwebtoken); `iat` must be at most five
//! minutes old; and `request_body_sha256` must be the SHA-256 of the exact body bytes, compared in
//! constant time. Anything else is refused and changes nothing.
//!
//! Forged webhooks must neither turn into calls to Plaid nor spend the key fetch Plaid's own first
//! webhook needs (after a start, a deploy, Plaid's key rotation). A key is fetched only for a token
//! that passes every check its signature is not needed for (ES256, a `kid` of Plaid's shape, issued
//! within five minutes, the hash of this very body); one at a time; a `kid` Plaid did not know is
//! remembered for a while ([`UNKNOWN_KEY_SECS`]). Fetches have two budgets: a general one
//! ([`KEY_FETCHES_PER_MINUTE`], at most [`KEY_FETCHES_PER_ADDRESS`] of them for one address), and a
//! reserve ([`RESERVED_FETCHES_PER_MINUTE`]) only for a webhook about one of the app's own items or
//! link tokens, once per their user in [`RESERVE_PER_USER_SECS`]: a forger who knows none of them
//! cannot touch it, and a user of the app only their own share. With both spent, the webhook is
//! answered 503 with `Retry-After`: Plaid sends it again (30 s later, then 4 times longer each time,
//! for 24 hours), where a 401 would be final.

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use governor::{DefaultDirectRateLimiter, DefaultKeyedRateLimiter, Quota, RateLimiter};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::logging::clip;
use crate::plaid::client::PlaidClient;
use crate::plaid::types::WebhookVerificationKey;

/// How old a webhook may be.
pub const MAX_AGE_SECS: u64 = 5 * 60;
/// How many keys the cache holds; Plaid rotates rarely, so more means something is wrong.
const MAX_CACHED_KEYS: usize = 100;
/// How long a `kid` Plaid did not know is refused without asking again.
pub const UNKNOWN_KEY_SECS: u64 = 5 * 60;
/// How many unknown `kid`s are remembered at most.
const MAX_UNKNOWN_KEYS: usize = 1_000;
/// Calls to `/webhook_verification_key/get` a minute, at most, for any webhook.
pub const KEY_FETCHES_PER_MINUTE: u32 = 5;
/// Of those, how many one address may cause a minute.
pub const KEY_FETCHES_PER_ADDRESS: u32 = 2;
/// Calls a minute kept for webhooks about the app's own items and link tokens.
pub const RESERVED_FETCHES_PER_MINUTE: u32 = 5;
/// How often one user's items and link tokens may draw on the reserve.
pub const RESERVE_PER_USER_SECS: u64 = 10 * 60;
/// How far in the future a webhook may say it was issued (clocks differ).
const MAX_SKEW_SECS: u64 = 60;

/// Why a webhook was refused. A value the sender chose (an algorithm, a `kid`) is clipped.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    #[error("no Plaid-Verification header")]
    Missing,
    #[error("the Plaid-Verification header is not a JWT we can read")]
    Malformed,
    #[error("algorithm {0:?} is not ES256")]
    WrongAlgorithm(String),
    #[error("no verification key {0:?}")]
    UnknownKey(String),
    #[error("verification key {0:?} has expired")]
    ExpiredKey(String),
    #[error("the signature does not hold")]
    BadSignature,
    #[error("issued {0} s ago, more than five minutes")]
    Stale(u64),
    #[error("the body is not the one that was signed")]
    BodyMismatch,
    #[error("verification key {0:?} not fetched: the budgets of key fetches are spent for now")]
    NotNow(String),
}

#[derive(Deserialize)]
struct Header {
    alg: String,
    kid: Option<String>,
}

#[derive(Deserialize)]
struct Claims {
    iat: u64,
    request_body_sha256: String,
}

/// The `kid` a token names, once its algorithm is known to be ES256.
pub fn key_id(token: &str) -> Result<String, WebhookError> {
    // Read here rather than by jsonwebtoken, which cannot even parse an algorithm it does not know
    // (`none`): the refusal then says which algorithm it was.
    let header: Header = segment(token, 0).ok_or(WebhookError::Malformed)?;
    if header.alg != "ES256" {
        return Err(WebhookError::WrongAlgorithm(clip(&header.alg).to_string()));
    }
    header.kid.ok_or(WebhookError::Malformed)
}

/// A JWT's `index`-th part (its header, its claims), read without checking anything.
fn segment<T: serde::de::DeserializeOwned>(token: &str, index: usize) -> Option<T> {
    let bytes = URL_SAFE_NO_PAD.decode(token.split('.').nth(index)?).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// What can be checked without the key: a `kid` of Plaid's shape, and claims that name this very
/// body and a time within five minutes. Only a token that passes may cost a key fetch.
pub fn worth_a_key(token: &str, body: &[u8], now: u64) -> Result<String, WebhookError> {
    let kid = key_id(token)?;
    if kid.is_empty() || !crate::shape::code_like(&kid) {
        return Err(WebhookError::Malformed);
    }
    let claims: Claims = segment(token, 1).ok_or(WebhookError::Malformed)?;
    check_claims(&claims, body, now)?;
    Ok(kid)
}

/// The claims' age and body hash.
fn check_claims(claims: &Claims, body: &[u8], now: u64) -> Result<(), WebhookError> {
    let age = now.saturating_sub(claims.iat);
    if age > MAX_AGE_SECS || claims.iat > now + MAX_SKEW_SECS {
        return Err(WebhookError::Stale(age));
    }
    let body_hash: String = Sha256::digest(body).iter().map(|b| format!("{b:02x}")).collect();
    let signed = claims.request_body_sha256.to_ascii_lowercase();
    if !bool::from(body_hash.as_bytes().ct_eq(signed.as_bytes())) {
        return Err(WebhookError::BodyMismatch);
    }
    Ok(())
}

/// Verifies a `Plaid-Verification` token against the body, at `now`, with `key` (the JWK its
/// `kid` names).
pub fn verify(token: &str, body: &[u8], now: u64, key: &WebhookVerificationKey) -> Result<(), WebhookError> {
    let kid = key_id(token)?;
    if kid != key.kid || key.alg != "ES256" || key.crv != "P-256" {
        return Err(WebhookError::UnknownKey(clip(&kid).to_string()));
    }
    if key.expired_at.is_some_and(|expired| expired <= now) {
        return Err(WebhookError::ExpiredKey(clip(&kid).to_string()));
    }
    let decoding = DecodingKey::from_ec_components(&key.x, &key.y).map_err(|_| WebhookError::Malformed)?;
    let mut validation = Validation::new(Algorithm::ES256);
    // Plaid's tokens carry `iat` only: their age is checked below, against five minutes.
    validation.required_spec_claims = HashSet::new();
    validation.validate_exp = false;
    let claims = jsonwebtoken::decode::<Claims>(token, &decoding, &validation)
        .map_err(|e| match e.kind() {
            jsonwebtoken::errors::ErrorKind::InvalidSignature => WebhookError::BadSignature,
            _ => WebhookError::Malformed,
        })?
        .claims;
    check_claims(&claims, body, now)
}

/// Plaid's verification keys, by `kid`; the `kid`s Plaid did not know; and the budgets of asking.
pub struct KeyCache {
    keys: Mutex<HashMap<String, WebhookVerificationKey>>,
    unknown: Mutex<HashMap<String, Instant>>,
    /// One fetch at a time: a burst naming one `kid` asks once.
    fetching: tokio::sync::Mutex<()>,
    fetches: DefaultDirectRateLimiter,
    per_address: DefaultKeyedRateLimiter<IpAddr>,
    reserve: DefaultDirectRateLimiter,
    per_user: DefaultKeyedRateLimiter<String>,
}

impl Default for KeyCache {
    fn default() -> Self {
        let per_minute = |n: u32| Quota::per_minute(NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN));
        Self {
            keys: Mutex::default(),
            unknown: Mutex::default(),
            fetching: tokio::sync::Mutex::new(()),
            fetches: RateLimiter::direct(per_minute(KEY_FETCHES_PER_MINUTE)),
            per_address: RateLimiter::keyed(per_minute(KEY_FETCHES_PER_ADDRESS)),
            reserve: RateLimiter::direct(per_minute(RESERVED_FETCHES_PER_MINUTE)),
            per_user: RateLimiter::keyed(
                Quota::with_period(Duration::from_secs(RESERVE_PER_USER_SECS)).unwrap_or(per_minute(1)),
            ),
        }
    }
}

impl KeyCache {
    /// Verifies a webhook, fetching its key from Plaid when this `kid` is neither cached nor
    /// recently unknown, the token is worth it ([`worth_a_key`]) and a budget allows. `address` is
    /// where it came from; `user` looks up (only if the general budget is spent) the user whose
    /// item or link token it names, if it names one of the app's.
    pub async fn verify<F: Future<Output = Option<String>>>(
        &self,
        plaid: &PlaidClient,
        token: Option<&str>,
        body: &[u8],
        now: u64,
        address: IpAddr,
        user: impl FnOnce() -> F,
    ) -> Result<(), WebhookError> {
        let token = token.ok_or(WebhookError::Missing)?;
        let kid = key_id(token)?;
        let key = match self.cached(&kid)? {
            Some(key) => key,
            None => {
                worth_a_key(token, body, now)?;
                let _one_at_a_time = self.fetching.lock().await;
                match self.cached(&kid)? {
                    Some(key) => key,
                    // Budgets are spent by the one that fetches, not by those it answers for.
                    None => {
                        self.allowed(&kid, address, user).await?;
                        self.fetch(plaid, &kid).await?
                    }
                }
            }
        };
        verify(token, body, now, &key)
    }

    /// Whether a budget allows a fetch for this sender: the general one within the address's share,
    /// or else the reserve, for a webhook about a user's own item or link token.
    async fn allowed<F: Future<Output = Option<String>>>(
        &self,
        kid: &str,
        address: IpAddr,
        user: impl FnOnce() -> F,
    ) -> Result<(), WebhookError> {
        // An address's share is spent first, so that one address cannot spend the general budget.
        let general = self.per_address.check_key(&address).is_ok() && self.fetches.check().is_ok();
        if general {
            return Ok(());
        }
        let reserved = match user().await {
            Some(user) => self.per_user.check_key(&user).is_ok() && self.reserve.check().is_ok(),
            None => false,
        };
        if self.per_address.len() >= MAX_UNKNOWN_KEYS {
            self.per_address.retain_recent();
            self.per_user.retain_recent();
        }
        if reserved {
            Ok(())
        } else {
            Err(WebhookError::NotNow(clip(kid).to_string()))
        }
    }

    /// The cached key; `Err` for a `kid` known to be unknown.
    fn cached(&self, kid: &str) -> Result<Option<WebhookVerificationKey>, WebhookError> {
        if let Some(key) = self.keys.lock().ok().and_then(|keys| keys.get(kid).cloned()) {
            return Ok(Some(key));
        }
        let recently_unknown = self.unknown.lock().ok().and_then(|unknown| unknown.get(kid).copied());
        match recently_unknown {
            Some(until) if Instant::now() < until => Err(WebhookError::UnknownKey(clip(kid).to_string())),
            _ => Ok(None),
        }
    }

    async fn fetch(&self, plaid: &PlaidClient, kid: &str) -> Result<WebhookVerificationKey, WebhookError> {
        let unknown = || WebhookError::UnknownKey(clip(kid).to_string());
        match plaid.webhook_verification_key(kid).await {
            Ok(key) => {
                if let Ok(mut keys) = self.keys.lock() {
                    if keys.len() >= MAX_CACHED_KEYS {
                        keys.clear();
                    }
                    keys.insert(kid.to_owned(), key.clone());
                }
                Ok(key)
            }
            Err(_) => {
                if let Ok(mut remembered) = self.unknown.lock() {
                    let now = Instant::now();
                    remembered.retain(|_, until| *until > now);
                    if remembered.len() >= MAX_UNKNOWN_KEYS {
                        remembered.clear();
                    }
                    remembered.insert(kid.to_owned(), now + Duration::from_secs(UNKNOWN_KEY_SECS));
                }
                Err(unknown())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ring::rand::SystemRandom;
    use ring::signature::{EcdsaKeyPair, KeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
    use serde_json::json;

    const NOW: u64 = 1_800_000_000;

    struct Plaid {
        pair: EcdsaKeyPair,
        key: WebhookVerificationKey,
    }

    fn plaid(kid: &str) -> Plaid {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng).unwrap();
        let point = pair.public_key().as_ref().to_vec();
        let key = WebhookVerificationKey {
            alg: "ES256".into(),
            crv: "P-256".into(),
            kid: kid.into(),
            kty: "EC".into(),
            use_: "sig".into(),
            x: URL_SAFE_NO_PAD.encode(&point[1..33]),
            y: URL_SAFE_NO_PAD.encode(&point[33..65]),
            created_at: NOW - 1000,
            expired_at: None,
        };
        Plaid { pair, key }
    }

    fn token(signer: &Plaid, header: serde_json::Value, body: &[u8], iat: u64) -> String {
        let hash: String = Sha256::digest(body).iter().map(|b| format!("{b:02x}")).collect();
        let claims = json!({ "iat": iat, "request_body_sha256": hash });
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let signature = signer.pair.sign(&SystemRandom::new(), input.as_bytes()).unwrap();
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature.as_ref()))
    }

    const BODY: &[u8] = br#"{"webhook_type":"ITEM","webhook_code":"ERROR","item_id":"item-1"}"#;

    fn es256(kid: &str) -> serde_json::Value {
        json!({ "alg": "ES256", "kid": kid, "typ": "JWT" })
    }

    #[test]
    fn a_webhook_plaid_signed_is_accepted() {
        let plaid = plaid("kid-1");
        let token = token(&plaid, es256("kid-1"), BODY, NOW - 10);
        assert_eq!(verify(&token, BODY, NOW, &plaid.key), Ok(()));
    }

    #[test]
    fn a_forged_webhook_is_refused() {
        let (plaid, forger) = (plaid("kid-1"), plaid("kid-1"));
        let token = token(&forger, es256("kid-1"), BODY, NOW);
        assert_eq!(verify(&token, BODY, NOW, &plaid.key), Err(WebhookError::BadSignature));
    }

    #[test]
    fn an_altered_body_is_refused() {
        let plaid = plaid("kid-1");
        let token = token(&plaid, es256("kid-1"), BODY, NOW);
        let altered = br#"{"webhook_type":"ITEM","webhook_code":"ERROR","item_id":"item-2"}"#;
        assert_eq!(verify(&token, altered, NOW, &plaid.key), Err(WebhookError::BodyMismatch));
    }

    #[test]
    fn a_webhook_replayed_late_is_refused() {
        // Plaid's guidance, and the README: a webhook is at most five minutes old.
        let plaid = plaid("kid-1");
        let token = token(&plaid, es256("kid-1"), BODY, NOW - 5 * 60);
        assert_eq!(verify(&token, BODY, NOW, &plaid.key), Ok(()), "five minutes old: still accepted");
        let token = self::token(&plaid, es256("kid-1"), BODY, NOW - 5 * 60 - 1);
        assert_eq!(verify(&token, BODY, NOW, &plaid.key), Err(WebhookError::Stale(5 * 60 + 1)));
    }

    #[test]
    fn another_algorithm_is_refused_before_any_key_is_looked_up() {
        let plaid = plaid("kid-1");
        for alg in ["HS256", "none", "RS256", "ES384"] {
            let token = token(&plaid, json!({ "alg": alg, "kid": "kid-1" }), BODY, NOW);
            assert_eq!(key_id(&token), Err(WebhookError::WrongAlgorithm(alg.into())));
            assert_eq!(verify(&token, BODY, NOW, &plaid.key), Err(WebhookError::WrongAlgorithm(alg.into())));
        }
    }

    #[test]
    fn an_unknown_or_expired_key_is_refused() {
        let mut plaid = plaid("kid-1");
        let token = token(&plaid, es256("kid-2"), BODY, NOW);
        assert_eq!(verify(&token, BODY, NOW, &plaid.key), Err(WebhookError::UnknownKey("kid-2".into())));
        plaid.key.expired_at = Some(NOW - 1);
        let token = self::token(&plaid, es256("kid-1"), BODY, NOW);
        assert_eq!(verify(&token, BODY, NOW, &plaid.key), Err(WebhookError::ExpiredKey("kid-1".into())));
    }

    #[test]
    fn a_key_is_worth_fetching_only_for_a_token_that_could_verify() {
        let plaid = plaid("kid-1");
        let good = token(&plaid, es256("kid-1"), BODY, NOW - 10);
        assert_eq!(worth_a_key(&good, BODY, NOW), Ok("kid-1".into()));
        let stale = token(&plaid, es256("kid-1"), BODY, NOW - 5 * 60 - 1);
        assert_eq!(worth_a_key(&stale, BODY, NOW), Err(WebhookError::Stale(5 * 60 + 1)));
        let future = token(&plaid, es256("kid-1"), BODY, NOW + 120);
        assert!(worth_a_key(&future, BODY, NOW).is_err(), "issued two minutes from now");
        assert_eq!(worth_a_key(&good, b"{}", NOW), Err(WebhookError::BodyMismatch));
        let odd_kid = token(&plaid, es256("kid with spaces"), BODY, NOW);
        assert_eq!(worth_a_key(&odd_kid, BODY, NOW), Err(WebhookError::Malformed));
    }
}
