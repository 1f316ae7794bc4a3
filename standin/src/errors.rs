//! Plaid's error object, as its API answers it (`documentation_url`, `suggested_action`, `causes`),
//! and the errors several endpoints share.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

use crate::state::id;
use crate::types::PlaidError;

/// Plaid's error object with its HTTP status.
pub(crate) fn error(
    status: StatusCode,
    error_type: &str,
    code: &str,
    message: &str,
    display: Option<&str>,
) -> Response {
    (status, Json(plaid_error(status, error_type, code, message, display))).into_response()
}

/// Plaid's error object, as Plaid documents it.
pub(crate) fn plaid_error(
    status: StatusCode,
    error_type: &str,
    code: &str,
    message: &str,
    display: Option<&str>,
) -> PlaidError {
    PlaidError {
        error_type: error_type.into(),
        error_code: code.into(),
        error_message: message.into(),
        display_message: display.map(Into::into),
        request_id: id(15),
        causes: Vec::new(),
        status: Some(status.as_u16()),
        documentation_url: Some(format!(
            "https://plaid.com/docs/errors/{}/#{}",
            error_type.to_lowercase().replace('_', "-"),
            code.to_lowercase().replace('_', "-")
        )),
        suggested_action: None,
    }
}

/// `INVALID_REQUEST`, as Plaid answers a request its schema refuses.
pub(crate) fn invalid_request(code: &str, message: &str) -> Response {
    error(StatusCode::BAD_REQUEST, "INVALID_REQUEST", code, message, None)
}

pub(crate) fn invalid_access_token() -> Response {
    error(
        StatusCode::BAD_REQUEST,
        "INVALID_INPUT",
        "INVALID_ACCESS_TOKEN",
        "provided access token is in an invalid format or does not exist",
        None,
    )
}

pub(crate) fn item_not_found() -> Response {
    error(
        StatusCode::BAD_REQUEST,
        "ITEM_ERROR",
        "ITEM_NOT_FOUND",
        "the Item you requested cannot be found. This Item does not exist, has been previously removed via /item/remove, or has had access removed by the user.",
        None,
    )
}

pub(crate) fn invalid_link_token() -> Response {
    error(
        StatusCode::BAD_REQUEST,
        "INVALID_INPUT",
        "INVALID_LINK_TOKEN",
        "provided link token is expired or invalid",
        None,
    )
}

pub(crate) fn invalid_institution(message: &str) -> Response {
    error(StatusCode::BAD_REQUEST, "INVALID_INPUT", "INVALID_INSTITUTION", message, None)
}

pub(crate) fn internal() -> Response {
    error(StatusCode::INTERNAL_SERVER_ERROR, "API_ERROR", "INTERNAL_SERVER_ERROR", "internal error", None)
}

/// The stand-in holds as many live records as it may: Plaid's rate-limit error.
pub(crate) fn full() -> Response {
    error(
        StatusCode::TOO_MANY_REQUESTS,
        "RATE_LIMIT_EXCEEDED",
        "RATE_LIMIT",
        "the stand-in holds as many live tokens and items as it may; remove items or wait for tokens to expire",
        None,
    )
}

pub(crate) fn invalid_credentials() -> Response {
    error(
        StatusCode::BAD_REQUEST,
        "ITEM_ERROR",
        "INVALID_CREDENTIALS",
        "the provided credentials were not correct",
        Some("The provided credentials were not correct. Please try again."),
    )
}
