//! Browser sessions: issued by this server only, and known to Plaid by another name.
//!
//! A session id is 32 random characters in an HttpOnly, SameSite=Strict cookie (`__Host-` and
//! `Secure` when the server is secure, `cookies.rs`). The server stores only its SHA-256
//! (`store.rs`), beside a separate random user id, which is what Plaid is told (`client_user_id`)
//! and what owns the items. A cookie the server did not issue matches no stored session, so a
//! client cannot choose its session; and neither the database, nor Plaid, nor the logs ever hold a
//! session id.
//!
//! Handlers take a session as an extractor: [`Issued`] (401 without one) or [`Started`] (issued, or
//! started now); either also spends one request of the session's rate limit.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum_extra::extract::cookie::CookieJar;
use rand::distributions::{Alphanumeric, DistString};
use sha2::{Digest, Sha256};

use crate::api::{Failure, Shared};
use crate::store::{Store, StoreError};

/// How long a session lasts.
pub const LIFETIME_SECS: u64 = 30 * 24 * 60 * 60;
/// The cookie's name, before the `__Host-` prefix of a secure server.
pub const COOKIE: &str = "plaid_link_session";

/// A live session: the user id Plaid knows it by, which owns its items.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    pub plaid_user_id: String,
}

/// The session the cookies name, if this server issued it and it has not expired.
pub async fn current(store: &Store, jar: &CookieJar, secure: bool) -> Result<Option<Session>, StoreError> {
    let Some(id) =
        jar.get(&crate::cookies::name(COOKIE, secure)).map(|c| c.value()).filter(|v| well_formed(v))
    else {
        return Ok(None);
    };
    Ok(store.session(&hash(id), crate::unix_now()).await?.map(|plaid_user_id| Session { plaid_user_id }))
}

/// Starts a session: stores it, and returns it with the jar that sets its cookie.
pub async fn start(store: &Store, jar: CookieJar, secure: bool) -> Result<(Session, CookieJar), StoreError> {
    let id = Alphanumeric.sample_string(&mut rand::thread_rng(), 32);
    let plaid_user_id = format!("user-{}", Alphanumeric.sample_string(&mut rand::thread_rng(), 24));
    store.start_session(&hash(&id), &plaid_user_id, crate::unix_now(), LIFETIME_SECS).await?;
    let jar = jar.add(crate::cookies::build(COOKIE, id, secure, Some(LIFETIME_SECS)));
    Ok((Session { plaid_user_id }, jar))
}

fn well_formed(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

fn hash(id: &str) -> Vec<u8> {
    Sha256::digest(id.as_bytes()).to_vec()
}

fn store_failed(e: StoreError) -> Failure {
    Failure::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "We could not start a bank connection right now. Please try again.",
        &format!("session store: {e}"),
    )
}

/// Spends one request of the session's quota.
fn within_limit(state: &Shared, session: &Session) -> Result<(), Failure> {
    state.limits.session(&session.plaid_user_id).map_err(|wait| Failure::too_many(wait, "session"))
}

/// The session this server issued to the caller; a 401 otherwise.
pub struct Issued(pub Session);

impl FromRequestParts<Shared> for Issued {
    type Rejection = Failure;

    async fn from_request_parts(parts: &mut Parts, state: &Shared) -> Result<Self, Failure> {
        let jar = CookieJar::from_headers(&parts.headers);
        let Some(session) = current(&state.store, &jar, state.secure).await.ok().flatten() else {
            return Err(Failure::new(
                StatusCode::UNAUTHORIZED,
                "Your session has expired. Reload the page, then try again.",
                "no session this server issued",
            ));
        };
        within_limit(state, &session)?;
        Ok(Self(session))
    }
}

/// The caller's session, or a new one: a cookie the server did not issue names no session. `jar`
/// sets the new session's cookie (answer with it).
pub struct Started {
    pub session: Session,
    pub jar: CookieJar,
}

impl FromRequestParts<Shared> for Started {
    type Rejection = Failure;

    async fn from_request_parts(parts: &mut Parts, state: &Shared) -> Result<Self, Failure> {
        let jar = CookieJar::from_headers(&parts.headers);
        let (session, jar) = match current(&state.store, &jar, state.secure).await.map_err(store_failed)? {
            Some(session) => (session, CookieJar::new()),
            None => start(&state.store, CookieJar::new(), state.secure).await.map_err(store_failed)?,
        };
        within_limit(state, &session)?;
        Ok(Self { session, jar })
    }
}

/// The caller's session if there is one (a page with no session yet has no items).
pub struct Optional(pub Option<Session>);

impl FromRequestParts<Shared> for Optional {
    type Rejection = Failure;

    async fn from_request_parts(parts: &mut Parts, state: &Shared) -> Result<Self, Failure> {
        let jar = CookieJar::from_headers(&parts.headers);
        Ok(Self(current(&state.store, &jar, state.secure).await.ok().flatten()))
    }
}
