//! The server half of the flow, as Plaid prescribes it, by resource (link tokens, the exchange,
//! sessions that end without a public token, items, webhooks), for the app's user `U`. What every
//! call of a group needs is a layer on that group, not code at the top of each handler: the
//! per-client rate limit, JSON only, no request from another site (`guard/`); the user is an
//! extractor (`user.rs`). Each request is one log line (`logging.rs`), with the note its handler
//! attached. Handlers do the work two routes share through `service.rs`, never through each other.

mod exchange;
pub(crate) mod idempotent;
pub(crate) mod items;
mod link_token;
mod sessions;
mod webhooks;

use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{delete, get, post};
use axum::Router;

use crate::failure::{Failure, Note};
use crate::guard::{self, cross_site, rate_limit};
use crate::shape::code_like;
use crate::state::Shared;
use crate::user::LinkUser;

/// Every route, relative to where the app nests them.
pub(crate) fn router<U: LinkUser>(state: Shared) -> Router {
    // Calls with a JSON body that change something: JSON only, from the app's own pages.
    let changes = Router::new()
        .route("/link_token", post(link_token::create::<U>))
        .route("/exchange_public_token", post(exchange::exchange::<U>))
        .route("/item_updated", post(items::updated::<U>))
        .route("/link_session_finished", post(sessions::finished::<U>))
        .route("/hosted_link_finished", post(sessions::hosted_finished::<U>))
        .route("/link_exit", post(sessions::exit_report))
        .route("/items/{item_id}/reset_login", post(items::reset_login::<U>))
        .route_layer(middleware::from_fn_with_state(state.clone(), cross_site::same_site))
        .route_layer(middleware::from_fn(guard::json_only));
    // No body: from the app's own pages (a cross-site form cannot send a DELETE).
    let unlink = Router::new()
        .route("/items/{item_id}", delete(items::delete::<U>))
        .route_layer(middleware::from_fn_with_state(state.clone(), cross_site::same_site));
    let browser = Router::new()
        .merge(changes)
        .merge(unlink)
        .route("/items", get(items::list::<U>))
        .route_layer(middleware::from_fn_with_state(state.clone(), rate_limit::per_client));
    // Plaid's, verified by their signature: no address quota (see `crate::webhooks`).
    let webhooks = Router::new().route("/webhooks/plaid", post(webhooks::receive));
    Router::new()
        .merge(browser)
        .merge(webhooks)
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .layer(middleware::from_fn(log_requests))
        .with_state(state)
}

/// The largest body any route takes (413 beyond): Link's metadata for a bank with a hundred
/// accounts, or one of Plaid's webhooks, fits ten times over.
const MAX_BODY: usize = 256 * 1024;

/// One line per request: its route (the route's pattern, never the path a client chose), status
/// and note.
async fn log_requests(request: Request, next: Next) -> Response {
    let route = match request.extensions().get::<MatchedPath>() {
        Some(path) => format!("{} {}", request.method(), path.as_str()),
        None => format!("{} {}", request.method(), crate::logging::clip(request.uri().path())),
    };
    let response = next.run(request).await;
    let note = response.extensions().get::<Note>().map_or("", |note| note.0.as_str());
    crate::logging::request(&route, response.status().as_u16(), note);
    response
}

/// A Link session id as Link writes them (a UUID; letters, digits, `-` and `_`, 64 at most), or
/// the request is refused before it is used, even in a log line.
fn link_session_id(raw: &str) -> Result<&str, Failure> {
    if code_like(raw) {
        Ok(raw)
    } else {
        Err(Failure::not_understood("link_session_id is not a Link session id"))
    }
}
