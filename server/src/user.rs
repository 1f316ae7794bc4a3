//! The app's user, as the routes know them: the app says how a request names its user (an extractor
//! of its own, [`LinkUser`]); the library never issues a session or a cookie. A request without a
//! user is refused with 401 (503 when the app's extractor fails with a server error); a user who
//! asks too often with 429.

use std::marker::PhantomData;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::IntoResponse;

use crate::failure::Failure;
use crate::state::Shared;

/// The app's signed-in user. Implement it on the extractor the app already has (one that reads its
/// session cookie, a bearer token, or a value its auth middleware put in the request's
/// extensions): the routes extract it from each request, with no state of the library's.
///
/// ```
/// use axum::extract::FromRequestParts;
/// use axum::http::{request::Parts, StatusCode};
///
/// /// Put in the request's extensions by the app's own auth middleware.
/// #[derive(Clone)]
/// struct Member { id: u64 }
///
/// impl<S: Send + Sync> FromRequestParts<S> for Member {
///     type Rejection = StatusCode;
///     async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, StatusCode> {
///         parts.extensions.get::<Member>().cloned().ok_or(StatusCode::UNAUTHORIZED)
///     }
/// }
///
/// impl plaid_link_server::LinkUser for Member {
///     fn plaid_user_id(&self) -> String {
///         format!("member-{}", self.id)
///     }
/// }
/// ```
pub trait LinkUser: FromRequestParts<()> + Send + 'static {
    /// The id this user is known by to Plaid (`client_user_id`) and in the store, where it owns
    /// the user's items: stable for the user's lifetime, and not personal data (no e-mail address,
    /// no phone number), as Plaid asks.
    fn plaid_user_id(&self) -> String;
}

/// The user of a request: their id, once the app's extractor found them and their quota allows.
pub(crate) struct Caller<U> {
    pub id: String,
    user: PhantomData<fn() -> U>,
}

impl<U: LinkUser> FromRequestParts<Shared> for Caller<U> {
    type Rejection = Failure;

    async fn from_request_parts(parts: &mut Parts, state: &Shared) -> Result<Self, Failure> {
        let user = match U::from_request_parts(parts, &()).await.map_err(|r| r.into_response().status()) {
            Ok(user) => user,
            // The app could not tell (its session store is down, say): not the user's fault.
            Err(status) if status.is_server_error() => {
                return Err(Failure::unavailable("the app's user extractor failed"))
            }
            Err(_) => {
                return Err(Failure::new(
                    StatusCode::UNAUTHORIZED,
                    "Your session has expired. Reload the page, then try again.",
                    "no user",
                ))
            }
        };
        let id = user.plaid_user_id();
        state.limits.user(&id).map_err(|wait| Failure::too_many(wait, "user"))?;
        Ok(Self { id, user: PhantomData })
    }
}
