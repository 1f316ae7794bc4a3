//! The stand-in's routes, to be served where Plaid's base URL points (`/plaid` in the reference
//! backend; the root for `plaid-standin`). The only module that names every handler.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;

use crate::state::Standin;
use crate::{api, link, oauth};

/// Every route of the stand-in. When its configuration says so, a request whose `Host` is not a
/// loopback name is refused first: its keys are public, so a page of another site must not reach
/// it through a name of its own that resolves to this machine (DNS rebinding).
pub fn router(standin: Arc<Standin>) -> Router {
    Router::new()
        .route("/link/token/create", post(api::link_token::create))
        .route("/link/token/get", post(api::link_token::get))
        .route("/item/public_token/exchange", post(api::items::exchange))
        .route("/accounts/get", post(api::items::accounts))
        .route("/accounts/balance/get", post(api::items::accounts))
        .route("/item/get", post(api::items::get))
        .route("/item/remove", post(api::items::remove))
        .route("/item/webhook/update", post(api::items::webhook_update))
        .route("/institutions/get_by_id", post(api::institutions::get_by_id))
        .route("/user/create", post(api::users::create))
        .route("/sandbox/public_token/create", post(api::sandbox::public_token_create))
        .route("/webhook_verification_key/get", post(api::keys::get))
        .route("/sandbox/item/reset_login", post(api::sandbox::reset_login))
        .route("/sandbox/item/fire_webhook", post(api::sandbox::fire_webhook))
        .route("/link/institutions", get(link::steps::institutions))
        .route("/link/session", post(link::steps::session))
        .route("/link/layer", post(link::steps::layer))
        .route("/link/credentials", post(link::steps::credentials))
        .route("/link/complete", post(link::steps::complete))
        .route("/link/finish", post(link::sessions::finish))
        .route("/link/hosted/session", post(link::hosted::session))
        .route("/hl/{id}", get(link::hosted::page))
        .route("/link/oauth/start", post(oauth::start))
        .route("/link/oauth/consent", get(oauth::consent))
        .route("/link/oauth/approve", post(oauth::approve))
        .route("/link/oauth/status", post(oauth::status))
        .route("/link/v2/stable/link-initialize.js", get(link::script))
        .layer(middleware::from_fn(crate::spec::conform))
        .layer(middleware::from_fn_with_state(standin.clone(), known_host))
        .with_state(standin)
}

async fn known_host(State(standin): State<Arc<Standin>>, request: Request, next: Next) -> Response {
    let host = request.headers().get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or_default();
    if !standin.config.loopback_only || crate::config::is_loopback_host(host) {
        next.run(request).await
    } else {
        (StatusCode::MISDIRECTED_REQUEST, "unknown host").into_response()
    }
}
