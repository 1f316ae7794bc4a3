//! The app's words: Rust `Texts`, and an embedded element's `data-texts`, shown as text.

use plaid_link::PlaidLinkOptions;
use wasm_bindgen_test::*;

use crate::support::*;

#[wasm_bindgen_test]
async fn the_apps_words_replace_every_sentence_shown() {
    fresh_backend();
    fake_plaid_install(false);
    let texts = plaid_link::Texts::new(|english| {
        Some(
            match english {
                "Connect a bank account" => "Connecter un compte bancaire",
                "Connected to {bank} ({accounts})." => "Connecté à {bank} ({accounts}).",
                "{n} accounts" => "{n} comptes",
                _ => return None,
            }
            .to_owned(),
        )
    });
    let link = Mounted::new(PlaidLinkOptions::default().texts(texts));
    link.wait_for_status("ready").await;
    assert_eq!(link.label(), "Connecter un compte bancaire");
    link.click();
    fake_plaid_success(0, "public-sandbox-fr", SUCCESS_METADATA);
    link.wait_for_status("connected").await;
    assert_eq!(link.message(), "Connecté à First Platypus Bank (2 comptes).");
    assert_eq!(link.label(), "Connected", "a sentence the app left out stays in English");
}

#[wasm_bindgen_test]
async fn an_embedded_elements_data_texts_replace_its_sentences_and_bad_json_keeps_english() {
    fresh_backend();
    fake_plaid_install(false);
    let texts = r#"{"Connect a bank account": "Connecter un compte bancaire", "Finish connecting in the Plaid window.": "<b>Terminez</b> dans Plaid."}"#;
    let quoted = js_sys::JSON::stringify(&texts.into()).unwrap();
    let attributes = format!(r#"{{"data-texts": {}}}"#, String::from(quoted));
    let french = Mounted::observe(inject_embed_element(&attributes));
    let broken = Mounted::observe(inject_embed_element(r#"{"data-texts": "{not json"}"#));
    plaid_link::mount_all();
    french.wait_for_status("ready").await;
    broken.wait_for_status("ready").await;
    assert_eq!(french.label(), "Connecter un compte bancaire");
    assert_eq!(broken.label(), "Connect a bank account");
    french.click();
    french.wait_for_status("open").await;
    assert_eq!(french.message(), "<b>Terminez</b> dans Plaid.", "the page's words are text, never markup");
    assert!(french.host.query_selector("b").unwrap().is_none());
    // Closed again: these components stay with the page, and one open Link would hold the others.
    let opened = (0..fake_plaid_handlers()).find(|i| fake_plaid_opened(*i) == 1).unwrap();
    fake_plaid_exit(opened, "null", r#"{"status": null, "link_session_id": "s"}"#);
    french.wait_for_status("closed").await;
}
