//! Two backend instances on one PostgreSQL database, as behind a load balancer, both talking to
//! one Plaid (a stand-in started apart, reached over HTTP). What one instance did, the other knows.

mod common;

use std::sync::Arc;

use common::*;
use plaid_link_standin::{Standin, StandinConfig};
use serde_json::json;

/// The token key every instance here starts with, and the one it is rotated to (32 bytes of 9).
const NEXT_KEY_BASE64: &str = "CQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQk=";

/// An instance on `db`, using the stand-in at `plaid`, with these settings besides.
async fn instance(db: &TestDb, standin: &Arc<Standin>, plaid: &str, settings: &[(&str, &str)]) -> Running {
    let mut all = vec![("PLAID_BASE_URL", plaid)];
    all.extend_from_slice(settings);
    start_with_standin(db.clone(), &all, Some(standin.clone())).await
}

async fn two_instances() -> (Running, Running, TestDb) {
    let db = TestDb::postgres().await;
    let (standin, plaid) = standin_apart(StandinConfig::default()).await;
    let a = instance(&db, &standin, &plaid, &[]).await;
    let b = instance(&db, &standin, &plaid, &[]).await;
    (a, b, db)
}

#[tokio::test]
async fn an_exchange_retried_on_the_other_instance_is_exchanged_once_and_answered_the_same() {
    let (a, b, _db) = two_instances().await;
    let (session, public_token) = a.browser_session_with_public_token().await;
    let (status, first) = a.exchange(&session, &public_token, Some("key-1")).await;
    assert_eq!(status, 200, "{first}");
    // The browser did not get that answer (a proxy timed out): its retry lands on the other one.
    let (status, again) = b.exchange(&session, &public_token, Some("key-1")).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again, first);
    assert_eq!(a.standin.exchanges(), 1, "Plaid exchanged the public token once");
    let (status, items) = b.api(reqwest::Method::GET, "/api/items", &session, None).await;
    assert_eq!(status, 200);
    assert_eq!(items["items"].as_array().unwrap().len(), 1, "{items}");
    assert_eq!(items["items"][0]["item_id"], first["item_id"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_racing_on_one_key_exchange_once() {
    use sqlx::Connection;
    let (a, b, db) = two_instances().await;
    let (session, public_token) = a.browser_session_with_public_token().await;
    let owner = a.standin.client_user_ids().pop().expect("the session's Plaid user id");
    // Plaid takes a while, so that the claim the first one takes is still in progress when the
    // other, released at the same moment, reads it.
    a.standin.delay_exchanges(std::time::Duration::from_millis(500));
    // The meeting point is the claim itself: the test holds an uncommitted claim of the key, so
    // each instance's INSERT waits on it. Once both wait, both requests are at the claim together.
    let mut holder = sqlx::PgConnection::connect(&db.url()).await.unwrap();
    sqlx::raw_sql("BEGIN").execute(&mut holder).await.unwrap();
    sqlx::query(
        "INSERT INTO plaid_link_idempotency (owner, key, body_hash, created_at) VALUES ($1, 'key-race', $2, $3)",
    )
    .bind(&owner)
    .bind(vec![0u8; 32])
    .bind(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64)
    .execute(&mut holder)
    .await
    .unwrap();
    let meet = async {
        let mut watcher = sqlx::PgConnection::connect(&db.url()).await.unwrap();
        let mut waiting = 0;
        for _ in 0..1_000 {
            waiting = sqlx::query_scalar::<_, i64>(
                "SELECT count(*) FROM pg_stat_activity
                 WHERE datname = current_database() AND wait_event_type = 'Lock'",
            )
            .fetch_one(&mut watcher)
            .await
            .unwrap();
            if waiting == 2 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        sqlx::raw_sql("ROLLBACK").execute(&mut holder).await.unwrap();
        waiting
    };
    let (on_a, on_b, waiting) = tokio::join!(
        a.exchange(&session, &public_token, Some("key-race")),
        b.exchange(&session, &public_token, Some("key-race")),
        meet,
    );
    assert_eq!(waiting, 2, "both instances waited at the claim together");
    assert_eq!((on_a.0, on_b.0), (200, 200), "{on_a:?} {on_b:?}");
    assert_eq!(on_a.1, on_b.1, "both answered with the one item");
    assert_eq!(a.standin.exchanges(), 1);
    assert_eq!(a.items().await.len(), 1);
}

#[tokio::test]
async fn a_session_issued_by_one_instance_is_accepted_by_the_other() {
    let (a, b, _db) = two_instances().await;
    let response = a.link_token_request().await;
    assert_eq!(response.status(), 200);
    let session = response.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
    let response = b.link_token_request_with(&format!("{session}; ")).await;
    assert_eq!(response.status(), 200);
    assert!(!response.headers().contains_key("set-cookie"), "no new session started");
    let users = a.standin.client_user_ids();
    assert_eq!(users.len(), 2, "two link tokens: {users:?}");
    assert_eq!(users[0], users[1], "for one user");
}

#[tokio::test]
async fn rotate_key_run_once_reencrypts_for_every_instance() {
    let db = TestDb::postgres().await;
    let (standin, plaid) = standin_apart(StandinConfig::default()).await;
    // Items connected through each instance, under the first key.
    let mut sessions = Vec::new();
    for _ in 0..2 {
        let s = instance(&db, &standin, &plaid, &[]).await;
        sessions.push((s.session_with_item().await, s));
    }
    // The new key is rolled out with the old one still readable, then rotate-key runs once.
    let rotated = std::process::Command::new(env!("CARGO_BIN_EXE_plaid-link-dev"))
        .arg("rotate-key")
        .env_clear()
        .env("PLAID_ENV", "local")
        .env("DATABASE_URL", db.url())
        .env("TOKEN_ENCRYPTION_KEY", NEXT_KEY_BASE64)
        .env("TOKEN_ENCRYPTION_PREVIOUS_KEYS", TEST_KEY_BASE64)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&rotated.stdout);
    assert!(rotated.status.success(), "{said} {}", String::from_utf8_lossy(&rotated.stderr));
    assert!(said.starts_with("re-encrypted 2 items"), "{said}");
    // Instances with the new key alone start, and each reads every item (update mode decrypts it).
    for _ in 0..2 {
        let s = instance(&db, &standin, &plaid, &[("TOKEN_ENCRYPTION_KEY", NEXT_KEY_BASE64)]).await;
        for ((session, item_id), _) in &sessions {
            let (status, body) = s
                .api(reqwest::Method::POST, "/api/link_token", session, Some(json!({ "item_id": item_id })))
                .await;
            assert_eq!(status, 200, "{body}");
        }
    }
}
