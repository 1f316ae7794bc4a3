//! The reference backend's users: anonymous browser sessions, issued by this server only, and known
//! to Plaid by another name. This is the demo's implementation of the app's user that
//! `plaid-link-server` asks for ([`LinkUser`]); an app with its own sign-in has its own.
//!
//! A session id is 32 random characters in an HttpOnly, SameSite=Strict cookie (`__Host-` and
//! `Secure` when the server is secure, `cookies.rs`). The server stores only its SHA-256, beside a
//! separate random user id, which is what Plaid is told (`client_user_id`) and what owns the items.
//! A cookie the server did not issue matches no stored session, so a client cannot choose its
//! session; and neither the database, nor Plaid, nor the logs ever hold a session id.
//!
//! A request for a link token starts a session when it has none (after the library's guards and
//! rate limits, since the extractor runs last); a page without one lists no items; any other
//! request needs the session it acts on, or gets 401.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{Method, StatusCode};
use plaid_link_server::LinkUser;
use rand::distributions::{Alphanumeric, DistString};
use sha2::{Digest, Sha256};
use sqlx::AnyPool;
use tower_cookies::Cookies;

/// How long a session lasts.
pub const LIFETIME_SECS: u64 = 30 * 24 * 60 * 60;
/// The cookie's name, before the `__Host-` prefix of a secure server.
pub const COOKIE: &str = "plaid_link_session";

/// Where sessions are kept, put in every API request's extensions (`lib.rs`).
#[derive(Clone)]
pub struct Sessions {
    pub db: AnyPool,
    pub secure: bool,
}

/// A live session: the user id Plaid knows it by, which owns its items.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    pub plaid_user_id: String,
}

impl LinkUser for Session {
    fn plaid_user_id(&self) -> String {
        self.plaid_user_id.clone()
    }
}

impl FromRequestParts<()> for Session {
    type Rejection = StatusCode;

    async fn from_request_parts(parts: &mut Parts, _: &()) -> Result<Self, StatusCode> {
        let sessions =
            parts.extensions.get::<Sessions>().cloned().ok_or(StatusCode::INTERNAL_SERVER_ERROR)?;
        let cookies = Cookies::from_request_parts(parts, &()).await.map_err(|(status, _)| status)?;
        let name = crate::cookies::name(COOKIE, sessions.secure);
        if let Some(id) = cookies.get(&name).map(|c| c.value().to_owned()).filter(|v| well_formed(v)) {
            match find(&sessions.db, &hash(&id), unix_now()).await {
                Ok(Some(plaid_user_id)) => return Ok(Self { plaid_user_id }),
                Ok(None) => {}
                Err(_) => return Err(StatusCode::SERVICE_UNAVAILABLE),
            }
        }
        // A page that only reads, before it has a session, owns nothing: an id of its own that owns
        // no item, and no session (starting one here would race the link token's request, and the
        // page would keep whichever cookie came last).
        if parts.method == Method::GET {
            return Ok(Self { plaid_user_id: format!("visitor-{}", random(24)) });
        }
        if !parts.uri.path().ends_with("/link_token") {
            return Err(StatusCode::UNAUTHORIZED);
        }
        let id = random(32);
        let plaid_user_id = format!("user-{}", random(24));
        start(&sessions.db, &hash(&id), &plaid_user_id, unix_now(), LIFETIME_SECS)
            .await
            .map_err(|_| StatusCode::SERVICE_UNAVAILABLE)?;
        cookies.add(crate::cookies::build(COOKIE, id, sessions.secure, Some(LIFETIME_SECS)));
        Ok(Self { plaid_user_id })
    }
}

fn random(n: usize) -> String {
    Alphanumeric.sample_string(&mut rand::thread_rng(), n)
}

fn well_formed(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

fn hash(id: &str) -> Vec<u8> {
    Sha256::digest(id.as_bytes()).to_vec()
}

fn unix_now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// Records a new session, and forgets the expired ones.
pub async fn start(
    db: &AnyPool,
    id_hash: &[u8],
    plaid_user_id: &str,
    now: u64,
    lifetime: u64,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE expires_at <= $1").bind(int(now)).execute(db).await?;
    sqlx::query("INSERT INTO sessions (id_hash, plaid_user_id, expires_at) VALUES ($1, $2, $3)")
        .bind(id_hash.to_vec())
        .bind(plaid_user_id)
        .bind(int(now + lifetime))
        .execute(db)
        .await?;
    Ok(())
}

/// The Plaid user id of a live session.
pub async fn find(db: &AnyPool, id_hash: &[u8], now: u64) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT plaid_user_id FROM sessions WHERE id_hash = $1 AND expires_at > $2")
        .bind(id_hash.to_vec())
        .bind(int(now))
        .fetch_optional(db)
        .await
}

/// Brings the sessions table up to date, beside the library's tables; its migrations are recorded
/// in a table of its own.
pub async fn migrate(db: &AnyPool) -> Result<(), sqlx::migrate::MigrateError> {
    let mut migrations = sqlx::migrate!();
    migrations.dangerous_set_table_name("plaid_link_dev_migrations");
    migrations.run(db).await
}

/// Integers are BIGINT in the schema, so that both engines read them as `i64`.
fn int(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}
