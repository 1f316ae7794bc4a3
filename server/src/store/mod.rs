//! What the server half keeps, and for how long, in the app's SQLite or PostgreSQL database (its
//! tables prefixed `plaid_link_`):
//!
//! - items, for as long as they are connected (`items.rs`): each access token encrypted with
//!   AES-256-GCM under the app's key (`keys.rs`), with the key's id, bound to the item, its owner
//!   and the Plaid environment. Only rows of the running environment are used: one database used by
//!   a sandbox and a production server in turn must not mix their tokens;
//! - a key check per key (`key_check.rs`), so that a server started with the wrong key refuses to
//!   start instead of writing rows nobody can read with the others;
//! - idempotency keys of exchange requests, for an hour (`claims.rs`, `idempotency.rs`);
//! - whom each link token was made for (by its hash), for 5 hours, and a claim per public token
//!   (`link_sessions.rs`): what Multi-Item Link and Identity Verification sessions need.
//!
//! One set of migrations (`migrations/`, recorded in `plaid_link_migrations` so that the app's own
//! sqlx migrations are left alone) and one set of queries serve both engines (sqlx's `Any` driver):
//! the SQL is what both speak (`$1` parameters, `ON CONFLICT`), and every statement that decides
//! something between instances is a single conditional write, not a read then a write.

mod claims;
mod items;
mod key_check;
mod link_sessions;

use sqlx::any::AnyPoolOptions;
use sqlx::AnyPool;

pub use claims::{Claim, ClaimRules};
pub use items::{OwnedItem, StoredItem};

use crate::keys::TokenKeys;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the database could not be reached ({0}): is it running, and is DATABASE_URL right?")]
    Unreachable(sqlx::Error),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("database migration: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("the access token could not be encrypted or decrypted")]
    Crypto,
    #[error("item {item_id} belongs to the {stored} environment, not {running}")]
    OtherEnvironment { item_id: String, stored: String, running: &'static str },
    #[error("the database holds items encrypted under key {0}, which is neither the current token key nor one of the previous ones (TOKEN_ENCRYPTION_KEY, TOKEN_ENCRYPTION_PREVIOUS_KEYS in the reference backend): refusing to start with the wrong key")]
    UnknownKey(String),
}

/// Where the backend keeps its state: `postgres://…`, `sqlite:…`, or a SQLite file's path.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl(String);

impl DatabaseUrl {
    pub fn parse(value: &str) -> Self {
        if ["postgres:", "postgresql:", "sqlite:"].iter().any(|scheme| value.starts_with(scheme)) {
            Self(value.to_owned())
        } else {
            // A path, as `PLAID_LINK_DB` has always been: created when missing.
            Self(format!("sqlite://{value}?mode=rwc"))
        }
    }

    pub fn is_postgres(&self) -> bool {
        self.0.starts_with("postgres")
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Never printed whole: a PostgreSQL URL may hold a password.
impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.is_postgres() { "postgres://…" } else { &self.0 })
    }
}

pub struct Store {
    db: AnyPool,
    keys: TokenKeys,
    /// The Plaid environment this backend runs against (`PLAID_ENV`).
    environment: &'static str,
}

impl Store {
    /// Connects, brings the schema up to date, and checks the keys against the database.
    pub async fn open(
        url: &DatabaseUrl,
        keys: TokenKeys,
        environment: &'static str,
    ) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        // SQLite writes one at a time whatever the pool: one connection spares its own connections
        // waiting on each other's locks (measured: 97 sessions/s in the load test, 74 with four).
        let connections = if url.is_postgres() { 10 } else { 1 };
        let db = AnyPoolOptions::new()
            .max_connections(connections)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect(url.as_str())
            .await
            .map_err(StoreError::Unreachable)?;
        Self::on_pool(db, keys, environment).await
    }

    /// The same, on a pool the app already has (sqlx's `Any` driver): the tables sit beside the
    /// app's own. Give it an `acquire_timeout` of a few seconds ([`ACQUIRE_TIMEOUT`]): with sqlx's
    /// 30 s, a database outage holds each request past the browser's patience.
    pub async fn on_pool(
        db: AnyPool,
        keys: TokenKeys,
        environment: &'static str,
    ) -> Result<Self, StoreError> {
        let mut migrations = sqlx::migrate!();
        // Beside the app's own sqlx migrations, which must neither see these nor be seen by them.
        migrations.dangerous_set_table_name(MIGRATIONS_TABLE);
        migrations.run(&db).await?;
        key_check::check(&db, &keys).await?;
        Ok(Self { db, keys, environment })
    }

    /// The pool, for an app's own tables in the same database.
    pub fn pool(&self) -> &AnyPool {
        &self.db
    }

    /// Closes the connections (a test's database can then be dropped).
    pub async fn close(&self) {
        self.db.close().await;
    }
}

/// How long a request waits for a connection before it is answered 503 (sqlx's default, 30 s, is
/// longer than the browser waits): an outage is told at once, and retried.
pub const ACQUIRE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(3);

/// Where this crate records its migrations.
const MIGRATIONS_TABLE: &str = "plaid_link_migrations";

/// Integers are BIGINT in the schema, so that both engines read them as `i64`.
fn int(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}
