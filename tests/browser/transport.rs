//! The app's own transport: link tokens from its function, finished sessions to its forward, and
//! nothing sent to the URLs they replace. (An origin the app trusts with its headers and cookies:
//! `trust.rs`, beside the other origins' tests.)

use std::cell::RefCell;
use std::rc::Rc;

use plaid_link::backend::BackendError;
use plaid_link::transport::{Forwarded, LinkTokenGrant, SessionEnd};
use plaid_link::PlaidLinkOptions;
use wasm_bindgen_test::*;

use crate::ready_page;
use crate::support::*;

/// What the app's functions saw: each link-token request, and each forward as `(what, token)`.
#[derive(Default)]
struct Seen {
    requests: Vec<(Option<String>, bool)>,
    forwards: Vec<(String, String)>,
}

fn custom(options: PlaidLinkOptions, seen: &Rc<RefCell<Seen>>) -> PlaidLinkOptions {
    let (asked, forwarded) = (seen.clone(), seen.clone());
    options
        .link_token_with(move |request| {
            asked.borrow_mut().requests.push((request.update_item.clone(), request.multi_item));
            async {
                Ok(LinkTokenGrant {
                    link_token: "link-sandbox-from-fn".into(),
                    expiration: Some(iso_in(3_600_000)),
                })
            }
        })
        .forward_with(move |session| {
            // Recorded before the first wait: the forward is called inside Link's `onSuccess`.
            let record = match session.end {
                SessionEnd::NewItem(token) => ("new".to_owned(), token.expose_secret()),
                SessionEnd::Updated { item_id } => (format!("updated {item_id}"), String::new()),
                _ => ("without token".to_owned(), String::new()),
            };
            forwarded.borrow_mut().forwards.push(record);
            async { Ok(Forwarded { item_id: Some("item-from-fn".into()), ..Forwarded::default() }) }
        })
}

#[wasm_bindgen_test]
async fn link_tokens_come_from_the_apps_function_and_the_session_goes_to_its_forward() {
    let seen = Rc::new(RefCell::new(Seen::default()));
    let link = Mounted::new(custom(ready_page(), &seen));
    link.wait_for_status("ready").await;
    assert_eq!(fake_plaid_token(0), "link-sandbox-from-fn");
    assert_eq!(seen.borrow().requests, [(None, false)]);
    link.click();
    fake_plaid_success(0, "public-sandbox-via-fn", SUCCESS_METADATA);
    assert_eq!(seen.borrow().forwards.len(), 1, "the forward was called before onSuccess returned");
    link.wait_for_status("connected").await;
    assert_eq!(link.message(), "Connected to First Platypus Bank (2 accounts).");
    assert_eq!(seen.borrow().forwards[0], ("new".to_owned(), "public-sandbox-via-fn".to_owned()));
    assert_eq!(backend_request_count(TOKEN_PATH), 0, "no request to the URL it replaces");
    assert_eq!(backend_request_count(EXCHANGE_PATH), 0);
}

#[wasm_bindgen_test]
async fn update_mode_asks_the_function_for_that_item_and_forwards_no_token() {
    let seen = Rc::new(RefCell::new(Seen::default()));
    let link = Mounted::new(custom(ready_page().update_item("item-7"), &seen));
    link.wait_for_status("ready").await;
    assert_eq!(seen.borrow().requests, [(Some("item-7".to_owned()), false)]);
    link.click();
    fake_plaid_success(0, "public-sandbox-unused", SUCCESS_METADATA);
    link.wait_for_status("connected").await;
    assert_eq!(seen.borrow().forwards[0], ("updated item-7".to_owned(), String::new()));
}

#[wasm_bindgen_test]
async fn the_apps_functions_failing_tell_the_user_and_trying_again_works() {
    let calls = Rc::new(RefCell::new(0));
    let counted = calls.clone();
    let options = ready_page().link_token_with(move |_| {
        *counted.borrow_mut() += 1;
        let first = *counted.borrow() == 1;
        async move {
            if first {
                Err(BackendError::Status { status: 503, message: None, plaid: None })
            } else {
                Ok(LinkTokenGrant { link_token: "link-sandbox-second".into(), expiration: None })
            }
        }
    });
    let options = options.forward_with(|_| async { Err(BackendError::Network("offline".into())) });
    let link = Mounted::new(options);
    link.wait_for_status("failed").await;
    assert!(link.message().contains("server"), "{}", link.message());
    link.click();
    link.wait_for_status("ready").await;
    assert_eq!(fake_plaid_token(0), "link-sandbox-second");
    link.click();
    fake_plaid_success(0, "public-sandbox-lost", SUCCESS_METADATA);
    link.wait_for_status("failed").await;
    assert_eq!(*calls.borrow(), 2);
    assert_eq!(backend_request_count(EXCHANGE_PATH), 0);
}
