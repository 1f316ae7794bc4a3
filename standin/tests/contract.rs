//! The stand-in against Plaid's OpenAPI description, through the facts it keeps of it
//! (`spec/plaid-2020-09-14.json`, written from `plaid/plaid-openapi` by `spec/derive.py`): every
//! answer it gives, success and error, and every webhook body it posts validates against the
//! schema of its operation; and every request the description makes invalid (a required field left
//! out, a wrong type, a value outside an enum, a body that is not `application/json`) gets Plaid's
//! documented error.

use std::sync::{Arc, Mutex};

use axum::routing::post;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use plaid_link_standin::{router, Standin, StandinConfig};
use serde_json::{json, Value};

/// The facts, and a validator for any schema among them.
struct Contract {
    facts: Value,
}

impl Contract {
    fn load() -> Self {
        Self { facts: serde_json::from_str(plaid_link_standin::spec::FACTS).unwrap() }
    }

    /// Asserts that `value` matches the schema `reference` (`#/$defs/…`) names.
    fn check(&self, reference: &str, value: &Value, what: &str) {
        let schema = json!({ "$ref": reference, "$defs": self.facts["$defs"] });
        let validator = jsonschema::draft202012::new(&schema).unwrap();
        let errors: Vec<String> =
            validator.iter_errors(value).map(|e| format!("{}: {e}", e.instance_path().as_str())).collect();
        assert!(errors.is_empty(), "{what} does not match {reference}: {errors:?}\n{value:#}");
    }

    fn operation(&self, path: &str, part: &str) -> String {
        self.facts["operations"][path][part].as_str().unwrap().to_owned()
    }

    /// A schema, with a `$ref` followed.
    fn resolve<'a>(&'a self, schema: &'a Value) -> &'a Value {
        match schema.get("$ref").and_then(Value::as_str) {
            Some(reference) => self.resolve(&self.facts["$defs"][reference.trim_start_matches("#/$defs/")]),
            None => schema,
        }
    }

    /// The JSON types a schema allows (none when it says nothing plain about them).
    fn types(&self, schema: &Value) -> Vec<String> {
        match &self.resolve(schema)["type"] {
            Value::String(t) => vec![t.clone()],
            Value::Array(ts) => ts.iter().filter_map(|t| t.as_str().map(str::to_owned)).collect(),
            _ => Vec::new(),
        }
    }

    /// A value the schema accepts: every required field, the first of every enum.
    fn example(&self, schema: &Value) -> Value {
        let schema = self.resolve(schema);
        if let Some(first) = schema["enum"].as_array().and_then(|e| e.iter().find(|v| !v.is_null())) {
            return first.clone();
        }
        if let Some(first) = schema["anyOf"].as_array().or(schema["oneOf"].as_array()).and_then(|s| s.first())
        {
            return self.example(first);
        }
        if let Some(all) = schema["allOf"].as_array() {
            let mut merged = serde_json::Map::new();
            for part in all {
                if let Value::Object(fields) = self.example(part) {
                    merged.extend(fields);
                }
            }
            return Value::Object(merged);
        }
        match self.types(schema).iter().find(|t| *t != "null").map(String::as_str) {
            Some("string") => json!("x"),
            Some("integer" | "number") => json!(1),
            Some("boolean") => json!(true),
            Some("array") => json!([]),
            _ => {
                let mut object = serde_json::Map::new();
                for field in schema["required"].as_array().into_iter().flatten().filter_map(Value::as_str) {
                    object.insert(field.to_owned(), self.example(&schema["properties"][field]));
                }
                Value::Object(object)
            }
        }
    }
}

/// The stand-in on a free loopback port, and a receiver its webhooks go to.
struct Running {
    base: String,
    http: reqwest::Client,
    hook: String,
    received: Arc<Mutex<Vec<(String, Value)>>>,
    contract: Contract,
}

async fn start() -> Running {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = router(Arc::new(Standin::new(StandinConfig::default())));
    tokio::spawn(async move { axum::serve(listener, app).await });
    let received = Arc::new(Mutex::new(Vec::new()));
    let sink = received.clone();
    let hooks = axum::Router::new().route(
        "/hook",
        post(move |headers: axum::http::HeaderMap, body: String| async move {
            let signature = headers["plaid-verification"].to_str().unwrap().to_owned();
            sink.lock().unwrap().push((signature, serde_json::from_str::<Value>(&body).unwrap()));
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hook = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, hooks).await });
    Running { base, http: reqwest::Client::new(), hook, received, contract: Contract::load() }
}

impl Running {
    /// An API call with the stand-in's keys; its answer checked against the description: the
    /// operation's response on a 200, Plaid's error object otherwise.
    async fn call(&self, path: &str, mut body: Value) -> (u16, Value) {
        body["client_id"] = json!("local-client-id");
        body["secret"] = json!("local-secret");
        let (status, answer) = self.send(path, "application/json", body.to_string()).await;
        let reference = if status == 200 { self.contract.operation(path, "response") } else { self.error() };
        self.contract.check(&reference, &answer, &format!("{path}'s {status} answer"));
        (status, answer)
    }

    async fn send(&self, path: &str, content_type: &str, body: String) -> (u16, Value) {
        let response = self
            .http
            .post(format!("{}{path}", self.base))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        (response.status().as_u16(), response.json().await.unwrap())
    }

    fn error(&self) -> String {
        self.contract.facts["error"].as_str().unwrap().to_owned()
    }

    /// Waits (bounded) until `n` webhooks have arrived; all of them.
    async fn webhooks(&self, n: usize) -> Vec<(String, Value)> {
        for _ in 0..400 {
            if self.received.lock().unwrap().len() >= n {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        self.received.lock().unwrap().clone()
    }
}

fn assert_error(answer: &(u16, Value), code: &str) {
    assert_eq!(answer.0, 400, "{}", answer.1);
    assert_eq!(answer.1["error_code"], code, "{}", answer.1);
}

#[tokio::test]
async fn every_answer_and_every_webhook_matches_plaids_description() {
    let s = start().await;
    let user = s.call("/user/create", json!({ "client_user_id": "user-1" })).await;
    assert_eq!(user.0, 200);
    let again = s.call("/user/create", json!({ "client_user_id": "user-1" })).await;
    assert_eq!(again.1["user_id"], user.1["user_id"], "one user per client_user_id");

    let (status, link) = s
        .call(
            "/link/token/create",
            json!({ "client_name": "t", "language": "en", "country_codes": ["US"], "user": { "client_user_id": "user-1" },
                    "products": ["transactions"], "webhook": s.hook }),
        )
        .await;
    assert_eq!(status, 200);
    let (status, got) = s.call("/link/token/get", json!({ "link_token": link["link_token"] })).await;
    assert_eq!(status, 200);
    assert_eq!(got["metadata"]["initial_products"], json!(["transactions"]));
    assert_eq!(got["metadata"]["webhook"], json!(s.hook));
    assert_error(
        &s.call("/link/token/get", json!({ "link_token": "link-sandbox-unknown" })).await,
        "INVALID_LINK_TOKEN",
    );

    // Multi-Item Link: two banks in one session, then "Done": /link/token/get lists both, and the
    // SESSION_FINISHED webhook carries their public tokens.
    let (status, multi) = s
        .call(
            "/link/token/create",
            json!({ "client_name": "t", "language": "en", "country_codes": ["US"], "user": { "client_user_id": "user-1" },
                    "products": ["transactions"], "webhook": s.hook, "enable_multi_item_link": true }),
        )
        .await;
    assert_eq!(status, 200);
    for bank in ["ins_109508", "ins_109511"] {
        let login = json!({ "link_token": multi["link_token"], "institution_id": bank, "username": "user_good", "password": "pass_good" });
        let (_, accounts) = s.send("/link/credentials", "application/json", login.to_string()).await;
        let chosen = json!({ "link_token": multi["link_token"], "institution_id": bank, "accounts": accounts["accounts"], "link_session_id": "multi-1" });
        assert_eq!(s.send("/link/complete", "application/json", chosen.to_string()).await.0, 200);
    }
    let done = json!({ "link_token": multi["link_token"], "link_session_id": "multi-1" });
    assert_eq!(s.send("/link/finish", "application/json", done.to_string()).await.0, 200);
    let (_, sessions) = s.call("/link/token/get", json!({ "link_token": multi["link_token"] })).await;
    let added = sessions["link_sessions"][0]["results"]["item_add_results"].clone();
    assert_eq!(added.as_array().map(Vec::len), Some(2), "{sessions}");

    let (status, bank) = s
        .call("/institutions/get_by_id", json!({ "institution_id": "ins_109508", "country_codes": ["US"] }))
        .await;
    assert_eq!((status, bank["institution"]["name"].as_str()), (200, Some("First Platypus Bank")));
    let unknown = s
        .call("/institutions/get_by_id", json!({ "institution_id": "ins_0", "country_codes": ["US"] }))
        .await;
    assert_error(&unknown, "INVALID_INSTITUTION");

    let (status, created) = s
        .call(
            "/sandbox/public_token/create",
            json!({ "institution_id": "ins_109508", "initial_products": ["transactions"], "options": { "webhook": s.hook } }),
        )
        .await;
    assert_eq!(status, 200);
    let wrong = json!({ "institution_id": "ins_109508", "initial_products": ["auth"], "options": { "override_password": "no" } });
    assert_error(&s.call("/sandbox/public_token/create", wrong).await, "INVALID_CREDENTIALS");
    let (status, exchanged) =
        s.call("/item/public_token/exchange", json!({ "public_token": created["public_token"] })).await;
    assert_eq!(status, 200);
    assert_error(
        &s.call("/item/public_token/exchange", json!({ "public_token": created["public_token"] })).await,
        "INVALID_PUBLIC_TOKEN",
    );
    let access = json!({ "access_token": exchanged["access_token"] });
    for path in ["/accounts/get", "/accounts/balance/get", "/item/get"] {
        assert_eq!(s.call(path, access.clone()).await.0, 200, "{path}");
    }
    let mut update = access.clone();
    update["webhook"] = json!(format!("{}?updated", s.hook));
    let (status, updated) = s.call("/item/webhook/update", update).await;
    assert_eq!((status, &updated["item"]["webhook"]), (200, &json!(format!("{}?updated", s.hook))));

    let fired = [
        "ERROR",
        "LOGIN_REPAIRED",
        "NEW_ACCOUNTS_AVAILABLE",
        "PENDING_DISCONNECT",
        "USER_PERMISSION_REVOKED",
        "USER_ACCOUNT_REVOKED",
        "DEFAULT_UPDATE",
        "SYNC_UPDATES_AVAILABLE",
    ];
    for code in fired {
        let mut fire = access.clone();
        fire["webhook_code"] = json!(code);
        assert_eq!(s.call("/sandbox/item/fire_webhook", fire).await.0, 200, "{code}");
    }
    let mut unfired = access.clone();
    unfired["webhook_code"] = json!("PRODUCT_READY");
    assert_error(&s.call("/sandbox/item/fire_webhook", unfired).await, "INVALID_FIELD");
    let mut mismatched = access.clone();
    mismatched["webhook_code"] = json!("DEFAULT_UPDATE");
    mismatched["webhook_type"] = json!("ITEM");
    assert_error(&s.call("/sandbox/item/fire_webhook", mismatched).await, "INVALID_FIELD");

    assert_eq!(s.call("/sandbox/item/reset_login", access.clone()).await.0, 200);
    assert_error(&s.call("/accounts/get", access.clone()).await, "ITEM_LOGIN_REQUIRED");

    // Every webhook: the session's end, the acknowledgement, the eight fired, the reset login's ERROR.
    let webhooks = s.webhooks(11).await;
    let mut codes: Vec<String> =
        webhooks.iter().map(|(_, b)| b["webhook_code"].as_str().unwrap().to_owned()).collect();
    codes.sort();
    let mut expected: Vec<String> = fired
        .iter()
        .chain(&["ERROR", "SESSION_FINISHED", "WEBHOOK_UPDATE_ACKNOWLEDGED"])
        .map(|c| (*c).to_owned())
        .collect();
    expected.sort();
    assert_eq!(codes, expected);
    for (_, body) in &webhooks {
        let key =
            format!("{} {}", body["webhook_type"].as_str().unwrap(), body["webhook_code"].as_str().unwrap());
        let reference =
            s.contract.facts["webhooks"][&key].as_str().unwrap_or_else(|| panic!("no schema for {key}"));
        s.contract.check(reference, body, &format!("the {key} webhook"));
    }

    let finished = webhooks.iter().find(|(_, b)| b["webhook_code"] == "SESSION_FINISHED").unwrap();
    let tokens: Vec<&Value> = added.as_array().unwrap().iter().map(|a| &a["public_token"]).collect();
    assert_eq!(finished.1["public_tokens"].as_array().unwrap().iter().collect::<Vec<_>>(), tokens);

    // The key that signed them, and a key nobody made.
    let header = webhooks[0].0.split('.').next().unwrap();
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).unwrap()).unwrap();
    let (status, key) = s.call("/webhook_verification_key/get", json!({ "key_id": header["kid"] })).await;
    assert_eq!((status, &key["key"]["kid"]), (200, &header["kid"]));
    assert_eq!(s.call("/webhook_verification_key/get", json!({ "key_id": "nobody" })).await.0, 400);

    assert_eq!(s.call("/item/remove", access.clone()).await.0, 200);
    assert_error(&s.call("/item/get", access).await, "ITEM_NOT_FOUND");
}

#[tokio::test]
async fn requests_the_description_refuses_get_plaids_documented_errors() {
    let s = start().await;
    let c = &s.contract;
    let operations: Vec<String> = c.facts["operations"].as_object().unwrap().keys().cloned().collect();
    let mut refused = 0;
    for path in &operations {
        let request = c.resolve(&json!({ "$ref": c.operation(path, "request") })).clone();
        let valid = c.example(&request);

        // Valid JSON, but not sent as JSON; and a body that is not JSON at all.
        let answer = s.send(path, "text/plain", valid.to_string()).await;
        assert_error(&answer, "INVALID_BODY");
        assert_eq!(answer.1["error_type"], "INVALID_REQUEST");
        c.check(&s.error(), &answer.1, "an INVALID_BODY answer");
        assert_error(&s.send(path, "application/json", "{not json".into()).await, "INVALID_BODY");
        refused += 2;

        // Each required field left out.
        for field in request["required"].as_array().into_iter().flatten().filter_map(Value::as_str) {
            let mut body = valid.clone();
            body.as_object_mut().unwrap().remove(field);
            let answer = s.send(path, "application/json", body.to_string()).await;
            assert_error(&answer, "MISSING_FIELDS");
            let message = answer.1["error_message"].as_str().unwrap();
            assert!(message.contains(field), "{path} without {field}: {message}");
            refused += 1;
        }

        // Each field with a plain type given another type; each enumerated field a value outside it.
        for (field, schema) in request["properties"].as_object().unwrap() {
            let types = c.types(schema);
            let wrong = [json!(12345), json!("x"), json!(true), json!([]), json!({})]
                .into_iter()
                .find(|v| !types.iter().any(|t| accepts(t, v)));
            let outside = match c.resolve(schema) {
                s if s["enum"].is_array() => Some(json!("NOT_IN_THE_ENUM")),
                s if c.resolve(&s["items"])["enum"].is_array() => Some(json!(["NOT_IN_THE_ENUM"])),
                _ => None,
            };
            for value in wrong.filter(|_| !types.is_empty()).into_iter().chain(outside) {
                let mut body = valid.clone();
                body[field] = value.clone();
                let answer = s.send(path, "application/json", body.to_string()).await;
                assert_error(&answer, "INVALID_FIELD");
                let message = answer.1["error_message"].as_str().unwrap();
                assert!(message.starts_with(field.as_str()), "{path} with {field} = {value}: {message}");
                refused += 1;
            }
        }
    }
    assert!(
        refused >= 150,
        "only {refused} invalid requests were derived from {} operations",
        operations.len()
    );
}

/// Whether a JSON Schema type name accepts a value.
fn accepts(t: &str, v: &Value) -> bool {
    match t {
        "string" => v.is_string(),
        "integer" => v.is_i64() || v.is_u64(),
        "number" => v.is_number(),
        "boolean" => v.is_boolean(),
        "array" => v.is_array(),
        "object" => v.is_object(),
        "null" => v.is_null(),
        _ => false,
    }
}

#[tokio::test]
async fn hosted_link_serves_its_own_page_and_announces_each_ending_by_webhook() {
    let s = start().await;
    let create = |hosted: Value| {
        json!({ "client_name": "t", "language": "en", "country_codes": ["US"], "user": { "client_user_id": "user-1" },
                "products": ["transactions"], "webhook": s.hook, "hosted_link": hosted })
    };
    let mut plain = create(json!({}));
    plain.as_object_mut().unwrap().remove("hosted_link");
    let (status, plain) = s.call("/link/token/create", plain).await;
    assert_eq!(status, 200);
    assert!(plain.get("hosted_link_url").is_none(), "only when asked for: {plain}");

    let (status, hosted) = s
        .call("/link/token/create", create(json!({ "completion_redirect_uri": "https://app.example/done" })))
        .await;
    assert_eq!(status, 200);
    let url = hosted["hosted_link_url"].as_str().unwrap();
    assert!(url.starts_with(&format!("{}/hl/", s.base)), "{url}");
    let page = s.http.get(url).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let policy = page.headers()["content-security-policy"].to_str().unwrap().to_owned();
    let nonce = policy
        .split("script-src 'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .unwrap()
        .to_owned();
    let unsafe_inline: Vec<&str> =
        policy.split(';').map(str::trim).filter(|d| d.contains("unsafe")).collect();
    assert_eq!(unsafe_inline, ["style-src-attr 'unsafe-inline'"], "{policy}");
    let html = page.text().await.unwrap();
    assert!(html.contains(&format!("link-initialize.js\" nonce=\"{nonce}\" data-hosted-link")), "{html}");
    assert_eq!(s.http.get(format!("{}/hl/unknown", s.base)).send().await.unwrap().status(), 404);

    // What the page runs Link with: this token, and where it ends.
    let id = url.rsplit('/').next().unwrap();
    let (status, session) =
        s.send("/link/hosted/session", "application/json", json!({ "id": id }).to_string()).await;
    assert_eq!(status, 200);
    assert_eq!(session["link_token"], hosted["link_token"]);
    assert_eq!(session["completion_redirect_uri"], "https://app.example/done");

    // A bank through the page's Link, then the page's end: SESSION_FINISHED with its public token.
    let login = json!({ "link_token": hosted["link_token"], "institution_id": "ins_109508", "username": "user_good", "password": "pass_good" });
    let (_, accounts) = s.send("/link/credentials", "application/json", login.to_string()).await;
    let chosen = json!({ "link_token": hosted["link_token"], "institution_id": "ins_109508", "accounts": accounts["accounts"], "link_session_id": "hosted-1" });
    let (_, completed) = s.send("/link/complete", "application/json", chosen.to_string()).await;
    let done =
        json!({ "link_token": hosted["link_token"], "link_session_id": "hosted-1", "status": "SUCCESS" });
    assert_eq!(s.send("/link/finish", "application/json", done.to_string()).await.0, 200);
    // Another page, left without a bank.
    let (_, left) = s.call("/link/token/create", create(json!({}))).await;
    let exited =
        json!({ "link_token": left["link_token"], "link_session_id": "hosted-2", "status": "EXITED" });
    assert_eq!(s.send("/link/finish", "application/json", exited.to_string()).await.0, 200);

    let webhooks = s.webhooks(2).await;
    assert_eq!(webhooks.len(), 2, "one webhook per hosted session's end");
    for (_, body) in &webhooks {
        s.contract.check(
            s.contract.facts["webhooks"]["LINK SESSION_FINISHED"].as_str().unwrap(),
            body,
            "SESSION_FINISHED",
        );
    }
    let ending =
        |session: &str| webhooks.iter().find(|(_, b)| b["link_session_id"] == session).unwrap().1.clone();
    assert_eq!(ending("hosted-1")["status"], "SUCCESS");
    assert_eq!(ending("hosted-1")["public_tokens"], json!([completed["public_token"]]));
    assert_eq!(ending("hosted-2")["status"], "EXITED");
    assert_eq!(ending("hosted-2")["public_tokens"], json!([]));
    let (_, got) = s.call("/link/token/get", json!({ "link_token": hosted["link_token"] })).await;
    assert_eq!(
        got["link_sessions"][0]["results"]["item_add_results"][0]["public_token"],
        completed["public_token"]
    );
}
