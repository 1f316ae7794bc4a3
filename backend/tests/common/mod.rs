//! What the backend's tests share: a backend (with the stand-in) on a free loopback port, and the
//! requests a page and Link send it.
#![allow(dead_code, unused_imports)] // each test file uses its own share

mod outage;
mod process;
mod sessions;

use std::sync::Arc;

use plaid_link_backend::config::Config;
use plaid_link_backend::Server;
use plaid_link_standin::Standin;
use serde_json::{json, Value};

pub use outage::Relay;
pub use process::{certificate, link_through, request_lines, Process};

/// A test's database: a SQLite file of its own, or a database of its own in the PostgreSQL cluster
/// that `scripts/with-postgres.sh` started for the test run.
#[derive(Clone, Debug)]
pub enum TestDb {
    Sqlite(std::path::PathBuf),
    Postgres(String),
}

impl TestDb {
    pub fn sqlite() -> Self {
        Self::Sqlite(std::env::temp_dir().join(format!("plaid-link-test-{}.db", rand_suffix())))
    }

    /// A fresh database in the test run's cluster.
    pub async fn postgres() -> Self {
        use sqlx::Connection;
        let Ok(admin) = std::env::var("PLAID_LINK_TEST_POSTGRES") else {
            panic!(
                "PostgreSQL tests need a cluster: run `make test`, or `scripts/with-postgres.sh cargo test`"
            );
        };
        let name = format!("plaid_link_test_{}", rand_suffix());
        let mut connection = sqlx::PgConnection::connect(&admin).await.unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut connection)
            .await
            .unwrap();
        let base = admin.rsplit_once('/').unwrap().0;
        Self::Postgres(format!("{base}/{name}"))
    }

    /// What `DATABASE_URL` says.
    pub fn url(&self) -> String {
        match self {
            Self::Sqlite(path) => path.display().to_string(),
            Self::Postgres(url) => url.clone(),
        }
    }

    /// The store on it, as another instance (or `plaid-link-dev items`) sees it.
    pub async fn store(&self, keys: plaid_link_backend::keys::TokenKeys) -> plaid_link_backend::store::Store {
        let url = plaid_link_backend::store::DatabaseUrl::parse(&self.url());
        plaid_link_backend::store::Store::open(&url, keys, "local").await.unwrap()
    }

    /// A connection of its own, for a test to change the database behind the backend's back.
    pub async fn connect(&self) -> sqlx::AnyConnection {
        use sqlx::Connection;
        sqlx::any::install_default_drivers();
        let url = plaid_link_backend::store::DatabaseUrl::parse(&self.url());
        sqlx::AnyConnection::connect(url.as_str()).await.unwrap()
    }
}

pub struct Running {
    pub base: String,
    /// Plaid's base URL as this backend uses it: its own `/plaid`, or a stand-in started apart.
    pub plaid_base: String,
    pub standin: Arc<Standin>,
    pub http: reqwest::Client,
    pub db: TestDb,
}

impl Drop for Running {
    fn drop(&mut self) {
        if let TestDb::Sqlite(path) = &self.db {
            let _ = std::fs::remove_file(path);
        }
    }
}

pub async fn start() -> Running {
    start_on(TestDb::sqlite()).await
}

/// A backend on this database: two of them on one database are two instances sharing it.
pub async fn start_on(db: TestDb) -> Running {
    start_with(db, &[]).await
}

/// A backend on this database, with these settings besides the test's own.
pub async fn start_with(db: TestDb, settings: &[(&str, &str)]) -> Running {
    start_with_standin(db, settings, None).await
}

/// The same, with a stand-in started apart (`PLAID_BASE_URL` names it): the backend hosts none.
pub async fn start_with_standin(
    db: TestDb,
    settings: &[(&str, &str)],
    apart: Option<Arc<Standin>>,
) -> Running {
    let db_text = db.url();
    let settings: Vec<(String, String)> =
        settings.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    let config = Config::from_lookup(|name| match name {
        name if settings.iter().any(|(k, _)| k == name) => {
            settings.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
        }
        "PLAID_ENV" => Some("local".into()),
        "TOKEN_ENCRYPTION_KEY" => Some(TEST_KEY_BASE64.into()),
        "PLAID_LINK_ADDR" => Some("127.0.0.1:0".into()),
        "DATABASE_URL" => Some(db_text.clone()),
        _ => None,
    })
    .unwrap();
    let server = Server::bind(&config).await.unwrap();
    let base = format!("http://{}", server.addr);
    let standin = server.standin.clone().or(apart).expect("a stand-in, hosted or apart");
    let plaid_base = config.plaid_base_url(server.addr);
    tokio::spawn(server.run());
    let http = reqwest::Client::new();
    Running { base, plaid_base, standin, http, db }
}

/// A stand-in served on its own, as Plaid is: backends reach it at the URL returned.
pub async fn standin_apart(config: plaid_link_standin::StandinConfig) -> (Arc<Standin>, String) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let standin = Arc::new(Standin::new(config));
    let app = plaid_link_standin::router(standin.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (standin, url)
}

/// A number no other test of the run has at the same time, for its database's and files' names:
/// the process (test binaries may run at once), then a counter (tests of one binary start together,
/// often within one tick of the clock: two of them once shared a SQLite file, and one got 503s),
/// then the clock's low bits (a later process may reuse the pid).
pub fn rand_suffix() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let count = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed) & 0xFFFF;
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64;
    (u64::from(std::process::id()) << 40) | (count << 24) | (nanos & 0xFF_FFFF)
}

pub const CREDS: (&str, &str) = ("local-client-id", "local-secret");
/// Every test backend's token key (base64 of 32 bytes of 7), so that a test can open its database.
pub const TEST_KEY_BASE64: &str = "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=";
/// What a page served by the backend carries: the CSRF cookie and the same token for the header.
pub const CSRF: &str = "csrfcsrfcsrfcsrfcsrfcsrfcsrfcsrfcsrfcsrf";

impl Running {
    pub async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        let response = self.http.post(format!("{}{path}", self.base)).json(&body).send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    pub async fn plaid(&self, path: &str, mut body: Value) -> (u16, Value) {
        body["client_id"] = CREDS.0.into();
        body["secret"] = CREDS.1.into();
        self.to_plaid(path, body).await
    }

    /// A request to Plaid (the stand-in), as Link or a backend sends it.
    pub async fn to_plaid(&self, path: &str, body: Value) -> (u16, Value) {
        let response = self.http.post(format!("{}{path}", self.plaid_base)).json(&body).send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    pub async fn link_token(&self) -> String {
        let (status, body) = self
            .plaid(
                "/link/token/create",
                json!({"client_name": "t", "language": "en", "country_codes": ["US"],
                       "user": {"client_user_id": "u1"}, "products": ["transactions"]}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        body["link_token"].as_str().unwrap().to_owned()
    }

    /// What the Link stand-in does after a good login: returns a public token.
    pub async fn public_token(&self, link_token: &str) -> String {
        self.public_token_sharing(link_token, usize::MAX).await
    }

    /// The same, with the user sharing only the first `n` accounts.
    pub async fn public_token_sharing(&self, link_token: &str, n: usize) -> String {
        let (status, body) = self
            .to_plaid(
                "/link/credentials",
                json!({"link_token": link_token, "institution_id": "ins_109508",
                       "username": "user_good", "password": "pass_good"}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        let accounts: Vec<Value> = body["accounts"].as_array().unwrap().iter().take(n).cloned().collect();
        let (status, body) = self
            .to_plaid(
                "/link/complete",
                json!({"link_token": link_token, "institution_id": "ins_109508", "accounts": accounts}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        body["public_token"].as_str().unwrap().to_owned()
    }
}

impl Running {
    /// What `plaid-link-dev items` prints.
    pub async fn items(&self) -> Vec<plaid_link_backend::store::StoredItem> {
        self.store().await.items().await.unwrap()
    }

    /// `POST /api/link_token` as a page fresh from the server sends it (its CSRF cookie, no session).
    pub async fn link_token_request(&self) -> reqwest::Response {
        self.link_token_request_with("").await
    }

    /// The same, with these cookies besides the CSRF one (`name=value; `).
    pub async fn link_token_request_with(&self, cookies: &str) -> reqwest::Response {
        self.http
            .post(format!("{}/api/link_token", self.base))
            .header("content-type", "application/json")
            .header("cookie", format!("{cookies}plaid_link_csrf={CSRF}"))
            .header("x-csrf-token", CSRF)
            .body("{}")
            .send()
            .await
            .unwrap()
    }

    /// A browser session (its cookie) whose Link session produced a public token.
    pub async fn browser_session_with_public_token(&self) -> (String, String) {
        let response = self.link_token_request().await;
        assert_eq!(response.status(), 200);
        let cookie = response.headers()["set-cookie"].to_str().unwrap().to_owned();
        let session = cookie.split(';').next().unwrap().to_owned();
        let body: Value = response.json().await.unwrap();
        let public_token = self.public_token(body["link_token"].as_str().unwrap()).await;
        (session, public_token)
    }

    /// `POST /api/exchange_public_token` as the page sends it.
    pub async fn exchange(&self, session: &str, public_token: &str, key: Option<&str>) -> (u16, Value) {
        let mut request = self
            .http
            .post(format!("{}/api/exchange_public_token", self.base))
            .header("content-type", "application/json")
            .header("cookie", format!("{session}; plaid_link_csrf={CSRF}"))
            .header("x-csrf-token", CSRF)
            .body(
                json!({"public_token": public_token, "institution": {"institution_id": "ins_109508", "name": "First Platypus Bank"},
                       "accounts": [], "link_session_id": "s"})
                .to_string(),
            );
        if let Some(key) = key {
            request = request.header("idempotency-key", key);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }
}

pub fn assert_plaid_error(status: u16, body: &Value, expected_status: u16, error_type: &str, code: &str) {
    assert_eq!(status, expected_status, "{body}");
    assert_eq!(body["error_type"], error_type, "{body}");
    assert_eq!(body["error_code"], code, "{body}");
    assert!(body["error_message"].is_string());
    assert!(body.get("display_message").is_some(), "display_message is present, possibly null");
    assert!(body["request_id"].as_str().is_some_and(|r| !r.is_empty()));
    for field in ["documentation_url", "suggested_action"] {
        assert!(body.get(field).is_some(), "{field} is present, possibly null: {body}");
    }
    assert!(body["causes"].is_array(), "{body}");
}

impl Running {
    /// The backend's database, as another process sees it.
    pub async fn store(&self) -> plaid_link_backend::store::Store {
        self.db.store(plaid_link_backend::keys::TokenKeys::new(&[7; 32], &[])).await
    }
}

/// Asserts that `value` has every one of `fields` (null allowed), as Plaid's SDKs expect.
pub fn assert_fields(value: &Value, fields: &[&str], what: &str) {
    for field in fields {
        assert!(value.get(*field).is_some(), "{what} lacks {field}: {value}");
    }
}

impl Running {
    /// The access token the backend stored for its only item, and that item's id.
    pub async fn stored_item(&self) -> (String, String) {
        let store = self.store().await;
        let items = store.items().await.unwrap();
        let item_id = items.last().unwrap().item_id.clone();
        (store.access_token(&item_id).await.unwrap().unwrap(), item_id)
    }

    /// Waits (bounded) until the stored item's status is `status`: webhooks arrive asynchronously.
    pub async fn item_status_becomes(&self, item_id: &str, status: &str) {
        for _ in 0..200 {
            let items = self.items().await;
            if items.iter().any(|i| i.item_id == item_id && i.status == status) {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        panic!("item {item_id} never became {status}");
    }
}

impl Running {
    /// A call to the reference API as the page makes it: the session's cookie and the CSRF token.
    pub async fn api(
        &self,
        method: reqwest::Method,
        path: &str,
        session: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header("cookie", format!("{session}; plaid_link_csrf={CSRF}"))
            .header("x-csrf-token", CSRF);
        if let Some(body) = body {
            request = request.header("content-type", "application/json").body(body.to_string());
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// A session with one connected item; its cookie and the item's id.
    pub async fn session_with_item(&self) -> (String, String) {
        let (session, public_token) = self.browser_session_with_public_token().await;
        let (status, body) = self.exchange(&session, &public_token, None).await;
        assert_eq!(status, 200, "{body}");
        (session, body["item_id"].as_str().unwrap().to_owned())
    }

    /// What the Link stand-in does in update mode: signs in at the item's bank, and completes with
    /// the accounts `choose` picks from those offered. Gives the offered accounts.
    pub async fn update_through_link(
        &self,
        link_token: &str,
        choose: impl Fn(&[Value]) -> Vec<Value>,
    ) -> Vec<Value> {
        let (status, session) = self.to_plaid("/link/session", json!({"link_token": link_token})).await;
        assert_eq!(status, 200);
        let institution = session["update"]["institution"]["institution_id"].as_str().unwrap().to_owned();
        let (status, body) = self
            .to_plaid(
                "/link/credentials",
                json!({"link_token": link_token, "institution_id": institution,
                       "username": "user_good", "password": "pass_good"}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        let offered = body["accounts"].as_array().unwrap().clone();
        let (status, body) = self
            .to_plaid(
                "/link/complete",
                json!({"link_token": link_token, "institution_id": institution, "accounts": choose(&offered)}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        offered
    }
}

impl Running {
    /// A link token from the stand-in, with `extra` fields in the request.
    pub async fn link_token_with(&self, extra: Value) -> (u16, Value) {
        let mut body = json!({"client_name": "t", "language": "en", "country_codes": ["US"],
                              "user": {"client_user_id": "u1"}, "products": ["transactions"]});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        self.plaid("/link/token/create", body).await
    }
}
