//! The Plaid stand-in and the reference backend, over HTTP on a loopback port.

use std::sync::Arc;

use plaid_link_backend::config::Config;
use plaid_link_backend::standin::Standin;
use plaid_link_backend::Server;
use serde_json::{json, Value};

struct Running {
    base: String,
    standin: Arc<Standin>,
    http: reqwest::Client,
    db: std::path::PathBuf,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.db);
    }
}

async fn start() -> Running {
    start_on(std::env::temp_dir().join(format!("plaid-standin-{}.db", rand_suffix()))).await
}

/// A backend on this database file: two of them on one file are two processes sharing it.
async fn start_on(db: std::path::PathBuf) -> Running {
    start_with(db, &[]).await
}

/// A backend on this database file, with these settings besides the test's own.
async fn start_with(db: std::path::PathBuf, settings: &[(&str, &str)]) -> Running {
    let db_text = db.display().to_string();
    let settings: Vec<(String, String)> =
        settings.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    let config = Config::from_lookup(|name| match name {
        name if settings.iter().any(|(k, _)| k == name) => {
            settings.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
        }
        "PLAID_ENV" => Some("local".into()),
        "TOKEN_ENCRYPTION_KEY" => Some(TEST_KEY_BASE64.into()),
        "PLAID_LINK_ADDR" => Some("127.0.0.1:0".into()),
        "PLAID_LINK_DB" => Some(db_text.clone()),
        _ => None,
    })
    .unwrap();
    let server = Server::bind(&config).await.unwrap();
    let base = format!("http://{}", server.addr);
    let standin = server.standin.clone().unwrap();
    tokio::spawn(server.run());
    let http = reqwest::Client::new();
    Running { base, standin, http, db }
}

fn rand_suffix() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64
        ^ (std::process::id() as u64) << 32
}

const CREDS: (&str, &str) = ("local-client-id", "local-secret");
/// Every test backend's token key (base64 of 32 bytes of 7), so that a test can open its database.
const TEST_KEY_BASE64: &str = "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=";
/// What a page served by the backend carries: the CSRF cookie and the same token for the header.
const CSRF: &str = "csrfcsrfcsrfcsrfcsrfcsrfcsrfcsrfcsrfcsrf";

impl Running {
    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        let response = self.http.post(format!("{}{path}", self.base)).json(&body).send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn plaid(&self, path: &str, mut body: Value) -> (u16, Value) {
        body["client_id"] = CREDS.0.into();
        body["secret"] = CREDS.1.into();
        self.post(&format!("/plaid{path}"), body).await
    }

    async fn link_token(&self) -> String {
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
    async fn public_token(&self, link_token: &str) -> String {
        self.public_token_sharing(link_token, usize::MAX).await
    }

    /// The same, with the user sharing only the first `n` accounts.
    async fn public_token_sharing(&self, link_token: &str, n: usize) -> String {
        let (status, body) = self
            .post(
                "/plaid/link/credentials",
                json!({"link_token": link_token, "institution_id": "ins_109508",
                       "username": "user_good", "password": "pass_good"}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        let accounts: Vec<Value> = body["accounts"].as_array().unwrap().iter().take(n).cloned().collect();
        let (status, body) = self
            .post(
                "/plaid/link/complete",
                json!({"link_token": link_token, "institution_id": "ins_109508", "accounts": accounts}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        body["public_token"].as_str().unwrap().to_owned()
    }
}

impl Running {
    /// What `plaid-link-dev items` prints.
    fn items(&self) -> Vec<plaid_link_backend::store::StoredItem> {
        self.store().items().unwrap()
    }

    /// `POST /api/link_token` as a page fresh from the server sends it (its CSRF cookie, no session).
    async fn link_token_request(&self) -> reqwest::Response {
        self.http
            .post(format!("{}/api/link_token", self.base))
            .header("content-type", "application/json")
            .header("cookie", format!("plaid_link_csrf={CSRF}"))
            .header("x-csrf-token", CSRF)
            .body("{}")
            .send()
            .await
            .unwrap()
    }

    /// A browser session (its cookie) whose Link session produced a public token.
    async fn browser_session_with_public_token(&self) -> (String, String) {
        let response = self.link_token_request().await;
        assert_eq!(response.status(), 200);
        let cookie = response.headers()["set-cookie"].to_str().unwrap().to_owned();
        let session = cookie.split(';').next().unwrap().to_owned();
        let body: Value = response.json().await.unwrap();
        let public_token = self.public_token(body["link_token"].as_str().unwrap()).await;
        (session, public_token)
    }

    /// `POST /api/exchange_public_token` as the page sends it.
    async fn exchange(&self, session: &str, public_token: &str, key: Option<&str>) -> (u16, Value) {
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

fn assert_plaid_error(status: u16, body: &Value, expected_status: u16, error_type: &str, code: &str) {
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

#[tokio::test]
async fn link_token_has_plaids_shape() {
    let s = start().await;
    let (status, body) = s
        .plaid(
            "/link/token/create",
            json!({"client_name": "t", "language": "en", "country_codes": ["US"],
                   "user": {"client_user_id": "u1"}, "products": ["auth"]}),
        )
        .await;
    assert_eq!(status, 200);
    assert!(body["link_token"].as_str().unwrap().starts_with("link-sandbox-"));
    assert!(body["expiration"].as_str().unwrap().ends_with('Z'));
    assert!(body["request_id"].is_string());
}

#[tokio::test]
async fn the_stand_in_answers_no_other_origin() {
    // Link's script calls the stand-in from the page's own origin; nothing needs CORS, so none is
    // granted, and a page elsewhere cannot drive it through a visitor's browser.
    let s = start().await;
    let institutions = s
        .http
        .get(format!("{}/plaid/link/institutions", s.base))
        .header("origin", "https://elsewhere.example")
        .send()
        .await
        .unwrap();
    assert_eq!(institutions.status(), 200);
    assert!(institutions.headers().get("access-control-allow-origin").is_none());
    let preflight = s
        .http
        .request(reqwest::Method::OPTIONS, format!("{}/plaid/link/complete", s.base))
        .header("origin", "https://elsewhere.example")
        .header("access-control-request-method", "POST")
        .send()
        .await
        .unwrap();
    assert!(preflight.headers().get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn credentials_are_checked_in_the_body_or_in_headers() {
    let s = start().await;
    let request = json!({"client_name": "t", "language": "en", "country_codes": ["US"],
                         "user": {"client_user_id": "u1"}, "products": ["auth"]});
    let (status, body) = s.post("/plaid/link/token/create", request.clone()).await;
    assert_plaid_error(status, &body, 400, "INVALID_REQUEST", "MISSING_FIELDS");

    let mut wrong = request.clone();
    wrong["client_id"] = CREDS.0.into();
    wrong["secret"] = "nope".into();
    let (status, body) = s.post("/plaid/link/token/create", wrong).await;
    assert_plaid_error(status, &body, 400, "INVALID_INPUT", "INVALID_API_KEYS");

    let response = s
        .http
        .post(format!("{}/plaid/link/token/create", s.base))
        .header("PLAID-CLIENT-ID", CREDS.0)
        .header("PLAID-SECRET", CREDS.1)
        .json(&request)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn wrong_bank_credentials_give_invalid_credentials() {
    let s = start().await;
    let link_token = s.link_token().await;
    let (status, body) = s
        .post(
            "/plaid/link/credentials",
            json!({"link_token": link_token, "institution_id": "ins_109508",
                   "username": "user_good", "password": "wrong"}),
        )
        .await;
    assert_plaid_error(status, &body, 400, "ITEM_ERROR", "INVALID_CREDENTIALS");
    assert!(body["display_message"].is_string());
}

#[tokio::test]
async fn public_token_exchanges_once_for_an_access_token_that_reads_and_removes_the_item() {
    let s = start().await;
    let link_token = s.link_token().await;
    let public_token = s.public_token(&link_token).await;
    assert!(public_token.starts_with("public-sandbox-"));

    let (status, body) = s.plaid("/item/public_token/exchange", json!({"public_token": public_token})).await;
    assert_eq!(status, 200, "{body}");
    let access_token = body["access_token"].as_str().unwrap().to_owned();
    assert!(access_token.starts_with("access-sandbox-"));
    assert!(body["item_id"].is_string());

    let (status, again) = s.plaid("/item/public_token/exchange", json!({"public_token": public_token})).await;
    assert_plaid_error(status, &again, 400, "INVALID_INPUT", "INVALID_PUBLIC_TOKEN");

    let (status, accounts) = s.plaid("/accounts/get", json!({"access_token": access_token})).await;
    assert_eq!(status, 200, "{accounts}");
    assert_eq!(accounts["accounts"].as_array().unwrap().len(), 3);
    assert_eq!(accounts["item"]["item_id"], body["item_id"]);
    assert_eq!(accounts["item"]["institution_id"], "ins_109508");

    let (status, _) = s.plaid("/item/remove", json!({"access_token": access_token})).await;
    assert_eq!(status, 200);
    let (status, gone) = s.plaid("/accounts/get", json!({"access_token": access_token})).await;
    assert_plaid_error(status, &gone, 400, "ITEM_ERROR", "ITEM_NOT_FOUND");
    let (status, never) =
        s.plaid("/accounts/get", json!({"access_token": "access-sandbox-never-issued"})).await;
    assert_plaid_error(status, &never, 400, "INVALID_INPUT", "INVALID_ACCESS_TOKEN");
}

#[tokio::test]
async fn public_token_expires_after_thirty_minutes() {
    let s = start().await;
    let link_token = s.link_token().await;
    let public_token = s.public_token(&link_token).await;
    s.standin.advance_clock(30 * 60 + 1);
    let (status, body) = s.plaid("/item/public_token/exchange", json!({"public_token": public_token})).await;
    assert_plaid_error(status, &body, 400, "INVALID_INPUT", "INVALID_PUBLIC_TOKEN");
}

#[tokio::test]
async fn link_token_expires_after_four_hours() {
    let s = start().await;
    let link_token = s.link_token().await;
    s.standin.advance_clock(4 * 60 * 60 - 60);
    s.public_token(&link_token).await;
    s.standin.advance_clock(120);
    let (status, body) = s
        .post(
            "/plaid/link/credentials",
            json!({"link_token": link_token, "institution_id": "ins_109508",
                   "username": "user_good", "password": "pass_good"}),
        )
        .await;
    assert_plaid_error(status, &body, 400, "INVALID_INPUT", "INVALID_LINK_TOKEN");
}

#[tokio::test]
async fn reference_backend_answers_only_the_item_id_and_keeps_the_access_token() {
    let s = start().await;
    let response = s.link_token_request().await;
    assert_eq!(response.status(), 200);
    let cookie = response.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "{cookie}");
    let session = cookie.split(';').next().unwrap().to_owned();
    let body: Value = response.json().await.unwrap();
    let public_token = s.public_token(body["link_token"].as_str().unwrap()).await;

    let exchange = |cookie: Option<String>, token: String| {
        let request = s
            .http
            .post(format!("{}/api/exchange_public_token", s.base))
            .header("content-type", "application/json")
            .body(
                json!({"public_token": token, "institution": {"institution_id": "ins_109508", "name": "First Platypus Bank"},
                       "accounts": [], "link_session_id": "s"})
                .to_string(),
            );
        let csrf = format!("plaid_link_csrf={CSRF}");
        let cookies = cookie.map_or(csrf.clone(), |session: String| format!("{session}; {csrf}"));
        request.header("cookie", cookies).header("x-csrf-token", CSRF).send()
    };
    let without_session = exchange(None, public_token.clone()).await.unwrap();
    assert_eq!(without_session.status(), 401);

    // A production token sent to a backend of another environment is refused before Plaid is asked.
    let production = public_token.replace("public-sandbox-", "public-production-");
    let other_environment = exchange(Some(session.clone()), production).await.unwrap();
    assert_eq!(other_environment.status(), 400);
    let refused: Value = other_environment.json().await.unwrap();
    assert!(refused["error"].as_str().unwrap().contains("different Plaid environment"), "{refused}");
    assert_eq!(s.standin.exchanges(), 0);

    let response = exchange(Some(session), public_token).await.unwrap();
    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap();
    let body: Value = serde_json::from_str(&text).unwrap();
    assert!(body["item_id"].is_string());
    assert!(!text.contains("access-"), "the access token must never reach the browser: {text}");
    assert_eq!(s.standin.exchanges(), 1);
}

#[tokio::test]
async fn reference_backend_refuses_non_json_requests() {
    let s = start().await;
    let response = s
        .http
        .post(format!("{}/api/link_token", s.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("a=b")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 415);
}

#[tokio::test]
async fn reference_backend_wants_the_pages_csrf_token() {
    let s = start().await;
    let call = |cookie: Option<&str>, header: Option<&str>| {
        let mut request = s
            .http
            .post(format!("{}/api/link_token", s.base))
            .header("content-type", "application/json")
            .body("{}");
        if let Some(cookie) = cookie {
            request = request.header("cookie", format!("plaid_link_csrf={cookie}"));
        }
        if let Some(header) = header {
            request = request.header("x-csrf-token", header);
        }
        request.send()
    };
    assert_eq!(call(None, None).await.unwrap().status(), 403);
    assert_eq!(call(Some(CSRF), None).await.unwrap().status(), 403);
    assert_eq!(call(None, Some(CSRF)).await.unwrap().status(), 403);
    let other = "x".repeat(40);
    assert_eq!(call(Some(CSRF), Some(&other)).await.unwrap().status(), 403);
    assert_eq!(call(Some(CSRF), Some(CSRF)).await.unwrap().status(), 200);
}

#[tokio::test]
async fn a_repeated_idempotency_key_exchanges_once_and_answers_the_same() {
    let s = start().await;
    let csrf = format!("plaid_link_csrf={CSRF}");
    let response = s
        .http
        .post(format!("{}/api/link_token", s.base))
        .header("content-type", "application/json")
        .header("cookie", &csrf)
        .header("x-csrf-token", CSRF)
        .body("{}")
        .send()
        .await
        .unwrap();
    let session = response.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
    let body: Value = response.json().await.unwrap();
    let public_token = s.public_token(body["link_token"].as_str().unwrap()).await;
    let exchange = |key: &'static str| {
        s.http
            .post(format!("{}/api/exchange_public_token", s.base))
            .header("content-type", "application/json")
            .header("cookie", format!("{session}; {csrf}"))
            .header("x-csrf-token", CSRF)
            .header("idempotency-key", key)
            .body(json!({"public_token": public_token, "institution": null, "accounts": [], "link_session_id": "s"}).to_string())
            .send()
    };
    let (first, second) = tokio::join!(exchange("key-1"), exchange("key-1"));
    let first: Value = first.unwrap().json().await.unwrap();
    let second: Value = second.unwrap().json().await.unwrap();
    assert!(first["item_id"].is_string(), "{first}");
    assert_eq!(first, second);
    assert_eq!(s.standin.exchanges(), 1);

    // Another key is another request: the token is spent, so Plaid refuses it.
    let third = exchange("key-2").await.unwrap();
    assert_eq!(third.status(), 400);
}

#[tokio::test]
async fn an_item_that_cannot_be_stored_is_removed_at_plaid_and_not_retried() {
    let s = start().await;
    // The database refuses every write, as a full disk would.
    let db = rusqlite::Connection::open(&s.db).unwrap();
    db.execute_batch(
        "CREATE TRIGGER refuse BEFORE INSERT ON items BEGIN SELECT RAISE(FAIL, 'disk full'); END;",
    )
    .unwrap();
    let (session, public_token) = s.browser_session_with_public_token().await;
    assert_eq!(s.standin.items(), 1, "Link made the item");
    let (status, body) = s.exchange(&session, &public_token, Some("key-1")).await;
    assert_eq!(status, 500, "{body}");
    assert_eq!(body["error"], "Your bank account could not be saved. Please connect it again.");
    assert_eq!(s.standin.exchanges(), 1, "Plaid was asked once");
    assert_eq!(s.standin.items(), 0, "the item was removed at Plaid, so it is not billed");
    // A 5xx is not kept under the key: the same request is worked on again, not answered from memory.
    let (status, body) = s.exchange(&session, &public_token, Some("key-1")).await;
    assert_eq!(status, 400, "the spent public token is refused by Plaid this time: {body}");
}

#[tokio::test]
async fn a_session_the_server_did_not_issue_is_not_accepted() {
    let s = start().await;
    let chosen = "plaid_link_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    let response = s
        .http
        .post(format!("{}/api/link_token", s.base))
        .header("content-type", "application/json")
        .header("cookie", format!("{chosen}; plaid_link_csrf={CSRF}"))
        .header("x-csrf-token", CSRF)
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let issued = response.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(!issued.contains("AAAAAAAA"), "the server issues its own session: {issued}");
    let (_, public_token) = s.browser_session_with_public_token().await;
    let (status, _) = s.exchange(chosen, &public_token, None).await;
    assert_eq!(status, 401, "a session the client chose is no session");
    assert_eq!(s.standin.exchanges(), 0);
}

#[tokio::test]
async fn plaid_the_database_and_the_item_list_never_see_a_session_id() {
    let s = start().await;
    let (session, public_token) = s.browser_session_with_public_token().await;
    let session_id = session.split_once('=').unwrap().1.to_owned();
    let (status, body) = s.exchange(&session, &public_token, None).await;
    assert_eq!(status, 200, "{body}");
    let users = s.standin.client_user_ids();
    assert_eq!(users.len(), 1);
    assert!(
        users[0].starts_with("user-") && users[0] != session_id,
        "Plaid is told a separate id: {users:?}"
    );
    let database = std::fs::read(&s.db).unwrap();
    assert!(!database.windows(session_id.len()).any(|w| w == session_id.as_bytes()), "session id stored");
    let listed = serde_json::to_string(&s.items()).unwrap();
    assert!(!listed.contains(&session_id), "{listed}");
    assert!(listed.contains(&users[0]), "the item belongs to Plaid's user id: {listed}");
}

impl Running {
    /// The backend's database, as another process sees it.
    fn store(&self) -> plaid_link_backend::store::Store {
        let keys = plaid_link_backend::keys::TokenKeys::new(&[7; 32], &[]);
        plaid_link_backend::store::Store::open(&self.db, keys, "local").unwrap()
    }
}

#[tokio::test]
async fn a_key_that_comes_back_with_another_body_is_refused() {
    let s = start().await;
    let (session, public_token) = s.browser_session_with_public_token().await;
    let (status, _) = s.exchange(&session, &public_token, Some("key-a")).await;
    assert_eq!(status, 200);
    let (_, other_token) = s.browser_session_with_public_token().await;
    let (status, body) = s.exchange(&session, &other_token, Some("key-a")).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(s.standin.exchanges(), 1, "the second body was not exchanged");
}

#[tokio::test]
async fn only_requests_that_validated_are_recorded() {
    let s = start().await;
    let (session, _) = s.browser_session_with_public_token().await;
    for key in ["k1", "k2", "k3"] {
        let (status, _) = s.exchange(&session, "not-a-public-token", Some(key)).await;
        assert_eq!(status, 400);
    }
    assert_eq!(s.store().idempotency_records().unwrap(), 0);
}

#[tokio::test]
async fn one_session_holds_a_bounded_number_of_keys() {
    let s = start().await;
    let (session, _) = s.browser_session_with_public_token().await;
    let max = plaid_link_backend::idempotency::MAX_PER_OWNER;
    let mut statuses = Vec::new();
    for i in 0..=max {
        // Valid in shape, unknown to Plaid: each is recorded, and answered 400 by Plaid.
        let token = format!("public-sandbox-{i:08}-0000-0000-0000-000000000000");
        statuses.push(s.exchange(&session, &token, Some(&format!("key-{i}"))).await.0);
    }
    assert!(statuses[..max as usize].iter().all(|&s| s == 400), "{statuses:?}");
    assert_eq!(statuses[max as usize], 429, "{statuses:?}");
    assert_eq!(s.store().idempotency_records().unwrap(), u64::from(max));
}

#[tokio::test]
async fn keys_survive_a_restart_and_are_shared_by_processes_on_one_database() {
    let first = start().await;
    let (session, public_token) = first.browser_session_with_public_token().await;
    let (status, answer) = first.exchange(&session, &public_token, Some("key-shared")).await;
    assert_eq!(status, 200);
    // Another process on the same file (or this one after a restart) knows the session and the key:
    // it answers from the record. Its own stand-in never saw the token, so an exchange would fail.
    let second = start_on(first.db.clone()).await;
    let (status, again) = second.exchange(&session, &public_token, Some("key-shared")).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again, answer);
    assert_eq!(second.standin.exchanges(), 0);
}

#[tokio::test]
async fn link_tokens_are_rate_limited_per_client_and_per_session() {
    let db = || std::env::temp_dir().join(format!("plaid-standin-{}.db", rand_suffix()));
    let link_token = |s: &Running, cookie: String| {
        s.http
            .post(format!("{}/api/link_token", s.base))
            .header("content-type", "application/json")
            .header("cookie", format!("{cookie}plaid_link_csrf={CSRF}"))
            .header("x-csrf-token", CSRF)
            .body("{}")
            .send()
    };
    // Per client: new sessions from one address, one after another.
    let s = start_with(db(), &[("PLAID_LINK_RATE_PER_CLIENT", "3")]).await;
    let mut statuses = Vec::new();
    for _ in 0..4 {
        statuses.push(link_token(&s, String::new()).await.unwrap().status().as_u16());
    }
    assert_eq!(statuses, [200, 200, 200, 429]);
    // Per session: one session asking again and again.
    let s = start_with(db(), &[("PLAID_LINK_RATE_PER_SESSION", "2")]).await;
    let first = link_token(&s, String::new()).await.unwrap();
    let session = first.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
    let second = link_token(&s, format!("{session}; ")).await.unwrap();
    let third = link_token(&s, format!("{session}; ")).await.unwrap();
    assert_eq!((second.status().as_u16(), third.status().as_u16()), (200, 429));
    let retry_after: u64 = third.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    let body: Value = third.json().await.unwrap();
    assert_eq!(body["error"], "Too many attempts. Please wait a moment, then try again.");
    assert_eq!(s.standin.client_user_ids().len(), 2, "the refused request never reached Plaid");
}

/// Asserts that `value` has every one of `fields` (null allowed), as Plaid's SDKs expect.
fn assert_fields(value: &Value, fields: &[&str], what: &str) {
    for field in fields {
        assert!(value.get(*field).is_some(), "{what} lacks {field}: {value}");
    }
}

#[tokio::test]
async fn the_stand_in_answers_in_plaids_documented_shapes() {
    let s = start().await;
    let public_token = s.public_token(&s.link_token().await).await;
    let (_, exchanged) = s.plaid("/item/public_token/exchange", json!({"public_token": public_token})).await;
    let access_token = exchanged["access_token"].as_str().unwrap().to_owned();
    const ITEM: &[&str] = &[
        "item_id",
        "institution_id",
        "webhook",
        "error",
        "available_products",
        "billed_products",
        "products",
        "consent_expiration_time",
        "update_type",
    ];
    const BALANCES: &[&str] =
        &["available", "current", "limit", "iso_currency_code", "unofficial_currency_code"];
    for path in ["/accounts/get", "/accounts/balance/get"] {
        let (status, body) = s.plaid(path, json!({"access_token": access_token})).await;
        assert_eq!(status, 200, "{path}: {body}");
        assert_fields(&body, &["accounts", "item", "request_id"], path);
        assert_fields(&body["item"], ITEM, path);
        for account in body["accounts"].as_array().unwrap() {
            assert_fields(
                account,
                &["account_id", "name", "official_name", "mask", "type", "subtype", "balances"],
                path,
            );
            assert_fields(&account["balances"], BALANCES, path);
        }
    }
    let (status, item) = s.plaid("/item/get", json!({"access_token": access_token})).await;
    assert_eq!(status, 200, "{item}");
    assert_fields(&item, &["item", "status", "request_id"], "/item/get");
    assert_fields(&item["item"], ITEM, "/item/get");
    // A required field missing is MISSING_FIELDS; a body that is not JSON is INVALID_BODY.
    let (status, missing) = s.plaid("/item/public_token/exchange", json!({})).await;
    assert_plaid_error(status, &missing, 400, "INVALID_REQUEST", "MISSING_FIELDS");
    assert!(missing["error_message"].as_str().unwrap().contains("public_token"), "{missing}");
    let response = s.http.post(format!("{}/plaid/item/get", s.base)).body("{not json").send().await.unwrap();
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap();
    assert_plaid_error(status, &body, 400, "INVALID_REQUEST", "INVALID_BODY");
}

impl Running {
    /// The access token the backend stored for its only item, and that item's id.
    fn stored_item(&self) -> (String, String) {
        let items = self.store().items().unwrap();
        let item_id = items.last().unwrap().item_id.clone();
        (self.store().access_token(&item_id).unwrap().unwrap(), item_id)
    }

    /// Waits (bounded) until the stored item's status is `status`: webhooks arrive asynchronously.
    async fn item_status_becomes(&self, item_id: &str, status: &str) {
        for _ in 0..200 {
            let items = self.store().items().unwrap();
            if items.iter().any(|i| i.item_id == item_id && i.status == status) {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        panic!("item {item_id} never became {status}");
    }
}

#[tokio::test]
async fn a_signed_webhook_marks_the_item_and_a_repaired_login_clears_it() {
    let s = start().await;
    let (session, public_token) = s.browser_session_with_public_token().await;
    assert_eq!(s.exchange(&session, &public_token, None).await.0, 200);
    let (access_token, item_id) = s.stored_item();
    let (status, _) = s.plaid("/sandbox/item/reset_login", json!({"access_token": access_token})).await;
    assert_eq!(status, 200);
    s.item_status_becomes(&item_id, "login_required").await;
    let (status, broken) = s.plaid("/accounts/get", json!({"access_token": access_token})).await;
    assert_plaid_error(status, &broken, 400, "ITEM_ERROR", "ITEM_LOGIN_REQUIRED");
    let (status, _) = s
        .plaid(
            "/sandbox/item/fire_webhook",
            json!({"access_token": access_token, "webhook_code": "LOGIN_REPAIRED"}),
        )
        .await;
    assert_eq!(status, 200);
    s.item_status_becomes(&item_id, "ok").await;
}

#[tokio::test]
async fn an_unverified_webhook_is_refused_and_changes_nothing() {
    let s = start().await;
    let (session, public_token) = s.browser_session_with_public_token().await;
    assert_eq!(s.exchange(&session, &public_token, None).await.0, 200);
    let (_, item_id) = s.stored_item();
    let body = json!({"webhook_type": "ITEM", "webhook_code": "ERROR", "item_id": item_id,
                      "error": {"error_code": "ITEM_LOGIN_REQUIRED"}})
    .to_string();
    let forged_header = |alg: &str| {
        use base64::Engine;
        let b64 = |v: Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
        format!("{}.{}.c2lnbmF0dXJl", b64(json!({"alg": alg, "kid": "unknown-kid"})), b64(json!({"iat": 0})))
    };
    for header in
        [None, Some("not a jwt".to_owned()), Some(forged_header("none")), Some(forged_header("ES256"))]
    {
        let mut request = s.http.post(format!("{}/api/webhooks/plaid", s.base)).body(body.clone());
        if let Some(header) = &header {
            request = request.header("plaid-verification", header);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 401, "{header:?}");
    }
    assert_eq!(s.store().items().unwrap()[0].status, "ok");
}

#[tokio::test]
async fn only_its_owner_can_unlink_an_item_and_plaid_removes_it() {
    let s = start().await;
    let (session, public_token) = s.browser_session_with_public_token().await;
    assert_eq!(s.exchange(&session, &public_token, None).await.0, 200);
    let (_, item_id) = s.stored_item();
    let (stranger, _) = s.browser_session_with_public_token().await;
    let delete = |cookie: &str| {
        s.http
            .delete(format!("{}/api/items/{item_id}", s.base))
            .header("cookie", format!("{cookie}; plaid_link_csrf={CSRF}"))
            .header("x-csrf-token", CSRF)
            .send()
    };
    assert_eq!(delete(&stranger).await.unwrap().status(), 404);
    assert_eq!(s.store().items().unwrap().len(), 1, "a stranger removes nothing");
    let items_at_plaid = s.standin.items();
    assert_eq!(delete(&session).await.unwrap().status(), 204);
    assert!(s.store().items().unwrap().is_empty());
    assert_eq!(s.standin.items(), items_at_plaid - 1, "removed at Plaid too");
    assert_eq!(delete(&session).await.unwrap().status(), 404);
}

#[tokio::test]
async fn a_client_that_never_finishes_its_tls_handshake_is_dropped() {
    use tokio::io::AsyncReadExt;
    // A certificate for this test, made as the end-to-end suite makes its own.
    let dir = std::env::temp_dir().join(format!("plaid-tls-{}", rand_suffix()));
    std::fs::create_dir_all(&dir).unwrap();
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    let made = std::process::Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "1",
        ])
        .args(["-subj", "/CN=127.0.0.1", "-keyout"])
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .unwrap();
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    let (cert, key) = (cert.display().to_string(), key.display().to_string());
    let db = dir.join("items.db");
    let s = start_with(
        db,
        &[
            ("PLAID_LINK_TLS_CERT", &cert),
            ("PLAID_LINK_TLS_KEY", &key),
            ("PLAID_LINK_TLS_HANDSHAKE_MS", "200"),
        ],
    )
    .await;
    let addr = s.base.trim_start_matches("http://").to_owned();
    let mut idle = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let mut buffer = [0u8; 16];
    // It sends nothing; the server closes the connection once the handshake time is up.
    let read = tokio::time::timeout(std::time::Duration::from_secs(10), idle.read(&mut buffer)).await;
    assert!(matches!(read, Ok(Ok(0)) | Ok(Err(_))), "the idle connection is still open: {read:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

impl Running {
    /// A call to the reference API as the page makes it: the session's cookie and the CSRF token.
    async fn api(
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
    async fn session_with_item(&self) -> (String, String) {
        let (session, public_token) = self.browser_session_with_public_token().await;
        let (status, body) = self.exchange(&session, &public_token, None).await;
        assert_eq!(status, 200, "{body}");
        (session, body["item_id"].as_str().unwrap().to_owned())
    }

    /// What the Link stand-in does in update mode: signs in at the item's bank, and completes with
    /// the accounts `choose` picks from those offered. Gives the offered accounts.
    async fn update_through_link(
        &self,
        link_token: &str,
        choose: impl Fn(&[Value]) -> Vec<Value>,
    ) -> Vec<Value> {
        let (status, session) = self.post("/plaid/link/session", json!({"link_token": link_token})).await;
        assert_eq!(status, 200);
        let institution = session["update"]["institution"]["institution_id"].as_str().unwrap().to_owned();
        let (status, body) = self
            .post(
                "/plaid/link/credentials",
                json!({"link_token": link_token, "institution_id": institution,
                       "username": "user_good", "password": "pass_good"}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        let offered = body["accounts"].as_array().unwrap().clone();
        let (status, body) = self
            .post(
                "/plaid/link/complete",
                json!({"link_token": link_token, "institution_id": institution, "accounts": choose(&offered)}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        offered
    }
}

#[tokio::test]
async fn update_mode_is_only_for_the_sessions_own_items_and_asks_plaid_nothing_otherwise() {
    let s = start().await;
    let (owner, item_id) = s.session_with_item().await;
    let (stranger, _) = s.session_with_item().await;
    let tokens_at_plaid = s.standin.client_user_ids().len();
    for (who, item) in [(&stranger, item_id.as_str()), (&owner, "no-such-item")] {
        let (status, body) =
            s.api(reqwest::Method::POST, "/api/link_token", who, Some(json!({"item_id": item}))).await;
        assert_eq!(status, 404, "{body}");
        assert!(body["error"].as_str().unwrap().contains("not found"));
    }
    assert_eq!(s.standin.client_user_ids().len(), tokens_at_plaid, "Plaid was asked nothing");
    let (status, body) =
        s.api(reqwest::Method::POST, "/api/link_token", &owner, Some(json!({"item_id": item_id}))).await;
    assert_eq!(status, 200, "{body}");
    let link_token = body["link_token"].as_str().unwrap();
    let expires = time::OffsetDateTime::parse(
        body["expiration"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    let life = expires - time::OffsetDateTime::now_utc();
    assert!(
        life <= time::Duration::minutes(30) && life > time::Duration::minutes(29),
        "an update token lives 30 minutes: {life}"
    );
    let (_, session) = s.post("/plaid/link/session", json!({"link_token": link_token})).await;
    assert_eq!(session["update"]["institution"]["name"], "First Platypus Bank", "{session}");
    assert_eq!(session["update"]["account_selection"], false);
}

#[tokio::test]
async fn a_broken_login_is_listed_repaired_in_update_mode_without_an_exchange_and_listed_ok() {
    let s = start().await;
    let (session, item_id) = s.session_with_item().await;
    let (status, list) = s.api(reqwest::Method::GET, "/api/items", &session, None).await;
    assert_eq!(status, 200);
    assert_eq!(list["items"][0]["item_id"], item_id.as_str());
    assert_eq!(list["items"][0]["status"], "ok");
    assert_eq!(list["items"][0]["institution"]["name"], "First Platypus Bank");

    let path = format!("/api/items/{item_id}/reset_login");
    let (status, body) = s.api(reqwest::Method::POST, &path, &session, Some(json!({}))).await;
    assert_eq!(status, 200, "{body}");
    let (_, list) = s.api(reqwest::Method::GET, "/api/items", &session, None).await;
    assert_eq!(list["items"][0]["status"], "login_required");
    // Before the user signs in again, telling the backend changes nothing.
    let update = json!({"item_id": item_id, "accounts": [], "link_session_id": "s"});
    let (status, body) =
        s.api(reqwest::Method::POST, "/api/item_updated", &session, Some(update.clone())).await;
    assert_eq!(status, 409, "{body}");

    let exchanges = s.standin.exchanges();
    let (_, body) =
        s.api(reqwest::Method::POST, "/api/link_token", &session, Some(json!({"item_id": item_id}))).await;
    s.update_through_link(body["link_token"].as_str().unwrap(), |offered| offered.to_vec()).await;
    let (status, body) = s.api(reqwest::Method::POST, "/api/item_updated", &session, Some(update)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "ok");
    assert_eq!(s.standin.exchanges(), exchanges, "update mode exchanges nothing");
    let (_, list) = s.api(reqwest::Method::GET, "/api/items", &session, None).await;
    assert_eq!(list["items"][0]["status"], "ok", "{list}");
    assert_eq!(list["items"].as_array().unwrap().len(), 1, "still one item, the same one");
}

#[tokio::test]
async fn account_selection_in_update_mode_adds_an_account_that_plaid_then_lists() {
    let s = start().await;
    // The first connection shares two of the login's three accounts.
    let response = s.link_token_request().await;
    let session = response.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
    let body: Value = response.json().await.unwrap();
    let public_token = s.public_token_sharing(body["link_token"].as_str().unwrap(), 2).await;
    let (_, body) = s.exchange(&session, &public_token, None).await;
    let item_id = body["item_id"].as_str().unwrap().to_owned();
    let (_, list) = s.api(reqwest::Method::GET, "/api/items", &session, None).await;
    let before = list["items"][0]["accounts"].as_array().unwrap().len();
    let access_token = s.store().access_token(&item_id).unwrap().unwrap();
    let (_, plaid_before) = s.plaid("/accounts/get", json!({"access_token": access_token})).await;
    let kept: Vec<String> = plaid_before["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["account_id"].as_str().unwrap().to_owned())
        .collect();

    let (_, body) = s
        .api(
            reqwest::Method::POST,
            "/api/link_token",
            &session,
            Some(json!({"item_id": item_id, "account_selection": true})),
        )
        .await;
    let offered =
        s.update_through_link(body["link_token"].as_str().unwrap(), |offered| offered.to_vec()).await;
    let update = json!({"item_id": item_id, "accounts": [], "link_session_id": "s"});
    let (status, body) = s.api(reqwest::Method::POST, "/api/item_updated", &session, Some(update)).await;
    assert_eq!(status, 200, "{body}");
    let after = body["accounts"].as_array().unwrap();
    assert_eq!(after.len(), offered.len());
    assert!(after.len() > plaid_before["accounts"].as_array().unwrap().len(), "an account was added");
    for id in &kept {
        assert!(after.iter().any(|a| a["id"] == id.as_str()), "existing account {id} keeps its id");
    }
    let (_, list) = s.api(reqwest::Method::GET, "/api/items", &session, None).await;
    assert_eq!(list["items"][0]["accounts"].as_array().unwrap().len(), after.len());
    assert_eq!((plaid_before["accounts"].as_array().unwrap().len(), after.len()), (2, 3));
    assert_eq!(before, 0, "the test's exchange reported no account names");
}

#[tokio::test]
async fn the_sandbox_reset_is_for_the_sessions_own_items_only() {
    let s = start().await;
    let (_, item_id) = s.session_with_item().await;
    let (stranger, _) = s.session_with_item().await;
    let path = format!("/api/items/{item_id}/reset_login");
    let (status, _) = s.api(reqwest::Method::POST, &path, &stranger, Some(json!({}))).await;
    assert_eq!(status, 404);
    assert!(s.store().items().unwrap().iter().all(|i| i.status == "ok"));
}

impl Running {
    /// A link token from the stand-in, with `extra` fields in the request.
    async fn link_token_with(&self, extra: Value) -> (u16, Value) {
        let mut body = json!({"client_name": "t", "language": "en", "country_codes": ["US"],
                              "user": {"client_user_id": "u1"}, "products": ["transactions"]});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        self.plaid("/link/token/create", body).await
    }
}

#[tokio::test]
async fn a_redirect_uri_must_be_https_or_loopback_with_no_query_or_fragment() {
    let s = start().await;
    for uri in ["http://app.example.com/", "https://app.example.com/?next=1", "https://app.example.com/#x"] {
        let (status, body) = s.link_token_with(json!({"redirect_uri": uri})).await;
        assert_plaid_error(status, &body, 400, "INVALID_REQUEST", "INVALID_FIELD");
        assert!(body["error_message"].as_str().unwrap().contains("redirect_uri"), "{body}");
    }
    for uri in ["https://app.example.com/oauth-return", "http://localhost:8080/"] {
        assert_eq!(s.link_token_with(json!({"redirect_uri": uri})).await.0, 200, "{uri}");
    }
}

#[tokio::test]
async fn an_oauth_bank_signs_in_on_its_own_page_and_sends_the_user_back_to_the_redirect_uri() {
    let s = start().await;
    let no_redirects =
        reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    for redirect_uri in [None, Some("https://app.example.com/oauth-return")] {
        let extra = redirect_uri.map_or(json!({}), |uri| json!({"redirect_uri": uri}));
        let (_, body) = s.link_token_with(extra).await;
        let link_token = body["link_token"].as_str().unwrap().to_owned();
        let (status, started) = s
            .post(
                "/plaid/link/oauth/start",
                json!({"link_token": link_token, "institution_id": "ins_127287"}),
            )
            .await;
        assert_eq!(status, 200, "{started}");
        assert_eq!(started["redirect"], redirect_uri.is_some());
        let state_id = started["oauth_state_id"].as_str().unwrap().to_owned();
        let ask = |token: &str| {
            s.post("/plaid/link/oauth/status", json!({"link_token": token, "oauth_state_id": state_id}))
        };
        assert_eq!(ask(&link_token).await.1["approved"], false);

        let page = s
            .http
            .get(format!("{}/plaid/{}", s.base, started["url"].as_str().unwrap()))
            .send()
            .await
            .unwrap();
        assert!(page.text().await.unwrap().contains("Platypus OAuth Bank"));
        let approved = no_redirects
            .post(format!("{}/plaid/link/oauth/approve", s.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("oauth_state_id={state_id}"))
            .send()
            .await
            .unwrap();
        match redirect_uri {
            Some(uri) => {
                assert_eq!(approved.status(), 303);
                assert_eq!(
                    approved.headers()["location"],
                    format!("{uri}?oauth_state_id={state_id}").as_str()
                );
            }
            None => assert_eq!(approved.status(), 200),
        }
        let (_, answer) = ask(&link_token).await;
        assert_eq!(answer["approved"], true);
        assert_eq!(answer["accounts"].as_array().unwrap().len(), 3);
        assert_eq!(answer["institution"]["name"], "Platypus OAuth Bank");

        let other = s.link_token().await;
        let (status, body) = ask(&other).await;
        assert_plaid_error(status, &body, 400, "OAUTH_ERROR", "INCORRECT_LINK_TOKEN");
    }
    let (_, body) = s.link_token_with(json!({})).await;
    let (status, body) = s
        .post("/plaid/link/oauth/status", json!({"link_token": body["link_token"], "oauth_state_id": "nope"}))
        .await;
    assert_plaid_error(status, &body, 400, "OAUTH_ERROR", "OAUTH_STATE_ID_NOT_FOUND");
}
