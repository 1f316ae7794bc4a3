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
    let found = Rc::new(RefCell::new(None));
    let hook = found.clone();
    let host: web_sys::HtmlElement =
        wasm_bindgen::JsCast::unchecked_into(document().create_element("div").unwrap());
    document().body().unwrap().append_child(&host).unwrap();
    let _handle = leptos::mount::mount_to(host, move || {
        *hook.borrow_mut() = Some(plaid_link::use_plaid_link(options));
        view! { <span /> }
    });
    let link = (*found.borrow()).expect("the hook's return");
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
