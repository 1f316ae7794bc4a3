//! The demo's second language (`?lang=fr`, `demo/texts-fr.json`) has a sentence for every English
//! template the components show, with the same placeholders.
#![cfg(not(target_arch = "wasm32"))] // serde_json is a host-only dev-dependency

use std::collections::BTreeMap;

use plaid_link::texts::ENGLISH;

fn placeholders(text: &str) -> Vec<&str> {
    text.split('{').skip(1).filter_map(|s| s.split_once('}')).map(|(name, _)| name).collect()
}

#[test]
fn the_demos_french_has_every_sentence_with_the_same_placeholders() {
    let french: BTreeMap<String, String> = serde_json::from_str(include_str!("../demo/texts-fr.json"))
        .expect("demo/texts-fr.json is a JSON object");
    for english in ENGLISH {
        let own = french.get(*english).unwrap_or_else(|| panic!("no French for {english:?}"));
        assert_eq!(placeholders(own), placeholders(english), "{english:?}");
    }
    assert_eq!(french.len(), ENGLISH.len(), "French for a sentence the components no longer show");
}
