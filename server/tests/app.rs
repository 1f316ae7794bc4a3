//! The library as an app mounts it: under a path of the app's choosing, for users of the app's own
//! (bearer tokens it issued, not the reference backend's sessions), on the app's own database, with
//! Plaid's stand-in served apart as Plaid is.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::{Extension, Router};
use plaid_link_server::keys::TokenKeys;
use plaid_link_server::store::{DatabaseUrl, Store};
use plaid_link_server::{Environment, ExposeSecret, ItemEvent, LinkUser, Plaid, PlaidLink, Settings};
use plaid_link_standin::Standin;
use serde_json::{json, Value};

/// The app's own user, named by a bearer token the app issued.
#[derive(Clone, Debug)]
struct Member {
    id: u32,
}

/// The app's sign-ins: bearer token → member.
#[derive(Clone, Default)]
struct SignIns(Arc<HashMap<String, u32>>);

impl FromRequestParts<()> for Member {
    type Rejection = StatusCode;

    async fn from_request_parts(parts: &mut Parts, _: &()) -> Result<Self, StatusCode> {
        let sign_ins = parts.extensions.get::<SignIns>().ok_or(StatusCode::INTERNAL_SERVER_ERROR)?;
        let bearer = parts.headers.get("authorization").and_then(|v| v.to_str().ok());
        let token = bearer.and_then(|b| b.strip_prefix("Bearer ")).ok_or(StatusCode::UNAUTHORIZED)?;
        sign_ins.0.get(token).map(|&id| Self { id }).ok_or(StatusCode::UNAUTHORIZED)
    }
}

impl LinkUser for Member {
    fn plaid_user_id(&self) -> String {
        format!("member-{}", self.id)
    }
}

struct App {
    base: String,
    plaid_base: String,
    link: PlaidLink,
    standin: Arc<Standin>,
    http: reqwest::Client,
    db: std::path::PathBuf,
}

impl Drop for App {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.db);
    }
}

async fn serve(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    serve_on(listener, app)
}

fn serve_on(listener: tokio::net::TcpListener, app: Router) -> String {
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, app).await });
    base
}

/// A name part no other test of this run has at once: tests start together, often within one
/// tick of the clock, so a counter besides it.
fn rand_suffix() -> String {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    let count = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("{}-{count}-{nanos}", std::process::id())
}

/// The app: its own table and migrations in its database, the library beside them under
/// `/bank/plaid`, members 1 and 2 signed in as `token-1` and `token-2`.
async fn app(configure: impl FnOnce(&mut Settings)) -> App {
    let standin = Arc::new(Standin::new(plaid_link_standin::StandinConfig::default()));
    let plaid_base = serve(plaid_link_standin::router(standin.clone())).await;
    let db = std::env::temp_dir().join(format!("plaid-link-server-test-{}.db", rand_suffix()));
    sqlx::any::install_default_drivers();
    let url = DatabaseUrl::parse(&db.display().to_string());
    let pool = sqlx::any::AnyPoolOptions::new().max_connections(1).connect(url.as_str()).await.unwrap();
    // The app's own schema, recorded in sqlx's usual migrations table, before the library's.
    sqlx::raw_sql(
        "CREATE TABLE _sqlx_migrations (version BIGINT PRIMARY KEY, description TEXT NOT NULL,
           installed_on TEXT NOT NULL, success BOOLEAN NOT NULL, checksum BLOB NOT NULL, execution_time BIGINT NOT NULL);
         INSERT INTO _sqlx_migrations VALUES (1, 'members', '2026-01-01', TRUE, x'00', 0);
         CREATE TABLE items (id INTEGER PRIMARY KEY, what TEXT);
         INSERT INTO items (what) VALUES ('the app''s own row');",
    )
    .execute(&pool)
    .await
    .unwrap();
    let store = Store::on_pool(pool, TokenKeys::new(&[9; 32], &[]), "local").await.unwrap();
    let plaid = Plaid::at(&plaid_base, "local-client-id", "local-secret", Environment::Sandbox).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let mut settings = Settings::new(plaid, "Members' bank");
    settings.webhook_url =
        Some(format!("http://{}/bank/plaid/webhooks/plaid", listener.local_addr().unwrap()));
    configure(&mut settings);
    let link = PlaidLink::new(settings, store);
    let sign_ins = SignIns(Arc::new(HashMap::from([("token-1".to_owned(), 1), ("token-2".to_owned(), 2)])));
    let router = Router::new().nest("/bank/plaid", link.router::<Member>()).layer(Extension(sign_ins));
    let base = serve_on(listener, router);
    App { base, plaid_base, link, standin, http: reqwest::Client::new(), db }
}

impl App {
    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        who: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut request = self.http.request(method, format!("{}/bank/plaid{path}", self.base));
        if let Some(token) = who {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
    }

    async fn plaid(&self, path: &str, body: Value) -> Value {
        let response = self.http.post(format!("{}{path}", self.plaid_base)).json(&body).send().await.unwrap();
        assert_eq!(response.status(), 200);
        response.json().await.unwrap()
    }

    /// Link, as the stand-in plays it: a good login at First Platypus Bank, every account shared.
    async fn connect(&self, who: &str) -> String {
        let (status, token) =
            self.call(reqwest::Method::POST, "/link_token", Some(who), Some(json!({}))).await;
        assert_eq!(status, 200, "{token}");
        let link_token = token["link_token"].as_str().unwrap();
        let login = json!({"link_token": link_token, "institution_id": "ins_109508",
                           "username": "user_good", "password": "pass_good"});
        let accounts = self.plaid("/link/credentials", login).await["accounts"].clone();
        let done = json!({"link_token": link_token, "institution_id": "ins_109508", "accounts": accounts});
        let public_token =
            self.plaid("/link/complete", done).await["public_token"].as_str().unwrap().to_owned();
        let body = json!({"public_token": public_token, "link_session_id": "s",
                          "institution": {"institution_id": "ins_109508", "name": "First Platypus Bank"},
                          "accounts": accounts});
        let (status, answer) =
            self.call(reqwest::Method::POST, "/exchange_public_token", Some(who), Some(body)).await;
        assert_eq!(status, 200, "{answer}");
        answer["item_id"].as_str().unwrap().to_owned()
    }
}

#[tokio::test]
async fn each_user_of_the_app_connects_lists_and_unlinks_only_their_own_items() {
    let app = app(|_| {}).await;
    let mut events = app.link.events();
    for path in ["/items"] {
        assert_eq!(app.call(reqwest::Method::GET, path, None, None).await.0, 401, "no user");
        assert_eq!(app.call(reqwest::Method::GET, path, Some("token-9"), None).await.0, 401, "not signed in");
    }
    assert_eq!(app.call(reqwest::Method::POST, "/link_token", None, Some(json!({}))).await.0, 401);
    assert_eq!(app.standin.client_user_ids().len(), 0, "Plaid was asked nothing without a user");

    let first = app.connect("token-1").await;
    let second = app.connect("token-2").await;
    let mut told = app.standin.client_user_ids();
    told.sort();
    assert_eq!(told, ["member-1", "member-2"], "Plaid knows each by the app's id");
    let list = |who| app.call(reqwest::Method::GET, "/items", Some(who), None);
    let (_, mine) = list("token-1").await;
    assert_eq!(mine["items"].as_array().unwrap().len(), 1, "{mine}");
    assert_eq!(mine["items"][0]["item_id"], first.as_str());
    assert_eq!(list("token-2").await.1["items"][0]["item_id"], second.as_str());

    // The other member's item is no item at all.
    let theirs = format!("/items/{second}");
    assert_eq!(app.call(reqwest::Method::DELETE, &theirs, Some("token-1"), None).await.0, 404);
    let update = json!({"item_id": second, "link_session_id": "s"});
    assert_eq!(app.call(reqwest::Method::POST, "/item_updated", Some("token-1"), Some(update)).await.0, 404);
    let update_mode = json!({"item_id": second});
    assert_eq!(
        app.call(reqwest::Method::POST, "/link_token", Some("token-1"), Some(update_mode)).await.0,
        404
    );

    // What the exchange exists for: the app reads its member's access token, and only theirs.
    let token = app.link.access_token("member-1", &first).await.unwrap().expect("member 1's item");
    assert!(token.expose_secret().starts_with("access-sandbox-"));
    assert!(!format!("{token:?}").contains("access-"), "never in a Debug: {token:?}");
    assert!(app.link.access_token("member-2", &first).await.unwrap().is_none());

    assert_eq!(
        app.call(reqwest::Method::DELETE, &format!("/items/{first}"), Some("token-1"), None).await.0,
        204
    );
    assert!(list("token-1").await.1["items"].as_array().unwrap().is_empty());
    assert_eq!(list("token-2").await.1["items"].as_array().unwrap().len(), 1, "the other member's stays");

    let heard: Vec<ItemEvent> = std::iter::from_fn(|| events.try_recv().ok()).collect();
    assert_eq!(
        heard,
        [
            ItemEvent::Added { user: "member-1".into(), item_id: first.clone() },
            ItemEvent::Added { user: "member-2".into(), item_id: second.clone() },
            ItemEvent::Removed { user: "member-1".into(), item_id: first.clone() },
        ]
    );
}

#[tokio::test]
async fn another_sites_form_and_fetch_are_refused_and_the_apps_own_page_and_listed_origins_pass() {
    let app = app(|s| s.allowed_origins = vec!["tauri://localhost".into()]).await;
    let post = |headers: &[(&'static str, &'static str)], body: &'static str| {
        let mut request = app.http.post(format!("{}/bank/plaid/link_token", app.base)).bearer_auth("token-1");
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        async move { request.body(body).send().await.unwrap().status().as_u16() }
    };
    const JSON: (&str, &str) = ("content-type", "application/json");
    // Another site's form: not JSON (a form cannot send it), whatever else it says.
    let form = [("content-type", "application/x-www-form-urlencoded"), ("sec-fetch-site", "cross-site")];
    assert_eq!(post(&form, "a=b").await, 415);
    // Another site's fetch, in a browser that says where it comes from, and in one that only sends
    // Origin.
    assert_eq!(
        post(&[JSON, ("sec-fetch-site", "cross-site"), ("origin", "https://evil.example")], "{}").await,
        403
    );
    assert_eq!(post(&[JSON, ("origin", "https://evil.example")], "{}").await, 403);
    assert_eq!(app.standin.client_user_ids().len(), 0, "nothing reached Plaid");
    // The app's own page, and an origin it listed.
    assert_eq!(post(&[JSON, ("sec-fetch-site", "same-origin")], "{}").await, 200);
    assert_eq!(
        post(&[JSON, ("sec-fetch-site", "cross-site"), ("origin", "tauri://localhost")], "{}").await,
        200
    );
}

#[tokio::test]
async fn its_tables_sit_beside_the_apps_own_and_leave_the_apps_migrations_alone() {
    let app = app(|_| {}).await;
    app.connect("token-1").await;
    let pool = app.link.store().pool();
    let own: String = sqlx::query_scalar("SELECT what FROM items").fetch_one(pool).await.unwrap();
    assert_eq!(own, "the app's own row");
    let app_migrations: i64 =
        sqlx::query_scalar("SELECT count(*) FROM _sqlx_migrations").fetch_one(pool).await.unwrap();
    assert_eq!(app_migrations, 1, "the app's migrations table holds only the app's");
    let items: i64 =
        sqlx::query_scalar("SELECT count(*) FROM plaid_link_items").fetch_one(pool).await.unwrap();
    assert_eq!(items, 1);
}

#[tokio::test]
async fn an_app_whose_sign_in_store_fails_answers_503_not_401() {
    // No `SignIns` extension: the member extractor fails with a server error.
    let standin = Arc::new(Standin::new(plaid_link_standin::StandinConfig::default()));
    let plaid_base = serve(plaid_link_standin::router(standin)).await;
    let db = std::env::temp_dir().join(format!("plaid-link-server-test-{}.db", rand_suffix()));
    let url = DatabaseUrl::parse(&db.display().to_string());
    let store = Store::open(&url, TokenKeys::new(&[9; 32], &[]), "local").await.unwrap();
    let plaid = Plaid::at(&plaid_base, "local-client-id", "local-secret", Environment::Sandbox).unwrap();
    let link = PlaidLink::new(Settings::new(plaid, "x"), store);
    let base = serve(Router::new().nest("/p", link.router::<Member>())).await;
    let response =
        reqwest::Client::new().get(format!("{base}/p/items")).bearer_auth("token-1").send().await.unwrap();
    assert_eq!(response.status(), 503);
    let _ = std::fs::remove_file(db);
}

#[tokio::test]
async fn plaids_verified_webhooks_tell_the_app_when_a_login_breaks_and_is_repaired_and_forged_ones_nothing() {
    let app = app(|_| {}).await;
    let item_id = app.connect("token-1").await;
    let mut events = app.link.events();
    let access_token = app.link.access_token("member-1", &item_id).await.unwrap().unwrap();

    // Forged: no signature Plaid made.
    let forged = json!({"webhook_type": "ITEM", "webhook_code": "LOGIN_REPAIRED", "item_id": item_id});
    let response =
        app.http.post(format!("{}/bank/plaid/webhooks/plaid", app.base)).json(&forged).send().await.unwrap();
    assert_eq!(response.status(), 401);

    for (code, expected) in [
        ("ERROR", ItemEvent::LoginRequired { user: "member-1".into(), item_id: item_id.clone() }),
        ("LOGIN_REPAIRED", ItemEvent::Repaired { user: "member-1".into(), item_id: item_id.clone() }),
    ] {
        let fire = json!({"client_id": "local-client-id", "secret": "local-secret",
                          "access_token": access_token.expose_secret(), "webhook_code": code});
        assert_eq!(app.plaid("/sandbox/item/fire_webhook", fire).await["webhook_fired"], true);
        let heard = tokio::time::timeout(std::time::Duration::from_secs(10), events.recv()).await;
        assert_eq!(heard.expect("an event within 10 s").unwrap(), expected, "after Plaid's {code} webhook");
    }
    assert!(events.try_recv().is_err(), "the forged webhook told the app nothing");
}
