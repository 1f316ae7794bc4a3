//! Link sessions as the stand-in's Link runs them, for the endings' tests.

use serde_json::{json, Value};

use super::{rand_suffix, Running, CSRF};

impl Running {
    /// A Multi-Item Link session, as the stand-in's Link runs it for the browser session `session`:
    /// a multi-item link token from the backend, each bank of `banks` signed in and added, then
    /// "Done". Gives the Link session's id and its link token.
    pub async fn multi_item_session(&self, session: &str, banks: &[&str]) -> (String, String) {
        let (link_session_id, link_token, _) = self.multi_item_banks(session, banks).await;
        self.finish_link(&link_token, &link_session_id).await;
        (link_session_id, link_token)
    }

    /// A Multi-Item Link session up to "Done": each bank of `banks` signed in and added. The Link
    /// session's id, its link token, and the public tokens Link holds for the banks.
    pub async fn multi_item_banks(&self, session: &str, banks: &[&str]) -> (String, String, Vec<String>) {
        let (status, token) = self
            .api(reqwest::Method::POST, "/api/link_token", session, Some(json!({ "multi_item": true })))
            .await;
        assert_eq!(status, 200, "{token}");
        let link_token = token["link_token"].as_str().unwrap();
        let (link_session_id, public_tokens) = self.banks_through(link_token, banks).await;
        (link_session_id, link_token.to_owned(), public_tokens)
    }

    /// A Link session of `link_token` up to its end: each bank of `banks` signed in and added. The
    /// Link session's id, and the public tokens Link holds for the banks.
    pub async fn banks_through(&self, link_token: &str, banks: &[&str]) -> (String, Vec<String>) {
        let mut public_tokens = Vec::new();
        let link_session_id = format!("session-{}", rand_suffix());
        for bank in banks {
            let (status, body) = self
                .to_plaid(
                    "/link/credentials",
                    json!({"link_token": link_token, "institution_id": bank, "username": "user_good", "password": "pass_good"}),
                )
                .await;
            assert_eq!(status, 200, "{body}");
            let complete = json!({"link_token": link_token, "institution_id": bank, "accounts": body["accounts"],
                                  "link_session_id": link_session_id});
            let (status, body) = self.to_plaid("/link/complete", complete).await;
            assert_eq!(status, 200, "{body}");
            public_tokens.push(body["public_token"].as_str().unwrap().to_owned());
        }
        (link_session_id, public_tokens)
    }

    /// `POST /api/link_token` for Hosted Link, from a page of `origin`, with `hosted` as its
    /// `hosted_link` options.
    pub async fn hosted_link_token(&self, session: &str, origin: &str, hosted: Value) -> (u16, Value) {
        self.post_from_page(session, origin, "/api/link_token", json!({ "hosted_link": hosted }), None).await
    }

    /// `POST /api/hosted_link_finished`, as the page asks once the user is back.
    pub async fn hosted_link_finished(&self, session: &str, link_token: &str) -> (u16, Value) {
        let body = json!({ "link_token": link_token });
        self.post_from_page(session, &self.base, "/api/hosted_link_finished", body, None).await
    }

    /// A POST of `body` to `path` from a page of `origin`, with the session's cookie and CSRF token
    /// (and an `Idempotency-Key`, if given).
    async fn post_from_page(
        &self,
        session: &str,
        origin: &str,
        path: &str,
        body: Value,
        key: Option<&str>,
    ) -> (u16, Value) {
        let mut request = self
            .http
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/json")
            .header("origin", origin)
            .header("cookie", format!("{session}; plaid_link_csrf={CSRF}"))
            .header("x-csrf-token", CSRF);
        if let Some(key) = key {
            request = request.header("idempotency-key", key);
        }
        let response = request.body(body.to_string()).send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// "Done" in Link: the session ends (Plaid's `SESSION_FINISHED` webhook is sent).
    pub async fn finish_link(&self, link_token: &str, link_session_id: &str) {
        self.end_link(link_token, link_session_id, "SUCCESS").await;
    }

    /// The session ends as `status` says (`SUCCESS`, `EXITED`), as Hosted Link's page ends it.
    pub async fn end_link(&self, link_token: &str, link_session_id: &str, status: &str) {
        let finish = json!({"link_token": link_token, "link_session_id": link_session_id, "status": status});
        let (status, body) = self.to_plaid("/link/finish", finish).await;
        assert_eq!(status, 200, "{body}");
    }

    /// `POST /api/link_session_finished` as the page sends it after a success without a token: the
    /// Link session's id and the link token it opened Link with.
    pub async fn session_finished(
        &self,
        session: &str,
        link_session_id: &str,
        link_token: &str,
        key: &str,
    ) -> (u16, Value) {
        let body = json!({"link_session_id": link_session_id, "link_token": link_token,
                          "institution": null, "accounts": [], "status": null});
        self.post_from_page(session, &self.base, "/api/link_session_finished", body, Some(key)).await
    }

    /// A browser session of its own (its cookie), with no item yet.
    pub async fn browser_session(&self) -> String {
        let response = self.link_token_request().await;
        assert_eq!(response.status(), 200);
        response.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned()
    }

    /// Waits (bounded) until `n` items are stored; all items.
    pub async fn items_become(&self, n: usize) -> Vec<plaid_link_backend::store::StoredItem> {
        for _ in 0..400 {
            let items = self.items().await;
            if items.len() >= n {
                return items;
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        self.items().await
    }
}
