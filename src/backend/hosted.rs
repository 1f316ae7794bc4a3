//! Hosted Link's two calls: a link token with the address of Plaid's page for it
//! (`hosted_link_url`), and, once the user is back, what the token's finished sessions added
//! (`POST hosted_finished_url {link_token}`, answered `{"finished": false}` while the user is
//! still in Link, else as a finished Multi-Item session is).

use serde::Serialize;
use wasm_bindgen::JsValue;
use web_sys::AbortSignal;

use super::wire::{self, list, ExchangeAnswer, HostedLinkRequest, LinkTokenAnswer};
use super::{link_token_of, name_of, outcome_of, BackendClient, BackendError, Body, ExchangeOutcome};
use crate::endpoint::Endpoint;
use crate::tokens::LinkToken;

#[derive(Serialize)]
struct FinishedRequest<'a> {
    link_token: &'a str,
}

impl BackendClient {
    /// A Hosted Link token, and its page's address as the backend gave it (the caller checks it is
    /// Plaid's). Always from `link_token_url`: an app's own link-token function gives no page.
    pub async fn create_hosted_link_token(
        &self,
        completion_redirect_uri: Option<&str>,
        cancel: Option<&AbortSignal>,
    ) -> Result<(LinkToken, String), BackendError> {
        let text = self.ask_link_token(Some(HostedLinkRequest { completion_redirect_uri }), cancel).await?;
        let answer = wire::parse::<LinkTokenAnswer>(&text).ok_or(BackendError::Malformed("not JSON"))?;
        let token = link_token_of(&answer)?;
        let page = answer.hosted_link_url().as_string().filter(|url| !url.is_empty());
        Ok((token, page.ok_or(BackendError::Malformed("no hosted_link_url"))?))
    }

    /// What `token`'s finished sessions added, and how many accounts the user shared; `None` while
    /// none has finished. A session whose every bank was already connected is the first duplicate.
    pub async fn hosted_finished(
        &self,
        endpoint: &Endpoint,
        token: &LinkToken,
    ) -> Result<Option<(ExchangeOutcome, usize)>, BackendError> {
        let body = Body(wire::json(&FinishedRequest { link_token: token.as_str() })?);
        let text = self.post(endpoint, &body, None).await?;
        let answer = wire::parse::<ExchangeAnswer>(&text).ok_or(BackendError::Malformed("not JSON"))?;
        if !answer.finished().as_bool().ok_or(BackendError::Malformed("no finished"))? {
            return Ok(None);
        }
        let outcome = outcome_of(&answer);
        let duplicate = list(answer.duplicates()).get(0);
        match wire::view::<ExchangeAnswer>(duplicate) {
            Some(duplicate) if outcome.items.is_empty() => Err(BackendError::Duplicate {
                item_id: duplicate.item_id().as_string().unwrap_or_default(),
                institution: name_of(&duplicate),
            }),
            _ => {
                let count = |item: JsValue| wire::view::<ExchangeAnswer>(item)?.accounts().as_f64();
                let accounts = list(answer.items()).iter().filter_map(count).sum::<f64>() as usize;
                Ok(Some((outcome, accounts)))
            }
        }
    }
}
