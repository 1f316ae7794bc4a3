//! Layer: `submit` hands typed data to the live Link, and its events reach the app typed, with
//! names this version does not know kept as they came.

use std::cell::RefCell;
use std::rc::Rc;

use leptos::prelude::*;
use plaid_link::{EventName, LinkSubmission, PlaidLinkOptions};
use wasm_bindgen_test::*;

use crate::support::*;

#[wasm_bindgen_test]
async fn submit_sends_a_phone_number_then_a_date_of_birth_and_events_arrive_typed() {
    fresh_backend();
    fake_plaid_install(false);
    let seen = Rc::new(RefCell::new(Vec::<EventName>::new()));
    let record = seen.clone();
    let options = PlaidLinkOptions::default().on_event(move |e| record.borrow_mut().push(e.name.clone()));
    let (link, _mounted) = Mounted::hook(options);
    wait_until("Link made", || fake_plaid_handlers() == 1).await;
    let submit = link.submit;
    submit.run(LinkSubmission::PhoneNumber("+14155550011".into()));
    submit.run(LinkSubmission::DateOfBirth("1975-01-18".into()));
    assert_eq!(
        fake_plaid_submitted(0),
        r#"[{"phone_number":"+14155550011"},{"date_of_birth":"1975-01-18"}]"#
    );

    for name in ["LAYER_READY", "LAYER_NOT_AVAILABLE", "LAYER_AUTOFILL_NOT_AVAILABLE", "SOMETHING_NEW"] {
        fake_plaid_event(0, name, r#"{"link_session_id": "s"}"#);
    }
    assert_eq!(
        *seen.borrow(),
        vec![
            EventName::LayerReady,
            EventName::LayerNotAvailable,
            EventName::LayerAutofillNotAvailable,
            EventName::Other("SOMETHING_NEW".into()),
        ]
    );
}
