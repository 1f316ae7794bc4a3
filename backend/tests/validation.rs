//! What a client chooses is checked for shape and size before Plaid or the database sees it: a
//! string PostgreSQL cannot store (a NUL), control characters, sizes no bank has.

mod common;

use common::*;
use reqwest::Method;
use serde_json::{json, Value};

fn exchange_body(public_token: &str, name: &str, account_name: &str) -> Value {
    json!({"public_token": public_token,
           "institution": {"institution_id": "ins_109508", "name": name},
           "accounts": [{"id": "acc1", "name": account_name, "mask": "0000", "type": "depository", "subtype": "checking"}],
           "link_session_id": "s"})
}

#[tokio::test]
async fn an_exchange_with_strings_no_bank_has_is_refused_before_plaid_spends_the_token() {
    let s = start_on(TestDb::postgres().await).await;
    let (session, public_token) = s.browser_session_with_public_token().await;
    let long = "B".repeat(1_500_000);
    for (what, name, account) in [
        ("a NUL in the bank's name", "Bank\u{0}", "Checking"),
        ("a control character in an account's name", "Bank", "Check\u{1b}[2Jing"),
        ("a bank's name of 1.5 MB", long.as_str(), "Checking"),
    ] {
        let body = exchange_body(&public_token, name, account);
        let (status, answer) = s.api(Method::POST, "/api/exchange_public_token", &session, Some(body)).await;
        assert!(status == 400 || status == 413, "{what}: {status} {answer}");
        assert_eq!(s.standin.exchanges(), 0, "{what}: Plaid was asked to exchange");
    }
    // The token was never spent: the same bank, described as Link describes it, is added.
    let body = exchange_body(&public_token, "First Platypus Bank", "Plaid Checking");
    let (status, answer) = s.api(Method::POST, "/api/exchange_public_token", &session, Some(body)).await;
    assert_eq!(status, 200, "{answer}");
    let (status, listed) = s.api(Method::GET, "/api/items", &session, None).await;
    assert_eq!(status, 200);
    assert!(listed.to_string().len() < 2_000, "{}", listed.to_string().len());
}

#[tokio::test]
async fn an_item_id_that_cannot_exist_is_not_found() {
    let s = start_on(TestDb::postgres().await).await;
    let (session, _) = s.session_with_item().await;
    let nul = "item\u{0}id";
    let answers = [
        s.api(Method::DELETE, "/api/items/item%00id", &session, None).await,
        s.api(Method::POST, "/api/items/item%00id/reset_login", &session, Some(json!({}))).await,
        s.api(Method::POST, "/api/item_updated", &session, Some(json!({"item_id": nul}))).await,
        s.api(Method::POST, "/api/link_token", &session, Some(json!({"item_id": nul}))).await,
        s.api(Method::DELETE, &format!("/api/items/{}", "x".repeat(300)), &session, None).await,
    ];
    for (n, (status, body)) in answers.iter().enumerate() {
        assert_eq!(*status, 404, "request {n}: {body}");
    }
}
