// Starts, before the WebAssembly has even arrived, what every [data-plaid-link] element will need:
// its link-token request and Link's script. The component adopts both (src/handoff.rs) instead of
// starting its own, so that on a slow phone they travel while the WebAssembly downloads and
// compiles. Runs once on import; the component re-checks everything.
//
// It starts only what the element's markup could make the component do anyway (the trust rules of
// src/endpoint.rs): markup may be injected, so it may name only the component's default endpoints
// or those the server declared in the <head> it served (<meta name="plaid-link-endpoints">), on the
// page's origin (HTTPS, or HTTP on loopback); and only Plaid's script or the one the server
// declared (<meta name="plaid-link-script">), which alone gets the page's CSP nonce.

const PREFETCH = Symbol.for("plaid-link.prefetch");
const SCRIPT = Symbol.for("plaid-link.script");
const PLAID = "https://cdn.plaid.com/link/v2/stable/link-initialize.js";
const DEFAULT_ENDPOINTS = [
  "/api/link_token", "/api/exchange_public_token", "/api/item_updated", "/api/link_session_finished", "/api/link_exit",
];

function absolute(raw) {
  try {
    return new URL(raw, location.href);
  } catch {
    return null;
  }
}

function sameOrigin(raw) {
  const url = absolute(raw);
  if (!url) return null;
  const loopback = /^(localhost|.*\.localhost|127(\.\d+){3}|\[::1\])$/.test(url.hostname);
  // As src/endpoint.rs: HTTPS, HTTP on loopback, or blob: (content the page made itself).
  const secure = ["https:", "blob:"].includes(url.protocol) || (url.protocol === "http:" && loopback);
  return url.origin === location.origin && secure ? url.href : null;
}

/** What the server declared in the <head> it served (never the body, where markup may be injected). */
function declared(name) {
  return document.head.querySelector(`meta[name="${name}"]`)?.getAttribute("content") ?? null;
}

function requestLinkToken(url, timeoutMs, body) {
  const controller = new AbortController();
  const headers = { "Content-Type": "application/json", Accept: "application/json" };
  const csrf = document.querySelector('meta[name="csrf-token"]')?.getAttribute("content");
  if (csrf) headers["X-CSRF-Token"] = csrf;
  // The same request the component sends (src/backend): no redirect followed, cookies same-origin.
  const response = fetch(url, {
    method: "POST",
    headers,
    body,
    credentials: "same-origin",
    redirect: "manual",
    signal: AbortSignal.any([controller.signal, AbortSignal.timeout(timeoutMs)]),
  });
  response.catch(() => {}); // The component reads the outcome; nothing is unhandled meanwhile.
  return { url, response, controller };
}

function loadScript(src) {
  if (!src || window.Plaid || window[SCRIPT]) return;
  // A script made by code loads asynchronously already; an empty nonce is no nonce.
  const script = document.createElement("script");
  script.src = src;
  script.nonce = document.querySelector("script[nonce]")?.nonce || "";
  const loaded = new Promise((resolve, reject) => {
    script.onload = resolve;
    script.onerror = reject;
  });
  loaded.catch(() => {});
  window[SCRIPT] = { src, script, loaded };
  document.head.append(script);
}

export function prefetch() {
  const backFromBank = new URLSearchParams(location.search).has("oauth_state_id");
  // Paths on the page's origin, as src/endpoint.rs compares them.
  const endpoints = [...DEFAULT_ENDPOINTS, ...(declared("plaid-link-endpoints") ?? "").split(/\s+/)]
    .map((path) => location.origin + path);
  const declaredScript = declared("plaid-link-script");
  const scripts = [PLAID, declaredScript && absolute(declaredScript)?.href];
  for (const element of document.querySelectorAll("[data-plaid-link]:not([data-plaid-link-mounted])")) {
    if (element[PREFETCH]) continue;
    const attr = (name) => element.getAttribute(name) || null;
    const url = sameOrigin(attr("data-link-token-url") || DEFAULT_ENDPOINTS[0]);
    // An update-mode element (data-item-id) asks for its own kind of token, and a page back from an
    // OAuth bank uses the one it kept: the component does both.
    if (url && endpoints.includes(url) && !attr("data-item-id") && !backFromBank) {
      // The component's own body: `{}`, or a Multi-Item Link token (data-multi-item).
      const body = attr("data-multi-item") === "true" ? '{"multi_item":true}' : "{}";
      element[PREFETCH] = requestLinkToken(url, Number(attr("data-request-timeout-ms")) || 15000, body);
    }
    const script = absolute(attr("data-script-src") || declaredScript || PLAID)?.href;
    loadScript(scripts.includes(script) ? script : null);
  }
}

prefetch();
