//! Reading a request into its Rust type, once `spec.rs` has checked it against Plaid's description
//! (the Link script's own endpoints, which Plaid does not describe, are checked here alone): JSON
//! only (`application/json`), every field the type needs there and of its type; and
//! `client_id`/`secret` checked, in the body or in the `PLAID-CLIENT-ID`/`PLAID-SECRET` headers.
//! Each refusal is Plaid's documented error: `INVALID_BODY`, `MISSING_FIELDS`, `INVALID_FIELD`,
//! `INVALID_API_KEYS`.

use std::sync::Arc;

use axum::extract::{FromRequest, Request};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use serde::de::DeserializeOwned;
use subtle::ConstantTimeEq;

use crate::errors::{error, invalid_request};
use crate::state::Standin;
use crate::types::Credentials;

/// A request body, read and checked as Plaid reads it.
pub(crate) fn parse<T: DeserializeOwned>(headers: &HeaderMap, body: &[u8]) -> Result<T, Response> {
    let json = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| {
        v.split(';').next().is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"))
    });
    let body: serde_json::Value = match (json, serde_json::from_slice(body)) {
        (true, Ok(value @ serde_json::Value::Object(_))) => value,
        _ => return Err(invalid_request("INVALID_BODY", "body could not be parsed as JSON")),
    };
    serde_path_to_error::deserialize(body).map_err(|e| {
        let field = e.path().to_string();
        let inner = e.into_inner().to_string();
        match inner.strip_prefix("missing field `").and_then(|rest| rest.split('`').next()) {
            Some(missing) => {
                let field = if field == "." { missing.to_owned() } else { format!("{field}.{missing}") };
                invalid_request(
                    "MISSING_FIELDS",
                    &format!("the following required fields are missing: {field}"),
                )
            }
            None => invalid_request("INVALID_FIELD", &format!("{field}: {inner}")),
        }
    })
}

/// A Plaid API request, which carries `client_id` and `secret` (or leaves them to the headers).
pub(crate) trait Authenticated: DeserializeOwned {
    fn credentials(&self) -> &Credentials;
}

/// A Plaid API request, read and its keys checked (an extractor): a handler that takes one runs
/// only for a request Plaid would have accepted, and any other gets Plaid's error.
pub(crate) struct Plaid<T>(pub T);

impl<T: Authenticated> FromRequest<Arc<Standin>> for Plaid<T> {
    type Rejection = Response;

    async fn from_request(request: Request, standin: &Arc<Standin>) -> Result<Self, Response> {
        let (parts, body) = request.into_parts();
        let body = axum::body::to_bytes(body, crate::spec::MAX_BODY)
            .await
            .map_err(|_| invalid_request("INVALID_BODY", "body could not be parsed as JSON"))?;
        let request: T = parse(&parts.headers, &body)?;
        authenticate(standin, &parts.headers, request.credentials())?;
        Ok(Self(request))
    }
}

fn authenticate(standin: &Standin, headers: &HeaderMap, body: &Credentials) -> Result<(), Response> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let client_id = body.client_id.clone().or_else(|| header("plaid-client-id"));
    let secret = body.secret.clone().or_else(|| header("plaid-secret"));
    let (Some(client_id), Some(secret)) = (client_id, secret) else {
        return Err(invalid_request(
            "MISSING_FIELDS",
            "the following required fields are missing: client_id, secret",
        ));
    };
    // Both compared in full and in constant time: neither result may hint at the other.
    let id_ok = client_id.as_bytes().ct_eq(standin.config.client_id.as_bytes());
    let secret_ok = secret.as_bytes().ct_eq(standin.config.secret.as_bytes());
    if bool::from(id_ok & secret_ok) {
        Ok(())
    } else {
        Err(error(
            StatusCode::BAD_REQUEST,
            "INVALID_INPUT",
            "INVALID_API_KEYS",
            "invalid client_id or secret provided",
            None,
        ))
    }
}

/// Every request type of Plaid's API that the stand-in reads carries its keys in `credentials`.
macro_rules! authenticated {
    ($($t:ident),*) => {$(
        impl Authenticated for plaid_link_api::$t {
            fn credentials(&self) -> &Credentials {
                &self.credentials
            }
        }
    )*};
}

authenticated!(
    LinkTokenCreateRequest,
    LinkTokenGetRequest,
    PublicTokenExchangeRequest,
    AccessTokenRequest,
    ItemWebhookUpdateRequest,
    InstitutionsGetByIdRequest,
    UserCreateRequest,
    WebhookVerificationKeyGetRequest,
    SandboxPublicTokenCreateRequest,
    SandboxFireWebhookRequest
);
