//! Server-side rendering: the component renders its placeholder on the server, touching no browser
//! API (there is none on the host), and the markup is the one `tests/hydrate.rs` hydrates.

#[path = "common/app.rs"]
mod app;

use app::app;
use leptos::prelude::*;

#[test]
fn the_server_renders_a_disabled_preparing_button_and_the_hydration_fixture_matches() {
    let owner = Owner::new();
    let html = owner.with(|| app().to_html());
    assert!(html.contains("data-status=\"preparing\""), "{html}");
    assert!(html.contains("disabled"), "{html}");
    assert!(html.contains("aria-busy=\"true\""), "{html}");
    assert!(html.contains("Preparing…"), "{html}");
    assert!(html.contains("role=\"status\""), "{html}");

    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/ssr.html");
    if std::env::var_os("UPDATE_FIXTURES").is_some() {
        std::fs::write(fixture, &html).unwrap();
    }
    let expected = std::fs::read_to_string(fixture).unwrap();
    assert_eq!(
        html, expected,
        "the server's markup changed: rerun with UPDATE_FIXTURES=1 so that tests/hydrate.rs hydrates it"
    );
}

/// A multi-threaded server (axum on tokio, leptos_axum streaming) may clean a page's reactive owner
/// up on another thread than the one that rendered it: nothing the component or its options
/// leave in the owner may be tied to the rendering thread, or the server panics under load.
#[test]
fn a_page_rendered_on_one_thread_is_cleaned_up_on_another() {
    use plaid_link::{PlaidEmbeddedLink, PlaidLink, PlaidLinkOptions};
    let owner = Owner::new();
    let html = owner.with(|| {
        let options = PlaidLinkOptions::default().on_connected(|_| ());
        let embedded = PlaidLinkOptions::default();
        view! { <PlaidLink options /> <PlaidEmbeddedLink options=embedded /> <PlaidLink /> }.to_html()
    });
    assert!(html.contains("Preparing…"), "{html}");
    let cleaned = std::thread::spawn(move || drop(owner)).join();
    assert!(cleaned.is_ok(), "the owner's clean-up panicked on another thread");
}
