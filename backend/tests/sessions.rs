//! Link sessions that end without a public token in `onSuccess`: Multi-Item Link (through the
//! page's session-finished call, through the `SESSION_FINISHED` webhook alone, and both racing),
//! Identity Verification; Hosted Link (the page's return, the webhook alone, both; what a page may
//! ask for); duplicate Items refused before any exchange; and exit reports.

mod common;

use common::*;
use serde_json::json;

const PLATYPUS: &str = "ins_109508";
const TARTAN: &str = "ins_109511";

fn names(answer: &serde_json::Value) -> Vec<&str> {
    answer["items"].as_array().unwrap().iter().map(|i| i["institution"]["name"].as_str().unwrap()).collect()
}

#[tokio::test]
async fn a_multi_item_session_adds_each_bank_once_through_the_pages_call() {
    let s = start().await;
    s.standin.hold_webhooks(true);
    let session = s.browser_session().await;
    let (link_session, link_token) = s.multi_item_session(&session, &[PLATYPUS, TARTAN]).await;
    let (status, answer) = s.session_finished(&session, &link_session, &link_token, "key-1").await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(names(&answer), ["First Platypus Bank", "Tartan Bank"]);
    assert_eq!(answer["duplicates"], json!([]));
    // The browser's retry, and a call under another key: the same two, exchanged once each.
    assert_eq!(s.session_finished(&session, &link_session, &link_token, "key-1").await.1, answer);
    let (_, again) = s.session_finished(&session, &link_session, &link_token, "key-2").await;
    assert_eq!(again["items"], answer["items"]);
    assert_eq!(s.standin.exchanges(), 2);
    assert_eq!(s.items().await.len(), 2);
    let (_, listed) = s.api(reqwest::Method::GET, "/api/items", &session, None).await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn a_multi_item_session_is_added_by_the_webhook_alone_when_the_page_never_calls() {
    let s = start().await;
    let session = s.browser_session().await;
    let _ = s.multi_item_session(&session, &[PLATYPUS, TARTAN]).await;
    let items = s.items_become(2).await;
    assert_eq!(items.len(), 2, "{items:?}");
    assert_eq!(s.standin.exchanges(), 2);
    // The webhook names its link token: Plaid is asked about that one alone, not each of the user's.
    assert_eq!(s.standin.link_token_reads(), 1);
    let (_, listed) = s.api(reqwest::Method::GET, "/api/items", &session, None).await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 2, "the items are the session's: {listed}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_pages_call_and_the_webhook_racing_add_each_bank_once() {
    let s = start().await;
    // Both paths read the session through /link/token/get; each read is held until the other's
    // arrives, so the two are in flight together (not one after the other).
    s.standin.meet_link_token_reads(2);
    let session = s.browser_session().await;
    let (link_session, link_token) = s.multi_item_session(&session, &[PLATYPUS, TARTAN]).await;
    let (status, answer) = s.session_finished(&session, &link_session, &link_token, "key-race").await;
    assert!(s.standin.link_token_reads_met(), "the page's call and the webhook did not overlap");
    assert_eq!(status, 200, "{answer}");
    assert_eq!(names(&answer), ["First Platypus Bank", "Tartan Bank"]);
    // The webhook's path done too (its answer came back): still two.
    for _ in 0..400 {
        if s.standin.webhooks_answered() >= 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert_eq!(s.standin.webhooks_answered(), 1, "SESSION_FINISHED was answered");
    assert_eq!((s.items().await.len(), s.standin.exchanges()), (2, 2));
}

#[tokio::test]
async fn a_link_session_is_only_read_for_the_session_that_owns_it() {
    let s = start().await;
    s.standin.hold_webhooks(true);
    let owner = s.browser_session().await;
    let (link_session, link_token) = s.multi_item_session(&owner, &[PLATYPUS]).await;
    let stranger = s.browser_session().await;
    let (status, answer) = s.session_finished(&stranger, &link_session, &link_token, "key-1").await;
    assert_eq!(status, 404, "{answer}");
    assert_eq!(s.standin.exchanges(), 0, "nothing exchanged for a stranger");
}

#[tokio::test]
async fn the_same_bank_and_accounts_again_are_refused_before_any_exchange() {
    let s = start().await;
    s.standin.hold_webhooks(true);
    let (session, first) = s.session_with_item().await;
    // The same bank, the same accounts, a new Link session.
    let link_token = {
        let (_, body) = s.api(reqwest::Method::POST, "/api/link_token", &session, Some(json!({}))).await;
        body["link_token"].as_str().unwrap().to_owned()
    };
    let public_token = s.public_token(&link_token).await;
    let body = json!({"public_token": public_token, "institution": {"institution_id": PLATYPUS, "name": "First Platypus Bank"},
                      "accounts": [{"id": "x", "name": "Plaid Checking", "mask": "0000", "type": "depository", "subtype": "checking"}],
                      "link_session_id": "s2"});
    // The first item was exchanged with no accounts in its metadata: record them as Link reported.
    let (status, _) = s
        .api(
            reqwest::Method::POST,
            "/api/item_updated",
            &session,
            Some(json!({"item_id": first, "link_session_id": "s"})),
        )
        .await;
    assert_eq!(status, 200);
    let (status, answer) =
        s.api(reqwest::Method::POST, "/api/exchange_public_token", &session, Some(body)).await;
    assert_eq!(status, 409, "{answer}");
    assert_eq!(answer["duplicate"]["item_id"], first.as_str());
    assert_eq!(answer["duplicate"]["institution"]["name"], "First Platypus Bank");
    assert_eq!(s.standin.exchanges(), 1, "the duplicate was not exchanged");
    // In a Multi-Item session too: the known bank is a duplicate, the new one is added.
    let (link_session, link_token) = s.multi_item_session(&session, &[PLATYPUS, TARTAN]).await;
    let (status, answer) = s.session_finished(&session, &link_session, &link_token, "key-m").await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(names(&answer), ["Tartan Bank"]);
    assert_eq!(answer["duplicates"][0]["item_id"], first.as_str());
    assert_eq!(s.standin.exchanges(), 2);
}

#[tokio::test]
async fn identity_verification_ends_verified_with_no_token_and_no_item() {
    let s = start_with(TestDb::sqlite(), &[("PLAID_PRODUCTS", "identity_verification")]).await;
    let session = s.browser_session().await;
    let (_, token) = s.api(reqwest::Method::POST, "/api/link_token", &session, Some(json!({}))).await;
    let link_token = token["link_token"].as_str().unwrap().to_owned();
    let link_session = format!("idv-{}", rand_suffix());
    let finish = json!({"link_token": link_token, "link_session_id": link_session});
    assert_eq!(s.to_plaid("/link/finish", finish).await.0, 200);
    let (status, answer) = s.session_finished(&session, &link_session, &link_token, "key-1").await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["verified"], true);
    assert_eq!(answer["items"], json!([]));
    assert_eq!(s.standin.exchanges(), 0);
}

#[test]
fn an_exit_report_is_one_log_line_with_exactly_its_fields() {
    let backend = Process::start(&[("PLAID_LINK_CSRF", "off")]);
    let post = |body: serde_json::Value| {
        let response = std::process::Command::new("curl")
            .args([
                "-s",
                "-o",
                "/dev/null",
                "-w",
                "%{http_code}",
                "-H",
                "content-type: application/json",
                "-d",
            ])
            .arg(body.to_string())
            .arg(format!("http://{}/api/link_exit", backend.addr))
            .output()
            .unwrap();
        String::from_utf8(response.stdout).unwrap()
    };
    let report = json!({"error_type": "ITEM_ERROR", "error_code": "INVALID_CREDENTIALS", "request_id": "req123",
                        "link_session_id": "sess-1", "institution_id": "ins_109508", "status": "requires_credentials"});
    assert_eq!(post(report), "202");
    assert_eq!(
        post(json!({"error_code": "X", "display_message": "what the user typed"})),
        "400",
        "unknown fields"
    );
    assert_eq!(post(json!({"error_code": "<script>alert(1)</script>"})), "400", "not a code");
    let line = (0..200)
        .find_map(|_| {
            let found = backend.log.lock().unwrap().iter().find(|l| l.contains("link_exit")).cloned();
            if found.is_none() {
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            found
        })
        .expect("an exit report line");
    let line: serde_json::Value = serde_json::from_str(&line).unwrap();
    let mut fields: Vec<&str> = line["fields"].as_object().unwrap().keys().map(String::as_str).collect();
    fields.sort();
    assert_eq!(
        fields,
        ["error_code", "error_type", "institution_id", "link_session_id", "message", "request_id", "status"]
    );
    assert_eq!(line["fields"]["error_code"], "INVALID_CREDENTIALS");
    assert_eq!(backend.log.lock().unwrap().iter().filter(|l| l.contains("\"link_exit\"")).count(), 1);
}

#[tokio::test]
async fn the_pages_call_reads_one_link_token_however_many_its_user_made_since() {
    let s = start().await;
    let session = s.browser_session().await;
    s.standin.hold_webhooks(true);
    let (link_session, link_token) = s.multi_item_session(&session, &[PLATYPUS, TARTAN]).await;
    // Other tabs, reloads: 25 newer link tokens for the same user.
    for _ in 0..25 {
        let (status, body) = s.api(reqwest::Method::POST, "/api/link_token", &session, Some(json!({}))).await;
        assert_eq!(status, 200, "{body}");
    }
    let reads = s.standin.link_token_reads();
    let (status, answer) = s.session_finished(&session, &link_session, &link_token, "key-1").await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(names(&answer), ["First Platypus Bank", "Tartan Bank"]);
    assert_eq!(s.standin.link_token_reads() - reads, 1, "one call to Plaid for one call of the page's");
    // A session the link token does not have costs one read, and finds nothing.
    let (status, _) = s.session_finished(&session, "another-session", &link_token, "key-2").await;
    assert_eq!(status, 404);
    assert_eq!(s.standin.link_token_reads() - reads, 2);
}

#[tokio::test]
async fn a_hosted_link_session_is_added_once_by_the_webhook_and_the_pages_return() {
    let s = start().await;
    let session = s.browser_session().await;
    let done = format!("{}/settings?tab=banks", s.base);
    let (status, token) =
        s.hosted_link_token(&session, &s.base, json!({ "completion_redirect_uri": done })).await;
    assert_eq!(status, 200, "{token}");
    let url = token["hosted_link_url"].as_str().expect("a hosted_link_url");
    assert!(url.starts_with(&format!("{}/plaid/hl/", s.base)), "{url}");
    let link_token = token["link_token"].as_str().unwrap();
    // The user is still in Link: nothing yet, and nothing exchanged.
    let (status, answer) = s.hosted_link_finished(&session, link_token).await;
    assert_eq!((status, &answer), (200, &json!({ "finished": false })));

    let (link_session, _) = s.banks_through(link_token, &[PLATYPUS]).await;
    s.finish_link(link_token, &link_session).await;
    // Plaid's webhook first (the user is slow to come back), then the page's return: one bank.
    let items = s.items_become(1).await;
    assert_eq!(items.len(), 1);
    let (status, answer) = s.hosted_link_finished(&session, link_token).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["finished"], true);
    assert_eq!(names(&answer), ["First Platypus Bank"]);
    assert_eq!(answer["items"][0]["item_id"], items[0].item_id.as_str());
    assert_eq!(s.hosted_link_finished(&session, link_token).await.1, answer, "asking again changes nothing");
    assert_eq!((s.items().await.len(), s.standin.exchanges()), (1, 1));
}

#[tokio::test]
async fn a_hosted_link_session_the_user_leaves_or_never_returns_from() {
    let s = start().await;
    s.standin.hold_webhooks(true);
    let session = s.browser_session().await;
    // Without a completion URI (a new window the user closes): the page's return alone adds it.
    let (status, token) = s.hosted_link_token(&session, &s.base, json!({})).await;
    assert_eq!(status, 200, "{token}");
    let link_token = token["link_token"].as_str().unwrap();
    let (link_session, _) = s.banks_through(link_token, &[PLATYPUS]).await;
    s.finish_link(link_token, &link_session).await;
    let (_, answer) = s.hosted_link_finished(&session, link_token).await;
    assert_eq!(names(&answer), ["First Platypus Bank"]);

    // A session the user closed: finished, with nothing added.
    let (_, token) = s.hosted_link_token(&session, &s.base, json!({})).await;
    let link_token = token["link_token"].as_str().unwrap();
    s.end_link(link_token, "session-closed", "EXITED").await;
    let (status, answer) = s.hosted_link_finished(&session, link_token).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!((answer["finished"].clone(), answer["items"].clone()), (json!(true), json!([])));

    // Another user's link token is no session of this one's.
    let other = s.browser_session().await;
    assert_eq!(s.hosted_link_finished(&other, link_token).await.0, 404);
    assert_eq!(s.standin.exchanges(), 1);
}

#[tokio::test]
async fn a_user_who_never_returns_from_hosted_link_gets_the_bank_from_the_webhook_alone() {
    let s = start().await;
    let session = s.browser_session().await;
    let (_, token) = s.hosted_link_token(&session, &s.base, json!({})).await;
    let link_token = token["link_token"].as_str().unwrap();
    let (link_session, _) = s.banks_through(link_token, &[PLATYPUS, TARTAN]).await;
    s.finish_link(link_token, &link_session).await;
    let items = s.items_become(2).await;
    assert_eq!((items.len(), s.standin.exchanges()), (2, 2));
    let (_, listed) = s.api(reqwest::Method::GET, "/api/items", &session, None).await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 2, "the user's own: {listed}");
}

#[tokio::test]
async fn hosted_link_sends_a_user_only_to_a_page_of_the_calling_pages_origin() {
    let s = start().await;
    let session = s.browser_session().await;
    let refused = [
        // Another site: Plaid's page would bounce the user there.
        ("https://evil.example/phish".to_owned(), s.base.clone()),
        // The page's own origin, but another page claims to call.
        (format!("{}/done", s.base), "https://evil.example".to_owned()),
        // HTTP off this machine, and a fragment.
        ("http://shop.example/done".to_owned(), "http://shop.example".to_owned()),
        (format!("{}/done#x", s.base), s.base.clone()),
        ("not a url".to_owned(), s.base.clone()),
    ];
    for (uri, origin) in refused {
        let (status, answer) =
            s.hosted_link_token(&session, &origin, json!({ "completion_redirect_uri": uri })).await;
        assert!(status == 400 || status == 403, "{uri} from {origin}: {status} {answer}");
        assert!(answer.get("link_token").is_none(), "{uri}: {answer}");
    }
    // Update mode opens in the page: Hosted Link here adds banks.
    let (_, item_id) = s.session_with_item().await;
    let update = json!({ "item_id": item_id, "hosted_link": {} });
    let (status, _) = s.api(reqwest::Method::POST, "/api/link_token", &session, Some(update)).await;
    assert_eq!(status, 400);
}
