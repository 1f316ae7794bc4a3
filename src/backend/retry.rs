//! The exchange's retry: only failures that may pass, with backoff and jitter, and always the same
//! body and `Idempotency-Key`, so that the backend exchanges a public token once however often it
//! is asked.

use std::future::Future;
use std::pin::Pin;

use gloo_net::http::Response;
use js_sys::Promise;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use super::{outcome_from, read, BackendClient, BackendError, Body, ExchangeFailure, ExchangeOutcome};
use crate::endpoint::Endpoint;
use crate::transport::Forwarded;

/// How the exchange call is retried: only failures that may pass (no answer, a timeout, 502, 503,
/// 504), with exponential backoff and jitter, and always with the same `Idempotency-Key`, so that
/// the backend exchanges a public token once however often it is asked. A 4xx is never retried.
///
/// ```
/// use plaid_link::{PlaidLinkOptions, RetryPolicy};
/// let patient = RetryPolicy { attempts: 6, ..RetryPolicy::default() };
/// let options = PlaidLinkOptions::default().exchange_retry(patient);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub attempts: u32,
    /// The wait before the second attempt; each later wait doubles, up to 8 s.
    pub base_delay_ms: u32,
}

impl Default for RetryPolicy {
    /// Four attempts over at most about a minute (four timeouts and three waits): far inside the
    /// public token's 30-minute life.
    fn default() -> Self {
        Self { attempts: 4, base_delay_ms: 500 }
    }
}

impl RetryPolicy {
    /// The wait before attempt `attempt + 1`, given a random number in [0, 1): half fixed, half jitter.
    pub(crate) fn delay_ms(&self, attempt: u32, random: f64) -> u32 {
        let full = self.base_delay_ms.saturating_mul(1 << attempt.saturating_sub(1).min(16)).min(8_000);
        full / 2 + (f64::from(full / 2) * random.clamp(0.0, 1.0)) as u32
    }
}

/// An exchange (or update) ready to send; [`send`](Self::send) sends it, and retries.
#[must_use = "the request is sent by `send`"]
pub(crate) struct PendingExchange(Pending);

enum Pending {
    /// The client, the endpoint, the body and the `Idempotency-Key`.
    Urls(Box<(BackendClient, Endpoint, Body, Option<String>)>),
    /// The app's own forward, called and not yet run.
    Custom(Pin<Box<dyn Future<Output = Result<Forwarded, BackendError>>>>),
}

impl PendingExchange {
    pub(super) fn new(client: BackendClient, endpoint: Endpoint, body: Body, key: Option<String>) -> Self {
        Self(Pending::Urls(Box::new((client, endpoint, body, key))))
    }

    pub(super) fn custom(forward: Pin<Box<dyn Future<Output = Result<Forwarded, BackendError>>>>) -> Self {
        Self(Pending::Custom(forward))
    }

    /// Sends the request now: the first `fetch` is called before this returns, so inside Link's
    /// `onSuccess` the public token leaves before any other code of the page runs. The future
    /// waits for the backend's answer, retrying what may pass (see [`RetryPolicy`]) with the same
    /// body and `Idempotency-Key`. The app's own forward was called already; its future runs where
    /// this one is awaited.
    pub fn send(self) -> impl Future<Output = Result<ExchangeOutcome, ExchangeFailure>> {
        let first = match &self.0 {
            Pending::Urls(request) => {
                let (client, endpoint, body, key) = &**request;
                Some(client.request(endpoint, body, None, key.as_deref()).and_then(fetch))
            }
            Pending::Custom(_) => None,
        };
        self.finish(first)
    }

    /// The answer; `first` is the first attempt, already sent.
    async fn finish(
        self,
        mut first: Option<Result<Promise, BackendError>>,
    ) -> Result<ExchangeOutcome, ExchangeFailure> {
        let (client, endpoint, body, key) = match self.0 {
            Pending::Urls(request) => *request,
            Pending::Custom(forward) => {
                let Forwarded { item_id, items, verified } =
                    forward.await.map_err(|error| ExchangeFailure { error, attempts: 1 })?;
                return Ok(ExchangeOutcome { item_id, items, verified });
            }
        };
        let policy = client.retry;
        let mut attempt = 1;
        loop {
            let fail = move |error| ExchangeFailure { error, attempts: attempt };
            let sent = match first.take() {
                Some(sent) => sent,
                None => client.request(&endpoint, &body, None, key.as_deref()).and_then(fetch),
            };
            let answer = match JsFuture::from(sent.map_err(fail)?).await {
                Ok(response) => read(Response::from(response.unchecked_into::<web_sys::Response>())).await,
                Err(rejection) => Err(BackendError::from_rejection(&rejection)),
            };
            match answer {
                Ok(text) => return Ok(outcome_from(&text)),
                Err(error) if error.is_transient() && attempt < policy.attempts => {
                    gloo_timers::future::TimeoutFuture::new(policy.delay_ms(attempt, js_sys::Math::random()))
                        .await;
                    attempt += 1;
                }
                Err(error) => return Err(fail(error)),
            }
        }
    }
}

/// Calls `fetch` with `request` now; its answer comes when the promise settles.
fn fetch(request: gloo_net::http::Request) -> Result<Promise, BackendError> {
    let window = web_sys::window().ok_or(BackendError::Network(String::new()))?;
    Ok(window.fetch_with_request(&request.into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_jitter_and_stays_bounded() {
        let policy = RetryPolicy { attempts: 10, base_delay_ms: 500 };
        assert_eq!(policy.delay_ms(1, 0.0), 250);
        assert_eq!(policy.delay_ms(1, 1.0), 500);
        assert_eq!(policy.delay_ms(2, 0.0), 500);
        assert_eq!(policy.delay_ms(3, 0.5), 1500);
        assert!(policy.delay_ms(30, 1.0) <= 8_000);
        let worst: u32 = (1..policy.attempts).map(|a| policy.delay_ms(a, 1.0)).sum();
        assert!(worst < 60_000, "{worst}");
    }
}
