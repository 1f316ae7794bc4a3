//! Crashes: a claim (an exchange's idempotency key, a public token of a Multi-Item session) left by
//! an instance that died is taken over within seconds, inside one of the component's 15 s attempts,
//! and the retry gets a final answer.

mod common;

use std::time::{Duration, Instant};

use common::*;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// The component's timeout for one attempt (`request_timeout_ms`): an answer must come inside it.
const ONE_ATTEMPT: Duration = Duration::from_secs(15);

#[tokio::test]
async fn a_multi_item_bank_claimed_by_an_instance_that_died_is_added_by_the_next_request() {
    let s = start().await;
    let session = s.browser_session().await;
    let (link_session_id, link_token, public_tokens) =
        s.multi_item_banks(&session, &["ins_109508", "ins_109509"]).await;
    // What a dead instance leaves: the claim on one of the session's public tokens, and no item.
    let public_token = &public_tokens[0];
    let mut raw = s.db.connect().await;
    sqlx::query("INSERT INTO plaid_link_public_tokens (token_hash, owner, created_at) VALUES ($1, $2, $3)")
        .bind(Sha256::digest(public_token.as_bytes()).to_vec())
        .bind("an instance that died")
        .bind(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64)
        .execute(&mut raw)
        .await
        .unwrap();
    drop(raw);
    // Link ends: Plaid's webhook and the page's call both come for the session's banks.
    s.finish_link(&link_token, &link_session_id).await;

    let started = Instant::now();
    let (status, body) = s.session_finished(&session, &link_session_id, &link_token, "finish-1").await;
    let took = started.elapsed();
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["items"].as_array().unwrap().len(), 2, "both banks: {body}");
    assert_eq!(s.standin.exchanges(), 2);
    assert!(took < ONE_ATTEMPT, "answered in {took:?}");
}

async fn exchange(instance: &str, session: &str, public_token: &str) -> reqwest::Result<reqwest::Response> {
    let body =
        json!({"public_token": public_token, "institution": null, "accounts": [], "link_session_id": "s"});
    reqwest::Client::new()
        .post(format!("http://{instance}/api/exchange_public_token"))
        .header("content-type", "application/json")
        .header("cookie", session)
        .header("idempotency-key", "the-pages-key")
        .body(body.to_string())
        .send()
        .await
}

#[tokio::test]
async fn an_instance_killed_mid_exchange_is_taken_over_and_the_user_is_told_at_once_to_connect_again() {
    let (standin, plaid) = standin_apart(plaid_link_standin::StandinConfig::default()).await;
    let db = TestDb::postgres().await.url();
    let settings =
        [("DATABASE_URL", db.as_str()), ("PLAID_BASE_URL", plaid.as_str()), ("PLAID_LINK_CSRF", "off")];
    let (mut a, b) = (Process::start(&settings), Process::start(&settings));
    let response = a.post("/api/link_token", "", "{}").await;
    let session = response.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
    let link_token = response.json::<Value>().await.unwrap()["link_token"].as_str().unwrap().to_owned();
    let public_token = link_through(&plaid, &link_token).await;

    // Plaid spends the token, and is slow to answer: the instance dies before it hears back.
    standin.delay_exchanges(Duration::from_secs(60));
    let first = tokio::spawn({
        let (a, session, public_token) = (a.addr.clone(), session.clone(), public_token.clone());
        async move { exchange(&a, &session, &public_token).await.map(|r| r.status()) }
    });
    for _ in 0..500 {
        if standin.exchanges() == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(standin.exchanges(), 1, "Plaid spent the token");
    a.child.kill().unwrap(); // SIGKILL
    a.child.wait().unwrap();
    assert!(first.await.unwrap().is_err(), "the page's first attempt lost its connection");
    standin.delay_exchanges(Duration::ZERO);

    // The component's retry, with the same key, reaches the other instance.
    let started = Instant::now();
    let retry = exchange(&b.addr, &session, &public_token).await.unwrap();
    let took = started.elapsed();
    let (status, body) = (retry.status().as_u16(), retry.json::<Value>().await.unwrap());
    assert_eq!(status, 400, "{body}");
    assert!(body["error"].as_str().unwrap().contains("connect your bank again"), "{body}");
    assert!(took < ONE_ATTEMPT, "answered in {took:?}");
    let log = b.log_after(1).await;
    let lost: Vec<_> = log.iter().filter(|line| line.contains("an exchange's outcome was lost")).collect();
    assert_eq!(lost.len(), 1, "one line for the operator: {log:?}");
}
