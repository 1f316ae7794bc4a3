//! Plaid's stand-in, as the reference backend serves it under `/plaid`: its answers, its keys,
//! its tokens' lives, its OAuth bank.

mod common;

use common::*;
use serde_json::{json, Value};

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

/// The redirect URI the test backend registers with the stand-in (`PLAID_REDIRECT_URI`).
const REGISTERED: &str = "https://app.example.com/oauth-return";

async fn start_with_redirect_uri() -> Running {
    start_with(TestDb::sqlite(), &[("PLAID_REDIRECT_URI", REGISTERED)]).await
}

#[tokio::test]
async fn a_redirect_uri_must_be_one_registered_for_the_keys() {
    // As Plaid's dashboard's "Allowed redirect URIs": a link token made with the stand-in's public
    // keys must not turn its OAuth bank's "Allow" into an open redirect.
    let s = start_with_redirect_uri().await;
    for uri in [
        "https://evil.example/phish",
        "http://app.example.com/",
        "https://app.example.com/?next=1",
        "https://app.example.com/#x",
        "http://localhost:8080/",
    ] {
        let (status, body) = s.link_token_with(json!({"redirect_uri": uri})).await;
        assert_plaid_error(status, &body, 400, "INVALID_REQUEST", "INVALID_FIELD");
        assert!(body["error_message"].as_str().unwrap().contains("redirect URI"), "{body}");
    }
    assert_eq!(s.link_token_with(json!({"redirect_uri": REGISTERED})).await.0, 200);
}

#[tokio::test]
async fn a_request_for_another_host_is_refused_in_local_mode() {
    // A page of another site reaching this machine through a name of its own (DNS rebinding).
    let s = start().await;
    for path in ["/plaid/link/institutions", "/api/items"] {
        let response =
            s.http.get(format!("{}{path}", s.base)).header("host", "evil.example").send().await.unwrap();
        assert_eq!(response.status(), 421, "{path}");
    }
    let response = s.http.get(format!("{}/plaid/link/institutions", s.base)).send().await.unwrap();
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn an_oauth_bank_signs_in_on_its_own_page_and_sends_the_user_back_to_the_redirect_uri() {
    let s = start_with_redirect_uri().await;
    let no_redirects =
        reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    for redirect_uri in [None, Some(REGISTERED)] {
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
