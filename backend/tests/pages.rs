//! The pages the reference backend serves from its static directory: each HTML-like one (HTML,
//! XHTML, SVG) under the policy with its nonce and CSRF token, never a precompressed copy rewritten
//! as text.

mod common;

use common::*;

/// A static directory with a page, a precompressed copy of it, and two other documents that can
/// run script.
fn static_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("plaid-static-{}", rand_suffix()));
    std::fs::create_dir_all(&dir).unwrap();
    let page = "<!doctype html><html><head><title>t</title></head><body></body></html>";
    std::fs::write(dir.join("index.html"), page).unwrap();
    // What a build's compression step leaves beside a page; its bytes are never to be read as text.
    std::fs::write(dir.join("index.html.gz"), b"\x1f\x8b not text").unwrap();
    std::fs::write(dir.join("index.html.br"), b"compressed bytes").unwrap();
    std::fs::write(
        dir.join("logo.svg"),
        r#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#,
    )
    .unwrap();
    std::fs::write(
        dir.join("page.xhtml"),
        r#"<html xmlns="http://www.w3.org/1999/xhtml"><head></head><body/></html>"#,
    )
    .unwrap();
    dir
}

#[tokio::test]
async fn a_page_with_precompressed_copies_is_served_as_text_with_its_policy_and_token() {
    let dir = static_dir();
    let s = start_with(TestDb::sqlite(), &[("PLAID_LINK_STATIC_DIR", &dir.display().to_string())]).await;
    for path in ["/", "/index.html"] {
        let page = s
            .http
            .get(format!("{}{path}", s.base))
            .header("accept-encoding", "br, gzip")
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 200, "{path}");
        assert!(!page.headers().contains_key("content-encoding"), "{path}: not a compressed copy");
        assert!(page.headers()["content-security-policy"].to_str().unwrap().contains("script-src 'nonce-"));
        let html = page.text().await.unwrap();
        assert!(html.contains(r#"<meta name="csrf-token" content=""#), "{path}: {html}");
    }
    // A name the server decodes to the page: refused rather than sent compressed or corrupted.
    let odd = s
        .http
        .get(format!("{}/index%2Ehtml", s.base))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    let status = odd.status().as_u16();
    let encoded = odd.headers().contains_key("content-encoding");
    let body = odd.text().await.unwrap();
    assert!(status == 406 || (status == 200 && !encoded && body.contains("csrf-token")), "{status}: {body}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn svg_and_xhtml_documents_get_the_policy_too() {
    let dir = static_dir();
    let s = start_with(TestDb::sqlite(), &[("PLAID_LINK_STATIC_DIR", &dir.display().to_string())]).await;
    for path in ["/logo.svg", "/page.xhtml"] {
        let document = s.http.get(format!("{}{path}", s.base)).send().await.unwrap();
        assert_eq!(document.status(), 200, "{path}");
        let policy =
            document.headers().get("content-security-policy").map(|p| p.to_str().unwrap().to_owned());
        assert!(policy.as_deref().is_some_and(|p| p.contains("script-src 'nonce-")), "{path}: {policy:?}");
        assert_eq!(document.headers()["cache-control"], "no-store", "{path}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
