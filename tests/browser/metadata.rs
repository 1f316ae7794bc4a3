//! What Link reports, as a Rust app reads it: every field Plaid's Link web reference documents for
//! `onSuccess`, typed, and nothing of the public token.

use std::cell::RefCell;
use std::rc::Rc;

use leptos::prelude::*;
use plaid_link::{Connection, LinkStatus};
use wasm_bindgen_test::*;

use crate::ready_page;
use crate::support::*;

const DOCUMENTED_SUCCESS: &str = r#"{
    "institution": {"name": "First Platypus Bank", "institution_id": "ins_109508"},
    "accounts": [
        {"id": "acc-1", "name": "Plaid Checking", "mask": "0000", "type": "depository", "subtype": "checking",
         "verification_status": "pending_manual_verification", "class_type": "personal"},
        {"id": "acc-2", "name": "Plaid Saving", "mask": null, "type": "depository", "subtype": "savings",
         "verification_status": null, "class_type": null, "a_field_plaid_adds_later": 1}
    ],
    "link_session_id": "session-meta",
    "transfer_status": "COMPLETE",
    "wallet": null
}"#;

#[wasm_bindgen_test]
async fn a_rust_app_gets_the_success_metadata_through_on_connected_and_the_hook_never_the_token() {
    let heard: Rc<RefCell<Option<Connection>>> = Rc::default();
    let keep = heard.clone();
    let options = ready_page().on_connected(move |connection| *keep.borrow_mut() = Some(connection.clone()));
    let (link, _mounted) = Mounted::hook(options);
    wait_until("ready", || link.ready.get_untracked()).await;
    link.open.run(());
    fake_plaid_success(0, "public-sandbox-meta", DOCUMENTED_SUCCESS);
    wait_until("connected", || matches!(link.status.get_untracked(), LinkStatus::Connected(_))).await;

    let connection = heard.borrow().clone().expect("on_connected was called");
    let LinkStatus::Connected(from_the_hook) = link.status.get_untracked() else { unreachable!() };
    assert_eq!(from_the_hook, connection, "the hook's status carries the same");
    let metadata = &connection.metadata;
    let institution = metadata.institution.as_ref().expect("the institution");
    assert_eq!(
        (institution.name.as_str(), institution.institution_id.as_str()),
        ("First Platypus Bank", "ins_109508")
    );
    assert_eq!(metadata.link_session_id, "session-meta");
    assert_eq!(metadata.transfer_status.as_deref(), Some("COMPLETE"));
    let first = &metadata.accounts[0];
    assert_eq!(
        (first.id.as_str(), first.mask.as_deref(), first.kind.as_deref(), first.subtype.as_deref()),
        ("acc-1", Some("0000"), Some("depository"), Some("checking"))
    );
    assert_eq!(first.verification_status.as_deref(), Some("pending_manual_verification"));
    assert_eq!(first.class_type.as_deref(), Some("personal"));
    let second = &metadata.accounts[1];
    assert_eq!(
        (second.mask.as_deref(), second.verification_status.as_deref(), second.class_type.as_deref()),
        (None, None, None)
    );
    assert!(!format!("{connection:?}").contains("public-sandbox-meta"), "never the public token");
}

#[wasm_bindgen_test]
async fn every_documented_event_field_reaches_on_event_typed_and_the_rest_raw() {
    use plaid_link::LinkEvent;
    let seen: Rc<RefCell<Vec<LinkEvent>>> = Rc::default();
    let record = seen.clone();
    let link = Mounted::new(ready_page().on_event(move |event| record.borrow_mut().push(event.clone())));
    link.wait_for_status("ready").await;
    fake_plaid_event(
        0,
        "SEARCH_INSTITUTION",
        r#"{"link_session_id": "s", "request_id": "r", "timestamp": "2026-12-06T08:00:00Z", "view_name": "SELECT_INSTITUTION",
            "institution_id": "ins_1", "institution_name": "Bank", "institution_search_query": "platy",
            "error_type": "ITEM_ERROR", "error_code": "INVALID_CREDENTIALS", "error_message": "the provided credentials were not correct",
            "exit_status": "requires_credentials", "mfa_type": "code", "selection": "phoneotp", "brand_name": "Platypus",
            "match_reason": "returning_user", "routing_number": "021000021", "account_number_mask": "1234",
            "is_update_mode": "yes", "a_field_plaid_adds_later": "later"}"#,
    );
    fake_plaid_event(0, "OPEN", r#"{"link_session_id": 42, "is_update_mode": false}"#);
    fake_plaid_event(0, "TRANSITION_VIEW", "null");
    let events = seen.borrow();
    let m = &events[0].metadata;
    assert_eq!(events[0].name.as_str(), "SEARCH_INSTITUTION");
    assert_eq!(m.link_session_id().as_deref(), Some("s"));
    assert_eq!(m.request_id().as_deref(), Some("r"));
    assert_eq!(m.timestamp().as_deref(), Some("2026-12-06T08:00:00Z"));
    assert_eq!(m.view_name().as_deref(), Some("SELECT_INSTITUTION"));
    assert_eq!(
        (m.institution_id().as_deref(), m.institution_name().as_deref()),
        (Some("ins_1"), Some("Bank"))
    );
    assert_eq!(m.institution_search_query().as_deref(), Some("platy"));
    assert_eq!(m.error_type().map(|t| t.as_str().to_owned()).as_deref(), Some("ITEM_ERROR"));
    assert_eq!(m.error_code().as_deref(), Some("INVALID_CREDENTIALS"));
    assert_eq!(m.error_message().as_deref(), Some("the provided credentials were not correct"));
    assert_eq!(m.exit_status().map(|s| s.as_str().to_owned()).as_deref(), Some("requires_credentials"));
    assert_eq!(m.mfa_type().as_deref(), Some("code"));
    assert_eq!(m.selection().as_deref(), Some("phoneotp"));
    assert_eq!(m.brand_name().as_deref(), Some("Platypus"));
    assert_eq!(m.match_reason().as_deref(), Some("returning_user"));
    assert_eq!(m.routing_number().as_deref(), Some("021000021"));
    assert_eq!(m.account_number_mask().as_deref(), Some("1234"));
    assert_eq!(m.is_update_mode(), Some(true));
    // A field this version does not type, through Link's own object.
    let later = js_sys::Reflect::get(m.raw(), &"a_field_plaid_adds_later".into()).unwrap();
    assert_eq!(later.as_string().as_deref(), Some("later"));
    // A value of another type, and no object at all, read as absent.
    let open = &events[1].metadata;
    assert_eq!((open.link_session_id(), open.is_update_mode()), (None, Some(false)));
    assert_eq!((events[2].metadata.view_name(), events[2].metadata.is_update_mode()), (None, None));
}

#[wasm_bindgen_test]
async fn on_success_hears_the_metadata_typed_and_raw_after_the_exchange_left_and_on_exit_the_raw_object() {
    let heard: Rc<RefCell<Vec<(String, u32, String)>>> = Rc::default();
    let keep = heard.clone();
    let options = ready_page().on_success(move |metadata, raw| {
        let wallet =
            js_sys::Reflect::get(raw, &"wallet".into()).ok().and_then(|w| js_sys::JSON::stringify(&w).ok());
        keep.borrow_mut().push((
            metadata.link_session_id.clone(),
            backend_fetch_calls(EXCHANGE_PATH),
            wallet.map(String::from).unwrap_or_default(),
        ));
    });
    let link = Mounted::new(options);
    link.wait_for_status("ready").await;
    link.click();
    fake_plaid_success(0, "public-sandbox-raw", SUCCESS_METADATA);
    assert_eq!(
        heard.borrow().as_slice(),
        [("session-1".to_owned(), 1, r#"{"an":"unknown field"}"#.to_owned())],
        "heard inside onSuccess, once the exchange request had left, with Link's own object"
    );
    link.wait_for_status("connected").await;
    drop(link);

    let exits: Rc<RefCell<Vec<String>>> = Rc::default();
    let keep = exits.clone();
    let options = ready_page().on_exit(move |_, metadata| {
        let later = js_sys::Reflect::get(&metadata.raw, &"a_field_plaid_adds_later".into()).unwrap();
        keep.borrow_mut().push(later.as_string().unwrap_or_default());
    });
    let link = Mounted::new(options);
    link.wait_for_status("ready").await;
    link.click();
    fake_plaid_exit(
        0,
        "null",
        r#"{"status": null, "link_session_id": "s", "a_field_plaid_adds_later": "later"}"#,
    );
    link.wait_for_status("closed").await;
    assert_eq!(exits.borrow().as_slice(), ["later"]);
}
