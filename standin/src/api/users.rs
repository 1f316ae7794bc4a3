//! `/user/create`: a Plaid user for one of the client's users. Asking again for the same
//! `client_user_id` gives the same user, so a retried call makes no second one.

use std::sync::Arc;

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;

use crate::errors::{full, internal};
use crate::request::Plaid;
use crate::state::{id, token, Standin};
use crate::types::{UserCreateRequest, UserCreateResponse};

pub(crate) async fn create(
    State(standin): State<Arc<Standin>>,
    Plaid(request): Plaid<UserCreateRequest>,
) -> Response {
    let Ok(mut books) = standin.books.lock() else {
        return internal();
    };
    if !books.users.contains_key(&request.client_user_id) && books.users.len() >= standin.config.max_records {
        return full();
    }
    let (user_id, user_token) =
        books.users.entry(request.client_user_id).or_insert_with(|| (id(37), token("user"))).clone();
    Json(UserCreateResponse { user_token, user_id, request_id: id(15) }).into_response()
}
