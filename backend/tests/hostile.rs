//! What a hostile client tries against the running backend, and what it gets: forged webhooks that
//! would make it call Plaid, client text that would grow its log lines, and cookies it would plant
//! or read over plain HTTP behind a proxy.

mod common;

use std::sync::Arc;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use common::*;
use serde_json::{json, Value};

/// A `Plaid-Verification` header with this header JSON, and no valid signature.
fn forged(header: Value) -> String {
    let claims = json!({ "iat": 1, "request_body_sha256": "00" });
    format!(
        "{}.{}.AAAA",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    )
}

/// What the forged webhooks say: an error of an item nobody has.
const FORGED_BODY: &str = r#"{"webhook_type":"ITEM","webhook_code":"ERROR","item_id":"x"}"#;

async fn webhook(s: &Running, verification: &str) -> u16 {
    let response = s
        .http
        .post(format!("{}/api/webhooks/plaid", s.base))
        .header("content-type", "application/json")
        .header("plaid-verification", verification)
        .body(FORGED_BODY)
        .send()
        .await
        .unwrap();
    response.status().as_u16()
}

#[tokio::test]
async fn forged_webhooks_cost_plaid_at_most_their_addresss_share_of_key_fetches() {
    let s = start().await;
    // Stale claims, a hash of another body: refused before any key is looked for.
    for i in 0..50 {
        assert_eq!(webhook(&s, &forged(json!({"alg": "ES256", "kid": format!("kid-{i}")}))).await, 401);
    }
    assert_eq!(s.standin.key_fetches(), 0, "no key fetched for a token that could never verify");
    // Well-formed, each with a new kid: the address's share of fetches (2 a minute), then "later".
    let mut answers = std::collections::BTreeMap::new();
    for i in 0..200 {
        *answers.entry(well_formed_forgery(&s, &format!("kid{i}")).await).or_insert(0) += 1;
    }
    assert_eq!(s.standin.key_fetches(), 2, "{answers:?}");
    assert_eq!(answers, [(401, 2), (503, 198)].into_iter().collect(), "401 once Plaid said no such key");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_webhooks_naming_one_new_key_fetches_it_once() {
    let s = start().await;
    // The stand-in holds the first key fetch: had the others fetched too, they would arrive now.
    s.standin.hold_key_fetches(2);
    let burst = futures_util::future::join_all((0..4).map(|_| well_formed_forgery(&s, "kid-burst")));
    let watch = async {
        let started = tokio::time::Instant::now();
        while s.standin.key_fetches_held() == 0 {
            assert!(started.elapsed() < std::time::Duration::from_secs(10), "no key fetch at all");
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        // A second fetch, if any, comes within milliseconds of the first: a second is ample.
        let first = tokio::time::Instant::now();
        while s.standin.key_fetches_held() < 2 && first.elapsed() < std::time::Duration::from_secs(1) {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        let held = s.standin.key_fetches_held();
        s.standin.release_key_fetches();
        held
    };
    let (statuses, held) = tokio::join!(burst, watch);
    assert_eq!(held, 1, "the burst's key was fetched {held} times at once");
    assert_eq!(statuses, [401; 4]);
    assert_eq!(s.standin.key_fetches(), 1);
}

#[tokio::test]
async fn client_text_is_clipped_in_the_log_and_a_malformed_link_session_id_is_refused() {
    let backend = Process::start(&[("PLAID_LINK_CSRF", "off")]);
    let base = format!("http://{}", backend.addr);
    let http = reqwest::Client::new();
    // Forged webhooks whose algorithm, then kid, is 290 KB (about all a request head may hold).
    let huge = "A".repeat(290_000);
    for header in [json!({"alg": huge, "kid": "k"}), json!({"alg": "ES256", "kid": huge})] {
        let status = http
            .post(format!("{base}/api/webhooks/plaid"))
            .header("content-type", "application/json")
            .header("plaid-verification", forged(header))
            .body("{}")
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, 401);
    }
    // An exchange and an update whose link_session_id is 200 KB (within the body limit).
    let response = backend.post("/api/link_token", "", "{}").await;
    let session = response.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
    let link_token = response.json::<Value>().await.unwrap()["link_token"].as_str().unwrap().to_owned();
    let public_token = backend.link_through(&link_token).await;
    let long = "s".repeat(200_000);
    let exchange =
        json!({"public_token": public_token, "institution": null, "accounts": [], "link_session_id": long});
    let response = backend.post("/api/exchange_public_token", &session, exchange.to_string()).await;
    assert_eq!(response.status(), 400, "a link_session_id that is not one is refused before any use");
    let updated = json!({"item_id": "item-x", "link_session_id": long});
    let response = backend.post("/api/item_updated", &session, updated.to_string()).await;
    assert_eq!(response.status(), 400);
    // The log's lines, as they came: one per request, five requests.
    let log = backend.log_after(5).await;
    assert_eq!(request_lines(&log), 5, "one line per request: {log:?}");
    // README: each client-chosen value is clipped to 64 characters, and a line's note to 512 bytes.
    for line in &log {
        let line: Value = serde_json::from_str(line).unwrap();
        let note = line["fields"]["note"].as_str().unwrap_or_default();
        assert!(note.len() <= 512, "a note of {} bytes: {note}", note.len());
    }
    let clipped = format!("{}… (290000 bytes)", "A".repeat(64));
    assert!(
        log.iter().any(|line| line.contains(&format!("\\\"{clipped}"))),
        "the algorithm, clipped to its first 64 characters: {log:?}"
    );
}

#[tokio::test]
async fn the_log_never_holds_a_session_id_the_plaid_secret_or_a_token() {
    const SECRET: &str = "plaid-secret-that-must-never-be-logged";
    let backend = Process::start(&[("PLAID_LINK_CSRF", "off"), ("PLAID_SECRET", SECRET)]);
    let response = backend.post("/api/link_token", "", "{}").await;
    let session = response.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
    let session_id = session.split_once('=').unwrap().1.to_owned();
    let link_token = response.json::<Value>().await.unwrap()["link_token"].as_str().unwrap().to_owned();
    let public_token = backend.link_through(&link_token).await;
    let exchange = |token: &str| {
        json!({"public_token": token, "institution": {"institution_id": "ins_109508", "name": "First Platypus Bank"},
               "accounts": [], "link_session_id": "s"})
        .to_string()
    };
    // Every kind of answer: an exchange, a Plaid error, a session that is not one, a list.
    let path = "/api/exchange_public_token";
    assert_eq!(backend.post(path, &session, exchange(&public_token)).await.status(), 200);
    let unknown = "public-sandbox-00000000-0000-0000-0000-000000000000";
    assert_eq!(backend.post(path, &session, exchange(unknown)).await.status(), 400);
    let forged_session = format!("{}x", session);
    assert_eq!(backend.post(path, &forged_session, exchange(&public_token)).await.status(), 401);
    let items = reqwest::Client::new()
        .get(format!("http://{}/api/items", backend.addr))
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(items.status(), 200);
    let lines = backend.log_after(5).await;
    let log = lines.join("\n");
    assert!(request_lines(&lines) >= 5, "{log}");
    assert!(log.contains("request_id"), "the Plaid error's line is there: {log}");
    for (what, secret) in [
        ("the session id", session_id.as_str()),
        ("PLAID_SECRET", SECRET),
        ("the public token", public_token.as_str()),
        ("an access token", "access-sandbox-"),
    ] {
        assert!(!log.contains(secret), "{what} is in the log: {log}");
    }
}

#[tokio::test]
async fn behind_a_proxy_that_ends_tls_the_real_plaids_cookies_are_host_prefixed_and_secure() {
    // Plaid's sandbox, played by a stand-in started on its own (this backend talks to it over HTTP
    // as to Plaid); the backend on plain HTTP, as behind a load balancer that ends TLS.
    let standin_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let standin_url = format!("http://{}", standin_listener.local_addr().unwrap());
    let standin = Arc::new(plaid_link_standin::Standin::new(plaid_link_standin::StandinConfig::default()));
    let app = plaid_link_standin::router(standin.clone());
    tokio::spawn(async move { axum::serve(standin_listener, app).await });
    let pages = std::env::temp_dir().join(format!("plaid-pages-{}", rand_suffix()));
    std::fs::create_dir_all(&pages).unwrap();
    std::fs::write(pages.join("index.html"), "<!doctype html><html><head></head><body></body></html>")
        .unwrap();
    let db = pages.join("items.db");
    let pages_dir = pages.display().to_string();
    let settings = [
        ("PLAID_ENV", "sandbox"),
        ("PLAID_CLIENT_ID", "local-client-id"),
        ("PLAID_SECRET", "local-secret"),
        ("PLAID_BASE_URL", standin_url.as_str()),
        ("PLAID_LINK_PAGES_DIR", pages_dir.as_str()),
    ];
    let s = start_with_standin(TestDb::Sqlite(db), &settings, Some(standin)).await;
    let page = s.http.get(format!("{}/pages/index.html", s.base)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.headers().contains_key("strict-transport-security"), "HSTS on the real Plaid's pages");
    let csrf_cookie = page.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        csrf_cookie.starts_with("__Host-plaid_link_csrf=") && csrf_cookie.contains("Secure"),
        "{csrf_cookie}"
    );
    let html = page.text().await.unwrap();
    let token = html.split("csrf-token\" content=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
    let cookie = csrf_cookie.split(';').next().unwrap().to_owned();

    let response = s
        .http
        .post(format!("{}/api/link_token", s.base))
        .header("content-type", "application/json")
        .header("cookie", &cookie)
        .header("x-csrf-token", &token)
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let session_cookie = response.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        session_cookie.starts_with("__Host-plaid_link_session=") && session_cookie.contains("Secure"),
        "{session_cookie}"
    );
    // A cookie without the prefix (planted by a sibling subdomain, or sent over plain HTTP) is no
    // CSRF token here.
    let plain = cookie.replace("__Host-", "");
    let planted = s
        .http
        .post(format!("{}/api/link_token", s.base))
        .header("content-type", "application/json")
        .header("cookie", &plain)
        .header("x-csrf-token", &token)
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(planted.status(), 403);
    let _ = std::fs::remove_dir_all(&pages);
}

#[tokio::test]
async fn a_client_over_its_limit_cannot_grow_the_log_faster_than_a_fixed_budget() {
    let backend = Process::start(&[("PLAID_LINK_RATE_PER_CLIENT", "1")]);
    let client = reqwest::Client::new();
    let url = format!("http://{}/api/items", backend.addr);
    let started = std::time::Instant::now();
    let mut refused = 0;
    for _ in 0..100 {
        let round = (0..30).map(|_| client.get(&url).send());
        for answer in futures_util::future::join_all(round).await {
            refused += usize::from(answer.unwrap().status() == 429);
        }
    }
    // The seconds of the clock the requests spanned.
    let seconds = started.elapsed().as_secs() + 2;
    assert!(refused >= 2_990, "{refused} of 3000 refused");
    let log = backend.log.lock().unwrap().clone();
    let lines = request_lines(&log);
    let counted: u64 = log
        .iter()
        .filter(|line| line.contains("refusals not logged"))
        .map(|line| serde_json::from_str::<Value>(line).unwrap()["fields"]["count"].as_u64().unwrap())
        .sum();
    // The library's budget: 10 refusals a second, one line each, the rest one count a second;
    // and the one request that was let through.
    let budget = 10 * seconds as usize;
    assert!(lines <= budget + 1, "{lines} lines for {refused} refusals in {seconds} s");
    assert!(
        lines > 0 && counted as usize + lines <= refused,
        "{lines} logged, {counted} counted, {refused} refused"
    );
}

/// A forged webhook that passes every check made before a key is fetched: ES256, a `kid` of
/// Plaid's shape, issued now, and the hash of the very body it comes with. Only the signature is
/// wrong, and only Plaid's key could tell.
async fn well_formed_forgery(s: &Running, kid: &str) -> u16 {
    use sha2::{Digest, Sha256};
    let hash: String = Sha256::digest(FORGED_BODY.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let claims = json!({"iat": now, "request_body_sha256": hash});
    let token = format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(json!({"alg": "ES256", "kid": kid, "typ": "JWT"}).to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string()),
        URL_SAFE_NO_PAD.encode([7u8; 64])
    );
    webhook(s, &token).await
}

#[tokio::test]
async fn plaids_webhook_is_never_refused_by_the_limit_of_an_address_it_shares_with_forgers() {
    // Behind a proxy, Plaid and every forger come from one address: here, loopback.
    let s = start().await;
    let (_, item_id) = s.session_with_item().await;
    let (access_token, _) = s.stored_item().await;
    for _ in 0..100 {
        assert_ne!(webhook(&s, &forged(json!({"alg": "ES256", "kid": "kid-nobody-knows"}))).await, 200);
    }
    // Plaid's own, from the same address: the item's login is marked broken.
    let (status, _) = s.plaid("/sandbox/item/reset_login", json!({"access_token": access_token})).await;
    assert_eq!(status, 200);
    s.item_status_becomes(&item_id, "login_required").await;
}

#[tokio::test]
async fn forged_kids_cannot_spend_the_key_fetch_plaids_first_webhook_needs() {
    let s = start().await;
    let (_, item_id) = s.session_with_item().await;
    let (access_token, _) = s.stored_item().await;
    assert_eq!(s.standin.key_fetches(), 0, "no webhook was verified yet: Plaid's key is not known");
    for _ in 0..20 {
        assert_ne!(well_formed_forgery(&s, &format!("forged{}", rand_suffix())).await, 200);
    }
    let forged_fetches = s.standin.key_fetches();
    assert!(forged_fetches <= 5, "{forged_fetches} key fetches for 20 forgeries");
    // Right after the forgeries, Plaid's first webhook: its key is fetched, and it is heard.
    let (status, _) = s.plaid("/sandbox/item/reset_login", json!({"access_token": access_token})).await;
    assert_eq!(status, 200);
    s.item_status_becomes(&item_id, "login_required").await;
    assert_eq!(s.standin.key_fetches(), forged_fetches + 1);
}
