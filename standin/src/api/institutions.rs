//! `/institutions/get_by_id`: one of the stand-in's sandbox institutions, as Plaid describes it.

use std::sync::Arc;

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;

use crate::errors::invalid_institution;
use crate::request::Plaid;
use crate::state::{id, Standin};
use crate::types::{InstitutionView, InstitutionsGetByIdRequest, InstitutionsGetByIdResponse};

/// What every sandbox institution supports here.
const PRODUCTS: [&str; 4] = ["auth", "balance", "identity", "transactions"];

pub(crate) async fn get_by_id(
    State(standin): State<Arc<Standin>>,
    Plaid(request): Plaid<InstitutionsGetByIdRequest>,
) -> Response {
    let found = standin.config.institutions.iter().find(|i| i.institution_id == request.institution_id);
    // The sandbox's institutions are in the US: asked for other countries only, there is none.
    let Some(institution) = found.filter(|_| request.country_codes.iter().any(|c| c == "US")) else {
        return invalid_institution("invalid institution_id provided");
    };
    Json(InstitutionsGetByIdResponse {
        institution: InstitutionView {
            institution_id: institution.institution_id.clone(),
            name: institution.name.clone(),
            products: PRODUCTS.iter().map(|p| (*p).to_owned()).collect(),
            country_codes: vec!["US".to_owned()],
            url: None,
            primary_color: None,
            logo: None,
            routing_numbers: Vec::new(),
            oauth: institution.oauth,
        },
        request_id: id(15),
    })
    .into_response()
}
