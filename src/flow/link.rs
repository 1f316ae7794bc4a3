//! What the flow does when Link calls back: `onLoad`, `onSuccess` (the forward), `onExit`, `onEvent`.
//! One function answers all four, holding the flow weakly: Link never keeps a stopped flow alive.

use leptos::task::spawn_local;

use super::phase::Phase;
use super::Flow;
use crate::backend::{BackendClient, BackendError, ExchangeFailure, PendingExchange};
use crate::oauth;
use crate::plaid::handler::{LinkCall, LinkCallbacks};
use crate::plaid::types::{EventName, ExitMetadata, LinkError, LinkEvent, SuccessMetadata};
use crate::status::{Connection, LinkFailure};
use crate::tokens::{LinkToken, PublicToken};
use crate::transport::SessionEnd;

impl Flow {
    /// Link's callbacks. `backend` is the one this Link's `token` came from: `onSuccess` sends with
    /// it as it is, with nothing to resolve between Link's call and the request (a session that ends
    /// without a public token names the token, the one thing the backend reads Plaid with).
    pub(super) fn callbacks(&self, backend: &BackendClient, token: &LinkToken) -> LinkCallbacks {
        let (backend, link_token, weak) = (backend.clone(), token.clone(), self.weak());
        Box::new(move |call| {
            let Some(flow) = Flow::upgrade(&weak) else { return };
            match call {
                LinkCall::Load => flow.loaded(),
                LinkCall::Success(token, metadata, raw) => {
                    flow.forward(&backend, token, metadata, &raw, &link_token)
                }
                LinkCall::Exit(error, metadata) => flow.exited(&backend, error, metadata),
                LinkCall::Event(event, metadata) => flow.event(&event, &metadata),
            }
        })
    }

    /// `onSuccess`: the token goes straight into the exchange request and nowhere else. In update
    /// mode it goes nowhere at all: it is dropped unread, and the backend is told which item Link
    /// repaired. A success without a token (Multi-Item Link, Identity Verification) tells the
    /// backend which session ended; it reads the rest from Plaid.
    fn forward(
        &self,
        backend: &BackendClient,
        token: Option<PublicToken>,
        metadata: SuccessMetadata,
        raw: &wasm_bindgen::JsValue,
        link_token: &LinkToken,
    ) {
        let updated = backend.update.as_ref().map(|update| update.item_id.clone());
        let end = match (&updated, token) {
            (Some(item_id), token) => {
                drop(token);
                SessionEnd::Updated { item_id: item_id.clone() }
            }
            (None, Some(token)) => SessionEnd::NewItem(token),
            (None, None) => SessionEnd::WithoutToken,
        };
        let pending = backend.finish(end, &metadata, link_token);
        // The request leaves here, inside Link's callback, before the page re-renders for
        // "Saving…". Its answer belongs to no phase: an unmount must not lose a finished session.
        let answer = pending.map(PendingExchange::send);
        // The app hears of the success once the request has left (its code cannot delay it).
        let on_success = self.0.options.borrow().on_success.clone();
        if let Some(on_success) = on_success {
            on_success(&metadata, raw);
        }
        let weak = self.weak();
        spawn_local(async move {
            let result = match answer {
                Ok(answer) => answer.await,
                Err(failure) => Err(failure),
            };
            // The kept link token (for an OAuth bank's return) is of no more use.
            oauth::forget();
            let Some(flow) = Flow::upgrade(&weak) else { return };
            match result {
                Ok(outcome) => {
                    let connection = Connection {
                        institution: metadata.institution.as_ref().map(|i| i.name.clone()),
                        accounts: metadata.accounts.len(),
                        item_id: outcome
                            .item_id
                            .or(updated.clone())
                            .or(outcome.items.first().map(|i| i.item_id.clone())),
                        updated: updated.is_some(),
                        items: outcome.items,
                        verified: outcome.verified,
                        metadata,
                    };
                    let on_connected = flow.0.options.borrow().on_connected.clone();
                    if let Some(on_connected) = on_connected {
                        on_connected(&connection);
                    }
                    flow.advance(|phase| Phase::Connected(connection, phase.into_link()));
                }
                Err(ExchangeFailure { error: BackendError::Duplicate { item_id, institution }, .. }) => {
                    flow.fail(LinkFailure::Duplicate { item_id, institution })
                }
                Err(e) => flow.fail(LinkFailure::Exchange(e)),
            }
        });
        self.advance(|phase| Phase::Sending(phase.into_link()));
    }

    /// `onExit`; an error is reported to the backend when the app asked for reports.
    fn exited(&self, backend: &BackendClient, error: Option<LinkError>, metadata: ExitMetadata) {
        oauth::forget();
        if let Some(error) = &error {
            backend.report_exit(error, &metadata);
        }
        let on_exit = self.0.options.borrow().on_exit.clone();
        if let Some(on_exit) = on_exit {
            on_exit(error.as_ref(), &metadata);
        }
        // The token expired while Link was open, or the embedded search's session that came back
        // from an OAuth bank ended: start over (outside of Link's callback), with a fresh search.
        let resumed_search = self.0.surface.opens_itself()
            && self.0.phase.borrow().link().is_some_and(|live| !live.handler.opens_itself());
        let start_over = resumed_search || error.as_ref().is_some_and(LinkError::is_invalid_link_token);
        let mut return_focus = None;
        self.advance(|phase| match (phase, error) {
            (done @ (Phase::Sending(_) | Phase::Connected(..)), _) => done,
            (phase, _) if start_over => phase,
            (Phase::Open { link, return_focus: focus }, error) => {
                return_focus = focus;
                match error {
                    Some(e) => Phase::Failed(LinkFailure::Link(e), Some(link)),
                    None => Phase::Closed(link),
                }
            }
            (phase, Some(e)) => Phase::Failed(LinkFailure::Link(e), phase.into_link()),
            (Phase::Ready(link) | Phase::Failed(_, Some(link)), None) => Phase::Closed(link),
            (phase, None) => phase,
        });
        if start_over {
            let flow = self.clone();
            spawn_local(async move { flow.prepare() });
        } else {
            // A refresh that fell due while Link was open happens now.
            self.refresh_if_due();
        }
        if let Some(element) = return_focus {
            // After the view has caught up: a button still disabled would not take the focus.
            spawn_local(async move {
                let _ = element.focus();
            });
        }
    }

    /// `onEvent`: the embedded search opens Link by itself, on a click at a bank; the app hears
    /// every event.
    fn event(
        &self,
        event: &LinkEvent,
        #[cfg_attr(not(feature = "embed"), allow(unused_variables))] metadata: &wasm_bindgen::JsValue,
    ) {
        if self.0.surface.opens_itself() && event.name == EventName::Open {
            let component = self.oauth_component();
            self.advance(|phase| match phase {
                Phase::Ready(link) | Phase::Closed(link) | Phase::Failed(_, Some(link)) => {
                    // Kept for an OAuth bank's redirect back to this page, as the button's `open()` does.
                    oauth::remember(link.handler.token(), &component);
                    Phase::Open { link, return_focus: None }
                }
                other => other,
            });
        }
        #[cfg(feature = "embed")]
        let on_link_event = self.0.options.borrow().on_link_event.clone();
        #[cfg(feature = "embed")]
        if let Some(on_link_event) = on_link_event {
            on_link_event(event.name.as_str(), metadata);
        }
        let on_event = self.0.options.borrow().on_event.clone();
        if let Some(on_event) = on_event {
            on_event(event);
        }
    }
}
