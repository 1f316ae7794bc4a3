//! Link sessions as Plaid records them: what each added (one bank, or several with Multi-Item
//! Link), reported by `/link/token/get`; and the session's end (`/link/finish`, the script's),
//! which Multi-Item Link announces with a signed `LINK` `SESSION_FINISHED` webhook carrying the
//! session's public tokens.

use std::sync::Arc;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;

use crate::api::rfc3339;
use crate::config::Institution;
use crate::errors::{full, internal, invalid_link_token};
use crate::request::parse;
use crate::state::{Books, SessionRecord, Standin, MAX_SESSIONS};
use crate::types::{Account, ItemAddResult, LinkAccount, LinkInstitution, LinkSession, LinkSessionResults};

/// A session as `/link/token/get` shows it.
pub(crate) fn view(session: &SessionRecord) -> LinkSession {
    LinkSession {
        link_session_id: session.link_session_id.clone(),
        started_at: rfc3339(session.started_at),
        finished_at: session.finished_at.map(rfc3339),
        results: Some(LinkSessionResults { item_add_results: session.added.clone(), ..Default::default() }),
    }
}

/// One bank added: its public token, and Link's metadata of it.
pub(crate) fn added(public_token: &str, institution: &Institution, accounts: &[Account]) -> ItemAddResult {
    ItemAddResult {
        public_token: public_token.to_owned(),
        accounts: accounts
            .iter()
            .map(|a| LinkAccount {
                id: a.account_id.clone(),
                name: a.name.clone(),
                mask: a.mask.clone(),
                kind: a.kind.clone(),
                subtype: a.subtype.clone().unwrap_or_default(),
                verification_status: None,
            })
            .collect(),
        institution: LinkInstitution {
            name: institution.name.clone(),
            institution_id: institution.institution_id.clone(),
        },
    }
}

/// The session of `link_token` named `link_session_id`, started now if it is new.
fn session<'b>(
    books: &'b mut Books,
    link_token: &str,
    link_session_id: &str,
    now: u64,
) -> Result<&'b mut SessionRecord, Response> {
    let record = books.link_tokens.get_mut(link_token).ok_or_else(invalid_link_token)?;
    let known = record.sessions.iter().position(|s| s.link_session_id == link_session_id);
    let index = match known {
        Some(index) => index,
        None if record.sessions.len() < MAX_SESSIONS => {
            record.sessions.push(SessionRecord {
                link_session_id: link_session_id.to_owned(),
                started_at: now,
                finished_at: None,
                added: Vec::new(),
            });
            record.sessions.len() - 1
        }
        None => return Err(full()),
    };
    Ok(&mut record.sessions[index])
}

/// Records a bank the session added.
pub(crate) fn record(
    books: &mut Books,
    link_token: &str,
    link_session_id: &str,
    added: ItemAddResult,
    now: u64,
) -> Result<(), Response> {
    let session = session(books, link_token, link_session_id, now)?;
    if session.added.len() >= MAX_SESSIONS {
        return Err(full());
    }
    session.added.push(added);
    Ok(())
}

#[derive(Deserialize)]
pub(crate) struct FinishRequest {
    link_token: String,
    link_session_id: String,
    /// `SUCCESS` (the default) or `EXITED`: how a Hosted Link session ended.
    #[serde(default)]
    status: Option<String>,
}

/// `/link/finish`: the session ended (Multi-Item Link's "Done", Identity Verification's end, or a
/// Hosted Link page's end, in success or not). A Multi-Item or Hosted Link session is announced by
/// `SESSION_FINISHED`, signed, with its public tokens and status.
pub(crate) async fn finish(
    State(standin): State<Arc<Standin>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let request: FinishRequest = match parse(&headers, &body) {
        Ok(r) => r,
        Err(e) => return e,
    };
    let now = standin.now();
    let Ok(mut books) = standin.books.lock() else {
        return internal();
    };
    let live = books.link_tokens.get(&request.link_token).filter(|r| r.expires_at > now);
    let Some((announced, webhook)) = live.map(|r| (r.multi_item || r.hosted.is_some(), r.webhook.clone()))
    else {
        return invalid_link_token();
    };
    let status = match request.status.as_deref() {
        None | Some("SUCCESS") => "SUCCESS",
        Some("EXITED") => "EXITED",
        Some(_) => return crate::errors::invalid_request("INVALID_FIELD", "status: SUCCESS or EXITED"),
    };
    let session = match session(&mut books, &request.link_token, &request.link_session_id, now) {
        Ok(session) => session,
        Err(e) => return e,
    };
    session.finished_at = Some(now);
    let public_tokens: Vec<String> = session.added.iter().map(|a| a.public_token.clone()).collect();
    drop(books);
    if announced {
        let finished = json!({
            "webhook_type": "LINK", "webhook_code": "SESSION_FINISHED", "status": status,
            "link_session_id": request.link_session_id, "link_token": request.link_token,
            "public_tokens": public_tokens, "environment": "sandbox",
        });
        standin.send_webhook(webhook, finished);
    }
    Json(json!({ "finished": true })).into_response()
}
