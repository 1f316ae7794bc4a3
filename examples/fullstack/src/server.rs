//! The app's server side: its members and their sign-in, and what its server functions ask of
//! `plaid-link-server`. The sign-in is a stand-in for the app's own (two members with fixed
//! passwords, sessions in memory): not one to copy.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::Extension;
use leptos::prelude::*;
use plaid_link_server::{LinkTokenFor, LinkUser, PlaidLink};
use rand::distributions::{Alphanumeric, DistString};

/// The session cookie's name.
const COOKIE: &str = "members_session";

/// The app's members and their sessions.
#[derive(Clone, Default)]
pub struct Members {
    sessions: Arc<Mutex<HashMap<String, String>>>,
}

/// Two members, as the app's own user table would have them.
const ACCOUNTS: [(&str, &str); 2] = [("alice", "alice-password"), ("bob", "bob-password")];

/// Whether `name` may sign in with `password`: one of [`ACCOUNTS`], or, for `make bench`'s load
/// round (`BENCH_MEMBERS=n`), `member-0` … `member-{n-1}` with the password `{name}-password`.
fn may_sign_in(name: &str, password: &str) -> bool {
    let bench = std::env::var("BENCH_MEMBERS").ok().and_then(|n| n.parse::<u32>().ok()).unwrap_or(0);
    let generated =
        name.strip_prefix("member-").and_then(|i| i.parse::<u32>().ok()).is_some_and(|i| i < bench);
    let expected = format!("{name}-password");
    ACCOUNTS.contains(&(name, password)) || (generated && password == expected)
}

/// A signed-in member: the app's own user type, which the library's routes take.
#[derive(Clone, Debug)]
pub struct Member {
    pub name: String,
}

impl FromRequestParts<()> for Member {
    type Rejection = StatusCode;

    async fn from_request_parts(parts: &mut Parts, _: &()) -> Result<Self, StatusCode> {
        let members = parts.extensions.get::<Members>().ok_or(StatusCode::INTERNAL_SERVER_ERROR)?;
        let cookies = parts.headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok());
        let session = cookies
            .flat_map(|v| v.split(';'))
            .find_map(|c| c.trim().strip_prefix(COOKIE)?.strip_prefix('='))
            .ok_or(StatusCode::UNAUTHORIZED)?;
        let sessions = members.sessions.lock().map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?;
        sessions.get(session).map(|name| Self { name: name.clone() }).ok_or(StatusCode::UNAUTHORIZED)
    }
}

impl LinkUser for Member {
    fn plaid_user_id(&self) -> String {
        // Stable and not personal data, as Plaid asks: the app's own id for the member.
        format!("member-{}", self.name)
    }
}

fn failed(message: impl std::fmt::Display) -> ServerFnError {
    ServerFnError::new(message.to_string())
}

pub async fn sign_in(name: &str, password: &str) -> Result<(), ServerFnError> {
    let Extension(members) = leptos_axum::extract::<Extension<Members>>().await?;
    if !may_sign_in(name, password) {
        return Err(failed("Wrong name or password."));
    }
    let session = Alphanumeric.sample_string(&mut rand::thread_rng(), 32);
    members.sessions.lock().map_err(failed)?.insert(session.clone(), name.to_owned());
    let cookie = format!("{COOKIE}={session}; Path=/; HttpOnly; SameSite=Strict");
    let response = expect_context::<leptos_axum::ResponseOptions>();
    response.insert_header(header::SET_COOKIE, HeaderValue::from_str(&cookie).map_err(failed)?);
    Ok(())
}

pub async fn link_token(
    update_item: Option<String>,
    account_selection: bool,
    multi_item: bool,
) -> Result<(String, String), ServerFnError> {
    let member = leptos_axum::extract::<Member>().await.map_err(|_| failed("Please sign in again."))?;
    let Extension(link) = leptos_axum::extract::<Extension<PlaidLink>>().await?;
    let wanted = LinkTokenFor { update_item, account_selection, multi_item, hosted: None };
    let made = link.link_token(&member.plaid_user_id(), &wanted).await.map_err(failed)?;
    Ok((made.link_token, made.expiration))
}

pub async fn items() -> Result<Vec<(String, String)>, ServerFnError> {
    let member = leptos_axum::extract::<Member>().await.map_err(|_| failed("Please sign in again."))?;
    let Extension(link) = leptos_axum::extract::<Extension<PlaidLink>>().await?;
    let items = link.store().items_of(&member.plaid_user_id()).await.map_err(failed)?;
    Ok(items.into_iter().map(|i| (i.item_id, i.institution_name.unwrap_or_default())).collect())
}
