//! A full-stack Leptos app that adds bank connections: server-rendered and hydrated (leptos_axum),
//! with a sign-in of its own and two members, Alice and Bob. The link token comes from a server
//! function; the finished Link session goes to `plaid-link-server`'s routes, which the app nests
//! under `/bank` in its own router, for its own members (`server.rs`).
//!
//! Build and run it with `scripts/fullstack.sh` (the server, the WebAssembly, then the app on
//! <http://127.0.0.1:3002>), offline against Plaid's stand-in unless `PLAID_ENV=sandbox`.

use leptos::prelude::*;
use plaid_link::backend::BackendError;
use plaid_link::transport::LinkTokenGrant;
use plaid_link::{HostedLink, HostedWindow, PlaidHostedLink, PlaidLink, PlaidLinkOptions};

#[cfg(feature = "ssr")]
pub mod server;

/// The page around the app: what the server sends before hydration.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    // In local mode the stand-in's Link script, which the component accepts on loopback only.
    let script = use_context::<LinkScript>().map(|s| s.0);
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <title>"Members' bank"</title>
                {script.map(|src| view! { <meta name="plaid-link-script" content=src /> })}
                <link rel="stylesheet" href="/pkg/plaid-link.css" />
                <HydrationScripts options />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// Where Link's script comes from, when not Plaid's CDN (the stand-in's, in local mode).
#[derive(Clone)]
pub struct LinkScript(pub String);

/// The member's name, if signed in.
#[server]
pub async fn who() -> Result<Option<String>, ServerFnError> {
    Ok(leptos_axum::extract::<server::Member>().await.ok().map(|m| m.name))
}

/// Signs a member in: a session cookie of the app's own.
#[server]
pub async fn sign_in(name: String, password: String) -> Result<(), ServerFnError> {
    server::sign_in(&name, &password).await
}

/// A link token for the signed-in member, from `plaid-link-server` (its per-user quota and checks).
#[server]
pub async fn link_token(
    update_item: Option<String>,
    account_selection: bool,
    multi_item: bool,
) -> Result<(String, String), ServerFnError> {
    server::link_token(update_item, account_selection, multi_item).await
}

/// The signed-in member's banks: `(item_id, institution)`.
#[server]
pub async fn my_items() -> Result<Vec<(String, String)>, ServerFnError> {
    server::items().await
}

#[component]
pub fn App() -> impl IntoView {
    let sign_in = ServerAction::<SignIn>::new();
    let member = Resource::new(move || sign_in.version().get(), |_| who());
    view! {
        <main>
            <h1>"Members' bank"</h1>
            <Suspense fallback=|| "Loading…">
                {move || {
                    member.get().map(|member| match member {
                        Ok(Some(name)) => view! { <Member name /> }.into_any(),
                        _ => {
                            view! {
                                <ActionForm action=sign_in>
                                    <label>"Name " <input name="name" autocomplete="username" /></label>
                                    <label>"Password " <input name="password" type="password" autocomplete="current-password" /></label>
                                    <button type="submit">"Sign in"</button>
                                </ActionForm>
                            }
                                .into_any()
                        }
                    })
                }}
            </Suspense>
        </main>
    }
}

/// A signed-in member's page: their banks, and the component to add one.
#[component]
fn Member(name: String) -> impl IntoView {
    let added = RwSignal::new(0u32);
    let items = Resource::new(move || added.get(), |_| my_items());
    let options = PlaidLinkOptions::default()
        // The link token from a server function: the app's own transport.
        .link_token_with(|request| async move {
            let (link_token, expiration) =
                link_token(request.update_item, request.account_selection, request.multi_item)
                    .await
                    .map_err(|e| BackendError::Network(e.to_string()))?;
            Ok(LinkTokenGrant { link_token, expiration: Some(expiration) })
        })
        // The public token by the URL transport, to the library's routes: it stays a JavaScript
        // string from Link to the request, and leaves inside `onSuccess`.
        .exchange_url("/bank/exchange_public_token")
        .update_url("/bank/item_updated")
        .session_finished_url("/bank/link_session_finished")
        .on_connected(move |_| added.update(|n| *n += 1));
    // Hosted Link: Plaid's own page, in a new window or in this one (a webview's way), with the
    // link token and the session's end from the library's routes.
    let hosted_options = || {
        PlaidLinkOptions::default()
            .link_token_url("/bank/link_token")
            .on_connected(move |_| added.update(|n| *n += 1))
    };
    let finished = |window, id| HostedLink::new(window).finished_url("/bank/hosted_link_finished").id(id);
    view! {
        <p>"Signed in as " {name}</p>
        <PlaidLink options />
        <h2>"Or on Plaid's own page"</h2>
        <PlaidHostedLink
            options=hosted_options()
            hosted=finished(HostedWindow::New, "new")
            label="Connect in a new window"
        />
        <PlaidHostedLink
            options=hosted_options()
            hosted=finished(HostedWindow::Same, "same")
            label="Connect in this window"
        />
        <h2>"Your banks"</h2>
        <Suspense fallback=|| "Loading…">
            <ul id="items">
                {move || {
                    items
                        .get()
                        .map(|items| {
                            items
                                .unwrap_or_default()
                                .into_iter()
                                .map(|(item_id, bank)| view! { <li data-item-id=item_id>{bank}</li> })
                                .collect_view()
                        })
                }}
            </ul>
        </Suspense>
    }
}

/// The browser: hydrate what the server rendered; the component starts Link after this.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    leptos::mount::hydrate_body(App);
}
