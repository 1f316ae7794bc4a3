//! The session's items: webhooks that mark them, unlinking, update mode, the sandbox's reset.

mod common;

use common::*;
use serde_json::{json, Value};

#[tokio::test]
async fn a_signed_webhook_marks_the_item_and_a_repaired_login_clears_it() {
    let s = start().await;
    let (session, public_token) = s.browser_session_with_public_token().await;
    assert_eq!(s.exchange(&session, &public_token, None).await.0, 200);
    let (access_token, item_id) = s.stored_item().await;
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
    let (_, item_id) = s.stored_item().await;
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
    assert_eq!(s.store().await.items().await.unwrap()[0].status, "ok");
}

#[tokio::test]
async fn only_its_owner_can_unlink_an_item_and_plaid_removes_it() {
    let s = start().await;
    let (session, public_token) = s.browser_session_with_public_token().await;
    assert_eq!(s.exchange(&session, &public_token, None).await.0, 200);
    let (_, item_id) = s.stored_item().await;
    let (stranger, _) = s.browser_session_with_public_token().await;
    let delete = |cookie: &str| {
        s.http
            .delete(format!("{}/api/items/{item_id}", s.base))
            .header("cookie", format!("{cookie}; plaid_link_csrf={CSRF}"))
            .header("x-csrf-token", CSRF)
            .send()
    };
    assert_eq!(delete(&stranger).await.unwrap().status(), 404);
    assert_eq!(s.store().await.items().await.unwrap().len(), 1, "a stranger removes nothing");
    let items_at_plaid = s.standin.items();
    assert_eq!(delete(&session).await.unwrap().status(), 204);
    assert!(s.store().await.items().await.unwrap().is_empty());
    assert_eq!(s.standin.items(), items_at_plaid - 1, "removed at Plaid too");
    assert_eq!(delete(&session).await.unwrap().status(), 404);
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
    let access_token = s.store().await.access_token(&item_id).await.unwrap().unwrap();
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
    assert!(s.store().await.items().await.unwrap().iter().all(|i| i.status == "ok"));
}
