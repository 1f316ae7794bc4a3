//! The reference backend's link tokens and exchange: what it answers and keeps, JSON and CSRF only,
//! sessions it issued, one exchange per `Idempotency-Key`, rate limits.

mod common;

use common::*;
use serde_json::{json, Value};

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
    let fields: Vec<&String> = body.as_object().unwrap().keys().collect();
    assert_eq!(fields, ["item_id"], "the answer is the item id and nothing else: {text}");
    assert!(body["item_id"].as_str().is_some_and(|id| !id.is_empty()), "{text}");
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
    let status = third.status();
    assert_eq!(status, 400, "{}", third.text().await.unwrap());
}

#[tokio::test]
async fn an_item_that_cannot_be_stored_is_removed_at_plaid_and_not_retried() {
    let s = start().await;
    // The database refuses every write, as a full disk would.
    let mut db = s.db.connect().await;
    sqlx::raw_sql(
        "CREATE TRIGGER refuse BEFORE INSERT ON plaid_link_items BEGIN SELECT RAISE(FAIL, 'disk full'); END;",
    )
    .execute(&mut db)
    .await
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
    let response = s.link_token_request_with(&format!("{chosen}; ")).await;
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
    let TestDb::Sqlite(path) = &s.db else { unreachable!() };
    let database = std::fs::read(path).unwrap();
    assert!(!database.windows(session_id.len()).any(|w| w == session_id.as_bytes()), "session id stored");
    let listed = serde_json::to_string(&s.items().await).unwrap();
    assert!(!listed.contains(&session_id), "{listed}");
    assert!(listed.contains(&users[0]), "the item belongs to Plaid's user id: {listed}");
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
    assert_eq!(s.store().await.idempotency_records().await.unwrap(), 0);
}

#[tokio::test]
async fn one_session_holds_a_bounded_number_of_keys() {
    let s = start().await;
    let (session, _) = s.browser_session_with_public_token().await;
    // README: "at most 20 keys per session".
    let max: u32 = 20;
    let mut statuses = Vec::new();
    for i in 0..=max {
        // Valid in shape, unknown to Plaid: each is recorded, and answered 400 by Plaid.
        let token = format!("public-sandbox-{i:08}-0000-0000-0000-000000000000");
        statuses.push(s.exchange(&session, &token, Some(&format!("key-{i}"))).await.0);
    }
    assert!(statuses[..max as usize].iter().all(|&s| s == 400), "{statuses:?}");
    assert_eq!(statuses[max as usize], 429, "{statuses:?}");
    assert_eq!(s.store().await.idempotency_records().await.unwrap(), u64::from(max));
}

#[tokio::test]
async fn keys_are_shared_by_processes_on_one_database() {
    let first = start().await;
    let (session, public_token) = first.browser_session_with_public_token().await;
    let (status, answer) = first.exchange(&session, &public_token, Some("key-shared")).await;
    assert_eq!(status, 200);
    // Another process on the same file, running beside the first, knows the session and the key:
    // it answers from the record. Its own stand-in never saw the token, so an exchange would fail.
    let second = start_on(first.db.clone()).await;
    let (status, again) = second.exchange(&session, &public_token, Some("key-shared")).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again, answer);
    assert_eq!(second.standin.exchanges(), 0);
}

#[tokio::test]
async fn keys_and_sessions_survive_a_restart() {
    let dir = std::env::temp_dir().join(format!("plaid-restart-{}", rand_suffix()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("items.db");
    let settings = [("PLAID_LINK_CSRF", "off"), ("PLAID_LINK_DB", db.to_str().unwrap())];
    let mut first = Process::start(&settings);
    // A session, a public token through the stand-in's Link, and an exchange under a key.
    let response = first.post("/api/link_token", "", "{}").await;
    let session = response.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
    let link_token = response.json::<Value>().await.unwrap()["link_token"].as_str().unwrap().to_owned();
    let public_token = first.link_through(&link_token).await;
    let body = json!({"public_token": public_token, "institution": {"institution_id": "ins_109508", "name": "First Platypus Bank"},
                      "accounts": [], "link_session_id": "s"})
    .to_string();
    let exchange = |backend: &Process| {
        let request = reqwest::Client::new()
            .post(format!("http://{}/api/exchange_public_token", backend.addr))
            .header("content-type", "application/json")
            .header("cookie", &session)
            .header("idempotency-key", "key-restart")
            .body(body.clone())
            .send();
        async move {
            let response = request.await.unwrap();
            (response.status().as_u16(), response.text().await.unwrap())
        }
    };
    let (status, answer) = exchange(&first).await;
    assert_eq!(status, 200, "{answer}");
    // The process stops (SIGTERM, as a deploy stops it) and another starts on the same file.
    first.terminate();
    assert!(first.exited_within(std::time::Duration::from_secs(10)).is_some(), "still running");
    let second = Process::start(&settings);
    let (status, again) = exchange(&second).await;
    assert_eq!(status, 200, "the session and the key outlived the process: {again}");
    assert_eq!(again, answer, "answered from the record, not exchanged again");
    drop(second);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn link_tokens_are_rate_limited_per_client_and_per_session() {
    // Per client: new sessions from one address, one after another.
    let s = start_with(TestDb::sqlite(), &[("PLAID_LINK_RATE_PER_CLIENT", "3")]).await;
    let mut statuses = Vec::new();
    for _ in 0..4 {
        statuses.push(s.link_token_request().await.status().as_u16());
    }
    assert_eq!(statuses, [200, 200, 200, 429]);
    // Per session: one session asking again and again.
    let s = start_with(TestDb::sqlite(), &[("PLAID_LINK_RATE_PER_SESSION", "2")]).await;
    let first = s.link_token_request().await;
    let session = first.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
    let second = s.link_token_request_with(&format!("{session}; ")).await;
    let third = s.link_token_request_with(&format!("{session}; ")).await;
    assert_eq!((second.status().as_u16(), third.status().as_u16()), (200, 429));
    let retry_after: u64 = third.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    let body: Value = third.json().await.unwrap();
    assert_eq!(body["error"], "Too many attempts. Please wait a moment, then try again.");
    assert_eq!(s.standin.client_user_ids().len(), 2, "the refused request never reached Plaid");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_exchange_whose_client_goes_away_finishes_and_a_retry_with_its_key_gets_the_outcome() {
    let s = start().await;
    let (session, public_token) = s.browser_session_with_public_token().await;
    s.standin.delay_exchanges(std::time::Duration::from_millis(600));
    let gone = {
        let (http, base, session, token) =
            (s.http.clone(), s.base.clone(), session.clone(), public_token.clone());
        tokio::spawn(async move {
            http.post(format!("{base}/api/exchange_public_token"))
                .header("content-type", "application/json")
                .header("cookie", format!("{session}; plaid_link_csrf={CSRF}"))
                .header("x-csrf-token", CSRF)
                .header("idempotency-key", "key-gone")
                // The very body `Running::exchange` sends: the retry below is the same request.
                .body(
                    json!({"public_token": token, "institution": {"institution_id": "ins_109508", "name": "First Platypus Bank"},
                           "accounts": [], "link_session_id": "s"})
                    .to_string(),
                )
                .send()
                .await
        })
    };
    // Plaid has been asked (the token is spent); then the client goes away.
    for _ in 0..200 {
        if s.standin.exchanges() == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert_eq!(s.standin.exchanges(), 1, "the exchange reached Plaid");
    // While Plaid answers, another process takes the database's write lock, and the client goes away.
    let mut locker = s.db.connect().await;
    sqlx::raw_sql("BEGIN IMMEDIATE").execute(&mut locker).await.unwrap();
    gone.abort();
    let _ = gone.await;
    tokio::time::sleep(std::time::Duration::from_millis(1000)).await;
    sqlx::raw_sql("COMMIT").execute(&mut locker).await.unwrap();
    drop(locker);

    // The retry (the browser's, with the same key) gets the outcome, and nothing is exchanged again.
    let (status, body) = s.exchange(&session, &public_token, Some("key-gone")).await;
    assert_eq!(status, 200, "{body}");
    let item_id = body["item_id"].as_str().unwrap();
    assert_eq!(s.standin.exchanges(), 1);
    assert!(s.items().await.iter().any(|item| item.item_id == item_id), "the access token was stored");
    assert_eq!(s.standin.items(), 1, "nothing removed at Plaid");
}

#[tokio::test]
async fn two_tabs_exchanging_the_same_bank_at_once_store_one_item() {
    let s = start().await;
    let session = s.browser_session().await;
    let mut public_tokens = Vec::new();
    for _ in 0..2 {
        let (status, token) =
            s.api(reqwest::Method::POST, "/api/link_token", &session, Some(json!({}))).await;
        assert_eq!(status, 200, "{token}");
        public_tokens.push(s.public_token(token["link_token"].as_str().unwrap()).await);
    }
    // The same bank, the same accounts, as Link describes them in each tab.
    let body = |public_token: &str| {
        json!({"public_token": public_token, "link_session_id": "s",
               "institution": {"institution_id": "ins_109508", "name": "First Platypus Bank"},
               "accounts": [{"id": public_token, "name": "Plaid Checking", "mask": "0000", "type": "depository", "subtype": "checking"}]})
    };
    let tabs = public_tokens
        .iter()
        .map(|t| s.api(reqwest::Method::POST, "/api/exchange_public_token", &session, Some(body(t))));
    let mut statuses: Vec<u16> =
        futures_util::future::join_all(tabs).await.into_iter().map(|(status, _)| status).collect();
    statuses.sort();
    assert_eq!(statuses, [200, 409], "one added, the other told it is a duplicate");
    assert_eq!(s.items().await.len(), 1);
    assert_eq!(s.standin.exchanges(), 1, "the duplicate's token was never exchanged");
}
