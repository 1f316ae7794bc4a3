//! Plaid's OpenAPI description, as the facts the stand-in keeps of it (`spec/plaid-2020-09-14.json`:
//! field names, types, nullability, required lists, enums; `spec/derive.py` writes it). Every
//! request to an operation it describes is checked against that operation's request schema before a
//! handler reads it, and refused as Plaid refuses it: `INVALID_BODY` for a body that is not a JSON
//! object sent as `application/json`, `MISSING_FIELDS` for a required field left out,
//! `INVALID_FIELD` for a wrong type or a value outside an enum.

use std::collections::HashMap;
use std::sync::OnceLock;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderMap};
use axum::middleware::Next;
use axum::response::Response;
use jsonschema::error::ValidationErrorKind;
use serde_json::Value;

use crate::errors::invalid_request;

/// The facts, as written by `spec/derive.py`.
pub const FACTS: &str = include_str!("../spec/plaid-2020-09-14.json");

/// The largest request body read: Plaid's own requests are a few kilobytes.
pub(crate) const MAX_BODY: usize = 64 * 1024;

/// One validator per operation, made on first use.
fn validators() -> &'static HashMap<String, jsonschema::Validator> {
    static VALIDATORS: OnceLock<HashMap<String, jsonschema::Validator>> = OnceLock::new();
    VALIDATORS.get_or_init(|| {
        let facts: Value = serde_json::from_str(FACTS).expect("spec/plaid-2020-09-14.json is JSON");
        let operations = facts["operations"].as_object().expect("operations");
        operations
            .iter()
            .map(|(path, operation)| {
                let schema = serde_json::json!({ "$ref": operation["request"], "$defs": facts["$defs"] });
                let validator = jsonschema::draft202012::new(&schema).expect("a valid schema");
                (path.clone(), validator)
            })
            .collect()
    })
}

/// A layer: refuses a request its operation's schema refuses; passes every other request on.
pub(crate) async fn conform(request: Request, next: Next) -> Response {
    let Some(validator) = validators().get(request.uri().path()) else {
        return next.run(request).await;
    };
    let (parts, body) = request.into_parts();
    let not_json = || invalid_request("INVALID_BODY", "body could not be parsed as JSON");
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY).await else { return not_json() };
    let value = match serde_json::from_slice::<Value>(&bytes) {
        Ok(value @ Value::Object(_)) if is_json(&parts.headers) => value,
        _ => return not_json(),
    };
    if let Some(refusal) = refusal(validator, &value) {
        return refusal;
    }
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}

fn is_json(headers: &HeaderMap) -> bool {
    headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| {
        v.split(';').next().is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"))
    })
}

/// Plaid's error for a body the schema refuses: every missing field named, or the first bad one.
fn refusal(validator: &jsonschema::Validator, body: &Value) -> Option<Response> {
    let errors: Vec<_> = validator.iter_errors(body).collect();
    let missing: Vec<String> = errors
        .iter()
        .filter_map(|e| match e.kind() {
            ValidationErrorKind::Required { property } => {
                let parent = dotted(e.instance_path().as_str());
                let name = property.as_str().unwrap_or_default();
                Some(if parent.is_empty() { name.to_owned() } else { format!("{parent}.{name}") })
            }
            _ => None,
        })
        .collect();
    if !missing.is_empty() {
        let message = format!("the following required fields are missing: {}", missing.join(", "));
        return Some(invalid_request("MISSING_FIELDS", &message));
    }
    let first = errors.first()?;
    let field = dotted(first.instance_path().as_str());
    Some(invalid_request("INVALID_FIELD", &format!("{field}: {first}")))
}

/// `/user/client_user_id` as Plaid writes a field: `user.client_user_id`.
fn dotted(pointer: &str) -> String {
    pointer.trim_start_matches('/').replace('/', ".")
}
