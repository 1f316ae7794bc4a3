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
