//! A database outage: every answer says "try again" (503 with `Retry-After`, which the component
//! retries) within a few seconds, never "no session" or "no items"; the backend recovers by
//! itself; one started while the database is down says so and comes up with it.

mod common;

use std::time::{Duration, Instant};

use common::*;
use reqwest::Method;
use serde_json::json;

/// The longest a request may take to answer during an outage: well inside the component's 15 s a
/// attempt (the library waits 3 s for a connection).
const TOLD_WITHIN: Duration = Duration::from_secs(8);

#[tokio::test]
async fn during_an_outage_every_call_says_try_again_and_the_backend_recovers_by_itself() {
    let TestDb::Postgres(url) = TestDb::postgres().await else { unreachable!() };
    let relay = Relay::start(&url).await;
    let s = start_on(TestDb::Postgres(relay.url(&url))).await;
    let (session, item_id) = s.session_with_item().await;
    let (status, token) = s.api(Method::POST, "/api/link_token", &session, Some(json!({}))).await;
    assert_eq!(status, 200, "{token}");
    let public_token = s.public_token(token["link_token"].as_str().unwrap()).await;

    relay.stop().await;
    for (what, method, path) in [
        ("the exchange", Method::POST, "/api/exchange_public_token"),
        ("the item list", Method::GET, "/api/items"),
        ("unlinking", Method::DELETE, "/api/items/ITEM"),
    ] {
        let started = Instant::now();
        let mut request = s
            .http
            .request(method.clone(), format!("{}{}", s.base, path.replace("ITEM", &item_id)))
            .header("cookie", format!("{session}; plaid_link_csrf={CSRF}"))
            .header("x-csrf-token", CSRF)
            .header("idempotency-key", "outage-1");
        if method == Method::POST {
            let body = json!({"public_token": public_token, "institution": null, "accounts": [], "link_session_id": "s"});
            request = request.header("content-type", "application/json").body(body.to_string());
        }
        let response = request.send().await.unwrap();
        let took = started.elapsed();
        assert_eq!(response.status(), 503, "{what}: {:?}", response.text().await);
        assert!(response.headers().contains_key("retry-after"), "{what}: no Retry-After");
        assert!(took < TOLD_WITHIN, "{what} took {took:?}");
    }
    assert_eq!(s.standin.exchanges(), 1, "only the first item's token was exchanged");

    relay.restart().await;
    let mut listed = (0, serde_json::Value::Null);
    for _ in 0..100 {
        listed = s.api(Method::GET, "/api/items", &session, None).await;
        if listed.0 == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(listed.0, 200, "{}", listed.1);
    assert_eq!(listed.1["items"].as_array().unwrap().len(), 1, "{}", listed.1);
    // The retry with the same key is worked on: the bank the outage held up is added.
    let (status, body) = s.exchange(&session, &public_token, Some("outage-1")).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn an_instance_started_while_the_database_is_down_says_so_and_comes_up_with_it() {
    use std::io::BufRead;
    let TestDb::Postgres(url) = TestDb::postgres().await else { unreachable!() };
    let relay = Relay::start(&url).await;
    relay.stop().await;
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_plaid-link-dev"));
    command
        .env_clear()
        .env("PLAID_ENV", "local")
        .env("PLAID_LINK_ADDR", "127.0.0.1:0")
        .env("DATABASE_URL", relay.url(&url))
        .env("TOKEN_ENCRYPTION_KEY", TEST_KEY_BASE64)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    // Stopped however the test ends, a failed assertion included.
    let mut child = Stopped(command.spawn().unwrap());
    let (lines, said) = std::sync::mpsc::channel();
    let stderr = std::io::BufReader::new(child.0.stderr.take().unwrap());
    std::thread::spawn(move || stderr.lines().map_while(Result::ok).for_each(|line| drop(lines.send(line))));
    let started = Instant::now();
    let first = said.recv_timeout(TOLD_WITHIN).expect("a line within seconds");
    assert!(first.contains("the database could not be reached") && first.contains("trying again"), "{first}");
    assert!(started.elapsed() < TOLD_WITHIN);
    assert!(child.0.try_wait().unwrap().is_none(), "it keeps trying");

    relay.restart().await;
    let (ready, up) = std::sync::mpsc::channel();
    let stdout = std::io::BufReader::new(child.0.stdout.take().unwrap());
    std::thread::spawn(move || {
        let mut first = String::new();
        let _ = stdout.lines().next().map(|line| first = line.unwrap_or_default());
        let _ = ready.send(first);
    });
    let up = tokio::task::spawn_blocking(move || up.recv_timeout(Duration::from_secs(40))).await.unwrap();
    drop(child);
    assert!(up.expect("serving once the database is back").contains("http://127.0.0.1:"));
}

/// A process of the test's own, killed and reaped when dropped.
struct Stopped(std::process::Child);

impl Drop for Stopped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
