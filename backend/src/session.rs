//! Browser sessions: issued by this server only, and known to Plaid by another name.
//!
//! A session id is 32 random characters in an HttpOnly, SameSite=Strict cookie (`__Host-` and
//! `Secure` over TLS). The server stores only its SHA-256 (`store.rs`), beside a separate random
//! user id, which is what Plaid is told (`client_user_id`) and what owns the items. A cookie the
//! server did not issue matches no stored session, so a client cannot choose its session; and
//! neither the database, nor Plaid, nor the logs ever hold a session id.

use axum::http::{HeaderMap, HeaderValue};
use rand::distributions::{Alphanumeric, DistString};
use sha2::{Digest, Sha256};

use crate::store::{Store, StoreError};

/// How long a session lasts.
pub const LIFETIME_SECS: u64 = 30 * 24 * 60 * 60;

/// A live session: the user id Plaid knows it by, which owns its items.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    pub plaid_user_id: String,
}

/// The cookie's name: with `__Host-`, over TLS, a browser accepts it only from this host, over
/// HTTPS, for the whole site; no subdomain nor plain-HTTP page can plant or shadow it.
pub fn cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-plaid_link_session"
    } else {
        "plaid_link_session"
    }
}

/// The session the request's cookie names, if this server issued it and it has not expired.
pub fn current(store: &Store, headers: &HeaderMap, secure: bool) -> Result<Option<Session>, StoreError> {
    let Some(id) = crate::csp::cookie(headers, cookie_name(secure)).filter(|v| well_formed(v)) else {
        return Ok(None);
    };
    Ok(store.session(&hash(&id), crate::unix_now())?.map(|plaid_user_id| Session { plaid_user_id }))
}

/// Starts a session: stores it, and returns it with the `Set-Cookie` value that carries its id.
pub fn start(store: &Store, secure: bool) -> Result<(Session, HeaderValue), StoreError> {
    let id = Alphanumeric.sample_string(&mut rand::thread_rng(), 32);
    let plaid_user_id = format!("user-{}", Alphanumeric.sample_string(&mut rand::thread_rng(), 24));
    store.start_session(&hash(&id), &plaid_user_id, crate::unix_now(), LIFETIME_SECS)?;
    let cookie = format!(
        "{}={id}; Path=/; HttpOnly; SameSite=Strict; Max-Age={LIFETIME_SECS}{}",
        cookie_name(secure),
        if secure { "; Secure" } else { "" }
    );
    let cookie = HeaderValue::from_str(&cookie).unwrap_or_else(|_| HeaderValue::from_static(""));
    Ok((Session { plaid_user_id }, cookie))
}

fn well_formed(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

fn hash(id: &str) -> Vec<u8> {
    Sha256::digest(id.as_bytes()).to_vec()
}
