//! The strict, nonce-based Content-Security-Policy of every page the server sends, with what Plaid
//! documents Link needs: its script, its frame, Plaid's API, its `<style>` elements under the
//! page's nonce, and its inline style attributes (`style-src-attr 'unsafe-inline'`: a nonce never
//! covers an attribute). Scripts stay nonce-only: no `'unsafe-inline'`, no `'unsafe-eval'`.
//!
//! Each HTML response gets a fresh nonce, in the policy and in place of [`NONCE_PLACEHOLDER`],
//! which the page's known tags carry from build time (Trunk puts it on its start-up script and
//! preloads; our pages on their scripts). Nothing else gets it: markup injected into a page, even a
//! `<script>`, does not run. Nothing is `eval`ed; WebAssembly compiles under `'wasm-unsafe-eval'`.

use base64::Engine;
use rand::RngCore;

/// The origins a page with the component talks to, besides itself.
#[derive(Clone, Debug)]
pub struct PolicySources {
    /// Link's script, as a full URL (Plaid: `https://cdn.plaid.com/link/v2/stable/link-initialize.js`).
    pub link_script: String,
    /// Where Link's iframe comes from (Plaid: `https://cdn.plaid.com`).
    pub link_frame: String,
    /// Plaid's API, for Link (Plaid: `https://production.plaid.com`).
    pub plaid_link_api: String,
}

/// The policy for one response.
pub fn policy(nonce: &str, sources: &PolicySources) -> String {
    format!(
        "default-src 'self'; script-src 'nonce-{nonce}' 'wasm-unsafe-eval' {script}; \
         style-src 'self' 'nonce-{nonce}'; style-src-attr 'unsafe-inline'; frame-src {frame}; \
         connect-src 'self' {api}; img-src 'self' data:; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'self'",
        script = sources.link_script,
        frame = sources.link_frame,
        api = sources.plaid_link_api,
    )
}

/// What the page's own tags carry in their `nonce` attribute until served (Trunk's default,
/// named in Trunk.toml).
pub const NONCE_PLACEHOLDER: &str = "{{__TRUNK NONCE__}}";

/// Puts the response's nonce where the page's build put the placeholder, and nowhere else.
pub fn add_nonce(html: &str, nonce: &str) -> String {
    html.replace(NONCE_PLACEHOLDER, nonce)
}

/// A fresh nonce for one response.
pub fn fresh_nonce() -> String {
    let mut bytes = [0u8; 18];
    rand::thread_rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_tags_that_carry_the_placeholder_get_the_nonce() {
        let html = r#"<script type="module" nonce="{{__TRUNK NONCE__}}">x</script>
            <link rel="modulepreload" href="/a.js" nonce="{{__TRUNK NONCE__}}">
            <p>an injected comment: <script src="https://evil.example/x.js"></script></p>"#;
        let out = add_nonce(html, "abc");
        assert_eq!(out.matches(r#"nonce="abc""#).count(), 2);
        assert!(
            out.contains(r#"<script src="https://evil.example/x.js">"#),
            "injected markup is left without a nonce"
        );
        assert!(!out.contains(NONCE_PLACEHOLDER));
    }

    #[test]
    fn policy_carries_what_link_needs_and_nothing_unsafe_for_scripts() {
        let sources = PolicySources {
            link_script: "https://cdn.plaid.com/link/v2/stable/link-initialize.js".into(),
            link_frame: "https://cdn.plaid.com".into(),
            plaid_link_api: "https://production.plaid.com".into(),
        };
        let p = policy("n0nce", &sources);
        assert!(p.contains("script-src 'nonce-n0nce' 'wasm-unsafe-eval' https://cdn.plaid.com/link/"));
        assert!(p.contains("style-src 'self' 'nonce-n0nce'"), "Link's <style> elements, under the nonce");
        let unsafe_inline: Vec<&str> =
            p.split(';').map(str::trim).filter(|d| d.contains("'unsafe-inline'")).collect();
        assert_eq!(unsafe_inline, ["style-src-attr 'unsafe-inline'"], "attributes only, never scripts");
        assert!(!p.contains("'unsafe-eval'"));
        assert!(p.contains("object-src 'none'") && p.contains("base-uri 'none'"));
    }

    #[test]
    fn nonces_differ_per_response() {
        assert_ne!(fresh_nonce(), fresh_nonce());
    }
}
