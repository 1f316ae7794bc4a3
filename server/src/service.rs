//! The work two routes share, which handlers call and never each other: adding a bank Link
//! returned (the exchange, and each bank of a finished Multi-Item session, from the page or from
//! Plaid's webhook), and reading the access token of one of a user's items.

use std::time::Duration;

use axum::http::StatusCode;
use serde_json::json;

use crate::events::ItemEvent;
use crate::failure::Failure;
use crate::lease;
use crate::logging::clip;
use crate::plaid::client::{LinkMode, PlaidCallError, UpdateMode};
use crate::plaid::types::ItemAddResult;
use crate::routes::idempotent::Outcome;
use crate::routes::items::{account_summaries, AccountSummary};
use crate::state::State;
use crate::store::{Claim, Store, StoreError};

/// The access token of an item `user` owns, decrypted for a server-side call to Plaid; `None` for
/// another user's item or none alike, so that ids cannot be probed.
pub(crate) async fn access_token_of(
    store: &Store,
    user: &str,
    item_id: &str,
) -> Result<Option<String>, StoreError> {
    use subtle::ConstantTimeEq;
    // An id Plaid never writes (a NUL, a megabyte) is no item of anyone's, and is not looked up.
    if !crate::shape::code_like(item_id) {
        return Ok(None);
    }
    match store.item_owner(item_id).await? {
        Some(owner) if bool::from(owner.as_bytes().ct_eq(user.as_bytes())) => {
            store.access_token(item_id).await
        }
        _ => Ok(None),
    }
}

/// The same for a route: another user's item, or none, is a 404.
pub(crate) async fn owned_access_token(state: &State, user: &str, item_id: &str) -> Result<String, Failure> {
    let found = access_token_of(&state.store, user, item_id).await.map_err(|e| Failure::store(&e))?;
    found.ok_or_else(|| {
        Failure::new(
            StatusCode::NOT_FOUND,
            "This bank connection was not found. Reload the page, then try again.",
            "not this user's item",
        )
    })
}

/// What a link token is for: a new item (several banks with `multi_item`), or update mode for one
/// of the user's items.
#[derive(Clone, Debug, Default)]
pub struct LinkTokenFor {
    /// Update mode for this item of the user's (404 for any other).
    pub update_item: Option<String>,
    /// In update mode, whether the user may add accounts.
    pub account_selection: bool,
    /// Multi-Item Link: several banks in one session.
    pub multi_item: bool,
    /// Hosted Link: Link on a page of Plaid's own (`MadeLinkToken::hosted_link_url`), for a new
    /// item; the session ends by Plaid's `SESSION_FINISHED` webhook, or when the page asks
    /// (`POST hosted_link_finished`), whichever comes first.
    pub hosted: Option<HostedLink>,
}

/// Hosted Link's options.
#[derive(Clone, Debug, Default)]
pub struct HostedLink {
    /// Where Plaid's page sends the user at the end; without one, the page says they may close it.
    pub completion_redirect_uri: Option<String>,
}

/// A link token, as Plaid made it.
#[derive(Clone, PartialEq, Eq)]
pub struct MadeLinkToken {
    /// `link-…`: for the browser's Link, and nowhere else.
    pub link_token: String,
    /// ISO 8601.
    pub expiration: String,
    /// Hosted Link's page for this token, when asked for: whoever holds it holds the session.
    pub hosted_link_url: Option<String>,
}

impl std::fmt::Debug for MadeLinkToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MadeLinkToken").field("expiration", &self.expiration).finish_non_exhaustive()
    }
}

/// A link token for `user`, with only the configured products (least privilege); for update mode,
/// the item is checked to be the user's before Plaid is asked anything. Kept for the session that
/// owns it: a session that ends without a public token in `onSuccess` (Multi-Item Link, Identity
/// Verification) is read through it. The token, and a note.
pub(crate) async fn link_token(
    state: &State,
    user: &str,
    wanted: &LinkTokenFor,
) -> Result<(MadeLinkToken, String), Failure> {
    let access_token = match &wanted.update_item {
        // Hosted Link here adds banks: what an update ends with comes through the page's callbacks.
        Some(_) if wanted.hosted.is_some() => {
            return Err(Failure::not_understood(
                "Hosted Link is for new items; update mode opens in the page",
            ))
        }
        Some(item_id) => Some(owned_access_token(state, user, item_id).await?),
        None => None,
    };
    let mode = match access_token.as_deref() {
        Some(access_token) => {
            LinkMode::Update(UpdateMode { access_token, account_selection: wanted.account_selection })
        }
        None if wanted.multi_item => LinkMode::MultiItem,
        None => LinkMode::NewItem,
    };
    let created = state
        .plaid
        .link_token_create(
            &state.client_name,
            user,
            &state.products,
            &state.country_codes,
            mode,
            wanted.hosted.as_ref(),
        )
        .await
        .map_err(|e| {
            Failure::new(
                StatusCode::BAD_GATEWAY,
                "We could not start a bank connection right now. Please try again.",
                &e.to_string(),
            )
        })?;
    if wanted.hosted.is_some() && created.hosted_link_url.is_none() {
        return Err(Failure::new(
            StatusCode::BAD_GATEWAY,
            "We could not start a bank connection right now. Please try again.",
            "Plaid's answer to a Hosted Link token has no hosted_link_url",
        ));
    }
    let kept = state.store.remember_link_token(user, &created.link_token, crate::unix_now()).await;
    let mut note = match (&wanted.update_item, mode) {
        (Some(item_id), _) => format!("update-mode link token created for item {}", clip(item_id)),
        (None, _) if created.hosted_link_url.is_some() => "hosted link token created".to_owned(),
        (None, LinkMode::MultiItem) => "multi-item link token created".to_owned(),
        (None, _) => "link token created".to_owned(),
    };
    if let Err(e) = kept {
        note = format!("{note}; not kept for its session's end: {e}");
    }
    let made = MadeLinkToken {
        link_token: created.link_token,
        expiration: created.expiration,
        hosted_link_url: created.hosted_link_url,
    };
    Ok((made, note))
}

/// One bank Link added, as Plaid's guides ask: refused as a duplicate of one of the user's Items
/// (not exchanged), or its public token exchanged and the access token stored. The item's id, and
/// a note. Adding a bank is claimed per user and institution, so that two tabs adding the same
/// bank at once take turns and the second is told it is a duplicate.
pub(crate) async fn add_item(
    state: &State,
    user: &str,
    public_token: &str,
    institution: Option<(&str, &str)>,
    accounts: &serde_json::Value,
    link_session: &str,
) -> Result<(String, String), Failure> {
    let Some((institution_id, _)) = institution else {
        return add_unclaimed(state, user, public_token, institution, accounts, link_session).await;
    };
    let claimed = lease::waiting(|| async {
        let now = crate::unix_now();
        Ok(state.store.claim_adding(user, institution_id, now, lease::ABANDONED_SECS).await?.then_some(()))
    })
    .await
    .map_err(|e| Failure::store(&e))?;
    if claimed.is_none() {
        return Err(Failure::still_saving(
            "another request is still adding a bank at this institution for this user",
        ));
    }
    let renew = || async {
        let _ = state.store.renew_adding(user, institution_id, crate::unix_now()).await;
    };
    let added =
        lease::holding(add_unclaimed(state, user, public_token, institution, accounts, link_session), renew)
            .await;
    if let Err(e) = state.store.release_adding(user, institution_id).await {
        tracing::warn!(error = %e, "a bank's claim was not let go: taken over in {} s", lease::ABANDONED_SECS);
    }
    added
}

/// [`add_item`], once the bank is claimed.
async fn add_unclaimed(
    state: &State,
    user: &str,
    public_token: &str,
    institution: Option<(&str, &str)>,
    accounts: &serde_json::Value,
    link_session: &str,
) -> Result<(String, String), Failure> {
    if let Some((institution_id, _)) = institution {
        let items = state.store.items_of(user).await.map_err(|e| Failure::store(&e))?;
        if let Some(item) =
            crate::duplicates::existing(&items, institution_id, &crate::duplicates::accounts(accounts))
        {
            return Err(Failure::duplicate(item));
        }
    }
    let exchanged = state.plaid.exchange_public_token(public_token).await.map_err(|e| match e {
        PlaidCallError::Plaid { error, .. } if error.error_code == "INVALID_PUBLIC_TOKEN" => Failure::new(
            StatusCode::BAD_REQUEST,
            "This connection expired before it could be saved. Please connect your bank again.",
            &format!(
                "Plaid refused the public token (expired or used; request_id {})",
                clip(&error.request_id)
            ),
        ),
        // Only what may pass is a 502, which the browser retries with the same key.
        e if e.may_pass() => Failure::new(
            StatusCode::BAD_GATEWAY,
            "We could not reach Plaid. Please try again.",
            &e.to_string(),
        ),
        // Wrong keys, a rate limit, an unreadable answer: asking again would change nothing.
        e => Failure::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Your bank account could not be saved right now. Please try again later.",
            &e.to_string(),
        ),
    })?;
    let item_id = exchanged.item_id.as_str();
    if let Err(e) = save_with_retries(state, item_id, user, institution, &exchanged.access_token).await {
        // Plaid has the item and bills it; without its access token nobody could ever remove it.
        let removed = match state.plaid.item_remove(&exchanged.access_token).await {
            Ok(_) => "removed at Plaid".to_owned(),
            Err(r) => format!("NOT removed at Plaid ({r}): remove item {item_id} by hand"),
        };
        return Err(Failure::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Your bank account could not be saved. Please connect it again.",
            &format!("storing item {item_id} failed ({e}); {removed}"),
        ));
    }
    let listed = accounts.as_array().map(Vec::as_slice).unwrap_or_default();
    let summaries = account_summaries(listed.iter().filter_map(AccountSummary::from_link));
    let mut note =
        format!("item {item_id} stored ({} accounts, session {})", listed.len(), clip(link_session));
    if let Err(e) = state.store.set_item_accounts(item_id, &summaries, "ok").await {
        // The item is stored; only its list of account names is missing.
        note = format!("{note}; without its account names: {e}");
    }
    state.tell(ItemEvent::Added { user: user.to_owned(), item_id: exchanged.item_id.clone() });
    Ok((exchanged.item_id, note))
}

/// Stores an exchanged item, trying again on failure: the public token is spent, so this write is
/// the only copy of the access token there will ever be.
async fn save_with_retries(
    state: &State,
    item_id: &str,
    user: &str,
    institution: Option<(&str, &str)>,
    access_token: &str,
) -> Result<(), StoreError> {
    let mut attempt = 1;
    loop {
        match state.store.save(item_id, user, institution, access_token).await {
            Ok(()) => return Ok(()),
            Err(e) if attempt >= SAVE_ATTEMPTS => return Err(e),
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(100 << attempt)).await;
                attempt += 1;
            }
        }
    }
}

const SAVE_ATTEMPTS: u32 = 3;

/// Which of a link token's Link sessions are to be finished.
#[derive(Clone, Copy)]
pub(crate) enum Sessions<'a> {
    /// The one the page's `onSuccess` or Plaid's webhook named (404 if the token has none such).
    Named(&'a str),
    /// Every one that has finished (Hosted Link, whose page never hears of a session id): none yet
    /// is `{"finished": false}`, for the page to ask again later.
    Finished,
}

/// What finished sessions added for `user`: `{finished, items, duplicates, verified}`. The sessions
/// are read through one `/link/token/get` of `link_token`, which must have been made for `user`.
pub(crate) async fn finish_session(
    state: &State,
    user: &str,
    which: Sessions<'_>,
    link_token: &str,
) -> Result<Outcome, Failure> {
    let got = state.plaid.link_token_get(link_token).await.map_err(|e| {
        Failure::new(StatusCode::BAD_GATEWAY, "We could not reach Plaid. Please try again.", &e.to_string())
    })?;
    let sessions: Vec<_> = match which {
        Sessions::Named(id) => got.link_sessions.into_iter().filter(|s| s.link_session_id == id).collect(),
        Sessions::Finished => got.link_sessions.into_iter().filter(|s| s.finished_at.is_some()).collect(),
    };
    let label = match (which, sessions.first()) {
        (Sessions::Named(id), None) => {
            return Err(Failure::new(
                StatusCode::NOT_FOUND,
                "This connection was not found. Please connect your bank again.",
                &format!("the link token has no Link session {}", clip(id)),
            ))
        }
        (Sessions::Finished, None) => {
            let note = "hosted Link session not finished yet";
            return Ok((StatusCode::OK, json!({ "finished": false }), note.to_owned()));
        }
        (_, Some(first)) => first.link_session_id.clone(),
    };
    // Each bank with the session that added it (Hosted Link's finished sessions may be several).
    let added: Vec<(String, ItemAddResult)> = sessions
        .into_iter()
        .flat_map(|s| {
            let results = s.results.map(|r| r.item_add_results).unwrap_or_default();
            results.into_iter().map(move |result| (s.link_session_id.clone(), result))
        })
        .collect();
    let (mut items, mut duplicates) = (Vec::new(), Vec::new());
    for (session_id, result) in &added {
        match add_once(state, user, result, session_id).await {
            Ok(item_id) => {
                let institution = json!({ "name": result.institution.name });
                items.push(json!({ "item_id": item_id, "institution": institution, "accounts": result.accounts.len() }))
            }
            Err(failure) => match failure.parts().1.get("duplicate") {
                Some(duplicate) => duplicates.push(duplicate.clone()),
                None => return Err(failure),
            },
        }
    }
    let verified =
        added.is_empty() && got.metadata.initial_products.iter().any(|p| p == "identity_verification");
    let note = format!(
        "Link session {}: {} items, {} duplicates{}",
        clip(&label),
        items.len(),
        duplicates.len(),
        if verified { ", identity verified" } else { "" }
    );
    let body = json!({ "finished": true, "items": items, "duplicates": duplicates, "verified": verified });
    Ok((StatusCode::OK, body, note))
}

/// One bank of the session, added once whichever path asks: the first to claim its public token
/// exchanges it; another waits for the item it became.
async fn add_once(
    state: &State,
    user: &str,
    result: &ItemAddResult,
    session_id: &str,
) -> Result<String, Failure> {
    let token = result.public_token.as_str();
    /// What the claim on a public token found.
    enum Found {
        /// Ours to add; when its dead holder last had it, if it was taken over.
        Ours(Option<u64>),
        /// Added by another, as this item.
        Added(String),
    }
    let found = lease::waiting(|| async {
        let now = crate::unix_now();
        Ok::<_, StoreError>(
            match state.store.claim_public_token(token, user, now, lease::ABANDONED_SECS).await? {
                Claim::Fresh => Some(Found::Ours(None)),
                Claim::TakenOver(since) => Some(Found::Ours(Some(since))),
                _ => state.store.public_token_item(token).await?.map(Found::Added),
            },
        )
    })
    .await
    .map_err(|e| Failure::store(&e))?;
    let taken_over = match found {
        Some(Found::Ours(taken_over)) => taken_over,
        Some(Found::Added(item_id)) => return Ok(item_id),
        None => return Err(Failure::still_saving("another request is still adding this bank")),
    };
    let institution = Some((result.institution.institution_id.as_str(), result.institution.name.as_str()));
    let accounts = serde_json::to_value(&result.accounts).unwrap_or_default();
    let renew = || async {
        let _ = state.store.renew_public_token(token, crate::unix_now()).await;
    };
    match lease::holding(add_item(state, user, token, institution, &accounts, session_id), renew).await {
        Ok((item_id, _)) => {
            state.store.set_public_token_item(token, &item_id).await.map_err(|e| Failure::store(&e))?;
            Ok(item_id)
        }
        Err(failure) => {
            if let (Some(since), StatusCode::BAD_REQUEST) = (taken_over, failure.parts().0) {
                lease::outcome_lost(since, failure.note());
            }
            // Not added: the next path (or retry) looks again, at once, or once the claim is
            // abandoned if it cannot be let go now.
            if let Err(e) = state.store.release_public_token(token).await {
                tracing::warn!(error = %e, "a public token's claim was not let go: taken over in {} s", lease::ABANDONED_SECS);
            }
            Err(failure)
        }
    }
}
